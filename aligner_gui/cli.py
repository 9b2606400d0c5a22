"""Command line: ``aligner-gui align``, ``aligner-gui convert``, and otherwise the editor window."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from aligner_gui import __version__
from aligner_gui.core.base.errors import AlignerError

SUBCOMMANDS = ("align", "convert")


class StderrProgress:
    """A one-line progress bar on a terminal; one line per stage when stderr is not a terminal."""

    def __init__(self, stream: TextIO | None = None, min_interval: float = 0.1) -> None:
        self.stream = stream or sys.stderr
        self.is_tty = self.stream.isatty()
        self.min_interval = min_interval
        self._stage = ""
        self._last = 0.0

    def __call__(self, stage: str, fraction: float) -> None:
        now = time.monotonic()
        new_stage = stage != self._stage
        if new_stage and self._stage and self.is_tty:
            self.stream.write("\n")
        if new_stage:
            self._stage = stage
            if not self.is_tty:
                self.stream.write(f"{stage}...\n")
                self.stream.flush()
        if not self.is_tty:
            return
        if not new_stage and fraction < 1.0 and now - self._last < self.min_interval:
            return
        self._last = now
        width = 30
        filled = int(round(max(0.0, min(1.0, fraction)) * width))
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{stage:<22} [{bar}] {fraction * 100:5.1f}%")
        self.stream.flush()

    def close(self) -> None:
        if self.is_tty and self._stage:
            self.stream.write("\n")
            self.stream.flush()


def _align_parser() -> argparse.ArgumentParser:
    from aligner_gui.core.alignment.pipeline import DEFAULT_REFINE
    from aligner_gui.core.alignment.refine import REFINE_METHODS
    from aligner_gui.core.export.outputs import FORMATS
    from aligner_gui.core.models.model import BUNDLES, DEFAULT_MODEL

    parser = argparse.ArgumentParser(
        prog="aligner-gui align",
        description="Force-align a transcript to a recording and write the word and character tiers.",
        epilog="A whole corpus: aligner-gui align CORPUS_DIR -o OUT_DIR (its options: "
        "aligner-gui align CORPUS_DIR --help).",
    )
    parser.add_argument("audio", type=Path, help="audio file (wav, flac, ogg/opus, mp3, aiff, raw)")
    parser.add_argument("transcript", type=Path, help="UTF-8 or UTF-16 (with BOM) text file")
    parser.add_argument("-o", "--output", type=Path, required=True, help="output file")
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"a bundle name ({', '.join(BUNDLES)}), a shipped model (demo: words and phones; "
        "demo-letters: words and characters), an aligner-gui checkpoint file, or a Hugging Face Wav2Vec2ForCTC "
        f"folder (default {DEFAULT_MODEL})",
    )
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--format", choices=FORMATS, default=None)
    parser.add_argument(
        "--channel",
        type=int,
        default=None,
        help="use only this channel (0-based) of a multi-channel file instead of mixing to mono",
    )
    parser.add_argument(
        "--raw-rate", type=int, default=None, help="sample rate of a headerless raw PCM file"
    )
    parser.add_argument(
        "--raw-subtype",
        default="PCM_16",
        help="sample format of raw PCM (PCM_16, PCM_24, FLOAT...)",
    )
    parser.add_argument("--raw-channels", type=int, default=1, help="channels of raw PCM")
    parser.add_argument(
        "--refine",
        choices=REFINE_METHODS,
        default=DEFAULT_REFINE,
        help="where word edges go inside the silent gaps the model leaves around words: "
        f"'none' keeps the raw CTC frame spans (default {DEFAULT_REFINE}, see README)",
    )
    parser.add_argument(
        "--dictionary",
        type=Path,
        default=None,
        help="pronunciation dictionary in MFA's format (word<TAB>phones, variants on several "
        "lines); with a phone model, words it lacks are pronounced by espeak-ng",
    )
    parser.add_argument(
        "--language",
        default=None,
        help="ISO 639-3 code of the transcript's language (eng, deu, spa, rus, jpn...): G2P voice, "
        "numbers as words, romanisation",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress or warnings")
    return parser


def _convert_parser() -> argparse.ArgumentParser:
    from aligner_gui.core.export.outputs import FORMATS

    parser = argparse.ArgumentParser(
        prog="aligner-gui convert",
        description="Read a TextGrid in any dialect Praat reads (or a JSON output of aligner-gui) "
        "and write it cleanly.",
    )
    parser.add_argument(
        "input",
        type=Path,
        help="a TextGrid (long, short or chronological; UTF-8 or UTF-16) or an aligner-gui JSON",
    )
    parser.add_argument(
        "--audio",
        type=Path,
        default=None,
        help="the recording the TextGrid belongs to: warn when their durations differ",
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="output file")
    parser.add_argument("--format", choices=FORMATS, default=None)
    return parser


def run_align(argv: Sequence[str]) -> int:
    args = _align_parser().parse_args(argv)
    from aligner_gui.core.alignment.pipeline import align_audio
    from aligner_gui.core.export.outputs import output_format, write_alignment
    from aligner_gui.core.io.audio import load_audio
    from aligner_gui.core.io.transcript import read_transcript
    from aligner_gui.core.models.model import load_model
    from aligner_gui.core.pronunciation.dictionary import read_dictionary
    from aligner_gui.core.pronunciation.languages import get_language

    # Fail on a bad output name, input files, language or dictionary before minutes of
    # computation.
    _check_align_files(args)
    fmt = output_format(args.output, args.format)
    if args.language is not None:
        get_language(args.language)
    dictionary = None if args.dictionary is None else read_dictionary(args.dictionary)
    progress = None if args.quiet else StderrProgress()
    try:
        text = read_transcript(args.transcript)
        _check_align_audio(args)
        if progress:
            progress("Loading model", 0.0)
        model = load_model(args.model, device=args.device)
        audio = load_audio(
            args.audio,
            target_rate=model.sample_rate,
            channel=args.channel,
            raw_sample_rate=args.raw_rate,
            raw_channels=args.raw_channels,
            raw_subtype=args.raw_subtype,
        )
        result = align_audio(
            audio,
            text,
            model,
            refine=args.refine,
            progress=progress,
            dictionary=dictionary,
            language=args.language,
        )
    finally:
        if progress:
            progress.close()
    write_alignment(result, args.output, fmt)
    if not args.quiet:
        for warning in result.warnings:
            sys.stderr.write(f"warning: {warning}\n")
        for note in result.notes:
            sys.stderr.write(f"note: {note}\n")
        for region in result.doubtful:
            sys.stderr.write(f"doubtful: {region.message}\n")
        unaligned = sum(not w.aligned for w in result.words)
        sys.stderr.write(
            f"Aligned {len(result.words)} words ({unaligned} unaligned, "
            f"{len(result.doubtful)} doubtful regions) in {result.duration:.2f} s of audio "
            f"-> {args.output}\n"
        )
    return 0


def _check_align_files(args: argparse.Namespace) -> None:
    """Refuse an output that cannot be written or would replace an input, before any work."""
    from aligner_gui.core.io.paths import check_output_is_not_an_input, check_output_writable

    inputs = [args.audio, args.transcript]
    if Path(args.model).is_file():
        inputs.append(Path(args.model))
    check_output_is_not_an_input(args.output, inputs)
    check_output_writable(args.output)


def _check_align_audio(args: argparse.Namespace) -> None:
    """Open the recording and decode its first and last seconds, so a bad file is refused in a
    moment instead of after the model has loaded."""
    from aligner_gui.core.io.audio import check_audio

    check_audio(
        args.audio,
        channel=args.channel,
        raw_sample_rate=args.raw_rate,
        raw_channels=args.raw_channels,
        raw_subtype=args.raw_subtype,
    )


def _check_convert_files(args: argparse.Namespace) -> None:
    from aligner_gui.core.export.outputs import output_format
    from aligner_gui.core.io.paths import check_output_is_not_an_input, check_output_writable

    check_output_is_not_an_input(args.output, [args.input] + ([args.audio] if args.audio else []))
    output_format(args.output, args.format)
    check_output_writable(args.output)


def run_convert(argv: Sequence[str]) -> int:
    args = _convert_parser().parse_args(argv)
    from aligner_gui.core.document.domains import textgrid_audio_warnings
    from aligner_gui.core.export.outputs import convert_file
    from aligner_gui.core.io.audio import audio_info

    _check_convert_files(args)
    # An unreadable recording fails before anything is written.
    duration = None if args.audio is None else audio_info(args.audio).duration
    document = convert_file(args.input, args.output, args.format)
    for warning in textgrid_audio_warnings(document.to_textgrid(), duration):
        sys.stderr.write(f"warning: {warning}\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-V", "--version"):
        sys.stdout.write(f"aligner-gui {__version__}\n")
        return 0
    if args and args[0] in SUBCOMMANDS:
        runner = run_align if args[0] == "align" else run_convert
        if args[0] == "align" and Path(next(iter(args[1:]), "-")).is_dir():
            from aligner_gui.corpus_cli import run_corpus_align

            runner = run_corpus_align  # a folder: align the whole corpus
        try:
            return runner(args[1:])
        except AlignerError as err:
            sys.stderr.write(f"aligner-gui {args[0]}: error: {err}\n")
            return 1
        except OSError as err:  # a write refused after all (disk full, removed folder...)
            where = f"{err.filename}: " if err.filename else ""
            sys.stderr.write(f"aligner-gui {args[0]}: error: {where}{err.strerror or err}\n")
            return 1
        except MemoryError:
            sys.stderr.write(
                f"aligner-gui {args[0]}: error: not enough memory; nothing was written\n"
            )
            return 1
        except KeyboardInterrupt:
            sys.stderr.write(f"aligner-gui {args[0]}: interrupted; nothing was written\n")
            return 130
    from aligner_gui.qt.app import main as gui_main

    return gui_main(args)
