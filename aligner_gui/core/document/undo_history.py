"""The undo history as a recovery file keeps it, so that a document restored after a crash can
still be undone step by step, as it could before the crash.

Every edit of segments (boundaries, labels, words, points) is a list of splices: the run of
segments it replaced and the run it put there (:mod:`aligner_gui.core.document.tier_splices`).
Those are kept, as rows like the tiers' own, and come back as :class:`RestoredEdit` steps that
undo and redo exactly what the lost edits did. An edit of the list of tiers (add, rename,
delete, duplicate, move) holds whole tiers rather than splices: the history kept starts after
the last of those, as it would after Clear. A history that does not lead to the document it is
saved with (a damaged file) is dropped, never applied: the document is what must survive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aligner_gui.core.document.document import AlignmentDocument, Segment, Tier
from aligner_gui.core.document.edits import Edit
from aligner_gui.core.document.tier_edits import TierEdit
from aligner_gui.core.document.tier_splices import Draft, Splice

# The most recent steps kept: enough for any session's undoing, bounded for the autosave.
HISTORY_LIMIT = 1000


@dataclass(frozen=True)
class HistoryStep:
    """One applied edit, as its splices and what it tells subscribers."""

    text: str  # for the undo menu
    tier: str
    kind: str  # the DocumentChange kind on ``tier``
    index: int | None
    splices: tuple[Splice, ...]


def history_of(edits: Sequence[Edit]) -> tuple[HistoryStep, ...]:
    """The steps of ``edits`` (the undo stack's, oldest first, all applied) that can be kept:
    those after the last tier-list edit, the most recent ``HISTORY_LIMIT``."""
    steps: list[HistoryStep] = []
    for edit in edits:
        if isinstance(edit, TierEdit) or not edit.splices:
            steps = []  # nothing before a change of the tier list can be replayed on this one
            continue
        kind, index = edit.change
        steps.append(HistoryStep(edit.text, edit.tier, kind, index, edit.splices))
    return tuple(steps[-HISTORY_LIMIT:])


class RestoredEdit(Edit):
    """A step of a restored history: already applied; undo and redo put its splices back."""

    def __init__(self, step: HistoryStep) -> None:
        super().__init__(step.tier, step.text)
        self._kind, self._index = step.kind, step.index
        self._splices = list(step.splices)
        self._applied = True

    def _build(self, doc: AlignmentDocument, draft: Draft) -> None:  # pragma: no cover
        raise RuntimeError("a restored edit is never built: it has its splices")


# -- as JSON ------------------------------------------------------------------------------------


def segment_row(segment: Segment) -> list[Any]:
    """A segment as a recovery file's row."""
    return [segment.start, segment.end, segment.label, segment.score, segment.aligned]


def segment_from_row(row: Sequence[Any]) -> Segment:
    start, end, label, score, aligned = row
    return Segment(
        float(start), float(end), str(label), None if score is None else float(score),
        bool(aligned),
    )  # fmt: skip


def encode_history(steps: Sequence[HistoryStep]) -> list[dict[str, Any]]:
    return [
        {
            "text": step.text,
            "tier": step.tier,
            "kind": step.kind,
            "index": step.index,
            "splices": [
                {
                    "tier": splice.tier,
                    "start": splice.start,
                    "old": [segment_row(s) for s in splice.old],
                    "new": [segment_row(s) for s in splice.new],
                }
                for splice in step.splices
            ],
        }
        for step in steps
    ]


def decode_history(data: Any) -> tuple[HistoryStep, ...]:
    """Steps read back; ValueError, TypeError or KeyError when ``data`` is not a history."""
    if not isinstance(data, list):
        raise TypeError("the history is not a list")
    return tuple(
        HistoryStep(
            str(step["text"]),
            str(step["tier"]),
            str(step["kind"]),
            None if step["index"] is None else int(step["index"]),
            tuple(
                Splice(
                    str(s["tier"]),
                    int(s["start"]),
                    tuple(segment_from_row(r) for r in s["old"]),
                    tuple(segment_from_row(r) for r in s["new"]),
                )
                for s in step["splices"]
            ),
        )
        for step in data
    )


def leads_to(steps: Sequence[HistoryStep], tiers: Sequence[Tier], **document: Any) -> bool:
    """Whether undoing ``steps`` from ``tiers`` (the saved document's) finds, at every splice,
    the very segments the step put there, and ends in a document that keeps every invariant
    (``document``: the other arguments of :class:`AlignmentDocument`). Works on copies."""
    copies = {t.name: list(t.segments) for t in tiers}
    for step in reversed(steps):
        for splice in reversed(step.splices):
            segments = copies.get(splice.tier)
            end = splice.start + len(splice.new)
            if segments is None or splice.start < 0 or end > len(segments):
                return False
            if segments[splice.start : end] != list(splice.new):
                return False
            segments[splice.start : end] = splice.old
    before = [
        Tier(t.name, copies[t.name], t.parent, t.is_point_tier, t.source_name, t.source_domain)
        for t in tiers
    ]
    try:
        AlignmentDocument(before, **document)
    except ValueError:
        return False
    return True
