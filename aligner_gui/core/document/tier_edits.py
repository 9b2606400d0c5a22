"""Edits of the set of tiers: add, rename, delete, move (reorder) and duplicate a tier.

They change the document's list of tiers, not the segments of one, so they do not go through
splices: each computes, once, the tier list after it (``_after``) and keeps the list before it
(``_before``); apply and revert swap the two lists in place. Tier objects are replaced, never
mutated, and a renamed or relinked tier shares its segment list with the tier it replaces, so the
segment edits done after it (whose splices find their tier by name) and their undo see the same
segments whichever of the two is in the document. Subscribers get one ``DocumentChange(None,
"tiers", None)``: the set, order or names of the tiers changed, not their segments.

Deleting a tier that has children unlinks them (they become top-level tiers) rather than deleting
them: the user asked to delete one tier, and the linguist's phones are never deleted as a side
effect. They are not relinked to the grandparent, whose boundaries they need not respect (a
child's segments only lie inside its parent's, and the parent's silences may span anything).
"""

from __future__ import annotations

from dataclasses import replace

from aligner_gui.core.document.document import AlignmentDocument, DocumentChange, Segment, Tier
from aligner_gui.core.document.edits import Edit
from aligner_gui.core.document.tier_splices import Draft

__all__ = [
    "AddTier",
    "DeleteTier",
    "DuplicateTier",
    "MoveTier",
    "RenameTier",
    "TierEdit",
    "check_new_name",
]


def check_new_name(doc: AlignmentDocument, name: str) -> str:
    """``name`` stripped; ValueError when it is empty or taken (tier names are unique)."""
    clean = name.strip()
    if not clean:
        raise ValueError("A tier needs a name.")
    if clean in doc.tier_names():
        raise ValueError(f"There is already a tier named {clean!r}: tier names must be unique.")
    return clean


class TierEdit(Edit):
    """An edit of the list of tiers; subclasses compute the new list in ``_new_tiers``."""

    def __init__(self, tier: str, text: str) -> None:
        super().__init__(tier, text)
        self._kind = "tiers"
        self._before: list[Tier] | None = None
        self._after: list[Tier] | None = None

    @property
    def changed(self) -> bool:
        before, after = self._before or [], self._after
        if after is None:
            return False
        return len(after) != len(before) or any(
            a is not b for a, b in zip(after, before, strict=True)
        )

    def apply(self, doc: AlignmentDocument) -> None:
        if self._applied:
            raise RuntimeError(f"{type(self).__name__} is already applied")
        if self._after is None:
            before = list(doc.tiers)
            after = self._new_tiers(doc)  # raises ValueError before anything is changed
            self._before, self._after = before, after
        doc.tiers[:] = self._after
        self._applied = True
        self._notify(doc)

    def revert(self, doc: AlignmentDocument) -> None:
        if not self._applied or self._before is None:
            raise RuntimeError(f"{type(self).__name__} is not applied")
        doc.tiers[:] = self._before
        self._applied = False
        self._notify(doc)

    def _build(self, doc: AlignmentDocument, draft: Draft) -> None:  # pragma: no cover
        raise NotImplementedError("tier edits replace the tier list; see _new_tiers")

    def _new_tiers(self, doc: AlignmentDocument) -> list[Tier]:
        raise NotImplementedError

    def _notify(self, doc: AlignmentDocument) -> None:
        if self.changed:
            doc.notify(DocumentChange(None, "tiers", None))

    def _position(self, doc: AlignmentDocument) -> int:
        names = doc.tier_names()
        if self.tier not in names:
            raise ValueError(f"There is no tier named {self.tier!r}.")
        return names.index(self.tier)


