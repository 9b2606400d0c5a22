"""Each augmentation keeps the length and the timing of the speech it transforms.

The probe is a signal with known events: 40 ms tone bursts with sharp onsets at known times in
silence. After a transform that must not move anything, every burst's onset (where its envelope
first reaches half its own peak) is where it was; after a speed change, at time / factor.
"""

from __future__ import annotations

import numpy as np
import pytest

from aligner_gui.demo import augment

RATE = 16000
ONSETS = (0.20, 0.55, 0.93, 1.31)
BURST = 0.04


def probe(noise_floor: float = 0.0) -> np.ndarray:
    x = np.zeros(int(1.6 * RATE), dtype=np.float64)
    t = np.arange(int(BURST * RATE)) / RATE
    for k, onset in enumerate(ONSETS):
        i = int(onset * RATE)
        x[i : i + t.size] += 0.5 * np.sin(2 * np.pi * (400 + 300 * k) * t)
    rng = np.random.default_rng(0)
    return (x + noise_floor * rng.standard_normal(x.size)).astype(np.float32)


def onsets(y: np.ndarray, expected: tuple[float, ...], factor: float = 1.0) -> list[float]:
    """Onset of the burst nearest each expected time (searched +-60 ms): where its envelope
    first reaches a quarter of its peak (low enough that a reverberant tail, which raises the
    peak after the direct sound, does not delay it)."""
    envelope = np.convolve(np.abs(y.astype(np.float64)), np.ones(32) / 32, mode="same")
    found = []
    for onset in expected:
        t = onset * factor
        i0, i1 = int((t - 0.06) * RATE), int((t + 0.06) * RATE)
        segment = envelope[i0:i1]
        first = int(np.argmax(segment >= 0.25 * segment.max()))
        found.append((i0 + first) / RATE)
    return found


def assert_in_place(y: np.ndarray, x: np.ndarray, tolerance: float) -> None:
    assert y.shape == x.shape and y.dtype == np.float32
    assert np.all(np.isfinite(y))
    reference = onsets(x, ONSETS)
    assert np.max(np.abs(np.subtract(onsets(y, ONSETS), reference))) <= tolerance


@pytest.mark.parametrize(
    ("name", "transform", "tolerance"),
    [
        ("telephone", lambda x, rng: augment.telephone(x, RATE), 0.002),
        ("microphone eq", lambda x, rng: augment.microphone_eq(x, RATE, rng), 0.002),
        ("clipping", lambda x, rng: augment.clip(x, 0.05), 0.001),
        # Reflections arriving 2-30 ms later raise the envelope: a quarter-peak onset moves by
        # under 3 ms, though the direct sound is at lag 0.
        ("room", lambda x, rng: augment.reverberate(x, RATE, rng, 0.4), 0.003),
        # STFT resynthesis blurs an edge over its 32 ms frame but does not move it: the onset
        # stays within half a frame.
        ("pitch up", lambda x, rng: augment.pitch_shift(x, 3.0), 0.016),
        ("pitch down", lambda x, rng: augment.pitch_shift(x, -3.0), 0.016),
        ("vocal tract", lambda x, rng: augment.vocal_tract_warp(x, RATE, 0.9), 0.016),
        ("mp3", lambda x, rng: augment.codec(x, RATE, "mp3", 0.9), 0.002),
        ("opus", lambda x, rng: augment.codec(x, RATE, "opus", 0.9), 0.002),
    ],
)
def test_transforms_keep_length_and_event_times(name: str, transform, tolerance: float) -> None:
    x = probe(noise_floor=1e-4)
    assert_in_place(transform(x, np.random.default_rng(1)), x, tolerance)


def test_speed_scales_every_time_by_the_returned_factor() -> None:
    x = probe()
    for factor in (0.9, 1.1):
        y, scale = augment.speed(x, RATE, factor)
        assert scale == pytest.approx(1 / factor, abs=1e-4)
        assert len(y) == pytest.approx(len(x) / factor, abs=1)
        found = onsets(y, ONSETS, scale)
        assert np.max(np.abs(np.subtract(found, np.multiply(onsets(x, ONSETS), scale)))) < 0.001


def test_noise_and_babble_reach_the_requested_snr() -> None:
    x = probe()
    rng = np.random.default_rng(3)
    noise = augment.coloured_noise(rng, len(x), 1.0)
    y = augment.add_noise(x, noise, 10.0)
    added = y.astype(np.float64) - x
    snr = 10 * np.log10(np.mean(x.astype(np.float64) ** 2) / np.mean(added**2))
    assert snr == pytest.approx(10.0, abs=0.01)
    crowd = augment.babble(rng, len(x), [probe(), probe()[::-1].copy()], talkers=4)
    assert crowd.shape == x.shape and np.std(crowd) > 0


def test_a_field_recording_chain_is_seeded_and_keeps_the_length() -> None:
    x = probe(noise_floor=1e-4)
    others = [probe(), probe(1e-3)]
    odds = augment.FieldRecording(1, 1, 1, 1, 1, 1, 1, 1, 1)  # every transform at once
    a = augment.field_recording(x, RATE, np.random.default_rng(7), others, odds)
    b = augment.field_recording(x, RATE, np.random.default_rng(7), others, odds)
    c = augment.field_recording(x, RATE, np.random.default_rng(8), others, odds)
    assert a.shape == x.shape and np.array_equal(a, b) and not np.array_equal(a, c)
    assert 0.04 < float(np.max(np.abs(a))) <= 0.95
