"""Tier management, points, zero crossings, moves to the cursor, Alt+drag and the shortcuts
dialog on the real main window, with real clicks, drags, menus and key presses; the document is
written as a TextGrid and read back where its tiers' names and links matter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu

from aligner_gui.core.document.document import AlignmentDocument, Segment, Tier
from aligner_gui.core.io.audio import Audio
from aligner_gui.core.io.textgrid import read_textgrid, write_textgrid
from aligner_gui.qt.main_window import MainWindow

from gui_helpers import mouse_click, mouse_drag, shown_window, synthetic_result, view_pixel

pytestmark = pytest.mark.gui
RATE = 16_000
Ctrl = Qt.KeyboardModifier.ControlModifier
Shift = Qt.KeyboardModifier.ShiftModifier
Alt = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    yield from shown_window(qtbot, tmp_path, monkeypatch, tone_document())


def tone_document() -> AlignmentDocument:
    """Two words over a 133 Hz tone (a zero crossing every 3.76 ms, none on the boundaries),
    their letters in a linked tier, and a point tier.

    words: ""[0, .4) hello[.4, 1) ""[1, 1.2) world[1.2, 1.8) ""[1.8, 2)
    chars: ""[0, .4) h[.4, .6) e[.6, .8) l[.8, 1) ""[1, 1.2) w[1.2, 1.5) d[1.5, 1.8) ""[1.8, 2)
    marks: a@.3 b@1.6
    """
    t = np.arange(2 * RATE) / RATE
    samples = (0.5 * np.sin(2 * np.pi * 133.0 * t + 0.4)).astype(np.float32)
    audio = Audio(samples, RATE, None, RATE, 1, None)

    def tier(name: str, spans: list[tuple[float, float, str]], parent: str | None = None) -> Tier:
        return Tier(name, [Segment(a, b, label) for a, b, label in spans], parent=parent)

    words = tier("words", [(0, 0.4, ""), (0.4, 1, "hello"), (1, 1.2, ""), (1.2, 1.8, "world"),
                           (1.8, 2, "")])  # fmt: skip
    chars = tier("chars", [(0, 0.4, ""), (0.4, 0.6, "h"), (0.6, 0.8, "e"), (0.8, 1, "l"),
                           (1, 1.2, ""), (1.2, 1.5, "w"), (1.5, 1.8, "d"), (1.8, 2, "")],
                 "words")  # fmt: skip
    marks = Tier("marks", [Segment(0.3, 0.3, "a"), Segment(1.6, 1.6, "b")], is_point_tier=True)
    return AlignmentDocument([words, chars, marks], 2.0, audio=audio)


def press(win: MainWindow, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A real key press in the window (see reactivate)."""
    reactivate(win)
    QTest.keyClick(QApplication.focusWidget() or win, key, modifier)


def reactivate(win: MainWindow) -> None:
    """Give the window back the keyboard, as the desktop does once a menu or a dialog closes
    (the offscreen platform leaves the closed popup "active")."""
    if QApplication.activeWindow() is not win:
        handle = win.windowHandle()
        assert handle is not None
        handle.requestActivate()
        QTest.qWait(10)
        assert QApplication.activeWindow() is win


def click(win: MainWindow, tier: str, seconds: float) -> None:
    view = win.stack.tiers.view(tier)
    assert view is not None
    mouse_click(view, view_pixel(view, seconds, 0.5))


def shown_tiers(win: MainWindow) -> list[str]:
    return [view.tier_name for view in win.stack.tiers.views]


def names(win: MainWindow) -> list[str]:
    doc = win.model.document
    assert doc is not None
    return doc.tier_names()


