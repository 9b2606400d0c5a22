"""The editor's editing rules, free of Qt: which tier a key acts on, and which edit a key or a
menu command makes there.

Each operation takes the document, a tier name and a time or an index, and returns the
:class:`~aligner_gui.core.document.edits.Edit` to apply, or raises :class:`Refusal` with the
sentence to show the user. Applying the edit may still raise ``ValueError`` (the edits check
the invariants themselves); nothing is changed in either case. The rules:

* Insert (Return) acts on the tier the user is in: an interval tier is split at the time, a
  point tier gets a point there.
* Remove (Backspace) removes the boundary (or point) nearest the time, within a tolerance.
* Delete removes the selected item: a word becomes silence, a point disappears.
* A new word fills a short silence, or takes ``NEW_WORD_SECONDS`` around the time in a long one.
"""

from __future__ import annotations

from aligner_gui.core.document.document import AlignmentDocument, Segment
from aligner_gui.core.document.edits import (
    DeleteWord,
    Edit,
    InsertBoundary,
    InsertWord,
    RemoveBoundary,
    SetLabel,
)
from aligner_gui.core.document.point_edits import AddPoint, RemovePoint

__all__ = [
    "NEW_WORD_SECONDS",
    "Refusal",
    "acting_tier",
    "delete_item",
    "describe_item",
    "insert_at",
    "new_word",
    "relabel",
    "remove_at",
]

NEW_WORD_SECONDS = 0.3  # width of a word inserted into a long silence


class Refusal(ValueError):
    """An edit the rules do not allow here; the message is the sentence to show."""


def acting_tier(
    doc: AlignmentDocument, selected: str | None, active: str | None = None
) -> str | None:
    """The tier a key acts on: the selected item's, else the one the user last clicked in,
    else the first tier; None for a document without tiers."""
    names = doc.tier_names()
    for name in (selected, active):
        if name is not None and name in names:
            return name
    return names[0] if names else None


def insert_at(doc: AlignmentDocument, tier: str, time: float) -> Edit:
    """Split interval tier ``tier`` at ``time``, or add a point there if it is a point tier."""
    if doc.tier(tier).is_point_tier:
        return AddPoint(tier, time)
    return InsertBoundary(tier, time)


def remove_at(doc: AlignmentDocument, tier: str, time: float, tolerance: float) -> Edit:
    """Remove the boundary (interval tier) or point (point tier) nearest ``time``, if it is
    within ``tolerance`` seconds."""
    t = doc.tier(tier)
    times = doc.boundaries(tier)
    first = 0 if t.is_point_tier else 1  # boundaries(t)[k] is boundary k + first
    what = "point" if t.is_point_tier else "boundary"
    if not times:
        raise Refusal(f"Tier {tier!r} has no {what} to remove.")
    k = min(range(len(times)), key=lambda j: abs(times[j] - time))
    if abs(times[k] - time) > tolerance:
        raise Refusal(f"No {what} of tier {tier!r} at the cursor ({time:.3f} s).")
    if t.is_point_tier:
        return RemovePoint(tier, k)
    return RemoveBoundary(tier, k + first)


def delete_item(doc: AlignmentDocument, tier: str, index: int) -> Edit:
    """Delete item ``index``: a point is removed, a word becomes silence (with its sub-tier
    segments, which belong to it)."""
    if doc.tier(tier).is_point_tier:
        return RemovePoint(tier, index)
    return DeleteWord(tier, index)


def relabel(doc: AlignmentDocument, tier: str, index: int, label: str) -> Edit:
    """Give item ``index`` of ``tier`` the label ``label``."""
    segs = doc.tier(tier).segments
    if not 0 <= index < len(segs):
        raise Refusal(f"Tier {tier!r} has no item {index}.")
    return SetLabel(tier, index, label)


def new_word(doc: AlignmentDocument, tier: str, time: float, label: str) -> Edit:
    """A word ``label`` in the silence at ``time``: all of a silence up to twice
    NEW_WORD_SECONDS long, else NEW_WORD_SECONDS centred on ``time`` (kept inside it)."""
    t = doc.tier(tier)
    if t.is_point_tier:
        raise Refusal(f"Tier {tier!r} is a point tier: press Return to add a point.")
    index = doc.segment_at(tier, time)
    if index is None:
        raise Refusal(f"{time:.3f} s is outside the document (0 to {doc.duration:.3f} s).")
    seg = t.segments[index]
    if seg.label:
        raise Refusal("A word can only be inserted in a silence.")
    if not label:
        raise Refusal("A new word needs a label.")
    start, end = seg.start, seg.end
    if end - start > 2 * NEW_WORD_SECONDS:
        half = NEW_WORD_SECONDS / 2
        centre = min(max(time, start + half), end - half)
        start, end = centre - half, centre + half
    return InsertWord(tier, start, end, label)


def describe_item(doc: AlignmentDocument, tier: str, index: int) -> str | None:
    """One line for the status bar: an interval with its span and length, a point with its
    time; None when there is no such item."""
    try:
        t = doc.tier(tier)
        seg: Segment = t.segments[index]
    except (KeyError, IndexError):
        return None
    if index < 0:
        return None
    if t.is_point_tier:
        return f"{tier}: point “{seg.label or '(no label)'}” at {seg.start:.3f} s"
    return (
        f"{tier}: “{seg.label or '(silence)'}” {seg.start:.3f}–{seg.end:.3f} s "
        f"({1000 * (seg.end - seg.start):.0f} ms)"
    )
