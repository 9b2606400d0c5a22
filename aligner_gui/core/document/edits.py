"""The only way to change an AlignmentDocument: small, exactly reversible edits.

An edit is computed once, on its first ``apply``, as one *splice* per changed tier (the run of
segment objects it replaces and the run it puts there). ``revert`` puts the old objects back and a
later ``apply`` (redo) puts the new ones back, so undo/redo restore the document bit for bit and
never recompute anything. Segment objects are never mutated in place, which is what makes keeping
the old objects as the undo record safe. The splice/draft machinery and the tier operations the
edits are built from live in :mod:`aligner_gui.core.document.tier_splices`.

Invariants every edit keeps: each interval tier stays a contiguous partition of
``[0, duration]``; no edit makes a segment shorter than ``MIN_SEGMENT``; a child tier's labelled
segments stay inside one segment of its parent; no edit deletes a segment of another tier except
DeleteWord, whose word takes its own sub-tier segments with it.
An edit that cannot be applied raises ``ValueError`` with a readable sentence and changes nothing.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from dataclasses import replace

from aligner_gui.core.document.document import (
    MIN_SEGMENT,
    TIME_TOLERANCE,
    AlignmentDocument,
    DocumentChange,
    Segment,
)
from aligner_gui.core.document.tier_splices import (
    Draft,
    Splice,
    alone_limits,
    check_index,
    clean_cut,
    clear_range,
    compose,
    containing,
    follow,
    follow_limits,
    interval_tier,
    require_inside_parent,
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


class Edit(ABC):
    """One undoable change. Subclasses compute it in ``_build`` from a draft of the document."""

    text: str  # for the undo menu, e.g. "Move boundary of 'hello'"

    def __init__(self, tier: str, text: str) -> None:
        self.tier = tier
        self.text = text
        self._kind = "structure"  # of the change on self.tier, for subscribers
        self._index: int | None = None
        self._splices: list[Splice] | None = None
        self._applied = False

    @property
    def changed(self) -> bool:
        """After the first apply: whether the edit changed anything (a clamped no-op does not)."""
        return bool(self._splices)

    @property
    def splices(self) -> tuple[Splice, ...]:
        """What the applied edit replaced and put in each tier (empty before its first apply):
        what a recovery file keeps of it (:mod:`aligner_gui.core.document.undo_history`)."""
        return tuple(self._splices or ())

    @property
    def change(self) -> tuple[str, int | None]:
        """The DocumentChange kind and index it announces on its own tier."""
        return self._kind, self._index

    def apply(self, doc: AlignmentDocument) -> None:
        if self._applied:
            raise RuntimeError(f"{type(self).__name__} is already applied")
        if self._splices is None:
            draft = Draft(doc)
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
    def _build(self, doc: AlignmentDocument, draft: Draft) -> None: ...

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
    follow by the "stop, never push" rule: their boundaries that coincide with the moved one
    (within 1e-9 s) move with it, and the move stops where it would squeeze a descendant interval
    below MIN_SEGMENT or carry a descendant's labelled interval across the boundary (see
    :func:`~aligner_gui.core.document.tier_splices.follow_limits`); other descendant boundaries
    never move, so a drag never leaves slivers behind. A boundary of a child tier cannot carry
    a labelled segment out of the parent segment it lies in.

    ``alone``: the descendants do not follow; the boundary then stops where a labelled segment
    of a child tier would straddle it (see :func:`~aligner_gui.core.document.tier_splices.
    alone_limits`). ``exact``: raise ValueError instead of clamping (a move to a chosen time,
    such as a zero crossing, either lands there or does not happen).
    """

    def __init__(
        self,
        tier: str,
        index: int,
        new_time: float,
        drag_id: int | None = None,
        *,
        alone: bool = False,
        exact: bool = False,
    ) -> None:
        super().__init__(tier, "Move boundary")
        self.index = index
        self.new_time = float(new_time)
        self.drag_id = drag_id
        self.alone = alone
        self.exact = exact
        self.applied_time: float | None = None  # where the boundary ended up (after clamping)
        self._kind = "boundary"
        self._index = index

    def merge(self, other: Edit) -> bool:
        if (
            not isinstance(other, MoveBoundary)
            or self.drag_id is None
            or (other.tier, other.index, other.drag_id) != (self.tier, self.index, self.drag_id)
            or other.alone != self.alone
            or self._splices is None
            or other._splices is None
            or not (self._applied and other._applied)
        ):
            return False
        self._splices = compose(self._splices, other._splices)
        self.new_time = other.new_time
        if other.applied_time is not None:
            self.applied_time = other.applied_time
        return True

    def _build(self, doc: AlignmentDocument, draft: Draft) -> None:
        tier = doc.tier(self.tier)
        segs = draft.segs(self.tier)
        i = self.index
        if tier.is_point_tier:
            check_index(tier, i, 0, len(segs) - 1, "point")
            lo = segs[i - 1].start + MIN_SEGMENT if i > 0 else 0.0
            hi = segs[i + 1].start - MIN_SEGMENT if i + 1 < len(segs) else doc.duration
            self.text = f"Move point {segs[i].label!r}"
            self.applied_time = segs[i].start
            if lo <= hi:
                t = min(max(self.new_time, lo), hi)
                self._refuse_clamp(t, tier.name)
                if t != segs[i].start:
                    segs[i] = replace(segs[i], start=t, end=t)
                    self.applied_time = t
            return
        check_index(tier, i, 1, len(segs) - 1, "boundary")
        old, left, right = segs[i].start, segs[i - 1].start, segs[i].end
        self.text = f"Move boundary of {(segs[i].label or segs[i - 1].label or tier.name)!r}"
        self.applied_time = old
        descendants = [] if self.alone else doc.descendants(self.tier)
        lo, hi = left + MIN_SEGMENT, right - MIN_SEGMENT
        for child in descendants:
            child_lo, child_hi = follow_limits(child.segments, old, left, right)
            lo, hi = max(lo, child_lo), min(hi, child_hi)
        if self.alone:
            for child in doc.children(self.tier):
                child_lo, child_hi = alone_limits(child.segments, old)
                lo, hi = max(lo, child_lo), min(hi, child_hi)
        if tier.parent is not None:
            parent = doc.tier(tier.parent)
            if segs[i - 1].label:
                hi = min(hi, containing(parent, segs[i - 1].start).end)
            if segs[i].label:
                lo = max(lo, containing(parent, segs[i].start).start)
        if lo > hi:
            self._refuse_clamp(old, tier.name)
            return  # no room to move at all
        t = min(max(self.new_time, lo), hi)
        self._refuse_clamp(t, tier.name)
        if t == old:
            return
        segs[i - 1] = replace(segs[i - 1], end=t)
        segs[i] = replace(segs[i], start=t)
        self.applied_time = t
        for child in descendants:
            follow(draft.segs(child.name), old, t)

    def _refuse_clamp(self, landed: float, tier: str) -> None:
        if self.exact and abs(landed - self.new_time) > TIME_TOLERANCE:
            raise ValueError(
                f"Cannot move the boundary of tier {tier!r} to {self.new_time:.4f} s: a "
                f"neighbouring boundary or a linked tier is in the way."
            )


