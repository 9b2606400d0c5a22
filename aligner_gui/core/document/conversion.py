"""Documents from the engine's result and from Praat TextGrids, and back to TextGrids.

Imported tiers are linked: a phone- or char-like tier whose boundaries include all of a word-like
tier's boundaries becomes that tier's child, so that edits of the words carry the phones along.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from aligner_gui.core.alignment.pipeline import DOUBTFUL_TIER, doubtful_intervals
from aligner_gui.core.base.errors import TextGridError
from aligner_gui.core.document.tiers import (
    CHAR_TIER,
    SNAP,
    WORD_TIER,
    Segment,
    Tier,
    nesting_problems,
    partition,
    tier_problems,
)

if TYPE_CHECKING:
    from aligner_gui.core.alignment.pipeline import AlignmentResult
    from aligner_gui.core.document.document import AlignmentDocument
    from aligner_gui.core.io.audio import Audio
    from aligner_gui.core.io.textgrid import TextGrid

__all__ = ["document_from_alignment", "document_from_textgrid", "textgrid_from_document"]

# Tier names that hold sub-word units and so may be children of a word-like tier.
_CHILD_NAME = re.compile(r"phon|char|segment", re.IGNORECASE)
_WORD_NAME = re.compile(r"word", re.IGNORECASE)


def document_from_alignment(result: AlignmentResult) -> AlignmentDocument:
    """Tiers "words" and "chars" (parent "words") from the engine's output, gaps as ""."""
    from aligner_gui.core.document.document import AlignmentDocument

    duration = float(result.audio.duration)
    words = partition(
        (Segment(w.start, w.end, w.label, _score(w.score), bool(w.aligned)) for w in result.words),
        duration,
    )
    chars = partition(
        (Segment(c.start, c.end, c.label, _score(c.score)) for c in result.chars), duration
    )
    word_tier = Tier(WORD_TIER, words)
    char_tier = Tier(CHAR_TIER, chars)
    # Characters of words flagged as unaligned may be interpolated outside their word; only
    # a consistent pair of tiers is linked, so that edits can rely on the nesting.
    if not nesting_problems(char_tier, word_tier):
        char_tier.parent = WORD_TIER
    tiers = [word_tier, char_tier]
    if result.doubtful:  # regions to review, kept as a tier the user can edit or delete
        doubt = (Segment(i.start, i.end, i.label) for i in doubtful_intervals(result.doubtful))
        tiers.append(Tier(DOUBTFUL_TIER, partition(doubt, duration)))
    return AlignmentDocument(tiers, duration, audio=result.audio, result=result)


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
        name = _unique_name(str(src.name), used)
        used.add(name)
        source_name = None if name == src.name else str(src.name)
        if hasattr(src, "points"):
            points = sorted(
                (Segment(float(p.time), float(p.time), str(p.label)) for p in src.points),
                key=lambda s: s.start,
            )
            points = [p for p in points if 0.0 <= p.start <= duration]
            tiers.append(Tier(name, points, is_point_tier=True, source_name=source_name))
        else:
            segs = partition(
                (Segment(float(iv.start), float(iv.end), str(iv.label)) for iv in src.intervals),
                duration,
            )
            tiers.append(Tier(name, segs, source_name=source_name))
    _guess_parents(tiers)
    return AlignmentDocument(
        tiers, duration, audio=audio, result=None, xmin=max(0.0, float(tg.xmin))
    )


def textgrid_from_document(doc: AlignmentDocument) -> TextGrid:
    """A Praat TextGrid of every tier, "" segments included (Praat tiers have no gaps)."""
    from aligner_gui.core.io.textgrid import Interval, IntervalTier, Point, PointTier, TextGrid

    xmin = min(doc.xmin, _first_labelled_time(doc))
    xmax = doc.duration
    out: list[IntervalTier | PointTier] = []
    for tier in doc.tiers:
        name = tier.source_name if tier.source_name is not None else tier.name
        if tier.is_point_tier:
            points = tuple(Point(seg.start, seg.label) for seg in tier.segments)
            out.append(PointTier(name, xmin, xmax, points))
            continue
        intervals = tuple(
            Interval(max(seg.start, xmin), seg.end, seg.label)
            for seg in tier.segments
            if seg.end > xmin
        )
        out.append(IntervalTier(name, xmin, xmax, intervals))
    return TextGrid(xmin, xmax, tuple(out))


def _first_labelled_time(doc: AlignmentDocument) -> float:
    """Earliest labelled time of any tier: export never cuts away a label."""
    first = doc.duration
    for tier in doc.tiers:
        for seg in tier.segments:
            if seg.label or tier.is_point_tier:
                first = min(first, seg.start)
                break
    return first


def _score(value: float | None) -> float | None:
    # The engine scores unaligned words NaN; None keeps "unknown" explicit and comparisons sane.
    if value is None or math.isnan(value):
        return None
    return float(value)


def _unique_name(name: str, used: set[str]) -> str:
    if name not in used:
        return name
    k = 2
    while f"{name} ({k})" in used:
        k += 1
    return f"{name} ({k})"


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
