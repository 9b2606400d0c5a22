"""``aligner-gui align CORPUS_DIR -o OUT_DIR``: align a whole corpus from the command line.

Told apart from the one-pair form (``align AUDIO TRANSCRIPT -o FILE``) by its first argument
being a folder. Progress goes to stderr (tqdm: files done/total, hours of audio, rate, ETA, and
how far into each file being aligned, e.g. ``interview.wav 42%``: an hour-long file moves), the
report to ``OUT_DIR/alignment_report.csv``, and one summary line to stderr at the end. Exit
status: 0 when every file is aligned, 1 when any failed (the summary gives the count), 130 when
stopped by Ctrl+C (between files: what was aligned is kept, nothing is half-written).

``--ray [ADDRESS]`` aligns the files on Ray actors instead of local worker processes (a Ray
started here, or a running cluster); everything else is the same, outputs included.
"""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from aligner_gui.core.corpus.align_file import FileOutcome
from aligner_gui.core.corpus.g2p_words import plural
from aligner_gui.core.corpus.outputs import OUTPUT_CHOICES
from aligner_gui.core.corpus.runner import (
    BatchSettings,
    BatchSummary,
    FileExecutor,
    default_jobs,
    run_batch,
)
from aligner_gui.core.corpus.second_opinion import AUTO

INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    from aligner_gui.core.alignment.pipeline import DEFAULT_REFINE
    from aligner_gui.core.alignment.refine import REFINE_METHODS
    from aligner_gui.core.models.model import BUNDLES, DEFAULT_MODEL

    parser = argparse.ArgumentParser(
        prog="aligner-gui align",
        description="Align every recording of a corpus folder (MFA layout: recordings with .lab/"
        ".txt transcripts, or TextGrids of utterances, flat or one folder per speaker).",
    )
    parser.add_argument("corpus", type=Path, help="the corpus folder")
    parser.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    parser.add_argument(
        "--jobs", type=int, default=None,
        help="worker processes (default: what fits the cores and memory)",
    )  # fmt: skip
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"a bundle name ({', '.join(BUNDLES)}, demo), an aligner-gui checkpoint file, "
        f"or a Hugging Face Wav2Vec2ForCTC folder (default {DEFAULT_MODEL})",
    )
    parser.add_argument(
        "--second-opinion", default=AUTO, metavar="MODEL",
        help="a second model the review queue also hears each file with, averaging the two "
        "models' suspicion of each word (boundaries stay the aligner's); 'none' for none; "
        "default 'auto': the other built-in model for demo and demo-letters, none otherwise",
    )  # fmt: skip
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--format", choices=tuple(OUTPUT_CHOICES), default="textgrid")
    parser.add_argument("--refine", choices=REFINE_METHODS, default=DEFAULT_REFINE)
    parser.add_argument(
        "--overwrite", action="store_true", help="align every file again, even those up to date"
    )
    parser.add_argument(
        "--dictionary", type=Path, default=None,
        help="pronunciation dictionary in MFA's format (word<TAB>phones, variants on several "
        "lines) for every file; with a phone model, words it lacks are pronounced by espeak-ng",
    )  # fmt: skip
    parser.add_argument(
        "--language", default=None,
        help="ISO 639-3 code of the transcripts' language (eng, deu, spa, rus, jpn...): G2P "
        "voice, numbers as words, romanisation",
    )  # fmt: skip
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    cluster = parser.add_argument_group('Ray cluster (pip install "aligner-gui[cluster]")')
    cluster.add_argument(
        "--ray", nargs="?", const=_LOCAL_RAY, default=None, metavar="ADDRESS",
        help="align on Ray actors: without ADDRESS on a Ray started on this machine (all "
        "cores), with 'auto' or ray://host:port on a running cluster; --jobs is then the "
        "number of actors (default one per GPU, or one per CPU)",
    )  # fmt: skip
    cluster.add_argument(
        "--ray-shared-storage", action="store_true",
        help="every Ray node sees the corpus folder at this same path: send files by path "
        "instead of sending their bytes from here",
    )  # fmt: skip
    return parser


_LOCAL_RAY = "local"


