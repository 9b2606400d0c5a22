"""The main window end to end: real alignment on the worker thread with a tiny model, real mouse
edits, playback on the ALSA null device, files in and out, errors, and a fast start-up."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QKeySequence
from PySide6.QtTest import QTest

from aligner_gui.core.document import edits
from aligner_gui.core.io.textgrid import (
    Interval,
    IntervalTier,
    TextGrid,
    read_textgrid,
    write_textgrid,
)
from aligner_gui.qt import dialogs
from aligner_gui.qt.file_pairs import AlignFiles, TextGridFiles, classify_files
from aligner_gui.qt.main_window import MainWindow
from aligner_gui.qt.session import TEXTGRID_EXPORT_FILTERS

from gui_helpers import aligning_window, mouse_click, mouse_drag, tiers_snapshot, view_pixel
from tiny_models import make_tiny_checkpoint

pytestmark = pytest.mark.gui
RATE = 16_000
TEXT = "the north wind and the sun were disputing"
JOB_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("window")
    rng = np.random.default_rng(0)
    t = np.arange(3 * RATE) / RATE
    speechy = 0.3 * np.sin(2 * np.pi * 150 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t))
    sf.write(folder / "speech.wav", (speechy + 0.01 * rng.standard_normal(t.size)), RATE)
    sf.write(folder / "long.wav", 0.2 * rng.standard_normal(90 * RATE), RATE, subtype="PCM_16")
    (folder / "speech.txt").write_text(TEXT + "\n", encoding="utf-8")
    (folder / "long.txt").write_text(" ".join([TEXT] * 30) + "\n", encoding="utf-8")
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "broken.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt garbage, not audio")
    (folder / "broken.TextGrid").write_text('File type = "ooTextFile"\nObject class = "TextGrid"\n'
                                            "xmin = zero\n", encoding="utf-8")  # fmt: skip
    return {
        "wav": folder / "speech.wav",
        "txt": folder / "speech.txt",
        "long_wav": folder / "long.wav",
        "long_txt": folder / "long.txt",
        "empty_txt": folder / "empty.txt",
        "broken_wav": folder / "broken.wav",
        "broken_tg": folder / "broken.TextGrid",
        "model": make_tiny_checkpoint(folder / "tiny.pt"),
    }


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Error dialogs, recorded instead of shown (a modal box would block the test)."""
    shown: list[str] = []
    monkeypatch.setattr(
        dialogs, "show_error", lambda parent, message, title="": shown.append(message)
    )
    return shown


@pytest.fixture
def window(qtbot: Any, files, tmp_path: Path, errors, monkeypatch: pytest.MonkeyPatch):
    yield from aligning_window(qtbot, tmp_path, monkeypatch, model_name=str(files["model"]))


def align(qtbot: Any, win: MainWindow, audio: Path, transcript: Path):
    with qtbot.waitSignal(win.controller.finished, timeout=JOB_TIMEOUT_MS) as blocker:
        assert win.session.open_alignment(audio, transcript)
    qtbot.wait(30)  # queued shows of the new tier views
    return blocker.args[0]


def open_textgrid(qtbot: Any, win: MainWindow, grid: Path, audio: Path | None) -> None:
    with qtbot.waitSignal(win.controller.finished, timeout=JOB_TIMEOUT_MS):
        assert win.session.open_textgrid(grid, audio)
    qtbot.wait(30)


# -- aligning ---------------------------------------------------------------------------------------