def answer_next_dialog(text: str) -> None:
    """Type ``text`` and Return into the next modal dialog, once it is up."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, answer)
            return
        edit = dialog.findChild(QLineEdit)
        edit.selectAll()
        QTest.keyClicks(edit, text)
        QTest.keyClick(edit, Qt.Key.Key_Return)

    QTimer.singleShot(0, answer)


def tier_menu_choose(qtbot: Any, win: MainWindow, tier: str, text: str) -> None:
    """Right-click the tier's name and click ``text`` in the menu that opens."""
    view = win.stack.tiers.view(tier)
    assert view is not None
    axis = view.getPlotItem().getAxis("left")
    pos = view.mapFromScene(axis.sceneBoundingRect().center())
    QTest.mouseClick(view.viewport(), Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier,
                     pos)  # fmt: skip
    menu = win.tier_menu
    assert isinstance(menu, QMenu)
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    action = next(a for a in menu.actions() if a.text().replace("&", "") == text)
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     menu.actionGeometry(action).center())  # fmt: skip
    qtbot.wait(30)  # the rebuilt tier views are laid out


def export_tier_names(win: MainWindow, path: Path) -> list[str]:
    doc = win.model.document
    assert doc is not None
    write_textgrid(doc.to_textgrid(), path)
    return [tier.name for tier in read_textgrid(path).tiers]


def sign_change_at(samples: np.ndarray, seconds: float) -> bool:
    """Whether ``seconds`` lies between two successive samples of opposite signs (0 counts as
    positive), the samples at or around it."""
    j = int(np.floor(seconds * RATE + 1e-9))
    return j / RATE <= seconds <= (j + 1) / RATE and (samples[j] >= 0) != (samples[j + 1] >= 0)


def starts(win: MainWindow, tier: str) -> list[float]:
    doc = win.model.document
    assert doc is not None
    return [s.start for s in doc.tier(tier).segments]


def modified_drag(view, start: QPoint, end: QPoint, modifiers, steps: int = 12) -> None:
    """A real press-move-release with the left button while ``modifiers`` are held (QTest's
    mouseMove cannot carry modifiers, so the events are made here)."""
    viewport = view.viewport()
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton

    def send(kind: QEvent.Type, pos: QPoint, button, buttons) -> None:
        event = QMouseEvent(kind, QPointF(pos), QPointF(viewport.mapToGlobal(pos)), button,
                            buttons, modifiers)  # fmt: skip
        QApplication.sendEvent(viewport, event)

    send(QEvent.Type.MouseButtonPress, start, left, left)
    for k in range(1, steps + 1):
        x = start.x() + round((end.x() - start.x()) * k / steps)
        send(QEvent.Type.MouseMove, QPoint(x, start.y()), none, left)
        QTest.qWait(5)
    send(QEvent.Type.MouseButtonRelease, end, left, none)


# -- tier management ------------------------------------------------------------------------------


