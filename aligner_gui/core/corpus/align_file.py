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
from aligner_gui.core.alignment.pipeline import AlignmentResult, AlignOptions, align_with_options
from aligner_gui.core.alignment.segments import CharSegment, WordSegment
from aligner_gui.core.base.errors import AlignerError, Cancelled
from aligner_gui.core.corpus.database import WordRow
from aligner_gui.core.corpus.file_progress import FileProgressSender
from aligner_gui.core.corpus.g2p_words import Guessed, guessed_counts
from aligner_gui.core.corpus.layout import CorpusEntry
from aligner_gui.core.corpus.second_opinion import hear
from aligner_gui.core.corpus.utterances import UtteranceAligner, interview_tiers, unaligned_rows
from aligner_gui.core.corpus.word_features import word_rows
from aligner_gui.core.io.audio import Audio, load_audio
from aligner_gui.core.io.textgrid import TextGrid, read_textgrid
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
    second_words: tuple[WordRow, ...] = ()  # the same words as the second opinion heard them
    guessed: tuple[Guessed, ...] = ()  # the pronunciations G2P gave its words (g2p_words.py)
    audio_used: str | None = None  # another recording of the name, aligned instead of ``path``


def align_entry(
    entry: CorpusEntry,
    root: Path,
    model: LoadedModel,
    options: AlignOptions,
    progress: FileProgressSender | None = None,
    second: LoadedModel | None = None,
) -> FileOutcome:
    """Align one entry; every error of the file (not of the program) becomes a failed outcome.

    ``progress`` hears how far within the file the alignment is. ``second``: the second opinion
    (:mod:`aligner_gui.core.corpus.second_opinion`), which hears the file after the aligner.
    """
    began = time.perf_counter()
    first_part = progress if progress is None or second is None else progress.span(0.0, 0.5)
    try:
        audio, used, note = _load_recording(entry, root, model.sample_rate)
        audio_path = root / used
        if entry.kind == "textgrid":
            grid = read_textgrid(root / entry.transcript)
            outcome = _align_interview(entry, grid, audio, model, options, began, first_part)
            outcome = _with_second_opinion(
                outcome, audio_path, grid, audio, second, options, progress, began
            )
            return _noted(outcome, used, note)
        text = read_transcript(root / entry.transcript)
        if not text.strip():
            raise AlignerError(f"{entry.transcript} is empty.")
        result = align_with_options(audio, text, model, options, first_part)
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
    outcome = FileOutcome(
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
        guessed=guessed_counts([result]),
    )
    outcome = _with_second_opinion(
        outcome, audio_path, text, audio, second, options, progress, began
    )
    return _noted(outcome, used, note)


def _load_recording(entry: CorpusEntry, root: Path, rate: int) -> tuple[Audio, str, str]:
    """The entry's recording at ``rate``, the path it was read from (relative), and a note when
    that is not ``entry.audio`` but another recording of the same name, because ``entry.audio``
    could not be read (a corrupt FLAC beside a good WAV must not cost the file)."""
    try:
        return load_audio(root / entry.audio, target_rate=rate), entry.audio, ""
    except (AlignerError, OSError) as first_error:
        for other in entry.alternates:
            try:
                audio = load_audio(root / other, target_rate=rate)
            except (AlignerError, OSError):
                continue
            reason = " ".join(str(first_error).split()).rstrip(".")
            note = f"aligned {other} instead of {entry.audio}, which could not be read: {reason}"
            return audio, other, note
        raise


def _noted(outcome: FileOutcome, used: str, note: str) -> FileOutcome:
    """``outcome`` saying which recording was aligned, when it was not its own."""
    if used == outcome.path or not outcome.ok:
        return outcome
    message = "; ".join(filter(None, (note, outcome.message)))
    return dataclasses.replace(outcome, message=message, audio_used=used)


def _with_second_opinion(
    outcome: FileOutcome,
    audio_path: Path,
    transcript: str | TextGrid,
    audio: Audio,
    second: LoadedModel | None,
    options: AlignOptions,
    progress: FileProgressSender | None,
    began: float,
) -> FileOutcome:
    """``outcome`` with the second opinion's words, when there is one and it heard the same
    words (``transcript``: as the aligner read it); a second opinion that cannot hear the file
    costs the file nothing but a warning."""
    if second is None or not outcome.ok:
        return outcome
    part = None if progress is None else progress.span(0.5, 0.5)
    try:
        heard = hear(transcript, audio, audio_path, second, options, part)
    except Cancelled:
        raise
    except (AlignerError, OSError, ValueError) as err:
        note = f"second opinion ({second.name}): {' '.join(str(err).split())}"
        message = "; ".join(filter(None, (outcome.message, note)))
        return dataclasses.replace(outcome, message=message, seconds=time.perf_counter() - began)
    # Paired word by word (same idx): a model that split the transcript otherwise is left out
    # rather than paired with the wrong words.
    if [(w.tier, w.label) for w in heard] != [(w.tier, w.label) for w in outcome.words]:
        heard = []
    return dataclasses.replace(
        outcome, second_words=tuple(heard), seconds=time.perf_counter() - began
    )


def restore_samples(result: AlignmentResult, num_samples: int) -> AlignmentResult:
    """The stripped result with a stand-in for its samples, so that its duration is right.

    The stand-in is a zero-stride view (no memory): the writers only read the length.
    """
    stand_in = np.broadcast_to(np.zeros(1, dtype=np.float32), (num_samples,))
    return dataclasses.replace(result, audio=dataclasses.replace(result.audio, samples=stand_in))


def _align_interview(
    entry: CorpusEntry,
    grid: TextGrid,
    audio: Audio,
    model: LoadedModel,
    options: AlignOptions,
    began: float,
    progress: FileProgressSender | None = None,
) -> FileOutcome:
    """Each labelled interval of each tier aligned within its own time range."""
    aligner = UtteranceAligner(grid, audio, model, options, progress)
    speakers: list[SpeakerAlignment] = []
    rows: list[WordRow] = []
    warnings: list[str] = []
    doubtful_count = 0
    heard: list[AlignmentResult] = []
    for tier in interview_tiers(grid):
        words: list[WordSegment] = []
        chars: list[CharSegment] = []
        doubts: list[DoubtfulRegion] = []
        for utterance, result in aligner.tier(tier):
            if isinstance(result, AlignerError):
                # Its words are kept, unaligned, with a warning.
                warnings.append(
                    f"{tier.name} {utterance.start:.2f}-{utterance.end:.2f} s: {result}"
                )
                for row in unaligned_rows(utterance, len(rows)):
                    rows.append(row)
                    words.append(WordSegment(row.label, row.start, row.end, float("nan"), False,
                                             len(chars), len(chars)))  # fmt: skip
                continue
            heard.append(result)
            offset = utterance.offset
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
        guessed=guessed_counts(heard),
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