def test_alignment_runs_on_the_worker_and_fills_every_view(
    qtbot: Any, window: MainWindow, files
) -> None:
    result = align(qtbot, window, files["wav"], files["txt"])
    stack = window.stack
    doc = window.model.document
    assert doc is not None and doc.result is result
    assert stack.waveform.time_extent() == (0.0, result.audio.duration)
    assert stack.waveform.x_range() == pytest.approx((0.0, result.audio.duration))
    assert stack.emission.image_shape() == result.emissions.shape
    assert stack.trellis.image_shape() == (result.emissions.shape[0], len(result.tokenized.tokens))
    words = [iv for iv in stack.tiers.view("words").intervals() if iv[2]]
    assert words == [(w.start, w.end, w.label) for w in result.words]
    assert [w[2] for w in words] == TEXT.split()
    chars = [iv for iv in stack.tiers.view("chars").intervals() if iv[2]]
    assert chars == [(c.start, c.end, c.label) for c in result.chars]
    assert window.windowTitle() == "speech (not saved)[*] — aligner-gui"
    assert window.isWindowModified()  # a fresh alignment is unsaved work
    assert not window.progress.isVisible() and window.actions_.align.isEnabled()
    assert window.settings.recent_files == [files["wav"]]


def test_cancel_takes_effect_at_once_and_the_app_stays_usable(
    qtbot: Any, window: MainWindow, files
) -> None:
    # Cancel once the emissions are being computed (loading the model cannot be interrupted).
    with qtbot.waitSignal(
        window.controller.stageChanged,
        timeout=JOB_TIMEOUT_MS,
        check_params_cb=lambda stage: stage == "Computing emissions",
    ):
        window.session.open_alignment(files["long_wav"], files["long_txt"])
    assert window.progress.isVisible() and window.actions_.cancel.isEnabled()
    # Typically ~0.1 s (benchmarks/cancel_bench.py prints it); the bound only catches a hang, as
    # a loaded 2-core machine can delay any thread by seconds.
    started = time.monotonic()
    with qtbot.waitSignal(window.controller.cancelled, timeout=20_000):
        window.cancel_job()
    assert time.monotonic() - started < 15.0
    assert window.model.document is None
    assert not window.progress.isVisible() and window.actions_.align.isEnabled()
    result = align(qtbot, window, files["wav"], files["txt"])
    assert window.model.document.result is result


# -- editing ------------------------------------------------------------------------------------------


def test_mouse_drag_moves_a_word_boundary_everywhere_with_undo_and_redo(
    qtbot: Any, window: MainWindow, files
) -> None:
    align(qtbot, window, files["wav"], files["txt"])
    doc = window.model.document
    words_view = window.stack.tiers.view("words")
    chars_view = window.stack.tiers.view("chars")
    window.stack.zoom_to(0.0, 1.2)
    segs = doc.tier("words").segments
    chars = doc.tier("chars").segments
    # The start of a word whose first character is wide enough to drag into (a word boundary
    # stops before the next character boundary in its way).
    index, first_char = next(
        (i, c)
        for i in range(1, len(segs))
        for c in chars
        if segs[i].label and c.label and c.start == segs[i].start and c.end - c.start > 0.03
    )
    word = segs[index]
    old = word.start
    target = old + 0.5 * (first_char.end - old)
    before = tiers_snapshot(doc)
    path_before = window.stack.trellis.edited_path()[0].copy()
    mouse_drag(words_view, view_pixel(words_view, old, 0.5), view_pixel(words_view, target, 0.5))
    new = doc.tier("words").segments[index].start
    assert new == pytest.approx(target, abs=2 * words_view.view_box.viewPixelSize()[0])
    assert window.model.undo_stack.count() == 1
    assert window.isWindowModified()
    # The word's first character starts with it; every view shows the document's new times.
    assert any(c.label == first_char.label and c.start == new for c in doc.tier("chars").segments)
    assert (new, word.end, word.label) in words_view.intervals()
    assert new in [iv[0] for iv in chars_view.intervals()]
    assert words_view.handle_for(index).value() == new
    assert not np.array_equal(window.stack.trellis.edited_path()[0], path_before)
    after = tiers_snapshot(doc)
    window.actions_.undo.trigger()
    assert tiers_snapshot(doc) == before
    assert words_view.handle_for(index).value() == old
    assert window.isWindowModified()  # back to the fresh alignment, which is still unsaved
    window.actions_.redo.trigger()
    assert tiers_snapshot(doc) == after


