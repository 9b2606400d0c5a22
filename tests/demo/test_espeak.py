"""espeak-ng word times are checked against the signal itself, to within 5 ms.

The truth comes from the audio, not from espeak's events: energy edges at pauses (punctuation and
an explicit word gap), the onset of frication of word-initial /s/ in running speech, and where a
word-final nasal's murmur ends.
"""

from __future__ import annotations

import numpy as np
import pytest

from aligner_gui.demo import espeak

pytestmark = pytest.mark.skipif(
    not espeak.espeak_available(), reason="libespeak-ng is not installed"
)

RATE = 16000
TOLERANCE = 0.005
# Variants without espeak's echo effect: its delayed copy fills pauses, hiding the energy edges.
CLEAN_VOICES = ("en-us", "en-gb-x-rp+m3", "en-029+m1")


def activity(x: np.ndarray, threshold_db: float = -50.0, window: float = 0.0025) -> np.ndarray:
    """Per sample: is the 2.5 ms centred moving mean power above ``threshold_db`` dBFS?"""
    n = int(window * RATE)
    power = np.convolve(np.asarray(x, dtype=np.float64) ** 2, np.ones(n) / n, mode="same")
    return power > 10 ** (threshold_db / 10)


def check_pause_edges(active: np.ndarray, start: float, end: float, reach: float = 0.03) -> None:
    """The sound starts within 5 ms of ``start`` and ends within 5 ms of ``end``: the first
    active sample in start +- reach and the last one in end +- reach are that close."""
    i0, i1 = max(0, int((start - reach) * RATE)), int((start + reach) * RATE)
    onset = (i0 + int(np.argmax(active[i0:i1]))) / RATE
    j0, j1 = int((end - reach) * RATE), min(len(active), int((end + reach) * RATE))
    offset = (j1 - int(np.argmax(active[j0:j1][::-1]))) / RATE
    assert active[i0:i1].any() and active[j0:j1].any()
    assert abs(onset - start) <= TOLERANCE, ("start", start, onset)
    assert abs(offset - end) <= TOLERANCE, ("end", end, offset)


@pytest.mark.parametrize("voice", CLEAN_VOICES)
def test_word_times_match_the_silences_at_punctuation(voice: str) -> None:
    text = "Sam, Lily, Nina. Mary? Ollie! Wanda, Emma; Ray. Anna."
    synth = espeak.synthesize(text, voice)
    assert synth.sample_rate == RATE
    assert [w.text for w in synth.words] == [
        "Sam", "Lily", "Nina", "Mary", "Ollie", "Wanda", "Emma", "Ray", "Anna",
    ]  # fmt: skip
    active = activity(synth.samples)
    # Every word is delimited by a pause here, so both its ends are energy edges.
    for word in synth.words:
        check_pause_edges(active, word.start, word.end)
    # and the signal between words is silent.
    for left, right in zip(synth.words, synth.words[1:], strict=False):
        gap = synth.samples[int(left.end * RATE) + 80 : int(right.start * RATE) - 80]
        assert gap.size > 0 and float(np.max(np.abs(gap))) < 0.01


@pytest.mark.parametrize("voice", CLEAN_VOICES[:2])
def test_word_gap_puts_every_word_between_energy_edges(voice: str) -> None:
    text = "Do you see the big cat jump over this old red box and go away quickly"
    synth = espeak.synthesize(text, voice, word_gap=4, rate=190)
    assert [w.text for w in synth.words] == text.split()
    active = activity(synth.samples)
    for word in synth.words:
        check_pause_edges(active, word.start, word.end, reach=0.02)
        assert word.end - word.start > 0.05


def high_band_share(x: np.ndarray, t: float, window: float = 0.004) -> float:
    """Share of a 4 ms window's power above 3 kHz (0 when the window is silent)."""
    n = int(window * RATE)
    i = int(round(t * RATE))
    seg = x[i : i + n] * np.hanning(n)
    if seg.std() < 10 ** (-45 / 20):
        return 0.0
    power = np.abs(np.fft.rfft(seg)) ** 2
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    return float(power[freqs > 3000].sum() / power.sum())


