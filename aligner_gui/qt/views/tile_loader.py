"""Results computed on worker threads, kept in a memory-capped LRU cache, handed to the GUI thread.

A view asks for the keys it needs now, most urgent first; whatever it asked for earlier in the same
*group* and no longer needs is cancelled if it has not started (a pan across an hour-long file must
not leave a queue of tiles nobody will see). Finished results come back through a queued signal,
so they are stored and drawn on the GUI thread only: the cache has no locks because only that
thread touches it. ``reset()`` forgets everything (another document, other settings); results of
jobs started before it are dropped on arrival.

concurrent.futures rather than QThreadPool: a future can be cancelled and dropped without the
ownership questions of a QRunnable shared between Python and C++.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

FAILED = object()  # cached for a job that raised, so that it is not retried on every frame


class _Relay(QObject):
    # Emitted on a worker thread; the relay lives on the GUI thread, so delivery is queued.
    finished = Signal(object, object, int)  # key, value, epoch


class TileLoader(QObject):
    """``request(group, [(key, compute), ...])``; ``ready`` is emitted with each new key."""

    ready = Signal(object)

    def __init__(self, size_of: Callable[[Any], int], max_bytes: int, threads: int = 2,
                 lanes: dict[str, tuple[str, int]] | None = None,
                 parent: QObject | None = None) -> None:  # fmt: skip
        """``threads`` workers serve every group, except groups given a lane of their own in
        ``lanes`` (group -> (lane name, workers)): slow jobs there never queue ahead of quick
        ones elsewhere."""
        super().__init__(parent)
        self._size_of = size_of
        self.max_bytes = max_bytes
        self._cache: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._pending: dict[Hashable, tuple[str, Future]] = {}
        self._epoch = 0
        self._lane_of = {group: lane for group, (lane, _n) in (lanes or {}).items()}
        sizes = {"": threads} | {lane: n for lane, n in (lanes or {}).values()}
        self._executors: dict[str, ThreadPoolExecutor] | None = {
            lane: ThreadPoolExecutor(max_workers=n, thread_name_prefix=f"view-tiles{lane}")
            for lane, n in sizes.items()
        }
        self._relay = _Relay(self)
        self._relay.finished.connect(self._on_finished)

    # -- cache ---------------------------------------------------------------------------------

    def get(self, key: Hashable) -> Any | None:
        """The cached value (most recently used from now on), or None; FAILED if it raised."""
        entry = self._cache.get(key)
        if entry is None:
            return None
        self._cache.move_to_end(key)
        return entry[0]

    def peek(self, key: Hashable) -> Any | None:
        entry = self._cache.get(key)
        return None if entry is None else entry[0]

    @property
    def cached_bytes(self) -> int:
        return self._bytes

    def is_pending(self, key: Hashable) -> bool:
        return key in self._pending

    def pending_count(self) -> int:
        return len(self._pending)

    def _store(self, key: Hashable, value: Any) -> None:
        size = 0 if value is FAILED else int(self._size_of(value))
        old = self._cache.pop(key, None)
        if old is not None:
            self._bytes -= old[1]
        self._cache[key] = (value, size)
        self._bytes += size
        while self._bytes > self.max_bytes and len(self._cache) > 1:
            _key, (_value, dropped) = self._cache.popitem(last=False)
            self._bytes -= dropped

    # -- jobs ----------------------------------------------------------------------------------

    def request(self, group: str, jobs: Iterable[tuple[Hashable, Callable[[], Any]]]) -> None:
        """Compute the missing ``jobs`` in order; cancel this group's queued jobs not asked for."""
        if self._executors is None:
            return
        executor = self._executors[self._lane_of.get(group, "")]
        wanted: list[tuple[Hashable, Callable[[], Any]]] = []
        keys = set()
        for key, compute in jobs:
            keys.add(key)
            if key not in self._cache and key not in self._pending:
                wanted.append((key, compute))
        for key, (job_group, future) in list(self._pending.items()):
            if job_group == group and key not in keys and future.cancel():
                del self._pending[key]
        for key, compute in wanted:
            future = executor.submit(self._run, key, compute, self._epoch)
            self._pending[key] = (group, future)

    def _run(self, key: Hashable, compute: Callable[[], Any], epoch: int) -> None:
        try:
            value = compute()
        except Exception:  # a bad tile must not kill the pool; it is drawn as missing
            value = FAILED
        with contextlib.suppress(RuntimeError):  # the relay is gone: the view was closed
            self._relay.finished.emit(key, value, epoch)

    def _on_finished(self, key: Hashable, value: Any, epoch: int) -> None:
        if epoch != self._epoch:
            return  # computed for a document or settings that are no longer shown
        self._pending.pop(key, None)
        self._store(key, value)
        self.ready.emit(key)

    def reset(self) -> None:
        """Forget every result and cancel every queued job."""
        self._epoch += 1
        for _group, future in self._pending.values():
            future.cancel()
        self._pending.clear()
        self._cache.clear()
        self._bytes = 0

    def shutdown(self) -> None:
        """Cancel what is queued and wait for the running jobs (before the view goes away)."""
        self.reset()
        for executor in (self._executors or {}).values():
            executor.shutdown(wait=True, cancel_futures=True)
        self._executors = None
