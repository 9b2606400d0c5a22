"""The editable alignment: named tiers of segments, the single source of truth of the editor.

The tiers' shape (partitions, nesting) is described in :mod:`aligner_gui.core.document.tiers`.
The document is only read here; it is changed exclusively by the edits of
:mod:`aligner_gui.core.document.edits`, which notify the subscribers registered with :meth:`subscribe`.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import TYPE_CHECKING

# Re-exported: the document's building blocks are imported from here by most of the code.
from aligner_gui.core.document.tiers import (
    CHAR_TIER,
    MIN_SEGMENT,
    SNAP,
    TIME_TOLERANCE,
    WORD_TIER,
    DocumentChange,
    Segment,
    Subscriber,
    Tier,
    inside_one_segment,
    nesting_problems,
    partition,
    tier_problems,
    unique_name,
)

if TYPE_CHECKING:
    from aligner_gui.core.alignment.pipeline import AlignmentResult
    from aligner_gui.core.document.provenance import Provenance
    from aligner_gui.core.io.audio import Audio
    from aligner_gui.core.io.textgrid import TextGrid

__all__ = [
    "CHAR_TIER",
    "MIN_SEGMENT",
    "SNAP",
    "TIME_TOLERANCE",
    "WORD_TIER",
    "AlignmentDocument",
    "DocumentChange",
    "Segment",
    "Subscriber",
    "Tier",
    "inside_one_segment",
    "partition",
    "unique_name",
]


class AlignmentDocument:
    """Tiers over ``[0, duration]`` plus the audio and engine result they came from (if any)."""

    def __init__(
        self,
        tiers: Sequence[Tier],
        duration: float,
        audio: Audio | None = None,
        result: AlignmentResult | None = None,
        xmin: float = 0.0,
        provenance: Provenance | None = None,
        xmax: float | None = None,
    ) -> None:
        from aligner_gui.core.document.provenance import Provenance

        self.duration = float(duration)
        self.audio = audio
        self.result = result
        # What the outputs record beside the tiers (model, audio file, doubt, warnings).
        self.provenance = provenance or Provenance.from_audio(audio)
        self.tiers: list[Tier] = list(tiers)
        # The TextGrid's own xmin when it did not start at 0 (an excerpt of a longer recording):
        # the document always starts at 0, export restores the original start. Likewise its own
        # xmax, which may be shorter than the audio: export keeps it (see domains).
        self.xmin = float(xmin)
        self.xmax = self.duration if xmax is None else float(xmax)
        self.warnings: list[str] = []  # for the user, about how the document was made
        self._subscribers: list[Subscriber] = []
        problems = self.structure_problems()
        if problems:
            raise ValueError("invalid document: " + "; ".join(problems[:3]))

    # -- queries ---------------------------------------------------------------------------------

    def tier(self, name: str) -> Tier:
        for tier in self.tiers:
            if tier.name == name:
                return tier
        raise KeyError(f"no tier named {name!r}")

    def tier_names(self) -> list[str]:
        return [tier.name for tier in self.tiers]

    def children(self, name: str) -> list[Tier]:
        """Tiers whose parent is ``name`` (direct children only)."""
        return [tier for tier in self.tiers if tier.parent == name]

    def descendants(self, name: str) -> list[Tier]:
        """Children, grandchildren, ... of ``name``, parents before their children."""
        out: list[Tier] = []
        seen = {name}
        queue = [name]
        while queue:
            for child in self.children(queue.pop(0)):
                if child.name not in seen:  # a (malformed) cycle must not loop forever
                    seen.add(child.name)
                    out.append(child)
                    queue.append(child.name)
        return out

    def boundaries(self, tier_name: str) -> list[float]:
        """Times of the movable boundaries.

        Interval tier: the internal boundaries, ``boundaries(t)[k]`` is boundary index ``k + 1``
        (the start of segment ``k + 1``; index 0 and the end are the fixed tier edges).
        Point tier: every point, ``boundaries(t)[k]`` is point index ``k``.
        """
        tier = self.tier(tier_name)
        if tier.is_point_tier:
            return [seg.start for seg in tier.segments]
        return [seg.start for seg in tier.segments[1:]]

    def segment_at(self, tier_name: str, time: float) -> int | None:
        """Index of the segment with ``start <= time < end`` (the last one also owns ``duration``).

        Point tier: the point nearest to ``time``. None outside ``[0, duration]`` or when empty.
        """
        tier = self.tier(tier_name)
        segs = tier.segments
        if not segs:
            return None
        i = bisect.bisect_right(segs, time, key=lambda s: s.start) - 1
        if tier.is_point_tier:
            candidates = [k for k in (i, i + 1) if 0 <= k < len(segs)]
            return min(candidates, key=lambda k: abs(segs[k].start - time))
        if time < 0.0 or time > self.duration or i < 0:
            return None
        return min(i, len(segs) - 1)

    # -- notification ----------------------------------------------------------------------------

    def subscribe(self, callback: Subscriber) -> None:
        if callback not in self._subscribers:
            self._subscribers.append(callback)

    def unsubscribe(self, callback: Subscriber) -> None:
        if callback in self._subscribers:
            self._subscribers.remove(callback)

    def notify(self, change: DocumentChange) -> None:
        """Tell every subscriber; called by the edits after they changed the document."""
        for callback in list(self._subscribers):  # a callback may unsubscribe itself
            callback(change)

    # -- invariants ------------------------------------------------------------------------------

    def structure_problems(self) -> list[str]:
        """Violations of the partition invariants (empty when the document is well-formed)."""
        problems: list[str] = []
        if not self.duration > 0.0:
            problems.append(f"duration {self.duration} is not positive")
        names = self.tier_names()
        for tier in self.tiers:
            if names.count(tier.name) > 1:
                problems.append(f"tier name {tier.name!r} is not unique")
            if tier.parent is not None and (tier.parent not in names or tier.parent == tier.name):
                problems.append(f"tier {tier.name!r} has an unknown parent {tier.parent!r}")
            problems += tier_problems(tier, self.duration)
        return problems

    def problems(self) -> list[str]:
        """All invariant violations: the partitions, and every child tier's labelled segments
        lying inside one segment of its parent."""
        problems = self.structure_problems()
        if problems:
            return problems
        for tier in self.tiers:
            if tier.parent is not None:
                problems += nesting_problems(tier, self.tier(tier.parent))
        return problems

    # -- construction and export -----------------------------------------------------------------

    @classmethod
    def from_alignment(cls, result: AlignmentResult) -> AlignmentDocument:
        """Tiers "words" and "phones" or "chars" (parent "words") from the engine's output."""
        from aligner_gui.core.document.conversion import document_from_alignment

        return document_from_alignment(result)

    @classmethod
    def from_textgrid(cls, tg: TextGrid, audio: Audio | None = None) -> AlignmentDocument:
        """Every tier of ``tg``; see :func:`~aligner_gui.core.document.conversion.document_from_textgrid`."""
        from aligner_gui.core.document.conversion import document_from_textgrid

        return document_from_textgrid(tg, audio)

    def to_textgrid(self) -> TextGrid:
        """A Praat TextGrid of every tier, "" segments included (Praat tiers have no gaps).

        The grid and each tier keep their own domain from the file they came from, grown only as
        far as labels now lie outside it (export never cuts away a label).
        """
        from aligner_gui.core.document.conversion import textgrid_from_document

        return textgrid_from_document(self)
