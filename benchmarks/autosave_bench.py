"""The longest GUI-thread stall caused by autosave on an hour with 10,000 words, printed, not
asserted (target: under 16 ms, one frame).

Run from the checkout (about a minute; offscreen Qt, no display needed)::

    .venv/bin/python benchmarks/autosave_bench.py
    .venv/bin/python benchmarks/autosave_bench.py --minutes 10 --words 1700 --seconds 6

Method. A real ``MainWindow`` (1280 x 860, offscreen) holds the recovery test document of
``tests/qt/recovery_helpers.py``: words and chars from the engine's segment builder (10,000 words,
~120,000 segments in all), a doubtful tier, a point tier. A ``QTimer`` of type PreciseTimer ticks
every 1 ms on the GUI thread and records the time of each tick; a *stall* is the largest gap
between two ticks. Rows:

* **idle**: 3 s with nothing happening: the machine's own stalls.
* **autosave alone**: no edits; one write at a time (``write_now``: the GUI thread takes the
  snapshot, a worker thread encodes and writes the JSON), first with nothing cached (every slice
  encoded, as for a new document), then reusing unchanged slices (as after an edit). Per write:
  the longest gap while it was in flight, against the longest gap of an idle window of the same
  length right after it; the snapshot's time on the GUI thread; the write's time on the worker.
* **baseline, edits without autosave**: one label edit every 25 ms (the views repaint the edited
  word), autosave off. Shows what editing itself costs.
* **edits with autosave**: the same edits with autosave on at its real timing (2 s after a pause,
  at most 5 s while editing continues).

The machine's load average is printed before and after: other processes on a 2-core machine
inflate every figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "qt"))  # the synthetic builders of the GUI tests

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


class Ticks:
    """A 1 ms timer on the GUI thread: the gaps between its ticks are the stalls."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(lambda: self.times.append(time.perf_counter()))

    def start(self) -> None:
        self.times = [time.perf_counter()]
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def gaps(self, spans: list[tuple[float, float]] | None = None) -> list[float]:
        """Gaps in ms; with ``spans``, only the gaps that end inside one of them."""
        out = []
        for a, b in zip(self.times, self.times[1:], strict=False):
            if spans is None or any(s <= b <= e + 0.002 for s, e in spans):
                out.append(1000.0 * (b - a))
        return out


def p99(values: list[float]) -> float:
    return sorted(values)[int(0.99 * (len(values) - 1))]


