"""A document's life in the editor: unsaved work is never lost. A fresh alignment counts as unsaved
(Ctrl+Q asks), edits made while an alignment runs are not silently replaced, Ctrl+S saves and
removes the recovery file, and every change is autosaved in the background, one file per document.
Restoring after a crash is tested in test_recovery.py."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from aligner_gui.core.document import edits
from aligner_gui.core.document.autosave import (
    read_recovery,
    recovery_files,
)
from aligner_gui.core.io.textgrid import Interval, IntervalTier, TextGrid, write_textgrid
from aligner_gui.core.models import emission as emission_module
from aligner_gui.qt import autosave as autosave_module
from aligner_gui.qt import dialogs
from aligner_gui.qt.autosave import orphaned_recoveries
from aligner_gui.qt.main_window import MainWindow

from recovery_helpers import Questions, answer_questions, open_window, tier_state
from tiny_models import make_tiny_checkpoint

pytestmark = pytest.mark.gui
RATE = 16_000
TEXT = "the north wind and the sun were disputing"
JOB_TIMEOUT_MS = 60_000
AUTOSAVE_TIMEOUT_MS = 15_000  # generous: the autosave itself is due 2 s after the last change
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("lifecycle")
    rng = np.random.default_rng(1)
    t = np.arange(3 * RATE) / RATE
    speechy = 0.3 * np.sin(2 * np.pi * 150 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t))
    sf.write(folder / "speech.wav", speechy + 0.01 * rng.standard_normal(t.size), RATE)
    (folder / "speech.txt").write_text(TEXT + "\n", encoding="utf-8")
    grid = TextGrid(0.0, 3.0, (IntervalTier("words", 0.0, 3.0, (
        Interval(0.0, 1.0, ""), Interval(1.0, 2.0, "cat"), Interval(2.0, 3.0, "sat"))),))  # fmt: skip
    write_textgrid(grid, folder / "cat.TextGrid")
    return {
        "wav": folder / "speech.wav",
        "txt": folder / "speech.txt",
        "grid": folder / "cat.TextGrid",
        "model": make_tiny_checkpoint(folder / "tiny.pt"),
    }


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Questions:
    return answer_questions(monkeypatch)


def make_window(qtbot: Any, files, settings_path: Path, recovery: Path) -> MainWindow:
    return open_window(qtbot, settings_path, recovery, model=files["model"])


@pytest.fixture
def recovery(tmp_path: Path) -> Path:
    return tmp_path / "recovery"


@pytest.fixture
def window(qtbot: Any, files, tmp_path: Path, recovery: Path, asked):
    win = make_window(qtbot, files, tmp_path / "settings.ini", recovery)
    yield win
    asked.save_answer = "discard"
    win.close()


def align(qtbot: Any, win: MainWindow, files) -> None:
    with qtbot.waitSignal(win.controller.finished, timeout=JOB_TIMEOUT_MS):
        assert win.session.open_alignment(files["wav"], files["txt"])
    qtbot.wait(30)


def press(win: MainWindow, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(win, key, modifier)


def insert_boundary_by_key(win: MainWindow) -> None:
    """Return splits the longest word at the cursor (a split lands on a character boundary, so
    the word must span more than one character)."""
    word = max(win.model.document.tier("words").segments, key=lambda s: s.end - s.start)
    win.model.set_cursor(0.5 * (word.start + word.end))
    before = win.model.undo_stack.count()
    press(win, Qt.Key.Key_Return)
    assert win.model.undo_stack.count() == before + 1, (word, win.statusBar().currentMessage())


def wait_for_autosave(qtbot: Any, win: MainWindow, edits: int):
    """Until the recovery file holding ``edits`` undo steps is written (an earlier write may
    still be announced after the edit)."""
    return qtbot.waitSignal(
        win.session.autosaver.written,
        timeout=AUTOSAVE_TIMEOUT_MS,
        check_params_cb=lambda path: read_recovery(Path(path)).edits == edits,
    )


# -- defects 4 and 5: unsaved work is never dropped without a question ----------------------------


def test_ctrl_q_right_after_an_alignment_asks_first(qtbot: Any, window: MainWindow, files, asked):
    align(qtbot, window, files)
    assert window.isWindowModified()
    assert window.windowTitle() == "speech (not saved)[*] — aligner-gui"
    asked.save_answer = "cancel"
    press(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert asked.save == ["speech (not saved)"]
    assert window.isVisible() and window.model.document is not None
    # Opening another file asks too; cancelled, nothing starts.
    assert not window.session.open_textgrid(files["grid"], files["wav"])
    assert asked.save == ["speech (not saved)"] * 2 and not window.controller.is_running()


def test_edits_made_while_a_realignment_runs_are_kept_or_asked_about(
    qtbot: Any, window: MainWindow, files, asked, monkeypatch: pytest.MonkeyPatch
):
    align(qtbot, window, files)
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a: files["wav"].parent / "first")
    press(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # saved: Ctrl+R asks nothing
    assert not window.isWindowModified()
    reached, release = threading.Event(), threading.Event()
    real = emission_module.compute_emissions

    def gated(model: Any, samples: Any, **kw: Any):
        reached.set()
        release.wait(30.0)
        return real(model, samples, **kw)

    monkeypatch.setattr(emission_module, "compute_emissions", gated)
    press(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # Align / Re-align
    qtbot.waitUntil(reached.is_set, timeout=JOB_TIMEOUT_MS)
    assert window.controller.is_running() and asked.save == []
    doc = window.model.document
    insert_boundary_by_key(window)  # an edit while the job runs
    edited = tier_state(doc)
    with qtbot.waitSignal(window.controller.finished, timeout=JOB_TIMEOUT_MS):
        release.set()
    assert asked.replace == ["first.TextGrid"]
    assert window.model.document is doc and tier_state(doc) == edited  # "Keep my edits"
    assert window.isWindowModified()
    # Asked again and told to replace: the new alignment is installed, the edit is gone.
    asked.replace_answer = "discard"
    with qtbot.waitSignal(window.controller.finished, timeout=JOB_TIMEOUT_MS):
        press(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(reached.is_set, timeout=JOB_TIMEOUT_MS)
        insert_boundary_by_key(window)
    assert len(asked.replace) == 2 and window.model.document is not doc


# -- Ctrl+S, autosave -------------------------------------------------------------------------------


def test_a_fresh_alignment_is_autosaved_and_ctrl_s_saves_and_removes_the_recovery_file(
    qtbot: Any, window: MainWindow, files, recovery: Path, tmp_path: Path, monkeypatch
):
    align(qtbot, window, files)
    doc = window.model.document
    qtbot.waitUntil(lambda: len(recovery_files(recovery)) == 1, timeout=AUTOSAVE_TIMEOUT_MS)
    fresh = read_recovery(recovery_files(recovery)[0])
    assert fresh.edits == 0 and fresh.modified and fresh.paths.audio == files["wav"]
    assert tier_state(fresh.to_document()) == tier_state(doc)
    with wait_for_autosave(qtbot, window, edits=1):
        insert_boundary_by_key(window)
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a: tmp_path / "mine")
    press(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert (tmp_path / "mine.TextGrid").is_file()
    assert window.windowTitle() == "mine.TextGrid[*] — aligner-gui"
    assert not window.isWindowModified()
    assert recovery_files(recovery) == []
    assert [p.name for p in recovery.iterdir() if not p.name.endswith(".lock")] == []  # no temp
    # The next edit is autosaved again, under the same name; a clean close removes it.
    with wait_for_autosave(qtbot, window, edits=2):
        insert_boundary_by_key(window)
    assert [p.stem for p in recovery_files(recovery)] == [window.session.doc_id]
    press(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.close() and recovery_files(recovery) == []


def test_autosave_waits_for_a_pause_but_never_more_than_five_seconds(
    qtbot: Any, window: MainWindow, files, monkeypatch: pytest.MonkeyPatch
):
    open_grid(qtbot, window, files)
    now = [100.0]
    monkeypatch.setattr(autosave_module.time, "monotonic", lambda: now[0])
    timer = window.session.autosaver._timer
    window.session.autosaver.write_now()  # nothing pending
    insert_boundary_by_key(window)
    assert timer.isActive() and timer.interval() == autosave_module.DEBOUNCE_MS
    for step in range(1, 5):  # an edit every second: the deadline does not move
        now[0] += 1.0
        window.session.autosaver.changed()
        assert timer.interval() == min(2000, 5000 - 1000 * step)
    now[0] += 1.5
    window.session.autosaver.changed()
    assert timer.interval() == 0  # 5.5 s after the first change: due at once


def open_grid(qtbot: Any, win: MainWindow, files) -> None:
    with qtbot.waitSignal(win.controller.finished, timeout=JOB_TIMEOUT_MS):
        assert win.session.open_textgrid(files["grid"], files["wav"])
    qtbot.wait(30)


def test_two_windows_keep_their_own_recovery_files(
    qtbot: Any, files, tmp_path: Path, recovery: Path, asked
):
    first = make_window(qtbot, files, tmp_path / "a.ini", recovery)
    second = make_window(qtbot, files, tmp_path / "b.ini", recovery)
    for win in (first, second):
        open_grid(qtbot, win, files)
        assert not win.isWindowModified()  # opened from disk: nothing to autosave yet
        with wait_for_autosave(qtbot, win, edits=1):
            win.model.push(edits.SetLabel("words", 1, f"cat of {id(win)}"))
    ids = {first.session.doc_id, second.session.doc_id}
    assert len(ids) == 2 and {p.stem for p in recovery_files(recovery)} == ids
    assert orphaned_recoveries(recovery) == ([], [])  # both owners are alive
    asked.save_answer = "discard"
    assert first.close()  # an explicit discard removes its file only
    assert {p.stem for p in recovery_files(recovery)} == {second.session.doc_id}
    assert orphaned_recoveries(recovery) == ([], [])
    assert second.close()


def test_an_autosave_that_cannot_write_says_so_in_one_line(
    qtbot: Any, window: MainWindow, files, tmp_path: Path
):
    open_grid(qtbot, window, files)
    saver = window.session.autosaver
    saver.folder = tmp_path / "a file"
    saver.folder.write_text("not a folder", encoding="utf-8")
    insert_boundary_by_key(window)
    with qtbot.waitSignal(saver.failed, timeout=AUTOSAVE_TIMEOUT_MS) as failed:
        saver.write_now()
    message = failed.args[0]
    assert message.startswith("Autosave failed: ") and "\n" not in message
    assert window.statusBar().currentMessage() == message
    assert window.isWindowModified() and window.model.document is not None


@pytest.mark.parametrize(
    ("button", "answer"),
    [("Save, then replace", "save"), ("Replace without saving", "discard"),
     ("Keep my edits", "cancel")],
)  # fmt: skip
def test_the_replace_question_names_the_document_and_its_buttons_answer(
    qtbot: Any, button: str, answer: str
) -> None:
    shown: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        shown.append(box.text())
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(0, click)
    assert dialogs.ask_replace_edited(None, "speech (not saved)") == answer
    assert shown == [
        "“speech (not saved)” was edited while the job ran. The new result replaces it: save your "
        "edits first?"
    ]
