"""Pitch and intensity against known signals: a 200 Hz tone, a synthetic vowel on 200 Hz, a sine
of known amplitude (Praat's intensity formula), one frame summed by hand, and seamless chunks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aligner_gui.core.display.prosody import (
    CHUNK_SECONDS,
    HEARING_THRESHOLD_PA2,
    KAISER_BETA,
    ProsodySettings,
    chunks_between,
    intensity_track,
    pitch_track,
)

RATE = 16_000
SETTINGS = ProsodySettings()


def tone(duration: float, hz: float, amplitude: float, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(round(duration * rate))) / rate
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def vowel(duration: float, f0: float, rate: int = RATE) -> np.ndarray:
    """Harmonics of ``f0`` shaped by three formants (700, 1220, 2600 Hz): an /a/-like vowel."""
    t = np.arange(int(round(duration * rate))) / rate
    out = np.zeros(t.size)
    for h in range(1, int(4000 // f0) + 1):
        f = h * f0
        gain = sum(
            1.0 / (1.0 + ((f - fc) / bw) ** 2) for fc, bw in ((700, 130), (1220, 70), (2600, 160))
        )
        out += gain * np.sin(2 * np.pi * f * t + 0.3 * h)
    return (0.3 * out / np.abs(out).max()).astype(np.float32)


def interior(track, start: float, end: float) -> np.ndarray:
    keep = (track.times > start) & (track.times < end)
    return track.values[keep]


@pytest.mark.parametrize("signal", ["tone", "vowel"])
def test_f0_of_a_200_hz_signal_is_200_within_2_hz(signal: str) -> None:
    samples = tone(3.0, 200.0, 0.3) if signal == "tone" else vowel(3.0, 200.0)
    track = pitch_track(samples, RATE, 0, SETTINGS)
    assert track.times[0] == 0.0 and np.allclose(np.diff(track.times), SETTINGS.pitch_step)
    values = interior(track, 0.1, 2.9)
    assert np.isfinite(values).mean() > 0.95  # voiced throughout
    voiced = values[np.isfinite(values)]
    assert np.all(np.abs(voiced - 200.0) <= 2.0), (voiced.min(), voiced.max())


def test_silence_is_unvoiced() -> None:
    track = pitch_track(np.zeros(RATE, dtype=np.float32), RATE, 0, SETTINGS)
    assert track.times.size == 100 and np.isnan(track.values).all()


def test_chunks_join_without_a_seam() -> None:
    samples = vowel(CHUNK_SECONDS + 2.0, 150.0)
    first = pitch_track(samples, RATE, 0, SETTINGS)
    second = pitch_track(samples, RATE, 1, SETTINGS)
    times = np.concatenate([first.times, second.times])
    assert np.allclose(np.diff(times), SETTINGS.pitch_step)
    around = np.concatenate([first.values[-20:], second.values[:20]])
    assert np.all(np.abs(around - 150.0) <= 2.0)
    assert list(chunks_between(8.0, 11.0, samples.size / RATE)) == [0, 1]
    assert list(chunks_between(13.0, 20.0, samples.size / RATE)) == []


@pytest.mark.parametrize("amplitude", [0.01, 0.1, 0.5])
def test_intensity_of_a_sine_is_praats_formula(amplitude: float) -> None:
    samples = tone(2.0, 440.0, amplitude)
    track = intensity_track(samples, RATE, 0, SETTINGS)
    assert np.allclose(np.diff(track.times), 0.8 / SETTINGS.pitch_floor)
    expected = 10 * math.log10(amplitude**2 / 2 / HEARING_THRESHOLD_PA2)
    values = interior(track, 0.1, 1.9)
    assert np.all(np.abs(values - expected) < 0.02), (values.min(), values.max(), expected)


def test_one_intensity_frame_summed_by_hand() -> None:
    rng = np.random.default_rng(5)
    samples = (0.05 * rng.standard_normal(RATE) + 0.02).astype(np.float32)  # with a DC offset
    track = intensity_track(samples, RATE, 0, SETTINGS)
    k = 40
    centre = int(round(track.times[k] * RATE))
    half = int(math.floor(3.2 / SETTINGS.pitch_floor * RATE))
    x = samples[centre - half : centre + half + 1].astype(np.float64)
    x = x - x.mean()
    w = np.array([np.i0(KAISER_BETA * math.sqrt(max(0.0, 1 - ((i - half) / half) ** 2)))
                  for i in range(2 * half + 1)])  # fmt: skip
    expected = 10 * math.log10(np.sum(w * x * x) / np.sum(w) / HEARING_THRESHOLD_PA2)
    assert track.values[k] == pytest.approx(expected, abs=1e-3)


def test_intensity_of_silence_and_bad_pitch_ranges() -> None:
    track = intensity_track(np.zeros(RATE, dtype=np.float32), RATE, 0, SETTINGS)
    assert np.all(track.values == -300.0)
    with pytest.raises(ValueError, match="floor"):
        ProsodySettings(pitch_floor=300.0, pitch_ceiling=200.0)
