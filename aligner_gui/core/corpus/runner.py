"""Aligning a whole corpus: scan, decide what is left to do, align in workers, record, report.

Only this (parent) process writes: outputs atomically, then the file's database row, in that
order. A kill between the two leaves an output the database does not vouch for, and the next run
simply aligns that file again (to the same bytes). A file is up to date, and skipped, when it is
recorded as done with the same settings hash (model, refinement, formats, program version) and
every output exists and is newer than the recording and the transcript.

Stopping: ``stop`` (an Event; the command line sets it on Ctrl+C) is checked between files.
Files already being aligned are finished and recorded (their work is not thrown away), files not
started are left for the next run.

Where files are aligned is a :class:`FileExecutor`: local worker processes by default, or a Ray
cluster (``aligner_gui.cluster``). The executor only aligns; everything else stays here.
Progress within a file (``on_progress``) comes from local workers over a queue, and from Ray
actors through a board actor the driver reads.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from aligner_gui import __version__
from aligner_gui.core.base.errors import AlignerError, ModelError
from aligner_gui.core.corpus.align_file import FileOutcome
from aligner_gui.core.corpus.database import (
    ALIGNED,
    DATABASE_NAME,
    DONE_STATUSES,
    FAILED,
    CorpusDatabase,
    FileFigures,
    FileRow,
)
from aligner_gui.core.corpus.file_progress import FileProgressFn
from aligner_gui.core.corpus.g2p_words import write_g2p_dictionary
from aligner_gui.core.corpus.layout import CorpusEntry, scan_corpus
from aligner_gui.core.corpus.local_pool import LocalExecutor
from aligner_gui.core.corpus.outputs import output_paths, remove_stale_temporaries, write_outputs
from aligner_gui.core.corpus.report import REPORT_NAME, write_report
from aligner_gui.core.corpus.second_opinion import AUTO, resolve_second_opinion
from aligner_gui.core.corpus.suspicion import rescore_corpus
from aligner_gui.core.corpus.worker import (
    WorkerSettings,
    model_size_bytes,
)
from aligner_gui.core.io.audio import audio_info
from aligner_gui.core.pronunciation.dictionary import read_dictionary
from aligner_gui.core.pronunciation.languages import get_language

# Per worker beyond the weights: the torch runtime, activations for a 30 s window, the audio.
_WORKER_OVERHEAD_BYTES = 600_000_000
_WEIGHT_FACTOR = 2.5  # weights in memory plus the copies made while loading them


@dataclass(frozen=True)
class BatchSettings:
    model: str
    device: str = "cpu"
    refine: str = "energy_edge"
    output: str = "textgrid"  # a key of outputs.OUTPUT_CHOICES
    jobs: int = 1
    overwrite: bool = False
    # The model the review queue hears beside the aligner: a name or path, "auto" (the
    # default for the model) or "none" (see second_opinion.py).
    second_opinion: str = AUTO
    dictionary: str | None = None  # a pronunciation dictionary file (MFA's format)
    language: str | None = None  # the transcripts' ISO 639-3 code

    @property
    def second_model(self) -> str | None:
        return resolve_second_opinion(self.model, self.second_opinion)

    def settings_hash(self) -> str:
        """What the outputs and the recorded words depend on; a model file counts by its path,
        size and time."""
        settings = {
            "model": _file_key(self.model),
            "refine": self.refine,
            "output": self.output,
            "version": __version__,
        }
        # Settings added later count only when set, so a corpus keeps its earlier hash.
        if self.second_model is not None:
            settings["second_opinion"] = _file_key(self.second_model)
        if self.dictionary is not None:
            settings["dictionary"] = _file_key(self.dictionary)
        if self.language is not None:
            settings["language"] = self.language.strip().lower()
        text = json.dumps(settings, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _file_key(name: str) -> str:
    """A model or dictionary in the settings hash: a file by its path, size and time (so a
    changed file counts as other settings), a bundle name as it is."""
    path = Path(name)
    if path.exists():
        stat = path.stat()
        return f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    return name


@dataclass
class BatchSummary:
    total: int = 0  # recordings with a transcript
    skipped: int = 0  # already up to date
    aligned: int = 0  # aligned in this run
    failed: int = 0  # in this run
    ignored: int = 0  # other files in the corpus folder
    interrupted: bool = False
    audio_seconds: float = 0.0  # aligned in this run
    failures: list[str] = field(default_factory=list)
    report: Path | None = None
    # g2p_words.dict (g2p_words.py), its words and how often the corpus says them; None: no
    # word was pronounced by G2P.
    g2p_words: tuple[Path, int, int] | None = None


_UNSCORED = (
    "SELECT 1 FROM files WHERE suspicion IS NULL AND status IN "
    f"({', '.join(repr(s) for s in DONE_STATUSES)}) LIMIT 1"
)

# Called after each file: (outcome, files done, files to do, seconds of audio done).
ProgressCallback = Callable[[FileOutcome, int, int, float], None]


class FileExecutor(Protocol):
    """Aligns files somewhere and hands back their outcomes in completion order.

    It sends no new file once ``stop`` is set, and never writes: the runner records each outcome
    as it comes, so progress, Ctrl+C, resume and the report are the same wherever files ran.
    """

    def outcomes(
        self,
        todo: list[CorpusEntry],
        worker: WorkerSettings,
        stop: threading.Event,
        progress: FileProgressFn | None = None,
    ) -> Iterator[FileOutcome]: ...


def default_jobs(
    model: str,
    cores: int | None = None,
    available: int | None = None,
    second: str | None = None,
) -> int:
    """As many workers as there are cores, and as fit in the available memory (each holding
    ``model`` and the second opinion's, ``second``)."""
    cores = cores or usable_cores()
    if available is None:
        available = _available_memory()
    weights = model_size_bytes(model) + (model_size_bytes(second) if second else 0)
    per_worker = int(_WEIGHT_FACTOR * weights) + _WORKER_OVERHEAD_BYTES
    by_memory = max(1, available // per_worker) if available else cores
    return max(1, min(cores, by_memory))


def _available_memory() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 0


def prepare_corpus(corpus: Path, out_dir: Path) -> tuple[CorpusDatabase, list[CorpusEntry]]:
    """Scan ``corpus``, bring the database in ``out_dir`` up to date; the entries to align."""
    if not corpus.is_dir():
        raise AlignerError(f"{corpus}: not a folder.")
    if out_dir.resolve() == corpus.resolve():
        raise AlignerError(
            f"The output folder must not be the corpus folder itself ({corpus}): its TextGrids "
            "would be taken for transcripts. Choose another folder with -o."
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(out_dir)
    except OSError as err:
        raise AlignerError(
            f"Cannot use {out_dir} as the output folder: {err.strerror or err}."
        ) from err
    inside = corpus.resolve() in out_dir.resolve().parents
    scan = scan_corpus(corpus, exclude=out_dir if inside else None)
    db = CorpusDatabase(out_dir / DATABASE_NAME)
    db.sync_scan(
        ((e.audio, e.transcript, e.speaker, e.kind) for e in scan.entries),
        ((i.path, i.reason) for i in scan.ignored),
    )
    _update_audio_facts(db, corpus)
    return db, list(scan.entries)


def _update_audio_facts(db: CorpusDatabase, corpus: Path) -> None:
    """Durations from the recordings' headers, read again only for files that changed."""
    facts = []
    for row in db.files():
        try:
            stat = (corpus / row.path).stat()
        except OSError:
            continue
        if row.audio_mtime == stat.st_mtime and row.audio_size == stat.st_size and row.duration:
            continue
        try:
            duration: float | None = audio_info(corpus / row.path).duration
        except AlignerError:
            duration = None  # the alignment will say what is wrong with it
        facts.append((row.path, duration, stat.st_mtime, stat.st_size))
    if facts:
        db.set_audio_facts(facts)


def is_up_to_date(
    row: FileRow | None, entry: CorpusEntry, corpus: Path, out_dir: Path, settings: BatchSettings
) -> bool:
    if row is None or row.status not in DONE_STATUSES:
        return False
    if row.settings_hash != settings.settings_hash():
        return False
    try:
        newest_input = max(
            (corpus / entry.audio).stat().st_mtime, (corpus / entry.transcript).stat().st_mtime
        )
        oldest_output = min(
            p.stat().st_mtime for p in output_paths(out_dir, entry.output_stem, settings.output)
        )
    except OSError:
        return False
    return oldest_output > newest_input


def run_batch(
    corpus: Path,
    out_dir: Path,
    settings: BatchSettings,
    *,
    stop: threading.Event | None = None,
    on_file: ProgressCallback | None = None,
    on_start: Callable[[int, float], None] | None = None,
    on_progress: FileProgressFn | None = None,
    only: Collection[str] | None = None,
    executor: FileExecutor | None = None,
) -> BatchSummary:
    """Align every file of ``corpus`` not yet up to date; write the report; return the counts.

    ``on_start(files to do, seconds of audio to do)`` is called once the plan is made. ``only``
    (relative recording paths) limits the work to those files, e.g. the ones selected in the
    window, or all but those the user edited. Files are aligned by ``executor`` (default:
    ``settings.jobs`` local worker processes). ``on_progress(path, fraction)`` hears how far
    within each file being aligned the work is (in this thread, never after ``on_file`` for it).
    """
    stop = stop or threading.Event()
    executor = executor or LocalExecutor(settings.jobs)
    check_model_name(settings.model)
    if settings.second_model is not None:
        check_model_name(settings.second_model)
    # A bad language code or dictionary is one clear error before any work.
    if settings.language is not None:
        get_language(settings.language)
    dictionary = None if settings.dictionary is None else read_dictionary(settings.dictionary)
    db, entries = prepare_corpus(corpus, out_dir)
    summary = BatchSummary(total=len(entries), ignored=len(db.ignored()))
    try:
        rows = {row.path: row for row in db.files()}
        todo = [
            e
            for e in entries
            if (only is None or e.audio in only)
            and (
                settings.overwrite
                or not is_up_to_date(rows.get(e.audio), e, corpus, out_dir, settings)
            )
        ]
        summary.skipped = len(entries) - len(todo)
        todo_seconds = sum(rows[e.audio].duration or 0.0 for e in todo)
        if on_start:
            on_start(len(todo), todo_seconds)
        by_path = {e.audio: e for e in todo}
        worker = WorkerSettings(settings.model, settings.device, settings.refine,
                                _threads_per_worker(settings.jobs), corpus,
                                settings.second_model, dictionary,
                                settings.language)  # fmt: skip
        done = 0
        for outcome in executor.outcomes(todo, worker, stop, on_progress):
            entry = by_path[outcome.path]
            _record(db, outcome, entry, out_dir, settings, summary)
            done += 1
            if on_file:
                on_file(outcome, done, len(todo), summary.audio_seconds)
        summary.interrupted = stop.is_set() and done < len(todo)
        # With nothing new the scores stand: a resume over a finished corpus stays instant.
        if done or db.execute(_UNSCORED):
            rescore_corpus(db)
        summary.report = out_dir / REPORT_NAME
        write_report(db, summary.report)
        summary.g2p_words = write_g2p_dictionary(db, out_dir)
    finally:
        db.close()
    return summary


def usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def check_model_name(model: str) -> None:
    """Fail before the batch, not in every worker, on a model that cannot exist."""
    from aligner_gui.core.models.bundles import resolve_bundle_name
    from aligner_gui.core.models.model import SHIPPED_MODELS

    if model in SHIPPED_MODELS or Path(model).exists() or resolve_bundle_name(model) is not None:
        return
    raise ModelError(f"{model}: no such model file or folder, and not a model name.")


def _threads_per_worker(jobs: int) -> int:
    return max(1, usable_cores() // max(1, jobs))


def _record(
    db: CorpusDatabase,
    outcome: FileOutcome,
    entry: CorpusEntry,
    out_dir: Path,
    settings: BatchSettings,
    summary: BatchSummary,
) -> None:
    if not outcome.ok:
        summary.failed += 1
        summary.failures.append(f"{entry.audio}: {outcome.message}")
        db.record(entry.audio, FileFigures(FAILED, None, seconds=outcome.seconds,
                                           message=outcome.message))  # fmt: skip
        return
    try:
        mtime = write_outputs(outcome, out_dir, entry.output_stem, settings.output)
    except OSError as err:
        # A full disk or a folder made read-only fails every file alike: stop, keep what is done.
        raise AlignerError(f"Cannot write the output of {entry.audio}: {err}.") from err
    words = outcome.words
    scores = [w.score for w in words if w.score is not None]
    summary.aligned += 1
    summary.audio_seconds += outcome.duration or 0.0
    db.record(
        entry.audio,
        FileFigures(
            ALIGNED,
            outcome.duration,
            words=len(words),
            unaligned_words=sum(not w.aligned for w in words),
            doubtful_regions=outcome.doubtful_regions,
            mean_score=sum(scores) / len(scores) if scores else None,
            lowest_score=min(scores) if scores else None,
            seconds=outcome.seconds,
            message=outcome.message,
            settings_hash=settings.settings_hash(),
            output_mtime=mtime,
            audio_used=outcome.audio_used,
        ),
        words,
        outcome.second_words,
        outcome.guessed,
    )
