"""Aligning on this machine: in this process for one job, else a pool of spawned worker processes.

The pool keeps a few files in flight per worker and hands back outcomes as they finish. Progress
within files comes back from the workers over a multiprocessing queue, drained between waits,
and is passed on in the caller's thread, never after the file's own outcome.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.corpus.align_file import FileOutcome
from aligner_gui.core.corpus.file_progress import FileProgressFn
from aligner_gui.core.corpus.layout import CorpusEntry
from aligner_gui.core.corpus.worker import (
    WorkerSettings,
    align_in_worker,
    ignore_sigint_and_load,
    load_worker_model,
)


@dataclass(frozen=True)
class LocalExecutor:
    """This machine: in this process for one job, else a pool of spawned worker processes."""

    jobs: int

    def outcomes(
        self,
        todo: list[CorpusEntry],
        worker: WorkerSettings,
        stop: threading.Event,
        progress: FileProgressFn | None = None,
    ) -> Iterator[FileOutcome]:
        return _outcomes(todo, worker, self.jobs, stop, progress)


def _outcomes(
    todo: list[CorpusEntry],
    worker: WorkerSettings,
    jobs: int,
    stop: threading.Event,
    progress: FileProgressFn | None = None,
) -> Iterator[FileOutcome]:
    if not todo:
        return
    if jobs <= 1:
        # One worker: aligning in this process saves a process start and a second torch import.
        load_worker_model(worker, set_threads=False)
        for entry in todo:
            if stop.is_set():
                return
            yield align_in_worker(entry, progress=progress)
        return
    yield from _pooled(todo, worker, jobs, stop, progress)


def _pooled(
    todo: list[CorpusEntry],
    worker: WorkerSettings,
    jobs: int,
    stop: threading.Event,
    progress: FileProgressFn | None = None,
) -> Iterator[FileOutcome]:
    context = multiprocessing.get_context("spawn")
    pending = iter(todo)
    running: set[cf.Future[FileOutcome]] = set()
    # The workers' progress within files; None when nobody listens.
    reports = context.Queue() if progress is not None else None
    finished: set[str] = set()  # a file's late progress must not follow its outcome
    with cf.ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=ignore_sigint_and_load,
        initargs=(worker, reports),
    ) as pool:
        # A few files in flight per worker: enough to keep it busy, few enough that a stop
        # does not wait for a long queue.
        while True:
            while not stop.is_set() and len(running) < 2 * jobs:
                entry = next(pending, None)
                if entry is None:
                    break
                running.add(pool.submit(align_in_worker, entry))
            if not running:
                return
            done, running = cf.wait(running, timeout=0.2, return_when=cf.FIRST_COMPLETED)
            if reports is not None and progress is not None:
                _pass_on(reports, progress, finished)
            for future in done:
                if not future.cancelled():
                    try:
                        outcome = future.result()
                    except cf.process.BrokenProcessPool as err:
                        raise AlignerError(
                            "A worker process died (out of memory?); run again, perhaps with "
                            "fewer --jobs: finished files are kept."
                        ) from err
                    finished.add(outcome.path)
                    yield outcome
            if stop.is_set():
                for future in running:
                    future.cancel()
                running = {f for f in running if not f.cancelled()}


def _pass_on(reports: Any, progress: FileProgressFn, finished: set[str]) -> None:
    """Hand every waiting (path, fraction) report to ``progress``, but for finished files."""
    while True:
        try:
            path, fraction = reports.get_nowait()
        except queue.Empty:
            return
        if path not in finished:
            progress(path, fraction)
