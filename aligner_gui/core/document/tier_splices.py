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
import operator
from collections.abc import Iterable
from dataclasses import dataclass, replace

from aligner_gui.core.document.document import (
    MIN_SEGMENT,
    TIME_TOLERANCE,
    AlignmentDocument,
    Segment,
    Tier,
    inside_labelled,
)

__all__ = [
    "Draft",
    "Splice",
    "check_index",
    "clear_range",
    "compose",
    "containing",
    "follow",
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
    """ValueError unless [start, end) of child ``tier`` lies in one labelled parent segment."""
    assert tier.parent is not None
    if not inside_labelled(doc.tier(tier.parent), start, end):
        raise ValueError(
            f"{label!r} in tier {tier.name!r} must lie inside one labelled segment of "
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


def follow(segs: list[Segment], old: float, t: float, left: float, right: float) -> None:
    """Move a descendant tier's boundaries along with a parent boundary going from old to t
    inside [left, right]: coincident ones move to t, those in the way are pushed ahead."""
    ks = starts_between(segs, left - TIME_TOLERANCE, right + TIME_TOLERANCE)
    bounds = {k: segs[k].start for k in ks}
    new = dict(bounds)
    for k, c in bounds.items():
        if abs(c - old) <= TIME_TOLERANCE:
            new[k] = t
    if t < old:
        idx = [k for k in ks if left + TIME_TOLERANCE < bounds[k] < old - TIME_TOLERANCE]
        limit = t - MIN_SEGMENT
        for rank in range(len(idx) - 1, -1, -1):
            k = idx[rank]
            # The floor only binds for input already violating MIN_SEGMENT; it keeps the order.
            new[k] = max(min(bounds[k], limit), left + MIN_SEGMENT * (rank + 1))
            limit = new[k] - MIN_SEGMENT
    else:
        idx = [k for k in ks if old + TIME_TOLERANCE < bounds[k] < right - TIME_TOLERANCE]
        limit = t + MIN_SEGMENT
        for rank, k in enumerate(idx):
            new[k] = min(max(bounds[k], limit), right - MIN_SEGMENT * (len(idx) - rank))
            limit = new[k] + MIN_SEGMENT
    for k in ks:
        if new[k] != bounds[k]:
            segs[k - 1] = replace(segs[k - 1], end=new[k])
            segs[k] = replace(segs[k], start=new[k])


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
