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
* Snapping moves the boundary (or point) nearest the time onto the nearest zero crossing of the
  audio between its neighbours; "move boundary to cursor" moves the nearest one to the time.
  Both land exactly there or are refused (a linked tier or a neighbour in the way).
"""

from __future__ import annotations

import contextlib
import math

from aligner_gui.core.document.document import MIN_SEGMENT, AlignmentDocument, Segment
from aligner_gui.core.document.edits import (
    DeleteWord,
    Edit,
    InsertBoundary,
    InsertWord,
    MoveBoundary,
    RemoveBoundary,
    SetLabel,
)
from aligner_gui.core.document.point_edits import AddPoint, RemovePoint
from aligner_gui.core.document.zero_crossing import nearest_zero_crossing

__all__ = [
    "NEW_WORD_SECONDS",
    "Refusal",
    "acting_tier",
    "delete_item",
    "describe_item",
    "insert_at",
    "move_boundary_to",
    "nearest_boundary",
    "new_word",
    "relabel",
    "remove_at",
    "snap_boundary",
    "snap_to_zero_crossing",
    "zero_crossing_near",
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


def insert_at(doc: AlignmentDocument, tier: str, time: float, snap: bool = False) -> Edit:
    """Split interval tier ``tier`` at ``time``, or add a point there if it is a point tier;
    with ``snap``, at the zero crossing nearest ``time`` (inside the same segment) instead."""
    if snap:
        index = doc.segment_at(tier, time)
        t = doc.tier(tier)
        if index is not None and not t.is_point_tier:
            seg = t.segments[index]
            lo, hi = seg.start + MIN_SEGMENT, seg.end - MIN_SEGMENT
        else:
            lo, hi = 0.0, doc.duration
        # The option applies where it can: in digital silence (no sign change) or without
        # audio the split stays at the cursor rather than being refused.
        with contextlib.suppress(Refusal):
            time = zero_crossing_near(doc, time, lo, hi)
    if doc.tier(tier).is_point_tier:
        return AddPoint(tier, time)
    return InsertBoundary(tier, time)


def nearest_boundary(
    doc: AlignmentDocument, tier: str, time: float, tolerance: float = math.inf
) -> int | None:
    """Index (as MoveBoundary counts: boundary k is the start of segment k; point k) of the
    movable boundary or point of ``tier`` nearest ``time``, if within ``tolerance`` seconds."""
    times = doc.boundaries(tier)
    if not times:
        return None
    k = min(range(len(times)), key=lambda j: abs(times[j] - time))
    if abs(times[k] - time) > tolerance:
        return None
    return k if doc.tier(tier).is_point_tier else k + 1


def _limits(doc: AlignmentDocument, tier: str, index: int) -> tuple[float, float]:
    """Where boundary (or point) ``index`` may go: strictly between its neighbours."""
    segs = doc.tier(tier).segments
    if doc.tier(tier).is_point_tier:
        lo = segs[index - 1].start + MIN_SEGMENT if index > 0 else 0.0
        hi = segs[index + 1].start - MIN_SEGMENT if index + 1 < len(segs) else doc.duration
        return lo, hi
    return segs[index - 1].start + MIN_SEGMENT, segs[index].end - MIN_SEGMENT


def zero_crossing_near(doc: AlignmentDocument, time: float, lo: float, hi: float) -> float:
    """The audio's zero crossing nearest ``time`` within [lo, hi]; Refusal without audio or
    without a crossing there."""
    audio = doc.audio
    if audio is None:
        raise Refusal("There is no audio to find a zero crossing in.")
    found = nearest_zero_crossing(audio.samples, audio.sample_rate, time, lo, hi)
    if found is None:
        raise Refusal(f"The audio has no zero crossing between {lo:.4f} and {hi:.4f} s.")
    return found


def snap_to_zero_crossing(
    doc: AlignmentDocument, tier: str, time: float, tolerance: float = math.inf
) -> Edit:
    """Move the boundary (or point) of ``tier`` nearest ``time`` onto the nearest zero crossing
    between its neighbours."""
    index = nearest_boundary(doc, tier, time, tolerance)
    if index is None:
        raise Refusal(f"No boundary of tier {tier!r} near the cursor ({time:.3f} s).")
    return snap_boundary(doc, tier, index)


def snap_boundary(
    doc: AlignmentDocument,
    tier: str,
    index: int,
    drag_id: int | None = None,
    *,
    alone: bool = False,
) -> Edit:
    """Move boundary (or point) ``index`` onto its nearest zero crossing (``drag_id``: as the
    last step of that drag, merged with it into one undo step; ``alone``: as that drag did)."""
    segs = doc.tier(tier).segments
    now = segs[index].start
    crossing = zero_crossing_near(doc, now, *_limits(doc, tier, index))
    return MoveBoundary(tier, index, crossing, drag_id, alone=alone, exact=True)


def move_boundary_to(doc: AlignmentDocument, tier: str, time: float) -> Edit:
    """Move the boundary (or point) of ``tier`` nearest ``time`` to ``time`` exactly."""
    index = nearest_boundary(doc, tier, time)
    if index is None:
        what = "point" if doc.tier(tier).is_point_tier else "boundary"
        raise Refusal(f"Tier {tier!r} has no {what} to move.")
    return MoveBoundary(tier, index, time, exact=True)


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
