"""Corpus mode in the window: open a corpus, align it in the background, walk the review queue
and the files with real keys, mark reviewed, find, return to where the user was; the start page."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS
from aligner_gui.core.corpus.database import (
    ALIGNED,
    DATABASE_NAME,
    EDITED,
    NOT_ALIGNED,
    REVIEWED,
    CorpusDatabase,
)
from aligner_gui.core.corpus.runner import BatchSettings, run_batch
from aligner_gui.core.corpus.saved_words import speaker_of
from aligner_gui.core.corpus.suspicion import next_suspect, rescore_corpus, review_queue
from aligner_gui.core.export.outputs import read_document
from aligner_gui.core.io.textgrid import IntervalTier, read_textgrid
from aligner_gui.qt.app import build_parser, start_from_arguments
from aligner_gui.qt.corpus_model import PATH_ROLE
from aligner_gui.qt.main_window import MainWindow

from corpus_maker import MESSY_FILES, make_messy_corpus, write_long_pair, write_pair
from gui_helpers import mouse_click
from recovery_helpers import Questions, answer_questions, open_window
from tiny_models import make_tiny_checkpoint

pytestmark = pytest.mark.gui
TIMEOUT_MS = 120_000
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_checkpoint(tmp_path_factory.mktemp("model") / "tiny.pt", ENGLISH_ASR_LABELS)


@pytest.fixture(scope="module")
def aligned(tmp_path_factory: pytest.TempPathFactory, checkpoint: Path, one_torch_thread) -> Path:
    """A messy corpus aligned once by the engine: ``root/corpus`` and ``root/out``."""
    root = tmp_path_factory.mktemp("aligned")
    make_messy_corpus(root / "corpus")
    run_batch(root / "corpus", root / "out", BatchSettings(str(checkpoint), jobs=1))
    return root


@pytest.fixture
def corpus_copy(aligned: Path, tmp_path: Path) -> tuple[Path, Path]:
    """This test's own copy (times kept: the outputs stay up to date)."""
    shutil.copytree(aligned, tmp_path / "copy")
    return tmp_path / "copy" / "corpus", tmp_path / "copy" / "out"


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Questions:
    return answer_questions(monkeypatch)


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, checkpoint: Path, asked: Questions):
    win = open_window(qtbot, tmp_path / "settings.ini", tmp_path / "recovery", model=checkpoint)
    win.corpus.batch.jobs = 1  # in this process: tests spawn no worker processes
    yield win
    asked.save_answer = "discard"
    win.close()


def open_corpus(qtbot: Any, win: MainWindow, corpus: Path, out: Path) -> None:
    with qtbot.waitSignal(win.corpus.opened, timeout=TIMEOUT_MS):
        assert win.corpus.open_corpus(corpus, out)


