"""The corpus's batch and export, for the window: Align all / Align selected run the batch engine
in a background thread (``corpus_jobs.BatchThread``) while the user goes on working; each file's
row is updated as soon as the engine records it. Export makes every aligned file's TextGrid."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.corpus.database import DONE_STATUSES, EDITED, REVIEWED
from aligner_gui.core.corpus.g2p_words import G2P_DICTIONARY_NAME, plural
from aligner_gui.core.corpus.runner import BatchSettings, default_jobs
from aligner_gui.core.corpus.second_opinion import AUTO, NONE
from aligner_gui.qt import dialogs
from aligner_gui.qt.corpus_jobs import BatchThread
from aligner_gui.qt.pronunciation_menu import GuessedWordsDialog

if TYPE_CHECKING:
    from aligner_gui.qt.corpus_controller import CorpusController


class CorpusBatch(QObject):
    def __init__(self, corpus: CorpusController) -> None:
        super().__init__(corpus)
        self.corpus = corpus
        # Worker processes; None: what fits the cores and memory (as the command line's default).
        self.jobs: int | None = None
        self._batch: BatchThread | None = None

    def shutdown(self) -> None:
        if self._batch is not None:
            self._batch.cancel()
            self._batch.wait()
            self._batch = None

    # -- aligning -------------------------------------------------------------------------------

    def align_all(self) -> None:
        if self.corpus.db is None:
            return
        self._run([row.path for row in self.corpus.db.files() if not self._is_users_work(row.path)])

    def _is_users_work(self, path: str) -> bool:
        """Edited and reviewed files are never aligned over (the model may have changed since,
        which would make the batch redo them), nor the open file while it has unsaved edits."""
        if path == self.corpus.current and self.corpus.window.model.is_modified():
            return True
        row = self.corpus.model.file(path)
        return row is not None and row.status in (EDITED, REVIEWED)

    def align_selected(self) -> None:
        selected = self.corpus.panel.selected_paths()
        if not selected:
            self.corpus.status("Select files in the corpus list first.")
            return
        kept = [p for p in selected if self._is_users_work(p)]
        if kept:
            self.corpus.status(f"{len(kept)} edited or reviewed files are left as they are.")
        self._run([p for p in selected if p not in kept])

    def batch_settings(self) -> BatchSettings:
        """What Align all / Align selected run with: the window's model, device, pronunciation
        dictionary and language (the Alignment menu's), and the model's default second opinion
        unless Corpus > Second opinion is off."""
        settings = self.corpus.window.settings
        model = settings.model_name
        dictionary = settings.dictionary_path
        batch = BatchSettings(model=model, device=_device(settings.device),
                              output=self.corpus.output,
                              second_opinion=AUTO if settings.second_opinion else NONE,
                              dictionary=None if dictionary is None else str(dictionary),
                              language=settings.language)  # fmt: skip
        jobs = self.jobs or default_jobs(model, second=batch.second_model)
        return dataclasses.replace(batch, jobs=jobs)

    def _run(self, only: list[str]) -> None:
        if self.corpus.corpus is None or self.corpus.out_dir is None or self._batch is not None:
            return
        batch = self.batch_settings()
        self._batch = BatchThread(self.corpus.corpus, self.corpus.out_dir, batch, only, self)
        self._batch.planned.connect(
            lambda todo: self.corpus.panel.set_progress(0, todo, "Starting…")
        )
        self._batch.fileDone.connect(self._on_file_aligned)
        self._batch.fileProgress.connect(self.corpus.panel.set_file_progress)
        self._batch.done.connect(self._on_batch_done)
        self._batch.failed.connect(self._on_batch_failed)
        self.corpus.panel.set_running(True)
        self.corpus.panel.set_progress(0, len(only), "Loading the model…")
        self._batch.start()

    def _on_file_aligned(self, path: str, message: str, done: int, todo: int) -> None:
        if self.corpus.db is not None:
            row = self.corpus.db.file(path)
            if row is not None:
                self.corpus.model.update_file(row)
        self.corpus.panel.set_file_progress(path, None)
        what = f"{Path(path).name}: failed ({message})" if message else f"{Path(path).name} aligned"
        self.corpus.panel.set_progress(done, todo, f"{done} of {todo}: {what}")

    def _finish_batch(self) -> None:
        if self._batch is not None:
            self._batch.wait()
            self._batch = None
        self.corpus.panel.set_running(False)
        self.corpus.reload()  # the queue's scores changed for every file

    def _on_batch_done(self, aligned: int, failed: int, interrupted: bool) -> None:
        self._finish_batch()
        self.corpus.forget_suspects()
        stopped = " (cancelled: the rest is left for later)" if interrupted else ""
        text = f"Aligned {aligned} files, {failed} failed{stopped}."
        guessed = self.corpus.db.guessed() if self.corpus.db is not None else []
        if guessed:
            words = plural(len({word for word, *_ in guessed}), "word")
            text += f" {words} pronounced by G2P: see {G2P_DICTIONARY_NAME} in the output."
        self.corpus.panel.current_file.setText(text)
        self.corpus.status(text)

    def show_guessed(self) -> None:
        """Corpus > Words not in the dictionary: every G2P word of the corpus, to copy."""
        rows = self.corpus.db.guessed() if self.corpus.db is not None else []
        if not rows:
            self.corpus.status("No word of the corpus's alignments was pronounced by G2P.")
            return
        GuessedWordsDialog.for_corpus(rows, self.corpus.window).exec()

    def _on_batch_failed(self, message: str) -> None:
        self._finish_batch()
        dialogs.show_error(self.corpus.window, message)

    def cancel_batch(self) -> None:
        if self._batch is not None:
            self._batch.cancel()
            self.corpus.panel.current_file.setText("Cancelling after the current file…")

    def is_aligning(self) -> bool:
        return self._batch is not None

    # -- export ----------------------------------------------------------------------------------

    def export_corpus(self) -> None:
        """Every aligned file's TextGrid in the output folder; up-to-date ones are not rewritten."""
        from aligner_gui.core.export.outputs import convert_file

        if self.corpus.db is None or not self.corpus.save_current():
            return
        written = kept = 0
        try:
            for row in self.corpus.db.files():
                if row.status not in DONE_STATUSES:
                    continue
                textgrid, json = (
                    self.corpus.output_path(row.path),
                    self.corpus.output_path(row.path, ".json"),
                )
                fresh = textgrid.is_file() and (
                    not json.is_file() or textgrid.stat().st_mtime >= json.stat().st_mtime
                )
                if fresh:
                    kept += 1
                elif json.is_file():
                    convert_file(json, textgrid, "textgrid")
                    written += 1
        except (AlignerError, OSError) as err:
            dialogs.show_error(self.corpus.window, f"Export stopped: {err}")
            return
        self.corpus.status(
            f"Exported to {self.corpus.out_dir}: {written} written, {kept} already up to date."
        )


def _device(device: str) -> str:
    return "cpu" if device == "auto" else device
