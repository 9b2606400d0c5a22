"""The forced CTC path through a small graph: each word a set of alternative token sequences
(pronunciation variants), with an optional or mandatory separator token between words.

The graph is the union of the linear CTC topologies (:mod:`aligner_gui.core.alignment.viterbi`)
of every combination of variants and separators, sharing their common parts, so its best path
is the best of all those linear paths (the tests compare it with brute force). States:

* per word and variant: its tokens with a blank between each two, as in the linear topology
  (a repeated label cannot skip the blank between its occurrences);
* per word boundary: a blank, and with a separator the separator token and a second blank;
  optional separators may be skipped, as in ``... last, [blank], first ...``;
* a leading and a trailing blank.

Each frame every state takes its best predecessor (itself first, so ties stay), scores summed in
float64; the choice is stored as a uint8 index into the state's predecessor list. Memory beyond
``max_cells`` cells is bounded by checkpointing, as in ``bounded_forced_align``. A graph with one
variant per word and no optional separator is a plain token sequence: callers use the linear
fast path (:func:`aligner_gui.core.alignment.long_align.long_forced_align`) for it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aligner_gui.core.alignment.viterbi import ForcedPath
from aligner_gui.core.base.errors import AlignmentError
from aligner_gui.core.base.progress import ProgressFn, check_cancel

_STAGE = "Aligning"
_BLANK, _TOKEN, _SEPARATOR = 0, 1, 2


@dataclass(frozen=True)
class SilencePrior:
    """MFA's silence probabilities of one pronunciation, as log weights: after the word, a
    silence (log p) or none (log 1 - p); before it, MFA's correction factors for a silence or
    none before the word. All 0.0: no preference."""

    silence_after: float = 0.0
    no_silence_after: float = 0.0
    silence_before: float = 0.0
    no_silence_before: float = 0.0

    @classmethod
    def from_probabilities(
        cls, after: float | None, before: float | None, no_before: float | None
    ) -> SilencePrior:
        """From a dictionary's numbers (None: not given). ``after`` is kept inside
        [0.001, 0.999] so that neither choice becomes impossible."""
        p = None if after is None else min(max(after, 1e-3), 1.0 - 1e-3)
        return cls(
            0.0 if p is None else math.log(p),
            0.0 if p is None else math.log1p(-p),
            0.0 if before is None else math.log(before),
            0.0 if no_before is None else math.log(no_before),
        )


@dataclass(frozen=True)
class GraphPath:
    path: ForcedPath  # token_index indexes ``tokens``
    tokens: tuple[int, ...]  # the chosen token sequence (variants and separators taken)
    token_word: tuple[int, ...]  # per token: the word's index, -1 for a separator
    variants: tuple[int, ...]  # per word: index of the variant chosen
    separators: tuple[bool, ...]  # per boundary between words: was the separator emitted


def is_linear(words: Sequence[Sequence[Sequence[int]]], separator_optional: bool) -> bool:
    """True when the graph has a single path through its words (the linear fast path applies)."""
    return all(len(variants) == 1 for variants in words) and not (
        separator_optional and len(words) > 1
    )


def first_variant_tokens(
    words: Sequence[Sequence[Sequence[int]]], separator: int | None
) -> tuple[list[int], list[int]]:
    """The linear path's token sequence: each word's first variant, ``separator`` (when given)
    between words; and per token its word's index (-1 for a separator)."""
    tokens: list[int] = []
    owner: list[int] = []
    for w, variants in enumerate(words):
        if w > 0 and separator is not None:
            tokens.append(separator)
            owner.append(-1)
        tokens.extend(variants[0])
        owner.extend([w] * len(variants[0]))
    return tokens, owner


