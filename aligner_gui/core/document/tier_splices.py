"""How an edit rewrites a tier and how that is reverted: splices, drafts and tier surgery.

A *splice* records that a run of segment objects of one tier was replaced by another run; doing
and undoing it swaps the runs back and forth, so undo/redo restore a document bit for bit. A
*draft* is the copy-on-first-touch scratch lists an edit writes into, diffed into splices once
the edit is computed. The helpers below are the tier operations the edits of
:mod:`aligner_gui.core.document.edits` are built from (moving descendant boundaries along, silencing a
range, validation). Segment objects are never mutated in place: they are replaced, which is what
makes keeping the old objects as the undo record safe.
"""

from __future__ import annotations

import bisect
import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass, replace

from aligner_gui.core.document.document import (
    MIN_SEGMENT,
    TIME_TOLERANCE,
    AlignmentDocument,
    Segment,
    Tier,
    inside_one_segment,
)

__all__ = [
    "Draft",
    "Splice",
    "alone_limits",
    "check_index",
    "clean_cut",
    "clear_range",
    "compose",
    "containing",
    "follow",
    "follow_limits",
    "interval_tier",
    "require_inside_parent",
    "same_run",
    "split_at",
    "starts_between",
]


@dataclass(frozen=True)
class Splice:
    """``segments[start : start + len(old)]`` of ``tier`` was ``old`` and becomes ``new``."""

    tier: str
    start: int
    old: tuple[Segment, ...]
    new: tuple[Segment, ...]

    def do(self, doc: AlignmentDocument) -> None:
        """Put the new run in place of the old one."""
        doc.tier(self.tier).segments[self.start : self.start + len(self.old)] = self.new

    def undo(self, doc: AlignmentDocument) -> None:
        """Put the old run back."""
        doc.tier(self.tier).segments[self.start : self.start + len(self.new)] = self.old

    @property
    def kind(self) -> str:
        """The DocumentChange kind: "structure", "label" or "boundary"."""
        if len(self.old) != len(self.new):
            return "structure"
        if any(a.label != b.label for a, b in zip(self.old, self.new, strict=True)):
            return "label"
        return "boundary"


class Draft:
    """Copy-on-first-touch segment lists of the tiers an edit is computing; diffed into splices."""

    def __init__(self, doc: AlignmentDocument) -> None:
        self.doc = doc
        self._lists: dict[str, list[Segment]] = {}

    def segs(self, name: str) -> list[Segment]:
        """The draft's (mutable) segment list of tier ``name``, copied on first access."""
        if name not in self._lists:
            self._lists[name] = list(self.doc.tier(name).segments)
        return self._lists[name]

    def splices(self) -> list[Splice]:
        """One splice per touched tier whose list differs from the document (the changed run)."""
        out: list[Splice] = []
        for name, new in self._lists.items():
            old = self.doc.tier(name).segments
            n = min(len(old), len(new))
            p = same_run(old, new)
            q = min(same_run(reversed(old), reversed(new)), n - p)
            if p + q < len(old) or p + q < len(new):
                out.append(
                    Splice(name, p, tuple(old[p : len(old) - q]), tuple(new[p : len(new) - q]))
                )
        return out


def compose(first: list[Splice], second: list[Splice]) -> list[Splice]:
    """The splices of ``first`` then ``second``; a splice of ``second`` that exactly replaces
    the result of the last splice on its tier is fused with it (a drag stays a few splices)."""
    out = list(first)
    for splice in second:
        last = max((k for k, s in enumerate(out) if s.tier == splice.tier), default=None)
        if last is not None:
            prev = out[last]
            if (
                prev.start == splice.start
                and len(prev.new) == len(splice.old)
                and all(x is y for x, y in zip(prev.new, splice.old, strict=True))
            ):
                out[last] = Splice(splice.tier, prev.start, prev.old, splice.new)
                continue
        out.append(splice)
    return out


# -- validation --------------------------------------------------------------------------------


def check_index(tier: Tier, index: int, lo: int, hi: int, what: str) -> None:
    """Raise ValueError unless ``lo <= index <= hi`` (``what``: "boundary", "segment", ...)."""
    if not lo <= index <= hi:
        raise ValueError(f"Tier {tier.name!r} has no {what} {index} (valid: {lo} to {hi}).")


def interval_tier(doc: AlignmentDocument, name: str) -> Tier:
    """Tier ``name``; ValueError if it is a point tier (whose points only move and relabel)."""
    tier = doc.tier(name)
    if tier.is_point_tier:
        raise ValueError(
            f"Tier {name!r} is a point tier: its points can only be moved and relabelled."
        )
    return tier


def require_inside_parent(
    doc: AlignmentDocument, tier: Tier, start: float, end: float, label: str
) -> None:
    """ValueError unless [start, end) of child ``tier`` lies in one segment of its parent."""
    assert tier.parent is not None
    if not inside_one_segment(doc.tier(tier.parent), start, end):
        raise ValueError(
            f"{label!r} in tier {tier.name!r} must lie inside one segment of "
            f"its parent tier {tier.parent!r}."
        )


# -- lookups -----------------------------------------------------------------------------------


def _start(seg: Segment) -> float:
    return seg.start


def _end(seg: Segment) -> float:
    return seg.end


def same_run(a: Iterable[Segment], b: Iterable[Segment]) -> int:
    """Length of the common leading run of identical objects (a C-speed scan)."""
    same = list(map(operator.is_, a, b))
    return same.index(False) if False in same else len(same)


