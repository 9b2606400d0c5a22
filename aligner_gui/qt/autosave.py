"""Autosave timing and ownership: when a document's recovery file is written, on which thread, and
which recovery files belong to a live editor.

Every change restarts a 2 s timer, but a change never waits more than 5 s from the first unsaved
one (continuous dragging still reaches disk). When the timer fires the GUI thread only takes an
immutable snapshot (a pointer copy per tier); the JSON is encoded and written on one background
thread, atomically. The format, reading and listing are Qt-free (core.document.autosave).

Live files are told from a crashed editor's by a QLockFile per document id (pid + host inside,
stale once that process is gone): Qt's lock already knows how to tell a dead owner from a live one.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer, Signal

from aligner_gui.core.document.autosave import (
    SUFFIX,
    Recovery,
    RecoveryError,
    RecoveryWriter,
    Snapshot,
    read_recovery,
    recovery_files,
    remove_recovery,
)

log = logging.getLogger(__name__)

DEBOUNCE_MS = 2000  # quiet time after the last change before writing
MAX_DELAY_MS = 5000  # the longest a change waits for disk during continuous editing
LOCK_SUFFIX = ".lock"


def default_recovery_folder() -> Path:
    """``recovery/`` in the application's data folder (per user, per platform)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "recovery"


class RecoveryLock:
    """Marks one document id as owned by this live process."""

    def __init__(self, folder: Path, doc_id: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._lock = QLockFile(str(folder / f"{doc_id}{LOCK_SUFFIX}"))
        # Age says nothing: an editor may stay open for days. Only a dead owner makes it stale.
        self._lock.setStaleLockTime(0)

    def acquire(self) -> bool:
        return self._lock.tryLock(0)

    def release(self) -> None:
        if self._lock.isLocked():
            self._lock.unlock()


def orphaned_recoveries(folder: Path) -> tuple[list[Recovery], list[str]]:
    """Recovery files no live editor holds (theirs crashed or was killed), newest first, and one
    line per unreadable file. Files of live editors are not even read."""
    orphans: list[Recovery] = []
    problems: list[str] = []
    for path in recovery_files(folder):
        probe = QLockFile(str(path.with_suffix(LOCK_SUFFIX)))
        probe.setStaleLockTime(0)
        if not probe.tryLock(0):  # a live editor's (QLockFile removes a dead owner's lock)
            continue
        probe.unlock()
        try:
            orphans.append(read_recovery(path))
        except RecoveryError as err:
            problems.append(str(err))
    orphans.sort(key=lambda r: r.saved_at, reverse=True)
    _remove_dead_locks(folder)
    return orphans, problems


def _remove_dead_locks(folder: Path) -> None:
    """A crashed editor that never autosaved leaves only its lock: remove it (a live editor's
    lock cannot be taken, so it stays)."""
    if not folder.is_dir():
        return
    for path in folder.glob(f"*{LOCK_SUFFIX}"):
        if not path.with_suffix(SUFFIX).exists():
            probe = QLockFile(str(path))
            probe.setStaleLockTime(0)
            if probe.tryLock(0):
                probe.unlock()  # removes the file


def recovery_summary(recovery: Recovery) -> str:
    """What a restore would bring back, in a few lines for the recovery dialog."""
    paths = recovery.paths
    name = paths.document or paths.audio
    when = datetime.fromtimestamp(recovery.saved_at).strftime("%Y-%m-%d %H:%M:%S")
    tiers = ", ".join(t.name for t in recovery.tiers)
    return (
        f"Recording: {paths.audio if paths.audio is not None else '(none)'}\n"
        f"Document: {name.name if name is not None else '(unnamed)'}"
        f"{'' if paths.document is not None else ' (never saved)'}\n"
        f"Autosaved: {when}\n"
        f"{recovery.edits} edit(s); {recovery.words} words; "
        f"{len(recovery.tiers)} tier(s): {tiers}"
    )


class Autosaver(QObject):
    """Writes one document's snapshots to ``folder`` a few seconds after it changes.

    ``snapshot`` is called on the GUI thread when a write is due and returns None when there is
    nothing to save. ``written`` and ``failed`` are emitted on the GUI thread.
    """

    written = Signal(str)  # path of the recovery file
    failed = Signal(str)  # one line

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.write_now)
        self._first_pending: float | None = None
        self._snapshot_fn = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="autosave")
        self._future: Future | None = None
        self._writer = RecoveryWriter()  # used on the writer thread only
        self._generation = 0  # bumped by discard(): writes queued before it are dropped
        self._doc_id: str | None = None
        self._lock: RecoveryLock | None = None
        self._written_bridge.connect(self._on_written)
        self._failed_bridge.connect(self._on_failed)

    # Emitted from the writer thread; the queued connection brings them to the GUI thread.
    _written_bridge = Signal(str, int)
    _failed_bridge = Signal(str)

    def set_source(self, doc_id: str | None, snapshot_fn) -> bool:
        """Autosave document ``doc_id`` from now on (None: nothing). False when another live
        editor holds that id (its file is then left alone)."""
        self._timer.stop()
        self._first_pending = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        self._doc_id = doc_id
        self._snapshot_fn = snapshot_fn if doc_id is not None else None
        if doc_id is None:
            return True
        lock = RecoveryLock(self.folder, doc_id)
        if not lock.acquire():
            self._doc_id, self._snapshot_fn = None, None
            return False
        self._lock = lock
        return True

    def changed(self) -> None:
        """The document changed: write within DEBOUNCE_MS of quiet, MAX_DELAY_MS at most."""
        if self._snapshot_fn is None:
            return
        now = time.monotonic()
        if self._first_pending is None:
            self._first_pending = now
        left_ms = MAX_DELAY_MS - 1000 * (now - self._first_pending)
        self._timer.start(int(max(0.0, min(DEBOUNCE_MS, left_ms))))

    def is_pending(self) -> bool:
        return self._timer.isActive()

    def write_now(self) -> None:
        """Snapshot on this (GUI) thread, write in the background."""
        self._timer.stop()
        self._first_pending = None
        if self._snapshot_fn is None:
            return
        snap = self._snapshot_fn()
        if snap is None:
            return
        generation = self._generation
        self._future = self._executor.submit(self._write, snap, generation)

    def _write(self, snap: Snapshot, generation: int) -> None:
        if generation != self._generation:
            return
        try:
            path = self._writer.write(self.folder, snap)
        except OSError as err:
            self._failed_bridge.emit(
                f"Autosave failed: cannot write in {self.folder}: {err.strerror}"
            )
            return
        self._written_bridge.emit(str(path), generation)

    def wait(self) -> None:
        """Block until the write in progress (if any) is on disk."""
        if self._future is not None:
            self._future.result()

    def discard(self) -> None:
        """Remove this document's recovery file (after a save, or when the user discards)."""
        self._timer.stop()
        self._first_pending = None
        self._generation += 1
        self.wait()
        if self._doc_id is not None:
            try:
                remove_recovery(self.folder, self._doc_id)
            except OSError as err:  # the work itself is safe (saved or discarded): say so only
                self._on_failed(
                    f"Could not remove the recovery file in {self.folder}: {err.strerror}"
                )

    def shutdown(self) -> None:
        """Stop the timer, finish the write in progress, release the lock (the file stays)."""
        self._timer.stop()
        self._snapshot_fn = None
        self._executor.shutdown(wait=True)
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _on_written(self, path: str, generation: int) -> None:
        # A write that finished just before a discard() removed its file is not news.
        if generation == self._generation:
            self.written.emit(path)

    def _on_failed(self, message: str) -> None:
        log.warning(message)
        self.failed.emit(message)
