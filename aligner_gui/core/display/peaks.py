"""A min/max pyramid of an audio signal, built a slice at a time and read at screen resolution.

Drawing every sample of an hour-long file is impossible at interactive rates, and decimating it
loses the peaks a linguist looks for. Each pyramid level keeps the minimum and maximum of fixed
blocks of samples. To draw ``[t0, t1]`` on ``pixels`` columns, the coarsest level with at least two
blocks per column is reduced to exactly one (min, max) pair per column, so the cost of a redraw
depends on the width of the window, never on the length of the file.

Building the pyramid of an hour (57.6 M samples) takes a few hundred milliseconds, too long to
freeze the editor for: :meth:`PeakPyramid.build_step` advances it by a bounded amount of work, and
until it is complete the part not yet built is drawn from a coarse *preview* taken from a sparse
subsample of the signal (cheap, approximate, replaced as soon as the real levels cover it). Pure
numpy: no Qt here.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from aligner_gui.core.display.pooling import column_edges, pool_max, pool_min, reduce_blocks

BASE_BLOCK = 16  # samples per block at the finest level
FACTOR = 4  # each level's blocks hold this many blocks of the level below
RAW_PER_PIXEL = 2.0  # at most this many samples per pixel column: draw the samples themselves
BUILD_CHUNK = 1 << 18  # samples reduced per build step (a few milliseconds)
PREVIEW_SUBSAMPLES = 1 << 18  # samples read for the preview, whatever the length of the file
PREVIEW_PER_BLOCK = 16  # subsamples per preview block


@dataclass(frozen=True)
class PeakLevel:
    block: int  # samples per block
    mins: np.ndarray  # float32 (n_blocks,)
    maxs: np.ndarray


class PeakPyramid:
    """Min/max levels of ``samples``; complete on construction unless ``incremental``.

    When incremental, ``levels`` hold their final shapes from the start but only their first
    blocks are filled in (the finest level's cover :attr:`built` samples, coarser ones lag a
    little); call :meth:`build_step` until it returns True.
    """

    def __init__(self, samples: np.ndarray, sample_rate: int, incremental: bool = False) -> None:
        if sample_rate <= 0:
            raise ValueError(f"invalid sample rate {sample_rate}")
        self.samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        self.sample_rate = int(sample_rate)
        n = self.samples.size
        self.levels: list[PeakLevel] = []
        size, block = -(-n // BASE_BLOCK), BASE_BLOCK
        while size > 1:
            self.levels.append(
                PeakLevel(block, np.empty(size, np.float32), np.empty(size, np.float32))
            )
            if size < 2 * FACTOR:
                break
            size, block = -(-size // FACTOR), block * FACTOR
        self._done = [0] * len(self.levels)  # complete blocks per level
        self.preview = self._make_preview()
        if not incremental:
            while not self.build_step():
                pass

    # -- building ----------------------------------------------------------------------------------

    @property
    def num_samples(self) -> int:
        return int(self.samples.size)

    @property
    def duration(self) -> float:
        return self.num_samples / self.sample_rate

    @property
    def built(self) -> int:
        """Samples covered by the finest level so far (all of them once complete)."""
        return self._covered(0) if self.levels else self.num_samples

    def _covered(self, k: int) -> int:
        """Samples covered by the finished blocks of level ``k``."""
        level = self.levels[k]
        if self._done[k] == level.mins.size:
            return self.num_samples
        return self._done[k] * level.block

    @property
    def complete(self) -> bool:
        return all(d == level.mins.size for d, level in zip(self._done, self.levels, strict=True))

    def build_step(self, budget_seconds: float = 0.0) -> bool:
        """Reduce at least one chunk of samples, more while ``budget_seconds`` are not used up;
        True once the pyramid is complete."""
        deadline = time.perf_counter() + budget_seconds
        while not self.complete:
            self._build_chunk()
            if time.perf_counter() >= deadline:
                break
        return self.complete

    def _build_chunk(self) -> None:
        base = self.levels[0]
        b0 = self._done[0]
        b1 = min(base.mins.size, b0 + BUILD_CHUNK // BASE_BLOCK)
        chunk = self.samples[b0 * BASE_BLOCK : b1 * BASE_BLOCK]
        base.mins[b0:b1] = reduce_blocks(chunk, BASE_BLOCK, np.minimum)
        base.maxs[b0:b1] = reduce_blocks(chunk, BASE_BLOCK, np.maximum)
        self._done[0] = b1
        for k in range(1, len(self.levels)):
            below, level = self.levels[k - 1], self.levels[k]
            below_done = self._done[k - 1]
            # A block is complete when all its FACTOR children are (or the level below is done).
            upto = level.mins.size if below_done == below.mins.size else below_done // FACTOR
            c0 = self._done[k]
            if upto <= c0:
                break
            lo, hi = c0 * FACTOR, min(below_done, upto * FACTOR)
            level.mins[c0:upto] = reduce_blocks(below.mins[lo:hi], FACTOR, np.minimum)
            level.maxs[c0:upto] = reduce_blocks(below.maxs[lo:hi], FACTOR, np.maximum)
            self._done[k] = upto

    def _make_preview(self) -> PeakLevel | None:
        """Min/max of blocks of an evenly strided subsample: a few milliseconds for an hour."""
        n = self.num_samples
        stride = n // PREVIEW_SUBSAMPLES
        if stride < 2:
            return None
        sub = self.samples[::stride]
        block = stride * PREVIEW_PER_BLOCK
        return PeakLevel(
            block,
            reduce_blocks(sub, PREVIEW_PER_BLOCK, np.minimum),
            reduce_blocks(sub, PREVIEW_PER_BLOCK, np.maximum),
        )

    # -- reading -----------------------------------------------------------------------------------

    def peak(self) -> float:
        """Largest absolute amplitude (0 for silence or an empty signal); estimated from the
        preview until the pyramid is complete."""
        if self.levels and self.complete:
            top = self.levels[-1]
            return float(max(-top.mins.min(), top.maxs.max(), 0.0))
        if self.preview is not None:
            return float(max(-self.preview.mins.min(), self.preview.maxs.max(), 0.0))
        return float(np.abs(self.samples).max()) if self.samples.size else 0.0

    def envelope(self, t0: float, t1: float, pixels: int) -> tuple[np.ndarray, np.ndarray]:
        """(x seconds, y amplitude) to draw [t0, t1] on ``pixels`` columns as one connected line.

        The samples themselves when there are at most ``RAW_PER_PIXEL`` per column; otherwise one
        vertical stroke (min then max) per pixel column.
        """
        n = self.num_samples
        empty = (np.zeros(0), np.zeros(0, dtype=np.float32))
        if n == 0 or t1 <= t0:
            return empty
        s0 = max(0, int(math.floor(t0 * self.sample_rate)) - 1)
        s1 = min(n, int(math.ceil(t1 * self.sample_rate)) + 2)
        if s1 <= s0:
            return empty
        per_pixel = (s1 - s0) / max(1, pixels)
        if per_pixel <= RAW_PER_PIXEL:
            x = np.arange(s0, s1, dtype=np.float64) / self.sample_rate
            return x, self.samples[s0:s1]
        level = self._level_for(per_pixel / 2.0)
        built = self.num_samples if level is None else self._covered(self.levels.index(level))
        parts = []
        if s0 < built:
            parts.append(self._columns(level, s0, min(s1, built), per_pixel))
        if s1 > built:
            # The preview (None for a short signal: its raw samples are cheap enough).
            parts.append(self._columns(self.preview, max(s0, built), s1, per_pixel))
        xs, ys = zip(*parts, strict=True)
        return np.concatenate(xs), np.concatenate(ys)

    def _level_for(self, samples_per_block: float) -> PeakLevel | None:
        """The coarsest level whose blocks are at most ``samples_per_block`` (None: raw samples)."""
        chosen: PeakLevel | None = None
        for level in self.levels:
            if level.block <= samples_per_block:
                chosen = level
            else:
                break
        return chosen

    def _columns(
        self, level: PeakLevel | None, s0: int, s1: int, per_pixel: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """One (min, max) pair per pixel column of [s0, s1), from ``level`` (None: the samples)."""
        if level is None:
            mins = maxs = self.samples
            block = 1
        else:
            mins, maxs, block = level.mins, level.maxs, level.block
        b0, b1 = s0 // block, min(mins.size, -(-s1 // block))
        if b1 <= b0:
            return np.zeros(0), np.zeros(0, dtype=np.float32)
        edges = column_edges(b0, b1, per_pixel / block)
        lo = pool_min(mins[b0:b1], edges, b0)
        hi = pool_max(maxs[b0:b1], edges, b0)
        # Each column is drawn at its centre, clamped to the last sample of the signal.
        centres = np.minimum(0.5 * (edges[:-1] + edges[1:]) * block, self.num_samples - 1)
        x = np.repeat(centres / self.sample_rate, 2)
        y = np.empty(2 * lo.size, dtype=np.float32)
        y[0::2] = lo
        y[1::2] = hi
        return x, y
