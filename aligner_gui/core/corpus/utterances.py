"""An interview's utterances: each labelled interval of each interval tier of its TextGrid, with
its stretch of the recording, aligned one by one as the aligner and the second opinion both walk
them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aligner_gui.core.alignment.pipeline import AlignmentResult, AlignOptions, align_with_options
from aligner_gui.core.base.errors import AlignerError, Cancelled
from aligner_gui.core.corpus.database import WordRow
from aligner_gui.core.corpus.file_progress import FileProgressSender
from aligner_gui.core.io.audio import Audio
from aligner_gui.core.io.textgrid import IntervalTier, TextGrid

if TYPE_CHECKING:
    from aligner_gui.core.models.model import LoadedModel


@dataclass(frozen=True)
class Utterance:
    tier: str  # the speaker tier's name
    text: str  # the interval's label, its whitespace collapsed
    start: float  # the interval's start, not before 0 s
    end: float
    piece: Audio  # the recording over [start, end)
    offset: float  # seconds of the piece's first sample in the recording
    share: float  # of the interview's speech, the part of the work this utterance is


def interview_tiers(grid: TextGrid) -> list[IntervalTier]:
    return [t for t in grid.tiers if isinstance(t, IntervalTier)]


def speech_seconds(grid: TextGrid) -> float:
    """Seconds of labelled intervals over all tiers (at least a little, to divide by)."""
    total = sum(
        max(0.0, i.end - max(0.0, i.start))
        for t in interview_tiers(grid)
        for i in t.intervals
        if i.label.strip()
    )
    return total or 1.0


def tier_utterances(tier: IntervalTier, audio: Audio, total: float) -> Iterator[Utterance]:
    """The labelled intervals of ``tier``, each with its piece of ``audio``; shares are of
    ``total``, the interview's seconds of speech (progress by speech, not recording length)."""
    rate = audio.sample_rate
    for interval in tier.intervals:
        text = " ".join(interval.label.split())
        if not text:
            continue
        start = max(0.0, interval.start)
        lo = int(round(start * rate))
        hi = min(audio.num_samples, int(round(interval.end * rate)))
        piece = dataclasses.replace(audio, samples=audio.samples[lo:hi])
        share = max(0.0, interval.end - start) / total
        yield Utterance(tier.name, text, start, interval.end, piece, lo / rate, share)


def unaligned_rows(utterance: Utterance, first_index: int) -> list[WordRow]:
    """An utterance that could not be aligned: its words spread evenly over it, unaligned (kept,
    so that one bad utterance does not cost the interview its words)."""
    labels = utterance.text.split()
    step = (utterance.end - utterance.start) / len(labels)
    rows = []
    for k, label in enumerate(labels):
        start, end = utterance.start + k * step, utterance.start + (k + 1) * step
        rows.append(WordRow(first_index + k, utterance.tier, label, start, end, None, False, 0,
                            None, ""))  # fmt: skip
    return rows


class UtteranceAligner:
    """Aligns an interview's utterances tier by tier, reporting progress by seconds of speech
    across the whole interview."""

    def __init__(
        self,
        grid: TextGrid,
        audio: Audio,
        model: LoadedModel,
        options: AlignOptions,
        progress: FileProgressSender | None = None,
    ) -> None:
        self.audio, self.model, self.options = audio, model, options
        self.progress = progress
        self._speech = speech_seconds(grid)
        self._done = 0.0  # share of the interview's speech aligned so far

    def tier(
        self, tier: IntervalTier
    ) -> Iterator[tuple[Utterance, AlignmentResult | AlignerError]]:
        """Each utterance of ``tier`` with its alignment, or why it could not be aligned (one bad
        utterance must not cost the interview: the caller keeps its words, unaligned)."""
        for utterance in tier_utterances(tier, self.audio, self._speech):
            progress = self.progress
            part = None if progress is None else progress.part(self._done, utterance.share)
            self._done += utterance.share
            try:
                result = align_with_options(
                    utterance.piece, utterance.text, self.model, self.options, part
                )
            except Cancelled:
                raise
            except AlignerError as err:
                yield utterance, err
                continue
            yield utterance, result
