"""The review queue's fitted ranker: how likely each word is to sit on a transcript error, given
what two models of different kinds heard.

Why fitted: the hand-tuned suspicion (:mod:`aligner_gui.core.corpus.suspicion`) combines the
signals by one fixed formula (each alone, as independent evidence, the two models averaged) with
weights tuned by hand on three corpora; but the signals are neither independent nor equally
telling everywhere (a deleted word shows in its neighbours' figures, a noisy file raises every
figure of its words at once), and three corpora are too few to tune more than a handful of
weights by hand. So for the pairing the app ships (a frame classifier and a CTC model, either one
aligning: the two built-in models) a gradient-boosted tree ensemble, fitted by
``benchmarks/train_review_queue.py`` on 72 generated corpora with planted errors (never the
corpora the benchmark tunes or reports on), turns what both models heard into a chance. The
trees are plain JSON (``resources/review_queue_trees.json``): no pickle is read, and walking them
needs only numpy.

The inputs are the weighted signals of :func:`aligner_gui.core.corpus.signals.heard_signals`
and the figures behind them, of the word and its neighbours, by the model's kind rather than its
role, so that either built-in model may align: each is
judged against its own model's norms over the corpus, so that they compare from corpus to
corpus.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.base.resources import resource_path
from aligner_gui.core.corpus.database import WordRow
from aligner_gui.core.corpus.signals import denial_scores, length_fair_evidence, loss_rate

TREES_FILE = "review_queue_trees.json"
FORMAT = 1

# Signals of the frame classifier's hearing, then of the CTC model's, in the order of the inputs
# (a signal a model does not give, the evidence for a frame classifier, is left out).
DOUBT_KINDS = ("unspoken-text", "untranscribed-audio", "low-score", "long-word")
FRAME_SIGNALS = ("denial", "removable", "unclaimed", "mismatch", "score", "duration", "unaligned",
                 *DOUBT_KINDS)  # fmt: skip
CTC_SIGNALS = ("evidence", "unclaimed", "mismatch", "score", "duration", "unaligned", *DOUBT_KINDS)
# Of each neighbour (the word before, then after, in the same tier).
NEIGHBOUR_INPUTS = ("frame unclaimed", "ctc unclaimed", "frame denial", "ctc evidence", "averaged")
# Each hearing's figures before they became signals (a signal is clipped at 0 and saturates near
# 1, where the order of the worst words is decided): the denial z-score, the evidence per four
# units, the unclaimed, removable and summed nats, and the file's loss per frame. The first four
# of them are also taken from each neighbour.
FIGURES = ("denial z", "evidence per 4 units", "unclaimed nats", "removable nats", "excess nats",
           "file loss per frame")  # fmt: skip
_NEIGHBOUR_FIGURES = 4
FEATURES = (
    *(f"frame {name}" for name in FRAME_SIGNALS),
    *(f"ctc {name}" for name in CTC_SIGNALS),
    *(f"before: {name}" for name in NEIGHBOUR_INPUTS),
    *(f"after: {name}" for name in NEIGHBOUR_INPUTS),
    "units",
    "log frames",
    "seconds",
    "averaged",
    "file median averaged",
    "file max averaged",
    *(f"frame {name}" for name in FIGURES),
    *(f"ctc {name}" for name in FIGURES),
    *(f"{side}: {kind} {name}"
      for side in ("before", "after")
      for kind in ("frame", "ctc")
      for name in FIGURES[:_NEIGHBOUR_FIGURES]),
)  # fmt: skip


class QueueModelError(AlignerError):
    """The fitted ranker's file is missing or not one this version reads."""


