"""Aligning phones: a phone model's emissions, the words' pronunciation variants, and the choice
among them made by the Viterbi (:mod:`aligner_gui.core.alignment.graph_viterbi`).

Between words a phone model may emit its word delimiter (always, as a letter model does) or,
lacking one, a silence label ("sil", "SIL", "<sil>", "sp"), which is optional: the path takes it
where the audio pauses. With one variant per word and no optional silence there is nothing to
choose, and the linear path (exact for short input, banded for hours) is used unchanged.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from aligner_gui.core.alignment.graph_viterbi import (
    SilencePrior,
    first_variant_tokens,
    graph_forced_align,
    is_linear,
)
from aligner_gui.core.alignment.long_align import long_forced_align
from aligner_gui.core.alignment.segments import (
    CharSegment,
    WordSegment,
    build_segments,
    token_spans,
)
from aligner_gui.core.alignment.viterbi import ForcedPath
from aligner_gui.core.alignment.windowed_variants import windowed_graph_align
from aligner_gui.core.base.labels import LabelSet
from aligner_gui.core.base.progress import ProgressFn
from aligner_gui.core.base.timebase import TimeBase
from aligner_gui.core.io.transcript import Tokenized, TranscriptWord
from aligner_gui.core.pronunciation.lexicon import PhoneTranscript, PhoneWord
from aligner_gui.core.pronunciation.phone_sets import SILENCE_LABELS

# Past this many (frame, state) cells one graph search would take minutes: the variants are
# chosen in windows of words instead (:mod:`aligner_gui.core.alignment.windowed_variants`).
MAX_GRAPH_CELLS = 400_000_000
_NOTE_CHOICES = 12  # word forms the variant note names; the rest are counted


@dataclass(frozen=True)
class PhoneAlignment:
    path: ForcedPath
    tokenized: Tokenized  # the chosen pronunciations as a token sequence
    words: list[WordSegment]
    phones: list[CharSegment]
    variants: tuple[int, ...]  # per word: the variant chosen (-1 for words without any)
    notes: tuple[str, ...]


def separator_of(labels: LabelSet) -> tuple[int | None, bool]:
    """The token between words and whether it is optional."""
    if labels.delimiter_index is not None:
        return labels.delimiter_index, False
    for name in SILENCE_LABELS:
        if name in labels.labels:
            return labels.labels.index(name), True
    return None, False


def align_phone_emissions(
    emissions: np.ndarray,
    transcript: PhoneTranscript,
    labels: LabelSet,
    timebase: TimeBase,
    duration: float,
    *,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> PhoneAlignment:
    aligned = [i for i, w in enumerate(transcript.words) if w.aligned]
    graph_words = [transcript.words[i].variants for i in aligned]
    separator, optional = separator_of(labels)
    notes: list[str] = []
    states = sum(2 * len(v) + 1 for alternatives in graph_words for v in alternatives)
    # Past this many cells one search would take minutes: variants are chosen in windows.
    windowed = (
        not is_linear(graph_words, optional) and states * emissions.shape[0] > MAX_GRAPH_CELLS
    )
    if is_linear(graph_words, optional):
        chosen = [0] * len(graph_words)
        tokens, token_graph_word = first_variant_tokens(graph_words, separator)
        path = long_forced_align(
            emissions, tokens, labels.blank, star=labels.star, progress=progress, cancel=cancel
        )
    else:
        priors = [transcript.words[i].priors[: len(graph_words[g])] for g, i in enumerate(aligned)]
        search = partial(windowed_graph_align, star=labels.star) if windowed else graph_forced_align
        result = search(
            emissions,
            graph_words,
            labels.blank,
            separator=separator,
            separator_optional=optional,
            priors=priors if any(any(p) for p in priors) else None,
            silences=_silence_priors(transcript, aligned, graph_words) if optional else None,
            progress=progress,
            cancel=cancel,
        )
        path, tokens, token_graph_word = result.path, list(result.tokens), list(result.token_word)
        chosen = list(result.variants)
    variants = [-1] * len(transcript.words)
    for g, i in enumerate(aligned):
        variants[i] = chosen[g]
    token_word = [-1 if g < 0 else aligned[g] for g in token_graph_word]
    words = tuple(
        TranscriptWord(
            w.original,
            " ".join(w.phones[v]) if v >= 0 else "",
            w.variants[v] if v >= 0 else (),
            aligned=v >= 0,
        )
        for w, v in zip(transcript.words, variants, strict=True)
    )
    tokenized = Tokenized(words, tuple(tokens), tuple(token_word), transcript.warnings)
    spans = token_spans(path, len(tokens))
    word_segments, phones = build_segments(
        spans, token_word, words, labels.labels, timebase, duration
    )
    # Separator tokens carry no word: build_segments already leaves them out of the phones.
    note = variant_note(transcript.words, variants)
    if note:
        notes.append(note)
    return PhoneAlignment(path, tokenized, word_segments, phones, tuple(variants), tuple(notes))


def variant_note(words: Sequence[PhoneWord], variants: Sequence[int]) -> str:
    """One line naming the pronunciation chosen for words that had several: each word and form
    once, with how often (English weak forms give most transcripts variants, so an hour would
    otherwise list thousands), the most frequent first and at most ``_NOTE_CHOICES`` of them."""
    counts: Counter[tuple[str, str, int, int]] = Counter(
        (w.original, " ".join(w.phones[v]), v + 1, len(w.variants))
        for w, v in zip(words, variants, strict=True)
        if len(w.variants) > 1 and v >= 0
    )
    if not counts:
        return ""
    # Most frequent first; ties in the order the words first appear (Counter keeps it).
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    shown = [
        f"\u201c{word}\u201d as {form} (variant {v} of {n})" + (f" \u00d7{k}" if k > 1 else "")
        for (word, form, v, n), k in ranked[:_NOTE_CHOICES]
    ]
    rest = len(ranked) - len(shown)
    more = f"; and {rest} more word{'s' if rest > 1 else ''} and forms" if rest > 0 else ""
    return "Pronunciations chosen by the aligner: " + "; ".join(shown) + more + "."


def _silence_priors(
    transcript: PhoneTranscript, aligned: list[int], graph_words: list[tuple[tuple[int, ...], ...]]
) -> list[list[SilencePrior]] | None:
    """MFA's silence probabilities per aligned word and variant, or None when the dictionary
    gives none. Only a silence label can be weighed: a model whose blank is its silence (the
    built-in phone model) uses the same blank between the phones of a word and, in a CTC model
    with the same labels, at every word junction, so a prior on it would not be a prior on
    pauses."""
    rows = [transcript.words[i].silences for i in aligned]
    if not any(rows):
        return None
    return [
        [
            SilencePrior.from_probabilities(*sil) if sil else SilencePrior()
            for sil in (row or ((),) * len(variants))[: len(variants)]
        ]
        for row, variants in zip(rows, graph_words, strict=True)
    ]
