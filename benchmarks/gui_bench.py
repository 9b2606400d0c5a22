"""Frame times of the editor on long recordings (issues 3 and 4), printed, not asserted.

Run from the checkout (a few tens of seconds; offscreen Qt, no display needed)::

    .venv/bin/python benchmarks/gui_bench.py            # 10-minute and 1-hour files
    .venv/bin/python benchmarks/gui_bench.py --quick    # fewer repetitions

Inputs are synthetic and built in seconds without a model (``tests/qt/gui_helpers.long_result``):
16 kHz speech-like audio, random words of 2-8 letters at 10,000 words per hour (1,700 for the
10-minute file) laid out on a forced path, emissions of shape (frames, 29) peaked on that path,
and the document (words + chars tiers) the engine would make of them.

Method. Everything runs on the GUI thread of a real ``MainWindow`` (1280 x 860, default layout:
waveform, emissions, trellis, words and chars tiers), offscreen. A *frame* is timed from the call
that changes the view (``ViewStack.set_x_range``/``zoom``/``pan``, a mouse event, or a pushed edit)
to the return of ``QApplication.processEvents()``, during which Qt delivers the queued paint events:
every view that changed is repainted then (the script counts the paint events of the views'
viewports to check it, "paints/frame"). Background work (the waveform pyramid, trellis windows)
runs in time slices on the same event loop, so a frame may include one such slice; between frames
the script lets background work finish untimed, except in the "back to back" rows. Medians and
95th percentiles are over the frames of each row. Launch time is measured around a subprocess
``python -m aligner_gui`` with ``QT_QPA_PLATFORM=offscreen`` and ``ALIGNER_GUI_EXIT_AFTER_SHOW=1``
(the app prints the time since its process started once the window is shown, then quits); the
parent's wall time from spawn to that line is printed beside it. The machine's load average is
printed before and after: other processes on a 2-core machine inflate every figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "qt"))  # the synthetic builders of the GUI tests

from PySide6.QtCore import QEvent, QObject, QPoint, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

VIEW_SECONDS = 30.0


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(name: str, times: list[float], paints: float | None = None) -> None:
    ms = [1000.0 * t for t in times]
    extra = "" if paints is None else f"  paints/frame {paints:.1f}"
    print(
        f"  {name:<44} median {statistics.median(ms):6.1f} ms   p95 {percentile(ms, 0.95):6.1f} ms"
        f"   max {max(ms):6.1f} ms  (n={len(ms)}){extra}"
    )


class Bench:
    def __init__(self, app: QApplication, window, counter: PaintCounter) -> None:
        self.app = app
        self.window = window
        self.stack = window.stack
        self.counter = counter

    def settle(self, timeout: float = 30.0) -> None:
        """Let background work (pyramid, trellis window) finish, untimed."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            self.app.processEvents()
            if not (self.stack.waveform.is_building() or self.stack.trellis.is_computing()):
                break
        self.app.processEvents()

    def frames(
        self, action: Callable[[int], None], n: int, settle: bool = True
    ) -> tuple[list[float], float]:
        times: list[float] = []
        paints = 0
        for i in range(n):
            self.counter.count = 0
            start = time.perf_counter()
            action(i)
            self.app.processEvents()
            times.append(time.perf_counter() - start)
            paints += self.counter.count
            if settle:
                self.settle()
        return times, paints / n


def build(duration: float, words: int):
    from aligner_gui.core.document.document import AlignmentDocument

    from gui_helpers import long_result

    t = time.perf_counter()
    result = long_result(duration, words)
    built = time.perf_counter() - t
    t = time.perf_counter()
    doc = AlignmentDocument.from_alignment(result)
    return result, doc, built, time.perf_counter() - t