class SetLabel(Edit):
    """Relabel segment (or point) ``index``. The descendant segments inside it are kept whatever
    the new label (even ""); a child segment may only get a label inside one parent segment."""

    def __init__(self, tier: str, index: int, new_label: str) -> None:
        super().__init__(tier, "Relabel")
        self.index = index
        self.new_label = new_label
        self._kind = "label"
        self._index = index

    def _build(self, doc: AlignmentDocument, draft: Draft) -> None:
        tier = doc.tier(self.tier)
        segs = draft.segs(self.tier)
        check_index(tier, self.index, 0, len(segs) - 1, "segment")
        seg = segs[self.index]
        self.text = f"Relabel {seg.label!r} as {self.new_label!r}"
        if seg.label == self.new_label:
            return
        if tier.parent is not None and self.new_label:
            require_inside_parent(doc, tier, seg.start, seg.end, self.new_label)
        segs[self.index] = replace(seg, label=self.new_label)


class InsertBoundary(Edit):
    """Split the segment containing ``time``; the new right part is "" with no score.

    Nothing of any other tier is lost: descendant segments stay where they are (those in the new
    right part now lie under its silence). So that none is cut in two, the split lands on the
    clean cut nearest ``time`` (:func:`~aligner_gui.core.document.tier_splices.clean_cut`): a
    descendant boundary when ``time`` falls inside a labelled descendant segment or within
    MIN_SEGMENT of a descendant boundary. ``applied_time`` tells where it landed.
    """

    def __init__(self, tier: str, time: float) -> None:
        super().__init__(tier, "Insert boundary")
        self.time = float(time)
        self.applied_time: float | None = None
        self._kind = "structure"

    def _build(self, doc: AlignmentDocument, draft: Draft) -> None:
        tier = interval_tier(doc, self.tier)
        segs = draft.segs(self.tier)
        i = doc.segment_at(self.tier, self.time)
        if i is None:
            raise ValueError(
                f"{self.time:.3f} s is outside the document (0 to {doc.duration:.3f} s)."
            )
        seg = segs[i]
        if not seg.start + MIN_SEGMENT <= self.time <= seg.end - MIN_SEGMENT:
            raise ValueError(
                f"Cannot split tier {tier.name!r} at {self.time:.3f} s: it is closer than "
                f"{MIN_SEGMENT * 1000:g} ms to an existing boundary."
            )
        descendants = [child.segments for child in doc.descendants(self.tier)]
        t = clean_cut(descendants, seg.start, seg.end, self.time)
        if t is None:
            names = ", ".join(repr(child.name) for child in doc.descendants(self.tier))
            raise ValueError(
                f"Cannot split {seg.label or 'the silence'!r} in tier {tier.name!r}: every "
                f"place in it would cut an interval of {names} in two."
            )
        self.applied_time = t
        self.text = f"Split {seg.label!r}" if seg.label else f"Insert boundary in {tier.name!r}"
        self._index = i
        segs[i : i + 1] = [replace(seg, end=t), Segment(t, seg.end, "")]