@pytest.mark.parametrize("voice", CLEAN_VOICES[:2])
def test_word_initial_s_starts_where_frication_starts_in_running_speech(voice: str) -> None:
    synth = espeak.synthesize("Now I saw Sue say so, see the sea.", voice, rate=160)
    s_words = [w for w in synth.words if w.text.lower().startswith("s")]
    assert [w.text for w in s_words] == ["saw", "Sue", "say", "so", "see", "sea"]
    for word in s_words:
        times = np.arange(word.start - 0.06, word.start + 0.06, 0.0005)
        share = np.array([high_band_share(synth.samples, t - 0.002) for t in times])
        onset = times[int(np.argmax(share > 0.5))]
        assert abs(word.start - onset) <= TOLERANCE, (word, onset)


def test_a_final_nasal_stays_with_its_word_before_a_vowel() -> None:
    # espeak renders "m" + "i" as the onset of the vowel, so its word marker for "is" comes
    # before the murmur of "name"'s final m. The murmur (weaker than the vowels around it) must
    # still end "name", and "is" must start where the vowel's energy does.
    synth = espeak.synthesize("My name is Sam.", "en-us")
    name, is_ = synth.words[1], synth.words[2]
    assert (name.text, is_.text) == ("name", "is")
    assert name.end == pytest.approx(is_.start, abs=1e-9)
    markers = [e.sample / espeak.ESPEAK_RATE for e in synth.events if e.kind == "word"]
    assert name.end - markers[2] > 0.04  # the marker itself would cut the murmur off "name"

    def level_db(t0: float, t1: float) -> float:
        seg = synth.samples[int(t0 * RATE) : int(t1 * RATE)].astype(np.float64)
        return float(10 * np.log10(np.mean(seg**2)))

    murmur = level_db(name.end - 0.045, name.end - 0.015)
    assert level_db(markers[2] - 0.04, markers[2] - 0.01) - murmur > 3.0  # the vowel of "name"
    assert level_db(is_.start, is_.start + 0.03) - murmur > 6.0  # the vowel of "is"


def test_apostrophes_and_punctuation_stay_out_of_word_times() -> None:
    text = "Sam, isn't it? John's dogs' bones, \"quoted\" o'clock!"
    synth = espeak.synthesize(text, "en-us")
    assert [w.text for w in synth.words] == [
        "Sam", "isn't", "it", "John's", "dogs'", "bones", "quoted", "o'clock",
    ]  # fmt: skip
    for word in synth.words:
        assert text[word.char_start : word.char_end] == word.text
    starts = [w.start for w in synth.words]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(synth.words, synth.words[1:], strict=False))
    assert synth.words[-1].end <= synth.duration


def test_resampling_keeps_times() -> None:
    # A click at a known time lands at the same time after 22050 -> 16000 Hz.
    x = np.zeros(22050, dtype=np.float32)
    x[11025] = 1.0  # 0.5 s
    y = espeak.resample(x, 22050, 16000)
    assert len(y) == 16000
    assert int(np.argmax(y)) == 8000
    t = np.arange(22050) / 22050
    tone = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    out = espeak.resample(tone, 22050, 16000)
    expected = np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)
    assert float(np.max(np.abs(out[100:-100] - expected[100:-100]))) < 1e-3


@pytest.mark.parametrize(
    ("voice", "delay", "gain"), [("en-us+f3", 0.120, 10), ("en+m2", 0.130, 15)]
)
def test_echo_voices_get_the_direct_sound_times(voice: str, delay: float, gain: int) -> None:
    # These variants add their own output, delayed and scaled by gain/256, to every sample, so
    # the pauses are filled. The word times must be those of the direct sound, which the test
    # recovers at 16 kHz on its own (the delays are whole numbers of samples at both rates).
    text = "Sam, Lily. Nina? Mary! Emma, Ray."
    synth = espeak.synthesize(text, voice)
    assert [w.text for w in synth.words] == ["Sam", "Lily", "Nina", "Mary", "Emma", "Ray"]
    lag = int(round(delay * RATE))
    direct = synth.samples.astype(np.float64).copy()
    direct[lag:] -= synth.samples[:-lag] * (gain / 256)
    active = activity(direct)
    for word in synth.words:
        check_pause_edges(active, word.start, word.end)
    # whereas in the output itself the echo keeps some pauses from being silent.
    with pytest.raises(AssertionError):
        echoed = activity(synth.samples)
        for word in synth.words:
            check_pause_edges(echoed, word.start, word.end)
