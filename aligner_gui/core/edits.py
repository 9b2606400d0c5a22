"""The only way to change an AlignmentDocument: small, exactly reversible edits.

An edit is computed once, on its first ``apply``, as one *splice* per changed tier (the run of
segment objects it replaces and the run it puts there). ``revert`` puts the old objects back and a
later ``apply`` (redo) puts the new ones back, so undo/redo restore the document bit for bit and
never recompute anything. Segment objects are never mutated in place, which is what makes keeping
the old objects as the undo record safe.

Invariants every edit keeps: each interval tier stays a contiguous partition of
``[0, duration]``; no edit makes a segment shorter than ``MIN_SEGMENT``; a child tier's labelled
segments stay inside one labelled segment of its parent (children of silence are silence).
An edit that cannot be applied raises ``ValueError`` with a readable sentence and changes nothing.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, replace

from aligner_gui.core.document import (
    MIN_SEGMENT,
    TIME_TOLERANCE,
    AlignmentDocument,
    DocumentChange,
    Segment,
    Tier,
    inside_labelled,
)

__all__ = [
    "MIN_SEGMENT",
    "DeleteWord",
    "Edit",
    "InsertBoundary",
    "InsertWord",
    "MoveBoundary",
    "RemoveBoundary",
    "SetLabel",
    "new_drag_id",
]

_drag_ids = itertools.count(1)


def new_drag_id() -> int:
    """A fresh id for the MoveBoundary steps of one mouse drag (merged into one undo step)."""
    return next(_drag_ids)


@dataclass(frozen=True)
class _Splice:
    """``segments[start : start + len(old)]`` of ``tier`` was ``old`` and becomes ``new``."""

    tier: str
    start: int
    old: tuple[Segment, ...]
    new: tuple[Segment, ...]

    def do(self, doc: AlignmentDocument) -> None:
        doc.tier(self.tier).segments[self.start : self.start + len(self.old)] = self.new

    def undo(self, doc: AlignmentDocument) -> None:
        doc.tier(self.tier).segments[self.start : self.start + len(self.new)] = self.old

    @property
    def kind(self) -> str:
        if len(self.old) != len(self.new):
            return "structure"
        if any(a.label != b.label for a, b in zip(self.old, self.new, strict=True)):
            return "label"
        return "boundary"


class _Draft:
    """Copy-on-first-touch segment lists of the tiers an edit is computing; diffed into splices."""

    def __init__(self, doc: AlignmentDocument) -> None:
        self.doc = doc
        self._lists: dict[str, list[Segment]] = {}

    def segs(self, name: str) -> list[Segment]:
        if name not in self._lists:
            self._lists[name] = list(self.doc.tier(name).segments)
        return self._lists[name]

    def splices(self) -> list[_Splice]:
        out: list[_Splice] = []
        for name, new in self._lists.items():
            old = self.doc.tier(name).segments
            n = min(len(old), len(new))
            p = _same_run(old, new)
            q = min(_same_run(reversed(old), reversed(new)), n - p)
            if p + q < len(old) or p + q < len(new):
                out.append(
                    _Splice(name, p, tuple(old[p : len(old) - q]), tuple(new[p : len(new) - q]))
                )
        return out


class Edit(ABC):
    """One undoable change. Subclasses compute it in ``_build`` from a draft of the document."""

    text: str  # for the undo menu, e.g. "Move boundary of 'hello'"

    def __init__(self, tier: str, text: str) -> None:
        self.tier = tier
        self.text = text
        self._kind = "structure"  # of the change on self.tier, for subscribers
        self._index: int | None = None
        self._splices: list[_Splice] | None = None
        self._applied = False

    @property
    def changed(self) -> bool:
        """After the first apply: whether the edit changed anything (a clamped no-op does not)."""
        return bool(self._splices)

    def apply(self, doc: AlignmentDocument) -> None:
        if self._applied:
            raise RuntimeError(f"{type(self).__name__} is already applied")
        if self._splices is None:
            draft = _Draft(doc)
            self._build(doc, draft)  # raises ValueError before anything is changed
            self._splices = draft.splices()
        for splice in self._splices:
            splice.do(doc)
        self._applied = True
        self._notify(doc)

    def revert(self, doc: AlignmentDocument) -> None:
        if not self._applied or self._splices is None:
            raise RuntimeError(f"{type(self).__name__} is not applied")
        for splice in reversed(self._splices):
            splice.undo(doc)
        self._applied = False
        self._notify(doc)

    def merge(self, other: Edit) -> bool:
        """Absorb ``other`` (applied right after this one) into this edit; True if done."""
        return False

    @abstractmethod
    def _build(self, doc: AlignmentDocument, draft: _Draft) -> None: ...

    def _notify(self, doc: AlignmentDocument) -> None:
        if not self._splices:
            return
        doc.notify(DocumentChange(self.tier, self._kind, self._index))
        kinds: dict[str, str] = {}
        for splice in self._splices:
            if splice.tier != self.tier:
                previous = kinds.get(splice.tier, "boundary")
                kinds[splice.tier] = max(previous, splice.kind, key=_KIND_RANK.__getitem__)
        for name, kind in kinds.items():
            doc.notify(DocumentChange(name, kind, None))


_KIND_RANK = {"boundary": 0, "label": 1, "structure": 2}


# -- the edits ---------------------------------------------------------------------------------


class MoveBoundary(Edit):
    """Move boundary ``index`` (the start of segment ``index``; for a point tier, point ``index``).

    The time is clamped so that no segment becomes shorter than MIN_SEGMENT. Descendant tiers
    follow: their boundaries that coincide with the moved one (within 1e-9 s) move with it, and
    those the shrinking segment would run over are pushed ahead of it, each kept MIN_SEGMENT
    apart ("snow plough"); the others stay where they are. A boundary of a child tier cannot leave
    the labelled parent segment its labelled neighbours belong to.
    """

    def __init__(self, tier: str, index: int, new_time: float, drag_id: int | None = None) -> None:
        super().__init__(tier, "Move boundary")
        self.index = index
        self.new_time = float(new_time)
        self.drag_id = drag_id
        self.applied_time: float | None = None  # where the boundary ended up (after clamping)
        self._kind = "boundary"
        self._index = index

    def merge(self, other: Edit) -> bool:
        if (
            not isinstance(other, MoveBoundary)
            or self.drag_id is None
            or (other.tier, other.index, other.drag_id) != (self.tier, self.index, self.drag_id)
            or self._splices is None
            or other._splices is None
            or not (self._applied and other._applied)
        ):
            return False
        self._splices = _compose(self._splices, other._splices)
        self.new_time = other.new_time
        if other.applied_time is not None:
            self.applied_time = other.applied_time
        return True

    def _build(self, doc: AlignmentDocument, draft: _Draft) -> None:
        tier = doc.tier(self.tier)
        segs = draft.segs(self.tier)
        i = self.index
        if tier.is_point_tier:
            _check_index(tier, i, 0, len(segs) - 1, "point")
            lo = segs[i - 1].start + MIN_SEGMENT if i > 0 else 0.0
            hi = segs[i + 1].start - MIN_SEGMENT if i + 1 < len(segs) else doc.duration
            self.text = f"Move point {segs[i].label!r}"
            self.applied_time = segs[i].start
            if lo <= hi:
                t = min(max(self.new_time, lo), hi)
                if t != segs[i].start:
                    segs[i] = replace(segs[i], start=t, end=t)
                    self.applied_time = t
            return
        _check_index(tier, i, 1, len(segs) - 1, "boundary")
        old, left, right = segs[i].start, segs[i - 1].start, segs[i].end
        self.text = f"Move boundary of {(segs[i].label or segs[i - 1].label or tier.name)!r}"
        self.applied_time = old
        descendants = doc.descendants(self.tier)
        k_left = k_right = 0
        for child in descendants:
            inner = [child.segments[k].start for k in _starts_between(child.segments, left, right)]
            k_left = max(
                k_left, sum(left + TIME_TOLERANCE < c < old - TIME_TOLERANCE for c in inner)
            )
            k_right = max(
                k_right, sum(old + TIME_TOLERANCE < c < right - TIME_TOLERANCE for c in inner)
            )
        lo = left + MIN_SEGMENT * (1 + k_left)
        hi = right - MIN_SEGMENT * (1 + k_right)
        if tier.parent is not None:
            parent = doc.tier(tier.parent)
            if segs[i - 1].label:
                hi = min(hi, _containing(parent, segs[i - 1].start).end)
            if segs[i].label:
                lo = max(lo, _containing(parent, segs[i].start).start)
        if lo > hi:
            return  # no room to move at all
        t = min(max(self.new_time, lo), hi)
        if t == old:
            return
        segs[i - 1] = replace(segs[i - 1], end=t)
        segs[i] = replace(segs[i], start=t)
        self.applied_time = t
        for child in descendants:
            _follow(draft.segs(child.name), old, t, left, right)


class SetLabel(Edit):
    """Relabel segment (or point) ``index``. Relabelling a parent segment to "" silences the
    descendant segments inside it; a child segment may only get a label inside a labelled
    parent segment."""

    def __init__(self, tier: str, index: int, new_label: str) -> None:
        super().__init__(tier, "Relabel")
        self.index = index
        self.new_label = new_label
        self._kind = "label"
        self._index = index

    def _build(self, doc: AlignmentDocument, draft: _Draft) -> None:
        tier = doc.tier(self.tier)
        segs = draft.segs(self.tier)
        _check_index(tier, self.index, 0, len(segs) - 1, "segment")
        seg = segs[self.index]
        self.text = f"Relabel {seg.label!r} as {self.new_label!r}"
        if seg.label == self.new_label:
            return
        if tier.parent is not None and self.new_label:
            _require_inside_parent(doc, tier, seg.start, seg.end, self.new_label)
        segs[self.index] = replace(seg, label=self.new_label)
        if not self.new_label and not tier.is_point_tier:
            for child in doc.descendants(self.tier):
                _clear_range(draft.segs(child.name), seg.start, seg.end)


class InsertBoundary(Edit):
    """Split the segment containing ``time``; the new right part is "" with no score.

    Splitting a labelled parent segment silences the descendants in the new right part. A time
    within MIN_SEGMENT of a descendant boundary snaps onto it.
    """

    def __init__(self, tier: str, time: float) -> None:
        super().__init__(tier, "Insert boundary")
        self.time = float(time)
        self._kind = "structure"

    def _build(self, doc: AlignmentDocument, draft: _Draft) -> None:
        tier = _interval_tier(doc, self.tier)
        segs = draft.segs(self.tier)
        i = doc.segment_at(self.tier, self.time)
        if i is None:
            raise ValueError(
                f"{self.time:.3f} s is outside the document (0 to {doc.duration:.3f} s)."
            )
        seg = segs[i]
        descendants = doc.descendants(self.tier) if seg.label else []
        t = self.time
        inner = [
            child.segments[k].start
            for child in descendants
            for k in _starts_between(child.segments, seg.start, seg.end)
        ]
        near = [c for c in inner if seg.start < c < seg.end and abs(c - t) < MIN_SEGMENT]
        if near:
            t = min(near, key=lambda c: abs(c - t))
        if not seg.start + MIN_SEGMENT <= t <= seg.end - MIN_SEGMENT:
            raise ValueError(
                f"Cannot split tier {tier.name!r} at {self.time:.3f} s: it is closer than "
                f"{MIN_SEGMENT * 1000:g} ms to an existing boundary."
            )
        if any(0 < abs(c - t) < MIN_SEGMENT for c in inner):
            raise ValueError(
                f"Cannot split tier {tier.name!r} at {self.time:.3f} s: it falls within "
                f"{MIN_SEGMENT * 1000:g} ms of boundaries of its sub-tiers."
            )
        self.text = f"Split {seg.label!r}" if seg.label else f"Insert boundary in {tier.name!r}"
        self._index = i
        segs[i : i + 1] = [replace(seg, end=t), Segment(t, seg.end, "")]
        for child in descendants:
            _clear_range(draft.segs(child.name), t, seg.end)


class RemoveBoundary(Edit):
    """Merge segments ``index - 1`` and ``index``: labels joined with a space when both are
    non-empty; descendant boundaries inside are kept."""

    def __init__(self, tier: str, index: int) -> None:
        super().__init__(tier, "Remove boundary")
        self.index = index
        self._kind = "structure"
        self._index = index - 1

    def _build(self, doc: AlignmentDocument, draft: _Draft) -> None:
        tier = _interval_tier(doc, self.tier)
        segs = draft.segs(self.tier)
        _check_index(tier, self.index, 1, len(segs) - 1, "boundary")
        a, b = segs[self.index - 1], segs[self.index]
        label = " ".join(x for x in (a.label, b.label) if x)
        if a.label and b.label:
            score = None if a.score is None or b.score is None else min(a.score, b.score)
        else:
            score = a.score if a.label else b.score if b.label else None
        aligned = (a.aligned or not a.label) and (b.aligned or not b.label)
        merged = Segment(a.start, b.end, label, score, aligned)
        if tier.parent is not None and label:
            _require_inside_parent(doc, tier, merged.start, merged.end, label)
        self.text = f"Merge {a.label!r} and {b.label!r}"
        segs[self.index - 1 : self.index + 1] = [merged]


class InsertWord(Edit):
    """Insert a labelled segment ``[start, end)`` inside one silence ("") segment.

    An edge closer than MIN_SEGMENT to the silence's edge snaps onto it (no sliver of silence is
    left). Raises ValueError when the span is not inside a single silence.
    """

    def __init__(self, tier: str, start: float, end: float, label: str) -> None:
        super().__init__(tier, f"Insert {label!r}")
        self.start = float(start)
        self.end = float(end)
        self.label = label
        self._kind = "structure"

    def _build(self, doc: AlignmentDocument, draft: _Draft) -> None:
        tier = _interval_tier(doc, self.tier)
        segs = draft.segs(self.tier)
        if not self.label:
            raise ValueError("A word to insert needs a non-empty label.")
        if not self.end > self.start:
            raise ValueError(f"Cannot insert {self.label!r}: its end is not after its start.")
        i = doc.segment_at(self.tier, self.start)
        if i is None:
            raise ValueError(
                f"{self.start:.3f} s is outside the document (0 to {doc.duration:.3f} s)."
            )
        seg = segs[i]
        if seg.label:
            raise ValueError(
                f"Cannot insert {self.label!r} at {self.start:.3f} s in tier {tier.name!r}: "
                f"{seg.label!r} is there (words can only be inserted into silence)."
            )
        if self.end > seg.end + TIME_TOLERANCE:
            raise ValueError(
                f"Cannot insert {self.label!r} up to {self.end:.3f} s in tier {tier.name!r}: "
                f"the silence ends at {seg.end:.3f} s."
            )
        s = seg.start if self.start - seg.start < MIN_SEGMENT else self.start
        e = seg.end if seg.end - self.end < MIN_SEGMENT else self.end
        if e - s < MIN_SEGMENT:
            raise ValueError(
                f"Cannot insert {self.label!r}: it would be shorter than {MIN_SEGMENT * 1000:g} ms."
            )
        if tier.parent is not None:
            _require_inside_parent(doc, tier, s, e, self.label)
        pieces = [Segment(s, e, self.label)]
        if s > seg.start:
            pieces.insert(0, replace(seg, end=s))
        if e < seg.end:
            pieces.append(replace(seg, start=e))
        self._index = i + (1 if s > seg.start else 0)
        segs[i : i + 1] = pieces


class DeleteWord(Edit):
    """Turn labelled segment ``index`` into silence, merged with neighbouring silences; the
    descendant segments inside it become one silence too."""

    def __init__(self, tier: str, index: int) -> None:
        super().__init__(tier, "Delete word")
        self.index = index
        self._kind = "structure"

    def _build(self, doc: AlignmentDocument, draft: _Draft) -> None:
        tier = _interval_tier(doc, self.tier)
        segs = draft.segs(self.tier)
        _check_index(tier, self.index, 0, len(segs) - 1, "segment")
        seg = segs[self.index]
        if not seg.label:
            raise ValueError(f"Segment {self.index} of tier {tier.name!r} is already silence.")
        self.text = f"Delete {seg.label!r}"
        a = self.index - 1 if self.index > 0 and not segs[self.index - 1].label else self.index
        b = (
            self.index + 1
            if self.index + 1 < len(segs) and not segs[self.index + 1].label
            else self.index
        )
        self._index = a
        segs[a : b + 1] = [Segment(segs[a].start, segs[b].end, "")]
        for child in doc.descendants(self.tier):
            _clear_range(draft.segs(child.name), seg.start, seg.end)


# -- helpers -----------------------------------------------------------------------------------


def _check_index(tier: Tier, index: int, lo: int, hi: int, what: str) -> None:
    if not lo <= index <= hi:
        raise ValueError(f"Tier {tier.name!r} has no {what} {index} (valid: {lo} to {hi}).")


def _interval_tier(doc: AlignmentDocument, name: str) -> Tier:
    tier = doc.tier(name)
    if tier.is_point_tier:
        raise ValueError(
            f"Tier {name!r} is a point tier: its points can only be moved and relabelled."
        )
    return tier


def _start(seg: Segment) -> float:
    return seg.start


def _end(seg: Segment) -> float:
    return seg.end


def _same_run(a: Iterable[Segment], b: Iterable[Segment]) -> int:
    """Length of the common leading run of identical objects (a C-speed scan)."""
    same = list(map(operator.is_, a, b))
    return same.index(False) if False in same else len(same)


def _starts_between(segs: list[Segment], lo: float, hi: float) -> range:
    """Indices k >= 1 of the segments whose start (boundary k) lies in [lo, hi]."""
    a = max(1, bisect.bisect_left(segs, lo, key=_start))
    return range(a, bisect.bisect_right(segs, hi, key=_start))


def _containing(tier: Tier, time: float) -> Segment:
    """The segment of ``tier`` that contains ``time`` (tolerant at its start)."""
    k = bisect.bisect_right(tier.segments, time + TIME_TOLERANCE, key=_start) - 1
    return tier.segments[min(max(k, 0), len(tier.segments) - 1)]


def _require_inside_parent(
    doc: AlignmentDocument, tier: Tier, start: float, end: float, label: str
) -> None:
    assert tier.parent is not None
    if not inside_labelled(doc.tier(tier.parent), start, end):
        raise ValueError(
            f"{label!r} in tier {tier.name!r} must lie inside one labelled segment of "
            f"its parent tier {tier.parent!r}."
        )


def _follow(segs: list[Segment], old: float, t: float, left: float, right: float) -> None:
    """Move a descendant tier's boundaries along with a parent boundary going from old to t
    inside [left, right]: coincident ones move to t, those in the way are pushed ahead."""
    ks = _starts_between(segs, left - TIME_TOLERANCE, right + TIME_TOLERANCE)
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


def _split_at(segs: list[Segment], t: float) -> None:
    """Split the labelled segment strictly containing ``t`` into two with the same label."""
    k = bisect.bisect_right(segs, t, key=_start) - 1
    if k < 0:
        return
    seg = segs[k]
    if seg.label and seg.start + TIME_TOLERANCE < t < seg.end - TIME_TOLERANCE:
        segs[k : k + 1] = [replace(seg, end=t), replace(seg, start=t)]


def _clear_range(segs: list[Segment], start: float, end: float) -> None:
    """Silence everything of a descendant tier inside [start, end) as one "" segment (merged
    with adjacent silences); labelled segments straddling the edges keep their outer part."""
    _split_at(segs, start)
    _split_at(segs, end)
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


def _compose(first: list[_Splice], second: list[_Splice]) -> list[_Splice]:
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
                out[last] = _Splice(splice.tier, prev.start, prev.old, splice.new)
                continue
        out.append(splice)
    return out
