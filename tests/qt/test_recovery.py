"""Crash recovery in the editor: an editor killed with SIGKILL is restored exactly by the next one
(an hour with 10,000 words included), the restore dialog shows what it brings back, a missing or
broken recording loses no work, and recovery files go only when the user says so."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from aligner_gui.core.document.autosave import (
    DocumentPaths,
    list_recoveries,
    recovery_files,
    take_snapshot,
    write_snapshot,
)
from aligner_gui.qt import dialogs
from aligner_gui.qt.autosave import orphaned_recoveries
from aligner_gui.qt.settings import Settings

from recovery_helpers import (
    Questions,
    answer_questions,
    apply_two_edits,
    open_window,
    recovery_document,
    tier_state,
    write_audio,
)

pytestmark = pytest.mark.gui
JOB_TIMEOUT_MS = 60_000
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Questions:
    return answer_questions(monkeypatch)


def make_window(qtbot: Any, settings_path: Path, recovery: Path):
    return open_window(qtbot, settings_path, recovery)


def test_the_restore_dialog_shows_what_it_restores(qtbot: Any, tmp_path: Path, asked):
    recovery = tmp_path / "recovery"
    doc = recovery_document(12.0, 30)
    audio = write_audio(doc, tmp_path / "rec.wav")
    paths = DocumentPaths(audio, tmp_path / "rec.txt", tmp_path / "saved before.TextGrid")
    write_snapshot(recovery, take_snapshot(doc, "abc123", paths, edits=4, modified=True))
    (recovery / "broken.json").write_text('{"format": "aligner-gui-recovery", "vers', "utf-8")
    win = make_window(qtbot, tmp_path / "s.ini", recovery)
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
    qtbot: Any, tmp_path: Path, asked, seconds: float, words: int, monkeypatch
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
    assert json.loads(saved.read_text(encoding="utf-8"))["version"] == 2
    assert list((recovery).glob(f"{saved.stem}.lock"))  # the killed owner's lock is left behind
    summaries: list[str] = []
    monkeypatch.setattr(
        dialogs, "ask_restore", lambda _p, text: summaries.append(text) or "restore"
    )
    win = make_window(qtbot, tmp_path / "s.ini", recovery)
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
    # The undo history came back too: Ctrl+Z walks back through the two edits made before the
    # crash, to the document as it was opened, and Ctrl+Shift+Z forward again.
    assert "2 of them can be undone" in win.statusBar().currentMessage()
    opened = recovery_document(seconds, words)
    texts: list[str] = []
    scratch = recovery_document(seconds, words)
    apply_two_edits(lambda edit: (edit.apply(scratch), texts.append(edit.text)), scratch)
    stack = win.model.undo_stack
    assert [stack.text(i) for i in range(stack.count())] == texts and stack.index() == 2
    for _ in range(2):
        QTest.keyClick(QApplication.focusWidget() or win, Qt.Key.Key_Z, CTRL)
    assert tier_state(doc) == tier_state(opened)
    for _ in range(2):
        QTest.keyClick(QApplication.focusWidget() or win, Qt.Key.Key_Z, CTRL | SHIFT)
    assert tier_state(doc) == tier_state(expected)
    # The restored document is this editor's now: it is no orphan, and it is autosaved again.
    assert orphaned_recoveries(recovery)[0] == []
    found, _ = list_recoveries(recovery)
    assert [r.doc_id for r in found] == [saved.stem]
    asked.save_answer = "discard"
    win.close()
    assert recovery_files(recovery) == []


def test_a_recovery_whose_recording_is_gone_or_broken_is_restored_without_audio(
    qtbot: Any, tmp_path: Path, asked, monkeypatch: pytest.MonkeyPatch
):
    recovery = tmp_path / "recovery"
    doc = recovery_document(12.0, 30)
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt garbage, not audio")
    for doc_id, audio in (("gone", tmp_path / "moved away.wav"), ("broken", broken)):
        snap = take_snapshot(doc, doc_id, DocumentPaths(audio, None, None), edits=1, modified=True)
        write_snapshot(recovery, replace(snap, saved_at=1.0 if doc_id == "gone" else 2.0))
    monkeypatch.setattr(dialogs, "ask_restore", lambda *a: "restore")
    win = make_window(qtbot, tmp_path / "s.ini", recovery)
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
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    recovery = tmp_path / "recovery"
    doc = recovery_document(12.0, 30)
    for doc_id, when in (("older", 1.0), ("newer", 2.0)):
        snap = take_snapshot(doc, doc_id, DocumentPaths(None, None, None), edits=1, modified=True)
        write_snapshot(recovery, replace(snap, saved_at=when))
    answers = iter(["discard", "later"])
    monkeypatch.setattr(dialogs, "ask_restore", lambda *a: next(answers))
    win = make_window(qtbot, tmp_path / "s.ini", recovery)
    assert not win.session.offer_recovery()
    assert recovery_files(recovery) == [recovery / "older.json"]
    assert win.model.document is None
    win.close()


def test_a_dead_editors_lone_lock_is_cleared_and_a_live_ones_kept(
    qtbot: Any, tmp_path: Path
) -> None:
    recovery = tmp_path / "recovery"
    recovery.mkdir()
    with subprocess.Popen([sys.executable, "-c", "pass"]) as gone:
        gone.wait(30)
    # QLockFile's format: pid, application, host (empty: this one).
    (recovery / "dead.lock").write_text(f"{gone.pid}\npython\n\n", encoding="utf-8")
    win = make_window(qtbot, tmp_path / "s.ini", recovery)
    live = win.session.autosaver
    live.set_source("live", lambda: None)
    assert orphaned_recoveries(recovery) == ([], [])
    assert sorted(p.name for p in recovery.iterdir()) == ["live.lock"]
    live.set_source(None, None)
    win.close()