def _ray_executor(args: argparse.Namespace) -> FileExecutor:
    from aligner_gui.cluster import require_ray

    require_ray()
    from aligner_gui.cluster.ray_executor import RayExecutor

    address = None if args.ray == _LOCAL_RAY else args.ray
    return RayExecutor(address, shared_storage=args.ray_shared_storage, workers=args.jobs)


class _Progress:
    """tqdm on stderr: files done/total, hours of audio, rate, ETA; in its postfix, how far into
    each file being aligned (one per worker)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None
        self.total = ""
        self.audio = "0:00:00"
        self.within: dict[str, float] = {}  # files being aligned -> fraction done

    def start(self, files: int, seconds: float) -> None:
        if self.quiet or files == 0:
            return
        from tqdm import tqdm

        self.total = _clock(seconds)
        self.bar = tqdm(total=files, unit="file", desc="Aligning", file=sys.stderr,
                        mininterval=0.5, dynamic_ncols=True)  # fmt: skip
        self._postfix(refresh=True)

    def _postfix(self, refresh: bool) -> None:
        files = " ".join(f"{Path(p).name} {f:.0%}" for p, f in self.within.items())
        self.bar.set_postfix_str(f"audio {self.audio}/{self.total} {files}".rstrip(), refresh)

    def file_progress(self, path: str, fraction: float) -> None:
        if self.bar is None:
            return
        self.within[path] = fraction
        self._postfix(refresh=True)

    def file_done(self, outcome: FileOutcome, done: int, total: int, seconds: float) -> None:
        if self.bar is None:
            return
        self.within.pop(outcome.path, None)
        self.audio = _clock(seconds)
        self._postfix(refresh=False)
        self.bar.update(1)
        if not outcome.ok:
            self.bar.write(f"failed: {outcome.path}: {outcome.message}", file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_corpus_align(argv: Sequence[str]) -> int:
    args = _parser().parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        sys.stderr.write("aligner-gui align: error: --jobs must be at least 1\n")
        return 2
    if args.ray_shared_storage and args.ray is None:
        sys.stderr.write("aligner-gui align: error: --ray-shared-storage goes with --ray\n")
        return 2
    executor = None if args.ray is None else _ray_executor(args)
    # On Ray the executor sizes its actors from the cluster; here, from this machine.
    settings = BatchSettings(
        model=args.model, device=args.device, refine=args.refine, output=args.format,
        overwrite=args.overwrite, second_opinion=args.second_opinion,
        dictionary=None if args.dictionary is None else str(args.dictionary),
        language=args.language,
    )  # fmt: skip
    jobs = args.jobs or (1 if executor else default_jobs(args.model, second=settings.second_model))
    settings = dataclasses.replace(settings, jobs=jobs)
    stop = threading.Event()
    progress = _Progress(args.quiet)

    def on_sigint(_signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # a second Ctrl+C: stop now (outputs are atomic anyway)
        stop.set()
        sys.stderr.write("\nStopping after the files being aligned; Ctrl+C again to stop now.\n")

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        summary = run_batch(
            args.corpus, args.output, settings, stop=stop,
            on_file=progress.file_done, on_start=progress.start,
            on_progress=None if args.quiet else progress.file_progress, executor=executor,
        )  # fmt: skip
    finally:
        progress.close()
        signal.signal(signal.SIGINT, previous)
    sys.stderr.write(summary_line(summary) + "\n")
    if summary.interrupted:
        return INTERRUPTED
    return 1 if summary.failed else 0


def _clock(seconds: float) -> str:
    """Hours of audio as h:mm:ss."""
    whole = int(round(seconds))
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def summary_line(summary: BatchSummary) -> str:
    parts = [f"{summary.skipped} up to date"]
    if summary.failed:
        parts.append(f"{summary.failed} failed")
    if summary.ignored:
        parts.append(f"{summary.ignored} other files ignored, listed in the report")
    if summary.g2p_words is not None:
        path, words, _said = summary.g2p_words
        parts.append(f"{plural(words, 'word')} pronounced by G2P: {path.name}")
    head = "Interrupted: aligned" if summary.interrupted else "Aligned"
    return (
        f"{head} {summary.aligned} of {summary.total} files "
        f"({_clock(summary.audio_seconds)} of audio; {'; '.join(parts)}) -> {summary.report}"
    )
