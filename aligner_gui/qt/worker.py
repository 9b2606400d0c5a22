"""Background jobs for the editor: align audio with a transcript, open a TextGrid with its audio, or
read the recording of a document restored after a crash.

One design for all background work: an ``AlignWorker`` QObject lives on one ``QThread`` owned by
the ``AlignmentController``, which the GUI talks to. Jobs are typed request dataclasses. A job is
cancelled through a ``threading.Event`` that the engine checks between chunks (and that our
progress callback checks too), because a queued Qt call cannot interrupt a busy slot. Every signal
from the worker carries its job's id, so a late message from a cancelled or replaced job is
dropped instead of being taken for the current job's. torch is imported only inside the worker
thread, through the engine, never when this module is imported.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from aligner_gui.core.base.errors import AlignerError, Cancelled, ModelUnavailableError
from aligner_gui.core.base.progress import ProgressFn, check_cancel
from aligner_gui.core.models.model import (
    DEFAULT_MODEL,
)  # a light import: torch loads only on demand

if TYPE_CHECKING:
    from aligner_gui.core.alignment.pipeline import AlignmentResult
    from aligner_gui.core.document.document import AlignmentDocument
    from aligner_gui.core.io.audio import Audio
    from aligner_gui.core.io.textgrid import TextGrid
    from aligner_gui.core.models.model import LoadedModel

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.05  # seconds between progress signals: enough for a progress bar
MAX_DETAIL = 300  # characters of an unexpected exception's message shown to the user


@dataclass(frozen=True)
class AlignmentJob:
    """Align ``transcript_path`` to ``audio_path``; the result is an ``AlignmentResult``."""

    audio_path: Path
    transcript_path: Path
    model: str = DEFAULT_MODEL  # a bundle name, "demo", or the path of a checkpoint/HF folder
    device: str = "auto"
    channel: int | None = None  # None mixes all channels down; else the 0-based channel to use
    dictionary: Path | None = None  # pronunciation dictionary (MFA's format) for phone models
    language: str | None = None  # ISO 639-3 code: G2P voice, numbers, romanisation


@dataclass(frozen=True)
class OpenTextGridJob:
    """Read a TextGrid and its audio; the result is ``(Audio | None, TextGrid)`` (or a document,
    with ``json_path``)."""

    textgrid_path: Path
    audio_path: Path | None = None  # None: open the TextGrid without sound
    channel: int | None = None
    # Read the document from this JSON output instead (it keeps the scores and doubtful
    # regions); it is still saved to ``textgrid_path``. The result is then (Audio, document).
    json_path: Path | None = None


@dataclass(frozen=True)
class LoadAudioJob:
    """Read a recording (for a document restored from a recovery file); the result is ``Audio``."""

    audio_path: Path
    target_rate: int | None = None  # the rate the document's audio had (the model's, if aligned)
    channel: int | None = None


Job = AlignmentJob | OpenTextGridJob | LoadAudioJob


class _Reporter:
    """The ``ProgressFn`` handed to the engine: checks cancel, emits stage changes, throttles."""

    def __init__(self, worker: AlignWorker, job_id: int, cancel: threading.Event) -> None:
        self._worker = worker
        self._job_id = job_id
        self._cancel = cancel
        self._stage: str | None = None
        self._last = 0.0

    def __call__(self, stage: str, fraction: float) -> None:
        # Raising here reaches Cancelled out of any engine loop that reports progress, which is
        # more often than it checks `cancel` itself.
        check_cancel(self._cancel)
        now = time.monotonic()
        if stage != self._stage:
            self._stage = stage
            self._worker.stageChanged.emit(self._job_id, stage)
        elif fraction < 1.0 and now - self._last < PROGRESS_INTERVAL:
            return
        self._last = now
        self._worker.progressChanged.emit(self._job_id, stage, min(max(float(fraction), 0.0), 1.0))

    def as_stage(self, stage: str) -> ProgressFn:
        """Announce ``stage`` and return a callback that reports under it, whatever sub-stage
        names the engine passes (so the GUI sees one stable list of stages)."""
        self(stage, 0.0)

        def report_fraction(_stage: str, fraction: float) -> None:
            self(stage, fraction)

        return report_fraction


class AlignWorker(QObject):
    """Runs jobs one at a time on its own thread; signals carry the job id given to ``run``."""

    stageChanged = Signal(int, str)
    progressChanged = Signal(int, str, float)
    finished = Signal(int, object)
    failed = Signal(int, str)
    modelUnavailable = Signal(int, str)
    cancelled = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        # The last model loaded, kept for the next job: loading costs seconds and hundreds of MB.
        self._model: LoadedModel | None = None
        self._model_key: tuple[str, str, float] | None = None

    @Slot(int, object, object)
    def run(self, job_id: int, job: Job, cancel: threading.Event) -> None:
        report = _Reporter(self, job_id, cancel)
        try:
            check_cancel(cancel)
            if isinstance(job, AlignmentJob):
                result: object = self._align(job, report, cancel)
            elif isinstance(job, OpenTextGridJob):
                result = self._open_textgrid(job, report, cancel)
            elif isinstance(job, LoadAudioJob):
                result = self._load_audio(job, report, cancel)
            else:
                raise TypeError(f"unknown job type {type(job).__name__}")
            check_cancel(cancel)
        except Cancelled:
            self.cancelled.emit(job_id)
        except ModelUnavailableError as err:
            self.modelUnavailable.emit(job_id, str(err))
        except AlignerError as err:
            self.failed.emit(job_id, str(err))
        except Exception as err:  # the thread must never die silently: report, log the trace
            log.exception("background job failed")
            self.failed.emit(job_id, _unexpected(err))
        else:
            self.finished.emit(job_id, result)

    def _align(
        self, job: AlignmentJob, report: _Reporter, cancel: threading.Event
    ) -> AlignmentResult:
        from aligner_gui.core.alignment.pipeline import align_audio
        from aligner_gui.core.io.audio import check_audio, load_audio
        from aligner_gui.core.io.transcript import read_transcript
        from aligner_gui.core.pronunciation.dictionary import read_dictionary
        from aligner_gui.core.pronunciation.languages import get_language

        # Cheap checks first (the header and first seconds of the recording too), so a bad file
        # fails before seconds of model loading.
        text = read_transcript(job.transcript_path)
        check_audio(job.audio_path, channel=job.channel)
        if job.language is not None:
            get_language(job.language)
        dictionary = None if job.dictionary is None else read_dictionary(job.dictionary)
        model = self._load_model(job, report)
        check_cancel(cancel)
        audio = load_audio(
            job.audio_path,
            target_rate=model.sample_rate,
            channel=job.channel,
            progress=report.as_stage("Reading audio"),
            cancel=cancel,
        )
        return align_audio(audio, text, model, progress=report, cancel=cancel,
                           dictionary=dictionary, language=job.language)  # fmt: skip

    def _load_model(self, job: AlignmentJob, report: _Reporter) -> LoadedModel:
        from aligner_gui.core.models.model import load_model

        key = (job.model, job.device, _mtime(job.model))
        if self._model is not None and self._model_key == key:
            report("Loading model", 1.0)
            return self._model
        report("Loading model", 0.0)
        self._model = None  # free the old model before loading the next one
        self._model_key = None
        model = load_model(job.model, device=job.device, progress=report)
        self._model, self._model_key = model, key
        return model

    def _open_textgrid(
        self, job: OpenTextGridJob, report: _Reporter, cancel: threading.Event
    ) -> tuple[Audio | None, TextGrid | AlignmentDocument]:
        from aligner_gui.core.io.audio import load_audio
        from aligner_gui.core.io.textgrid import read_textgrid

        report("Reading TextGrid", 0.0)
        grid = read_textgrid(job.textgrid_path) if job.json_path is None else None
        audio = None
        if job.audio_path is not None:
            audio = load_audio(
                job.audio_path,
                channel=job.channel,
                progress=report.as_stage("Reading audio"),
                cancel=cancel,
            )
        if job.json_path is not None:
            from aligner_gui.core.export.outputs import read_document

            return audio, read_document(job.json_path, audio)
        assert grid is not None
        return audio, grid

    def _load_audio(self, job: LoadAudioJob, report: _Reporter, cancel: threading.Event) -> Audio:
        from aligner_gui.core.io.audio import load_audio

        return load_audio(job.audio_path, target_rate=job.target_rate, channel=job.channel,
                          progress=report.as_stage("Reading audio"), cancel=cancel)  # fmt: skip


class AlignmentController(QObject):
    """The GUI's handle on background jobs: start, cancel, and typed signals for the current job.

    ``start`` while a job runs cancels that job and queues the new one; only the current job's
    signals are forwarded. ``shutdown`` must be called before the application exits (the window
    does it on close; ``aboutToQuit`` is a safety net).
    """

    stageChanged = Signal(str)
    progressChanged = Signal(str, float)
    # AlignmentResult; (Audio | None, TextGrid) for OpenTextGridJob; Audio for LoadAudioJob.
    finished = Signal(object)
    failed = Signal(str)
    # A pretrained model could not be downloaded: the window offers the demo model explicitly.
    modelUnavailable = Signal(str)
    cancelled = Signal()

    _submit = Signal(int, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # No parent for the thread: it must outlive nothing and be stopped only by shutdown().
        self._thread = QThread()
        self._thread.setObjectName("aligner-worker")
        self._worker = AlignWorker()
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self._submit.connect(self._worker.run)
        self._worker.stageChanged.connect(self._on_stage)
        self._worker.progressChanged.connect(self._on_progress)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._worker.modelUnavailable.connect(self._on_model_unavailable)
        self._worker.cancelled.connect(self._on_cancelled)
        self._job_id = 0
        self._job: Job | None = None
        self._cancel: threading.Event | None = None
        self._running = False
        self._shut_down = False
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def start(self, job: Job) -> None:
        if self._shut_down:
            raise RuntimeError("the alignment controller has been shut down")
        if self._running and self._cancel is not None:
            self._cancel.set()  # its late signals carry an old id and are dropped
        if not self._thread.isRunning():
            self._thread.start()
        self._job_id += 1
        self._job = job
        self._cancel = threading.Event()
        self._running = True
        self._submit.emit(self._job_id, job, self._cancel)

    def cancel(self) -> None:
        """Ask the current job to stop; ``cancelled`` follows within about a second."""
        if self._running and self._cancel is not None:
            self._cancel.set()

    def is_running(self) -> bool:
        return self._running

    def job(self) -> Job | None:
        """The job started last (running or done), to tell what a ``finished`` result is for."""
        return self._job

    def shutdown(self) -> None:
        """Cancel any job, stop the thread and wait for it. Idempotent."""
        if self._shut_down:
            return
        self._shut_down = True
        if self._cancel is not None:
            self._cancel.set()
        self._running = False
        if self._thread.isRunning():
            self._thread.quit()
            # Every cancellable stage stops within a second; a model half-way through loading
            # cannot be interrupted and is waited for, because killing a thread would be unsafe.
            self._thread.wait()

    @Slot(int, str)
    def _on_stage(self, job_id: int, stage: str) -> None:
        if self._is_current(job_id):
            self.stageChanged.emit(stage)

    @Slot(int, str, float)
    def _on_progress(self, job_id: int, stage: str, fraction: float) -> None:
        if self._is_current(job_id):
            self.progressChanged.emit(stage, fraction)

    @Slot(int, object)
    def _on_finished(self, job_id: int, result: Any) -> None:
        if self._is_current(job_id):
            self._running = False
            self.finished.emit(result)

    @Slot(int, str)
    def _on_failed(self, job_id: int, message: str) -> None:
        if self._is_current(job_id):
            self._running = False
            self.failed.emit(message)

    @Slot(int, str)
    def _on_model_unavailable(self, job_id: int, message: str) -> None:
        if self._is_current(job_id):
            self._running = False
            self.modelUnavailable.emit(message)

    @Slot(int)
    def _on_cancelled(self, job_id: int) -> None:
        if self._is_current(job_id):
            self._running = False
            self.cancelled.emit()

    def _is_current(self, job_id: int) -> bool:
        return self._running and job_id == self._job_id


def _unexpected(err: BaseException) -> str:
    # One line for a dialog or the status bar; torch's messages can run to pages (the full
    # traceback is in the log).
    detail = " ".join(str(err).split()) or "no details"
    if len(detail) > MAX_DETAIL:
        detail = detail[: MAX_DETAIL - 1].rstrip() + "…"
    return f"Unexpected error ({type(err).__name__}): {detail}"


def _mtime(model: str) -> float:
    # A checkpoint rewritten since it was cached must be loaded again.
    try:
        return os.stat(model).st_mtime if os.path.exists(model) else 0.0
    except (OSError, ValueError):
        return 0.0