def test_clicking_a_word_plays_exactly_its_samples_and_moves_the_playhead(
    qtbot: Any, window: MainWindow, files
) -> None:
    result = align(qtbot, window, files["wav"], files["txt"])
    player = window.player
    assert player.available, player.unavailable_reason
    inner = player._callback

    def paced(outdata, frames, time_info, status):  # the null device does not keep time
        inner(outdata, frames, time_info, status)
        time.sleep(frames / RATE)

    player._callback = paced  # read when the stream is opened (lazily, by the first play)
    positions: list[float] = []
    playheads: list[float] = []
    player.positionChanged.connect(positions.append)
    player.positionChanged.connect(
        lambda _t: playheads.append(window.stack.waveform.playhead.value())
    )
    view = window.stack.tiers.view("words")
    # The longest word: long enough for several playhead ticks (~30 Hz) on a low-latency stream.
    word = max((s for s in window.model.document.tier("words").segments if s.label),
               key=lambda s: s.end - s.start)  # fmt: skip
    s0, s1 = round(word.start * RATE), round(word.end * RATE)
    with qtbot.waitSignal(player.stopped, timeout=10_000):
        with qtbot.waitSignal(player.started) as started:
            mouse_click(view, view_pixel(view, 0.5 * (word.start + word.end), 0.5))
        assert started.args == [s0 / RATE, s1 / RATE]
        np.testing.assert_array_equal(player._buffer, result.audio.samples[s0:s1])
    assert len(positions) >= 2 and positions == sorted(positions)
    assert s0 / RATE <= positions[0] and positions[-1] == s1 / RATE
    assert playheads == positions
    assert window.model.selection() == (
        "words",
        window.model.document.tier("words").segments.index(word),
    )


