"""Aligning one corpus file: what a batch worker does, and what it sends back to the parent.

The worker never writes: it returns a :class:`FileOutcome` (the alignment without its audio
samples and emissions, which the outputs do not need and which would be slow to send between
processes, plus the per-word features the review queue ranks by), and only the parent writes
outputs and the database. A failure is an outcome too, with one line saying why.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from aligner_gui.core.alignment.doubt import DoubtfulRegion
from aligner_gui.core.alignment.pipeline import AlignmentResult, align_audio
from aligner_gui.core.alignment.segments import CharSegment, WordSegment
from aligner_gui.core.base.errors import AlignerError, Cancelled
from aligner_gui.core.corpus.database import WordRow
from aligner_gui.core.corpus.file_progress import FileProgressSender
from aligner_gui.core.corpus.layout import CorpusEntry
from aligner_gui.core.corpus.word_features import word_rows
from aligner_gui.core.io.audio import Audio, load_audio
from aligner_gui.core.io.textgrid import IntervalTier, read_textgrid
from aligner_gui.core.io.transcript import read_transcript

if TYPE_CHECKING:
    from aligner_gui.core.models.model import LoadedModel


@dataclass(frozen=True)
class SpeakerAlignment:
    """One speaker tier of an interview: its utterances' words, characters and doubts."""

    name: str
    words: tuple[WordSegment, ...]
    chars: tuple[CharSegment, ...]
    doubtful: tuple[DoubtfulRegion, ...]


@dataclass(frozen=True)
class FileOutcome:
    path: str  # the entry's audio path, relative to the corpus
    ok: bool
    message: str  # why it failed; warnings when it did not
    seconds: float  # taken by the worker
    duration: float | None = None
    num_samples: int = 0
    result: AlignmentResult | None = None  # a one-utterance transcript, samples stripped
    speakers: tuple[SpeakerAlignment, ...] = ()  # an interview TextGrid
    model_name: str = ""
    words: tuple[WordRow, ...] = ()
    doubtful_regions: int = 0


def align_entry(
    entry: CorpusEntry,
    root: Path,
    model: LoadedModel,
    refine: str,
    progress: FileProgressSender | None = None,
) -> FileOutcome:
    """Align one entry; every error of the file (not of the program) becomes a failed outcome.

    ``progress`` hears how far within the file the alignment is.
    """
    began = time.perf_counter()
    try:
        audio = load_audio(root / entry.audio, target_rate=model.sample_rate)
        if entry.kind == "textgrid":
            return _align_interview(entry, root, audio, model, refine, began, progress)
        text = read_transcript(root / entry.transcript)
        if not text.strip():
            raise AlignerError(f"{entry.transcript} is empty.")
        result = align_audio(audio, text, model, refine=refine, progress=progress)
    except Cancelled:
        raise
    except (AlignerError, OSError, ValueError) as err:
        message = " ".join(str(err).split()) or type(err).__name__
        return FileOutcome(entry.audio, False, message, time.perf_counter() - began)
    words = word_rows(result, "", 0)
    light = dataclasses.replace(
        result,
        audio=dataclasses.replace(audio, samples=np.empty(0, dtype=np.float32)),
        emissions=np.empty((0, result.emissions.shape[1]), dtype=np.float32),
    )
    return FileOutcome(
        entry.audio,
        True,
        "; ".join(result.warnings),
        time.perf_counter() - began,
        duration=audio.duration,
        num_samples=audio.num_samples,
        result=light,
        model_name=result.model_name,
        words=tuple(words),
        doubtful_regions=len(result.doubtful),
    )


def restore_samples(result: AlignmentResult, num_samples: int) -> AlignmentResult:
    """The stripped result with a stand-in for its samples, so that its duration is right.

    The stand-in is a zero-stride view (no memory): the writers only read the length.
    """
    stand_in = np.broadcast_to(np.zeros(1, dtype=np.float32), (num_samples,))
    return dataclasses.replace(result, audio=dataclasses.replace(result.audio, samples=stand_in))


