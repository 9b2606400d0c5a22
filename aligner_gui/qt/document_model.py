"""The Qt face of the document: one AlignmentDocument, its undo stack, selection and cursor.

Views talk to this object only (signals in, ``push``/``select``/``set_cursor`` and the editing
commands out); they never call each other. Core-document callbacks are re-emitted as typed Qt
signals. The editing commands apply the Qt-free rules of
:mod:`aligner_gui.core.document.editing` to the tier the user is in (``acting_tier``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from aligner_gui.core.document import editing
from aligner_gui.core.document.document import AlignmentDocument, DocumentChange
from aligner_gui.core.document.edits import Edit
from aligner_gui.core.document.tier_edits import (
    AddTier,
    DeleteTier,
    DuplicateTier,
    MoveTier,
    RenameTier,
)
from aligner_gui.core.document.undo_history import HistoryStep, RestoredEdit
from aligner_gui.qt.commands import EditCommand
from aligner_gui.qt.time_selection import TimeSelection


class DocumentModel(QObject):
    documentReset = Signal()
    tierChanged = Signal(str, str, int)  # tier, kind, index (-1: none / the whole tier)
    modifiedChanged = Signal(bool)
    selectionChanged = Signal(str, int)  # tier, segment index ("" and -1: no selection)
    cursorMoved = Signal(float)  # seconds
    activeTierChanged = Signal(str)  # the tier the keys act on ("" when none)
    tiersChanged = Signal()  # tiers added, removed, renamed or reordered (the views rebuild)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._doc: AlignmentDocument | None = None
        self._undo_stack = QUndoStack(self)
        self._undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._selection: tuple[str, int] | None = None
        self._cursor = 0.0
        self._active_tier: str | None = None  # the tier last clicked in
        # The range of seconds every view shows and Tab plays; follows the selected item.
        self.time_selection = TimeSelection(self)
        # Put every inserted or dragged boundary on the nearest zero crossing (a setting).
        self.snap_to_zero_crossings = False

    # -- document ------------------------------------------------------------------------------

    @property
    def document(self) -> AlignmentDocument | None:
        return self._doc

    @property
    def undo_stack(self) -> QUndoStack:
        return self._undo_stack

    def set_document(self, doc: AlignmentDocument | None) -> None:
        """Replace the document: clears the undo history, selection and cursor; unmodified."""
        if self._doc is not None:
            self._doc.unsubscribe(self._on_document_change)
        self._undo_stack.clear()  # deletes the commands without undoing them; emits clean
        self._doc = doc
        if doc is not None:
            doc.subscribe(self._on_document_change)
        had_selection = self._selection is not None
        self._selection = None
        self._cursor = 0.0
        self._active_tier = None
        self.documentReset.emit()
        if had_selection:
            self.selectionChanged.emit("", -1)
        self.activeTierChanged.emit(self.acting_tier() or "")

    def push(self, edit: Edit) -> bool:
        """Apply ``edit`` and put it on the undo stack.

        Raises ValueError (nothing changed, nothing pushed) when the edit is impossible. Returns
        False when it changed nothing (e.g. a drag step clamped in place), True otherwise.
        """
        if self._doc is None:
            raise RuntimeError("there is no document to edit")
        edit.apply(self._doc)
        if not edit.changed:
            return False
        self._undo_stack.push(EditCommand(self._doc, edit, already_applied=True))
        return True

    def applied_edits(self) -> list[Edit]:
        """The edits the document holds now, oldest first: the undo stack below its index."""
        stack = self._undo_stack
        return [cast(EditCommand, stack.command(i)).edit for i in range(stack.index())]

    def restore_history(self, steps: Sequence[HistoryStep]) -> None:
        """Put a recovered document's undo steps back on the stack, already applied (the
        document is as they left it), so Undo walks back through the work before the crash."""
        if self._doc is None:
            raise RuntimeError("there is no document to restore a history to")
        for step in steps:
            self._undo_stack.push(EditCommand(self._doc, RestoredEdit(step), already_applied=True))

    def is_modified(self) -> bool:
        return not self._undo_stack.isClean()

    def mark_saved(self) -> None:
        self._undo_stack.setClean()

    def mark_unsaved(self) -> None:
        """Modified until saved, whatever is undone: for work that exists nowhere on disk (a fresh
        alignment, a document restored after a crash)."""
        self._undo_stack.resetClean()

    # -- selection and cursor ------------------------------------------------------------------

    def select(self, tier: str, index: int) -> None:
        """Select segment ``index`` of ``tier``; an index of -1 (or an empty tier) clears it.
        Selecting in a tier makes it the active tier."""
        selection = None if index < 0 or not tier else (tier, index)
        acting = self.acting_tier()
        if selection is not None:
            self._active_tier = selection[0]
        if selection != self._selection:
            self._selection = selection
            self.selectionChanged.emit(*(selection or ("", -1)))
        self._acting_tier_maybe_changed(acting)

    def set_active_tier(self, tier: str) -> None:
        """The tier the user is in (clicked in, even where there is nothing to select)."""
        acting = self.acting_tier()
        self._active_tier = tier
        self._acting_tier_maybe_changed(acting)

    def _acting_tier_maybe_changed(self, before: str | None) -> None:
        after = self.acting_tier()
        if after != before:
            self.activeTierChanged.emit(after or "")

    def acting_tier(self) -> str | None:
        """The tier the editing keys act on (see ``editing.acting_tier``)."""
        if self._doc is None:
            return None
        selected = None if self._selection is None else self._selection[0]
        return editing.acting_tier(self._doc, selected, self._active_tier)

    # -- editing commands (the rules are in core.document.editing) -----------------------------

    def _doc_or_raise(self) -> AlignmentDocument:
        if self._doc is None:
            raise editing.Refusal("There is no document to edit.")
        return self._doc

    def _acting_or_raise(self) -> tuple[AlignmentDocument, str]:
        doc = self._doc_or_raise()
        tier = self.acting_tier()
        if tier is None:
            raise editing.Refusal("The document has no tier to edit.")
        return doc, tier

    def insert_at_cursor(self) -> bool:
        """Split the acting tier at the cursor, or add a point there (a point tier); the new
        point is selected. Raises ValueError when refused."""
        doc, tier = self._acting_or_raise()
        edit = editing.insert_at(doc, tier, self._cursor, self.snap_to_zero_crossings)
        changed = self.push(edit)
        landed = getattr(edit, "applied_time", None)
        if changed and landed is not None and landed != self._cursor:
            self.set_cursor(landed)  # a split moved to a clean cut: the cursor shows where
        if changed and doc.tier(tier).is_point_tier:
            index = doc.segment_at(tier, self._cursor)
            if index is not None:
                self.select(tier, index)
        return changed

    def remove_at_cursor(self, tolerance: float) -> bool:
        """Remove the acting tier's boundary or point within ``tolerance`` s of the cursor."""
        doc, tier = self._acting_or_raise()
        selection = self._selection
        changed = self.push(editing.remove_at(doc, tier, self._cursor, tolerance))
        if changed and selection is not None and doc.tier(tier).is_point_tier:
            self.clear_selection()  # the selected point may be the one removed
        return changed

    def delete_selected(self) -> bool:
        """Delete the selected item (a word becomes silence, a point goes)."""
        doc = self._doc_or_raise()
        if self._selection is None:
            raise editing.Refusal("Select an item to delete first.")
        tier, index = self._selection
        changed = self.push(editing.delete_item(doc, tier, index))
        if changed and doc.tier(tier).is_point_tier:
            self.clear_selection()
        return changed

    def relabel(self, tier: str, index: int, label: str) -> bool:
        return self.push(editing.relabel(self._doc_or_raise(), tier, index, label))

    def insert_word_at_cursor(self, ask_label: Callable[[], str | None]) -> bool:
        """A new word in the acting tier's silence at the cursor; ``ask_label`` is only asked
        once the place is known to be fine. False when no label was given."""
        doc, tier = self._acting_or_raise()
        editing.new_word(doc, tier, self._cursor, "?")  # a bad place is refused before asking
        label = ask_label()
        if not label:
            return False
        return self.push(editing.new_word(doc, tier, self._cursor, label))

    def insert_word(self, tier: str, seconds: float, label: str) -> bool:
        return self.push(editing.new_word(self._doc_or_raise(), tier, seconds, label))

    # -- boundaries at the cursor -------------------------------------------------------------

    def snap_to_zero_crossing(self, tolerance: float) -> bool:
        """Move the acting tier's boundary (or point) within ``tolerance`` s of the cursor onto
        the nearest zero crossing of the audio; the cursor follows it."""
        doc, tier = self._acting_or_raise()
        edit = editing.snap_to_zero_crossing(doc, tier, self._cursor, tolerance)
        changed = self.push(edit)
        self._cursor_to_landing(edit)
        return changed

    def move_boundary_to_cursor(self) -> bool:
        """Move the acting tier's boundary (or point) nearest the cursor to the cursor."""
        doc, tier = self._acting_or_raise()
        return self.push(editing.move_boundary_to(doc, tier, self._cursor))

    def move_cursor_to_nearest_boundary(self) -> bool:
        doc, tier = self._acting_or_raise()
        index = editing.nearest_boundary(doc, tier, self._cursor)
        if index is None:
            raise editing.Refusal(f"Tier {tier!r} has no boundary.")
        self.set_cursor(doc.tier(tier).segments[index].start)
        return True

    def _cursor_to_landing(self, edit: Edit) -> None:
        landed = getattr(edit, "applied_time", None)
        if landed is not None:
            self.set_cursor(landed)

    # -- tiers ---------------------------------------------------------------------------------

    def add_tier(self, name: str, point: bool) -> bool:
        """A new empty tier after the acting one, which it becomes."""
        edit = AddTier(name, point=point, after=self.acting_tier())
        changed = self.push(edit)
        if changed:
            self.set_active_tier(edit.tier)
        return changed

    def rename_tier(self, tier: str, new_name: str) -> bool:
        edit = RenameTier(tier, new_name)
        changed = self.push(edit)
        if changed:
            self.set_active_tier(edit.new_name)
        return changed

    def delete_tier(self, tier: str) -> bool:
        return self.push(DeleteTier(tier))

    def move_tier(self, tier: str, offset: int) -> bool:
        return self.push(MoveTier(tier, offset))

    def duplicate_tier(self, tier: str, new_name: str) -> bool:
        edit = DuplicateTier(tier, new_name)
        changed = self.push(edit)
        if changed:
            self.set_active_tier(edit.new_name)
        return changed

    def describe_selection(self) -> str | None:
        """The status-bar line of the selected item, as the document has it now."""
        if self._doc is None or self._selection is None:
            return None
        return editing.describe_item(self._doc, *self._selection)

    def clear_selection(self) -> None:
        """No item selected and no time selection (as a click on the signal does in Praat)."""
        self.select("", -1)
        self.time_selection.clear()

    def selection(self) -> tuple[str, int] | None:
        return self._selection

    def set_cursor(self, seconds: float) -> None:
        self._cursor = float(seconds)
        self.cursorMoved.emit(self._cursor)

    def cursor(self) -> float:
        return self._cursor

    # -- plumbing --------------------------------------------------------------------------------

    def _on_clean_changed(self, clean: bool) -> None:
        self.modifiedChanged.emit(not clean)

    def _on_document_change(self, change: DocumentChange) -> None:
        if change.kind == "tiers":
            self._forget_missing_tiers()
            self.tiersChanged.emit()
        elif change.tier is None:
            self.documentReset.emit()
        else:
            index = -1 if change.index is None else change.index
            self.tierChanged.emit(change.tier, change.kind, index)
        self._drop_stale_selection()

    def _forget_missing_tiers(self) -> None:
        """A tier edit (or its undo) may remove the tier selected in or last clicked."""
        names = [] if self._doc is None else self._doc.tier_names()
        if self._selection is not None and self._selection[0] not in names:
            self.clear_selection()
        if self._active_tier is not None and self._active_tier not in names:
            self._active_tier = None
            self.activeTierChanged.emit(self.acting_tier() or "")

    def _drop_stale_selection(self) -> None:
        """A structural edit (or its undo) may leave the selected index beyond the tier."""
        if self._selection is None or self._doc is None:
            return
        tier, index = self._selection
        try:
            count = len(self._doc.tier(tier).segments)
        except KeyError:
            count = 0
        if index >= count:
            self.clear_selection()
