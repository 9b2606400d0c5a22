"""Screen-resolution reduction of long per-frame (or per-block) data, shared by the views.

A view never hands Qt more columns than it has pixels: whatever is in view is reduced to at most
one column per pixel, from a pyramid of pre-reduced levels, so the cost of a redraw depends on the
width of the window and not on the length of the file. Columns lie on a grid anchored at time 0
(not at the left edge of the view), so that panning does not make the picture shimmer. Pure
numpy: no Qt here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

FACTOR = 4  # each pyramid level pools this many units of the level below


def column_edges(u0: int, u1: int, units_per_column: float) -> np.ndarray:
    """Edges (in units) of the columns covering ``[u0, u1)``: increasing, first ``u0``, last
    ``u1``. Columns are ``[k * upc, (k + 1) * upc)`` rounded down to whole units (``k`` counted
    from unit 0), so the same unit falls in the same column whatever part of the file is shown."""
    if u1 <= u0:
        return np.array([u0], dtype=np.int64)
    if units_per_column <= 1.0:
        return np.arange(u0, u1 + 1, dtype=np.int64)
    k0 = math.floor(u0 / units_per_column) + 1
    k1 = math.ceil(u1 / units_per_column)
    inner = np.floor(np.arange(k0, k1, dtype=np.float64) * units_per_column).astype(np.int64)
    edges = np.concatenate(([u0], inner[(inner > u0) & (inner < u1)], [u1]))
    return np.unique(edges)


def pool_max(values: np.ndarray, edges: np.ndarray, offset: int) -> np.ndarray:
    """Maximum of ``values[edges[i] - offset : edges[i + 1] - offset]`` along axis 0, per column."""
    return np.maximum.reduceat(values, edges[:-1] - offset, axis=0)


def pool_min(values: np.ndarray, edges: np.ndarray, offset: int) -> np.ndarray:
    return np.minimum.reduceat(values, edges[:-1] - offset, axis=0)


def reduce_blocks(values: np.ndarray, block: int, op: np.ufunc, axis: int = 0) -> np.ndarray:
    """``op`` over consecutive groups of ``block`` entries along ``axis`` (a partial last group
    is kept).

    Reduces with ``block - 1`` vectorised passes over strided slices, which is several times
    faster than ``op.reduce`` over a short trailing axis or ``op.reduceat``.
    """
    if axis != 0:
        moved = reduce_blocks(np.moveaxis(values, axis, 0), block, op)
        return np.ascontiguousarray(np.moveaxis(moved, 0, axis))
    n = values.shape[0]
    full = n // block
    out = np.empty((full + (1 if n % block else 0), *values.shape[1:]), dtype=values.dtype)
    if full:
        grouped = values[: full * block].reshape(full, block, *values.shape[1:])
        np.copyto(out[:full], grouped[:, 0])
        for i in range(1, block):
            op(out[:full], grouped[:, i], out=out[:full])
    if n % block:
        out[full] = op.reduce(values[full * block :], axis=0)
    return out


@dataclass(frozen=True)
class PooledWindow:
    """A window of a (frames, rows) array in equal groups: ``values[c, r]`` is the maximum over
    frames ``frame0 + [c, c + 1) * frame_group`` and rows ``row0 + [r, r + 1) * row_group``
    (the last groups may run past the end of the array)."""

    values: np.ndarray  # (columns, row groups)
    frame0: int
    frame_group: int
    row0: int
    row_group: int

    @property
    def frame_range(self) -> tuple[int, int]:
        return self.frame0, self.frame0 + self.values.shape[0] * self.frame_group

    @property
    def row_range(self) -> tuple[int, int]:
        return self.row0, self.row0 + self.values.shape[1] * self.row_group


class FramePyramid:
    """Max-pooled levels of a (frames, rows) array for drawing any window at screen size.

    Level 0 is the array itself; level ``k`` pools ``FACTOR**k`` frames. Max-pooling keeps every
    peak visible at every zoom, and commutes with any increasing mapping applied afterwards
    (e.g. log-probability -> probability -> colour), so such a mapping is applied only to the
    pooled columns actually shown. Groups are equal and aligned on multiples of their size from
    frame 0 and row 0, so that an image of them is placed exactly, and a pan shows the same
    columns shifted rather than different ones.
    """

    def __init__(self, values: np.ndarray) -> None:
        self.levels: list[np.ndarray] = [np.asarray(values)]

    @property
    def num_frames(self) -> int:
        return int(self.levels[0].shape[0])

    @property
    def num_rows(self) -> int:
        return int(self.levels[0].shape[1])

    def _level(self, k: int) -> np.ndarray:
        # Coarse levels are built on first use: opening a file costs nothing here.
        while len(self.levels) <= k:
            self.levels.append(reduce_blocks(self.levels[-1], FACTOR, np.maximum))
        return self.levels[k]

    def window(
        self,
        f0: int,
        f1: int,
        columns: int,
        rows: tuple[int, int] | None = None,
        max_rows: int | None = None,
    ) -> PooledWindow:
        """Frames ``[f0, f1)`` and ``rows`` (all by default), clipped to the array, in at most
        ``columns`` columns and ``max_rows`` rows: the values themselves when they fit, else
        max-pooled groups (which may reach a little beyond the range asked for)."""
        n, m = self.num_frames, self.num_rows
        f0, f1 = max(0, min(f0, n)), max(0, min(f1, n))
        r0, r1 = (0, m) if rows is None else rows
        r0, r1 = max(0, min(r0, m)), max(0, min(r1, m))
        group = max(1, -(-(f1 - f0) // max(1, columns)))  # frames per column
        k = 0
        while FACTOR ** (k + 1) <= group and FACTOR ** (k + 1) <= n:
            k += 1
        block = FACTOR**k
        per = -(-group // block)  # level entries per column
        span = per * block
        c0, c1 = f0 // span, -(-f1 // span)
        row_group = 1
        if max_rows is not None and r1 - r0 > max(1, max_rows):
            row_group = -(-(r1 - r0) // max(1, max_rows))
            r0, r1 = (r0 // row_group) * row_group, min(m, -(-r1 // row_group) * row_group)
        values = self._level(k)[c0 * per : c1 * per, r0:r1]
        if per > 1:
            values = reduce_blocks(values, per, np.maximum)
        if row_group > 1:
            values = reduce_blocks(values, row_group, np.maximum, axis=1)
        return PooledWindow(values, c0 * span, span, r0, row_group)