def run_file(app: QApplication, label: str, duration: float, words: int, reps: int) -> None:
    from aligner_gui.core.document import edits
    from aligner_gui.qt.main_window import MainWindow
    from aligner_gui.qt.settings import Settings

    result, doc, built, from_alignment = build(duration, words)
    chars = len(result.chars)
    print(
        f"\n{label}: {duration / 60:.0f} min, {result.audio.num_samples / 1e6:.1f} M samples, "
        f"{len(result.words)} words, {chars} chars, emissions {result.emissions.shape}; "
        f"tiers of {len(doc.tier('words').segments)} and {len(doc.tier('chars').segments)} segments"
    )
    print(f"  synthetic input built in {built:.2f} s (not part of the editor)")
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.from_file(Path(folder) / "settings.ini")
        t = time.perf_counter()
        window = MainWindow(settings)
        window.resize(1280, 860)
        window.show()
        app.processEvents()
        construct = time.perf_counter() - t
        counter = PaintCounter()
        stack = window.stack
        for view in stack.views():
            view.viewport().installEventFilter(counter)
        bench = Bench(app, window, counter)

        # -- open: document reset -> every view painted once; detail in the background --------
        t = time.perf_counter()
        window.model.set_document(doc)
        reset = time.perf_counter() - t
        for view in stack.views():  # tier views are new: count their paints too
            view.viewport().installEventFilter(counter)
        painted: set[int] = set()

        class FirstPaint(QObject):
            def eventFilter(self, obj: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint:
                    painted.add(id(obj))
                return False

        first = FirstPaint()
        viewports = [view.viewport() for view in stack.views()]
        for viewport in viewports:
            viewport.installEventFilter(first)
        while len(painted) < len(viewports) and time.perf_counter() - t < 10:
            app.processEvents()
        shown = time.perf_counter() - t
        while stack.waveform.is_building():
            app.processEvents()
        detailed = time.perf_counter() - t
        print(f"  MainWindow constructed and shown (empty)        {1000 * construct:7.1f} ms")
        print(f"  AlignmentDocument.from_alignment (core)         {1000 * from_alignment:7.1f} ms")
        print(f"  set_document (synchronous part)                 {1000 * reset:7.1f} ms")
        print(f"  set_document -> every view painted              {1000 * shown:7.1f} ms")
        print(f"  set_document -> waveform detail complete        {1000 * detailed:7.1f} ms")
        bench.settle()

        # -- full view: what a redraw costs when everything is in view ------------------------
        times, paints = bench.frames(lambda i: stack.pan(0.01 if i % 2 else -0.01), reps)
        report("pan at full zoom-out (1% steps)", times, paints)

        # -- 30 s view ------------------------------------------------------------------------
        start = duration / 3
        stack.set_x_range(start, start + VIEW_SECONDS)
        bench.settle()
        times, paints = bench.frames(lambda i: stack.pan(0.1 if (i // 10) % 2 == 0 else -0.1), reps)
        report("pan 10% of a 30 s view", times, paints)
        stack.set_x_range(start, start + VIEW_SECONDS)
        bench.settle()
        times, paints = bench.frames(lambda i: stack.pan(0.1), reps, settle=False)
        report("pan 10% of a 30 s view, back to back", times, paints)
        bench.settle()
        stack.set_x_range(start, start + VIEW_SECONDS)
        bench.settle()
        times, paints = bench.frames(lambda i: stack.zoom(1.25 if (i // 5) % 2 == 0 else 0.8), reps)
        report("zoom x1.25 in/out from a 30 s view", times, paints)

        # -- boundary drag in a 10 s view ------------------------------------------------------
        stack.set_x_range(start, start + 10.0)
        bench.settle()
        words_view = stack.tiers.view("words")
        segs = doc.tier("words").segments
        index = next(
            k for k in range(1, len(segs)) if segs[k].label and segs[k].start > start + 5.0
        )
        origin = segs[index].start
        words_view._on_drag(index, origin, "start")
        times, paints = bench.frames(
            lambda i: words_view._on_drag(index, origin + 0.004 * ((i % 10) - 5), "move"), reps
        )
        words_view._on_drag(index, origin, "finish")
        report("drag step: MoveBoundary via the tier view", times, paints)
        undo_steps = window.model.undo_stack.count()

        viewport = words_view.viewport()
        press = words_view.pixel_of(doc.tier("words").segments[index].start, 0.5)
        press_point = QPoint(int(press[0]), int(press[1]))
        QTest.mouseMove(viewport, press_point)
        time.sleep(0.02)
        QTest.mousePress(
            viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, press_point
        )
        app.processEvents()

        times = []
        paints_total = 0
        for i in range(reps):
            time.sleep(0.011)  # pyqtgraph drops mouse moves closer than 10 ms apart (untimed)
            counter.count = 0
            t0 = time.perf_counter()
            QTest.mouseMove(viewport, press_point + QPoint(3 + (i % 10), 0))
            app.processEvents()
            times.append(time.perf_counter() - t0)
            paints_total += counter.count
        last = press_point + QPoint(3 + ((reps - 1) % 10), 0)
        QTest.mouseRelease(
            viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, last
        )
        app.processEvents()
        moved = doc.tier("words").segments[index].start != origin
        report("drag step: real mouse move on the boundary", times, paints_total / reps)
        print(
            f"  (the drag moved the boundary: {moved}; undo steps: {undo_steps} then "
            f"{window.model.undo_stack.count()})"
        )
        # The core's share of a drag step, for comparison.
        edit_times = []
        for i in range(reps):
            t0 = time.perf_counter()
            edits.MoveBoundary("words", index, origin + 0.001 * (i % 5)).apply(doc)
            edit_times.append(time.perf_counter() - t0)
        report("of which the core edit alone (MoveBoundary)", edit_times)
        window.model.set_document(None)
        window.close()
        app.processEvents()


def launch_times(runs: int) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ALIGNER_GUI_EXIT_AFTER_SHOW="1")
    print("\nlaunch to window shown: python -m aligner_gui (offscreen)")
    own: list[float] = []
    wall: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(runs):
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "aligner_gui", "--settings", str(Path(folder) / "s.ini")],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
            )
            wall.append(time.perf_counter() - t0)
            line = next((x for x in proc.stdout.splitlines() if x.startswith("window shown")), "")
            if line:
                own.append(float(line.split()[2]))
    if own:
        report("reported by the app (process start -> shown)", own)
    report("spawn -> process exit, measured outside", wall)


def null_sound_device() -> None:
    """Point ALSA at a silent device (as tests/conftest.py does) unless --real-device was given:
    CI machines have no sound card. Must run before sounddevice is first imported."""
    home = Path(tempfile.mkdtemp(prefix="null-sound-home-"))
    (home / ".asoundrc").write_text("pcm.!default { type null }\n", encoding="utf-8")
    os.environ["HOME"] = str(home)


def stream_latencies(rate: int) -> None:
    """The output latency PortAudio reports for each latency setting on this device."""
    import sounddevice as sd

    for setting in ("high", "low"):
        with sd.OutputStream(samplerate=rate, channels=1, dtype="float32", latency=setting) as s:
            print(f"  stream.latency with latency={setting!r:<7} {1000 * s.latency:6.1f} ms")


def click_to_sound(app: QApplication, label: str, doc, reps: int) -> None:
    """From the mouse press on a word to the first of its samples handed to the output stream.

    The player's callback is wrapped (before the stream opens) to timestamp every call with
    perf_counter; the first call that starts a new buffer is the one that hands the word's first
    samples to PortAudio. The press and the release are sent back to back (pyqtgraph reports a
    click on the release), so the figure is the editor's own share; the device then adds the
    stream's reported output latency before the sound leaves the speaker.
    """
    from aligner_gui.qt.main_window import MainWindow
    from aligner_gui.qt.settings import Settings

    from gui_helpers import view_pixel

    print(f"\nclick-to-sound, {label}: mouse press on a word -> its first samples to the stream")
    with tempfile.TemporaryDirectory() as folder:
        window = MainWindow(Settings.from_file(Path(folder) / "s.ini"))
        window.resize(1280, 860)
        window.show()
        window.model.set_document(doc)
        app.processEvents()
        words = [s for s in doc.tier("words").segments if s.label]
        player = window.player
        calls: list[tuple[float, int]] = []  # (perf_counter, frames consumed before the call)
        inner = player._callback

        def stamped(outdata, frames, time_info, status) -> None:
            calls.append((time.perf_counter(), player._consumed))
            inner(outdata, frames, time_info, status)

        player._callback = stamped  # type: ignore[method-assign]
        view = window.stack.tiers.view("words")
        viewport = view.viewport()
        button, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        played: list[float] = []  # when Player.started was emitted
        player.started.connect(lambda *_: played.append(time.perf_counter()))
        to_call: list[float] = []
        to_sound: list[float] = []
        first_click = 0.0
        for i in range(reps + 1):
            while player.is_playing():  # the null device plays the 0.5 s word at once
                app.processEvents()
            seg = words[(i * 7) % len(words)]
            if not window.stack.x_range()[0] <= seg.start < seg.end <= window.stack.x_range()[1]:
                window.stack.zoom_to(seg.start - 5.0, seg.end + 5.0)  # untimed, as a user scrolls
                app.processEvents()
            where = view_pixel(view, 0.5 * (seg.start + seg.end), 0.5)
            played.clear()
            calls.clear()
            t0 = time.perf_counter()
            QTest.mousePress(viewport, button, none, where)
            QTest.mouseRelease(viewport, button, none, where)
            deadline = t0 + 5.0
            while (
                not any(c[1] == 0 and c[0] >= t0 for c in calls) and time.perf_counter() < deadline
            ):
                time.sleep(0.0002)
            first = next(c[0] for c in calls if c[1] == 0 and c[0] >= t0)
            if i == 0:
                first_click = first - t0  # includes opening the stream
                continue
            to_call.append(played[0] - t0)
            to_sound.append(first - t0)
            app.processEvents()
        stream = player._stream
        latency = 0.0 if stream is None else float(stream.latency)
        print(f"  first click (opens the stream)               {1000 * first_click:6.1f} ms")
        report("press -> Player.started (GUI work)", to_call)
        report("press -> first samples handed to the stream", to_sound)
        print(f"  stream output latency (stream.latency)       {1000 * latency:6.1f} ms")
        total = statistics.median(to_sound) + latency
        print(
            f"  total, median press -> sound leaves          {1000 * total:6.1f} ms (target < 50)"
        )
        player.stop()
        window.model.set_document(None)
        window.close()
        app.processEvents()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 frames per row instead of 50")
    parser.add_argument("--latency-only", action="store_true", help="only click-to-sound")
    parser.add_argument("--real-device", action="store_true",
                        help="play on the default sound card, not the ALSA null device")  # fmt: skip
    args = parser.parse_args()
    reps = 20 if args.quick else 50
    if not args.real_device:
        null_sound_device()
    print(
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs"
    )
    app = QApplication.instance() or QApplication([])
    from gui_helpers import RATE, many_words_document

    print("\noutput stream latency as PortAudio reports it")
    stream_latencies(RATE)
    click_to_sound(app, "20 s file, 40 words", many_words_document(40, 20.0), reps)
    click_to_sound(app, "1-hour file", build(3600.0, 10_000)[1], reps)
    if args.latency_only:
        return
    launch_times(3 if args.quick else 5)
    run_file(app, "10-minute file", 600.0, 1700, reps)
    run_file(app, "1-hour file", 3600.0, 10_000, reps)
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
