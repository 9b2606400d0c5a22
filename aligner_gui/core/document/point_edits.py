"""Edits of point tiers (Praat TextTiers) that add or remove points; moving and relabelling a
point are the interval edits :class:`~aligner_gui.core.document.edits.MoveBoundary` and
:class:`~aligner_gui.core.document.edits.SetLabel`, which handle both kinds of tier."""

from __future__ import annotations

import bisect

from aligner_gui.core.document.document import MIN_SEGMENT, AlignmentDocument, Segment, Tier
from aligner_gui.core.document.edits import Edit
from aligner_gui.core.document.tier_splices import Draft, check_index

__all__ = ["AddPoint", "RemovePoint"]


def point_tier(doc: AlignmentDocument, name: str) -> Tier:
    """Tier ``name``; ValueError if it is an interval tier."""
    tier = doc.tier(name)
    if not tier.is_point_tier:
        raise ValueError(f"Tier {name!r} is an interval tier: it has boundaries, not points.")
    return tier


class AddPoint(Edit):
    """Add a point at ``time`` (in ``[0, duration]``), at least MIN_SEGMENT from the others, as
    the moves of points keep them."""

    def __init__(self, tier: str, time: float, label: str = "") -> None:
        super().__init__(tier, f"Add point in {tier!r}")
        self.time = float(time)
        self.label = label
        self._kind = "structure"

    def _build(self, doc: AlignmentDocument, draft: Draft) -> None:
        point_tier(doc, self.tier)
        segs = draft.segs(self.tier)
        t = self.time
        if not 0.0 <= t <= doc.duration:
            raise ValueError(f"{t:.3f} s is outside the document (0 to {doc.duration:.3f} s).")
        k = bisect.bisect_left(segs, t, key=lambda s: s.start)
        near = [segs[j].start for j in (k - 1, k) if 0 <= j < len(segs)]
        if any(abs(p - t) < MIN_SEGMENT for p in near):
            raise ValueError(
                f"Tier {self.tier!r} already has a point within {MIN_SEGMENT * 1000:g} ms of "
                f"{t:.3f} s."
            )
        self._index = k
        segs.insert(k, Segment(t, t, self.label))


class RemovePoint(Edit):
    """Remove point ``index``."""

    def __init__(self, tier: str, index: int) -> None:
        super().__init__(tier, "Remove point")
        self.index = index
        self._kind = "structure"

    def _build(self, doc: AlignmentDocument, draft: Draft) -> None:
        tier = point_tier(doc, self.tier)
        segs = draft.segs(self.tier)
        check_index(tier, self.index, 0, len(segs) - 1, "point")
        point = segs[self.index]
        self.text = f"Remove point {point.label!r} at {point.start:.3f} s"
        self._index = self.index
        del segs[self.index]
