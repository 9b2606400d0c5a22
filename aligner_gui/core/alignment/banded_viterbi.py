"""The Viterbi restricted to a band of states, chunk by chunk, widening the band where it binds.

The recursion, float64 sums and tie-breaking are exactly those of
:class:`~aligner_gui.core.alignment.viterbi.CtcTopology`, so scores inside the band are
bit-identical to the full Viterbi's; see :mod:`aligner_gui.core.alignment.long_align`.
"""

from __future__ import annotations

import threading

import numpy as np

from aligner_gui.core.alignment.band import Band
from aligner_gui.core.alignment.viterbi import CtcTopology
from aligner_gui.core.base.progress import ProgressFn, check_cancel

STAGE = "Aligning"
_REPORT_CHUNKS = 64  # progress and cancel every 64 chunks (~2,000 frames, a few ms)


class BandProgress:
    """Monotone progress over passes whose number is not known in advance."""

    def __init__(self, progress: ProgressFn | None, frames: int) -> None:
        self.progress = progress
        self.expected = 1.25 * frames  # one forward pass and a backtrack that costs little
        self.done = 0.0
        self.last = 0.0

    def add_work(self, frames: int) -> None:
        self.expected += frames

    def advance(self, frames: int) -> None:
        self.done += frames
        if self.progress is not None:
            fraction = min(0.99, self.done / self.expected)
            if fraction > self.last:
                self.last = fraction
                self.progress(STAGE, fraction)


