"""Choosing pronunciation variants in recordings too long for one graph search.

The graph Viterbi (:mod:`aligner_gui.core.alignment.graph_viterbi`) costs frames x states: an hour
with a few thousand words is ~10^10 cells, minutes of work. A variant, though, only competes with
the other variants of its own word over the few hundred milliseconds around it. So the recording
is searched in overlapping windows of whole words, each exactly over all its variants, and only
the first part of each window's result is kept: up to the widest pause in the window's second
half *as that window's own search found it*. The next window starts at that pause. Windows hold
at most ``window_cells`` cells, so the work grows linearly with the recording, and with the
window's length: the default, 3 million cells, is about 100 words (30 s of speech), far more than
the few hundred milliseconds over which a variant competes. (With English weak forms most
transcripts have variants; on the 1-hour benchmark 40 million-cell windows took 16.5 s, 3 million
8.4 s, with the same variant chosen for every word.)

Where a window must end is taken from a first, linear pass (each word's first variant, banded:
fast for hours). Where that pass took a wrong variant its word edges are off, but only the
discarded tail of a window depends on them. What is given up: a word cannot move across a kept
pause, and an optional silence label straddling a window start stays blank.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from aligner_gui.core.alignment.graph_viterbi import (
    GraphPath,
    SilencePrior,
    first_variant_tokens,
    graph_forced_align,
)
from aligner_gui.core.alignment.long_align import long_forced_align
from aligner_gui.core.alignment.segments import token_spans
from aligner_gui.core.alignment.viterbi import ForcedPath
from aligner_gui.core.base.progress import ProgressFn, check_cancel

_STAGE = "Choosing pronunciations"


def windowed_graph_align(
    log_probs: np.ndarray,
    words: Sequence[Sequence[Sequence[int]]],
    blank: int,
    *,
    separator: int | None,
    separator_optional: bool,
    priors: Sequence[Sequence[float]] | None = None,
    silences: Sequence[Sequence[SilencePrior]] | None = None,
    star: int | None = None,
    window_cells: int = 3_000_000,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> GraphPath:
    """:func:`graph_forced_align` over overlapping windows of words (see the module docstring)."""
    lp = np.asarray(log_probs)
    compulsory = separator is not None and not separator_optional
    ends = _first_pass_ends(lp, words, blank, separator if compulsory else None, star, cancel)
    states = [2 * sum(len(v) + 1 for v in variants) + 2 for variants in words]
    kept: list[tuple[int, GraphPath]] = []  # (first word, the kept part of a window's result)
    first, start = 0, 0
    while first < len(words):
        check_cancel(cancel)
        last = first + 1
        while (
            last < len(words)
            and sum(states[first : last + 1]) * (ends[last] - start) <= window_cells
        ):
            last += 1
        last = min(len(words), max(last, first + 2))  # two words at least: a pause to keep
        end = lp.shape[0] if last == len(words) else ends[last - 1]
        result = graph_forced_align(
            lp[start:end],
            words[first:last],
            blank,
            separator=separator,
            separator_optional=separator_optional,
            priors=None if priors is None else priors[first:last],
            silences=None if silences is None else silences[first:last],
        )
        if last == len(words):
            kept.append((first, result))
            first = last
        else:
            count, frames = _keep_until_pause(result, last - first)
            kept.append((first, _truncated(result, count, frames)))
            first, start = first + count, start + frames
        if progress is not None:
            progress(_STAGE, first / len(words))
    return _joined(lp, kept)


def _first_pass_ends(
    lp: np.ndarray,
    words: Sequence[Sequence[Sequence[int]]],
    blank: int,
    separator: int | None,
    star: int | None,
    cancel: threading.Event | None,
) -> list[int]:
    """Per word, a frame where a window holding words up to it may end: the middle of the gap
    after it on the linear path of first variants (the last frame for the last word)."""
    tokens, owner = first_variant_tokens(words, separator)
    path = long_forced_align(lp, tokens, blank, star=star, cancel=cancel)
    first_frame = [lp.shape[0]] * len(words)
    last_frame = [0] * len(words)
    for span in token_spans(path, len(tokens)):
        w = owner[span.token_index]
        if w >= 0:
            first_frame[w] = min(first_frame[w], span.start_frame)
            last_frame[w] = max(last_frame[w], span.end_frame)
    ends = [(last_frame[w] + first_frame[w + 1]) // 2 for w in range(len(words) - 1)]
    return [*ends, lp.shape[0]]


def _keep_until_pause(result: GraphPath, num_words: int) -> tuple[int, int]:
    """How many words of a window's result to keep, and the frame (window-relative) the next
    window starts at: the middle of the widest gap between two words in the window's second
    half, or the end of a separator emitted there."""
    spans = token_spans(result.path, len(result.tokens))
    word_first: dict[int, int] = {}
    word_last: dict[int, int] = {}
    for k, w in enumerate(result.token_word):
        if w >= 0:
            word_first.setdefault(w, k)
            word_last[w] = k

    def gap(c: int) -> int:
        return spans[word_first[c]].start_frame - spans[word_last[c - 1]].end_frame

    cut = max(range(max(1, num_words // 2), num_words), key=lambda c: (gap(c), c))
    between = range(word_last[cut - 1] + 1, word_first[cut])  # a separator, if one was taken
    if len(between):
        return cut, spans[between[-1]].end_frame
    return cut, (spans[word_last[cut - 1]].end_frame + spans[word_first[cut]].start_frame) // 2


def _truncated(result: GraphPath, count: int, frames: int) -> GraphPath:
    """The first ``count`` words of ``result`` (with the separators before the next word) on its
    first ``frames`` frames."""
    tokens = next((k for k, w in enumerate(result.token_word) if w >= count), len(result.tokens))
    path = ForcedPath(
        result.path.labels[:frames],
        result.path.token_index[:frames],
        result.path.frame_scores[:frames],
    )
    return GraphPath(
        path,
        result.tokens[:tokens],
        result.token_word[:tokens],
        result.variants[:count],
        result.separators[:count],
    )


def _joined(lp: np.ndarray, kept: list[tuple[int, GraphPath]]) -> GraphPath:
    """One path over the whole recording from the windows' kept parts, in order."""
    labels: list[np.ndarray] = []
    token_index: list[np.ndarray] = []
    tokens: list[int] = []
    token_word: list[int] = []
    variants: list[int] = []
    separators: list[bool] = []
    for first, piece in kept:
        offset = len(tokens)
        labels.append(piece.path.labels)
        index = piece.path.token_index
        token_index.append(np.where(index >= 0, index + offset, -1).astype(np.int32))
        tokens.extend(piece.tokens)
        token_word.extend(w + first if w >= 0 else -1 for w in piece.token_word)
        variants.extend(piece.variants)
        separators.extend(piece.separators)
    all_labels = np.concatenate(labels).astype(np.int32)
    frame_scores = lp[np.arange(all_labels.shape[0]), all_labels].astype(np.float32)
    path = ForcedPath(all_labels, np.concatenate(token_index), frame_scores)
    return GraphPath(path, tuple(tokens), tuple(token_word), tuple(variants), tuple(separators))