class _Graph:
    def __init__(
        self,
        words: Sequence[Sequence[Sequence[int]]],
        blank: int,
        separator: int | None,
        separator_optional: bool,
        priors: Sequence[Sequence[float]] | None = None,
        silences: Sequence[Sequence[SilencePrior]] | None = None,
    ) -> None:
        self.label: list[int] = []
        entry_bonus: dict[int, float] = {}  # first-token state -> log prior of its variant
        edge_bonus: dict[tuple[int, int], float] = {}  # (state, predecessor) -> log weight
        # MFA's silence probabilities need a separator to weigh; the optional one only.
        weigh_silence = silences is not None and separator is not None and separator_optional
        self.kind: list[int] = []
        self.word: list[int] = []  # word of a token state, boundary index of a separator, else -1
        self.variant: list[int] = []
        self.position: list[int] = []
        self.preds: list[list[int]] = []
        self.blank = blank

        def add(
            label: int, kind: int, preds: list[int], w: int = -1, v: int = -1, j: int = -1
        ) -> int:
            s = len(self.label)
            self.label.append(label)
            self.kind.append(kind)
            self.word.append(w)
            self.variant.append(v)
            self.position.append(j)
            self.preds.append([s, *preds])  # itself first: a tie keeps the path where it is
            return s

        def entering(incoming: list[int], label: int) -> list[int]:
            # A token may follow a blank, or a different label directly.
            return [p for p in incoming if self.kind[p] == _BLANK or self.label[p] != label]

        lead = add(blank, _BLANK, [])
        self.starts = [lead]
        incoming = [lead]
        exits: list[int] = []
        silent: set[int] = set()  # states of the boundary before word w that follow a silence
        previous_exits: dict[int, SilencePrior] = {}  # last word's exit states, weighted
        for w, variants in enumerate(words):
            if not variants:
                raise ValueError(f"word {w} has no variants")
            silent = set()
            if w > 0 and weigh_silence and silences is not None and separator is not None:
                # Two blanks after the word: one before the silence, one before the next word
                # without it, so that leaving the word says which (the same paths as below).
                gap = add(blank, _BLANK, list(exits))
                to_silence = add(blank, _BLANK, list(exits))
                sep = add(separator, _SEPARATOR, [to_silence, *entering(exits, separator)], w - 1)
                after = add(blank, _BLANK, [sep])
                for v, exit_state in enumerate(exits):
                    weight = silences[w - 1][v]
                    edge_bonus[(gap, exit_state)] = weight.no_silence_after
                    edge_bonus[(to_silence, exit_state)] = weight.silence_after
                    edge_bonus[(sep, exit_state)] = weight.silence_after
                previous_exits = dict(zip(exits, silences[w - 1], strict=True))
                incoming = [gap, sep, after, *exits]
                silent = {sep, after}
            elif w > 0:
                previous_exits = {}
                gap = add(blank, _BLANK, list(exits))
                if separator is None:
                    incoming = [gap, *exits]
                else:
                    sep = add(separator, _SEPARATOR, [gap, *entering(exits, separator)], w - 1)
                    after = add(blank, _BLANK, [sep])
                    incoming = [gap, sep, after, *exits] if separator_optional else [sep, after]
            exits = []
            for v, toks in enumerate(variants):
                if not toks:
                    raise ValueError(f"word {w} variant {v} is empty")
                if blank in toks:
                    raise ValueError("the token sequence must not contain the blank label")
                first = add(toks[0], _TOKEN, entering(incoming, toks[0]), w, v, 0)
                if priors is not None and priors[w][v] != 0.0:
                    entry_bonus[first] = float(priors[w][v])
                if w > 0 and weigh_silence and silences is not None:
                    mine = silences[w][v]
                    for p in self.preds[first][1:]:
                        before = mine.silence_before if p in silent else mine.no_silence_before
                        after_previous = previous_exits.get(p)
                        no_silence = after_previous.no_silence_after if after_previous else 0.0
                        edge_bonus[(first, p)] = before + no_silence
                if w == 0:
                    self.starts.append(first)
                prev = first
                for j in range(1, len(toks)):
                    between = add(blank, _BLANK, [prev])
                    direct = [prev] if toks[j] != toks[j - 1] else []
                    prev = add(toks[j], _TOKEN, [between, *direct], w, v, j)
                exits.append(prev)
        tail = add(blank, _BLANK, list(exits))
        self.finals = [tail, *exits]
        self.num_states = len(self.label)
        width = max(len(p) for p in self.preds)
        if width > 255:
            raise AlignmentError("Too many pronunciation variants in one place to align.")
        # Padded predecessor table; index num_states reads a -inf sentinel.
        table = np.full((self.num_states, width), self.num_states, dtype=np.int64)
        for s, preds in enumerate(self.preds):
            table[s, : len(preds)] = preds
        self.table = table
        # Added to every way into a variant's first token except staying there: the variant's
        # log prior counts once per path. None when there are no priors (the common case).
        self.entry_bonus = entry_bonus
        self.weights: np.ndarray | None = None
        if entry_bonus or edge_bonus:
            weights = np.zeros((self.num_states, width), dtype=np.float64)
            for s, bonus in entry_bonus.items():
                weights[s, 1 : len(self.preds[s])] = bonus
            for (s, p), bonus in edge_bonus.items():
                weights[s, self.preds[s].index(p, 1)] += bonus
            self.weights = weights
        self.labels = np.asarray(self.label, dtype=np.int64)