def test_ctrl_e_exports_json_whose_scores_and_flags_reopen(
    qtbot: Any, window: MainWindow, files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The editor exports JSON through the same writer as the command line; an edited label
    keeps its word's score and flag, and the file reads back into the same tiers."""
    from aligner_gui.core.export.outputs import read_document

    result = align(qtbot, window, files["wav"], files["txt"])
    doc = window.model.document
    first = next(i for i, s in enumerate(doc.tier("words").segments) if s.label)
    window.model.push(edits.SetLabel("words", first, "The"))
    json_filter = next(f for f in TEXTGRID_EXPORT_FILTERS.split(";;") if "*.json" in f)
    exported = tmp_path / "scores"  # typed without an extension
    monkeypatch.setattr(dialogs, "ask_export_path", lambda *a: (exported, json_filter))
    QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    written = tmp_path / "scores.json"
    data = json.loads(written.read_text(encoding="utf-8"))
    assert data["model"] == result.model_name and data["audio"] == str(files["wav"])
    reopened = read_document(written)
    for name in doc.tier_names():
        ours, theirs = doc.tier(name), reopened.tier(name)
        assert theirs.parent == ours.parent
        assert [(s.start, s.end, s.label, s.score, s.aligned) for s in theirs.segments] == [
            (s.start, s.end, s.label, s.score, s.aligned) for s in ours.segments
        ]
    word = reopened.tier("words").segments[first]
    assert word.label == "The" and word.score == result.words[0].score is not None


def test_save_and_export_write_the_edited_document(
    qtbot: Any, window: MainWindow, files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    align(qtbot, window, files["wav"], files["txt"])
    doc = window.model.document
    first = next(i for i, s in enumerate(doc.tier("words").segments) if s.label)
    window.model.push(edits.SetLabel("words", first, "The"))
    window.model.push(
        edits.MoveBoundary("words", first + 1, doc.tier("words").segments[first].end - 0.01)
    )
    assert window.isWindowModified()
    exported = tmp_path / "copy.TextGrid"
    monkeypatch.setattr(
        dialogs, "ask_export_path", lambda *a: (exported, TEXTGRID_EXPORT_FILTERS.split(";;")[1])
    )
    window.session.export_textgrid()
    assert exported.read_text(encoding="utf-8").startswith(
        'File type = "ooTextFile"\nObject class = "TextGrid"\n\n0\n3\n<exists>\n'  # short format
    )
    assert read_textgrid(exported) == doc.to_textgrid()
    assert window.isWindowModified()  # an export is a copy: the document is still unsaved
    saved = tmp_path / "mine"
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a: saved)
    assert window.session.save()
    target = tmp_path / "mine.TextGrid"
    assert "intervals [1]:" in target.read_text(encoding="utf-8")  # Save writes the long format
    grid = read_textgrid(target)
    assert grid == doc.to_textgrid()
    assert grid.tier("words").intervals[first].label == "The"
    assert not window.isWindowModified()
    assert window.windowTitle() == "mine.TextGrid[*] — aligner-gui"
    assert window.settings.recent_files[0] == target


def test_closing_with_unsaved_changes_asks_first(
    qtbot: Any, window: MainWindow, files, monkeypatch: pytest.MonkeyPatch
) -> None:
    align(qtbot, window, files["wav"], files["txt"])
    first = next(i for i, s in enumerate(window.model.document.tier("words").segments) if s.label)
    window.model.push(edits.SetLabel("words", first, "changed"))
    answers: list[str] = []
    monkeypatch.setattr(dialogs, "ask_save_changes", lambda *a: answers.append(a[1]) or "cancel")
    assert not window.close()
    assert window.isVisible() and answers == ["speech (not saved)"]
    monkeypatch.setattr(dialogs, "ask_save_changes", lambda *a: "discard")
    assert window.close()


# -- TextGrids, drops, errors --------------------------------------------------------------------------


def test_open_a_praat_textgrid_for_correction(
    qtbot: Any, window: MainWindow, corpus_dir: Path
) -> None:
    grid_path = corpus_dir / "textgrids" / "praatio_bobby_words.TextGrid"
    audio_path = corpus_dir / "speech" / "praatio" / "bobby.wav"
    open_textgrid(qtbot, window, grid_path, audio_path)
    grid = read_textgrid(grid_path)
    stack = window.stack
    assert (
        [v.tier_name for v in stack.tiers.views]
        == [t.name for t in grid.tiers]
        == ["word", "phrase"]
    )
    shown = [iv for iv in stack.tiers.view("word").intervals() if iv[2]]
    assert shown == [(iv.start, iv.end, iv.label) for iv in grid.tier("word").intervals if iv.label]
    assert stack.waveform.time_extent()[1] == pytest.approx(1.195, abs=1e-3)
    assert stack.emission.image_shape() is None  # no engine result for a Praat file
    assert window.windowTitle() == "praatio_bobby_words.TextGrid[*] — aligner-gui"


def test_open_a_generated_textgrid_with_phones(
    qtbot: Any, window: MainWindow, files, tmp_path: Path
) -> None:
    grid = TextGrid(0.0, 3.0, (
        IntervalTier("words", 0.0, 3.0, (Interval(0.0, 1.0, ""), Interval(1.0, 2.0, "cat"),
                                         Interval(2.0, 3.0, ""))),
        IntervalTier("phones", 0.0, 3.0, (Interval(0.0, 1.0, ""), Interval(1.0, 1.3, "k"),
                                          Interval(1.3, 1.7, "æ"), Interval(1.7, 2.0, "t"),
                                          Interval(2.0, 3.0, ""))),
    ))  # fmt: skip
    path = tmp_path / "cat.TextGrid"
    write_textgrid(grid, path)
    open_textgrid(qtbot, window, path, files["wav"])
    doc = window.model.document
    assert doc.tier("phones").parent == "words"
    assert window.stack.tiers.view("phones").intervals()[2] == (1.3, 1.7, "æ")
    # Moving the word's end drags its last phone's end along.
    window.model.push(edits.MoveBoundary("words", 2, 2.2))
    assert window.stack.tiers.view("phones").intervals()[3] == (1.7, 2.2, "t")


def test_a_textgrid_that_does_not_fit_its_audio_opens_with_a_warning_and_saves_its_domain(
    qtbot: Any, window: MainWindow, files, tmp_path: Path
) -> None:
    fitting = TextGrid(0.0, 2.99, (IntervalTier("words", 0.0, 2.99, (Interval(0.0, 2.99, "a"),)),))
    write_textgrid(fitting, tmp_path / "fits.TextGrid")
    open_textgrid(qtbot, window, tmp_path / "fits.TextGrid", files["wav"])
    assert window.statusBar().currentMessage() == "Opened fits.TextGrid."
    long = TextGrid(0.0, 26.7, (IntervalTier("words", 0.0, 26.7, (Interval(0.0, 26.7, "b"),)),))
    write_textgrid(long, tmp_path / "long.TextGrid")
    open_textgrid(qtbot, window, tmp_path / "long.TextGrid", files["wav"])  # 3 s of audio
    assert window.statusBar().currentMessage() == (
        "Opened long.TextGrid. Warning: The TextGrid lasts 26.700 s but the audio lasts"
        " 3.000 s: check that they belong together."
    )
    # Reopen the fitting grid and save it: its xmax stays 2.99 although the audio lasts 3 s.
    open_textgrid(qtbot, window, tmp_path / "fits.TextGrid", files["wav"])
    window.model.push(edits.SetLabel("words", 0, "c"))
    assert window.session.save()
    assert read_textgrid(tmp_path / "fits.TextGrid") == TextGrid(
        0.0, 2.99, (IntervalTier("words", 0.0, 2.99, (Interval(0.0, 2.99, "c"),)),)
    )


def test_bad_inputs_show_an_error_and_the_window_stays_usable(
    qtbot: Any, window: MainWindow, files, errors: list[str]
) -> None:
    for audio, transcript in (
        (files["broken_wav"], files["txt"]),
        (files["wav"], files["empty_txt"]),
    ):
        with qtbot.waitSignal(window.controller.failed, timeout=JOB_TIMEOUT_MS):
            window.session.open_alignment(audio, transcript)
    with qtbot.waitSignal(window.controller.failed, timeout=JOB_TIMEOUT_MS):
        window.session.open_textgrid(files["broken_tg"], None)
    assert len(errors) == 3
    assert "broken.wav" in errors[0]
    assert "empty.txt" in errors[1]
    assert "broken.TextGrid, line " in errors[2]
    assert window.model.document is None and window.actions_.align.isEnabled()
    align(qtbot, window, files["wav"], files["txt"])
    assert window.model.document is not None


def test_malformed_praat_file_from_the_corpus(
    qtbot: Any, window: MainWindow, corpus_dir: Path, errors
) -> None:
    with qtbot.waitSignal(window.controller.failed, timeout=JOB_TIMEOUT_MS):
        window.session.open_textgrid(corpus_dir / "textgrids/malformed/praat_texio3.TextGrid", None)
    assert len(errors) == 1 and "praat_texio3.TextGrid" in errors[0] and "line" in errors[0]


def test_dropped_files_are_aligned_or_opened(
    qtbot: Any, window: MainWindow, files, tmp_path: Path
) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(files["wav"])), QUrl.fromLocalFile(str(files["txt"]))])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)  # fmt: skip
    with qtbot.waitSignal(window.controller.finished, timeout=JOB_TIMEOUT_MS):
        window.dropEvent(event)
    assert window.model.document.result is not None
    # Pairing rules: a lone file finds its same-named companion.
    assert classify_files([files["wav"]]) == AlignFiles(files["wav"], files["txt"])
    assert classify_files([files["txt"], files["wav"]]) == AlignFiles(files["wav"], files["txt"])
    assert classify_files([files["broken_tg"]]) == TextGridFiles(
        files["broken_tg"], files["broken_wav"]
    )
    assert "not an audio file" in classify_files([tmp_path / "notes.docx"])  # type: ignore[operator]


