"""Documents from the engine's result and from Praat TextGrids, and back to TextGrids.

Imported tiers are linked: a phone- or char-like tier whose boundaries include all of a word-like
tier's boundaries becomes that tier's child, so that edits of the words carry the phones along.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from aligner_gui.core.base.errors import TextGridError
from aligner_gui.core.document.domains import kept_domain, span, textgrid_audio_warnings
from aligner_gui.core.document.provenance import Provenance, doubtful_intervals
from aligner_gui.core.document.tier_names import DOUBTFUL_TIER, PHONE_TIER
from aligner_gui.core.document.tiers import (
    CHAR_TIER,
    SNAP,
    WORD_TIER,
    Segment,
    Tier,
    nesting_problems,
    partition,
    tier_problems,
    unique_name,
)

if TYPE_CHECKING:
    from aligner_gui.core.alignment.doubt_context import DoubtfulRegion
    from aligner_gui.core.alignment.pipeline import AlignmentResult
    from aligner_gui.core.document.document import AlignmentDocument
    from aligner_gui.core.io.audio import Audio
    from aligner_gui.core.io.textgrid import TextGrid

__all__ = ["document_from_alignment", "document_from_textgrid", "textgrid_from_document"]

# Tier names that hold sub-word units and so may be children of a word-like tier.
_CHILD_NAME = re.compile(r"phon|char|segment", re.IGNORECASE)
_WORD_NAME = re.compile(r"word", re.IGNORECASE)


def document_from_alignment(result: AlignmentResult) -> AlignmentDocument:
    """Tiers "words" and, nested in them, "phones" (a phone model) or "chars" (a letter model)
    from the engine's output, gaps as ""."""
    from aligner_gui.core.document.document import AlignmentDocument

    duration = float(result.audio.duration)
    # A phone model gives phones and no chars; a letter model chars and no phones (none are
    # invented from letters).
    name, units = (PHONE_TIER, result.phones) if result.phones else (CHAR_TIER, result.chars)
    tiers = alignment_tiers(result.words, units, result.doubtful, duration, unit_tier=name)
    provenance = Provenance.from_alignment(result)
    return AlignmentDocument(
        tiers, duration, audio=result.audio, result=result, provenance=provenance
    )


def alignment_tiers(
    words: Sequence[Any],
    units: Sequence[Any],
    doubtful: Sequence[DoubtfulRegion],
    duration: float,
    *,
    unit_tier: str = CHAR_TIER,
    prefix: str = "",
) -> list[Tier]:
    """The words tier, its unit tier (chars or phones) nested in it when they are consistent, and
    a doubtful tier when there are doubts, each a gap-free partition of ``[0, duration]``.

    ``words`` and ``units`` are the engine's segments (start, end, label, score; words also
    ``aligned``). ``prefix`` names one speaker's tiers in a multi-speaker grid ("ann - words").
    """
    word_tier = Tier(
        prefix + WORD_TIER,
        partition(
            (Segment(w.start, w.end, w.label, _score(w.score), bool(w.aligned)) for w in words),
            duration,
        ),
    )
    child_tier = Tier(
        prefix + unit_tier,
        partition((Segment(c.start, c.end, c.label, _score(c.score)) for c in units), duration),
    )
    # Units of words flagged as unaligned may be interpolated outside their word; only a
    # consistent pair of tiers is linked, so that edits can rely on the nesting.
    if not nesting_problems(child_tier, word_tier):
        child_tier.parent = word_tier.name
    tiers = [word_tier, child_tier]
    if doubtful:  # regions to review, kept as a tier the user can edit or delete
        doubt = (Segment(i.start, i.end, i.label) for i in doubtful_intervals(tuple(doubtful)))
        tiers.append(Tier(prefix + DOUBTFUL_TIER, partition(doubt, duration)))
    return tiers


