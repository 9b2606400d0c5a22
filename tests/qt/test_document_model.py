"""DocumentModel and EditCommand on a real QUndoStack: merged drags, clean state, typed signals."""

from __future__ import annotations

import copy

import pytest
from PySide6.QtGui import QUndoStack

from aligner_gui.core.document.document import AlignmentDocument, Segment, Tier
from aligner_gui.core.document.edits import (
    DeleteWord,
    InsertWord,
    MoveBoundary,
    SetLabel,
    new_drag_id,
)
from aligner_gui.qt.commands import MOVE_BOUNDARY_ID, EditCommand
from aligner_gui.qt.document_model import DocumentModel

pytestmark = pytest.mark.gui


def make_doc() -> AlignmentDocument:
    words = Tier(
        "words",
        [
            Segment(0.0, 0.25, ""),
            Segment(0.25, 0.5, "hi"),
            Segment(0.5, 0.625, ""),
            Segment(0.625, 1.0, "yo"),
        ],
    )
    chars = Tier(
        "chars",
        [
            Segment(0.0, 0.25, ""),
            Segment(0.25, 0.375, "H"),
            Segment(0.375, 0.5, "I"),
            Segment(0.5, 0.75, ""),
            Segment(0.75, 0.875, "Y"),
            Segment(0.875, 1.0, "O"),
        ],
        parent="words",
    )
    return AlignmentDocument([words, chars], 1.0)


@pytest.fixture
def model(qtbot) -> DocumentModel:
    m = DocumentModel()
    m.set_document(make_doc())
    return m


def record(signal) -> list[tuple]:
    seen: list[tuple] = []
    signal.connect(lambda *args: seen.append(args))
    return seen


def test_twenty_steps_of_one_drag_are_one_undo_step(model: DocumentModel) -> None:
    doc = model.document
    assert doc is not None
    original = copy.deepcopy(doc.tiers)
    drag = new_drag_id()
    times = [0.5 + 0.004 * k for k in range(1, 21)]  # 0.504 .. 0.58
    for t in times:
        assert model.push(MoveBoundary("words", 2, t, drag_id=drag))
    stack = model.undo_stack
    assert stack.count() == 1
    assert stack.undoText() == "Move boundary of 'hi'"
    final = copy.deepcopy(doc.tiers)
    assert doc.tier("words").segments[2].start == times[-1]
    stack.undo()
    assert doc.tier("words").segments[2].start == 0.5  # the exact original time
    assert doc.tiers == original
    stack.redo()
    assert doc.tier("words").segments[2].start == times[-1]
    assert doc.tier("chars").segments[3].start == times[-1]  # the char edge followed
    assert doc.tiers == final


def test_separate_drags_and_other_edits_stay_separate(model: DocumentModel) -> None:
    model.push(MoveBoundary("words", 2, 0.55, drag_id=new_drag_id()))
    model.push(MoveBoundary("words", 2, 0.56, drag_id=new_drag_id()))
    model.push(MoveBoundary("words", 2, 0.57))
    model.push(SetLabel("words", 1, "hey"))
    assert model.undo_stack.count() == 4


def test_commands_merge_only_boundary_drags(model: DocumentModel) -> None:
    doc = model.document
    assert doc is not None
    drag = EditCommand(doc, MoveBoundary("words", 2, 0.55, drag_id=1))
    plain = EditCommand(doc, MoveBoundary("words", 2, 0.55))
    label = EditCommand(doc, SetLabel("words", 1, "x"))
    assert drag.id() == MOVE_BOUNDARY_ID
    assert plain.id() == -1 and label.id() == -1


def test_edit_command_on_a_plain_undo_stack(qtbot) -> None:
    doc = make_doc()
    stack = QUndoStack()
    stack.push(EditCommand(doc, DeleteWord("words", 1)))  # push() runs redo(): applied once
    assert [s.label for s in doc.tier("words").segments] == ["", "yo"]
    stack.undo()
    assert doc.tiers == make_doc().tiers
    stack.redo()
    assert [s.label for s in doc.tier("words").segments] == ["", "yo"]


