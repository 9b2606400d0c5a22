"""Scoring a model's words and phones against hand labels (benchmarks/boundary_error.py).

* Gold phones come in three notations in the shared corpus: ARPAbet (bobby), IPA (mary) and SAMPA
  (damon); :func:`gold_phone` maps each to the inventory of :mod:`.phones`. Labels that are not
  phones (bobby's ``PT`` closure mark) keep their boundaries but are left out of the phone error
  rate.
* A phone model aligns the transcript through the app's own pipeline with a dictionary of each
  word's phones from Flite's lexicon (CMUdict plus letter-to-sound rules, the pronunciations
  Flite's voices speak in training): :func:`flite_dictionary`.
* Phone boundaries (issue 10): every gold boundary (each phone's start and end, merged when equal)
  is matched to the nearest predicted one: mean distance, share within 20 ms; and precision,
  recall and F1 at 20 ms under a one-to-one matching, so that over-segmenting cannot win.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aligner_gui.core.pronunciation.dictionary import PronunciationDictionary, parse_dictionary
from aligner_gui.demo import flite
from aligner_gui.demo.phones import INVENTORY, PhoneMappingError, arpabet_to_ipa

# mary's IPA and damon's SAMPA, to the inventory (anything else: not scored as a phone).
_IPA = {"r": "ɹ", "o": "oʊ", "œ": "ɝ", "g": "ɡ", "e": "eɪ", "ɚ": "ɝ", "ɜ": "ɝ", "a": "ɑ",
        "ɒ": "ɑ", "ɐ": "ə", "ɾ": "t", "ɫ": "l", "ʔ": ""}  # fmt: skip
_SAMPA = {"eI": "eɪ", "@": "ə", "D": "ð", "V": "ʌ", "A": "ɑ", "aI": "aɪ", "T": "θ", "S": "ʃ",
          "Z": "ʒ", "N": "ŋ", "I": "ɪ", "E": "ɛ", "{": "æ", "U": "ʊ", "O": "ɔ", "r": "ɹ",
          "tS": "tʃ", "dZ": "dʒ", "aU": "aʊ", "OI": "ɔɪ", "@U": "oʊ", "oU": "oʊ", "3`": "ɝ",
          "3": "ɝ", "u": "u", "i": "i", "g": "ɡ"}  # fmt: skip
THRESHOLD = 0.020


def gold_phone(label: str, notation: str) -> str:
    """Inventory phone of a gold label in ``notation`` ("arpabet", "ipa", "sampa"), or ""."""
    if notation == "arpabet":
        try:
            mapped = arpabet_to_ipa(label)
        except PhoneMappingError:
            return ""
        return mapped[0] if len(mapped) == 1 else ""
    table = _IPA if notation == "ipa" else _SAMPA
    phone = table.get(label, label)
    return phone if phone in INVENTORY else ""


def pronunciations(words: Sequence[str]) -> list[list[str]]:
    """Each word's phones as Flite's US English front end says them (one sentence, in context)."""
    speech = flite.synthesize(" ".join(words), "slt")  # a clustergen voice: no diphone gaps
    if len(speech.words) != len(words):
        raise PhoneMappingError(f"flite spoke {len(speech.words)} words for {len(words)}")
    return [[p.phone for p in w.phones] for w in speech.words]


def flite_dictionary(words: Sequence[str]) -> PronunciationDictionary:
    """A pronunciation dictionary (the app's, MFA's format) of ``words`` from Flite's front end,
    so a phone model aligns them through the app's own pipeline."""
    lines = [
        f"{word}\t{' '.join(phones)}"
        for word, phones in zip(words, pronunciations(words), strict=True)
    ]
    return parse_dictionary(lines, source="flite")


def boundaries(spans: Sequence[tuple[float, float]]) -> np.ndarray:
    """Sorted unique edges of intervals (edges closer than 1 ms merged)."""
    edges = np.sort(np.asarray([t for span in spans for t in span], dtype=np.float64))
    if edges.size == 0:
        return edges
    keep = np.concatenate([[True], np.diff(edges) > 0.001])
    return edges[keep]


def closed_spans(spans: Sequence[tuple[float, float, int]]) -> list[tuple[float, float]]:
    """Phone spans (start, end, word index) with the blank gaps inside each word closed at their
    midpoints, as a phones tier nested in words (MFA's) draws them; word edges stay."""
    out: list[tuple[float, float]] = []
    for k, (start, end, word) in enumerate(spans):
        if k > 0 and spans[k - 1][2] == word:
            start = (spans[k - 1][1] + start) / 2
        if k + 1 < len(spans) and spans[k + 1][2] == word:
            end = (end + spans[k + 1][0]) / 2
        out.append((start, end))
    return out


@dataclass(frozen=True)
class BoundaryScore:
    distances: np.ndarray  # per gold boundary: seconds to the nearest predicted one
    matched: int  # one-to-one matches within THRESHOLD
    gold: int
    predicted: int

    @property
    def precision(self) -> float:
        return self.matched / max(1, self.predicted)

    @property
    def recall(self) -> float:
        return self.matched / max(1, self.gold)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def score_boundaries(
    gold: np.ndarray, predicted: np.ndarray, threshold: float = THRESHOLD
) -> BoundaryScore:
    """Nearest-boundary distances and a greedy one-to-one matching (closest pairs first)."""
    gold, predicted = np.asarray(gold, float), np.asarray(predicted, float)
    if gold.size == 0 or predicted.size == 0:
        return BoundaryScore(np.full(gold.size, np.inf), 0, gold.size, predicted.size)
    gap = np.abs(gold[:, None] - predicted[None, :])
    distances = gap.min(axis=1)
    pairs = sorted(zip(*np.nonzero(gap <= threshold), strict=True), key=lambda ij: gap[ij])
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for i, j in pairs:
        if i not in used_gold and j not in used_pred:
            used_gold.add(int(i))
            used_pred.add(int(j))
    return BoundaryScore(distances, len(used_gold), gold.size, predicted.size)


def merge_scores(scores: Sequence[BoundaryScore]) -> BoundaryScore:
    return BoundaryScore(
        np.concatenate([s.distances for s in scores]) if scores else np.zeros(0),
        sum(s.matched for s in scores),
        sum(s.gold for s in scores),
        sum(s.predicted for s in scores),
    )
