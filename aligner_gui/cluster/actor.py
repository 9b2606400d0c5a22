"""What runs in each Ray actor: the batch worker's model, loaded once, aligning file after file,
and the board its progress within a file is posted to.

Plain classes (made Ray actors by the executor) around the same worker code as the local pool,
so an actor aligns exactly as a local worker process does.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path
from typing import Any

from aligner_gui.core.corpus.align_file import FileOutcome
from aligner_gui.core.corpus.layout import CorpusEntry
from aligner_gui.core.corpus.worker import (
    WorkerSettings,
    align_in_worker,
    ignore_sigint_and_load,
    load_error,
)


class ProgressBoard:
    """Where actors post ``(file, fraction)`` as they go and the driver collects them: a Ray
    actor, so that posting is a call the aligning actor does not wait for. A sender posts at
    most 100 steps per file (:mod:`aligner_gui.core.corpus.file_progress`), so keeping them all
    until the driver's next look costs nothing."""

    def __init__(self) -> None:
        self._posted: list[tuple[str, float]] = []

    def post(self, path: str, fraction: float) -> None:
        self._posted.append((path, fraction))

    def take(self) -> list[tuple[str, float]]:
        """Everything posted since the last call, in order."""
        posted, self._posted = self._posted, []
        return posted


class FileAligner:
    def __init__(self, settings: WorkerSettings, board: Any = None) -> None:
        """``board``: a :class:`ProgressBoard` actor to post progress within files to, if any."""
        self.root = settings.root
        self.board = board
        ignore_sigint_and_load(settings)

    def _post(self, path: str, fraction: float) -> None:
        self.board.post.remote(path, fraction)  # not awaited: progress is a courtesy

    def ready(self) -> tuple[int, str]:
        """This actor's process id, and why its model did not load ("" when it did)."""
        error = load_error()
        return os.getpid(), "" if error is None else str(error)

    def align(self, entry: CorpusEntry, files: dict[str, bytes] | None) -> FileOutcome:
        """Align ``entry``: read from the shared corpus folder, or from ``files`` (relative path
        to contents) sent by the driver when this node cannot see the corpus."""
        progress = None if self.board is None else self._post
        if files is None:
            return align_in_worker(entry, progress=progress)
        with tempfile.TemporaryDirectory(prefix="aligner-gui-") as folder:
            for relative, data in files.items():
                path = Path(folder, relative)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            outcome = align_in_worker(entry, Path(folder), progress)
        # The copy's name must not reach the outputs (the JSON records the recording's path) or
        # the report: they name the corpus file, as a local run's do.
        result = outcome.result
        if result is not None and result.audio.path is not None:
            audio = dataclasses.replace(result.audio, path=self.root / entry.audio)
            result = dataclasses.replace(result, audio=audio)
        message = outcome.message.replace(folder, str(self.root))
        return dataclasses.replace(outcome, message=message, result=result)
