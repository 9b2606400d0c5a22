"""A phones tier under the words, edited in the window with the mouse and keys: the shared
corpus's hand-labelled "Mary rolled the barrel" (IPA phones nested in words). Dragging a word's
edge carries its first or last phone, a phone boundary cannot leave its word, and a phone is
relabelled with IPA typed or picked, undoably; the result is written and read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from aligner_gui.core.io.textgrid import IntervalTier, read_textgrid
from aligner_gui.qt import dialogs
from aligner_gui.qt.ipa_picker import PhoneLabelDialog
from aligner_gui.qt.main_window import MainWindow
from aligner_gui.qt.settings import Settings
from aligner_gui.qt.views.ipa_font import covers_ipa

from gui_helpers import mouse_click, mouse_drag, view_pixel

pytestmark = pytest.mark.gui
JOB_TIMEOUT_MS = 60_000


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corpus_dir: Path):
    monkeypatch.setattr(dialogs, "ask_save_changes", lambda *a: "discard")
    settings = Settings.from_file(tmp_path / "settings.ini")
    win = MainWindow(settings, recovery_folder=tmp_path / "recovery")
    qtbot.addWidget(win)
    win.resize(1300, 900)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    grid = corpus_dir / "textgrids" / "praatio_mary.TextGrid"
    with qtbot.waitSignal(win.controller.finished, timeout=JOB_TIMEOUT_MS):
        win.session.open_textgrid(grid, corpus_dir / "speech" / "praatio" / "mary.wav")
    qtbot.wait(30)
    win.stack.zoom_to(0.2, 1.6)
    qtbot.wait(30)
    yield win
    win.close()


def spans(win: MainWindow, tier: str) -> list[tuple[float, float, str]]:
    doc = win.model.document
    assert doc is not None
    return [(s.start, s.end, s.label) for s in doc.tier(tier).segments]


def drag(win: MainWindow, tier: str, start: float, end: float) -> None:
    view = win.stack.tiers.view(tier)
    assert view is not None
    mouse_drag(view, view_pixel(view, start, 0.5), view_pixel(view, end, 0.5))


def press(win: MainWindow, key: Qt.Key) -> None:
    if QApplication.activeWindow() is not win:
        win.activateWindow()
        assert QTest.qWaitForWindowActive(win)
    QTest.keyClick(QApplication.focusWidget() or win, key)


def phones_inside_words(win: MainWindow) -> bool:
    words = [w for w in spans(win, "word") if w[2]]
    return all(
        any(w0 - 1e-9 <= p0 and p1 <= w1 + 1e-9 for w0, w1, _ in words)
        for p0, p1, label in spans(win, "phone")
        if label
    )


def test_the_phone_tier_is_the_child_of_the_words(window: MainWindow) -> None:
    doc = window.model.document
    assert doc is not None and doc.tier("phone").parent == "word"
    assert [v.tier_name for v in window.stack.tiers.views][:2] == ["phone", "word"]
    phone_view = window.stack.tiers.view("phone")
    assert phone_view is not None and phone_view.item.label_font is not None
    assert covers_ipa(phone_view.item.label_font)
    phone_view.repaint()
    assert "θ" in phone_view.item.painted_labels


def test_dragging_a_word_edge_carries_its_first_and_last_phone(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    before_phones, before_words = spans(window, "phone"), spans(window, "word")
    # "mary" | "rolled" at 0.676: mary's last phone "i" and rolled's first "r" share it.
    mary_rolled = next(w[1] for w in before_words if w[2] == "mary")
    drag(window, "word", mary_rolled, mary_rolled + 0.05)
    words, phones = spans(window, "word"), spans(window, "phone")
    moved = next(w[1] for w in words if w[2] == "mary")
    assert moved == pytest.approx(mary_rolled + 0.05, abs=0.01)
    i_phone = next(p for p in phones if p[2] == "i")
    r_after = next(p for p in phones if p[2] == "r" and p[0] >= i_phone[1] - 1e-9)
    assert i_phone[1] == moved and r_after[0] == moved
    # "barrel"'s right edge leftwards: its last phone "l" shrinks with it.
    barrel_end = next(w[1] for w in words if w[2] == "barrel")
    drag(window, "word", barrel_end, barrel_end - 0.06)
    phones = spans(window, "phone")
    new_end = next(w[1] for w in spans(window, "word") if w[2] == "barrel")
    last_l = [p for p in phones if p[2] == "l"][-1]
    assert new_end == pytest.approx(barrel_end - 0.06, abs=0.01) and last_l[1] == new_end
    assert phones_inside_words(window)
    # Written and read back: the TextGrid has the moved phones.
    path = tmp_path / "mary.TextGrid"
    assert window.session.write_textgrid(path)
    tier = next(t for t in read_textgrid(path).tiers if t.name == "phone")
    assert isinstance(tier, IntervalTier)
    assert [iv.label for iv in tier.intervals] == [p[2] for p in phones]
    assert [iv.end for iv in tier.intervals if iv.label == "i"] == [pytest.approx(moved)]
    # Each drag is one undo step; undoing both restores every tier exactly.
    window.model.undo_stack.undo()
    window.model.undo_stack.undo()
    assert spans(window, "phone") == before_phones and spans(window, "word") == before_words


def test_a_phone_boundary_cannot_leave_its_word(qtbot: Any, window: MainWindow) -> None:
    words = spans(window, "word")
    mary = next(w for w in words if w[2] == "mary")
    # r | i inside "mary": dragged far past the word's end, it stops inside the word.
    r_i = next(p[1] for p in spans(window, "phone") if p[2] == "r")
    drag(window, "phone", r_i, mary[1] + 0.15)
    phones = spans(window, "phone")
    r = next(p for p in phones if p[2] == "r")
    assert r_i < r[1] < mary[1]
    assert spans(window, "word") == words  # the words did not move
    assert phones_inside_words(window)


def type_text(widget: Any, text: str) -> None:
    """Real key events carrying each character, as a keyboard layout or input method sends them
    (QTest.keyClicks maps characters to keys and accepts only ASCII)."""
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch,
                           Qt.KeyboardModifier.NoModifier)  # fmt: skip


def answer_with(text_keys: str, symbols: tuple[str, ...] = ()) -> list[PhoneLabelDialog]:
    """When the relabel dialog is up: type ``text_keys`` over the old label, click the picker's
    ``symbols``, then press Return."""
    seen: list[PhoneLabelDialog] = []
    polls = [0]

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PhoneLabelDialog):
            polls[0] += 1
            if polls[0] < 300:
                QTimer.singleShot(10, answer)
            elif dialog is not None:
                dialog.close()  # another dialog than the phone one: fail, do not hang
            return
        seen.append(dialog)
        edit = dialog.edit
        edit.selectAll()
        type_text(edit, text_keys)
        for symbol in symbols:
            QTest.mouseClick(dialog.symbol_buttons[symbol], Qt.MouseButton.LeftButton)
        QTest.keyClick(edit, Qt.Key.Key_Return)

    QTimer.singleShot(0, answer)
    return seen


def test_f2_relabels_a_phone_with_typed_ipa_undoably(qtbot: Any, window: MainWindow) -> None:
    o = next(i for i, p in enumerate(spans(window, "phone")) if p[2] == "o")
    start, end, _ = spans(window, "phone")[o]
    view = window.stack.tiers.view("phone")
    mouse_click(view, view_pixel(view, 0.5 * (start + end), 0.5))
    assert window.model.selection() == ("phone", o)
    seen = answer_with("oʊ")
    press(window, Qt.Key.Key_F2)
    assert seen and covers_ipa(seen[0].edit.font())
    assert spans(window, "phone")[o] == (start, end, "oʊ")
    assert view.intervals()[o][2] == "oʊ"
    window.model.undo_stack.undo()
    assert spans(window, "phone")[o] == (start, end, "o")


def test_the_ipa_picker_inserts_at_the_cursor(qtbot: Any, window: MainWindow) -> None:
    # "ə" of "the" becomes "tʃə" typed as "t", then ʃ and ə picked from the grid.
    k = [i for i, p in enumerate(spans(window, "phone")) if p[2] == "ə"][-1]
    start, end, _ = spans(window, "phone")[k]
    view = window.stack.tiers.view("phone")
    mouse_click(view, view_pixel(view, 0.5 * (start + end), 0.5))
    answer_with("t", ("ʃ", "ə"))
    press(window, Qt.Key.Key_F2)
    assert spans(window, "phone")[k][2] == "tʃə"
    window.model.undo_stack.undo()
    assert spans(window, "phone")[k][2] == "ə"


def test_the_picker_groups_symbols_and_shows_diacritics_on_a_base(qtbot: Any) -> None:
    dialog = PhoneLabelDialog(None, "Edit label", "Label:", "a")
    qtbot.addWidget(dialog)
    assert {"ə", "ʃ", "ŋ", "tʃ", "ɹ", "ː"} <= set(dialog.symbol_buttons)
    assert dialog.symbol_buttons["\u0303"].text() == "◌\u0303"  # nasalised: on a dotted circle
    dialog.edit.setCursorPosition(1)
    QTest.mouseClick(dialog.symbol_buttons["\u0303"], Qt.MouseButton.LeftButton)
    QTest.mouseClick(dialog.symbol_buttons["ː"], Qt.MouseButton.LeftButton)
    assert dialog.text() == "a\u0303ː"