def press(win: MainWindow, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(QApplication.focusWidget() or win, key, modifier)


def listed(win: MainWindow) -> dict[str, str]:
    """Every recording the list shows, with the status it shows."""
    proxy = win.corpus.panel.proxy
    shown = {}
    for s in range(proxy.rowCount()):
        speaker = proxy.index(s, 0)
        for r in range(proxy.rowCount(speaker)):
            shown[proxy.index(r, 0, speaker).data(PATH_ROLE)] = proxy.index(r, 1, speaker).data()
    return shown


def selected_word(win: MainWindow) -> tuple[str, float, float]:
    selection = win.model.selection()
    assert selection is not None and win.model.document is not None
    segment = win.model.document.tier(selection[0]).segments[selection[1]]
    return segment.label, segment.start, segment.end


def test_the_start_page_shows_with_nothing_open_and_goes_when_a_file_opens(
    qtbot: Any, window: MainWindow, corpus_copy: tuple[Path, Path]
) -> None:
    assert window.start_page.isVisible() and not window.stack.isVisible()
    assert window.start_page.drop_hint.text().startswith("…or drop files or a folder")
    corpus, out = corpus_copy
    open_corpus(qtbot, window, corpus, out)
    with qtbot.waitSignal(window.corpus.fileOpened, timeout=TIMEOUT_MS):
        press(window, Qt.Key.Key_PageDown, CTRL)
    assert window.stack.isVisible() and not window.start_page.isVisible()


def test_a_corpus_from_the_command_line_is_aligned_in_the_background_row_by_row(
    qtbot: Any, window: MainWindow, tmp_path: Path, one_torch_thread
) -> None:
    corpus = make_messy_corpus(tmp_path / "fresh")
    out = tmp_path / "fresh_out"
    args = build_parser().parse_args([str(corpus), "-o", str(out)])
    with qtbot.waitSignal(window.corpus.opened, timeout=TIMEOUT_MS):
        assert start_from_arguments(window, args)
    assert "fresh" in window.windowTitle()
    assert listed(window) == dict.fromkeys(MESSY_FILES, NOT_ALIGNED)

    seen: list[dict[str, str]] = []
    window.corpus.model.dataChanged.connect(lambda *_: seen.append(listed(window)))
    qtbot.mouseClick(window.corpus.panel.align_all, Qt.MouseButton.LeftButton)
    assert window.corpus.batch.is_aligning() and window.corpus.panel.cancel.isEnabled()
    qtbot.waitUntil(lambda: not window.corpus.batch.is_aligning(), timeout=TIMEOUT_MS)

    expected = {path: status for path, (_speaker, status) in MESSY_FILES.items()}
    assert listed(window) == expected
    # Live, file by file: the first file's row changed while the others were still waiting.
    assert len(seen) >= len(MESSY_FILES)
    assert list(seen[0].values()).count(NOT_ALIGNED) == len(MESSY_FILES) - 1
    with CorpusDatabase(out / DATABASE_NAME) as db:
        assert {row.path: row.status for row in db.files()} == expected
    assert read_textgrid(out / "alice" / "a01.TextGrid").tiers[0].name == "words"


def test_the_panel_shows_progress_within_a_long_file_while_it_aligns(
    qtbot: Any, window: MainWindow, tmp_path: Path, one_torch_thread
) -> None:
    corpus = tmp_path / "corpus"
    write_pair(corpus, "short", "a stitch in time saves nine")
    write_long_pair(corpus, "long", 40)  # ~2 min: several of the model's 30 s windows
    open_corpus(qtbot, window, corpus, tmp_path / "out")
    panel = window.corpus.panel
    seen: list[tuple[str, int, str]] = []  # both bars, in the order they changed
    panel.progress.valueChanged.connect(lambda v: seen.append(("files", v, "")))
    panel.file_progress.valueChanged.connect(
        lambda v: seen.append(("file", v, panel.file_progress.text()))
    )
    qtbot.mouseClick(panel.align_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.corpus.batch.is_aligning(), timeout=TIMEOUT_MS)

    long_done = next(i for i, (bar, v, _) in enumerate(seen) if bar == "files" and v == 2)
    within = [
        (v, text)
        for bar, v, text in seen[:long_done]
        if bar == "file" and 0 < v < 100 and text.startswith("long.wav")
    ]
    # The long file's bar moved, shown by name, before the file counted as done.
    assert len(within) >= 3 and all(text == f"long.wav {v} %" for v, text in within), within
    assert [v for v, _ in within] == sorted(v for v, _ in within)
    assert not panel.file_progress.isVisible()  # gone with the batch


def test_cancel_stops_between_files_and_the_list_stays_true(
    qtbot: Any, window: MainWindow, tmp_path: Path, one_torch_thread
) -> None:
    corpus = make_messy_corpus(tmp_path / "fresh")
    open_corpus(qtbot, window, corpus, tmp_path / "out")
    panel = window.corpus.panel
    panel.tree.selectAll()
    qtbot.mouseClick(panel.align_selected, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.cancel, Qt.MouseButton.LeftButton)  # before the first file
    qtbot.waitUntil(lambda: not window.corpus.batch.is_aligning(), timeout=TIMEOUT_MS)
    assert "cancelled" in panel.current_file.text()
    assert not panel.cancel.isEnabled() and panel.align_all.isEnabled()
    with CorpusDatabase(tmp_path / "out" / DATABASE_NAME) as db:
        recorded = {row.path: row.status for row in db.files()}
    assert listed(window) == recorded == dict.fromkeys(MESSY_FILES, NOT_ALIGNED)


def test_an_output_folder_that_cannot_be_used_is_one_message_and_no_corpus(
    qtbot: Any, window: MainWindow, asked: Questions, corpus_copy: tuple[Path, Path]
) -> None:
    corpus = corpus_copy[0]
    assert window.corpus.open_corpus(corpus, corpus)  # the corpus folder itself
    qtbot.waitUntil(lambda: bool(asked.errors), timeout=TIMEOUT_MS)
    assert len(asked.errors) == 1 and "must not be the corpus folder" in asked.errors[0]
    assert window.corpus.corpus is None and not window.corpus.panel.isVisible()
    assert corpus.name not in window.windowTitle()
    assert not (corpus / DATABASE_NAME).exists()


def test_a_folder_dropped_on_the_start_page_opens_as_a_corpus(
    qtbot: Any, window: MainWindow, corpus_copy: tuple[Path, Path]
) -> None:
    corpus = corpus_copy[0]  # no output folder given: the default, beside the corpus
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(corpus))])
    page = window.start_page
    point = QPointF(page.rect().center())
    with qtbot.waitSignal(window.corpus.opened, timeout=TIMEOUT_MS):
        for kind in (QEvent.Type.DragEnter, QEvent.Type.Drop):
            event_class = QDragEnterEvent if kind == QEvent.Type.DragEnter else QDropEvent
            event = event_class(point.toPoint() if kind == QEvent.Type.DragEnter else point,
                                Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)  # fmt: skip
            QApplication.sendEvent(window, event)
    assert window.corpus.corpus == corpus.resolve()
    assert window.corpus.out_dir == corpus.resolve().with_name("corpus_aligned")
    assert set(listed(window)) == set(MESSY_FILES)
    assert window.corpus.panel.isVisible()