def test_modified_follows_the_clean_state(qtbot, model: DocumentModel) -> None:
    assert not model.is_modified()
    with qtbot.waitSignal(model.modifiedChanged) as first:
        model.push(SetLabel("words", 1, "hey"))
    assert first.args == [True] and model.is_modified()
    with qtbot.waitSignal(model.modifiedChanged) as saved:
        model.mark_saved()
    assert saved.args == [False] and not model.is_modified()
    with qtbot.waitSignal(model.modifiedChanged) as undone:
        model.undo_stack.undo()
    assert undone.args == [True] and model.is_modified()
    with qtbot.waitSignal(model.modifiedChanged) as redone:
        model.undo_stack.redo()
    assert redone.args == [False] and not model.is_modified()


def test_a_drag_after_saving_does_not_merge_into_the_saved_step(model: DocumentModel) -> None:
    drag = new_drag_id()
    model.push(MoveBoundary("words", 2, 0.55, drag_id=drag))
    model.mark_saved()
    model.push(MoveBoundary("words", 2, 0.58, drag_id=drag))
    assert model.undo_stack.count() == 2 and model.is_modified()
    model.undo_stack.undo()
    assert not model.is_modified()
    assert model.document is not None
    assert model.document.tier("words").segments[2].start == 0.55


def test_edits_are_re_emitted_as_typed_tier_signals(qtbot, model: DocumentModel) -> None:
    with qtbot.waitSignal(model.tierChanged) as blocker:
        model.push(SetLabel("words", 1, "hey"))
    assert blocker.args == ["words", "label", 1]
    seen = record(model.tierChanged)
    model.push(MoveBoundary("words", 2, 0.55))
    assert seen == [("words", "boundary", 2), ("chars", "boundary", -1)]
    seen.clear()
    model.undo_stack.undo()
    assert seen == [("words", "boundary", 2), ("chars", "boundary", -1)]


def test_an_impossible_edit_raises_and_reaches_no_stack(model: DocumentModel) -> None:
    doc = model.document
    assert doc is not None
    before = copy.deepcopy(doc.tiers)
    with pytest.raises(ValueError, match="'hi' is there"):
        model.push(InsertWord("words", 0.3, 0.4, "uh"))
    assert model.undo_stack.count() == 0 and doc.tiers == before
    assert not model.push(SetLabel("words", 1, "hi"))  # no change: nothing pushed
    assert model.undo_stack.count() == 0 and not model.is_modified()


def test_replacing_the_document_resets_history_and_unsubscribes(
    qtbot, model: DocumentModel
) -> None:
    old = model.document
    assert old is not None
    model.push(SetLabel("words", 1, "hey"))
    model.select("words", 1)
    new = make_doc()
    resets = record(model.documentReset)
    selections = record(model.selectionChanged)
    with qtbot.waitSignal(model.modifiedChanged) as modified:
        model.set_document(new)
    assert modified.args == [False]
    assert resets == [()] and selections == [("", -1)]
    assert model.document is new and model.selection() is None
    assert model.undo_stack.count() == 0 and not model.is_modified()
    changes = record(model.tierChanged)
    SetLabel("words", 3, "old").apply(old)  # the old document is no longer heard
    assert changes == []
    model.push(SetLabel("words", 3, "new"))
    assert changes == [("words", "label", 3)]
    model.set_document(None)
    assert model.document is None
    with pytest.raises(RuntimeError, match="no document"):
        model.push(SetLabel("words", 1, "x"))


def test_selection_and_cursor_signals(qtbot, model: DocumentModel) -> None:
    with qtbot.waitSignal(model.selectionChanged) as blocker:
        model.select("words", 3)
    assert blocker.args == ["words", 3] and model.selection() == ("words", 3)
    again = record(model.selectionChanged)
    model.select("words", 3)
    assert again == []  # unchanged: no signal
    with qtbot.waitSignal(model.selectionChanged) as dropped:
        model.push(DeleteWord("words", 1))  # words shrink to 2 segments: index 3 is gone
    assert dropped.args == ["", -1] and model.selection() is None
    with qtbot.waitSignal(model.cursorMoved) as cursor:
        model.set_cursor(0.75)
    assert cursor.args == [0.75] and model.cursor() == 0.75