class _Runner:
    """The recursion over one graph and one emission matrix."""

    def __init__(self, graph: _Graph, log_probs: np.ndarray) -> None:
        self.g = graph
        self.lp = log_probs
        self.rows = np.arange(graph.num_states)

    def first(self) -> np.ndarray:
        alpha = np.full(self.g.num_states + 1, -np.inf, dtype=np.float64)
        starts = np.asarray(self.g.starts)
        alpha[starts] = self.lp[0, self.g.labels[starts]].astype(np.float64)
        for s in self.g.starts:  # a path that starts in a variant takes its prior too
            alpha[s] += self.g.entry_bonus.get(s, 0.0)
        return alpha

    def run(self, alpha: np.ndarray, start: int, stop: int, ptrs: np.ndarray | None) -> np.ndarray:
        """Advance ``alpha`` (after frame ``start - 1``) through frames [start, stop)."""
        cur = alpha.copy()
        for t in range(start, stop):
            cand = cur[self.g.table]
            if self.g.weights is not None:
                cand += self.g.weights
            best = np.argmax(cand, axis=1)  # first maximum: the earliest predecessor wins ties
            nxt = np.empty_like(cur)
            nxt[-1] = -np.inf
            nxt[:-1] = cand[self.rows, best] + self.lp[t, self.g.labels]
            if ptrs is not None:
                ptrs[t - start] = best
            cur = nxt
        return cur

    def backtrack(self, ptrs: np.ndarray, state: int, out: np.ndarray, start: int) -> int:
        """Write the states of frames [start, start + len(ptrs)) ending in ``state``; returns the
        state of frame ``start - 1``."""
        s = state
        for i in range(ptrs.shape[0] - 1, -1, -1):
            out[start + i] = s
            s = int(self.g.table[s, ptrs[i, s]])
        return s


