"""The corpus runner's files aligned by Ray actors, on this machine or on a cluster.

One actor per worker keeps the model loaded (one per GPU when the cluster has GPUs, else one per
CPU). The driver sends each file to the least busy actor, either as its path (the corpus is on
storage every node sees at the same path) or as its bytes, and receives the outcome; it alone
writes, so the outputs are those of a local run.

A killed actor (out of memory, a node lost, a SIGKILL) is restarted by Ray; the files it held are
sent again here rather than by Ray's own task retries, so that the driver knows which files were
retried and says so in their report message. Nothing is written twice: an outcome is only
written when it arrives, and a lost file never produced one.

Progress within a file (an hour-long interview takes minutes) is posted by the actors to one
small board actor, which the driver reads as it waits for outcomes, as a local pool's workers
post to a queue.
"""

from __future__ import annotations

import dataclasses
import logging
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ray
from ray.exceptions import ActorDiedError, RayActorError, RayTaskError

from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.corpus.align_file import FileOutcome
from aligner_gui.core.corpus.file_progress import FileProgressFn
from aligner_gui.core.corpus.layout import CorpusEntry
from aligner_gui.core.corpus.runner import usable_cores
from aligner_gui.core.corpus.worker import WorkerSettings

from .actor import FileAligner, ProgressBoard

# Files in flight per actor: one being aligned, one waiting so the actor never idles for the
# round trip; more would only lengthen the wait after Ctrl+C. A stop lets both finish: Ray's
# cancel of a queued actor task also throws away the result of one that was just finishing.
_IN_FLIGHT = 2
# Attempts per file: a recording that kills every worker it reaches (far too long for the
# memory) must fail on its own, not take the batch down with it.
MAX_ATTEMPTS = 3
_ACTOR_RESTARTS = 4
_POLL_SECONDS = 0.2


def retried_note(retries: int) -> str:
    times = "once" if retries == 1 else f"{retries} times"
    return f"retried {times}: its worker was lost"


@dataclass
class _Actor:
    handle: Any
    pid: int
    busy: int = 0


