"""The spectrogram's analysis against direct computations: a chirp's ridge, one frame's DFT done
by hand, Praat's sampling rules, the tile pyramid and the grey scale."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aligner_gui.core.display.spectrogram import (
    BROADBAND,
    NARROWBAND,
    TILE_FRAMES,
    AnalysisPlan,
    SpectrogramSettings,
    compute_tile,
    emphasis_db,
    gaussian_window,
    grey_levels,
    power_to_db,
)

RATE = 16_000


def chirp(duration: float, f0: float, f1: float, rate: int = RATE) -> tuple[np.ndarray, float]:
    """A linear chirp from f0 to f1 Hz and its rate (Hz per second)."""
    k = (f1 - f0) / duration
    t = np.arange(int(round(duration * rate))) / rate
    return (0.5 * np.sin(2 * np.pi * (f0 * t + 0.5 * k * t * t))).astype(np.float32), k


def whole_signal(samples: np.ndarray, plan: AnalysisPlan, level: int) -> np.ndarray:
    tiles = range(plan.num_tiles(level, samples.size))
    return np.concatenate([compute_tile(samples, plan, level, i) for i in tiles])


@pytest.mark.parametrize("settings", [BROADBAND, NARROWBAND], ids=["5 ms", "30 ms"])
def test_the_ridge_of_a_linear_chirp_follows_its_frequency_within_one_band(settings) -> None:
    duration, f0, f1 = 2.0, 300.0, 4500.0
    samples, k = chirp(duration, f0, f1)
    plan = AnalysisPlan.create(settings, RATE)
    level = plan.level_for(duration)
    db = whole_signal(samples, plan, level)
    base = plan.timebase(level)
    # Frames whose window lies inside the signal.
    margin = settings.window_length * 2
    frames = [
        i for i in range(db.shape[0])
        if margin < base.frame_to_seconds(i + 0.5) < duration - margin
    ]  # fmt: skip
    assert len(frames) > 400
    centres = plan.band_centres()
    for i in frames:
        t = base.frame_to_seconds(i + 0.5)  # the analysis window is centred mid-frame
        expected = f0 + k * t
        ridge = centres[int(np.argmax(db[i]))]
        assert abs(ridge - expected) <= plan.band_hz, (t, expected, ridge)


def test_one_frame_equals_a_direct_dft_of_the_windowed_samples() -> None:
    rng = np.random.default_rng(3)
    samples = (0.2 * rng.standard_normal(RATE)).astype(np.float32)
    plan = AnalysisPlan.create(BROADBAND, RATE)
    level = 2
    index, row = 3, 17
    db = compute_tile(samples, plan, level, index)
    frame = index * TILE_FRAMES + row
    step = plan.level_step(level)
    assert step < plan.window_samples // 2  # one window per frame at this level
    n = plan.window_samples
    start = frame * step + step // 2 - n // 2
    x = samples[start : start + n].astype(np.float64) * gaussian_window(n, 2 * 0.005 * RATE)
    bins = np.arange(plan.num_bands * plan.bins_per_band)
    m = np.arange(n)
    dft = np.exp(-2j * np.pi * np.outer(bins, m) / plan.fft_size) @ x
    power = (np.abs(dft) ** 2).reshape(plan.num_bands, plan.bins_per_band).mean(axis=1)
    power /= np.sum(gaussian_window(n, 2 * 0.005 * RATE) ** 2)
    assert np.allclose(db[row], power_to_db(power), atol=0.02)


def test_praat_sampling_rules_for_broadband_and_narrowband_at_16_khz() -> None:
    broad = AnalysisPlan.create(BROADBAND, RATE)
    # Physical window 2 x 5 ms = 160 samples -> 2 * (160 // 2 - 1); frequency step
    # max(5000 / 250, sqrt(pi) / 5 ms / 8) = 44.3 Hz -> one 31.25 Hz bin of a 512-point FFT.
    assert broad.window_samples == 158
    assert broad.fft_size == 512
    assert broad.bins_per_band == 1 and broad.band_hz == pytest.approx(31.25)
    assert broad.num_bands == 160
    narrow = AnalysisPlan.create(NARROWBAND, RATE)
    assert narrow.window_samples == 958
    assert narrow.fft_size == 1024
    assert narrow.band_hz == pytest.approx(15.625)
    assert narrow.num_bands == 320
    # The Gaussian is 1 in the middle and ~0 at both ends.
    w = gaussian_window(158, 160.0)
    assert w.max() == pytest.approx(1.0, abs=1e-3)
    assert w[0] < 1e-3 and w[-1] < 1e-3
    assert np.allclose(w, w[::-1])


@pytest.mark.parametrize("seconds", [0.05, 0.8, 7.0, 60.0, 3600.0])
def test_a_view_holds_at_most_time_steps_frames_and_at_least_half(seconds: float) -> None:
    plan = AnalysisPlan.create(BROADBAND, RATE)
    level = plan.level_for(seconds)
    frames = seconds * RATE / plan.level_step(level)
    if level == 0:
        assert frames <= BROADBAND.time_steps or plan.level_step(0) == plan.finest_step
    else:
        assert BROADBAND.time_steps / 2 <= frames <= BROADBAND.time_steps


def test_tiles_between_cover_the_range_and_stop_at_the_end_of_the_file() -> None:
    plan = AnalysisPlan.create(BROADBAND, RATE)
    n = 10 * RATE
    level = plan.level_for(2.0)
    tiles = plan.tiles_between(level, 3.0, 5.0, n)
    base = plan.timebase(level)
    first, _ = plan.tile_frames(level, tiles.start, n)
    _, end = plan.tile_frames(level, tiles.stop - 1, n)
    assert base.frame_to_seconds(first) <= 3.0 and base.frame_to_seconds(end) >= 5.0
    last = plan.tiles_between(level, 9.0, 20.0, n)
    assert last.stop == plan.num_tiles(level, n)
    assert plan.tile_frames(level, last.stop - 1, n)[1] == plan.num_frames(level, n)
    assert not plan.tiles_between(level, 11.0, 12.0, n)


def test_coarse_frames_average_windows_so_a_short_burst_is_not_missed() -> None:
    """With an hour in view a frame is ~3 s wide: a 0.3 s tone burst inside it must show."""
    samples = np.zeros(60 * RATE, dtype=np.float32)
    t = np.arange(int(0.3 * RATE)) / RATE
    where = int(31.2 * RATE)
    samples[where : where + t.size] = 0.5 * np.sin(2 * np.pi * 1000 * t)
    plan = AnalysisPlan.create(BROADBAND, RATE)
    level = plan.level_for(3600.0)
    db = whole_signal(samples, plan, level)
    frame = plan.timebase(level).seconds_to_frame(31.35)
    band = plan.band_of(1000.0)
    assert band is not None
    assert db[frame, band] > 30.0  # silence elsewhere is at the floor
    assert db[frame - 2, band] < -200.0


def test_grey_levels_span_the_dynamic_range_below_the_maximum() -> None:
    db = np.array([[80.0, 55.0, 30.0, 10.0]], dtype=np.float32)
    flat = np.zeros(4, dtype=np.float32)
    picture = grey_levels(db, flat, maximum=80.0, dynamic=50.0)
    assert picture.tolist() == [[255, 128, 1, 1]]
    plan = AnalysisPlan.create(BROADBAND, RATE)
    emphasis = emphasis_db(plan)
    # 6 dB per octave above 50 Hz: one octave (2 -> 4 kHz) adds 6 dB.
    two, four = plan.band_of(2000.0), plan.band_of(4000.0)
    assert two is not None and four is not None
    assert emphasis[four] - emphasis[two] == pytest.approx(6.0, abs=0.1)
    assert emphasis[0] == pytest.approx(0.0, abs=0.01)


def test_bad_settings_are_refused_in_one_line() -> None:
    with pytest.raises(ValueError, match="window length"):
        SpectrogramSettings(window_length=5.0)
    with pytest.raises(ValueError, match="positive"):
        SpectrogramSettings(dynamic_range=0.0)
    assert math.isclose(NARROWBAND.window_length, 0.030)
