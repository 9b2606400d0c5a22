"""A Praat-style spectrogram, computed a tile at a time for whatever part of the file is in view.

The analysis follows Praat's "Sound: To Spectrogram" (Gaussian window): the *effective* window
length L (5 ms broadband, 30 ms narrowband) is that of a Gaussian whose physical extent is 2 L;
the window is exp(-48 p²) over p in [-½, ½], lowered so that it reaches zero at its ends. The
effective time width L / √π and frequency width √π / L bound the useful time and frequency steps
(at most 8 times oversampled), and the frequency step is a whole number of FFT bins; each band
holds the mean power of its bins, |X|² / Σw², shown in dB re 4·10⁻¹⁰ as Praat shows it.

What Praat does per view, this does per *tile*: a level of the tile pyramid has a fixed frame
step (the finest step times a power of two) and the view uses the finest level with at
most ``time_steps`` (1000) frames across it, so each view shows 500–1000 frames and a tile, once
computed, serves every pan at that zoom. When the step is far longer than the window (a whole
hour in view), a frame averages the power of several windows spread over it instead of sampling
one, so that nothing between two frames is invisible. Pure numpy: no Qt here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from aligner_gui.core.base.timebase import TimeBase

REFERENCE_POWER = 4.0e-10  # (2·10⁻⁵ Pa)², Praat's 0 dB
EMPHASIS_FROM_HZ = 50.0  # the pre-emphasis rises above this frequency, flat below
MAX_OVERSAMPLING = 8.0  # Praat's maximum time and frequency oversampling
TILE_FRAMES = 128  # frames per tile (a view spans 4–9 tiles, computed in parallel)
MAX_SUBWINDOWS = 4  # windows averaged into one frame when frames are far apart
FLOOR_DB = -300.0  # the dB of silence (digital zeros)


@dataclass(frozen=True)
class SpectrogramSettings:
    """Praat's defaults for the editor's spectrogram."""

    window_length: float = 0.005  # effective length, seconds
    max_frequency: float = 5000.0  # Hz
    dynamic_range: float = 50.0  # dB below the maximum in view that are still grey
    pre_emphasis: float = 6.0  # dB per octave above EMPHASIS_FROM_HZ (display only)
    time_steps: int = 1000  # at most this many frames across the view
    frequency_steps: int = 250  # at most this many bands up to max_frequency

    def __post_init__(self) -> None:
        if not 0.0005 <= self.window_length <= 1.0:
            raise ValueError(f"window length {self.window_length} s is outside 0.5 ms – 1 s")
        if self.max_frequency <= 0 or self.dynamic_range <= 0:
            raise ValueError("maximum frequency and dynamic range must be positive")
        if self.time_steps < 10 or self.frequency_steps < 10:
            raise ValueError("at least 10 time steps and 10 frequency steps")


BROADBAND = SpectrogramSettings()
NARROWBAND = replace(BROADBAND, window_length=0.030)


def gaussian_window(num_samples: int, physical_samples: float) -> np.ndarray:
    """Praat's Gaussian: exp(-48 p²) - exp(-12), normalised to 1 at the centre, where p runs over
    [-½, ½] across the physical window (so the window is ~0 at its two ends)."""
    i = np.arange(1, num_samples + 1, dtype=np.float64)
    phase = (i - 0.5 * (num_samples + 1)) / physical_samples
    edge = math.exp(-12.0)
    return (np.exp(-48.0 * phase * phase) - edge) / (1.0 - edge)


@dataclass(frozen=True, eq=False)
class AnalysisPlan:
    """Everything that depends on the settings and the sample rate, not on the signal."""

    settings: SpectrogramSettings
    sample_rate: int
    window: np.ndarray  # float64 (window_samples,)
    fft_size: int
    bins_per_band: int
    num_bands: int
    band_hz: float  # the frequency step
    bin_hz: float
    finest_step: int  # samples between frames at level 0

    @classmethod
    def create(cls, settings: SpectrogramSettings, sample_rate: int) -> AnalysisPlan:
        dx = 1.0 / sample_rate
        nyquist = 0.5 * sample_rate
        physical = 2.0 * settings.window_length
        effective_time = settings.window_length / math.sqrt(math.pi)
        effective_freq = 1.0 / effective_time
        fmax = min(settings.max_frequency, nyquist)
        freq_step = max(fmax / settings.frequency_steps, effective_freq / MAX_OVERSAMPLING)
        half = int(math.floor(physical / dx)) // 2 - 1
        window_samples = 2 * half
        if window_samples < 2:
            raise ValueError("the analysis window is shorter than two samples")
        num_freqs = max(1, int(math.floor(fmax / freq_step)))
        fft_size = 1
        while fft_size < window_samples or fft_size < 2 * num_freqs * (nyquist / fmax):
            fft_size *= 2
        bin_hz = sample_rate / fft_size
        bins_per_band = max(1, int(math.floor(freq_step / bin_hz)))
        band_hz = bins_per_band * bin_hz
        num_bands = max(1, int(math.floor(fmax / band_hz)))
        finest = max(1, int(math.floor(effective_time / MAX_OVERSAMPLING * sample_rate)))
        window = gaussian_window(window_samples, physical / dx)
        return cls(settings, sample_rate, window, fft_size, bins_per_band, num_bands, band_hz,
                   bin_hz, finest)  # fmt: skip

    @property
    def window_samples(self) -> int:
        return int(self.window.size)

    def band_centres(self) -> np.ndarray:
        """Hz at the centre of each band (the first band is centred near 0 Hz, as in Praat)."""
        return np.arange(self.num_bands) * self.band_hz + 0.5 * (self.band_hz - self.bin_hz)

    def frequency_extent(self) -> tuple[float, float]:
        """[low, high) Hz covered by the bands, for placing the image."""
        low = -0.5 * self.bin_hz
        return low, low + self.num_bands * self.band_hz

    def band_of(self, hz: float) -> int | None:
        low, _high = self.frequency_extent()
        band = int(math.floor((hz - low) / self.band_hz))
        return band if 0 <= band < self.num_bands else None

    # -- the tile pyramid -----------------------------------------------------------------------

    def level_step(self, level: int) -> int:
        return self.finest_step << level

    def timebase(self, level: int) -> TimeBase:
        """Frames of ``level``: frame i spans samples [i * step, (i + 1) * step)."""
        return TimeBase(self.sample_rate, self.level_step(level))

    def level_for(self, view_seconds: float) -> int:
        """The finest level with at most ``time_steps`` frames across ``view_seconds`` (so a view
        shows between half that and that many frames)."""
        wanted = view_seconds * self.sample_rate / self.settings.time_steps
        if wanted <= self.finest_step:
            return 0
        return max(0, int(math.ceil(math.log2(wanted / self.finest_step) - 1e-9)))

    def num_frames(self, level: int, num_samples: int) -> int:
        step = self.level_step(level)
        return -(-num_samples // step)

    def num_tiles(self, level: int, num_samples: int) -> int:
        return -(-self.num_frames(level, num_samples) // TILE_FRAMES)

    def tile_of(self, frame: int) -> tuple[int, int]:
        """(tile index, row in the tile) of ``frame``."""
        return divmod(frame, TILE_FRAMES)

    def tiles_between(self, level: int, t0: float, t1: float, num_samples: int) -> range:
        """Indices of the tiles of ``level`` that overlap [t0, t1) seconds."""
        base = self.timebase(level)
        last_frame = self.num_frames(level, num_samples)
        f0 = max(0, base.seconds_to_frame(max(0.0, t0)))
        f1 = min(last_frame, base.seconds_to_frame(max(0.0, t1)) + 1)
        if f1 <= f0:
            return range(0)
        return range(f0 // TILE_FRAMES, (f1 - 1) // TILE_FRAMES + 1)

    def tile_frames(self, level: int, index: int, num_samples: int) -> tuple[int, int]:
        """[first, end) frames of tile ``index``."""
        first = index * TILE_FRAMES
        return first, min(first + TILE_FRAMES, self.num_frames(level, num_samples))


def compute_tile(samples: np.ndarray, plan: AnalysisPlan, level: int, index: int) -> np.ndarray:
    """dB (float32, shape (frames, bands)) of tile ``index`` of ``level``.

    Frame i is analysed around the middle of its samples; when frames are more than half a window
    apart, up to MAX_SUBWINDOWS windows spread evenly over the frame are averaged (in power).
    Samples outside the file count as silence.
    """
    step = plan.level_step(level)
    first, end = plan.tile_frames(level, index, samples.size)
    if end <= first:
        return np.zeros((0, plan.num_bands), dtype=np.float32)
    n = plan.window_samples
    subs = int(min(MAX_SUBWINDOWS, max(1, math.ceil(step / (0.5 * n)))))
    frames = np.arange(first, end, dtype=np.int64)
    offsets = (np.arange(subs, dtype=np.float64) + 0.5) * step / subs
    centres = (frames[:, None] * step + np.floor(offsets)[None, :]).astype(np.int64).reshape(-1)
    starts = centres - n // 2
    # Gather the windows straight from the signal (a frame far apart from the next must not copy
    # the samples between them); samples outside the file are zeros.
    positions = starts[:, None] + np.arange(n)[None, :]
    inside = (positions >= 0) & (positions < samples.size)
    windows = samples[np.clip(positions, 0, max(0, samples.size - 1))].astype(np.float32)
    windows *= inside
    windows *= plan.window.astype(np.float32)  # float32 FFTs: twice as fast, ample for dB
    # numpy's FFT releases the GIL, so a tile computed on a worker thread leaves the GUI free.
    spectrum = np.fft.rfft(windows, n=plan.fft_size, axis=1)
    power = spectrum.real**2 + spectrum.imag**2
    used = plan.num_bands * plan.bins_per_band
    bands = power[:, :used].reshape(-1, plan.num_bands, plan.bins_per_band).mean(axis=2)
    bands *= 1.0 / float(np.sum(plan.window**2))
    mean_power = bands.reshape(end - first, subs, plan.num_bands).mean(axis=1)
    return power_to_db(mean_power)


def power_to_db(power: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        db = 10.0 * np.log10(np.asarray(power, dtype=np.float64) / REFERENCE_POWER)
    return np.maximum(db, FLOOR_DB).astype(np.float32)


def emphasis_db(plan: AnalysisPlan) -> np.ndarray:
    """Per band, the dB added for display: ``pre_emphasis`` dB per octave above 50 Hz (the
    response of a first-order emphasis from 50 Hz), nothing below."""
    centres = np.maximum(plan.band_centres(), 0.0)
    octaves = 0.5 * np.log2(1.0 + (centres / EMPHASIS_FROM_HZ) ** 2)
    return (plan.settings.pre_emphasis * octaves).astype(np.float32)


def grey_levels(db: np.ndarray, emphasis: np.ndarray, maximum: float, dynamic: float) -> np.ndarray:
    """uint8 picture of ``db`` (frames x bands): 255 = ``maximum`` (after emphasis) or louder,
    1 = ``dynamic`` dB below it or quieter. 0 is left for "not computed yet"."""
    scaled = (db + emphasis[None, :] - (maximum - dynamic)) * (254.0 / dynamic)
    return (np.clip(scaled, 0.0, 254.0) + 1.0).astype(np.uint8)