def test_add_rename_and_delete_a_tier_with_undo_and_redo_the_views_follow(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    answer_next_dialog("notes")
    tier_menu_choose(qtbot, window, "words", "Add interval tier…")
    assert names(window) == ["words", "notes", "chars", "marks"]
    assert shown_tiers(window) == names(window)
    assert window.stack.tiers.view("notes").intervals() == [(0.0, 2.0, "")]
    assert window.stack.tiers.view("notes").shown_title == "▸ notes"  # the keys act on it now
    press(window, Qt.Key.Key_Z, Ctrl)
    assert shown_tiers(window) == names(window) == ["words", "chars", "marks"]
    press(window, Qt.Key.Key_Z, Ctrl | Shift)
    assert shown_tiers(window) == ["words", "notes", "chars", "marks"]

    # A taken name is refused with one line, and nothing changes.
    answer_next_dialog("chars")
    tier_menu_choose(qtbot, window, "notes", "Rename tier…")
    assert "already a tier named 'chars'" in window.statusBar().currentMessage()
    assert names(window) == ["words", "notes", "chars", "marks"]

    answer_next_dialog("lexical")
    tier_menu_choose(qtbot, window, "words", "Rename tier…")
    assert shown_tiers(window) == names(window) == ["lexical", "notes", "chars", "marks"]
    assert window.model.document.tier("chars").parent == "lexical"
    assert export_tier_names(window, tmp_path / "renamed.TextGrid") == names(window)

    tier_menu_choose(qtbot, window, "lexical", "Delete tier")
    assert shown_tiers(window) == names(window) == ["notes", "chars", "marks"]
    assert window.model.document.tier("chars").parent is None  # kept, unlinked
    assert starts(window, "chars") == [0, 0.4, 0.6, 0.8, 1, 1.2, 1.5, 1.8]
    assert "“chars” kept" in window.statusBar().currentMessage()
    press(window, Qt.Key.Key_Z, Ctrl)
    assert shown_tiers(window) == ["lexical", "notes", "chars", "marks"]
    assert window.model.document.tier("chars").parent == "lexical"
    press(window, Qt.Key.Key_Z, Ctrl)
    assert shown_tiers(window) == ["words", "notes", "chars", "marks"]
    assert window.model.document.tier("chars").parent == "words"
    press(window, Qt.Key.Key_Z, Ctrl | Shift)
    press(window, Qt.Key.Key_Z, Ctrl | Shift)
    assert shown_tiers(window) == ["notes", "chars", "marks"]


def test_reorder_by_keys_and_duplicate_from_the_menu(qtbot: Any, window: MainWindow) -> None:
    click(window, "marks", 1.0)
    press(window, Qt.Key.Key_Up, Ctrl | Shift)
    assert shown_tiers(window) == names(window) == ["words", "marks", "chars"]
    press(window, Qt.Key.Key_Up, Ctrl | Shift)
    assert shown_tiers(window) == ["marks", "words", "chars"]
    press(window, Qt.Key.Key_Up, Ctrl | Shift)  # already first: said, nothing done
    assert "already the first" in window.statusBar().currentMessage()
    press(window, Qt.Key.Key_Down, Ctrl | Shift)
    assert shown_tiers(window) == ["words", "marks", "chars"]
    press(window, Qt.Key.Key_Z, Ctrl)
    assert shown_tiers(window) == ["marks", "words", "chars"]

    answer_next_dialog("letters")
    tier_menu_choose(qtbot, window, "chars", "Duplicate tier…")
    assert shown_tiers(window) == ["marks", "words", "chars", "letters"]
    doc = window.model.document
    assert doc.tier("letters").parent is None
    assert (
        window.stack.tiers.view("letters").intervals()
        == window.stack.tiers.view("chars").intervals()
    )
    # The copy is unlinked: a drag of a word boundary leaves it where it was.
    window.stack.zoom_to(0.8, 1.4)
    view = window.stack.tiers.view("words")
    mouse_drag(view, view_pixel(view, 1.0, 0.5), view_pixel(view, 1.1, 0.5))
    assert starts(window, "chars")[4] == pytest.approx(1.1, abs=0.01)
    assert starts(window, "letters")[4] == 1.0


def test_the_trellis_path_follows_a_renamed_character_tier(qtbot: Any, window: MainWindow) -> None:
    window.model.set_document(AlignmentDocument.from_alignment(synthetic_result("hi there", 2.0)))
    qtbot.wait(30)
    trellis = window.stack.trellis
    qtbot.waitUntil(lambda: trellis.edited_path()[0].size > 0, timeout=5000)
    path = trellis.edited_path()[0].copy()
    answer_next_dialog("letters")
    tier_menu_choose(qtbot, window, "chars", "Rename tier…")
    assert trellis.edited_path()[0].size == 0  # no "chars" tier to draw any more
    press(window, Qt.Key.Key_Z, Ctrl)
    np.testing.assert_array_equal(trellis.edited_path()[0], path)


# -- points ---------------------------------------------------------------------------------------


def test_a_point_is_added_with_return_and_dragged_in_one_undo_step(
    qtbot: Any, window: MainWindow
) -> None:
    window.stack.zoom_to(0.5, 1.5)
    click(window, "marks", 0.9)
    press(window, Qt.Key.Key_Return)
    added = starts(window, "marks")[1]
    assert starts(window, "marks") == [0.3, added, 1.6] and added == pytest.approx(0.9, abs=2e-3)
    view = window.stack.tiers.view("marks")
    mouse_drag(view, view_pixel(view, added, 0.5), view_pixel(view, 1.2, 0.5))
    moved = starts(window, "marks")[1]
    assert moved == pytest.approx(1.2, abs=0.01) and moved > 1.1
    assert view.boundary_times()[1][1] == moved  # the view shows what the document has
    press(window, Qt.Key.Key_Z, Ctrl)  # the whole drag is one step
    assert starts(window, "marks") == [0.3, added, 1.6]
    press(window, Qt.Key.Key_Z, Ctrl)
    assert starts(window, "marks") == [0.3, 1.6]


# -- zero crossings and moves to the cursor -------------------------------------------------------


def test_the_zero_key_puts_the_boundary_on_a_sign_change_of_the_audio(
    qtbot: Any, window: MainWindow
) -> None:
    samples = window.model.document.audio.samples
    assert not sign_change_at(samples, 0.4)
    window.stack.zoom_to(0.3, 0.5)
    click(window, "words", 0.401)  # a few pixels from the boundary at 0.4
    press(window, Qt.Key.Key_0)
    landed = starts(window, "words")[1]
    assert landed != 0.4 and abs(landed - 0.4) < 1 / 133
    assert sign_change_at(samples, landed)
    assert starts(window, "chars")[1] == landed  # the letter boundary it carries followed
    assert window.model.cursor() == landed
    press(window, Qt.Key.Key_Z, Ctrl)
    assert starts(window, "words")[1] == 0.4 and starts(window, "chars")[1] == 0.4


def test_always_snap_puts_inserted_and_dragged_boundaries_on_zero_crossings(
    qtbot: Any, window: MainWindow
) -> None:
    samples = window.model.document.audio.samples
    edit_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    edit_menu.popup(window.mapToGlobal(QPoint(10, 10)))
    qtbot.waitUntil(edit_menu.isVisible, timeout=2000)
    option = window.actions_.always_snap
    QTest.mouseClick(edit_menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     edit_menu.actionGeometry(option).center())  # fmt: skip
    qtbot.waitUntil(lambda: not edit_menu.isVisible(), timeout=2000)
    assert option.isChecked() and window.settings.snap_to_zero_crossings
    window.stack.zoom_to(1.0, 1.4)
    click(window, "words", 1.1)  # in the silence between the words
    press(window, Qt.Key.Key_Return)
    inserted = starts(window, "words")[3]
    assert inserted == pytest.approx(1.1, abs=1 / 133) and sign_change_at(samples, inserted)
    view = window.stack.tiers.view("words")
    mouse_drag(view, view_pixel(view, 1.2, 0.5), view_pixel(view, 1.25, 0.5))
    dragged = starts(window, "words")[4]
    assert dragged == pytest.approx(1.25, abs=0.01) and sign_change_at(samples, dragged)
    press(window, Qt.Key.Key_Z, Ctrl)  # drag and snap are one step
    assert starts(window, "words")[4] == 1.2


def test_move_the_nearest_boundary_to_the_cursor_and_the_cursor_to_it(
    qtbot: Any, window: MainWindow
) -> None:
    window.stack.zoom_to(0.3, 1.3)
    click(window, "words", 0.93)
    cursor = window.model.cursor()
    assert cursor == pytest.approx(0.93, abs=0.005)
    press(window, Qt.Key.Key_M, Ctrl)
    assert starts(window, "words")[2] == cursor  # the boundary at 1.0 was the nearest
    assert starts(window, "chars")[4] == cursor  # with the letter boundary it carries
    click(window, "chars", 0.68)
    press(window, Qt.Key.Key_M, Ctrl | Shift)
    assert window.model.cursor() == 0.6
    press(window, Qt.Key.Key_Z, Ctrl)
    assert starts(window, "words")[2] == 1.0


def test_alt_drag_moves_the_word_boundary_without_its_letters(
    qtbot: Any, window: MainWindow
) -> None:
    window.stack.zoom_to(0.8, 1.4)
    view = window.stack.tiers.view("words")
    letters = starts(window, "chars")
    modified_drag(view, view_pixel(view, 1.0, 0.5), view_pixel(view, 1.1, 0.5), Alt)
    assert starts(window, "words")[2] == pytest.approx(1.1, abs=0.01)
    assert starts(window, "chars") == letters  # "l" still ends at 1.0, inside "hello"
    assert window.model.document.problems() == []
    # Back to the left, Alt+drag stops at the end of "l": no letter ever straddles a word
    # boundary (as a plain drag stops at the letters it cannot carry).
    modified_drag(view, view_pixel(view, 1.1, 0.5), view_pixel(view, 0.9, 0.5), Alt)
    assert starts(window, "words")[2] == 1.0
    assert starts(window, "chars") == letters and window.model.document.problems() == []
    press(window, Qt.Key.Key_Z, Ctrl)  # both drags undone, one step each
    assert starts(window, "words")[2] == pytest.approx(1.1, abs=0.01)
    press(window, Qt.Key.Key_Z, Ctrl)
    assert starts(window, "words")[2] == 1.0
    # Without Alt the letter boundary comes along.
    mouse_drag(view, view_pixel(view, 1.0, 0.5), view_pixel(view, 1.1, 0.5))
    assert starts(window, "chars")[4] == starts(window, "words")[2] == pytest.approx(1.1, abs=0.01)


# -- Help > Keyboard shortcuts ------------------------------------------------------------------


def open_shortcuts(qtbot: Any, window: MainWindow) -> list[tuple[str, str, str]]:
    press(window, Qt.Key.Key_F1)
    dialog = window.shortcuts_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    return dialog.rows()


def keys(action: QAction) -> str:
    return ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())