class RemoveBoundary(Edit):
    """Merge segments ``index - 1`` and ``index``: labels joined with a space when both are
    non-empty; descendant boundaries inside are kept."""

    def __init__(self, tier: str, index: int) -> None:
        super().__init__(tier, "Remove boundary")
        self.index = index
        self._kind = "structure"
        self._index = index - 1

    def _build(self, doc: AlignmentDocument, draft: Draft) -> None:
        tier = interval_tier(doc, self.tier)
        segs = draft.segs(self.tier)
        check_index(tier, self.index, 1, len(segs) - 1, "boundary")
        a, b = segs[self.index - 1], segs[self.index]
        label = " ".join(x for x in (a.label, b.label) if x)
        if a.label and b.label:
            score = None if a.score is None or b.score is None else min(a.score, b.score)
        else:
            score = a.score if a.label else b.score if b.label else None
        aligned = (a.aligned or not a.label) and (b.aligned or not b.label)
        merged = Segment(a.start, b.end, label, score, aligned)
        if tier.parent is not None and label:
            require_inside_parent(doc, tier, merged.start, merged.end, label)
        self.text = f"Merge {a.label!r} and {b.label!r}"
        segs[self.index - 1 : self.index + 1] = [merged]


class InsertWord(Edit):
    """Insert a labelled segment ``[start, end)`` inside one silence ("") segment.

    An edge closer than MIN_SEGMENT to the silence's edge snaps onto it (no sliver of silence is
    left); an edge inside a labelled sub-tier segment moves to the nearest clean cut. Raises
    ValueError when the span is not inside a single silence.
    """

    def __init__(self, tier: str, start: float, end: float, label: str) -> None:
        super().__init__(tier, f"Insert {label!r}")
        self.start = float(start)
        self.end = float(end)
        self.label = label
        self._kind = "structure"

    def _build(self, doc: AlignmentDocument, draft: Draft) -> None:
        tier = interval_tier(doc, self.tier)
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
        # Sub-tier segments may lie under a silence (a split leaves them there): the new word's
        # edges move to the nearest places that cut none of them in two.
        descendants = [child.segments for child in doc.descendants(self.tier)]
        cut_s = s if s == seg.start else clean_cut(descendants, seg.start, seg.end, s)
        cut_e = e if e == seg.end else clean_cut(descendants, seg.start, seg.end, e)
        if cut_s is None or cut_e is None:
            raise ValueError(
                f"Cannot insert {self.label!r} there: it would cut sub-tier intervals in two."
            )
        s, e = cut_s, cut_e
        if e - s < MIN_SEGMENT:
            raise ValueError(
                f"Cannot insert {self.label!r}: it would be shorter than {MIN_SEGMENT * 1000:g} ms."
            )
        if tier.parent is not None:
            require_inside_parent(doc, tier, s, e, self.label)
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

    def _build(self, doc: AlignmentDocument, draft: Draft) -> None:
        tier = interval_tier(doc, self.tier)
        segs = draft.segs(self.tier)
        check_index(tier, self.index, 0, len(segs) - 1, "segment")
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
            clear_range(draft.segs(child.name), seg.start, seg.end)
