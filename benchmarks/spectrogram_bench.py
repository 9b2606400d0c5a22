"""The spectrogram on an hour-long file: frame times while panning and zooming with it shown, and
the time to the first picture of a range not seen before. Printed, not asserted.

Run from the checkout (about a minute; offscreen Qt)::

    .venv/bin/python benchmarks/spectrogram_bench.py            # 40 frames / 20 jumps per row
    .venv/bin/python benchmarks/spectrogram_bench.py --quick    # fewer

Input: the synthetic hour of ``benchmarks/gui_bench.py`` (``tests/qt/gui_helpers.long_result``:
16 kHz speech-like audio, 10,000 words). A real ``MainWindow`` (1280 x 860, default layout with
the spectrogram and its pitch curve shown) runs offscreen.

Method. A *frame* is timed as in ``gui_bench.py``: from the call that changes the shared range to
the return of ``QApplication.processEvents()``, in which Qt repaints every view (the spectrogram
draws whatever tiles are already computed; tiles are computed on two worker threads, the curves
on a third, and arrive as queued signals). "settled" rows let the workers finish between frames,
untimed; "back to back" rows do not, so those frames also pay for tiles that arrive meanwhile.
The same rows are timed with the spectrogram hidden (in alternating blocks, as the load drifts),
and the spectrogram's own share is timed alone: ``redraw()`` plus a synchronous repaint of its
viewport. *First picture*: the view jumps to a 5 s (or 30 s) range of the hour not shown before,
and the clock runs until the spectrogram's viewport is *painted* with a computed tile there
("first"), and with every tile in view computed ("complete"), processing events all the while;
"pitch" is until the pitch chunk in the middle of the new range is computed. The load average is
printed: other processes on the 2-core machine inflate every figure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "qt"))

import numpy as np  # noqa: E402
from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(name: str, times: list[float]) -> None:
    ms = [1000.0 * t for t in times]
    print(
        f"  {name:<46} median {statistics.median(ms):6.1f} ms   p95 {percentile(ms, 0.95):6.1f} ms"
        f"   max {max(ms):6.1f} ms  (n={len(ms)})"
    )


class PaintClock(QObject):
    """When the spectrogram's viewport was first *painted* showing the new range, then complete
    (checked in its paint events: a picture computed but not yet painted is not seen)."""

    def __init__(self, view) -> None:
        super().__init__()
        self.view = view
        self.reset(lambda: False, lambda: False)

    def reset(self, shows: Callable[[], bool], complete: Callable[[], bool]) -> None:
        self.shows, self.is_complete = shows, complete
        self.first: float | None = None
        self.complete: float | None = None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.complete is None:
            now = time.perf_counter()
            if self.first is None and self.shows():
                self.first = now
            if self.first is not None and self.is_complete():
                self.complete = now
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    frames = 15 if args.quick else 40
    jumps = 8 if args.quick else 20

    from aligner_gui.core.display.prosody import CHUNK_SECONDS
    from aligner_gui.core.document.document import AlignmentDocument
    from aligner_gui.qt.main_window import MainWindow
    from aligner_gui.qt.settings import Settings

    from gui_helpers import long_result

    print(f"load average before: {os.getloadavg()}")
    app = QApplication.instance() or QApplication([])
    folder = tempfile.mkdtemp(prefix="spectrogram-bench-")  # the settings file, removed at the end
    window = MainWindow(Settings.from_file(Path(folder) / "settings.ini"))
    window.resize(1280, 860)
    window.show()
    app.processEvents()
    stack, view = window.stack, window.stack.spectrogram
    doc = AlignmentDocument.from_alignment(long_result(3600.0, 10_000))

    def wait(condition: Callable[[], bool], timeout: float = 30.0) -> float:
        start = time.perf_counter()
        while not condition():
            app.processEvents()
            if time.perf_counter() - start > timeout:
                return float("nan")
            time.sleep(0.0005)
        return time.perf_counter() - start

    def complete() -> bool:
        return view.image.isVisible() and view.missing_tiles == 0

    def settle() -> None:
        wait(lambda: complete() and view.loader.pending_count() == 0)
        wait(lambda: not (stack.waveform.is_building() or stack.trellis.is_computing()))

    start = time.perf_counter()
    window.model.set_document(doc)
    app.processEvents()
    whole = wait(complete) + (time.perf_counter() - start)
    print(
        f"\n1-hour file, whole file in view: set_document -> complete spectrogram {1000 * whole:.0f} ms"
    )
    settle()

    def timed(action: Callable[[int], None], n: int, settled: bool) -> list[float]:
        times = []
        for i in range(n):
            start = time.perf_counter()
            action(i)
            app.processEvents()
            times.append(time.perf_counter() - start)
            if settled:
                settle()
        return times

    print("\nFrames (30 s view), with the spectrogram shown and, for comparison, hidden:")
    stack.set_x_range(1800.0, 1830.0)
    settle()

    def pan(i: int) -> None:
        stack.pan(0.1 if (i // 10) % 2 == 0 else -0.1)  # back and forth over the same ground

    def zoom(i: int) -> None:
        stack.zoom(1.25 if i % 2 == 0 else 0.8)

    rows: dict[str, list[float]] = {}
    for _block in range(2):  # shown, hidden, shown, hidden: the load changes over a run
        for shown in (True, False):
            window.set_panel_visible("spectrogram", shown)
            settle()
            tag = "shown" if shown else "hidden"
            for name, action, settled in (("pan 10 %, settled", pan, True),
                                          ("pan 10 %, back to back", pan, False),
                                          ("zoom x1.25 in / out, settled", zoom, True),
                                          ("zoom x1.25 in / out, back to back", zoom, False)):  # fmt: skip
                rows.setdefault(f"{name} ({tag})", []).extend(timed(action, frames // 2, settled))
                settle()
    for name, times in rows.items():
        report(name, times)
    # What the spectrogram itself costs per frame, whatever the other views cost.
    alone = []
    for i in range(frames):
        pan(i)
        settle()
        start = time.perf_counter()
        view.redraw()
        view.viewport().repaint()
        alone.append(time.perf_counter() - start)
    report("spectrogram alone: redraw + repaint", alone)
    window.set_panel_visible("spectrogram", True)
    stack.set_x_range(1800.0, 1830.0)
    settle()

    painted = PaintClock(view)
    view.viewport().installEventFilter(painted)
    rng = np.random.default_rng(1)
    for width in (5.0, 30.0):
        first, full, pitch = [], [], []
        for _ in range(jumps):
            t0 = float(rng.uniform(60.0, 3500.0))
            middle = t0 + width / 2

            def shows_new_range(t0: float = t0, t1: float = t0 + width) -> bool:
                shown = view.image_time_range()
                return shown is not None and shown[0] <= t1 and shown[1] >= t0

            painted.reset(shows_new_range, complete)
            start = time.perf_counter()
            stack.set_x_range(t0, t0 + width)
            wait(lambda: painted.complete is not None)
            first.append(painted.first - start)  # type: ignore[operator]
            full.append(painted.complete - start)  # type: ignore[operator]
            chunk = ("pitch", view.curves.settings, int(middle // CHUNK_SECONDS))
            wait(lambda c=chunk: view.loader.peek(c) is not None)
            pitch.append(time.perf_counter() - start)
            settle()
        print(f"\nA new {width:.0f} s range of the hour, jumped to ({jumps} jumps):")
        report("first picture", first)
        report("complete picture", full)
        report("pitch curve in the new range", pitch)
    print(f"\nload average after: {os.getloadavg()}")
    window.close()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
