"""The background tile loader: results arrive on the GUI thread, queued work that is no longer in
view is dropped, the cache keeps to its memory cap, and a reset forgets late results."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QThread

from aligner_gui.qt.views.tile_loader import FAILED, TileLoader

WAIT_MS = 10_000


@pytest.fixture
def loader(qtbot: Any):
    tiles = TileLoader(lambda value: value.nbytes, max_bytes=3_000, threads=2)
    yield tiles
    tiles.shutdown()


def test_results_arrive_on_the_gui_thread_and_are_cached(qtbot, loader: TileLoader) -> None:
    threads: list[Any] = []

    def compute() -> np.ndarray:
        threads.append(QThread.currentThread())
        return np.ones(100, dtype=np.float64)

    with qtbot.waitSignal(loader.ready, timeout=WAIT_MS) as blocker:
        loader.request("spec", [("a", compute)])
    assert blocker.args == ["a"]
    assert threads and threads[0] is not QThread.currentThread()
    assert loader.get("a") is not None and loader.cached_bytes == 800
    loader.request("spec", [("a", compute)])  # cached: not computed again
    assert len(threads) == 1 and not loader.is_pending("a")


def test_queued_jobs_no_longer_asked_for_are_cancelled(qtbot, loader: TileLoader) -> None:
    release = threading.Event()
    computed: list[str] = []

    def job(name: str):
        def compute() -> np.ndarray:
            release.wait(WAIT_MS / 1000)
            computed.append(name)
            return np.zeros(10)

        return compute

    # Two workers busy, two more queued behind them.
    loader.request("spec", [(k, job(k)) for k in ("a", "b", "c", "d")])
    # The view moved: only "a", "b" and "e" are wanted now; another group is left alone.
    loader.request("curves", [("x", job("x"))])
    loader.request("spec", [(k, job(k)) for k in ("a", "b", "e")])
    assert not loader.is_pending("c") and not loader.is_pending("d")
    assert loader.is_pending("x") and loader.is_pending("e")
    release.set()
    qtbot.waitUntil(lambda: loader.pending_count() == 0, timeout=WAIT_MS)
    assert sorted(computed) == ["a", "b", "e", "x"]


def test_the_cache_keeps_to_its_cap_dropping_the_least_recently_used(qtbot, loader) -> None:
    for key in ("a", "b", "c"):
        with qtbot.waitSignal(loader.ready, timeout=WAIT_MS):
            loader.request("spec", [(key, lambda: np.zeros(125))])  # 1,000 bytes each
    assert loader.get("a") is not None  # "a" is now the most recent
    with qtbot.waitSignal(loader.ready, timeout=WAIT_MS):
        loader.request("spec", [("d", lambda: np.zeros(125))])
    assert loader.cached_bytes <= loader.max_bytes
    assert loader.peek("b") is None and loader.peek("a") is not None
    assert loader.peek("d") is not None


def test_a_failing_job_is_cached_as_failed_and_a_reset_drops_late_results(qtbot, loader) -> None:
    def broken() -> np.ndarray:
        raise ValueError("bad tile")

    with qtbot.waitSignal(loader.ready, timeout=WAIT_MS):
        loader.request("spec", [("bad", broken)])
    assert loader.get("bad") is FAILED

    release = threading.Event()

    def slow() -> np.ndarray:
        release.wait(WAIT_MS / 1000)
        return np.zeros(5)

    arrived: list[Any] = []
    loader.ready.connect(arrived.append)
    loader.request("spec", [("late", slow)])
    loader.reset()  # another document: whatever was running belongs to the old one
    assert loader.get("bad") is None
    release.set()
    loader.shutdown()  # waits for the running job
    qtbot.wait(50)  # its queued delivery, if any, is processed
    assert arrived == [] and loader.peek("late") is None
