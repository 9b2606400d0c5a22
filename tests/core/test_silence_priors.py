"""MFA's dictionary silence probabilities (``word  0.99  0.05  1.0  1.0  phones``) weigh the
optional silence after a word in a model with a silence label: the graph Viterbi with them equals
brute force, and on constructed emissions where a short stretch could be silence or not, the
dictionary's probability decides."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from aligner_gui.core.alignment.graph_viterbi import SilencePrior, graph_forced_align
from aligner_gui.core.alignment.phone_align import align_phone_emissions
from aligner_gui.core.alignment.viterbi import forced_align
from aligner_gui.core.base.errors import AlignmentError
from aligner_gui.core.base.labels import LabelSet
from aligner_gui.core.base.timebase import TimeBase
from aligner_gui.core.pronunciation.dictionary import parse_dictionary
from aligner_gui.core.pronunciation.languages import get_language
from aligner_gui.core.pronunciation.lexicon import phone_transcript

from tiny_models import DEMO_PHONE_LABELS


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=1, keepdims=True)
    return (x - np.log(np.exp(x).sum(axis=1, keepdims=True))).astype(np.float32)


def _brute_force(lp, words, blank, separator, silences):
    best = -np.inf
    for combo in itertools.product(*[range(len(v)) for v in words]):
        for seps in itertools.product([False, True], repeat=len(words) - 1):
            tokens: list[int] = []
            bonus = 0.0
            for w, v in enumerate(combo):
                if w > 0:
                    before, mine = silences[w - 1][combo[w - 1]], silences[w][v]
                    if seps[w - 1]:
                        tokens.append(separator)
                        bonus += before.silence_after + mine.silence_before
                    else:
                        bonus += before.no_silence_after + mine.no_silence_before
                tokens.extend(words[w][v])
            try:
                score = forced_align(lp, tokens, blank).score + bonus
            except AlignmentError:
                continue
            best = max(best, score)
    return best


@pytest.mark.parametrize("seed", range(20))
def test_silence_priors_equal_brute_force(seed: int) -> None:
    rng = np.random.default_rng(300 + seed)
    words = [
        [tuple(int(x) for x in rng.integers(1, 4, size=int(rng.integers(1, 3)))) for _ in range(2)]
        for _ in range(3)
    ]
    silences = [
        [
            SilencePrior.from_probabilities(
                float(rng.uniform(0.0, 1.0)),
                float(rng.uniform(0.2, 2.0)),
                float(rng.uniform(0.2, 2.0)),
            )
            for _ in variants
        ]
        for variants in words
    ]
    lp = _log_softmax(rng.normal(0, 1.5, size=(16, 5)))
    expected = _brute_force(lp, words, 0, 4, silences)
    got = graph_forced_align(lp, words, 0, separator=4, separator_optional=True, silences=silences)
    assert got.path.score + _bonus(got, silences) == pytest.approx(expected, abs=1e-4)
    # Neutral priors change nothing.
    neutral = [[SilencePrior() for _ in v] for v in words]
    plain = graph_forced_align(lp, words, 0, separator=4, separator_optional=True)
    same = graph_forced_align(lp, words, 0, separator=4, separator_optional=True, silences=neutral)
    assert np.array_equal(plain.path.labels, same.path.labels)


def _bonus(got, silences) -> float:
    total = 0.0
    for w in range(1, len(got.variants)):
        before, mine = silences[w - 1][got.variants[w - 1]], silences[w][got.variants[w]]
        if got.separators[w - 1]:
            total += before.silence_after + mine.silence_before
        else:
            total += before.no_silence_after + mine.no_silence_before
    return total


# The built-in phone model's labels with a silence label added: "sil" is the optional separator.
LABELS = LabelSet((*DEMO_PHONE_LABELS.labels, "sil"), blank=0)
TB = TimeBase(16000, 320)


def _doubtful_pause() -> np.ndarray:
    """ "hi hi", with 3 frames between the words where silence and blank are equally likely."""
    runs = [("-", 4), ("h", 3), ("aɪ", 4), ("?", 3), ("h", 3), ("aɪ", 4), ("-", 4)]
    rng = np.random.default_rng(7)
    rows = []
    for label, n in runs:
        for _ in range(n):
            logits = rng.normal(0, 0.3, size=len(LABELS.labels))
            if label == "?":
                logits[[LABELS.index("-"), LABELS.index("sil")]] += 6.0
            else:
                logits[LABELS.index(label)] += 6.0
            rows.append(logits)
    return _log_softmax(np.asarray(rows))


@pytest.mark.parametrize(("probability", "pause"), [("0.99", True), ("0.01", False)])
def test_the_dictionary_silence_probability_decides_an_ambiguous_pause(
    probability: str, pause: bool
) -> None:
    lp = _doubtful_pause()
    dictionary = parse_dictionary([f"hi\t1.0\t{probability}\t1.0\t1.0\th aɪ"])
    tx = phone_transcript("hi hi", LABELS, get_language("eng"), dictionary)
    assert tx.words[0].silences == ((float(probability), 1.0, 1.0),)
    got = align_phone_emissions(lp, tx, LABELS, TB, TB.frame_to_seconds(lp.shape[0]))
    took_silence = LABELS.index("sil") in got.tokenized.tokens
    assert took_silence == pause
    assert [p.label for p in got.phones] == ["h", "aɪ", "h", "aɪ"]


def test_without_silence_columns_nothing_is_weighed() -> None:
    dictionary = parse_dictionary(["hi\th aɪ", "hi\t0.5\th aɪ aɪ"])
    tx = phone_transcript("hi hi", LABELS, get_language("eng"), dictionary)
    assert all(w.silences == () for w in tx.words)
