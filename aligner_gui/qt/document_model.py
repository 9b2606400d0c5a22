"""The Qt face of the document: one AlignmentDocument, its undo stack, selection and cursor.

Views talk to this object only (signals in, ``push``/``select``/``set_cursor`` out); they never
call each other. Core-document callbacks are re-emitted as typed Qt signals.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from aligner_gui.core.document.document import AlignmentDocument, DocumentChange
from aligner_gui.core.document.edits import Edit
from aligner_gui.qt.commands import EditCommand


class DocumentModel(QObject):
    documentReset = Signal()
    tierChanged = Signal(str, str, int)  # tier, kind, index (-1: none / the whole tier)
    modifiedChanged = Signal(bool)
    selectionChanged = Signal(str, int)  # tier, segment index ("" and -1: no selection)
    cursorMoved = Signal(float)  # seconds

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._doc: AlignmentDocument | None = None
        self._undo_stack = QUndoStack(self)
        self._undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._selection: tuple[str, int] | None = None
        self._cursor = 0.0

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
        self.documentReset.emit()
        if had_selection:
            self.selectionChanged.emit("", -1)

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
        """Select segment ``index`` of ``tier``; an index of -1 (or an empty tier) clears it."""
        selection = None if index < 0 or not tier else (tier, index)
        if selection == self._selection:
            return
        self._selection = selection
        self.selectionChanged.emit(*(selection or ("", -1)))

    def clear_selection(self) -> None:
        self.select("", -1)

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
        if change.tier is None:
            self.documentReset.emit()
        else:
            index = -1 if change.index is None else change.index
            self.tierChanged.emit(change.tier, change.kind, index)
        self._drop_stale_selection()

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