def run_for(app: QApplication, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.0002)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=12.0, help="length of each edit row")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    app = QApplication.instance() or QApplication([])
    from aligner_gui.core.document import edits
    from aligner_gui.core.document.autosave import DocumentPaths, RecoveryWriter
    from aligner_gui.qt.main_window import MainWindow
    from aligner_gui.qt.settings import Settings

    from recovery_helpers import recovery_document

    doc = recovery_document(60.0 * args.minutes, args.words)
    segments = sum(len(t.segments) for t in doc.tiers)
    print(f"document: {args.minutes:.0f} min, {args.words} words, {segments} segments in "
          f"{len(doc.tiers)} tiers")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.from_file(Path(folder) / "settings.ini")
        window = MainWindow(settings, recovery_folder=Path(folder) / "recovery")
        window.resize(1280, 860)
        window.show()
        session, saver = window.session, window.session.autosaver
        session.replace(doc, DocumentPaths(Path(folder) / "audio.wav", None, None))
        window.stack.set_x_range(1800.0, 1830.0)
        run_for(app, 3.0)  # the waveform pyramid and the trellis window, untimed
        saver.write_now()
        saver.wait()
        run_for(app, 0.2)

        # -- idle: what the machine itself costs ----------------------------------------------------
        ticks = Ticks()
        ticks.start()
        run_for(app, 3.0)
        ticks.stop()
        idle = ticks.gaps()
        print(f"  idle, 3 s: longest stall {max(idle):5.1f} ms, p99 {p99(idle):.1f} ms")

        # -- autosave alone ----------------------------------------------------------------------
        snapshot_ms: list[float] = []
        real_fn = saver._snapshot_fn

        snapshot_at: list[float] = []

        def timed_snapshot():
            t = time.perf_counter()
            snapshot_at.append(t)
            snap = real_fn()
            snapshot_ms.append(1000.0 * (time.perf_counter() - t))
            return snap

        saver._snapshot_fn = timed_snapshot
        written_at: list[float] = []
        saver.written.connect(lambda _path: written_at.append(time.perf_counter()))

        def autosave_alone(fresh_writer: bool, label: str, writes: int) -> None:
            """Per write, the longest gap while it was in flight; per pause between writes (as
            long as a write), the longest gap with nothing happening: the machine's own noise."""
            snapshot_ms.clear()
            snapshot_at.clear()
            written_at.clear()
            write_ms: list[float] = []
            during: list[float] = []
            between: list[float] = []
            for _ in range(writes):
                if fresh_writer:  # nothing cached: every slice is encoded, as for a new document
                    saver._writer = RecoveryWriter()
                ticks.start()
                started = time.perf_counter()
                saver.write_now()
                while len(written_at) < len(snapshot_ms):
                    app.processEvents()
                    time.sleep(0.0002)  # as an idle event loop would: no busy spinning
                ticks.stop()
                write_ms.append(1000.0 * (written_at[-1] - started))
                during.append(max(ticks.gaps()))
                ticks.start()
                run_for(app, max(0.05, written_at[-1] - started))
                ticks.stop()
                between.append(max(ticks.gaps()))
            print(
                f"  {label}:\n"
                f"    longest GUI stall per write: median {statistics.median(during):5.1f} ms, "
                f"worst {max(during):5.1f} ms (same-length idle windows: median "
                f"{statistics.median(between):5.1f} ms, worst {max(between):5.1f} ms)\n"
                f"    snapshot on the GUI thread median {statistics.median(snapshot_ms):.2f} ms, "
                f"max {max(snapshot_ms):.2f} ms; encode + write on the worker median "
                f"{statistics.median(write_ms):.0f} ms"
            )

        autosave_alone(True, "autosave alone, 20 writes encoding everything (a new document)", 20)
        autosave_alone(False, "autosave alone, 40 writes reusing unchanged slices (as after an "
                       "edit)", 40)  # fmt: skip

        # -- edits, without and with autosave ----------------------------------------------------
        words = doc.tier("words").segments
        labelled = [i for i, s in enumerate(words) if s.label and 1800.0 < s.start < 1830.0]

        def edit_row(autosave: bool) -> tuple[list[float], list[float], int]:
            """Gaps over the row, gaps while a write was in flight, and the number of writes."""
            saver._snapshot_fn = timed_snapshot if autosave else None
            first_snap, first_written = len(snapshot_at), len(written_at)
            ticks.start()
            end = time.perf_counter() + args.seconds
            k = 0
            while time.perf_counter() < end:
                index = labelled[k % len(labelled)]
                window.model.push(edits.SetLabel("words", index, f"e{k}"))
                k += 1
                run_for(app, 0.025)
            if autosave:
                saver.wait()
                run_for(app, 0.05)
            ticks.stop()
            in_flight = list(
                zip(snapshot_at[first_snap:], written_at[first_written:], strict=False)
            )
            return ticks.gaps(), ticks.gaps(in_flight), len(in_flight)

        baseline, _, _ = edit_row(autosave=False)
        print(f"  baseline, an edit every 25 ms, no autosave: longest stall {max(baseline):5.1f} ms,"
              f" p99 {p99(baseline):.1f} ms")  # fmt: skip
        with_saves, while_writing, writes = edit_row(autosave=True)
        print(f"  same edits with autosave ({writes} writes): longest stall {max(with_saves):5.1f} "
              f"ms, p99 {p99(with_saves):.1f} ms; longest while a write was in flight "
              f"{max(while_writing, default=0.0):5.1f} ms")  # fmt: skip
        window.session.autosaver.discard()
        window.model.mark_saved()
        window.close()
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
