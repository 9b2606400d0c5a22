"""The band of the banded Viterbi: per chunk of frames, the range of CTC states searched.

Built from the anchors (:func:`aligner_gui.core.alignment.anchors.find_anchors`), widened where
the best path or prefix comes close to an edge; see :mod:`aligner_gui.core.alignment.long_align`.
"""

from __future__ import annotations

import numpy as np

CHUNK_FRAMES = 32  # the band is constant over a chunk: one gather and one remap per chunk
_NEIGHBOURS = 4  # chunks on each side of a binding edge that are widened with it
_MIN_GROW = 64  # states added to a binding edge at least (doubling the band otherwise)


class Band:
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
    ) -> Band:
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