@dataclass(frozen=True)
class TreeEnsemble:
    """Binary trees of a gradient-boosted classifier, as flat arrays per tree: at an inner node
    go left when ``x[feature] <= threshold`` (a missing input, NaN, goes where
    ``missing_left`` says); a leaf adds its ``value`` to the log-odds."""

    baseline: float
    features: tuple[str, ...]
    trees: tuple[dict[str, np.ndarray], ...]

    @classmethod
    def from_json(cls, data: dict) -> TreeEnsemble:
        if data.get("format") != FORMAT:
            raise QueueModelError(f"review queue trees of format {data.get('format')!r}, "
                                  f"this version reads {FORMAT}")  # fmt: skip
        trees = tuple(
            {
                "feature": np.asarray(t["feature"], dtype=np.int64),
                "threshold": np.asarray(t["threshold"], dtype=np.float64),
                "left": np.asarray(t["left"], dtype=np.int64),
                "right": np.asarray(t["right"], dtype=np.int64),
                "missing_left": np.asarray(t["missing_left"], dtype=bool),
                "leaf": np.asarray(t["leaf"], dtype=bool),
                "value": np.asarray(t["value"], dtype=np.float64),
            }
            for t in data["trees"]
        )
        return cls(float(data["baseline"]), tuple(data["features"]), trees)

    def log_odds(self, inputs: np.ndarray) -> np.ndarray:
        """Per row of ``inputs`` (one column per feature), the ensemble's log-odds."""
        inputs = np.asarray(inputs, dtype=np.float64)
        total = np.full(inputs.shape[0], self.baseline)
        rows = np.arange(inputs.shape[0])
        for tree in self.trees:
            node = np.zeros(inputs.shape[0], dtype=np.int64)
            inner = ~tree["leaf"][node]
            while inner.any():
                at = node[inner]
                value = inputs[rows[inner], tree["feature"][at]]
                left = np.where(np.isnan(value), tree["missing_left"][at],
                                value <= tree["threshold"][at])  # fmt: skip
                node[inner] = np.where(left, tree["left"][at], tree["right"][at])
                inner = ~tree["leaf"][node]
            total += tree["value"][node]
        return total

    def chance(self, inputs: np.ndarray) -> np.ndarray:
        """Per row, the fitted chance (0..1) that the word is on a transcript error."""
        return 1.0 / (1.0 + np.exp(-self.log_odds(inputs)))


@lru_cache(maxsize=1)
def shipped_ranker() -> TreeEnsemble:
    """The ranker fitted for the built-in models (read once per process)."""
    return load_ranker(resource_path(TREES_FILE))


def load_ranker(path: Path) -> TreeEnsemble:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise QueueModelError(f"cannot read the review queue's trees {path}: {exc}") from exc
    ranker = TreeEnsemble.from_json(data)
    if ranker.features != FEATURES:
        raise QueueModelError(f"{path} was fitted on other inputs than this version computes")
    return ranker


def ranker_inputs(
    words: Sequence[WordRow],
    frame: Hearing,
    ctc: Hearing,
    averaged: Sequence[float],
) -> np.ndarray:
    """One row of :data:`FEATURES` per word of one file (the aligner's ``words``): ``frame`` and
    ``ctc`` are the two models' hearings of them, ``averaged`` the hand-tuned suspicion of both
    (before a neighbour gives way)."""
    n = len(words)
    out = np.full((n, len(FEATURES)), np.nan)
    if n == 0:
        return out
    median, worst = float(np.median(averaged)), float(np.max(averaged))
    frame_figures, ctc_figures = hearing_figures(frame.words), hearing_figures(ctc.words)
    for i, word in enumerate(words):
        heard, other = frame.signals[i], ctc.signals[i]
        row = [heard.get(k, 0.0) for k in FRAME_SIGNALS] + [other.get(k, 0.0) for k in CTC_SIGNALS]
        beside = [j if 0 <= j < n and words[j].tier == word.tier else None for j in (i - 1, i + 1)]
        for j in beside:
            if j is None:
                row += [math.nan] * len(NEIGHBOUR_INPUTS)
            else:
                row += [frame.signals[j].get("unclaimed", 0.0), ctc.signals[j].get("unclaimed", 0.0),
                        frame.signals[j].get("denial", 0.0), ctc.signals[j].get("evidence", 0.0),
                        averaged[j]]  # fmt: skip
        row += [
            float(word.chars),
            math.log1p(word.frames) if word.frames is not None else math.nan,
            word.end - word.start,
            averaged[i],
            median,
            worst,
            *frame_figures[i],
            *ctc_figures[i],
        ]
        for j in beside:
            for figures in (frame_figures, ctc_figures):
                row += (
                    [math.nan] * _NEIGHBOUR_FIGURES
                    if j is None
                    else figures[j][:_NEIGHBOUR_FIGURES]
                )
        out[i] = row
    return out


@dataclass(frozen=True)
class Hearing:
    """One model's hearing of a file's words: its rows (the aligner's words matched by index; a
    word it did not hear is None) and its weighted signals per word."""

    words: Sequence[WordRow | None]
    signals: Sequence[dict[str, float]]


def hearing_figures(words: Sequence[WordRow | None]) -> list[list[float]]:
    """:data:`FIGURES` per word of one hearing (NaN where unknown)."""
    heard = [w for w in words if w is not None]
    denial = dict(zip((w.idx for w in heard), denial_scores(heard), strict=True))
    rate = loss_rate(heard)
    out = []
    for word in words:
        if word is None:
            out.append([math.nan] * len(FIGURES))
            continue
        figures = (denial[word.idx], length_fair_evidence(word), word.unclaimed, word.removable,
                   word.excess, rate)  # fmt: skip
        out.append([math.nan if f is None else float(f) for f in figures])
    return out