def document_from_textgrid(tg: TextGrid, audio: Audio | None = None) -> AlignmentDocument:
    """Every tier of ``tg``, phone-like tiers linked to the word-like tier they refine.

    Times are shifted by nothing: the document spans ``[0, duration]`` with
    ``duration = max(tg.xmax, audio.duration)``; a grid starting after 0 gets a leading ""
    segment and remembers its xmin for export.
    """
    from aligner_gui.core.document.document import AlignmentDocument

    ends = [float(tg.xmax)]
    for src in tg.tiers:
        ends += [float(iv.end) for iv in getattr(src, "intervals", ())]
        ends += [float(p.time) for p in getattr(src, "points", ())]
    if audio is not None:
        ends.append(float(audio.duration))
    duration = max(ends)
    if not duration > 0.0:
        raise TextGridError(None, None, "it has no duration and no audio to give it one")
    tiers: list[Tier] = []
    used: set[str] = set()
    for src in tg.tiers:
        name = unique_name(str(src.name), used)
        used.add(name)
        source_name = None if name == src.name else str(src.name)
        own = (max(0.0, float(src.xmin)), float(src.xmax))
        domain = own if own[1] > own[0] else None
        if hasattr(src, "points"):
            points = sorted(
                (Segment(float(p.time), float(p.time), str(p.label)) for p in src.points),
                key=lambda s: s.start,
            )
            points = [p for p in points if 0.0 <= p.start <= duration]
            tiers.append(
                Tier(name, points, is_point_tier=True, source_name=source_name,
                     source_domain=domain)
            )  # fmt: skip
        else:
            segs = partition(
                (Segment(float(iv.start), float(iv.end), str(iv.label)) for iv in src.intervals),
                duration,
            )
            tiers.append(Tier(name, segs, source_name=source_name, source_domain=domain))
    _guess_parents(tiers)
    xmin = max(0.0, float(tg.xmin))
    xmax = float(tg.xmax) if tg.xmax > xmin else None
    doc = AlignmentDocument(tiers, duration, audio=audio, result=None, xmin=xmin, xmax=xmax)
    doc.warnings = textgrid_audio_warnings(tg, None if audio is None else audio.duration)
    return doc


def textgrid_from_document(doc: AlignmentDocument) -> TextGrid:
    """A Praat TextGrid of every tier, "" segments included (Praat tiers have no gaps).

    The grid and each tier keep their own domain from the file they came from, grown only as far
    as labels now lie outside it (export never cuts away a label); each tier's intervals are cut
    to its domain.
    """
    from aligner_gui.core.io.textgrid import Interval, IntervalTier, Point, PointTier, TextGrid

    labelled = [span(_labelled_times(tier)) for tier in doc.tiers]
    everything = span(extent for extent in labelled if extent is not None)
    grid = kept_domain((doc.xmin, doc.xmax), everything, SNAP)
    out: list[IntervalTier | PointTier] = []
    for tier, extent in zip(doc.tiers, labelled, strict=True):
        name = tier.source_name if tier.source_name is not None else tier.name
        lo, hi = kept_domain(tier.source_domain or grid, extent, SNAP)
        if tier.is_point_tier:
            points = tuple(Point(seg.start, seg.label) for seg in tier.segments)
            out.append(PointTier(name, lo, hi, points))
            continue
        intervals = tuple(
            Interval(max(seg.start, lo), min(seg.end, hi), seg.label)
            for seg in tier.segments
            if seg.end > lo and seg.start < hi
        )
        out.append(IntervalTier(name, lo, hi, intervals))
    return TextGrid(grid[0], grid[1], tuple(out))


def _labelled_times(tier: Tier) -> list[tuple[float, float]]:
    """(start, end) of every labelled segment; every point of a point tier counts."""
    return [(s.start, s.end) for s in tier.segments if s.label or tier.is_point_tier]


def _score(value: float | None) -> float | None:
    # The engine scores unaligned words NaN; None keeps "unknown" explicit and comparisons sane.
    if value is None or math.isnan(value):
        return None
    return float(value)


def _guess_parents(tiers: list[Tier]) -> None:
    """Link each phone/char-like tier to the word-like tier whose boundaries it contains."""
    interval = [t for t in tiers if not t.is_point_tier]
    for child in interval:
        if not _CHILD_NAME.search(child.name):
            continue
        child_bounds = [s.start for s in child.segments[1:]]
        candidates = [
            t
            for t in interval
            if t is not child
            and not _CHILD_NAME.search(t.name)
            and any(s.label for s in t.segments)
            and len(t.segments) <= len(child.segments)
            and all(_near(child_bounds, s.start) for s in t.segments[1:])
        ]
        # Prefer a tier called "words"; otherwise the finest candidate.
        candidates.sort(key=lambda t: (not _WORD_NAME.search(t.name), -len(t.segments)))
        for parent in candidates:
            snapped = _snap_to(child.segments, [s.start for s in parent.segments[1:]])
            trial = Tier(child.name, snapped)
            duration = child.segments[-1].end
            if not tier_problems(trial, duration) and not nesting_problems(trial, parent):
                child.segments = snapped
                child.parent = parent.name
                break


def _near(sorted_times: list[float], t: float) -> bool:
    i = bisect.bisect_left(sorted_times, t - SNAP)
    return i < len(sorted_times) and abs(sorted_times[i] - t) <= SNAP


def _snap_to(segments: list[Segment], times: list[float]) -> list[Segment]:
    """Copy of ``segments`` with boundaries within SNAP of ``times`` moved exactly onto them, so
    that a parent's boundary and its child's coincide to the bit."""
    out = [replace(s) for s in segments]
    starts = [s.start for s in out]
    for t in times:
        k = bisect.bisect_left(starts, t - SNAP)
        if 0 < k < len(out) and abs(starts[k] - t) <= SNAP:
            out[k].start = t
            out[k - 1].end = t
    return out
