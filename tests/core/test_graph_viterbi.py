"""The Viterbi over pronunciation variants and optional separators equals brute force over all
the linear token sequences the graph stands for, and picks the variant that was spoken."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from aligner_gui.core.alignment.graph_viterbi import graph_forced_align, is_linear
from aligner_gui.core.alignment.viterbi import forced_align
from aligner_gui.core.base.errors import AlignmentError


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=1, keepdims=True)
    return (x - np.log(np.exp(x).sum(axis=1, keepdims=True))).astype(np.float32)


def _brute_force(lp, words, blank, separator, optional, priors=None):
    best = -np.inf
    boundaries = len(words) - 1
    sep_choices = [()]
    if separator is not None:
        sep_choices = (
            list(itertools.product([False, True], repeat=boundaries))
            if optional
            else [(True,) * boundaries]
        )
    for combo in itertools.product(*[range(len(v)) for v in words]):
        for seps in sep_choices:
            tokens: list[int] = []
            for w, v in enumerate(combo):
                if w > 0 and seps and seps[w - 1]:
                    tokens.append(separator)
                tokens.extend(words[w][v])
            try:
                score = forced_align(lp, tokens, blank).score
            except AlignmentError:
                continue
            if priors is not None:
                score += sum(priors[w][v] for w, v in enumerate(combo))
            best = max(best, score)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_graph_equals_brute_force_on_random_cases(seed: int) -> None:
    rng = np.random.default_rng(seed)
    C = int(rng.integers(3, 7))
    blank = 0
    separator = C - 1 if seed % 3 else None
    optional = seed % 2 == 0
    vocab = range(1, C - 1 if separator is not None else C)
    words = [
        [
            tuple(int(x) for x in rng.choice(list(vocab), size=int(rng.integers(1, 4))))
            for _ in range(int(rng.integers(1, 4)))
        ]
        for _ in range(int(rng.integers(1, 4)))
    ]
    T = int(rng.integers(6, 20))
    lp = _log_softmax(rng.normal(0, 2, size=(T, C)))
    expected = _brute_force(lp, words, blank, separator, optional)
    if not np.isfinite(expected):
        with pytest.raises(AlignmentError):
            graph_forced_align(lp, words, blank, separator=separator, separator_optional=optional)
        return
    got = graph_forced_align(lp, words, blank, separator=separator, separator_optional=optional)
    assert got.path.score == pytest.approx(expected, abs=1e-4)
    # The reported choice is a real path: the linear Viterbi over it scores the same.
    assert forced_align(lp, got.tokens, blank).score == pytest.approx(expected, abs=1e-4)
    assert got.path.num_frames == T
    visited = got.path.token_index[got.path.token_index >= 0]
    assert sorted(set(visited.tolist())) == list(range(len(got.tokens)))


def test_checkpointed_graph_path_equals_the_in_memory_one() -> None:
    rng = np.random.default_rng(5)
    words = [[(1, 2), (3,)], [(2, 2, 1)], [(1,), (3, 1), (2, 3)]]
    lp = _log_softmax(rng.normal(0, 2, size=(60, 5)))
    full = graph_forced_align(lp, words, 0, separator=4, separator_optional=True)
    small = graph_forced_align(lp, words, 0, separator=4, separator_optional=True, max_cells=50)
    assert np.array_equal(full.path.labels, small.path.labels)
    assert np.array_equal(full.path.token_index, small.path.token_index)
    assert full.variants == small.variants


def _spoken(rng: np.random.Generator, tokens: list[int], C: int) -> np.ndarray:
    """Emissions that clearly hear ``tokens`` (2-3 frames each, blanks between)."""
    frames: list[int] = [0, 0]
    for tok in tokens:
        frames += [tok] * int(rng.integers(2, 4)) + [0]
    frames += [0, 0]
    logits = rng.normal(0, 0.5, size=(len(frames), C))
    logits[np.arange(len(frames)), frames] += 6.0
    return _log_softmax(logits)


def test_the_spoken_variant_and_silence_are_chosen() -> None:
    # Phones 1..6, silence 7. "either" as /i ð ɚ/ (1 2 3) or /aɪ ð ɚ/ (4 2 3); the audio says
    # the second, then a pause (silence), then "tomato" as 5 6 1 rather than 5 6 4.
    rng = np.random.default_rng(0)
    words = [[(1, 2, 3), (4, 2, 3)], [(5, 6, 4), (5, 6, 1)]]
    lp = _spoken(rng, [4, 2, 3, 7, 5, 6, 1], 8)
    got = graph_forced_align(lp, words, 0, separator=7, separator_optional=True)
    assert got.variants == (1, 1)
    assert got.separators == (True,)
    assert got.tokens == (4, 2, 3, 7, 5, 6, 1)
    assert got.token_word == (0, 0, 0, -1, 1, 1, 1)
    # Without the pause the optional silence is skipped.
    lp = _spoken(rng, [1, 2, 3, 5, 6, 4], 8)
    got = graph_forced_align(lp, words, 0, separator=7, separator_optional=True)
    assert got.variants == (0, 0)
    assert got.separators == (False,)


def test_is_linear() -> None:
    assert is_linear([[(1, 2)], [(3,)]], separator_optional=False)
    assert not is_linear([[(1, 2), (2,)], [(3,)]], separator_optional=False)
    assert not is_linear([[(1, 2)], [(3,)]], separator_optional=True)


def test_too_few_frames_is_one_clear_error() -> None:
    lp = _log_softmax(np.zeros((2, 4)))
    with pytest.raises(AlignmentError, match="needs more frames"):
        graph_forced_align(lp, [[(1, 2, 3)]], 0)


@pytest.mark.parametrize("seed", range(15))
def test_pronunciation_priors_equal_brute_force(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    words = [
        [tuple(int(x) for x in rng.integers(1, 4, size=int(rng.integers(1, 3)))) for _ in range(2)]
        for _ in range(3)
    ]
    priors = [[0.0, float(np.log(rng.uniform(0.05, 1.0)))] for _ in words]
    lp = _log_softmax(rng.normal(0, 1.5, size=(14, 5)))
    expected = _brute_force(lp, words, 0, 4, True, priors)
    got = graph_forced_align(lp, words, 0, separator=4, separator_optional=True, priors=priors)
    prior = sum(priors[w][v] for w, v in enumerate(got.variants))
    assert got.path.score + prior == pytest.approx(expected, abs=1e-4)


def test_a_strong_prior_outweighs_weak_acoustic_evidence() -> None:
    rng = np.random.default_rng(0)
    words = [[(1, 2, 3), (4, 2, 3)]]
    lp = _spoken(rng, [4, 2, 3], 8)
    assert graph_forced_align(lp, words, 0).variants == (1,)
    assert graph_forced_align(lp, words, 0, priors=[[0.0, -200.0]]).variants == (0,)
