"""QUndoCommand wrapper of the core edits; successive steps of one boundary drag merge into one."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from aligner_gui.core.document.document import AlignmentDocument
from aligner_gui.core.document.edits import Edit, MoveBoundary

# QUndoStack only asks commands with equal, non-negative ids to merge.
MOVE_BOUNDARY_ID = 0x4D42


class EditCommand(QUndoCommand):
    """Applies ``edit`` on redo and reverts it on undo.

    ``already_applied=True`` is for an edit the caller applied itself (to see its ValueError
    before anything reaches the stack): the redo() that QUndoStack.push() performs is then skipped.
    """

    def __init__(
        self, doc: AlignmentDocument, edit: Edit, *, already_applied: bool = False
    ) -> None:
        super().__init__(edit.text)
        self.doc = doc
        self.edit = edit
        self._skip_redo = already_applied

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self.edit.apply(self.doc)

    def undo(self) -> None:
        self.edit.revert(self.doc)

    def id(self) -> int:
        if isinstance(self.edit, MoveBoundary) and self.edit.drag_id is not None:
            return MOVE_BOUNDARY_ID
        return -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCommand) or other.doc is not self.doc:
            return False
        if not self.edit.merge(other.edit):
            return False
        self.setText(self.edit.text)
        return True
