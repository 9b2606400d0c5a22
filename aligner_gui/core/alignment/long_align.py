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
2. **Band.** In chunks of :data:`~aligner_gui.core.alignment.band.CHUNK_FRAMES` frames the path is searched between the token of
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
from aligner_gui.core.alignment.band import Band
from aligner_gui.core.alignment.banded_viterbi import STAGE, BandedViterbi, BandProgress
from aligner_gui.core.alignment.viterbi import CtcTopology, ForcedPath, bounded_forced_align
from aligner_gui.core.base.errors import AlignmentError
from aligner_gui.core.base.progress import ProgressFn


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
    band = Band.from_anchors(
        T, topo.tokens, anchor_frames, anchor_tokens, margin_frames, margin_tokens, max_band
    )
    solver = BandedViterbi(topo, band, max_cells, BandProgress(progress, T), cancel)
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
