"""Corpus mode in the window: open a corpus beside the editor, align it in the background, and
walk it file by file or suspect by suspect.

Every file is opened and saved through the ``Session`` (so autosave and recovery apply); saving a
corpus file writes it back to ``OUT_DIR/speaker/name.TextGrid`` (and ``.json`` when the corpus keeps
JSON), replaces its words in the corpus database by the saved ones (so Find and the review queue
see the corrections) and marks it "edited". Moving to another file saves the current one without asking: a
linguist reviewing a corpus corrects and moves on, and every save can be undone in the file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog

from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.corpus.database import (
    DATABASE_NAME,
    DONE_STATUSES,
    EDITED,
    FAILED,
    REVIEWED,
    CorpusDatabase,
)
from aligner_gui.core.corpus.saved_words import record_saved_document
from aligner_gui.core.corpus.suspicion import Suspect, next_suspect
from aligner_gui.qt import dialogs
from aligner_gui.qt.corpus_batch import CorpusBatch
from aligner_gui.qt.corpus_jobs import ScanThread
from aligner_gui.qt.corpus_model import CorpusModel
from aligner_gui.qt.corpus_panel import CorpusPanel
from aligner_gui.qt.corpus_state import CorpusPlace, corpus_output, remember_corpus, saved_place
from aligner_gui.qt.corpus_targets import find_segment, word_tier_name

if TYPE_CHECKING:
    from aligner_gui.qt.main_window import MainWindow


class CorpusController(QObject):
    opened = Signal()  # a corpus was opened (its list is shown)
    closed = Signal()
    fileOpened = Signal(str)  # a corpus file became the open document

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.model = CorpusModel(self)
        self.panel = CorpusPanel(self.model, window)
        self.panel.hide()
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.panel)
        self.panel.openRequested.connect(lambda path: self.open_file(path))
        self.batch = CorpusBatch(self)
        self.panel.alignAllRequested.connect(self.batch.align_all)
        self.panel.alignSelectedRequested.connect(self.batch.align_selected)
        self.panel.cancelRequested.connect(self.batch.cancel_batch)
        self.corpus: Path | None = None
        self.out_dir: Path | None = None
        self.output = "textgrid"  # the corpus's --format: "textgrid", "json" or "both"
        self.db: CorpusDatabase | None = None
        self.current: str | None = None  # the open corpus file
        self._opening: tuple[str, Path, Callable[[], None] | None] | None = None
        self._dirty = False  # edited since opened or last saved
        self._history: list[Suspect] = []
        self._position = -1
        self._scan: ScanThread | None = None
        window.model.documentReset.connect(self._on_document_reset)
        window.model.modifiedChanged.connect(self._on_modified)
        self.session.saved.connect(self._on_saved)

    def title(self) -> str:
        return "" if self.corpus is None else self.corpus.name

    def status(self, text: str) -> None:
        self.window.show_status(text)

    # -- opening and closing ---------------------------------------------------------------------

    def ask_open_corpus(self) -> None:
        start = self.window.settings.last_directory
        folder = QFileDialog.getExistingDirectory(
            self.window, "Open corpus folder", str(start) if start else ""
        )
        if folder:
            self.open_corpus(Path(folder))

    def open_corpus(self, corpus: Path, out_dir: Path | None = None) -> bool:
        corpus = Path(corpus).resolve()
        if not corpus.is_dir():
            dialogs.show_error(self.window, f"{corpus}: not a folder.")
            return False
        if not self.close_corpus():
            return False
        store = self.window.settings.store
        self.out_dir = Path(out_dir).resolve() if out_dir else corpus_output(store, corpus)
        self.corpus = corpus
        database = self.out_dir / DATABASE_NAME
        if database.is_file():  # a corpus seen before: its list at once, the scan after
            self._connect()
        self.panel.setWindowTitle(f"Corpus: {corpus.name}")
        self.panel.show()
        self.window.update_title()
        self.status(f"Scanning {corpus}…")
        scan = self._scan = ScanThread(corpus, self.out_dir, self)
        # A scan's news is dropped once another corpus (or none) is open.
        scan.scanned.connect(lambda: self._on_scanned() if scan is self._scan else None)
        scan.failed.connect(lambda m: self._on_scan_failed(m) if scan is self._scan else None)
        scan.start()
        return True

    def _connect(self) -> None:
        assert self.out_dir is not None
        if self.db is None:
            self.db = CorpusDatabase(self.out_dir / DATABASE_NAME)
            self.output = _output_choice(self.out_dir, self.db)
        self.reload()

    def _on_scanned(self) -> None:
        assert self.corpus is not None and self.out_dir is not None
        remember_corpus(self.window.settings.store, self.corpus, self.out_dir)
        first_time = self.db is None
        self._connect()
        self.status(f"{self.model.file_count()} recordings in {self.title()}.")
        self.opened.emit()
        if first_time or self.current is None:
            self._return_to_saved_place()

    def _on_scan_failed(self, message: str) -> None:
        """E.g. the output folder cannot be written: the corpus is not opened."""
        self._forget_corpus()
        dialogs.show_error(self.window, message)

    def _return_to_saved_place(self) -> None:
        place = saved_place(self.window.settings.store, self.corpus) if self.corpus else None
        if place is None or self.model.file(place.path) is None:
            return
        view = place.view
        self.open_file(
            place.path, then=(lambda: self.window.stack.set_x_range(*view)) if view else None
        )

    def reload(self) -> None:
        if self.db is not None:
            self.model.set_rows(self.db.files())
            if self.current:
                self.panel.show_current(self.current)

    def close_corpus(self) -> bool:
        """Save the open corpus file, remember where the user was, stop the work."""
        if self.corpus is None:
            return True
        if not self.save_current():
            return False
        self.remember_place()
        self._forget_corpus()
        return True

    def _forget_corpus(self) -> None:
        self.shutdown()
        self.corpus = self.out_dir = None
        self.current = None
        self.model.set_rows([])
        self.panel.hide()
        self.forget_suspects()
        self.window.update_title()
        self.closed.emit()

    def shutdown(self) -> None:
        """Stop the background work and close the database (the window is closing)."""
        self.batch.shutdown()
        if self._scan is not None:
            self._scan.wait()
            self._scan = None
        if self.db is not None:
            self.db.close()
            self.db = None

    def remember_place(self) -> None:
        if self.corpus is not None and self.current is not None:
            place = CorpusPlace(self.current, self.window.stack.x_range())
            place.store(self.window.settings.store, self.corpus)

    # -- files -----------------------------------------------------------------------------------

    def output_path(self, path: str, ext: str = ".TextGrid") -> Path:
        assert self.out_dir is not None
        return self.out_dir / (str(Path(path).with_suffix("")) + ext)

    def open_file(self, path: str, then: Callable[[], None] | None = None) -> bool:
        """Open a corpus file's recording and output (saving the current one first)."""
        if self.corpus is None or self.db is None:
            return False
        if path == self.current and self.window.model.document is not None:
            if then is not None:
                then()
            return True
        row = self.model.file(path)
        textgrid, json = self.output_path(path), self.output_path(path, ".json")
        if not textgrid.is_file() and json.is_file():  # a corpus aligned to JSON only
            from aligner_gui.core.export.outputs import convert_file

            try:
                convert_file(json, textgrid, "textgrid")
            except (AlignerError, OSError) as err:
                dialogs.show_error(self.window, str(err))
                return False
        if row is None or row.status not in DONE_STATUSES or not textgrid.is_file():
            if row is not None and row.status == FAILED:
                self.status(f"{path} failed: {row.message}")
            else:
                self.status(f"{path} is not aligned yet (Corpus > Align selected).")
            return False
        if not self.save_current():
            return False
        self.remember_place()
        self._opening = (path, textgrid, then)
        # The JSON output, when there is one as new as the TextGrid, keeps the scores.
        fresh_json = json.is_file() and json.stat().st_mtime >= textgrid.stat().st_mtime
        # The recording that was aligned: another of the same name when this one is unreadable.
        audio = self.corpus / (row.audio_used or path)
        if not self.session.open_textgrid(textgrid, audio,
                                          json if fresh_json else None):  # fmt: skip
            self._opening = None
            return False
        return True

    def _on_document_reset(self) -> None:
        opening, self._opening = self._opening, None
        paths = self.session.paths
        if opening is not None and paths.document == opening[1]:
            path, _textgrid, then = opening
            self.current = path
            self._dirty = False
            self.panel.show_current(path)
            self.remember_place()
            self.fileOpened.emit(path)
            if then is not None:
                then()
            return
        if self.current is not None and paths.document != self.output_path(self.current):
            self.current = None  # another document replaced the corpus file

    def _on_modified(self, modified: bool) -> None:
        if modified:
            self._dirty = True

    def save_current(self) -> bool:
        """Save the open corpus file if it changed (no question: moving on saves)."""
        if self.current is None or not self.window.model.is_modified():
            return True
        return self.session.save()

    def _on_saved(self, path: Path) -> None:
        if self.current is None or self.db is None or path != self.output_path(self.current):
            return
        if self.output in ("json", "both"):
            self.session.write_textgrid(self.output_path(self.current, ".json"), fmt="json")
        doc = self.window.model.document
        if doc is not None:
            record_saved_document(self.db, self.current, doc)
        if self._dirty:
            self._dirty = False
            self._set_status(self.current, EDITED)
        else:
            self._set_status(self.current, None)

    def _set_status(self, path: str, status: str | None) -> None:
        """Record ``status`` (None: keep it) and show the file's row as the database has it."""
        assert self.db is not None
        if status is not None:
            self.db.set_status(path, status)
        row = self.db.file(path)
        if row is not None:
            self.model.update_file(row)

    def step_file(self, step: int) -> None:
        paths = [p for p in self.panel.visible_paths() if self.model.file(p) is not None]
        paths = [p for p in paths if self.model.file(p).status in DONE_STATUSES]  # type: ignore[union-attr]
        if not paths:
            self.status("No aligned file to open.")
            return
        if self.current in paths:
            target = paths.index(self.current) + step
        else:
            target = 0 if step > 0 else len(paths) - 1
        if not 0 <= target < len(paths):
            self.status("This is the last file." if step > 0 else "This is the first file.")
            return
        self.open_file(paths[target])

    def mark_reviewed(self) -> None:
        if self.current is None or self.db is None:
            self.status("Open a corpus file first.")
            return
        if not self.save_current():
            return
        self._set_status(self.current, REVIEWED)
        self.status(f"{self.current} marked reviewed.")

    # -- the review queue ------------------------------------------------------------------------

    def forget_suspects(self) -> None:
        """After a batch the scores changed: the queue starts again from its head."""
        self._history, self._position = [], -1

    def next_suspect(self) -> None:
        if self.db is None:
            self.status("Open a corpus first.")
            return
        if self._position + 1 < len(self._history):
            self._position += 1
        else:
            last = self._history[-1] if self._history else None
            found = (
                next_suspect(self.db)
                if last is None
                else next_suspect(self.db, (last.path, last.idx), last.suspicion)
            )
            if found is None:
                self.status("No more suspects: the review queue is done.")
                return
            self._history.append(found)
            self._position = len(self._history) - 1
        self._go_to(self._history[self._position])

    def previous_suspect(self) -> None:
        if self._position <= 0:
            self.status("This is the first suspect.")
            return
        self._position -= 1
        self._go_to(self._history[self._position])

    def _go_to(self, suspect: Suspect) -> None:
        def select() -> None:
            self.select_word(word_tier_name(suspect.tier), suspect.start, suspect.end,
                             suspect.label, play=True)  # fmt: skip
            text = (f"Suspect: “{suspect.label}” in {suspect.path} ({suspect.reason}, "
                    f"suspicion {suspect.suspicion:.2f}).")  # fmt: skip
            # After the session's own "Opened …" line, which follows the document's reset.
            QTimer.singleShot(0, lambda: self.status(text))

        self.open_file(suspect.path, then=select)

    def select_word(self, tier: str, start: float, end: float, label: str, play: bool) -> None:
        doc = self.window.model.document
        if doc is None:
            return
        found = find_segment(doc, tier, start, end, label)
        if found is None:
            self.status(f"“{label}” is no longer in this file.")
            return
        tier_name, index = found
        segment = doc.tier(tier_name).segments[index]
        self.window.model.select(tier_name, index)
        self.window.stack.zoom_to(
            max(0.0, segment.start - 1.0), min(doc.duration, segment.end + 1.0)
        )
        if play and self.window.player.available:
            self.window.play_span(segment.start, segment.end)


def _output_choice(out_dir: Path, db: CorpusDatabase) -> str:
    """The formats the corpus was aligned to, read from the first aligned file's outputs (the
    settings hash the runner compares includes them)."""
    for row in db.files():
        if row.status in DONE_STATUSES:
            stem = str(out_dir / Path(row.path).with_suffix(""))
            has_grid = Path(stem + ".TextGrid").is_file()
            has_json = Path(stem + ".json").is_file()
            if has_grid and has_json:
                return "both"
            return "json" if has_json else "textgrid"
    return "textgrid"
