"""Pitch (F0) and intensity curves over the spectrogram, a fixed-length chunk at a time.

Pitch is WORLD's DIO estimator refined by StoneMask (the ``pyworld`` package, MIT; WORLD itself is
modified BSD): about 0.01 s of CPU per second of speech on this project's machine, where librosa's
pYIN took 0.21 s and WORLD's Harvest 0.18 s (and Harvest lost a pure tone). Praat-parselmouth
would give Praat's own pitch but is GPL, so it is not used. Formants are not drawn: WORLD has no
formant tracker, and a hand-written LPC (Burg) tracker would need validating against Praat's on
real speech before a linguist could trust it.

Intensity is computed as Praat's "Sound: To Intensity" defines it (there is no library call for
it): the mean-subtracted squared signal averaged under a Kaiser window (β = 2π² + 0.5) of
physical length 6.4 / minimum pitch (twice the 3.2 periods of the logical window), in dB re
(2·10⁻⁵ Pa)², one frame every 0.8 / minimum pitch seconds. Samples are taken as pascals, as Praat
takes them.

Chunks lie on a fixed grid of CHUNK_SECONDS from time 0 and are analysed with a margin on both
sides, so that neighbouring chunks join without a seam. Pure numpy: no Qt here.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import math
import os
from dataclasses import dataclass
from functools import cache
from types import ModuleType

import numpy as np

CHUNK_SECONDS = 10.0
PITCH_MARGIN = 0.1  # seconds analysed beyond each side of a chunk (a multiple of the pitch step)
HEARING_THRESHOLD_PA2 = 4.0e-10  # (2·10⁻⁵ Pa)²
KAISER_BETA = 2.0 * math.pi**2 + 0.5
INTENSITY_BLOCK = 64  # intensity frames computed per numpy call


@dataclass(frozen=True)
class ProsodySettings:
    """Praat's default pitch range; the intensity window follows the pitch floor."""

    pitch_floor: float = 75.0
    pitch_ceiling: float = 500.0
    pitch_step: float = 0.01  # seconds between pitch frames

    def __post_init__(self) -> None:
        if not 10.0 <= self.pitch_floor < self.pitch_ceiling:
            raise ValueError(
                f"pitch range {self.pitch_floor}–{self.pitch_ceiling} Hz: the floor must be at "
                "least 10 Hz and below the ceiling"
            )

    @property
    def intensity_step(self) -> float:
        return 0.8 / self.pitch_floor


@dataclass(frozen=True, eq=False)
class Track:
    """Values at frame times; NaN where there is none (unvoiced, or outside the file)."""

    times: np.ndarray  # float64 seconds
    values: np.ndarray  # float32

    @classmethod
    def empty(cls) -> Track:
        return cls(np.zeros(0), np.zeros(0, dtype=np.float32))


@cache
def _world() -> ModuleType:
    """pyworld's compiled module.

    pyworld 0.3.5's package ``__init__`` imports ``pkg_resources`` only to read its own version,
    and setuptools 81 removed ``pkg_resources``: load the extension module beside it directly (it
    needs nothing from the package).
    """
    spec = importlib.util.find_spec("pyworld")
    folders = [] if spec is None else list(spec.submodule_search_locations or [])
    for folder in folders:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(folder, f"pyworld{suffix}")
            ext = importlib.util.spec_from_file_location("pyworld.pyworld", path)
            if os.path.isfile(path) and ext is not None and ext.loader is not None:
                module = importlib.util.module_from_spec(ext)
                ext.loader.exec_module(module)
                return module
    raise ImportError("pyworld (WORLD's pitch estimator) is not installed")


def chunk_bounds(index: int, duration: float) -> tuple[float, float]:
    start = index * CHUNK_SECONDS
    return start, min(duration, start + CHUNK_SECONDS)


