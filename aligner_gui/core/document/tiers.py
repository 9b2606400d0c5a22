"""The document's building blocks: segments, tiers, change notices, and the per-tier rules.

Every interval tier is a contiguous partition of ``[0, duration]`` (``""`` labels are silence), so
boundary ``i`` of a tier is simply ``segments[i].start`` for ``i`` in ``1..n-1``. A child tier
("chars" under "words") is *nested*: each of its labelled segments lies inside one segment of its
parent. That parent segment may be silence: a split or a relabel of a word leaves the phones
under it where they are, because the linguist's phones are never deleted as a side effect.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from aligner_gui.core.document.tier_names import CHAR_TIER, WORD_TIER

__all__ = [
    "CHAR_TIER",
    "MIN_SEGMENT",
    "SNAP",
    "TIME_TOLERANCE",
    "WORD_TIER",
    "DocumentChange",
    "Segment",
    "Subscriber",
    "Tier",
    "inside_one_segment",
    "nesting_problems",
    "partition",
    "tier_problems",
    "unique_name",
]

# Seconds: no edit makes a segment shorter than this (16 samples at 16 kHz), and none ever makes
# one the user did not ask for (e.g. a sub-tier interval squeezed by a drag beyond its neighbour).
MIN_SEGMENT = 0.001
TIME_TOLERANCE = 1e-9  # boundaries this close are the same boundary (float rounding)
# Gaps and overlaps this small in imported files are rounding noise of the writing tool
# (e.g. 1372.6225001 vs 1372.6225), not silences: they are closed instead of kept.
SNAP = 1e-6


@dataclass
class Segment:
    """One interval of an interval tier, or one point (``start == end``) of a point tier."""

    start: float
    end: float
    label: str
    score: float | None = None  # confidence in [0, 1]; None when unknown (e.g. read from Praat)
    aligned: bool = True  # False: interpolated or flagged by the engine


@dataclass
class Tier:
    name: str
    segments: list[Segment]  # contiguous partition of [0, duration]; "" label = silence / gap
    parent: str | None = None  # labelled segments stay inside one segment of the parent
    is_point_tier: bool = False  # Praat TextTier: start == end == time
    # The name in the file it came from, when it had to be renamed to be unique (Praat allows
    # duplicate tier names, the document does not); written back by to_textgrid.
    source_name: str | None = None
    # The tier's own (xmin, xmax) in the file it came from, written back unchanged unless labels
    # now lie outside it; None: the tier spans the document's grid domain.
    source_domain: tuple[float, float] | None = None


@dataclass(frozen=True)
class DocumentChange:
    """What an edit changed, for subscribers.

    ``kind`` is "boundary" (times only), "label", "structure" (segments added or removed),
    "tiers" (tiers added, removed, renamed or reordered; ``tier`` is None) or "reset". ``index`` is the boundary index for "boundary" and the segment index for "label" and
    "structure" when one place is meant, else None (e.g. a child tier that followed its parent).
    """

    tier: str | None  # None = everything changed (reset)
    kind: str
    index: int | None


Subscriber = Callable[[DocumentChange], None]


def partition(segments: Iterable[Segment], duration: float) -> list[Segment]:
    """Sorted, clipped, gap-free segments over ``[0, duration]``; gaps become "" segments.

    Overlaps are resolved in favour of the earlier segment (a segment wholly covered by an earlier
    one is dropped); gaps and overlaps up to ``SNAP`` are closed. A filled gap next to a ""
    segment is merged into it, so the filling adds no boundary of its own.
    """
    items = sorted((s for s in segments if s.end > s.start), key=lambda s: (s.start, s.end))
    out: list[Segment] = []
    last_is_filler = False

    def put(new: Segment, filler: bool) -> None:
        nonlocal last_is_filler
        if out and not new.label and not out[-1].label and (filler or last_is_filler):
            prev = out[-1]
            out[-1] = (
                replace(new, start=prev.start) if last_is_filler else replace(prev, end=new.end)
            )
            last_is_filler = False
        else:
            out.append(new)
            last_is_filler = filler

    cursor = 0.0
    for seg in items:
        start, end = max(seg.start, 0.0), min(seg.end, duration)
        if end <= cursor + SNAP:
            continue
        if start > cursor + SNAP:
            put(Segment(cursor, start, ""), filler=True)
        else:
            start = cursor
        put(Segment(start, end, seg.label, seg.score, seg.aligned), filler=False)
        cursor = end
    if not out or duration - cursor > SNAP:
        put(Segment(cursor, duration, ""), filler=True)
    else:
        out[-1] = replace(out[-1], end=duration)
    return out


def tier_problems(tier: Tier, duration: float) -> list[str]:
    """Violations of one tier's own shape: a sorted point set, or a partition of [0, duration]."""
    segs = tier.segments
    name = tier.name
    if tier.is_point_tier:
        times = [s.start for s in segs]
        if any(s.start != s.end for s in segs):
            return [f"point tier {name!r} has a segment with start != end"]
        if times != sorted(times) or any(t < 0.0 or t > duration for t in times):
            return [f"point tier {name!r} has unsorted points or points outside [0, {duration}]"]
        return []
    if not segs:
        return [f"interval tier {name!r} has no segments"]
    problems: list[str] = []
    if segs[0].start != 0.0 or segs[-1].end != duration:
        problems.append(
            f"tier {name!r} spans [{segs[0].start}, {segs[-1].end}], not [0, {duration}]"
        )
    for k, seg in enumerate(segs):
        if not seg.end > seg.start:
            problems.append(f"tier {name!r} segment {k} [{seg.start}, {seg.end}) is empty")
        if k and segs[k - 1].end != seg.start:
            problems.append(f"tier {name!r} has a gap or overlap before segment {k}")
    return problems


def inside_one_segment(parent: Tier, start: float, end: float) -> bool:
    """Whether [start, end) lies inside one segment of ``parent`` (silence or not)."""
    segs = parent.segments
    i = bisect.bisect_right(segs, start + TIME_TOLERANCE, key=lambda s: s.start) - 1
    if i < 0:
        return False
    return end <= segs[i].end + TIME_TOLERANCE


def nesting_problems(child: Tier, parent: Tier) -> list[str]:
    """The labelled segments of ``child`` that straddle a boundary of ``parent``."""
    return [
        f"{child.name!r} segment {k} {seg.label!r} [{seg.start}, {seg.end}) straddles a "
        f"boundary of {parent.name!r}"
        for k, seg in enumerate(child.segments)
        if seg.label and not inside_one_segment(parent, seg.start, seg.end)
    ]


def unique_name(name: str, used: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)``... when it is taken (tier names must be unique)."""
    if name not in used:
        return name
    k = 2
    while f"{name} ({k})" in used:
        k += 1
    return f"{name} ({k})"