class AddTier(TierEdit):
    """A new empty tier ``name`` after tier ``after`` (first when None): an interval tier is one
    silence over the whole document, a point tier has no points."""

    def __init__(self, name: str, *, point: bool = False, after: str | None = None) -> None:
        super().__init__(name, f"Add tier {name!r}")
        self.point = point
        self.after = after

    def _new_tiers(self, doc: AlignmentDocument) -> list[Tier]:
        name = check_new_name(doc, self.tier)
        self.tier = name
        self.text = f"Add {'point' if self.point else 'interval'} tier {name!r}"
        names = doc.tier_names()
        if self.after is not None and self.after not in names:
            raise ValueError(f"There is no tier named {self.after!r}.")
        at = 0 if self.after is None else names.index(self.after) + 1
        segments = [] if self.point else [Segment(0.0, doc.duration, "")]
        tiers = list(doc.tiers)
        tiers.insert(at, Tier(name, segments, is_point_tier=self.point))
        return tiers


class RenameTier(TierEdit):
    """Tier ``tier`` becomes ``new_name``; its children keep their link to it under the new
    name. The name it had in its source file is forgotten: the user named it now."""

    def __init__(self, tier: str, new_name: str) -> None:
        super().__init__(tier, f"Rename tier {tier!r} to {new_name!r}")
        self.new_name = new_name

    def _new_tiers(self, doc: AlignmentDocument) -> list[Tier]:
        self._position(doc)
        if self.new_name.strip() == self.tier:
            return list(doc.tiers)  # unchanged: nothing to undo
        new = check_new_name(doc, self.new_name)
        self.new_name = new
        self.text = f"Rename tier {self.tier!r} to {new!r}"
        out: list[Tier] = []
        for tier in doc.tiers:
            if tier.name == self.tier:
                tier = replace(tier, name=new, source_name=None)
            if tier.parent == self.tier:
                tier = replace(tier, parent=new)
            out.append(tier)
        return out


class DeleteTier(TierEdit):
    """Remove tier ``tier``; its children are unlinked (kept, now without a parent)."""

    def __init__(self, tier: str) -> None:
        super().__init__(tier, f"Delete tier {tier!r}")

    def _new_tiers(self, doc: AlignmentDocument) -> list[Tier]:
        self._position(doc)
        return [
            replace(t, parent=None) if t.parent == self.tier else t
            for t in doc.tiers
            if t.name != self.tier
        ]


class MoveTier(TierEdit):
    """Move tier ``tier`` by ``offset`` places (-1: up, 1: down); ValueError past either end."""

    def __init__(self, tier: str, offset: int) -> None:
        direction = "up" if offset < 0 else "down"
        super().__init__(tier, f"Move tier {tier!r} {direction}")
        self.offset = offset

    def _new_tiers(self, doc: AlignmentDocument) -> list[Tier]:
        at = self._position(doc)
        to = at + self.offset
        if not 0 <= to < len(doc.tiers) or self.offset == 0:
            where = "first" if self.offset < 0 else "last"
            raise ValueError(f"Tier {self.tier!r} is already the {where} tier.")
        tiers = list(doc.tiers)
        tiers.insert(to, tiers.pop(at))
        return tiers


class DuplicateTier(TierEdit):
    """A copy of tier ``tier`` named ``new_name``, right after it, linked to no parent (the copy
    is the user's to change freely; no tier is a child of it)."""

    def __init__(self, tier: str, new_name: str) -> None:
        super().__init__(tier, f"Duplicate tier {tier!r}")
        self.new_name = new_name

    def _new_tiers(self, doc: AlignmentDocument) -> list[Tier]:
        at = self._position(doc)
        new = check_new_name(doc, self.new_name)
        self.new_name = new
        self.text = f"Duplicate tier {self.tier!r} as {new!r}"
        source = doc.tiers[at]
        # Segment objects are never mutated, so the copy may share them; the list is its own.
        copy = replace(source, name=new, segments=list(source.segments), parent=None,
                       source_name=None)  # fmt: skip
        tiers = list(doc.tiers)
        tiers.insert(at + 1, copy)
        return tiers
