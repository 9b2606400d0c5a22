"""A min/max pyramid of an audio signal, sliced to the visible range for drawing.

Drawing every sample of an hour-long file is impossible at interactive rates, and decimating it
loses the peaks a linguist looks for. Each pyramid level keeps the minimum and maximum of fixed
blocks of samples; for a view of ``pixels`` columns the coarsest level that still gives about two
blocks per pixel is sliced to the visible range, so the cost of a redraw depends on the width of
the window, not on the length of the file. Pure numpy: no Qt here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

BASE_BLOCK = 16  # samples per block at the finest level
FACTOR = 4  # each level's blocks hold this many blocks of the level below


@dataclass(frozen=True)
class PeakLevel:
    block: int  # samples per block
    mins: np.ndarray  # float32 (n_blocks,)
    maxs: np.ndarray


class PeakPyramid:
    def __init__(self, samples: np.ndarray, sample_rate: int) -> None:
        if sample_rate <= 0:
            raise ValueError(f"invalid sample rate {sample_rate}")
        self.samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        self.sample_rate = int(sample_rate)
        self.levels: list[PeakLevel] = []
        mins, maxs = _block_minmax(self.samples, self.samples, BASE_BLOCK)
        block = BASE_BLOCK
        while mins.size > 1:
            self.levels.append(PeakLevel(block, mins, maxs))
            if mins.size < 2 * FACTOR:
                break
            mins = _block_reduce(mins, FACTOR, np.minimum)
            maxs = _block_reduce(maxs, FACTOR, np.maximum)
            block *= FACTOR

    @property
    def num_samples(self) -> int:
        return int(self.samples.size)

    @property
    def duration(self) -> float:
        return self.num_samples / self.sample_rate

    def peak(self) -> float:
        """Largest absolute amplitude (0 for silence or an empty signal)."""
        if self.levels:
            top = self.levels[-1]
            return float(max(-top.mins.min(), top.maxs.max(), 0.0))
        return float(np.abs(self.samples).max()) if self.samples.size else 0.0

    def envelope(self, t0: float, t1: float, pixels: int) -> tuple[np.ndarray, np.ndarray]:
        """(x seconds, y amplitude) to draw [t0, t1] on ``pixels`` columns as one connected line.

        Raw samples when there are fewer than about two per pixel; otherwise, for each block in
        view, a vertical stroke from its minimum to its maximum.
        """
        n = self.num_samples
        if n == 0 or t1 <= t0:
            return np.zeros(0), np.zeros(0, dtype=np.float32)
        s0 = max(0, int(math.floor(t0 * self.sample_rate)) - 1)
        s1 = min(n, int(math.ceil(t1 * self.sample_rate)) + 2)
        if s1 <= s0:
            return np.zeros(0), np.zeros(0, dtype=np.float32)
        per_pixel = (s1 - s0) / max(1, pixels)
        level = self._level_for(per_pixel / 2.0)
        if level is None:
            x = np.arange(s0, s1, dtype=np.float64) / self.sample_rate
            return x, self.samples[s0:s1]
        b0 = s0 // level.block
        b1 = min(level.mins.size, -(-s1 // level.block))
        starts = np.arange(b0, b1, dtype=np.float64) * level.block
        # Each block is drawn at its centre (clamped to the last sample of a partial block).
        centres = np.minimum(starts + level.block / 2.0, n - 1) / self.sample_rate
        x = np.repeat(centres, 2)
        y = np.empty(2 * (b1 - b0), dtype=np.float32)
        y[0::2] = level.mins[b0:b1]
        y[1::2] = level.maxs[b0:b1]
        return x, y

    def _level_for(self, samples_per_block: float) -> PeakLevel | None:
        chosen: PeakLevel | None = None
        for level in self.levels:
            if level.block <= samples_per_block:
                chosen = level
            else:
                break
        return chosen


def _block_minmax(lo: np.ndarray, hi: np.ndarray, block: int) -> tuple[np.ndarray, np.ndarray]:
    return _block_reduce(lo, block, np.minimum), _block_reduce(hi, block, np.maximum)


def _block_reduce(values: np.ndarray, block: int, op: np.ufunc) -> np.ndarray:
    """``op`` over consecutive blocks of ``block`` values; a partial last block is kept."""
    n = values.size
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    full = n // block
    out = np.empty(full + (1 if n % block else 0), dtype=np.float32)
    if full:
        out[:full] = op.reduce(values[: full * block].reshape(full, block), axis=1)
    if n % block:
        out[full] = op.reduce(values[full * block :])
    return out
