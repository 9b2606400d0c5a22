"""Forced alignment of hour-long recordings in time and memory proportional to frames x band.

The exact Viterbi (:mod:`aligner_gui.core.alignment.viterbi`) updates every (frame, state) cell: an hour is
180,000 frames x ~100,000 states = 2e10 updates. But the path of a recording that matches its
transcript stays close to where a plain speech recogniser puts the same characters, so:

1. **Anchors.** The greedy (argmax) CTC reading of the emissions is matched to the transcript:
   k-grams of tokens that occur exactly once in each are paired; gaps between matches are
   searched again with half-length k-grams (unique within the gap); lone matches are dropped as
   possible coincidences; and the largest subset one path could pass through (enough frames for
   the tokens between any two anchors) is kept. An anchor says "token j is emitted at about
   frame f". No anchors (noise, a model for another language) is allowed: the line from the
   first to the last frame then guides the band.
2. **Band.** In chunks of :data:`CHUNK_FRAMES` frames the path is searched between the token of
   the last anchor at least ``margin_frames`` before the chunk minus ``margin_tokens`` and the
   token of the first anchor at least ``margin_frames`` after it plus ``margin_tokens``: between
   dense anchors a narrow staircase, across a gap in the anchors (untranscribed speech, missing
   text) the whole rectangle between them. At most ``max_band`` states wide.
3. **Banded Viterbi** with exactly the recursion, float64 sums and tie-breaking of
   :class:`~aligner_gui.core.alignment.viterbi.CtcTopology`, so scores inside the band are bit-identical to
   the full Viterbi's.
4. **Verification.** An edge of the band that is not a hard limit (a state no path can use at
   that frame) is *binding* in a chunk when the best banded path comes within ``guard`` states of
   it, or when the best prefix (the argmax of the forward scores) does on entering or leaving the
   chunk: the band then cut off prefixes that were winning, which a misplaced band does long
   before the final path is pushed against its edge. Binding chunks and their neighbours are
   widened (doubling) and the pass is redone from the first changed chunk. This is not a proof
   of global optimality (a better path could lie wholly outside the band, behind a barrier of
   improbable cells), but on CTC emissions a misplaced band binds; the tests compare the result
   with the full Viterbi. Chunks still binding at ``max_band`` (or after ``max_passes``) are
   reported as unverified in :class:`LongAlignReport`; if no band up to ``max_band`` holds any
   path, the exact checkpointed Viterbi is run instead.

Memory: backpointers take one byte per band cell (~100-200 states wide on matching audio: 20-40 MB
per hour) and float64 checkpoints a quarter of that; past ``max_cells`` cells the backpointers
are recomputed chunk by chunk from the checkpoints instead of stored (twice the time).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict, Unpack

import numpy as np

from aligner_gui.core.alignment.anchors import find_anchors
from aligner_gui.core.alignment.viterbi import CtcTopology, ForcedPath, bounded_forced_align
from aligner_gui.core.base.errors import AlignmentError
from aligner_gui.core.base.progress import ProgressFn, check_cancel

STAGE = "Aligning"
CHUNK_FRAMES = 32  # the band is constant over a chunk: one gather and one remap per chunk
_REPORT_CHUNKS = 64  # progress and cancel every 64 chunks (~2,000 frames, a few ms)
_NEIGHBOURS = 4  # chunks on each side of a binding edge that are widened with it
_MIN_GROW = 64  # states added to a binding edge at least (doubling the band otherwise)


@dataclass(frozen=True)
class LongAlignReport:
    method: str  # "exact" (small input: the full Viterbi) or "banded"
    anchors: int  # anchors found (0 for "exact")
    passes: int  # banded passes: 1 + the number of times a binding band was widened
    band_cells: int  # (frame, state) cells in the final band; T * S for "exact"
    max_width: int  # widest band in states
    unverified: tuple[tuple[int, int], ...]  # frame ranges [start, end) still binding at max_band


class LongAlignOptions(TypedDict, total=False):
    """Keyword options of :func:`long_forced_align_report` (defaults there)."""

    star: int | None
    progress: ProgressFn | None
    cancel: threading.Event | None
    max_band: int
    exact_states: int
    margin_frames: int
    margin_tokens: int
    guard: int
    kgram: int
    max_passes: int
    max_cells: int


def long_forced_align(
    log_probs: np.ndarray, tokens: Sequence[int], blank: int, **options: Unpack[LongAlignOptions]
) -> ForcedPath:
    """The forced CTC path of ``tokens`` through ``log_probs``, for inputs of any length.

    The same path as :func:`aligner_gui.core.alignment.viterbi.forced_align` whenever the band check
    passes (see the module docstring), in time ~ frames x band. ``star`` is the label that
    matches anything (MMS_FA's appended zero column): it is left out of the greedy reading.
    Inputs with at most ``exact_states`` CTC states run the exact Viterbi. Raises AlignmentError
    as ``forced_align`` does (empty transcript, too few frames, NaN, impossible) and Cancelled.
    """
    return long_forced_align_report(log_probs, tokens, blank, **options)[0]


def long_forced_align_report(
    log_probs: np.ndarray,
    tokens: Sequence[int],
    blank: int,
    *,
    star: int | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    max_band: int = 2048,
    exact_states: int = 512,
    margin_frames: int = 25,
    margin_tokens: int = 8,
    guard: int = 4,
    kgram: int = 10,
    max_passes: int = 12,
    max_cells: int = 256_000_000,
) -> tuple[ForcedPath, LongAlignReport]:
    """:func:`long_forced_align` plus how it went (anchors, passes, band size, unverified)."""
    if max_band < 8 or guard < 2 or margin_frames < 0 or margin_tokens < 0 or kgram < 2:
        raise ValueError("invalid band parameters")
    topo = CtcTopology(log_probs, tokens, blank)
    topo.check_feasible()
    T, S = topo.num_frames, topo.num_states
    used = np.unique(topo.tokens)
    if not np.isfinite(np.asarray(topo.log_probs)[:, used].max(axis=0)).all():
        # A label that no frame can emit: say so now rather than after widening every band.
        raise AlignmentError(
            "The transcript cannot be aligned: every alignment has zero probability."
        )
    if topo.num_states <= exact_states:
        path = bounded_forced_align(
            log_probs, tokens, blank, max_cells=max_cells, progress=progress, cancel=cancel
        )
        return path, LongAlignReport("exact", 0, 1, T * S, S, ())
    anchor_frames, anchor_tokens = find_anchors(
        topo.log_probs, topo.tokens, blank, star=star, kgram=kgram
    )
    band = _Band.from_anchors(
        T, topo.tokens, anchor_frames, anchor_tokens, margin_frames, margin_tokens, max_band
    )
    solver = _BandedViterbi(topo, band, max_cells, _Progress(progress, T), cancel)
    states, passes = solver.solve(guard, max_passes)
    if states is None:  # no path inside even the widest band: give up on speed, not on the answer
        path = bounded_forced_align(
            log_probs, tokens, blank, max_cells=max_cells, progress=progress, cancel=cancel
        )
        return path, LongAlignReport("exact", int(anchor_frames.size), passes, T * S, S, ())
    if progress is not None:
        progress(STAGE, 1.0)
    report = LongAlignReport(
        method="banded",
        anchors=int(anchor_frames.size),
        passes=passes,
        band_cells=band.cells(),
        max_width=int((band.hi - band.lo).max()),
        unverified=solver.unverified,
    )
    return topo.to_path(states), report


# --- the band ------------------------------------------------------------------------------------


class _Band:
    """Per chunk, the half-open state range [lo, hi) searched, and the hard limits beyond which
    no path can be at those frames (edges at a hard limit never bind)."""

    def __init__(self, T: int, S: int, lo: np.ndarray, hi: np.ndarray, max_band: int) -> None:
        self.T, self.S, self.max_band = T, S, max_band
        self.t0 = np.arange(0, T, CHUNK_FRAMES, dtype=np.int64)
        self.t1 = np.minimum(self.t0 + CHUNK_FRAMES, T)
        # A state below S - 2 - 2 * (frames left) cannot reach the end; above 2t + 1 cannot be
        # reached from the start.
        self.lo_hard = np.maximum(0, S - 2 - 2 * (T - 1 - self.t0))
        self.hi_hard = np.minimum(S, 2 * (self.t1 - 1) + 2)
        self.lo = lo
        self.hi = hi
        self.last_changed = -1  # the last chunk the latest widening changed
        self._normalise()

    @classmethod
    def from_anchors(
        cls,
        T: int,
        tokens: np.ndarray,
        frames: np.ndarray,
        positions: np.ndarray,
        margin_frames: int,
        margin_tokens: int,
        max_band: int,
    ) -> _Band:
        L = int(tokens.size)
        S = 2 * L + 1
        t0 = np.arange(0, T, CHUNK_FRAMES, dtype=np.int64)
        t1 = np.minimum(t0 + CHUNK_FRAMES, T)
        # Sentinels: "before the first anchor" is token 0, "after the last" token L - 1.
        pos = np.concatenate(([margin_tokens], positions, [L - 1 - margin_tokens]))
        before = np.searchsorted(frames, t0 - margin_frames, side="right")
        j_lo = pos[before] - margin_tokens
        after = np.searchsorted(frames, t1 - 1 + margin_frames, side="left")
        j_hi = pos[after + 1] + margin_tokens
        lo = 2 * np.clip(j_lo, 0, L - 1)
        hi = 2 * np.clip(j_hi, 0, L - 1) + 3  # token j's state is 2j + 1, the blank after 2j + 2
        # Too wide (few anchors): centre max_band states on the line through the anchors.
        wide = hi - lo > max_band
        if wide.any():
            xs = np.concatenate(([0], frames, [T - 1])).astype(np.float64)
            ys = np.concatenate(([0], positions, [L - 1])).astype(np.float64)
            guide = 2 * np.interp((t0 + t1 - 1) / 2.0, xs, ys) + 1
            half = max_band // 2
            centre = np.clip(guide, lo + half, hi - half).astype(np.int64)
            lo = np.where(wide, centre - half, lo)
            hi = np.where(wide, centre - half + max_band, hi)
        return cls(T, S, lo.astype(np.int64), hi.astype(np.int64), max_band)

    def _normalise(self) -> None:
        # Monotone edges: a path that needs a lower state later needed it earlier too, and
        # vice versa; then clip to the hard limits, keeping at least 3 states.
        self.lo = np.minimum.accumulate(self.lo[::-1])[::-1]
        self.hi = np.maximum.accumulate(self.hi)
        self.lo = np.clip(self.lo, self.lo_hard, self.S - 1)
        self.hi = np.clip(self.hi, 1, self.hi_hard)
        self.lo[0] = 0
        self.hi[-1] = self.S
        self.hi = np.minimum(np.maximum(self.hi, self.lo + 3), self.S)
        self.lo = np.minimum(self.lo, self.hi - 3).clip(0)

    @property
    def num_chunks(self) -> int:
        return int(self.t0.size)

    def cells(self) -> int:
        return int(np.sum((self.t1 - self.t0) * (self.hi - self.lo)))

    def binding(self, states: np.ndarray, guard: int) -> tuple[np.ndarray, np.ndarray]:
        """Chunks whose lower / upper edge the path comes within ``guard`` states of."""
        first, last = states[self.t0], states[self.t1 - 1]
        low = (self.lo > self.lo_hard) & (first < self.lo + guard)
        high = (self.hi < self.hi_hard) & (last > self.hi - 1 - guard)
        return low, high

    def widen(self, low: np.ndarray, high: np.ndarray) -> int | None:
        """Widen around binding chunks, up to ``max_band``; returns the first changed chunk, or
        None when every binding chunk is already ``max_band`` wide."""
        width = self.hi - self.lo
        limit = np.maximum(width, self.max_band)
        stuck = (low | high) & (width >= self.max_band)
        grow = np.maximum(_MIN_GROW, width)
        old_lo, old_hi = self.lo.copy(), self.hi.copy()
        for side, mask in (("lo", low & ~stuck), ("hi", high & ~stuck)):
            # Each chunk near binding ones grows by the largest step among them.
            amount = np.zeros_like(grow)
            for c in np.flatnonzero(mask).tolist():
                a, b = max(0, c - _NEIGHBOURS), c + _NEIGHBOURS + 1
                np.maximum(amount[a:b], grow[c], out=amount[a:b])
            if side == "lo":
                self.lo = np.maximum(self.lo - amount, self.hi - limit)
            else:
                self.hi = np.minimum(self.hi + amount, self.lo + limit)
        self._normalise()
        changed = np.flatnonzero((self.lo != old_lo) | (self.hi != old_hi))
        self.last_changed = int(changed[-1]) if changed.size else -1
        return int(changed[0]) if changed.size else None

    def widen_everywhere(self) -> int | None:
        """Double every chunk that can still grow (the band held no path at all)."""
        width = self.hi - self.lo
        grow = np.maximum(_MIN_GROW, width) // 2
        old_lo, old_hi = self.lo.copy(), self.hi.copy()
        room = width < self.max_band
        self.lo = np.where(room, self.lo - grow, self.lo)
        self.hi = np.where(room, self.hi + grow, self.hi)
        self._normalise()
        changed = np.flatnonzero((self.lo != old_lo) | (self.hi != old_hi))
        self.last_changed = int(changed[-1]) if changed.size else -1
        return int(changed[0]) if changed.size else None


# --- the banded Viterbi --------------------------------------------------------------------------


class _Progress:
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


class _BandedViterbi:
    def __init__(
        self,
        topo: CtcTopology,
        band: _Band,
        max_cells: int,
        progress: _Progress,
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
                self.unverified = _frame_ranges(band, low | high)
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


def _frame_ranges(band: _Band, chunks: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Merged frame ranges [start, end) of the flagged chunks."""
    out: list[tuple[int, int]] = []
    for c in np.flatnonzero(chunks).tolist():
        a, b = int(band.t0[c]), int(band.t1[c])
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return tuple(out)
