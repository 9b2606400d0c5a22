"""Flite's and Festival's own phone and word times, read from real synthesis, agree with the audio.

The truth is the signal: a sentence whose words are separated by punctuation pauses has silence
between the engine's word times and sound inside them, and the first/last phones sit on the
energy edges. Each engine is skipped when it is not installed.
"""

from __future__ import annotations

import numpy as np
import pytest

from aligner_gui.demo import festival, flite
from aligner_gui.demo.phones import INVENTORY
from aligner_gui.demo.timed_speech import TimedSpeech, check_against_signal, speech_edges

needs_flite = pytest.mark.skipif(not flite.flite_available(), reason="libflite is not installed")
needs_festival = pytest.mark.skipif(
    not festival.festival_available("kal"), reason="festival (with festvox-kallpc16k) is absent"
)
# Festival pauses only between sentences of more than one word, not at commas.
PAUSED = "Sam sat here. Lily ran off! Nina sang loudly?"
PAUSED_WORDS = ["Sam", "sat", "here", "Lily", "ran", "off", "Nina", "sang", "loudly"]


def assert_consistent(speech: TimedSpeech, words: list[str]) -> None:
    assert speech.sample_rate == 16000
    assert [w.text for w in speech.words] == words
    for word in speech.words:
        assert word.phones and all(p.phone in INVENTORY for p in word.phones)
        assert word.phones[0].start == word.start and word.phones[-1].end == word.end
        for left, right in zip(word.phones, word.phones[1:], strict=False):
            assert left.end == right.start and left.end > left.start
    assert check_against_signal(speech) is None


def assert_pauses_are_silent(speech: TimedSpeech, pauses: tuple[int, ...] = (3, 6)) -> None:
    """Between sentences (before words ``pauses``) the engine's times leave a gap whose audio is
    >= 30 dB below the speech; every word holds sound."""
    x = speech.samples.astype(np.float64)
    rate = speech.sample_rate
    loud = float(np.sqrt(np.mean(x**2)))
    for k in pauses:
        left, right = speech.words[k - 1], speech.words[k]
        gap = x[int((left.end + 0.02) * rate) : int((right.start - 0.02) * rate)]
        assert gap.size > 0.03 * rate, (left.text, right.text)
        assert np.sqrt(np.mean(gap**2)) < loud * 10 ** (-30 / 20), (left.text, right.text)
    for word in speech.words:
        inside = x[int(word.start * rate) : int(word.end * rate)]
        assert np.sqrt(np.mean(inside**2)) > loud * 10 ** (-15 / 20), word.text


@needs_flite
@pytest.mark.parametrize("voice", flite.VOICES)
def test_flite_times_agree_with_its_audio(voice: str) -> None:
    speech = flite.synthesize(PAUSED, voice)
    assert_consistent(speech, PAUSED_WORDS)
    assert_pauses_are_silent(speech)


@needs_flite
def test_flite_groups_phones_by_written_word() -> None:
    speech = flite.synthesize("The cat's name is Bob, don't go.", "slt")
    assert [(w.text, [p.phone for p in w.phones]) for w in speech.words] == [
        ("The", ["ð", "ə"]), ("cat's", ["k", "æ", "t", "s"]), ("name", ["n", "eɪ", "m"]),
        ("is", ["ɪ", "z"]), ("Bob", ["b", "ɑ", "b"]), ("don't", ["d", "oʊ", "n", "t"]),
        ("go", ["ɡ", "oʊ"]),
    ]  # fmt: skip
    assert_consistent(speech, ["The", "cat's", "name", "is", "Bob", "don't", "go"])


@needs_festival
@pytest.mark.parametrize("voice", list(festival.VOICES))
def test_festival_times_agree_with_its_audio(voice: str) -> None:
    if not festival.festival_available(voice):
        pytest.skip(f"festival voice {voice} is not installed")
    [speech] = festival.synthesize_many([festival.FestivalRequest(PAUSED, voice)])
    assert not isinstance(speech, str), speech
    assert_consistent(speech, PAUSED_WORDS)
    assert_pauses_are_silent(speech)


@needs_festival
def test_festival_stretch_slows_the_diphone_voice_and_its_times() -> None:
    text = "Southerners moderated the jabberer."
    fast, slow = festival.synthesize_many(
        [festival.FestivalRequest(text, "kal", 0.8), festival.FestivalRequest(text, "kal", 1.3)]
    )
    assert not isinstance(fast, str) and not isinstance(slow, str)
    for speech in (fast, slow):
        assert_consistent(speech, ["Southerners", "moderated", "the", "jabberer"])
    ratio = (slow.words[-1].end - slow.words[0].start) / (fast.words[-1].end - fast.words[0].start)
    assert 1.4 < ratio < 1.9
    edges_fast, edges_slow = speech_edges(fast.samples, 16000), speech_edges(slow.samples, 16000)
    assert edges_fast and edges_slow
    assert (edges_slow[1] - edges_slow[0]) / (edges_fast[1] - edges_fast[0]) == pytest.approx(
        ratio, abs=0.1
    )


@needs_festival
def test_the_ked_voices_extra_r_segment_stays_inside_its_word() -> None:
    """ked's post-lexical rule adds an ``r`` after ``er`` that belongs to no syllable."""
    if not festival.festival_available("ked"):
        pytest.skip("festvox-kdlpc16k is not installed")
    speech = festival.synthesize("Southerners moderated the jabberer.", "ked")
    assert_consistent(speech, ["Southerners", "moderated", "the", "jabberer"])
    assert [p.phone for p in speech.words[0].phones] == ["s", "ʌ", "ð", "ɝ", "n", "ɝ", "z"]


@needs_flite
def test_the_signal_check_rejects_times_that_do_not_fit_the_audio() -> None:
    speech = flite.synthesize(PAUSED, "kal16")
    assert check_against_signal(speech) is None
    shift = np.zeros(int(0.1 * 16000), dtype=np.float32)
    late = TimedSpeech(speech.text, np.concatenate([shift, speech.samples]), 16000, speech.words,
                       speech.engine, speech.voice)  # fmt: skip
    assert (check_against_signal(late) or "").startswith("first phone off the onset")
    cut = TimedSpeech(speech.text, speech.samples[: int(speech.words[-1].start * 16000 + 800)],
                      16000, speech.words, speech.engine, speech.voice)  # fmt: skip
    assert check_against_signal(cut) is not None