def _align_interview(
    entry: CorpusEntry,
    root: Path,
    audio: Audio,
    model: LoadedModel,
    refine: str,
    began: float,
    progress: FileProgressSender | None = None,
) -> FileOutcome:
    """Each labelled interval of each tier aligned within its own time range."""
    grid = read_textgrid(root / entry.transcript)
    # Progress by seconds of speech: the utterances' share of the file's alignment work.
    spans = [
        max(0.0, i.end - max(0.0, i.start))
        for t in grid.tiers
        if isinstance(t, IntervalTier)
        for i in t.intervals
        if i.label.strip()
    ]
    total = sum(spans) or 1.0
    done = 0.0
    speakers: list[SpeakerAlignment] = []
    rows: list[WordRow] = []
    warnings: list[str] = []
    doubtful_count = 0
    rate = audio.sample_rate
    for tier in grid.tiers:
        if not isinstance(tier, IntervalTier):
            continue
        words: list[WordSegment] = []
        chars: list[CharSegment] = []
        doubts: list[DoubtfulRegion] = []
        for interval in tier.intervals:
            text = " ".join(interval.label.split())
            if not text:
                continue
            start = max(0.0, interval.start)
            lo, hi = (
                int(round(start * rate)),
                min(audio.num_samples, int(round(interval.end * rate))),
            )
            piece = dataclasses.replace(audio, samples=audio.samples[lo:hi])
            share = max(0.0, interval.end - start) / total
            part = None if progress is None else progress.part(done, share)
            done += share
            try:
                result = align_audio(piece, text, model, refine=refine, progress=part)
            except Cancelled:
                raise
            except AlignerError as err:
                # One bad utterance must not cost the interview: its words are kept, unaligned.
                warnings.append(f"{tier.name} {interval.start:.2f}-{interval.end:.2f} s: {err}")
                labels = text.split()
                step = (interval.end - start) / len(labels)
                for k, label in enumerate(labels):
                    t0, t1 = start + k * step, start + (k + 1) * step
                    rows.append(
                        WordRow(len(rows), tier.name, label, t0, t1, None, False, 0, None, "")
                    )
                    words.append(
                        WordSegment(label, t0, t1, float("nan"), False, len(chars), len(chars))
                    )
                continue
            offset = lo / rate
            base_char, base_word = len(chars), len(words)
            rows += word_rows(result, tier.name, len(rows), offset)
            words += [_shift_word(w, offset, base_char) for w in result.words]
            chars += [_shift_char(c, offset, base_word) for c in result.chars]
            doubts += [
                dataclasses.replace(
                    r,
                    start=r.start + offset,
                    end=r.end + offset,
                    words=(r.words[0] + base_word, r.words[1] + base_word),
                )
                for r in result.doubtful
            ]
            doubtful_count += len(result.doubtful)
        speakers.append(SpeakerAlignment(tier.name, tuple(words), tuple(chars), tuple(doubts)))
    if not rows:
        return FileOutcome(entry.audio, False, f"{entry.transcript} has no labelled intervals.",
                           time.perf_counter() - began)  # fmt: skip
    return FileOutcome(
        entry.audio,
        True,
        "; ".join(warnings),
        time.perf_counter() - began,
        duration=audio.duration,
        num_samples=audio.num_samples,
        speakers=tuple(speakers),
        model_name=model.name,
        words=tuple(rows),
        doubtful_regions=doubtful_count,
    )


def _shift_word(word: WordSegment, offset: float, base_char: int) -> WordSegment:
    return dataclasses.replace(
        word,
        start=word.start + offset,
        end=word.end + offset,
        char_start=word.char_start + base_char,
        char_end=word.char_end + base_char,
    )


def _shift_char(char: CharSegment, offset: float, base_word: int) -> CharSegment:
    return dataclasses.replace(
        char,
        start=char.start + offset,
        end=char.end + offset,
        word_index=char.word_index + base_word,
    )
