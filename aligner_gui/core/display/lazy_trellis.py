"""The trellis of a long file, computed only around what is in view and a slice at a time.

The whole trellis of an hour (180,000 frames x 60,000 tokens) can neither be computed nor stored,
and :func:`aligner_gui.core.alignment.trellis.trellis_window` still runs the recursion from frame 0. Around
the view, the forced path tells which tokens matter: the window keeps frames ``[f0, f1)`` (the view
with a margin on each side, so that short pans need nothing new) and tokens ``[k0, k1)`` (those the
path visits there, with a margin). It is the trellis of the sub-problem "tokens ``k0..`` starting
at frame ``g0``", where ``g0`` is the frame at which the forced path emits token ``k0``: exactly
``trellis_window(log_probs[g0:f1], tokens[k0:k1], ...)``. For ``k0 = 0`` and ``g0 = 0`` it is the
true trellis; elsewhere it is the trellis as seen from the forced path's position at ``g0``, which
is what the view shows anyway (each frame relative to its best token).

:class:`TrellisComputation` runs that recursion in bounded slices so that the editor's event loop
keeps turning. Pure numpy: no Qt here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from aligner_gui.core.alignment.viterbi import CtcTopology

MIN_TOKEN_MARGIN = 4
MAX_LEAD_FRAMES = 500  # at most this many frames are run before the window (long pauses)
SLICE_FRAMES = 32  # recursion steps between two looks at the clock


@dataclass(frozen=True)
class WindowPlan:
    start: int  # g0: the frame the recursion starts at
    frames: tuple[int, int]  # [f0, f1): frames kept
    tokens: tuple[int, int]  # [k0, k1): tokens kept

    @property
    def cells(self) -> int:
        """Recursion cost in frame x token steps."""
        return (self.frames[1] - self.start) * (self.tokens[1] - self.tokens[0])

    def covers(self, frames: tuple[int, int], tokens: tuple[int, int]) -> bool:
        return (
            self.frames[0] <= frames[0]
            and frames[1] <= self.frames[1]
            and self.tokens[0] <= tokens[0]
            and tokens[1] <= self.tokens[1]
        )


class PathIndex:
    """Where the forced path is: per frame, the last token emitted at or before it."""

    def __init__(self, token_index: np.ndarray, num_tokens: int) -> None:
        # Token indices only grow along a path, so a running maximum is "last emitted so far".
        self.positions = np.maximum.accumulate(np.asarray(token_index, dtype=np.int64))
        self.num_frames = int(self.positions.size)
        self.num_tokens = int(num_tokens)

    def tokens_in(self, f0: int, f1: int) -> tuple[int, int]:
        """[first, last + 1) of the tokens the path is at over frames [f0, f1) (non-empty)."""
        f0 = min(max(0, f0), self.num_frames - 1)
        f1 = min(max(f0 + 1, f1), self.num_frames)
        lo = max(0, int(self.positions[f0]))
        hi = max(lo + 1, int(self.positions[f1 - 1]) + 1)
        return lo, min(hi, self.num_tokens)

    def first_frame(self, token: int) -> int:
        """The frame at which the path emits ``token``."""
        return int(np.searchsorted(self.positions, token, "left"))

    def plan(self, f0: int, f1: int, margin: float = 0.5) -> WindowPlan:
        """The window for a view of frames [f0, f1): ``margin`` view widths more on each side."""
        extra = int((f1 - f0) * margin)
        a, b = max(0, f0 - extra), min(self.num_frames, f1 + extra)
        lo, hi = self.tokens_in(a, b)
        pad = max(MIN_TOKEN_MARGIN, (hi - lo) // 4)
        k0, k1 = max(0, lo - pad), min(self.num_tokens, hi + pad)
        start = 0 if k0 == 0 else self.first_frame(k0)
        start = min(a, max(start, a - MAX_LEAD_FRAMES))
        return WindowPlan(start, (a, b), (k0, k1))


class TrellisComputation:
    """``trellis_window(log_probs[g0:f1], tokens[k0:k1], blank, (f0 - g0, f1 - g0), ...)`` of a
    :class:`WindowPlan`, advanced by :meth:`advance` a bounded slice at a time.

    ``convert`` (applied to each slice of finished frames as soon as they are computed, so that
    nothing long is left for the end) turns float32 trellis rows into what :attr:`result` keeps,
    e.g. display colours; None keeps the float32 values.
    """

    def __init__(
        self,
        log_probs: np.ndarray,
        tokens: Sequence[int],
        blank: int,
        plan: WindowPlan,
        convert: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        self.plan = plan
        g0, (f0, f1), (k0, k1) = plan.start, plan.frames, plan.tokens
        self._topo = CtcTopology(np.asarray(log_probs)[g0:f1], list(tokens[k0:k1]), blank)
        self._alpha = self._topo.initial()
        self._next = np.empty_like(self._alpha)
        self._frame = 0  # next frame of the sub-problem to run
        self._keep_from = f0 - g0
        self._end = f1 - g0
        n = k1 - k0
        # Token j's own state is 2j + 1, the blank after it 2j + 2 (as in core.trellis).
        self._tok_states = slice(1, 2 * n + 1, 2)
        self._blank_states = slice(2, 2 * n + 2, 2)
        self._convert = convert
        self._rows = np.empty((SLICE_FRAMES, n), dtype=np.float32)
        self.result: np.ndarray | None = None if convert else np.empty((f1 - f0, n), np.float32)

    @property
    def done(self) -> bool:
        return self._frame >= self._end

    def advance(self, budget_seconds: float) -> bool:
        """Run at least one slice of frames, more while the budget lasts; True when done."""
        deadline = time.perf_counter() + budget_seconds
        topo = self._topo
        while not self.done:
            c0, c1 = self._frame, min(self._end, self._frame + SLICE_FRAMES)
            emit = topo.emissions(c0, c1)
            alpha, nxt = self._alpha, self._next
            rows = self._rows
            for i in range(c1 - c0):
                topo.step(alpha, emit[i], nxt, None)
                alpha, nxt = nxt, alpha
                np.maximum(alpha[self._tok_states], alpha[self._blank_states], out=rows[i])
            self._alpha, self._next = alpha, nxt
            self._frame = c1
            self._keep(c0, c1)
            if time.perf_counter() >= deadline:
                break
        return self.done

    def _keep(self, c0: int, c1: int) -> None:
        """Store the rows of sub-problem frames [c0, c1) that lie in the window."""
        a = max(c0, self._keep_from)
        if a >= c1:
            return
        rows = self._rows[a - c0 : c1 - c0]
        t0, t1 = a - self._keep_from, c1 - self._keep_from
        if self._convert is None:
            assert self.result is not None
            self.result[t0:t1] = rows
            return
        converted = self._convert(rows)
        if self.result is None:
            self.result = np.empty(
                (self._end - self._keep_from, *converted.shape[1:]), converted.dtype
            )
        self.result[t0:t1] = converted
