"""How fast a running alignment stops: Cancel, and the window closing (shutdown) mid-job. Printed,
not asserted (target: under 1 s; the tests only check it happens, within generous bounds).

Run from the checkout (about half a minute)::

    .venv/bin/python benchmarks/cancel_bench.py

Method. The tiny random model of ``tests/tiny_models.py`` aligns 120 s of noise with a long
transcript on the worker thread of a real ``AlignmentController``. Once the job reports the
"Computing emissions" stage, the GUI thread calls ``cancel()`` (or ``shutdown()``) and times until
the ``cancelled`` signal arrives (or ``shutdown()`` returns). Five repetitions each; median and
max printed, with the machine's load average.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the tiny model of the tests

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402

REPS = 5
TEXT = "the north wind and the sun were disputing which was the stronger"


def wait_for(app: QCoreApplication, done, timeout: float = 120.0) -> None:
    end = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > end:
            raise TimeoutError("the job did not reach the expected state")
        app.processEvents()
        time.sleep(0.001)


def main() -> None:
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    app = QCoreApplication.instance() or QCoreApplication([])
    from aligner_gui.qt.worker import AlignmentController, AlignmentJob

    from tiny_models import make_tiny_checkpoint

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        rng = np.random.default_rng(0)
        sf.write(folder / "long.wav", 0.2 * rng.standard_normal(120 * 16_000), 16_000)
        (folder / "long.txt").write_text(" ".join([TEXT] * 20), encoding="utf-8")
        job = AlignmentJob(folder / "long.wav", folder / "long.txt",
                           model=str(make_tiny_checkpoint(folder / "tiny.pt")), device="cpu")  # fmt: skip
        for kind in ("cancel", "shutdown"):
            times: list[float] = []
            for _ in range(REPS):
                controller = AlignmentController()
                stages: list[str] = []
                cancelled: list[bool] = []
                controller.stageChanged.connect(stages.append)
                controller.cancelled.connect(lambda cancelled=cancelled: cancelled.append(True))
                controller.start(job)
                wait_for(app, lambda stages=stages: "Computing emissions" in stages)
                started = time.perf_counter()
                if kind == "cancel":
                    controller.cancel()
                    wait_for(app, lambda cancelled=cancelled: bool(cancelled))
                else:
                    controller.shutdown()
                times.append(time.perf_counter() - started)
                controller.shutdown()
            ms = [1000 * t for t in times]
            print(f"  {kind:<8} during the emissions: median {statistics.median(ms):6.1f} ms, "
                  f"max {max(ms):6.1f} ms (n={REPS})")  # fmt: skip
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
