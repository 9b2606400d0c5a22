"""AlignmentController: real jobs on a real QThread with a tiny wav2vec2 model."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from aligner_gui.core.alignment import pipeline as pipeline_module
from aligner_gui.core.alignment.pipeline import AlignmentResult
from aligner_gui.core.io.textgrid import Interval, IntervalTier, TextGrid, write_textgrid
from aligner_gui.core.models import emission as emission_module
from aligner_gui.core.models import model as model_module
from aligner_gui.qt.worker import AlignmentController, AlignmentJob, OpenTextGridJob

from tiny_models import make_tiny_checkpoint

RATE = 16_000
WORDS = "the north wind and the sun were disputing which was the stronger"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("worker")
    rng = np.random.default_rng(0)
    # Stereo at 44.1 kHz, channel 1 louder: exercises channel choice and resampling to 16 kHz.
    n = int(4.0 * 44_100)
    stereo = np.stack([0.05 * rng.standard_normal(n), 0.3 * rng.standard_normal(n)], axis=1)
    sf.write(folder / "short.wav", stereo.astype(np.float32), 44_100, subtype="PCM_16")
    sf.write(folder / "long.wav", 0.2 * rng.standard_normal(120 * RATE), RATE, subtype="PCM_16")
    (folder / "short.txt").write_text(WORDS + "\n", encoding="utf-8")
    (folder / "long.txt").write_text(" ".join([WORDS] * 20) + "\n", encoding="utf-8")
    return {
        "short_wav": folder / "short.wav",
        "short_txt": folder / "short.txt",
        "long_wav": folder / "long.wav",
        "long_txt": folder / "long.txt",
        "model": make_tiny_checkpoint(folder / "tiny.pt"),
    }


@pytest.fixture
def controller(qtbot: Any) -> Iterator[AlignmentController]:
    c = AlignmentController()
    yield c
    c.shutdown()
    assert not c._thread.isRunning()


class Recorder:
    """Every signal of a controller, in order."""

    def __init__(self, c: AlignmentController) -> None:
        self.events: list[tuple[str, Any]] = []
        c.stageChanged.connect(lambda s: self.events.append(("stage", s)))
        c.progressChanged.connect(lambda s, f: self.events.append(("progress", (s, f))))
        c.finished.connect(lambda r: self.events.append(("finished", r)))
        c.failed.connect(lambda m: self.events.append(("failed", m)))
        c.cancelled.connect(lambda: self.events.append(("cancelled", None)))

    def kinds(self, kind: str) -> list[Any]:
        return [value for k, value in self.events if k == kind]

    def outcomes(self) -> list[str]:
        return [k for k, _ in self.events if k in ("finished", "failed", "cancelled")]


def _short_job(files: dict[str, Path], **overrides: Any) -> AlignmentJob:
    fields: dict[str, Any] = {
        "audio_path": files["short_wav"],
        "transcript_path": files["short_txt"],
        "model": str(files["model"]),
        "device": "cpu",
        "channel": 1,
    }
    fields.update(overrides)
    return AlignmentJob(**fields)


def _gate_emissions(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Make emissions wait after their first window until the job is cancelled (5 s at most).

    With the tiny model 120 s of audio take well under a second, so without this a cancel
    could arrive after the job had finished; the gate makes "cancel during the job" certain.
    Returns an event set when the first window is done.
    """
    reached = threading.Event()
    real = emission_module.compute_emissions

    def gated(model: Any, samples: Any, *, progress: Any = None, cancel: Any = None, **kw: Any):
        def report(stage: str, fraction: float) -> None:
            progress(stage, fraction)
            if fraction > 0 and not reached.is_set():
                reached.set()
                cancel.wait(5.0)

        return real(model, samples, progress=report, cancel=cancel, **kw)

    monkeypatch.setattr(emission_module, "compute_emissions", gated)
    return reached