# -- menus, settings, about -----------------------------------------------------------------------------


def test_menus_remember_choices_and_about_names_versions(
    window: MainWindow, tmp_path: Path
) -> None:
    window.actions_.panels["trellis"].setChecked(False)
    assert window.stack.trellis.isHidden()
    assert window.settings.view_visible("trellis") is False
    device = next(a for a in window.actions_.devices.actions() if a.text() == "auto")
    device.trigger()
    assert window.settings.device == "auto"
    model = next(a for a in window.actions_.models.actions() if a.toolTip() == "MMS_FA")
    model.trigger()
    assert window.settings.model_name == "MMS_FA"
    text = dialogs.about_text("MMS_FA", "cpu")
    for needle in (
        "aligner-gui",
        "PySide6",
        "pyqtgraph",
        "MIT",
        "MMS_FA",
        dialogs.package_version("torch"),
    ):
        assert needle in text
    # Undo/Redo come from the document's stack with the standard shortcuts.
    assert window.actions_.undo.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert window.actions_.redo.shortcut() == QKeySequence(QKeySequence.StandardKey.Redo)


def test_the_window_opens_before_torch_is_imported_then_aligns_from_argv(
    files, tmp_path: Path
) -> None:
    script = textwrap.dedent(
        """
        import json, sys
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        from aligner_gui.qt import app as gui_app

        qapp = QApplication([])
        report = {}

        def window():
            from aligner_gui.qt.main_window import MainWindow
            return next(w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow))

        def at_start():
            report["shown"] = window().isVisible()
            report["torch_at_start"] = "torch" in sys.modules
            QTimer.singleShot(50, poll)

        def poll():
            doc = window().model.document
            if doc is None:
                QTimer.singleShot(50, poll)
                return
            report["tiers"] = [t.name for t in doc.tiers][:2]  # a random model adds "doubtful"
            report["torch_after_align"] = "torch" in sys.modules
            window().model.mark_saved()
            qapp.quit()

        QTimer.singleShot(0, at_start)
        QTimer.singleShot(60000, qapp.quit)
        code = gui_app.main(sys.argv[1:])
        print(json.dumps(report))
        sys.exit(code)
        """
    )
    args = [str(files["wav"]), str(files["txt"]), "--model", str(files["model"]), "--device", "cpu",
            "--settings", str(tmp_path / "s.ini")]  # fmt: skip
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          timeout=120, env=env, cwd=str(Path(__file__).resolve().parents[2]))  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"shown": True, "torch_at_start": False, "tiers": ["words", "chars"],
                      "torch_after_align": True}  # fmt: skip


