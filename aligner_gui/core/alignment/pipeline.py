"""Audio + transcript + model -> timed words and characters: the one alignment pipeline.

The command line and the editor's worker thread both call `align_audio`; nothing else strings the
stages together, so the two can never disagree.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from aligner_gui.core.alignment.doubt import DoubtfulRegion, find_doubtful_regions
from aligner_gui.core.alignment.long_align import long_forced_align
from aligner_gui.core.alignment.refine import fit_chars_to_words, refine_word_boundaries
from aligner_gui.core.alignment.segments import (
    CharSegment,
    WordSegment,
    build_segments,
    token_spans,
)
from aligner_gui.core.alignment.viterbi import ForcedPath, min_frames_needed
from aligner_gui.core.base.errors import AlignmentError
from aligner_gui.core.base.labels import LabelSet
from aligner_gui.core.base.progress import ProgressFn, check_cancel, no_progress
from aligner_gui.core.base.timebase import TimeBase
from aligner_gui.core.io.transcript import Tokenized, tokenize

if TYPE_CHECKING:
    from aligner_gui.core.io.audio import Audio
    from aligner_gui.core.models.model import LoadedModel


# Word edges at the signal's energy edges inside the blank gaps: on held-out synthetic speech the
# mean boundary error falls from 25.4 to 15.0 ms, on hand-labelled real speech from 54.6 to 38.2 ms
# (benchmarks/README.md). Character spans stay as the model put them.
DEFAULT_REFINE = "energy_edge"


@dataclass(frozen=True)
class AlignmentResult:
    audio: Audio
    model_name: str
    labels: LabelSet
    timebase: TimeBase
    emissions: np.ndarray  # (T, C) float32 log-probabilities
    tokenized: Tokenized
    path: ForcedPath
    words: list[WordSegment]
    chars: list[CharSegment]
    warnings: tuple[str, ...]
    doubtful: tuple[DoubtfulRegion, ...] = ()  # where audio and transcript seem not to match

    @property
    def duration(self) -> float:
        return self.audio.duration


def align_emissions(
    emissions: np.ndarray,
    tokenized: Tokenized,
    labels: LabelSet,
    timebase: TimeBase,
    duration: float,
    *,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> tuple[ForcedPath, list[WordSegment], list[CharSegment]]:
    """Viterbi over precomputed emissions, then characters and words in seconds.

    The path is :func:`long_forced_align`'s: the exact Viterbi for short inputs, a verified
    banded one (seconds per hour of audio) for long ones.
    """
    frames = emissions.shape[0]
    needed = min_frames_needed(tokenized.tokens)
    if needed > frames:
        raise AlignmentError(
            f"The transcript is too long for the audio: its {len(tokenized.tokens)} labels need at "
            f"least {needed} frames ({timebase.frame_to_seconds(needed):.2f} s) but the audio gives "
            f"only {frames} frames ({duration:.2f} s). Check that the transcript belongs to this "
            "recording."
        )
    path = long_forced_align(
        emissions,
        tokenized.tokens,
        labels.blank,
        star=labels.star,
        progress=progress,
        cancel=cancel,
    )
    spans = token_spans(path, len(tokenized.tokens))
    words, chars = build_segments(
        spans, tokenized.token_word, tokenized.words, labels.labels, timebase, duration
    )
    return path, words, chars


def align_audio(
    audio: Audio,
    text: str,
    model: LoadedModel,
    *,
    refine: str = DEFAULT_REFINE,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> AlignmentResult:
    """Align ``text`` to ``audio`` (already at the model's sample rate) with ``model``.

    ``refine`` moves word edges from the raw CTC frame spans into the blank gaps around them
    (:mod:`aligner_gui.core.alignment.refine`; "none" keeps the frame spans).
    """
    from aligner_gui.core.models.emission import (
        compute_emissions,
    )  # torch stays out of light imports

    report = progress or no_progress
    if audio.sample_rate != model.sample_rate:
        raise AlignmentError(
            f"Internal error: audio at {audio.sample_rate} Hz given to a {model.sample_rate} Hz model."
        )
    tokenized = tokenize(text, model.labels)
    check_cancel(cancel)
    emissions = compute_emissions(model, audio.samples, progress=report, cancel=cancel)
    check_cancel(cancel)
    report("Aligning", 0.0)
    path, words, chars = align_emissions(
        emissions,
        tokenized,
        model.labels,
        model.timebase,
        audio.duration,
        progress=lambda _stage, fraction: report("Aligning", fraction),
        cancel=cancel,
    )
    words = refine_word_boundaries(words, chars, audio.samples, model.timebase, refine)
    chars = fit_chars_to_words(words, chars)
    doubtful = find_doubtful_regions(words, chars, path, emissions, model.labels, model.timebase)
    report("Aligning", 1.0)
    return AlignmentResult(
        audio=audio,
        model_name=model.name,
        labels=model.labels,
        timebase=model.timebase,
        emissions=emissions,
        tokenized=tokenized,
        path=path,
        words=words,
        chars=chars,
        warnings=tokenized.warnings,
        doubtful=tuple(doubtful),
    )