def test_importing_the_worker_does_not_import_torch() -> None:
    code = (
        "import sys; import aligner_gui.qt.worker, aligner_gui.qt.playback, "
        "aligner_gui.qt.settings; print('torch' in sys.modules, 'sounddevice' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["False", "False"]


def test_alignment_job_finishes_with_the_transcript_words(
    qtbot: Any, controller: AlignmentController, files: dict[str, Path]
) -> None:
    rec = Recorder(controller)
    with qtbot.waitSignal(controller.finished, timeout=20_000) as done:
        controller.start(_short_job(files))
        assert controller.is_running() is True
    result = done.args[0]

    assert controller.is_running() is False
    assert isinstance(result, AlignmentResult)
    assert [w.label for w in result.words] == WORDS.split()
    assert all(0.0 <= w.start <= w.end <= result.audio.duration for w in result.words)
    assert result.audio.sample_rate == RATE
    assert (result.audio.source_sample_rate, result.audio.source_channels) == (44_100, 2)
    assert result.audio.channel == 1
    assert result.audio.duration == pytest.approx(4.0, abs=1e-3)
    # wav2vec2 geometry: 400-sample receptive field, one frame every 320 samples; 29 labels.
    assert result.emissions.shape == ((len(result.audio.samples) - 400) // 320 + 1, 29)
    assert rec.kinds("stage") == [
        "Loading model",
        "Reading audio",
        "Computing emissions",
        "Aligning",
    ]
    fractions = [f for _, f in rec.kinds("progress")]
    assert fractions and all(0.0 <= f <= 1.0 for f in fractions)
    assert ("Aligning", 1.0) in rec.kinds("progress")
    assert rec.outcomes() == ["finished"]
    assert controller.job() == _short_job(files)


def test_loaded_model_is_cached_between_jobs(
    qtbot: Any,
    controller: AlignmentController,
    files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loads: list[str] = []
    real = model_module.load_model

    def counting(name: Any, device: str = "auto", progress: Any = None) -> Any:
        loads.append(str(name))
        return real(name, device=device, progress=progress)

    monkeypatch.setattr(model_module, "load_model", counting)
    for _ in range(2):
        with qtbot.waitSignal(controller.finished, timeout=20_000):
            controller.start(_short_job(files))
    assert loads == [str(files["model"])]
    # Another device is another model.
    with qtbot.waitSignal(controller.finished, timeout=20_000):
        controller.start(_short_job(files, device="auto"))
    assert loads == [str(files["model"])] * 2


def test_cancel_during_a_long_job_then_a_new_job(
    qtbot: Any,
    controller: AlignmentController,
    files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reached = _gate_emissions(monkeypatch)
    rec = Recorder(controller)
    long_job = _short_job(
        files, audio_path=files["long_wav"], transcript_path=files["long_txt"], channel=None
    )
    controller.start(long_job)
    qtbot.waitUntil(reached.is_set, timeout=20_000)
    assert controller.is_running() is True

    # Typically ~0.1 s (benchmarks/cancel_bench.py); the bound only catches a hang.
    with qtbot.waitSignal(controller.cancelled, timeout=20_000):
        began = time.monotonic()
        controller.cancel()
    assert time.monotonic() - began < 15.0
    assert controller.is_running() is False
    assert rec.outcomes() == ["cancelled"]
    assert "Computing emissions" in rec.kinds("stage")

    monkeypatch.undo()
    with qtbot.waitSignal(controller.finished, timeout=20_000) as done:
        controller.start(_short_job(files))
    assert [w.label for w in done.args[0].words] == WORDS.split()
    assert rec.outcomes() == ["cancelled", "finished"]


def test_starting_a_job_while_one_runs_replaces_it(
    qtbot: Any,
    controller: AlignmentController,
    files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reached = _gate_emissions(monkeypatch)
    rec = Recorder(controller)
    controller.start(_short_job(files, audio_path=files["long_wav"], channel=None))
    qtbot.waitUntil(reached.is_set, timeout=20_000)
    with qtbot.waitSignal(controller.finished, timeout=20_000) as done:
        controller.start(_short_job(files))
    # Only the second job's result arrives; the replaced job reports nothing at all.
    assert done.args[0].audio.path == files["short_wav"]
    qtbot.wait(100)
    assert rec.outcomes() == ["finished"]


def test_missing_audio_file_fails_with_its_name(
    qtbot: Any, controller: AlignmentController, files: dict[str, Path], tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-recording.wav"
    with qtbot.waitSignal(controller.failed, timeout=10_000) as failed:
        controller.start(_short_job(files, audio_path=missing))
    message = failed.args[0]
    assert "no-such-recording.wav" in message
    assert "\n" not in message and "Traceback" not in message
    assert controller.is_running() is False


def test_a_damaged_recording_fails_before_the_model_is_loaded(
    qtbot: Any, controller: AlignmentController, files: dict[str, Path], tmp_path: Path
) -> None:
    cut = tmp_path / "cut.wav"
    data = files["short_wav"].read_bytes()
    cut.write_bytes(data[: len(data) // 2])  # the header still announces the whole length
    with qtbot.waitSignal(controller.failed, timeout=10_000) as failed:
        controller.start(_short_job(files, audio_path=cut, model=str(tmp_path / "none.pt")))
    assert failed.args[0].startswith(f"Audio file {cut} is truncated")  # not "none.pt: ..."


def test_user_errors_from_each_input_reach_failed(
    qtbot: Any, controller: AlignmentController, files: dict[str, Path], tmp_path: Path
) -> None:
    with qtbot.waitSignal(controller.failed, timeout=10_000) as failed:
        controller.start(_short_job(files, transcript_path=tmp_path / "missing.txt"))
    assert "missing.txt" in failed.args[0]
    with qtbot.waitSignal(controller.failed, timeout=10_000) as failed:
        controller.start(_short_job(files, channel=5))
    assert "channel 5" in failed.args[0]
    with qtbot.waitSignal(controller.failed, timeout=10_000) as failed:
        controller.start(_short_job(files, model=str(tmp_path / "nothing.pt")))
    assert "nothing.pt" in failed.args[0]


def test_unexpected_exception_is_reported_in_one_line_and_the_worker_survives(
    qtbot: Any,
    controller: AlignmentController,
    files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise ZeroDivisionError("float division\nby zero")

    monkeypatch.setattr(pipeline_module, "align_audio", broken)
    with qtbot.waitSignal(controller.failed, timeout=20_000) as failed:
        controller.start(_short_job(files))
    assert failed.args[0] == "Unexpected error (ZeroDivisionError): float division by zero"
    assert "ZeroDivisionError" in caplog.text  # the traceback went to the log, not the user

    def verbose(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("size mismatch " * 100)

    monkeypatch.setattr(pipeline_module, "align_audio", verbose)
    with qtbot.waitSignal(controller.failed, timeout=20_000) as failed:
        controller.start(_short_job(files))
    assert failed.args[0].startswith("Unexpected error (RuntimeError): size mismatch size")
    assert failed.args[0].endswith("…")
    assert len(failed.args[0]) < 400

    monkeypatch.undo()
    with qtbot.waitSignal(controller.finished, timeout=20_000):
        controller.start(_short_job(files))


def test_open_textgrid_job_returns_audio_and_grid(
    qtbot: Any, controller: AlignmentController, files: dict[str, Path], tmp_path: Path
) -> None:
    grid = TextGrid(
        0.0,
        4.0,
        (IntervalTier("words", 0.0, 4.0, (Interval(0.0, 1.5, ""), Interval(1.5, 4.0, "north"))),),
    )
    path = tmp_path / "take.TextGrid"
    write_textgrid(grid, path)
    rec = Recorder(controller)

    with qtbot.waitSignal(controller.finished, timeout=10_000) as done:
        controller.start(OpenTextGridJob(path, files["short_wav"], channel=0))
    audio, read = done.args[0]
    assert read.tiers[0].name == "words"
    assert [i.label for i in read.tiers[0].intervals] == ["", "north"]
    assert audio.sample_rate == 44_100  # kept at the file's rate: no model involved
    assert audio.channel == 0
    assert audio.duration == pytest.approx(4.0, abs=1e-3)
    assert rec.kinds("stage") == ["Reading TextGrid", "Reading audio"]

    with qtbot.waitSignal(controller.finished, timeout=10_000) as done:
        controller.start(OpenTextGridJob(path))
    assert done.args[0][0] is None
    assert done.args[0][1].xmax == 4.0

    broken = tmp_path / "broken.TextGrid"
    broken.write_text(
        'File type = "ooTextFile"\nObject class = "TextGrid"\n\nxmin = "x"\n', encoding="utf-8"
    )
    with qtbot.waitSignal(controller.failed, timeout=10_000) as failed:
        controller.start(OpenTextGridJob(broken, files["short_wav"]))
    assert "broken.TextGrid" in failed.args[0]


def test_shutdown_stops_a_running_job_and_the_thread(
    qtbot: Any, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    reached = _gate_emissions(monkeypatch)
    c = AlignmentController()
    outcomes: list[str] = []
    c.finished.connect(lambda _r: outcomes.append("finished"))
    c.start(_short_job(files, audio_path=files["long_wav"], channel=None))
    qtbot.waitUntil(reached.is_set, timeout=20_000)

    # Typically ~0.2 s (benchmarks/cancel_bench.py); the bound only catches a hang.
    began = time.monotonic()
    c.shutdown()
    assert time.monotonic() - began < 15.0
    assert not c._thread.isRunning()
    assert c.is_running() is False
    c.shutdown()  # idempotent
    with pytest.raises(RuntimeError, match="shut down"):
        c.start(_short_job(files))
    qtbot.wait(50)
    assert outcomes == []


def test_shutdown_of_an_idle_controller_starts_no_thread(qtbot: Any) -> None:
    c = AlignmentController()
    assert c.is_running() is False
    assert c.job() is None
    c.cancel()  # nothing to cancel: no effect
    c.shutdown()
    assert not c._thread.isRunning()