def test_shortcuts_are_unique_and_the_recent_menu_lists_files(window: MainWindow, files) -> None:
    keys = [s.toString() for a in window.actions() for s in a.shortcuts()]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    assert {"Space", "Ctrl+Z", "Ctrl+S", "+", "-", "Left", "Right", "Esc"} <= set(keys)
    window.settings.add_recent_file(files["wav"])
    window.actions_.recent_menu.aboutToShow.emit()
    entries = [a for a in window.actions_.recent_menu.actions() if not a.isSeparator()]
    assert [a.text() for a in entries] == ["speech.wav", "Clear list"]
    assert entries[0].toolTip() == str(files["wav"])


def test_open_dialog_pairs_a_file_with_its_companion(qtbot: Any, files) -> None:
    dialog = dialogs.PairDialog(None, "Open", ("Audio:", dialogs.AUDIO_FILTER),
                                ("Transcript:", dialogs.TRANSCRIPT_FILTER),
                                dialogs.TRANSCRIPT_SUFFIXES, False, None)  # fmt: skip
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.first_edit.setText(str(files["wav"]))
    dialog._first_chosen(files["wav"])
    assert dialog.second_edit.text() == str(files["txt"])
    assert ok.isEnabled()
    assert dialog.paths() == (files["wav"], files["txt"])