def starts_between(segs: list[Segment], lo: float, hi: float) -> range:
    """Indices k >= 1 of the segments whose start (boundary k) lies in [lo, hi]."""
    a = max(1, bisect.bisect_left(segs, lo, key=_start))
    return range(a, bisect.bisect_right(segs, hi, key=_start))


def containing(tier: Tier, time: float) -> Segment:
    """The segment of ``tier`` that contains ``time`` (tolerant at its start)."""
    k = bisect.bisect_right(tier.segments, time + TIME_TOLERANCE, key=_start) - 1
    return tier.segments[min(max(k, 0), len(tier.segments) - 1)]


# -- rewriting descendant tiers ----------------------------------------------------------------


def follow_limits(
    segs: list[Segment], old: float, left: float, right: float
) -> tuple[float, float]:
    """How far a parent boundary at ``old`` (between ``left`` and ``right``) may move without
    this descendant tier losing anything: [lo, hi].

    The rule is "stop, never push": a boundary of the descendant that coincides with ``old``
    moves with it, up to 1 ms (MIN_SEGMENT) short of the descendant's next boundary, so the
    squeezed interval keeps at least that; without a coincident boundary, the parent may reach the
    nearest descendant boundary but not pass it (a labelled descendant must not come to straddle
    the parent's boundary). No descendant boundary is ever pushed, so no sliver appears.
    """
    ks = starts_between(segs, left + TIME_TOLERANCE, right - TIME_TOLERANCE)
    inner = [segs[k].start for k in ks]
    before = [c for c in inner if c < old - TIME_TOLERANCE]
    after = [c for c in inner if c > old + TIME_TOLERANCE]
    coincident = any(abs(c - old) <= TIME_TOLERANCE for c in inner)
    margin = MIN_SEGMENT if coincident else 0.0
    lo = before[-1] + margin if before else left
    hi = after[0] - margin if after else right
    return lo, hi


def alone_limits(segs: list[Segment], old: float) -> tuple[float, float]:
    """How far a parent boundary at ``old`` may move while this child tier stays where it is:
    [lo, hi], up to the end of the nearest labelled child segment on the left and the start of
    the nearest one on the right (the parent boundary may land on them, never cross them, so no
    labelled child segment comes to straddle it). Unlabelled child segments may be crossed."""
    k = bisect.bisect_left(segs, old - TIME_TOLERANCE, key=_start)
    lo, hi = -math.inf, math.inf
    for j in range(k, len(segs)):
        if segs[j].label and segs[j].end > segs[j].start:
            hi = segs[j].start
            break
    for j in range(k - 1, -1, -1):
        if segs[j].label and segs[j].end > segs[j].start:
            lo = segs[j].end
            break
    return lo, hi


def follow(segs: list[Segment], old: float, t: float) -> None:
    """Move the descendant boundary that coincides with ``old`` (if any) to ``t``."""
    k = bisect.bisect_left(segs, old - TIME_TOLERANCE, key=_start)
    if 0 < k < len(segs) and abs(segs[k].start - old) <= TIME_TOLERANCE:
        segs[k - 1] = replace(segs[k - 1], end=t)
        segs[k] = replace(segs[k], start=t)


def clean_cut(
    descendants: list[list[Segment]], start: float, end: float, time: float
) -> float | None:
    """The time nearest ``time`` in [start + MIN_SEGMENT, end - MIN_SEGMENT] where a parent
    segment [start, end) can be split without cutting a labelled descendant segment in two and
    without leaving a descendant interval shorter than MIN_SEGMENT beside the cut; None if
    there is none. Descendant boundaries are candidates, and so is ``time`` itself."""
    lo, hi = start + MIN_SEGMENT, end - MIN_SEGMENT
    candidates = [time] + [
        segs[k].start for segs in descendants for k in starts_between(segs, lo, hi)
    ]

    def clean(c: float) -> bool:
        if not lo <= c <= hi:
            return False
        for segs in descendants:
            k = bisect.bisect_right(segs, c + TIME_TOLERANCE, key=_start) - 1
            seg = segs[max(k, 0)]
            on_boundary = abs(seg.start - c) <= TIME_TOLERANCE
            if on_boundary:
                continue
            if seg.label or c - seg.start < MIN_SEGMENT or seg.end - c < MIN_SEGMENT:
                return False
        return True

    usable = [c for c in candidates if clean(c)]
    return min(usable, key=lambda c: (abs(c - time), c)) if usable else None


def split_at(segs: list[Segment], t: float) -> None:
    """Split the labelled segment strictly containing ``t`` into two with the same label."""
    k = bisect.bisect_right(segs, t, key=_start) - 1
    if k < 0:
        return
    seg = segs[k]
    if seg.label and seg.start + TIME_TOLERANCE < t < seg.end - TIME_TOLERANCE:
        segs[k : k + 1] = [replace(seg, end=t), replace(seg, start=t)]


def clear_range(segs: list[Segment], start: float, end: float) -> None:
    """Silence everything of a descendant tier inside [start, end) as one "" segment (merged
    with adjacent silences); labelled segments straddling the edges keep their outer part."""
    split_at(segs, start)
    split_at(segs, end)
    a = bisect.bisect_right(segs, start + TIME_TOLERANCE, key=_end)
    b = bisect.bisect_left(segs, end - TIME_TOLERANCE, key=_start) - 1
    if a > b:
        return
    while a > 0 and not segs[a - 1].label:
        a -= 1
    while b + 1 < len(segs) and not segs[b + 1].label:
        b += 1
    if a == b and not segs[a].label:
        return
    segs[a : b + 1] = [Segment(segs[a].start, segs[b].end, "")]
