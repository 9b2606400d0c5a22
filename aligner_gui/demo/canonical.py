"""Training targets in the transcript's pronunciation, at the times the engine said its phones.

The app aligns the phones a dictionary or G2P gives for the transcript (espeak-ng's en-us for
English), whatever accent the speaker has. A voice with another accent says other phones for the
same word (a Scottish or Welsh vowel, a non-rhotic r). Taught the engine's own phones, the model
learns to hear the accent's phone; aligning, it then denies the transcript's phone on every frame
of it, which is also what a wrong word in the transcript looks like (the review queue's clean
false alarms on held-out accents were such words). Taught the transcript's phone at the engine's
times, it learns what an aligner needs: where each phone of the *expected* pronunciation is,
in any accent, as MFA's acoustic models are trained on dictionary pronunciations.

Per word, the engine's phones and the expected ones are matched by an edit-distance alignment
(:func:`match_phones`); each expected phone takes the time of the engine phones matched to it,
an engine phone with no match goes to the expected phone before it (the first word's to the one
after), and an expected phone with no engine phone takes the second half of its predecessor's
time (the first half of its successor's if it is first).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from aligner_gui.core.base.errors import TranscriptError
from aligner_gui.core.base.labels import LabelSet
from aligner_gui.core.pronunciation.languages import get_language
from aligner_gui.core.pronunciation.lexicon import phone_transcript

_INDEL = 1.0
_VOWEL_VOWEL = 0.6  # a different vowel is the usual accent difference
_CONSONANT_CONSONANT = 0.8
_ACROSS = 1.2  # a vowel for a consonant: rather an insertion and a deletion
_VOWEL_LETTERS = set("ɑæʌɔəɛɝɪiʊuaeoɚɜɒɐ")


def expected_phones(
    words: Sequence[str], labels: LabelSet, language: str = "eng"
) -> dict[str, tuple[int, ...]]:
    """Each distinct word's first pronunciation (label ids) as the app would align it: the
    language's G2P, mapped into ``labels``. Words with none are left out."""
    distinct = sorted(set(words))
    if not distinct:
        return {}
    transcript = phone_transcript(" ".join(distinct), labels, get_language(language))
    if len(transcript.words) != len(distinct):
        # A token the app splits or drops: pronounce those words one by one.
        alone = {word: _pronounced_alone(word, labels, language) for word in distinct}
        return {word: ids for word, ids in alone.items() if ids}
    return {
        word: phone_word.variants[0]
        for word, phone_word in zip(distinct, transcript.words, strict=True)
        if phone_word.variants
    }


def _pronounced_alone(word: str, labels: LabelSet, language: str) -> tuple[int, ...]:
    """One word's first pronunciation as the app aligns it (empty: it has none)."""
    try:
        transcript = phone_transcript(word, labels, get_language(language))
    except TranscriptError:  # nothing to pronounce, or nothing in the model's phones
        return ()
    return tuple(t for w in transcript.words if w.variants for t in w.variants[0])


def match_phones(
    engine: Sequence[int], expected: Sequence[int], labels: LabelSet
) -> list[tuple[int | None, int | None]]:
    """A cheapest monotone alignment of the engine's phones with the expected ones, as pairs
    (engine index or None, expected index or None), in order."""
    n, m = len(engine), len(expected)
    cost = np.zeros((n + 1, m + 1))
    cost[:, 0] = np.arange(n + 1) * _INDEL
    cost[0, :] = np.arange(m + 1) * _INDEL
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i, j] = min(
                cost[i - 1, j - 1] + _substitution(engine[i - 1], expected[j - 1], labels),
                cost[i - 1, j] + _INDEL,
                cost[i, j - 1] + _INDEL,
            )
    pairs: list[tuple[int | None, int | None]] = []
    i, j = n, m
    while i > 0 or j > 0:
        if (
            i > 0
            and j > 0
            and np.isclose(
                cost[i, j],
                cost[i - 1, j - 1] + _substitution(engine[i - 1], expected[j - 1], labels),
            )
        ):
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif i > 0 and np.isclose(cost[i, j], cost[i - 1, j] + _INDEL):
            pairs.append((i - 1, None))
            i -= 1
        else:
            pairs.append((None, j - 1))
            j -= 1
    return pairs[::-1]


def expected_spans(spans: np.ndarray, expected: Sequence[int], labels: LabelSet) -> np.ndarray:
    """One word's engine phone spans (k, 3: start s, end s, label id) as spans of the
    ``expected`` phones (m, 3), covering the same time."""
    if len(expected) == 0 or len(spans) == 0:
        return spans
    engine = [int(label) for label in spans[:, 2]]
    times: list[list[float]] = [[] for _ in expected]
    orphans: list[int] = []  # engine phones before the first expected phone with a match
    last: int | None = None
    for e, x in match_phones(engine, expected, labels):
        if e is None:
            continue
        target = x if x is not None else last
        if target is None:
            orphans.append(e)
            continue
        times[target] += [float(spans[e, 0]), float(spans[e, 1])]
        if x is not None:
            last = x
    if orphans:
        first = next((j for j, t in enumerate(times) if t), 0)
        for e in orphans:
            times[first] += [float(spans[e, 0]), float(spans[e, 1])]
    bounds = [(min(t), max(t)) if t else None for t in times]
    _share_time(bounds)
    return np.asarray(
        [(start, end, label) for (start, end), label in zip(bounds, expected, strict=True)],  # type: ignore[misc]
        dtype=np.float64,
    ).reshape(-1, 3)


def _share_time(bounds: list[tuple[float, float] | None]) -> None:
    """Give each expected phone without time half of a neighbour's (in place)."""
    for j, span in enumerate(bounds):
        if span is not None:
            continue
        before = next((k for k in range(j - 1, -1, -1) if bounds[k] is not None), None)
        if before is not None:
            start, end = bounds[before]  # type: ignore[misc]
            middle = (start + end) / 2
            bounds[before] = (start, middle)
            bounds[j] = (middle, end)
            # Phones between them (none had time) are empty until their turn: keep order.
            continue
        after = next(k for k in range(j + 1, len(bounds)) if bounds[k] is not None)
        start, end = bounds[after]  # type: ignore[misc]
        middle = (start + end) / 2
        bounds[j] = (start, middle)
        bounds[after] = (middle, end)


def _substitution(a: int, b: int, labels: LabelSet) -> float:
    if a == b:
        return 0.0
    vowels = _is_vowel(labels.labels[a]), _is_vowel(labels.labels[b])
    if all(vowels):
        return _VOWEL_VOWEL
    if not any(vowels):
        return _CONSONANT_CONSONANT
    return _ACROSS


def _is_vowel(label: str) -> bool:
    return any(ch in _VOWEL_LETTERS for ch in label)
