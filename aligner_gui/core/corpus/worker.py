"""The batch's worker processes: each loads the model (and the second opinion's) once, then
aligns the files it is sent.

Workers are started with the *spawn* method (a fork of a process that has loaded torch, or holds
threads, can deadlock) and ignore SIGINT: Ctrl+C in a terminal reaches the whole process group,
and it is the parent's job to stop the batch between files, not the workers' to die mid-file.

Progress within a file goes back to the parent over a multiprocessing queue handed to each worker
when it starts, as (relative audio path, fraction) pairs, one per new 1 % of the file.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aligner_gui.core.alignment.pipeline import AlignOptions
from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.corpus.align_file import FileOutcome, align_entry
from aligner_gui.core.corpus.file_progress import FileProgressFn, FileProgressSender
from aligner_gui.core.corpus.layout import CorpusEntry
from aligner_gui.core.pronunciation.dictionary import PronunciationDictionary

if TYPE_CHECKING:
    from aligner_gui.core.models.model import LoadedModel


@dataclass(frozen=True)
class WorkerSettings:
    model: str
    device: str
    refine: str
    threads: int
    root: Path
    second_opinion: str | None = None  # a model name or path (second_opinion.py), or none
    # Read once by the parent and sent to each worker, so a Ray node needs no copy of the file.
    dictionary: PronunciationDictionary | None = None
    language: str | None = None


_MODEL: LoadedModel | None = None
_SECOND: LoadedModel | None = None
_SETTINGS: WorkerSettings | None = None
_LOAD_ERROR: AlignerError | None = None
_PROGRESS_QUEUE: Any = None  # a pool worker's multiprocessing queue to the parent, if any


def load_worker_model(settings: WorkerSettings, *, set_threads: bool = True) -> None:
    """The pool's initializer (and the in-process runner's set-up, which keeps the caller's
    thread count: one worker uses them all anyway)."""
    global _MODEL, _SECOND, _SETTINGS
    from aligner_gui.core.models.model import load_model
    from aligner_gui.core.models.threads import set_torch_threads

    if set_threads:
        set_torch_threads(settings.threads)
    _SETTINGS = settings
    _MODEL = load_model(settings.model, device=settings.device)
    _SECOND = None
    if settings.second_opinion is not None:
        _SECOND = load_model(settings.second_opinion, device=settings.device)


def ignore_sigint_and_load(settings: WorkerSettings, progress_queue: Any = None) -> None:
    global _LOAD_ERROR, _PROGRESS_QUEUE
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if progress_queue is not None:
        # Progress is a courtesy: a worker must never wait at exit to flush it to a parent that
        # has stopped reading.
        progress_queue.cancel_join_thread()
    _PROGRESS_QUEUE = progress_queue
    # Each worker's share of the cores; OpenMP reads this before torch starts its pool.
    os.environ["OMP_NUM_THREADS"] = str(settings.threads)
    try:
        load_worker_model(settings)
    except AlignerError as err:
        # An initializer's exception only breaks the pool, without the message: keep it for
        # the first file, whose result carries it to the parent.
        _LOAD_ERROR = err


def load_error() -> AlignerError | None:
    """Why this worker's model could not be loaded, if it could not."""
    return _LOAD_ERROR


def align_in_worker(
    entry: CorpusEntry, root: Path | None = None, progress: FileProgressFn | None = None
) -> FileOutcome:
    """Align ``entry``, found under ``root`` (default: the settings' corpus folder).

    Progress within the file goes to ``progress`` (in this process), else to the parent's queue
    when this is a pool worker given one.
    """
    if _LOAD_ERROR is not None:
        raise _LOAD_ERROR
    if _MODEL is None or _SETTINGS is None:
        raise RuntimeError("the worker's model is not loaded")
    send = progress
    if send is None and _PROGRESS_QUEUE is not None:
        send = _put_progress
    sender = None if send is None else FileProgressSender(entry.audio, send)
    options = AlignOptions(_SETTINGS.refine, _SETTINGS.dictionary, _SETTINGS.language)
    return align_entry(entry, root or _SETTINGS.root, _MODEL, options, sender, _SECOND)


def _put_progress(path: str, fraction: float) -> None:
    _PROGRESS_QUEUE.put_nowait((path, fraction))


def model_size_bytes(model: str) -> int:
    """A rough size of the model's weights, to decide how many workers fit in memory."""
    from aligner_gui.core.base.resources import resource_path

    path = Path(model)
    if path.is_file():
        return path.stat().st_size
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    from aligner_gui.core.models.model import SHIPPED_MODELS

    if model in SHIPPED_MODELS:
        shipped = resource_path(SHIPPED_MODELS[model][0])
        return shipped.stat().st_size if shipped.is_file() else 20_000_000
    # torchaudio bundles: base-size 95 M parameters, large 317 M, 300 M / 1 B MMS and XLS-R.
    upper = model.upper()
    if "1B" in upper:
        return 4_000_000_000
    if "LARGE" in upper or "MMS" in upper or "XLSR" in upper:
        return 1_300_000_000
    return 380_000_000
