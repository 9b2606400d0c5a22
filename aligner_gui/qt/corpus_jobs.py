"""The corpus's background work: scanning the folder, and aligning files with the batch runner.

Both run the Qt-free engine (``core.corpus.runner``) in a QThread; what they report crosses to
the window as queued signals. The batch runner writes the outputs and the database itself (its
own connection), file by file, so the window only re-reads the row of each file it is told about.
Cancelling sets the runner's stop event: it stops between files and keeps every finished one.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.corpus.align_file import FileOutcome
from aligner_gui.core.corpus.runner import BatchSettings, prepare_corpus, run_batch


class ScanThread(QThread):
    """Scan the corpus folder and bring the database up to date (durations from the headers)."""

    scanned = Signal()
    failed = Signal(str)

    def __init__(self, corpus: Path, out_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.corpus = corpus
        self.out_dir = out_dir

    def run(self) -> None:
        try:
            db, _entries = prepare_corpus(self.corpus, self.out_dir)
            db.close()
        except (AlignerError, OSError) as err:
            self.failed.emit(str(err))
            return
        self.scanned.emit()


class BatchThread(QThread):
    """``run_batch`` over the files named by ``only`` (None: every file not up to date)."""

    planned = Signal(int)  # files to align
    fileDone = Signal(str, str, int, int)  # path, message ("" when aligned), done, to do
    fileProgress = Signal(str, float)  # path, fraction of it aligned (within the file)
    done = Signal(int, int, bool)  # aligned, failed, interrupted
    failed = Signal(str)

    def __init__(self, corpus: Path, out_dir: Path, settings: BatchSettings,
                 only: Collection[str] | None, parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.corpus = corpus
        self.out_dir = out_dir
        self.settings = settings
        self.only = None if only is None else frozenset(only)
        self.stop = threading.Event()

    def cancel(self) -> None:
        self.stop.set()

    def run(self) -> None:
        def on_file(outcome: FileOutcome, done: int, todo: int, _seconds: float) -> None:
            self.fileDone.emit(outcome.path, "" if outcome.ok else outcome.message, done, todo)

        def on_start(todo: int, _seconds: float) -> None:
            self.planned.emit(todo)

        try:
            summary = run_batch(self.corpus, self.out_dir, self.settings, stop=self.stop,
                                on_file=on_file, on_start=on_start,
                                on_progress=self.fileProgress.emit, only=self.only)  # fmt: skip
        except (AlignerError, OSError) as err:
            self.failed.emit(str(err))
            return
        except Exception as err:  # a thread must report, not die silently
            self.failed.emit(f"The batch stopped: {type(err).__name__}: {err}")
            return
        self.done.emit(summary.aligned, summary.failed, summary.interrupted)