def graph_forced_align(
    log_probs: np.ndarray,
    words: Sequence[Sequence[Sequence[int]]],
    blank: int,
    *,
    separator: int | None = None,
    separator_optional: bool = False,
    priors: Sequence[Sequence[float]] | None = None,
    silences: Sequence[Sequence[SilencePrior]] | None = None,
    max_cells: int = 200_000_000,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> GraphPath:
    """The best path through ``words`` (each a list of variants, each a token sequence).

    ``priors[w][v]`` (optional) is a log-probability added when the path takes variant ``v`` of
    word ``w`` (a dictionary's pronunciation probabilities, relative to the word's likeliest).
    ``silences[w][v]`` (optional) weighs the optional separator (a silence label) after and before
    variant ``v`` of word ``w``, as MFA's dictionary silence probabilities do; it needs an optional
    separator, and is ignored otherwise.

    Raises AlignmentError when no path fits in the frames (or every path has zero probability).
    """
    lp = np.asarray(log_probs)
    if lp.ndim != 2 or lp.shape[0] == 0:
        raise AlignmentError("There is no audio to align.")
    if not words:
        raise AlignmentError("The transcript has no characters that the model can align.")
    if np.isnan(lp).any():
        raise AlignmentError("The model's emissions contain invalid numbers (NaN).")
    graph = _Graph(words, blank, separator, separator_optional, priors, silences)
    runner = _Runner(graph, lp)
    T, S = lp.shape[0], graph.num_states
    states = np.empty(T, dtype=np.int64)
    if (T - 1) * S <= max_cells:  # every backpointer in memory: one pass
        check_cancel(cancel)
        ptrs = np.empty((T - 1, S), dtype=np.uint8)
        alpha = runner.run(runner.first(), 1, T, ptrs)
        state = _final_state(graph, alpha)
        states[0] = runner.backtrack(ptrs, state, states, 1) if T > 1 else state
        if progress is not None:
            progress(_STAGE, 1.0)
        return _to_path(graph, lp, states, len(words))
    # Checkpointed: the forward scores every `block` frames, backpointers one block at a time.
    block = max(1, min(T, math.isqrt(8 * T), max_cells // S))
    starts = list(range(1, T, block))
    checkpoints: list[np.ndarray] = []
    alpha = runner.first()
    total, done = 2 * len(starts), 0
    for t0 in starts:
        check_cancel(cancel)
        checkpoints.append(alpha)
        alpha = runner.run(alpha, t0, min(T, t0 + block), None)
        done += 1
        if progress is not None:
            progress(_STAGE, done / total)
    state = _final_state(graph, alpha)
    ptrs = np.empty((block, S), dtype=np.uint8)
    for k in range(len(starts) - 1, -1, -1):
        check_cancel(cancel)
        t0 = starts[k]
        t1 = min(T, t0 + block)
        runner.run(checkpoints.pop(), t0, t1, ptrs[: t1 - t0])
        state = runner.backtrack(ptrs[: t1 - t0], state, states, t0)
        done += 1
        if progress is not None:
            progress(_STAGE, done / total)
    states[0] = state
    return _to_path(graph, lp, states, len(words))


def _final_state(graph: _Graph, alpha: np.ndarray) -> int:
    finals = np.asarray(graph.finals)
    state = int(finals[np.argmax(alpha[finals])])
    if not np.isfinite(alpha[state]):
        raise AlignmentError(
            "The transcript cannot be aligned: it needs more frames than the audio has, or every "
            "alignment has zero probability."
        )
    return state


def _to_path(graph: _Graph, lp: np.ndarray, states: np.ndarray, num_words: int) -> GraphPath:
    variants = [-1] * num_words
    separators = [False] * max(num_words - 1, 0)
    for s in np.unique(states).tolist():
        if graph.kind[s] == _TOKEN:
            variants[graph.word[s]] = graph.variant[s]
        elif graph.kind[s] == _SEPARATOR:
            separators[graph.word[s]] = True
    # Position of each visited state's token in the chosen linear sequence.
    tokens: list[int] = []
    token_word: list[int] = []
    offset_of_word: list[int] = []
    sep_offset: dict[int, int] = {}
    sep_label = {
        graph.word[s]: graph.label[s]
        for s in range(graph.num_states)
        if graph.kind[s] == _SEPARATOR
    }
    variant_tokens: dict[tuple[int, int], list[int]] = {}
    for s in range(graph.num_states):
        if graph.kind[s] == _TOKEN:
            variant_tokens.setdefault((graph.word[s], graph.variant[s]), []).append(graph.label[s])
    for w in range(num_words):
        if w > 0 and separators[w - 1]:
            sep_offset[w - 1] = len(tokens)
            tokens.append(sep_label[w - 1])
            token_word.append(-1)
        offset_of_word.append(len(tokens))
        chosen = variant_tokens[(w, variants[w])]
        tokens.extend(chosen)
        token_word.extend([w] * len(chosen))
    token_index = np.full(states.shape[0], -1, dtype=np.int32)
    for t, s in enumerate(states.tolist()):
        if graph.kind[s] == _TOKEN:
            token_index[t] = offset_of_word[graph.word[s]] + graph.position[s]
        elif graph.kind[s] == _SEPARATOR:
            token_index[t] = sep_offset[graph.word[s]]
    labels = graph.labels[states].astype(np.int32)
    frame_scores = lp[np.arange(states.shape[0]), labels].astype(np.float32)
    path = ForcedPath(labels=labels, token_index=token_index, frame_scores=frame_scores)
    return GraphPath(path, tuple(tokens), tuple(token_word), tuple(variants), tuple(separators))
