"""The forced CTC path: the single most probable alignment of a known token sequence to emissions.

Topology (as in CTC and ``torchaudio.functional.forced_align``): the ``L`` tokens are interleaved
with optional blanks into ``S = 2L + 1`` extended states ``blank, t1, blank, t2, ..., tL, blank``.
Each frame the path stays in its state, moves to the next one, or skips a blank (``s -> s + 2``)
when it lands on a token whose label differs from the previous token's: a repeated character
therefore needs a blank frame between its two occurrences. The path starts in state 0 or 1 and
ends in state ``S - 1`` or ``S - 2``.

Ties between predecessors are broken as torchaudio does (stay before step before skip), except
that torchaudio keeps "stay" when "step" and "skip" tie above it, which we treat as a step because
it is the higher score. Scores accumulate in float64 so that hour-long paths compare exactly.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aligner_gui.core.base.errors import AlignmentError
from aligner_gui.core.base.progress import ProgressFn, check_cancel

_STAGE = "Aligning"
# Frames of emissions gathered per chunk; bounds the float64 (chunk, S) gather buffer.
_GATHER_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class ForcedPath:
    labels: np.ndarray  # int32 (T,): label emitted at each frame (blank or a token's label)
    token_index: np.ndarray  # int32 (T,): position in `tokens` occupying the frame, -1 on blanks
    frame_scores: np.ndarray  # float32 (T,): log_probs[t, labels[t]]

    @property
    def score(self) -> float:
        """Total log-probability of the path."""
        return float(np.sum(self.frame_scores, dtype=np.float64))

    @property
    def num_frames(self) -> int:
        return int(self.labels.shape[0])


def min_frames_needed(tokens: Sequence[int]) -> int:
    """Frames the shortest path needs: one per token plus a blank between each adjacent repeat."""
    toks = list(tokens)
    repeats = sum(1 for a, b in itertools.pairwise(toks) if a == b)
    return len(toks) + repeats


class CtcTopology:
    """The extended state sequence of a token sequence and one step of the Viterbi recursion.

    Shared by the forced path and the display trellis so that both follow the same recursion
    bit for bit. ``alpha`` vectors are float64 of shape (S,); the vector *before* frame 0 is
    :meth:`initial` (only a virtual state 0 is live), so every frame is one :meth:`step`.
    """

    def __init__(self, log_probs: np.ndarray, tokens: Sequence[int], blank: int) -> None:
        lp = np.asarray(log_probs)
        if lp.ndim != 2:
            raise ValueError(f"log_probs must have shape (T, C), not {lp.shape}")
        num_labels = lp.shape[1]
        toks = np.asarray(list(tokens), dtype=np.int64)
        if toks.size == 0:
            raise AlignmentError("The transcript has no characters that the model can align.")
        if not 0 <= blank < num_labels:
            raise ValueError(f"blank index {blank} is outside the {num_labels} labels")
        if toks.min() < 0 or toks.max() >= num_labels:
            raise ValueError(f"token indices must lie in [0, {num_labels})")
        if np.any(toks == blank):
            raise ValueError("the token sequence must not contain the blank label")
        self.log_probs = lp
        self.tokens = toks
        self.blank = int(blank)
        self.num_frames = int(lp.shape[0])
        self.num_tokens = int(toks.size)
        self.num_states = 2 * self.num_tokens + 1
        ext = np.full(self.num_states, blank, dtype=np.int64)
        ext[1::2] = toks
        self.ext = ext  # label of each extended state
        # Added to alpha[s - 2] for target states s = 2..S-1: 0 where the skip is allowed.
        skip = np.full(self.num_states - 2, -np.inf, dtype=np.float64)
        odd = np.arange(3, self.num_states, 2)
        skip[odd - 2] = np.where(toks[1:] != toks[:-1], 0.0, -np.inf)
        self._skip = skip
        self._tmp = np.empty(self.num_states - 2, dtype=np.float64)
        self._m1 = np.zeros(self.num_states, dtype=bool)
        self._m2 = np.zeros(self.num_states, dtype=bool)
        self.chunk_frames = max(1, _GATHER_BYTES // (8 * self.num_states))

    def initial(self) -> np.ndarray:
        alpha = np.full(self.num_states, -np.inf, dtype=np.float64)
        alpha[0] = 0.0
        return alpha

    def emissions(self, start: int, stop: int) -> np.ndarray:
        """float64 (stop - start, S): each frame's log-probability of each state's label."""
        return self.log_probs[start:stop][:, self.ext].astype(np.float64)

    def step(
        self, prev: np.ndarray, emit: np.ndarray, out: np.ndarray, ptr: np.ndarray | None
    ) -> None:
        """``out = max(stay, step, skip) + emit``; ``ptr`` (uint8 (S,)) receives offsets 0/1/2."""
        m1, m2, tmp = self._m1, self._m2, self._tmp
        np.greater(prev[:-1], prev[1:], out=m1[1:])  # step strictly beats stay
        np.maximum(prev[1:], prev[:-1], out=out[1:])
        out[0] = prev[0]
        np.add(prev[:-2], self._skip, out=tmp)
        np.greater(tmp, out[2:], out=m2[2:])  # skip strictly beats both
        np.maximum(out[2:], tmp, out=out[2:])
        np.add(out, emit, out=out)
        if ptr is not None:
            np.left_shift(m2.view(np.uint8), 1, out=ptr)
            np.maximum(ptr, m1.view(np.uint8), out=ptr)

    def run(
        self,
        alpha: np.ndarray,
        start: int,
        stop: int,
        ptrs: np.ndarray | None = None,
    ) -> np.ndarray:
        """Advance ``alpha`` (the vector before frame ``start``) through frames [start, stop).

        Returns the vector after frame ``stop - 1`` (a new array). ``ptrs`` (uint8 (stop-start, S))
        receives the backpointers when given.
        """
        cur = alpha.copy()
        nxt = np.empty_like(cur)
        for c0 in range(start, stop, self.chunk_frames):
            c1 = min(stop, c0 + self.chunk_frames)
            emit = self.emissions(c0, c1)
            for i in range(c1 - c0):
                row = None if ptrs is None else ptrs[c0 - start + i]
                self.step(cur, emit[i], nxt, row)
                cur, nxt = nxt, cur
        return cur

    def check_feasible(self) -> None:
        if np.isnan(self.log_probs).any():
            raise AlignmentError("The model's emissions contain invalid numbers (NaN).")
        needed = min_frames_needed(self.tokens.tolist())
        if self.num_frames < needed:
            raise AlignmentError(
                f"The transcript needs at least {needed} frames of audio to be aligned, "
                f"but the audio has only {self.num_frames}."
            )

    def final_state(self, alpha: np.ndarray) -> int:
        s = self.num_states
        best = s - 1 if alpha[s - 1] > alpha[s - 2] else s - 2
        if not np.isfinite(alpha[best]):
            raise AlignmentError(
                "The transcript cannot be aligned: every alignment has zero probability."
            )
        return best

    def backtrack(self, ptrs: np.ndarray, state: int, states_out: np.ndarray, start: int) -> int:
        """Walk ``ptrs`` (frames [start, start + len(ptrs))) backwards from ``state`` at the
        last of those frames, writing each frame's state; returns the state before ``start``."""
        s = state
        for i in range(ptrs.shape[0] - 1, -1, -1):
            states_out[start + i] = s
            s -= int(ptrs[i, s])
        return s

    def to_path(self, states: np.ndarray) -> ForcedPath:
        labels = self.ext[states].astype(np.int32)
        token_index = np.where(states % 2 == 1, (states - 1) // 2, -1).astype(np.int32)
        frame_scores = self.log_probs[np.arange(self.num_frames), labels].astype(np.float32)
        return ForcedPath(labels=labels, token_index=token_index, frame_scores=frame_scores)


def forced_align(log_probs: np.ndarray, tokens: Sequence[int], blank: int) -> ForcedPath:
    """The most probable CTC path that emits exactly ``tokens``.

    Memory: the backpointers are one uint8 per (frame, state), i.e. ``T * (2L + 1)`` bytes
    (30,000 frames x 6,000 tokens = 360 MB, about 2 s on one core); use
    :func:`bounded_forced_align` for longer input.
    Raises AlignmentError when the transcript is empty or needs more frames than there are.
    """
    return _full(CtcTopology(log_probs, tokens, blank), None, None)


def _full(
    topo: CtcTopology, progress: ProgressFn | None, cancel: threading.Event | None
) -> ForcedPath:
    topo.check_feasible()
    T, S = topo.num_frames, topo.num_states
    ptrs = np.empty((T, S), dtype=np.uint8)
    alpha = topo.initial()
    step = max(topo.chunk_frames, 1)
    for t0 in range(0, T, step):
        check_cancel(cancel)
        t1 = min(T, t0 + step)
        alpha = topo.run(alpha, t0, t1, ptrs[t0:t1])
        if progress is not None:
            progress(_STAGE, t1 / T)
    states = np.empty(T, dtype=np.int64)
    topo.backtrack(ptrs, topo.final_state(alpha), states, 0)
    return topo.to_path(states)


def bounded_forced_align(
    log_probs: np.ndarray,
    tokens: Sequence[int],
    blank: int,
    *,
    max_cells: int = 200_000_000,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> ForcedPath:
    """Exactly :func:`forced_align`'s path, in memory that does not grow as ``T * S``.

    When ``T * S <= max_cells`` this is :func:`forced_align` (``T * S`` bytes of backpointers).
    Otherwise it is checkpointed Viterbi: a first forward pass keeps the float64 score vector
    only every ``K`` frames; then, block by block from the end, it recomputes that block's
    backpointers (``K * S`` bytes) from its checkpoint and backtracks through it. The recursion
    is deterministic, so the path is identical. With ``K ~ sqrt(8T)`` (capped so that
    ``K * S <= max_cells``) memory is about ``(8T/K + K) * S`` bytes and time about twice that
    of :func:`forced_align`. Progress is reported per block; ``cancel`` is checked between blocks.
    """
    topo = CtcTopology(log_probs, tokens, blank)
    T, S = topo.num_frames, topo.num_states
    if max_cells >= T * S:
        return _full(topo, progress, cancel)
    topo.check_feasible()
    block = max(1, min(T, math.isqrt(8 * T), max_cells // S))
    starts = list(range(0, T, block))
    total = 2 * len(starts)
    done = 0
    checkpoints: list[np.ndarray] = []  # alpha before each block's first frame
    alpha = topo.initial()
    for t0 in starts:
        check_cancel(cancel)
        checkpoints.append(alpha)
        alpha = topo.run(alpha, t0, min(T, t0 + block))
        done += 1
        if progress is not None:
            progress(_STAGE, done / total)
    state = topo.final_state(alpha)
    states = np.empty(T, dtype=np.int64)
    ptrs = np.empty((block, S), dtype=np.uint8)
    for k in range(len(starts) - 1, -1, -1):
        check_cancel(cancel)
        t0 = starts[k]
        t1 = min(T, t0 + block)
        topo.run(checkpoints[k], t0, t1, ptrs[: t1 - t0])
        state = topo.backtrack(ptrs[: t1 - t0], state, states, t0)
        checkpoints.pop()
        done += 1
        if progress is not None:
            progress(_STAGE, done / total)
    return topo.to_path(states)