def chunks_between(t0: float, t1: float, duration: float) -> range:
    if duration <= 0 or t1 <= 0 or t0 >= duration:
        return range(0)
    last = max(0, math.ceil(duration / CHUNK_SECONDS) - 1)
    first = max(0, math.floor(max(0.0, t0) / CHUNK_SECONDS))
    end = min(last, math.floor(min(t1, duration) / CHUNK_SECONDS))
    return range(first, end + 1)


def _segment(samples: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """samples[lo:hi] as float64, zeros outside the file."""
    out = np.zeros(hi - lo, dtype=np.float64)
    a, b = max(lo, 0), min(hi, samples.size)
    if b > a:
        out[a - lo : b - lo] = samples[a:b]
    return out


def pitch_track(samples: np.ndarray, rate: int, index: int, settings: ProsodySettings) -> Track:
    """F0 in Hz every ``pitch_step`` seconds (frame i at i * step) within chunk ``index``."""
    duration = samples.size / rate
    start, end = chunk_bounds(index, duration)
    if end <= start:
        return Track.empty()
    step = settings.pitch_step
    first_frame = max(0, math.ceil(start / step - 1e-9))
    margin_frames = int(round(PITCH_MARGIN / step))
    seg_frame = first_frame - margin_frames
    lo = int(round(seg_frame * step * rate))
    hi = int(math.ceil((end + PITCH_MARGIN) * rate))
    x = _segment(samples, lo, hi)
    world = _world()
    f0, t = world.dio(x, rate, f0_floor=settings.pitch_floor, f0_ceil=settings.pitch_ceiling,
                      frame_period=1000.0 * step)  # fmt: skip
    f0 = world.stonemask(x, f0, t, rate)
    times = (seg_frame + np.arange(f0.size)) * step
    keep = (times >= start - 1e-9) & (times < end - 1e-9)
    values = np.where(f0[keep] > 0, f0[keep], np.nan).astype(np.float32)
    return Track(times[keep], values)


def kaiser_window(half: int) -> np.ndarray:
    return np.kaiser(2 * half + 1, KAISER_BETA)


def intensity_track(samples: np.ndarray, rate: int, index: int, settings: ProsodySettings) -> Track:
    """Intensity in dB every ``intensity_step`` seconds (frame i at i * step) within the chunk;
    frames near the ends of the file use the part of the window inside it, as Praat does."""
    duration = samples.size / rate
    start, end = chunk_bounds(index, duration)
    step = settings.intensity_step
    first = max(0, math.ceil(start / step - 1e-9))
    last = math.ceil(end / step - 1e-9)  # exclusive
    if last <= first:
        return Track.empty()
    times = np.arange(first, last) * step
    half = int(math.floor(3.2 / settings.pitch_floor * rate))
    window = kaiser_window(half)
    centres = np.rint(times * rate).astype(np.int64)
    lo = int(centres[0]) - half
    x = _segment(samples, lo, int(centres[-1]) + half + 1)
    energy = np.empty(times.size)
    taps = np.arange(2 * half + 1)[None, :]
    # A block of frames at a time: each numpy call holds the GIL only briefly, so the GUI thread
    # is not kept waiting while this runs on a worker.
    for b in range(0, times.size, INTENSITY_BLOCK):
        positions = (centres[b : b + INTENSITY_BLOCK] - half - lo)[:, None] + taps
        frames = x[positions]
        absolute = positions + lo
        # Only the samples inside the file count (at its two ends a window sticks out).
        mask = ((absolute >= 0) & (absolute < samples.size)).astype(np.float64)
        mean = frames.sum(axis=1) / np.maximum(mask.sum(axis=1), 1.0)  # Praat: the plain mean
        centred = (frames - mean[:, None]) * mask
        energy[b : b + INTENSITY_BLOCK] = (centred**2) @ window / np.maximum(mask @ window, 1e-300)
    ratio = energy / HEARING_THRESHOLD_PA2
    with np.errstate(divide="ignore"):
        db = np.where(ratio < 1e-30, -300.0, 10.0 * np.log10(np.maximum(ratio, 1e-300)))
    return Track(times, db.astype(np.float32))