class BandedViterbi:
    def __init__(
        self,
        topo: CtcTopology,
        band: Band,
        max_cells: int,
        progress: BandProgress,
        cancel: threading.Event | None,
    ) -> None:
        self.topo = topo
        self.band = band
        self.max_cells = max_cells
        self.progress = progress
        self.cancel = cancel
        S = topo.num_states
        # skip_to[s]: added to alpha[s - 2] for the skip into state s (0 where allowed).
        self.skip_to = np.full(S, -np.inf, dtype=np.float64)
        odd = np.arange(3, S, 2)
        toks = topo.tokens
        self.skip_to[odd] = np.where(toks[1:] != toks[:-1], 0.0, -np.inf)
        n = band.num_chunks
        # checkpoints[c]: (lo, alpha) just before chunk c's first frame, over chunk c - 1's band.
        self.checkpoints: list[tuple[int, np.ndarray] | None] = [None] * (n + 1)
        self.checkpoints[0] = (0, np.zeros(1, dtype=np.float64))  # only the virtual state 0
        self.ptrs: list[np.ndarray | None] = [None] * n
        # Chunks where the best prefix (the argmax of alpha) came within `guard` states of a
        # real edge, entering or leaving the chunk: the band cut off prefixes that were winning.
        self.prefix_low = np.zeros(n, dtype=bool)
        self.prefix_high = np.zeros(n, dtype=bool)
        self.guard = 2
        self.unverified: tuple[tuple[int, int], ...] = ()
        self.final_alpha: np.ndarray | None = None  # of the last complete forward pass

    def solve(self, guard: int, max_passes: int) -> tuple[np.ndarray | None, int]:
        """(states per frame, passes); states is None when no band up to max_band holds a path."""
        band = self.band
        self.guard = guard
        start = 0
        passes = 0
        reuse_after: int | None = None
        while True:
            passes += 1
            keep = band.cells() <= self.max_cells
            alpha = self._forward(start, keep, reuse_after)
            S = self.topo.num_states
            final = S - 1 if alpha[S - 1 - band.lo[-1]] > alpha[S - 2 - band.lo[-1]] else S - 2
            if not np.isfinite(alpha[final - band.lo[-1]]):
                first = band.widen_everywhere()
                if first is None or passes >= max_passes:
                    return None, passes
                self._invalidate(first)
                start = first
                reuse_after = None
                continue
            states = self._backtrack(final, keep)
            low, high = band.binding(states, guard)
            low |= self.prefix_low
            high |= self.prefix_high
            if not (low.any() or high.any()):
                self.unverified = ()
                return states, passes
            first = None if passes >= max_passes else band.widen(low, high)
            if first is None:  # binding where the band cannot grow (max_band) or no passes left
                self.unverified = frame_ranges(band, low | high)
                return states, passes
            self._invalidate(first)
            start = first
            # Past the last widened chunk the band is as before: once the forward scores there
            # equal the previous pass's, so does everything after (see _forward).
            reuse_after = band.last_changed

    def _invalidate(self, first: int) -> None:
        # Pointers and checkpoints from ``first`` on are overwritten by the next forward pass
        # before anything reads them; the old checkpoints are kept until then, to be compared.
        self.progress.add_work(int(self.band.T - self.band.t0[first]))

    def _converged(self, c: int, lo: int, alpha: np.ndarray) -> bool:
        """Whether the scores entering chunk ``c`` equal those of the previous pass."""
        old = self.checkpoints[c]
        return old is not None and old[0] == lo and np.array_equal(old[1], alpha)

    def _forward(self, start: int, keep: bool, reuse_after: int | None = None) -> np.ndarray:
        """Run chunks start.. to the end; returns alpha after the last frame over the last band.

        With ``reuse_after``, chunks after it have the band of the previous pass: as soon as the
        scores entering one of them are bit-identical to the previous pass's, every later
        chunk's scores, pointers and flags are too, and the previous result is reused.
        """
        band = self.band
        checkpoint = self.checkpoints[start]
        assert checkpoint is not None
        prev_lo, alpha = checkpoint
        done = 0
        for c in range(start, band.num_chunks):
            if (c - start) % _REPORT_CHUNKS == 0:
                check_cancel(self.cancel)
            lo, hi = int(band.lo[c]), int(band.hi[c])
            real_lo, real_hi = lo > band.lo_hard[c], hi < band.hi_hard[c]
            entering = prev_lo + int(np.argmax(alpha))
            alpha = _remap(alpha, prev_lo, lo, hi)
            t0, t1 = int(band.t0[c]), int(band.t1[c])
            ptrs = np.empty((t1 - t0, hi - lo), dtype=np.uint8) if keep else None
            alpha = self._run(alpha, lo, hi, t0, t1, ptrs)
            leaving = lo + int(np.argmax(alpha))
            g = self.guard
            self.prefix_low[c] = real_lo and min(entering, leaving) < lo + g
            self.prefix_high[c] = real_hi and leaving > hi - 1 - g
            self.ptrs[c] = ptrs
            done += t1 - t0
            if (
                reuse_after is not None
                and c + 1 > reuse_after
                and c + 1 < band.num_chunks
                and self.final_alpha is not None
                and self._converged(c + 1, lo, alpha)
            ):
                if not keep:
                    self.ptrs[c + 1 :] = [None] * (band.num_chunks - c - 1)
                self.progress.advance(done + int(band.T - band.t1[c]))
                return self.final_alpha
            self.checkpoints[c + 1] = (lo, alpha)
            prev_lo = lo
            if (c - start) % _REPORT_CHUNKS == _REPORT_CHUNKS - 1:
                self.progress.advance(done)
                done = 0
        self.progress.advance(done)
        self.final_alpha = alpha
        return alpha

    def _backtrack(self, final: int, keep: bool) -> np.ndarray:
        band = self.band
        states = np.empty(band.T, dtype=np.int64)
        s = final
        for c in range(band.num_chunks - 1, -1, -1):
            lo, hi = int(band.lo[c]), int(band.hi[c])
            t0, t1 = int(band.t0[c]), int(band.t1[c])
            ptrs = self.ptrs[c]
            if ptrs is None:  # recomputed from the checkpoint (over budget, or never kept)
                if c % _REPORT_CHUNKS == 0:
                    check_cancel(self.cancel)
                checkpoint = self.checkpoints[c]
                assert checkpoint is not None
                ptrs = np.empty((t1 - t0, hi - lo), dtype=np.uint8)
                self._run(_remap(checkpoint[1], checkpoint[0], lo, hi), lo, hi, t0, t1, ptrs)
                if keep:
                    self.ptrs[c] = ptrs
            for i in range(t1 - t0 - 1, -1, -1):
                states[t0 + i] = s
                s -= int(ptrs[i, s - lo])
        return states

    def _run(
        self,
        alpha: np.ndarray,
        lo: int,
        hi: int,
        t0: int,
        t1: int,
        ptrs: np.ndarray | None,
    ) -> np.ndarray:
        """CtcTopology.step restricted to states [lo, hi) for frames [t0, t1); states below lo
        and at or above hi count as -inf. Returns the alpha after frame t1 - 1 (a new array)."""
        w = hi - lo
        emit = self.topo.log_probs[t0:t1][:, self.topo.ext[lo:hi]].astype(np.float64)
        skip = self.skip_to[lo + 2 : hi]
        bufs = (alpha.copy(), np.empty(w, dtype=np.float64))
        # Views made once per chunk: per frame, only the ufunc calls remain.
        views = [(b, b[:-1], b[1:], b[:-2], b[2:]) for b in bufs]
        tmp = np.empty(max(w - 2, 0), dtype=np.float64)
        m1 = np.zeros(w, dtype=bool)
        m2 = np.zeros(w, dtype=bool)
        m1_tail, m2_tail = m1[1:], m2[2:]
        m1_u8, m2_u8 = m1.view(np.uint8), m2.view(np.uint8)
        k = 0
        for i in range(t1 - t0):
            prev, prev_head, prev_tail, prev_head2, _ = views[k]
            out, _, out_tail, _, out_tail2 = views[1 - k]
            np.greater(prev_head, prev_tail, out=m1_tail)  # step strictly beats stay
            np.maximum(prev_tail, prev_head, out=out_tail)
            out[0] = prev[0]
            np.add(prev_head2, skip, out=tmp)
            np.greater(tmp, out_tail2, out=m2_tail)  # skip strictly beats both
            np.maximum(out_tail2, tmp, out=out_tail2)
            np.add(out, emit[i], out=out)
            if ptrs is not None:
                row = ptrs[i]
                np.left_shift(m2_u8, 1, out=row)
                np.maximum(row, m1_u8, out=row)
            k = 1 - k
        return bufs[k]


def _remap(alpha: np.ndarray, old_lo: int, lo: int, hi: int) -> np.ndarray:
    """``alpha`` over states [old_lo, old_lo + len) as a vector over [lo, hi), -inf elsewhere."""
    out = np.full(hi - lo, -np.inf, dtype=np.float64)
    a, b = max(old_lo, lo), min(old_lo + alpha.size, hi)
    if a < b:
        out[a - lo : b - lo] = alpha[a - old_lo : b - old_lo]
    return out


def frame_ranges(band: Band, chunks: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Merged frame ranges [start, end) of the flagged chunks."""
    out: list[tuple[int, int]] = []
    for c in np.flatnonzero(chunks).tolist():
        a, b = int(band.t0[c]), int(band.t1[c])
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return tuple(out)