@dataclass
class RayExecutor:
    """``address``: None starts a Ray on this machine (``num_cpus`` cores, default all usable);
    ``"auto"`` or ``"ray://host:port"`` joins a running cluster. ``workers``: how many actors
    (default one per GPU, or one per CPU). ``shared_storage``: every node sees the corpus folder
    at the driver's path, so files are sent by path rather than as bytes."""

    address: str | None = None
    shared_storage: bool = False
    workers: int | None = None
    num_cpus: int | None = None
    retried: dict[str, int] = field(default_factory=dict)  # file → times it was sent again
    _actors: list[_Actor] = field(default_factory=list)
    _board: Any = None  # the ProgressBoard actor, while a batch that wants progress runs

    def actor_pids(self) -> list[int]:
        """The live actors' process ids, the one with most files in flight first."""
        return [actor.pid for actor in sorted(self._actors, key=lambda a: -a.busy)]

    def outcomes(
        self,
        todo: list[CorpusEntry],
        worker: WorkerSettings,
        stop: threading.Event,
        progress: FileProgressFn | None = None,
    ) -> Iterator[FileOutcome]:
        if not todo:
            return
        started = self._connect()
        try:
            if progress is not None:
                self._board = ray.remote(ProgressBoard).options(num_cpus=0).remote()
            self._start_actors(worker, len(todo))
            yield from self._schedule(todo, worker.root, stop, progress)
        finally:
            for actor in self._actors:
                ray.kill(actor.handle)
            self._actors = []
            if self._board is not None:
                ray.kill(self._board)
                self._board = None
            if started:
                ray.shutdown()

    def _connect(self) -> bool:
        """Connect to Ray; True when this call started it (and so must shut it down)."""
        if ray.is_initialized():
            return False  # a caller's Ray (the tests'; a notebook's) is used as it is
        quiet: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
        try:
            if self.address is None:
                # Ctrl+C in a terminal reaches the whole process group, so Ray's processes too
                # (several are Python programs, which SIGINT ends); the stop is the driver's
                # job, and it shuts Ray down after. They inherit the mask they start with.
                blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
                try:
                    ray.init(num_cpus=self.num_cpus or usable_cores(), include_dashboard=False,
                             **quiet)  # fmt: skip
                finally:
                    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            else:
                ray.init(address=self.address, **quiet)
        except (ConnectionError, RuntimeError, ValueError) as err:
            where = "a local Ray" if self.address is None else f"the Ray cluster at {self.address}"
            raise AlignerError(f"Cannot start or reach {where}: {_one_line(err)}") from err
        return True

    def _start_actors(self, worker: WorkerSettings, files: int) -> None:
        resources = ray.cluster_resources()
        gpus = int(resources.get("GPU", 0)) if worker.device != "cpu" else 0
        cpus = max(1, int(resources.get("CPU", 1)))
        if gpus:
            count = min(self.workers or gpus, gpus, files)
            per_actor: dict[str, float] = {"num_gpus": 1, "num_cpus": 1}
            threads = 1  # the GPU does the work; the CPU only feeds it
        else:
            count = min(self.workers or cpus, cpus, files)
            # An actor's share of the cores, but never more than one node has.
            threads = min(max(1, cpus // count), _largest_node_cpus() or cpus)
            per_actor = {"num_gpus": 0, "num_cpus": threads}
        settings = dataclasses.replace(worker, threads=threads)
        remote = ray.remote(FileAligner).options(
            max_restarts=_ACTOR_RESTARTS, max_task_retries=0, **per_actor
        )
        handles: list[Any] = [remote.remote(settings, self._board) for _ in range(count)]
        for handle, (pid, error) in zip(handles, ray.get([h.ready.remote() for h in handles]),
                                        strict=True):  # fmt: skip
            self._actors.append(_Actor(handle, pid))
            if error:
                raise AlignerError(error)

    def _schedule(
        self,
        todo: list[CorpusEntry],
        root: Path,
        stop: threading.Event,
        progress: FileProgressFn | None = None,
    ) -> Iterator[FileOutcome]:
        pending = deque(todo)
        running: dict[Any, tuple[CorpusEntry, _Actor]] = {}
        finished_files: set[str] = set()  # a file's late progress must not follow its outcome
        shown: dict[str, float] = {}  # never backwards, not even when a lost file starts again
        while True:
            while not stop.is_set() and pending and self._actors:
                actor = min(self._actors, key=lambda a: a.busy)
                if actor.busy >= _IN_FLIGHT:
                    break
                entry = pending.popleft()
                try:
                    files = None if self.shared_storage else _read_files(entry, root)
                except OSError as err:
                    yield FileOutcome(entry.audio, False, f"cannot read: {err}", 0.0)
                    continue
                running[actor.handle.align.remote(entry, files)] = (entry, actor)
                actor.busy += 1
            if not running:
                if pending and not stop.is_set():
                    raise AlignerError("Every Ray worker was lost; finished files are kept.")
                return
            finished, _ = ray.wait(list(running), num_returns=1, timeout=_POLL_SECONDS)
            if progress is not None:
                self._pass_on_progress(progress, finished_files, shown)
            for ref in finished:
                entry, actor = running.pop(ref)
                actor.busy -= 1
                outcome = self._outcome(ref, entry, actor, pending)
                if outcome is not None:
                    finished_files.add(outcome.path)
                    yield outcome

    def _pass_on_progress(
        self, progress: FileProgressFn, finished: set[str], shown: dict[str, float]
    ) -> None:
        for path, fraction in ray.get(self._board.take.remote()):
            if path not in finished and fraction > shown.get(path, -1.0):
                shown[path] = fraction
                progress(path, fraction)

    def _outcome(
        self, ref: Any, entry: CorpusEntry, actor: _Actor, pending: deque[CorpusEntry]
    ) -> FileOutcome | None:
        try:
            outcome: FileOutcome = ray.get(ref)
        except RayTaskError as err:
            # align_entry turns every fault of the file into an outcome: this is the program's.
            raise AlignerError(f"{entry.audio}: {_one_line(err.cause or err)}") from err
        except RayActorError as err:
            if isinstance(err, ActorDiedError) and actor in self._actors:
                self._actors.remove(actor)  # out of restarts: gone for good
            else:
                self._refresh_pid(actor)
            retries = self.retried.get(entry.audio, 0) + 1
            self.retried[entry.audio] = retries
            if retries >= MAX_ATTEMPTS:
                return FileOutcome(entry.audio, False, f"its worker was lost {retries} times "
                                   "while aligning it (out of memory?)", 0.0)  # fmt: skip
            pending.appendleft(entry)
            return None
        retries = self.retried.get(entry.audio, 0)
        if not retries:
            return outcome
        message = "; ".join(filter(None, [outcome.message, retried_note(retries)]))
        return dataclasses.replace(outcome, message=message)

    def _refresh_pid(self, actor: _Actor) -> None:
        """Ask the restarted actor for its new process id (waits for its model to load)."""
        for _ in range(_ACTOR_RESTARTS):
            try:
                actor.pid = ray.get(actor.handle.ready.remote())[0]
                return
            except ActorDiedError:
                if actor in self._actors:
                    self._actors.remove(actor)
                return
            except RayActorError:
                # Asked before Ray noticed the death: ask the restarted one again. Should it
                # stay unreachable, it keeps its place; its next file will tell.
                time.sleep(_POLL_SECONDS)


def _read_files(entry: CorpusEntry, root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in (entry.audio, entry.transcript)}


def _largest_node_cpus() -> int:
    nodes = [n for n in ray.nodes() if n.get("Alive")]
    return max((int(n.get("Resources", {}).get("CPU", 0)) for n in nodes), default=0)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())[:300] or type(err).__name__
