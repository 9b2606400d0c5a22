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

from aligner_gui.core.alignment.anchors import greedy_labels
from aligner_gui.core.alignment.doubt import DoubtfulRegion
from aligner_gui.core.alignment.pipeline import AlignmentResult, align_audio
from aligner_gui.core.alignment.segments import CharSegment, WordSegment
from aligner_gui.core.base.errors import AlignerError, Cancelled
from aligner_gui.core.corpus.database import WordRow
from aligner_gui.core.corpus.file_progress import FileProgressSender
from aligner_gui.core.corpus.layout import CorpusEntry
from aligner_gui.core.io.audio import Audio, load_audio
from aligner_gui.core.io.textgrid import IntervalTier, read_textgrid
from aligner_gui.core.io.transcript import read_transcript

if TYPE_CHECKING:
    from aligner_gui.core.models.model import LoadedModel

STRETCH = 5.0  # a unit held this many times the file's median hold is stretched over speech


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


def word_rows(
    result: AlignmentResult, tier: str, first_index: int, offset: float = 0.0
) -> list[WordRow]:
    """The review queue's features of each word (times shifted by ``offset`` seconds)."""
    greedy = greedy_labels(result.emissions, result.labels.star)
    labels = result.labels
    skip = {labels.blank, labels.delimiter_index, labels.star}
    timebase = result.timebase
    # Per frame: how much more likely the model's best label is than the one the path emits.
    lost = result.emissions.max(axis=1).astype(np.float64) - result.path.frame_scores
    cumulative = np.concatenate([[0.0], np.cumsum(lost)])
    frames = len(lost)
    nearest = _nearest_units(result)
    holds = ~np.isin(result.path.labels, [s for s in skip if s is not None])
    stretched = stretched_frames(result.path.token_index, greedy, result.path.labels)
    unclaimed_cumulative = np.concatenate(
        [[0.0], np.cumsum(unclaimed_speech(greedy, result.path.labels, lost, skip, stretched))]
    )

    def evidence(first: int, last: int, sums: np.ndarray = cumulative) -> float:
        first, last = min(max(first, 0), frames), min(max(last, 0), frames)
        return float(sums[last] - sums[first]) if last > first else 0.0

    spans = [
        (timebase.seconds_to_frame(w.start), max(timebase.seconds_to_frame(w.end),
                                                 timebase.seconds_to_frame(w.start) + 1))
        for w in result.words
    ]  # fmt: skip
    bounds = list(zip([0, *(s[1] for s in spans)], [*(s[0] for s in spans), frames], strict=True))
    gaps = [evidence(prev_end, start) for prev_end, start in bounds]
    unclaimed_gaps = [evidence(a, b, unclaimed_cumulative) for a, b in bounds]
    rows: list[WordRow] = []
    for i, word in enumerate(result.words):
        expected = result.tokenized.words[i].token_ids if i < len(result.tokenized.words) else ()
        mismatch = None
        if word.aligned and word.end > word.start:
            first = timebase.seconds_to_frame(word.start)
            last = max(first + 1, timebase.seconds_to_frame(word.end))
            heard = _collapse(greedy[first:last], skip)
            target = [t for t in expected if t not in skip]
            mismatch = _edit_distance(heard, target) / max(len(heard), len(target), 1)
        rows.append(
            WordRow(
                idx=first_index + i,
                tier=tier,
                label=word.label,
                start=word.start + offset,
                end=word.end + offset,
                score=None if not word.aligned or np.isnan(word.score) else float(word.score),
                aligned=word.aligned,
                chars=word.char_end - word.char_start,
                mismatch=mismatch,
                excess=evidence(*spans[i]) + max(gaps[i], gaps[i + 1]) if word.aligned else None,
                unclaimed=evidence(*spans[i], unclaimed_cumulative)
                + max(unclaimed_gaps[i], unclaimed_gaps[i + 1])
                if word.aligned
                else None,
                inside=evidence(*spans[i]) if word.aligned else None,
                frames=_clamped_frames(*spans[i], frames) if word.aligned else None,
                held=int(holds[slice(*_clamp(*spans[i], frames))].sum()) if word.aligned else None,
                removable=_removable(result, nearest, *spans[i]) if word.aligned else None,
                doubt="+".join(
                    sorted(
                        {
                            r.kind
                            for r in result.doubtful
                            if r.words[0] <= i < r.words[1]
                            or (r.start < word.end and word.start < r.end)
                        }
                    )
                ),
            )
        )
    return rows


def _clamp(first: int, last: int, frames: int) -> tuple[int, int]:
    first = min(max(first, 0), frames)
    return first, max(first, min(last, frames))


def _clamped_frames(first: int, last: int, frames: int) -> int:
    first, last = _clamp(first, last, frames)
    return last - first