def test_next_suspect_opens_the_queue_s_file_and_word_and_mark_reviewed_records_it(
    qtbot: Any, window: MainWindow, corpus_copy: tuple[Path, Path]
) -> None:
    corpus, out = corpus_copy
    with CorpusDatabase(out / DATABASE_NAME) as db:
        queue = review_queue(db, limit=3)
        assert len(queue) >= 2, "the tiny model leaves suspects to review"
        first = next_suspect(db)
        assert first is not None
        second = next_suspect(db, after=(first.path, first.idx))
        assert second is not None
    open_corpus(qtbot, window, corpus, out)

    for suspect in (first, second):
        with qtbot.waitSignal(window.model.selectionChanged, timeout=TIMEOUT_MS):
            press(window, Qt.Key.Key_J, CTRL)
        assert window.corpus.current == suspect.path
        label, start, end = selected_word(window)
        assert label == suspect.label
        assert start == pytest.approx(suspect.start, abs=0.02)
        assert end == pytest.approx(suspect.end, abs=0.02)

    with qtbot.waitSignal(window.model.selectionChanged, timeout=TIMEOUT_MS):
        press(window, Qt.Key.Key_J, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert window.corpus.current == first.path and selected_word(window)[0] == first.label

    press(window, Qt.Key.Key_Return, CTRL)
    assert listed(window)[first.path] == REVIEWED
    with CorpusDatabase(out / DATABASE_NAME) as db:
        assert db.file(first.path).status == REVIEWED  # type: ignore[union-attr]
        following = next_suspect(db, after=(first.path, first.idx))
    # A reviewed file leaves the queue: the next suspect is in another file.
    assert following is None or following.path != first.path


def test_next_and_previous_file_save_the_edits_and_mark_the_file_edited(
    qtbot: Any, window: MainWindow, corpus_copy: tuple[Path, Path]
) -> None:
    corpus, out = corpus_copy
    open_corpus(qtbot, window, corpus, out)
    with qtbot.waitSignal(window.corpus.fileOpened, timeout=TIMEOUT_MS):
        press(window, Qt.Key.Key_PageDown, CTRL)
    first = window.corpus.current
    assert first == "alice/a01.wav"
    doc = window.model.document
    assert doc is not None
    index = next(i for i, s in enumerate(doc.tier("words").segments) if s.label)
    assert window.model.relabel("words", index, "corrected")

    with qtbot.waitSignal(window.corpus.fileOpened, timeout=TIMEOUT_MS):
        press(window, Qt.Key.Key_PageDown, CTRL)
    assert window.corpus.current == "alice/a02.flac"
    saved = read_textgrid(out / "alice" / "a01.TextGrid").tiers[0]
    assert isinstance(saved, IntervalTier)
    assert "corrected" in [interval.label for interval in saved.intervals]
    assert listed(window)[first] == EDITED
    with CorpusDatabase(out / DATABASE_NAME) as db:
        assert db.file(first).status == EDITED  # type: ignore[union-attr]

    with qtbot.waitSignal(window.corpus.fileOpened, timeout=TIMEOUT_MS):
        press(window, Qt.Key.Key_PageUp, CTRL)
    assert window.corpus.current == first
    reopened = window.model.document
    assert reopened is not None and reopened.tier("words").segments[index].label == "corrected"


def test_find_lists_hits_across_the_corpus_and_f3_jumps_to_one(
    qtbot: Any, window: MainWindow, corpus_copy: tuple[Path, Path]
) -> None:
    corpus, out = corpus_copy
    open_corpus(qtbot, window, corpus, out)
    press(window, Qt.Key.Key_F, CTRL)
    box = window.find_panel.box
    qtbot.waitUntil(box.hasFocus)
    QTest.keyClicks(box, "shells")
    qtbot.waitUntil(lambda: window.find_panel.results.count() == 1)
    with qtbot.waitSignal(window.model.selectionChanged, timeout=TIMEOUT_MS):
        press(window, Qt.Key.Key_F3)
    assert window.corpus.current == "alice/a02.flac"
    assert selected_word(window)[0] == "shells"


def test_reopening_the_corpus_returns_to_the_last_file_and_view(
    qtbot: Any, tmp_path: Path, checkpoint: Path, asked: Questions,
    corpus_copy: tuple[Path, Path],
) -> None:  # fmt: skip
    corpus, out = corpus_copy
    settings = tmp_path / "settings.ini"
    first = open_window(qtbot, settings, tmp_path / "recovery", model=checkpoint)
    open_corpus(qtbot, first, corpus, out)
    with qtbot.waitSignal(first.corpus.fileOpened, timeout=TIMEOUT_MS):
        first.corpus.open_file("bob/b01.wav")
    first.stack.set_x_range(0.5, 1.25)
    first.close()

    second = open_window(qtbot, settings, tmp_path / "recovery", model=checkpoint)
    recent = second.start_page.recent_corpora
    assert recent.count() == 1 and corpus.name in recent.item(0).text()
    with qtbot.waitSignal(second.corpus.fileOpened, timeout=TIMEOUT_MS):
        # A double click on the start page's entry; the output folder is remembered too.
        mouse_click(recent, recent.visualItemRect(recent.item(0)).center(), double=True)
    assert second.corpus.out_dir == out.resolve()
    assert second.corpus.current == "bob/b01.wav"
    start, end = second.stack.x_range()
    assert (start, end) == (pytest.approx(0.5, abs=0.01), pytest.approx(1.25, abs=0.01))
    assert corpus.name in second.windowTitle()
    second.close()


def test_a_corpus_kept_in_json_opens_with_its_scores_and_saves_both_files(
    qtbot: Any, window: MainWindow, tmp_path: Path, checkpoint: Path, one_torch_thread
) -> None:
    corpus = make_messy_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    run_batch(corpus, out, BatchSettings(str(checkpoint), output="both", jobs=1))
    open_corpus(qtbot, window, corpus, out)
    with qtbot.waitSignal(window.corpus.fileOpened, timeout=TIMEOUT_MS):
        press(window, Qt.Key.Key_PageDown, CTRL)
    doc = window.model.document
    assert doc is not None
    words = doc.tier("words").segments
    assert any(s.score is not None for s in words if s.label)  # read from the JSON
    index = next(i for i, s in enumerate(words) if s.label)
    assert window.model.relabel("words", index, "corrected")
    press(window, Qt.Key.Key_S, CTRL)
    assert not window.model.is_modified()
    saved = read_document(out / "alice" / "a01.json")
    assert saved.tier("words").segments[index].label == "corrected"
    grid = read_textgrid(out / "alice" / "a01.TextGrid").tiers[0]
    assert isinstance(grid, IntervalTier)
    assert "corrected" in [interval.label for interval in grid.intervals]
    assert listed(window)["alice/a01.wav"] == EDITED


def test_export_writes_missing_textgrids_and_leaves_up_to_date_ones(
    qtbot: Any, window: MainWindow, tmp_path: Path, checkpoint: Path, one_torch_thread
) -> None:
    corpus = make_messy_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    run_batch(corpus, out, BatchSettings(str(checkpoint), output="json", jobs=1))
    open_corpus(qtbot, window, corpus, out)
    aligned = [p for p, (_speaker, status) in MESSY_FILES.items() if status == "aligned"]
    grids = [out / Path(p).with_suffix(".TextGrid") for p in aligned]
    assert not any(g.exists() for g in grids)

    window.corpus_actions.export.trigger()
    assert all(g.is_file() for g in grids)
    first = read_textgrid(grids[0]).tiers[0]
    assert isinstance(first, IntervalTier) and first.name == "words"
    times = [g.stat().st_mtime_ns for g in grids]
    window.corpus_actions.export.trigger()
    assert [g.stat().st_mtime_ns for g in grids] == times  # nothing rewritten
    assert f"0 written, {len(grids)} already up to date" in window.statusBar().currentMessage()


def relabel_selected_by_keys(win: MainWindow, label: str) -> None:
    """F2 opens the label editor; the new label is typed and Return commits it."""

    def type_label() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None
        edit = dialog.findChild(QLineEdit)
        edit.selectAll()
        QTest.keyClicks(edit, label)
        QTest.keyClick(edit, Qt.Key.Key_Return)

    QTimer.singleShot(0, type_label)
    press(win, Qt.Key.Key_F2)
    win.activateWindow()  # the editor closed: the window takes the keys again
    QTest.qWaitForWindowActive(win)


def saved_words(out: Path, path: str) -> list[tuple[str, str, float, float]]:
    """(speaker, label, start, end) of every labelled word the saved TextGrid holds."""
    words = []
    for tier in read_textgrid(out / Path(path).with_suffix(".TextGrid")).tiers:
        speaker = speaker_of(tier.name)
        if isinstance(tier, IntervalTier) and speaker is not None:
            words += [(speaker, i.label, i.start, i.end) for i in tier.intervals if i.label.strip()]
    return words


def test_a_corrected_suspect_is_saved_into_the_database_and_leaves_the_queue(
    qtbot: Any, window: MainWindow, corpus_copy: tuple[Path, Path]
) -> None:
    corpus, out = corpus_copy
    with CorpusDatabase(out / DATABASE_NAME) as db:
        first = next_suspect(db)
        assert first is not None
        second = next_suspect(db, after=(first.path, first.idx))
        assert second is not None
    open_corpus(qtbot, window, corpus, out)
    with qtbot.waitSignal(window.model.selectionChanged, timeout=TIMEOUT_MS):
        press(window, Qt.Key.Key_J, CTRL)
    relabel_selected_by_keys(window, "zebra")
    assert selected_word(window)[0] == "zebra"
    press(window, Qt.Key.Key_S, CTRL)
    assert not window.model.is_modified()

    with CorpusDatabase(out / DATABASE_NAME) as db:
        rows = db.words(first.path)[first.path]
        # The database holds exactly the saved TextGrid's words.
        saved = saved_words(out, first.path)
        assert [(w.tier, w.label) for w in rows] == [(s[0], s[1]) for s in saved]
        for word, (_speaker, _label, start, end) in zip(rows, saved, strict=True):
            assert (word.start, word.end) == (pytest.approx(start), pytest.approx(end))
        corrected = [w for w in rows if w.label == "zebra"]
        assert len(corrected) == 1 and corrected[0].suspicion == 0.0
        row = db.file(first.path)
        assert row is not None and row.status == EDITED and row.words == len(rows)
        assert row.lowest_score == min((w.score for w in rows if w.score is not None), default=None)
        for _ in range(2):  # as saved, and after the next batch's rescoring
            queue = [(s.path, s.label) for s in review_queue(db)]
            assert (first.path, "zebra") not in queue and (first.path, first.label) not in [
                (s.path, s.label) for s in review_queue(db) if s.start == first.start
            ]
            rescore_corpus(db)
    assert listed(window)[first.path] == EDITED

    # The queue goes on from where the corrected word stood: the most suspect word ranked after
    # that place in the queue as it is now (saving rescored the corpus, which may reorder words
    # whose suspicions are close, so the second suspect of before is not always next).
    with CorpusDatabase(out / DATABASE_NAME) as db:
        place = (-first.suspicion, first.path, first.idx)
        following = [s for s in review_queue(db) if (-s.suspicion, s.path, s.idx) > place]
    assert following and (following[0].path, following[0].idx) != (first.path, first.idx)
    assert (second.path, second.idx) in [(s.path, s.idx) for s in following]  # still queued
    with qtbot.waitSignal(window.model.selectionChanged, timeout=TIMEOUT_MS):
        press(window, Qt.Key.Key_J, CTRL)
    assert window.corpus.current == following[0].path
    assert selected_word(window)[0] == following[0].label != "zebra"


def test_find_across_the_corpus_sees_the_label_saved_on_moving_to_the_next_file(
    qtbot: Any, window: MainWindow, corpus_copy: tuple[Path, Path]
) -> None:
    corpus, out = corpus_copy
    open_corpus(qtbot, window, corpus, out)
    with qtbot.waitSignal(window.corpus.fileOpened, timeout=TIMEOUT_MS):
        press(window, Qt.Key.Key_PageDown, CTRL)
    edited = window.corpus.current
    doc = window.model.document
    assert edited == "alice/a01.wav" and doc is not None
    index = next(i for i, s in enumerate(doc.tier("words").segments) if s.label)
    old = doc.tier("words").segments[index]
    window.model.select("words", index)
    relabel_selected_by_keys(window, "zebra")
    with qtbot.waitSignal(window.corpus.fileOpened, timeout=TIMEOUT_MS):
        press(window, Qt.Key.Key_PageDown, CTRL)  # saves a01 without asking
    assert window.corpus.current != edited

    press(window, Qt.Key.Key_F, CTRL)
    box = window.find_panel.box
    qtbot.waitUntil(box.hasFocus)
    QTest.keyClicks(box, "zebra")
    qtbot.waitUntil(lambda: window.find_panel.results.count() == 1)
    hit = window.find_panel.hits[0]
    assert (hit.path, hit.label) == (edited, "zebra")
    assert (hit.start, hit.end) == (pytest.approx(old.start), pytest.approx(old.end))

    box.selectAll()
    QTest.keyClicks(box, old.label)
    # The search runs once typing pauses; its hits all hold the old label.
    qtbot.waitUntil(
        lambda: all(old.label.casefold() in h.label.casefold() for h in window.find_panel.hits)
    )
    stale = [h for h in window.find_panel.hits
             if h.path == edited and h.start == pytest.approx(old.start)]  # fmt: skip
    assert stale == []


def test_the_second_opinion_is_a_corpus_menu_setting_the_next_batch_uses(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    from aligner_gui.qt.settings import Settings

    window.set_model("demo")
    toggle = window.corpus_actions.second_opinion
    assert toggle.isCheckable() and toggle.isChecked() and toggle.isEnabled()
    assert window.corpus.batch.batch_settings().second_model == "demo-letters"
    toggle.trigger()  # as a click on the menu item does
    assert not toggle.isChecked()
    assert window.corpus.batch.batch_settings().second_model is None
    window.settings.sync()
    assert Settings.from_file(tmp_path / "settings.ini").second_opinion is False  # kept
    toggle.trigger()
    assert window.corpus.batch.batch_settings().second_model == "demo-letters"


def test_a_file_aligned_from_another_recording_of_its_name_opens_with_that_recording(
    qtbot: Any, window: MainWindow, checkpoint: Path, tmp_path: Path
) -> None:
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    write_pair(corpus, "p001", "a stitch in time saves nine", ext=".flac")
    (corpus / "p001.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk")  # preferred, unreadable
    run_batch(corpus, out, BatchSettings(str(checkpoint), jobs=1))
    open_corpus(qtbot, window, corpus, out)
    assert listed(window) == {"p001.wav": ALIGNED}
    with qtbot.waitSignal(window.corpus.fileOpened, timeout=TIMEOUT_MS):
        assert window.corpus.open_file("p001.wav")
    assert window.session.paths.audio == corpus / "p001.flac"
    assert window.model.document is not None and window.model.document.audio is not None
