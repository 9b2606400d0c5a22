"""Audio + transcript + model -> timed words and characters: the one alignment pipeline.

The command line and the editor's worker thread both call `align_audio`; nothing else strings the
stages together, so the two can never disagree.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
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
from aligner_gui.core.pronunciation.dictionary import PronunciationDictionary
from aligner_gui.core.pronunciation.languages import DEFAULT_LANGUAGE, get_language
from aligner_gui.core.pronunciation.phone_sets import is_phone_model
from aligner_gui.core.pronunciation.romanize import Respeller, is_latin_letter_model

if TYPE_CHECKING:
    from aligner_gui.core.io.audio import Audio
    from aligner_gui.core.models.model import LoadedModel


# Word edges at the signal's energy edges inside the blank gaps: on held-out synthetic speech the
# mean boundary error falls from 25.4 to 15.0 ms, on hand-labelled real speech from 54.6 to 38.2 ms
# (benchmarks/README.md). Character spans stay as the model put them.
DEFAULT_REFINE = "energy_edge"


@dataclass(frozen=True)
class AlignOptions:
    """How every file of a batch is aligned, beside the model (see :func:`align_audio`)."""

    refine: str = DEFAULT_REFINE
    dictionary: PronunciationDictionary | None = None
    language: str | None = None  # ISO 639-3; None: English for G2P, no romanisation choice


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
    # A phone model's phones (nested in words like chars; a letter model gives none).
    phones: list[CharSegment] = field(default_factory=list)
    variants: tuple[int, ...] = ()  # per word: the pronunciation variant chosen (-1: none)
    g2p_words: tuple[str, ...] = ()  # words pronounced by G2P, not the dictionary
    notes: tuple[str, ...] = ()  # information for the user that is not a problem
    language: str | None = None  # ISO 639-3 code used for G2P, numbers and romanisation

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
    dictionary: PronunciationDictionary | None = None,
    language: str | None = None,
) -> AlignmentResult:
    """Align ``text`` to ``audio`` (already at the model's sample rate) with ``model``.

    ``refine`` moves word edges from the raw CTC frame spans into the blank gaps around them
    (:mod:`aligner_gui.core.alignment.refine`; "none" keeps the frame spans). A phone model
    (:func:`is_phone_model`) aligns the words' pronunciations from ``dictionary`` or G2P and
    gives a phones tier; a letter model spells the words, romanised when its letters are Latin.
    ``language`` is an ISO 639-3 code (G2P voice, numbers, romanisation).
    """
    from aligner_gui.core.models.emission import (
        compute_emissions,
    )  # torch stays out of light imports

    report = progress or no_progress
    if audio.sample_rate != model.sample_rate:
        raise AlignmentError(
            f"Internal error: audio at {audio.sample_rate} Hz given to a {model.sample_rate} Hz model."
        )
    lang = get_language(language) if language else None
    language_code = lang.code if lang else None
    phone_model = is_phone_model(model.labels.labels)
    notes: list[str] = []
    extra_warnings: list[str] = []
    if phone_model:
        from aligner_gui.core.pronunciation.lexicon import phone_transcript

        phone_text = phone_transcript(
            text, model.labels, lang or get_language(DEFAULT_LANGUAGE), dictionary
        )
    else:
        notes.append("The model aligns letters, not phones: there is no phones tier.")
        if dictionary is not None:
            extra_warnings.append(
                "The model aligns letters, not phones, so the pronunciation dictionary was not "
                "used and no phones tier was made (choose a phone model for phones)."
            )
        latin = is_latin_letter_model(model.labels.labels)
        respell = Respeller(lang, romanize_scripts=latin) if latin or lang else None
        tokenized = tokenize(text, model.labels, respell=respell)
    check_cancel(cancel)
    emissions = compute_emissions(model, audio.samples, progress=report, cancel=cancel)
    check_cancel(cancel)
    report("Aligning", 0.0)

    def aligning(_stage: str, fraction: float) -> None:
        report("Aligning", fraction)

    variants: tuple[int, ...] = ()
    if phone_model:
        from aligner_gui.core.alignment.phone_align import align_phone_emissions

        aligned = align_phone_emissions(
            emissions,
            phone_text,
            model.labels,
            model.timebase,
            audio.duration,
            progress=aligning,
            cancel=cancel,
        )
        path, words, chars = aligned.path, aligned.words, aligned.phones
        tokenized, variants = aligned.tokenized, aligned.variants
        notes.extend(aligned.notes)
    else:
        path, words, chars = align_emissions(
            emissions,
            tokenized,
            model.labels,
            model.timebase,
            audio.duration,
            progress=aligning,
            cancel=cancel,
        )
    words = refine_word_boundaries(words, chars, audio.samples, model.timebase, refine)
    chars = fit_chars_to_words(words, chars)
    doubtful = find_doubtful_regions(words, chars, path, emissions, model.labels, model.timebase)
    report("Aligning", 1.0)
    phones: list[CharSegment] = []
    if phone_model:  # the units are phones: a phones tier, no chars tier
        phones, chars = chars, []
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
        warnings=(*tokenized.warnings, *extra_warnings),
        doubtful=tuple(doubtful),
        phones=phones,
        variants=variants,
        g2p_words=phone_text.g2p_words if phone_model else (),
        notes=tuple(notes),
        language=(lang or get_language(DEFAULT_LANGUAGE)).code if phone_model else language_code,
    )


def align_with_options(
    audio: Audio,
    text: str,
    model: LoadedModel,
    options: AlignOptions,
    progress: ProgressFn | None = None,
) -> AlignmentResult:
    """:func:`align_audio` with a batch's :class:`AlignOptions`."""
    return align_audio(
        audio,
        text,
        model,
        refine=options.refine,
        progress=progress,
        dictionary=options.dictionary,
        language=options.language,
    )
