"""One tier as numpy arrays (``TierData``): the snapshot a tier view paints, and its lookups.

The intervals are numpy arrays, so finding the visible ones, the one under the mouse or the
boundary nearest it is a binary search, whatever the length of the file. Free of Qt: the painting
and mouse handling are in :mod:`aligner_gui.qt.views.intervals_item`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter

import numpy as np

__all__ = ["TierData"]


@dataclass
class TierData:
    """A snapshot of one tier in arrays, kept in step with the document after each change."""

    starts: np.ndarray  # float64 (n,)
    ends: np.ndarray
    labels: list[str]
    scores: list[float | None]
    aligned: list[bool]
    is_points: bool = False
    labelled: np.ndarray | None = None  # bool (n,): label != ""
    score_values: np.ndarray | None = None  # float64 (n,), NaN when unknown
    flagged: np.ndarray | None = None  # bool (n,): not aligned by the model

    def __post_init__(self) -> None:
        n = len(self.labels)
        if self.labelled is None:
            self.labelled = np.fromiter(map(bool, self.labels), dtype=bool, count=n)
        if self.flagged is None:
            self.flagged = ~np.fromiter(self.aligned, dtype=bool, count=n)
        if self.score_values is None:
            self.score_values = np.array(
                [math.nan if s is None else s for s in self.scores], dtype=np.float64
            ).reshape(n)

    @classmethod
    def empty(cls) -> TierData:
        return cls(np.zeros(0), np.zeros(0), [], [], [])

    @classmethod
    def from_segments(cls, segments: Sequence, is_points: bool = False) -> TierData:
        n = len(segments)
        return cls(
            starts=np.fromiter(map(attrgetter("start"), segments), dtype=np.float64, count=n),
            ends=np.fromiter(map(attrgetter("end"), segments), dtype=np.float64, count=n),
            labels=list(map(attrgetter("label"), segments)),
            scores=list(map(attrgetter("score"), segments)),
            aligned=[bool(a) for a in map(attrgetter("aligned"), segments)],
            is_points=is_points,
        )

    def __len__(self) -> int:
        return len(self.labels)

    def set_segment(self, i: int, seg) -> None:
        """Take segment ``i`` from the document again (times, label, score, flag)."""
        assert self.labelled is not None and self.score_values is not None
        assert self.flagged is not None
        self.starts[i] = seg.start
        self.ends[i] = seg.end
        self.labels[i] = seg.label
        self.scores[i] = seg.score
        self.aligned[i] = bool(seg.aligned)
        self.labelled[i] = bool(seg.label)
        self.flagged[i] = not seg.aligned
        self.score_values[i] = math.nan if seg.score is None else seg.score

    def visible_range(self, t0: float, t1: float) -> tuple[int, int]:
        """Indices [lo, hi) of the items overlapping [t0, t1]."""
        if self.is_points:
            return (
                int(np.searchsorted(self.starts, t0, "left")),
                int(np.searchsorted(self.starts, t1, "right")),
            )
        return (
            int(np.searchsorted(self.ends, t0, "right")),
            int(np.searchsorted(self.starts, t1, "left")),
        )

    def index_at(self, t: float, tolerance: float = 0.0) -> int | None:
        """The interval containing ``t`` (half-open), or the point nearest ``t`` within tolerance."""
        n = len(self)
        if n == 0:
            return None
        if self.is_points:
            i = int(np.searchsorted(self.starts, t))
            near = [k for k in (i - 1, i) if 0 <= k < n]
            k = min(near, key=lambda k: abs(self.starts[k] - t))
            return k if abs(self.starts[k] - t) <= tolerance else None
        i = int(np.searchsorted(self.starts, t, "right")) - 1
        if 0 <= i < n and (
            self.starts[i] <= t < self.ends[i] or (i == n - 1 and t == self.ends[i])
        ):
            return i
        return None

    def boundary_near(self, t: float, tolerance: float) -> int | None:
        """The movable boundary (interval tier: 1..n-1; point tier: any point) nearest ``t``,
        if within ``tolerance``."""
        first = 0 if self.is_points else 1
        n = len(self)
        if n <= first:
            return None
        i = int(np.searchsorted(self.starts, t))
        near = [k for k in (i - 1, i) if first <= k < n]
        if not near:
            return None
        k = min(near, key=lambda k: abs(self.starts[k] - t))
        return k if abs(self.starts[k] - t) <= tolerance else None