def test_the_shortcuts_dialog_lists_the_actions_shortcuts_and_a_new_one(
    qtbot: Any, window: MainWindow
) -> None:
    rows = open_shortcuts(qtbot, window)
    shown = {(menu, text): shortcut for menu, text, shortcut in rows}
    assert shown[("Edit", "Undo")] == keys(window.actions_.undo)
    assert shown[("Edit", "Move boundary to nearest zero crossing")] == "0"
    assert shown[("Tier", "Move tier up")] == keys(window.actions_.move_tier_up)
    assert shown[("Help", "Keyboard shortcuts")].startswith("F1")
    assert ("Help", "About aligner-gui") not in shown  # no shortcut, not listed
    with_keys = [a for a in window.actions() if a.shortcuts()]
    assert sorted(shown.values()) == sorted(keys(a) for a in with_keys)
    window.shortcuts_dialog.close()

    # An action added to a menu later shows up, with nothing written in the dialog for it.
    tier_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Tier")
    extra = QAction("&Frobnicate tier", window)
    extra.setShortcut(QKeySequence("Ctrl+Alt+F"))
    tier_menu.addAction(extra)
    window.addAction(extra)
    rows = open_shortcuts(qtbot, window)
    assert ("Tier", "Frobnicate tier", keys(extra)) in rows


def test_no_two_actions_share_a_shortcut(window: MainWindow) -> None:
    # Qt ignores a key bound to two enabled actions ("ambiguous shortcut") without a word: the
    # branches that add keys (tiers, listening, editing) must never collide.
    owners: dict[str, list[str]] = {}
    for action in window.findChildren(QAction):
        for shortcut in action.shortcuts():
            owners.setdefault(shortcut.toString(), []).append(action.text())
    shared = {key: names for key, names in owners.items() if len(names) > 1}
    assert shared == {}