def removable_nats(result: AlignmentResult, first: int, last: int) -> float:
    """Nats the forced path would gain over the word's frames ``[first, last)`` if the word were
    not in the transcript: each frame given instead to the best of blank (and the word
    delimiter) and the units the path emits nearest before and after the word (a neighbour
    stretched over it, or a pause).

    A word that is not spoken (inserted) gains: its frames hold a neighbour's sound or silence,
    which the path had to deny to squeeze the word in. A spoken word, even one the model
    misreads, loses: neither a pause nor a neighbour's sound explains its frames.
    """
    return _removable(result, _nearest_units(result), first, last)


def _nearest_units(result: AlignmentResult) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: the unit the path emits last before it, and first at or after it (-1: none),
    looking past blank and the word delimiter."""
    labels = result.path.labels
    between = [x for x in (result.labels.blank, result.labels.delimiter_index) if x is not None]
    is_unit = ~np.isin(labels, between)
    frames = np.arange(len(labels))
    last_unit = np.maximum.accumulate(np.where(is_unit, frames, -1))
    next_unit = np.minimum.accumulate(np.where(is_unit, frames, len(labels))[::-1])[::-1]
    before = np.full(len(labels), -1)
    before[1:] = np.where(last_unit[:-1] >= 0, labels[np.maximum(last_unit[:-1], 0)], -1)
    after = np.full(len(labels), -1)
    found = next_unit < len(labels)
    after[found] = labels[next_unit[found]]
    return before, after


def _removable(
    result: AlignmentResult, nearest: tuple[np.ndarray, np.ndarray], first: int, last: int
) -> float:
    frames = result.emissions.shape[0]
    first, last = _clamp(first, last, frames)
    if last <= first:
        return 0.0
    between = {x for x in (result.labels.blank, result.labels.delimiter_index) if x is not None}
    before = int(nearest[0][first])  # strictly before the word
    after = int(nearest[1][last]) if last < frames else -1  # at or after its end
    instead = {*between, *(x for x in (before, after) if x >= 0)}
    best_instead = result.emissions[first:last][:, sorted(instead)].max(axis=1)
    return float(np.sum(best_instead - result.path.frame_scores[first:last], dtype=np.float64))


def stretched_frames(
    token_index: np.ndarray, greedy: np.ndarray, path_labels: np.ndarray
) -> np.ndarray:
    """Per frame: whether the forced path holds one unit there for more than ``STRETCH`` times
    the file's median hold while the model hears another unit.

    A frame classifier (a phone model) gives every frame of a sound its unit, so over a word the
    transcript lacks the path does not park in blank as a CTC model's does: it holds a neighbour's
    phone across it. A CTC model holds its spikes a frame or two, so this rarely fires there.
    """
    out = np.zeros(len(token_index), dtype=bool)
    if len(token_index) == 0:
        return out
    starts = np.flatnonzero(np.concatenate([[True], token_index[1:] != token_index[:-1]]))
    ends = np.concatenate([starts[1:], [len(token_index)]])
    held = [(a, b) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
            if token_index[a] >= 0]  # fmt: skip
    if not held:
        return out
    typical = float(np.median([b - a for a, b in held]))
    for a, b in held:
        if b - a > STRETCH * max(typical, 1.0):
            out[a:b] = greedy[a:b] != path_labels[a:b]
    return out


def unclaimed_speech(
    greedy: np.ndarray,
    path_labels: np.ndarray,
    lost: np.ndarray,
    skip: set[int | None],
    stretched: np.ndarray | None = None,
) -> np.ndarray:
    """Per frame: the nats lost over each run of a unit the model hears where the forced path
    emits none (blank or word delimiter) within a frame either side, or holds a unit stretched
    far beyond its usual length (``stretched``, see :func:`stretched_frames`), at the run's first
    frame.

    Speech the transcript does not cover (a deleted word, a missing sentence) is such runs: the
    path parks in blank or stretches a neighbour over units the model hears. A misread word is
    not: there the path emits its own units on the same frames, which only the evidence counts.
    """
    frames = len(greedy)
    out = np.zeros(frames, dtype=np.float64)
    if frames == 0:
        return out
    path_letter = ~np.isin(path_labels, [s for s in skip if s is not None])
    # A frame's path letter "claims" the frames beside it too (spikes drift by a frame).
    claimed = path_letter.copy()
    claimed[1:] |= path_letter[:-1]
    claimed[:-1] |= path_letter[1:]
    if stretched is not None:
        claimed &= ~stretched
    starts = np.flatnonzero(np.concatenate([[True], greedy[1:] != greedy[:-1]]))
    ends = np.concatenate([starts[1:], [frames]])
    for first, last in zip(starts.tolist(), ends.tolist(), strict=True):
        if int(greedy[first]) in skip or claimed[first:last].any():
            continue
        out[first] = float(lost[first:last].sum())
    return out


def _collapse(frames: np.ndarray, skip: set[int | None]) -> list[int]:
    out: list[int] = []
    previous = -1
    for label in frames.tolist():
        if label != previous and label not in skip:
            out.append(label)
        previous = label
    return out


def _edit_distance(a: list[int], b: list[int]) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        diagonal, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (x != y))
    return row[-1]


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
