"""A document's life in the editor: unsaved work is never lost. A fresh alignment counts as unsaved
(Ctrl+Q asks), edits made while an alignment runs are not silently replaced, Ctrl+S saves and
removes the recovery file, every change is autosaved in the background, and an editor killed with
SIGKILL is restored exactly by the next one, an hour with 10,000 words included."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from recovery_helpers import apply_two_edits, recovery_document, tier_state, write_audio

from aligner_gui.core.document import edits
from aligner_gui.core.document.autosave import (
    DocumentPaths,
    list_recoveries,
    read_recovery,
    recovery_files,
    take_snapshot,
    write_snapshot,
)
from aligner_gui.core.io.textgrid import Interval, IntervalTier, TextGrid, write_textgrid
from aligner_gui.core.models import emission as emission_module
from aligner_gui.qt import autosave as autosave_module
from aligner_gui.qt import dialogs
from aligner_gui.qt.autosave import orphaned_recoveries
from aligner_gui.qt.main_window import MainWindow
from aligner_gui.qt.settings import Settings

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


class Questions:
    """The questions the editor asked (names shown), with the answers a test chose."""

    def __init__(self) -> None:
        self.save: list[str] = []
        self.replace: list[str] = []
        self.errors: list[str] = []
        self.save_answer = "discard"
        self.replace_answer = "cancel"


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Questions:
    """Modal questions answered without a dialog (a modal box would block the test)."""
    q = Questions()
    monkeypatch.setattr(dialogs, "ask_save_changes",
                        lambda _p, name: q.save.append(name) or q.save_answer)  # fmt: skip
    monkeypatch.setattr(dialogs, "ask_replace_edited",
                        lambda _p, name: q.replace.append(name) or q.replace_answer)  # fmt: skip
    monkeypatch.setattr(dialogs, "show_error",
                        lambda _p, message, title="": q.errors.append(message))  # fmt: skip
    return q


def make_window(qtbot: Any, files, settings_path: Path, recovery: Path) -> MainWindow:
    settings = Settings.from_file(settings_path)
    settings.model_name = str(files["model"])
    settings.device = "cpu"
    win = MainWindow(settings, recovery_folder=recovery)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5000)
    return win


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
    """Return inserts a boundary at the cursor, in the middle of the first word."""
    word = next(s for s in win.model.document.tier("words").segments if s.label)
    win.model.set_cursor(0.5 * (word.start + word.end))
    before = win.model.undo_stack.count()
    press(win, Qt.Key.Key_Return)
    assert win.model.undo_stack.count() == before + 1


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


# -- recovery ---------------------------------------------------------------------------------------


def test_the_restore_dialog_shows_what_it_restores(qtbot: Any, files, tmp_path: Path, asked):
    recovery = tmp_path / "recovery"
    doc = recovery_document(12.0, 30)
    audio = write_audio(doc, tmp_path / "rec.wav")
    paths = DocumentPaths(audio, tmp_path / "rec.txt", tmp_path / "saved before.TextGrid")
    write_snapshot(recovery, take_snapshot(doc, "abc123", paths, edits=4, modified=True))
    (recovery / "broken.json").write_text('{"format": "aligner-gui-recovery", "vers', "utf-8")
    win = make_window(qtbot, files, tmp_path / "s.ini", recovery)
    shown: list[str] = []

    def click_restore() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click_restore)
            return
        shown.append(box.text() + "\n" + box.informativeText())
        next(b for b in box.buttons() if b.text() == "Restore").click()

    QTimer.singleShot(0, click_restore)
    messages: list[str] = []
    win.session.statusMessage.connect(lambda text, _ms: messages.append(text))
    with qtbot.waitSignal(win.session.documentRestored, timeout=JOB_TIMEOUT_MS):
        assert win.session.offer_recovery()
    text = shown[0]
    assert str(audio) in text and "saved before.TextGrid" in text
    assert "4 edit(s)" in text and "30 words" in text
    assert "5 tier(s): words, chars, doubtful, events, notes (2)" in text
    assert "Autosaved: 20" in text
    assert tier_state(win.model.document) == tier_state(doc)
    assert win.windowTitle() == "saved before.TextGrid[*] — aligner-gui"
    assert win.isWindowModified()
    # The unreadable file was reported in one line and left alone.
    assert (recovery / "broken.json").is_file()
    assert [m for m in messages if "broken.json" in m] == [
        f"The recovery file {recovery / 'broken.json'} is damaged or incomplete."
    ]
    asked.save_answer = "discard"
    win.close()


@pytest.mark.parametrize(("seconds", "words"), [(12.0, 30), (3600.0, 10_000)])
def test_an_editor_killed_with_sigkill_is_restored_exactly(
    qtbot: Any, files, tmp_path: Path, asked, seconds: float, words: int, monkeypatch
):
    recovery = tmp_path / "recovery"
    expected = recovery_document(seconds, words)
    audio = write_audio(expected, tmp_path / "long.wav")
    apply_two_edits(lambda edit: edit.apply(expected), expected)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    errors = tmp_path / "driver.err"
    command = [sys.executable, str(REPO / "tests" / "qt" / "recovery_driver.py"), str(recovery),
               str(tmp_path / "driver.ini"), str(audio), str(seconds), str(words)]  # fmt: skip
    with (
        errors.open("w", encoding="utf-8") as stderr,
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env, cwd=str(REPO)
        ) as driver,  # fmt: skip
    ):
        try:
            assert driver.stdout is not None
            line = driver.stdout.readline()
            assert line.startswith("autosaved "), errors.read_text(encoding="utf-8")
        finally:
            driver.send_signal(signal.SIGKILL)  # the crash: no handler, no clean-up, no flush
            driver.wait(30)
    assert driver.returncode == -signal.SIGKILL
    saved = Path(line.split(" ", 1)[1].strip())
    assert json.loads(saved.read_text(encoding="utf-8"))["version"] == 1
    assert list((recovery).glob(f"{saved.stem}.lock"))  # the killed owner's lock is left behind
    summaries: list[str] = []
    monkeypatch.setattr(
        dialogs, "ask_restore", lambda _p, text: summaries.append(text) or "restore"
    )
    win = make_window(qtbot, files, tmp_path / "s.ini", recovery)
    with qtbot.waitSignal(win.session.documentRestored, timeout=JOB_TIMEOUT_MS):
        assert win.session.offer_recovery()
    doc = win.model.document
    assert tier_state(doc) == tier_state(expected)
    assert (doc.duration, doc.xmin) == (expected.duration, expected.xmin)
    assert doc.audio is not None and doc.audio.num_samples == expected.audio.num_samples
    assert win.session.paths == DocumentPaths(audio, None, None)
    assert win.session.doc_id == saved.stem
    assert win.isWindowModified() and win.windowTitle() == "long (not saved)[*] — aligner-gui"
    assert (
        f"2 edit(s); {sum(1 for s in expected.tier('words').segments if s.label)} words"
        in (summaries[0])
    )
    # The restored document is this editor's now: it is no orphan, and it is autosaved again.
    assert orphaned_recoveries(recovery)[0] == []
    found, _ = list_recoveries(recovery)
    assert [r.doc_id for r in found] == [saved.stem]
    asked.save_answer = "discard"
    win.close()
    assert recovery_files(recovery) == []


def test_a_recovery_whose_recording_is_gone_or_broken_is_restored_without_audio(
    qtbot: Any, files, tmp_path: Path, asked, monkeypatch: pytest.MonkeyPatch
):
    recovery = tmp_path / "recovery"
    doc = recovery_document(12.0, 30)
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt garbage, not audio")
    for doc_id, audio in (("gone", tmp_path / "moved away.wav"), ("broken", broken)):
        snap = take_snapshot(doc, doc_id, DocumentPaths(audio, None, None), edits=1, modified=True)
        write_snapshot(recovery, replace(snap, saved_at=1.0 if doc_id == "gone" else 2.0))
    monkeypatch.setattr(dialogs, "ask_restore", lambda *a: "restore")
    win = make_window(qtbot, files, tmp_path / "s.ini", recovery)
    with qtbot.waitSignal(win.session.documentRestored, timeout=JOB_TIMEOUT_MS):
        assert win.session.offer_recovery()  # the newest first: the broken recording
    assert len(asked.errors) == 1 and "broken.wav" in asked.errors[0]
    assert win.session.doc_id == "broken" and win.model.document.audio is None
    assert tier_state(win.model.document) == tier_state(doc)
    asked.save_answer = "discard"
    with qtbot.waitSignal(win.session.documentRestored, timeout=JOB_TIMEOUT_MS):
        assert win.session.offer_recovery()  # the other one is still there, and offered
    assert win.session.doc_id == "gone" and win.model.document.audio is None
    assert "not found" in win.statusBar().currentMessage()
    assert [p.stem for p in recovery_files(recovery)] == ["gone"]  # "broken" was discarded
    win.close()


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


def test_the_editor_offers_a_killed_editors_work_when_it_starts(tmp_path: Path) -> None:
    """``aligner-gui`` without files asks about orphaned recovery files once its window is up;
    the recovery folder comes from the settings file."""
    recovery = tmp_path / "recovery"
    doc = recovery_document(12.0, 30)
    paths = DocumentPaths(tmp_path / "interview.wav", None, None)
    write_snapshot(recovery, take_snapshot(doc, "orphan", paths, edits=3, modified=True))
    settings = Settings.from_file(tmp_path / "s.ini")
    settings.recovery_folder = recovery
    settings.sync()
    script = textwrap.dedent(
        """
        import sys
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        from aligner_gui.qt import app as gui_app, dialogs

        qapp = QApplication([])

        def ask_restore(parent, summary):
            print("ASKED " + summary.replace("\\n", " | "), flush=True)
            QTimer.singleShot(0, qapp.quit)
            return "later"

        dialogs.ask_restore = ask_restore
        QTimer.singleShot(60000, qapp.quit)
        sys.exit(gui_app.main(sys.argv[1:]))
        """
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", script, "--settings", str(tmp_path / "s.ini")],
                          capture_output=True, text=True, timeout=120, env=env, cwd=str(REPO))  # fmt: skip
    assert done.returncode == 0, done.stderr
    asked = [line for line in done.stdout.splitlines() if line.startswith("ASKED ")]
    assert len(asked) == 1
    assert (
        f"Recording: {tmp_path / 'interview.wav'}" in asked[0] and "3 edit(s); 30 words" in asked[0]
    )
    assert recovery_files(recovery) == [recovery / "orphan.json"]  # "Not now" keeps it


def test_discarding_a_recovery_removes_its_file_and_later_keeps_it(
    qtbot: Any, files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    recovery = tmp_path / "recovery"
    doc = recovery_document(12.0, 30)
    for doc_id, when in (("older", 1.0), ("newer", 2.0)):
        snap = take_snapshot(doc, doc_id, DocumentPaths(None, None, None), edits=1, modified=True)
        write_snapshot(recovery, replace(snap, saved_at=when))
    answers = iter(["discard", "later"])
    monkeypatch.setattr(dialogs, "ask_restore", lambda *a: next(answers))
    win = make_window(qtbot, files, tmp_path / "s.ini", recovery)
    assert not win.session.offer_recovery()
    assert recovery_files(recovery) == [recovery / "older.json"]
    assert win.model.document is None
    win.close()
