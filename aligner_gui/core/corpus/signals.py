"""Each word's review signals, from one model's hearing of a corpus file.

What the review queue (:mod:`aligner_gui.core.corpus.suspicion`) is made of. Each signal is
mapped to [0, 1] and weighted by how often it meant a real error in
``benchmarks/review_queue.py``:

``evidence`` (weight 1.0; the main signal for a CTC model)
    the log-probability (nats) the forced path gives up, frame by frame, against the label the
    model finds most probable there, summed over the word's frames and the worse of the two gaps
    beside it (:attr:`WordRow.excess`): what the model hears but the transcript denies. A
    substituted word, an inserted one (the model hears silence or other letters), a deleted word
    or missing sentence (the model hears speech in a gap or inside a stretched neighbour) all
    lose many nats. Counted per square root of the word's units (as for four letters): a long
    word the model misreads loses more nats in all than a short one only by being long, and
    rare long words are what the model misreads most. Judged by *contrast*: minus the larger of
    the median of the three words on each side and the file's 75th percentile, so that a
    stretch the model reads poorly everywhere (a fast or unusual voice, noise) does not outrank
    one isolated error. Mapped to ``1 - exp(-contrast / 20 nats)``.
``unclaimed`` (1.0; finds what the evidence misses)
    speech the transcript does not cover: the nats lost over runs of units (letters, phones) the
    model hears where the forced path emits no unit (blank or delimiter) within a frame either
    side, or holds one unit over them for more than five times the file's median hold, over the
    word and the worse gap beside it (:attr:`WordRow.unclaimed`). A deleted word or a missing
    sentence leaves such runs: a CTC model's path parks in blank, a frame classifier's (which
    gives every frame of a sound its unit, blank being silence) stretches a neighbour's phone
    across them. A word the model merely misreads does not (the path emits its own units on the
    same frames), so this tells a deletion from a misreading where the evidence cannot. Judged by
    contrast like the evidence, mapped to ``1 - exp(-contrast / 8 nats)`` (20 nats for a frame
    classifier, which loses nats on every frame of the uncovered speech, not only on spikes).

A *frame classifier* (the built-in phone model) is told from a CTC model by the share of the
words' frames its path gives to their units (:attr:`WordRow.held`): about a third for the CTC
letter model (a spike per letter, blank between), nearly all for the phone model; over 0.6 in the
corpus (:attr:`CorpusNorms.frame_level`). Its emissions are not spikes: a long word it misreads
here and there loses as many nats as a short word it denies outright, so the evidence is
replaced by two figures made for it:

``denial`` (1.0, frame classifiers; replaces the evidence)
    the nats lost over the word's own frames beyond the file's rate per frame, per square root
    of its frames (:func:`denial_scores`, a z-score): a substituted word or an inserted one
    squeezed into a frame per phone is denied on every frame, however short. Judged by contrast
    like the evidence, mapped to ``1 - exp(-contrast / 4)``.
``removable`` (1.0, frame classifiers)
    the nats the path would gain if the word were not in the transcript, its frames given to
    blank or the nearest units before and after it (:attr:`WordRow.removable`). An inserted
    word gains (its frames hold a neighbour's sound or silence); a spoken word, even misread,
    loses. Above 4 nats, mapped to ``1 - exp(-(gain - 4) / 6 nats)``.

(Measured on the tuning corpora, giving a CTC model these two as well put its deleted words
and missing sentences behind clean files: only the frame classifier gets them.)
``unaligned`` (1.0)
    nothing in the word is in the model's alphabet, so its times are interpolated.
``duration`` (0.3)
    seconds per unit (character or phone) against the file's median: within a factor 2 nothing, a factor 8 the
    full signal (a deleted word is often absorbed by a neighbour, which then lasts too long).
``doubt`` (0.05)
    the word lies in a doubtful region of :mod:`aligner_gui.core.alignment.doubt`. Those regions
    are drawn from the same emissions as the evidence but with fixed thresholds, and on the
    benchmark weighing them more put clean files with a noisy stretch ahead of real errors.
``score`` and ``mismatch`` (0.15 each)
    the word's mean frame probability below this corpus's median, as a share of it; and the
    edit distance between greedy recognition in the word's span and its units, above the
    corpus median. Both say less than the evidence (which weighs every frame by how sure the
    model is), so they only break ties.

They combine as independent evidence, ``1 - prod(1 - weight x signal)``
(:func:`combine_signals`); the word's ``reason`` names the strongest. Words recorded before a
figure existed (unclaimed: database layout 1; inside, frames, held, removable: layouts 1-2)
lack it: its signal is left out until they are aligned again (such a corpus counts as CTC).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aligner_gui.core.corpus.database import WordRow
from aligner_gui.core.corpus.second_opinion import either

WEIGHTS = {
    "evidence": 1.0,
    "denial": 1.0,
    "removable": 1.0,
    "unaligned": 1.0,
    "unclaimed": 1.0,
    "duration": 0.3,
    "score": 0.15,
    "mismatch": 0.15,
}
DOUBT_WEIGHTS = {
    "unspoken-text": 0.05,
    "untranscribed-audio": 0.05,
    "low-score": 0.05,
    "long-word": 0.03,
}
EVIDENCE_SCALE = 20.0  # nats of contrast for 63 % of the evidence signal
UNCLAIMED_SCALE = 8.0  # the same for the unclaimed-speech signal
# A frame classifier loses nats on every frame of uncovered speech, a CTC model on its spikes.
FRAME_UNCLAIMED_SCALE = 20.0
DENIAL_SCALE = 4.0  # contrast of the per-frame denial (a z-score) for 63 % of its signal
REMOVABLE_FLOOR = 4.0  # nats a word's removal must gain before it counts
REMOVABLE_SCALE = 6.0  # then nats for 63 % of the signal
# Share of the words' frames the path gives their units, above which the model is a frame
# classifier (a unit on every frame of its sound) rather than CTC (a spike, then blank).
FRAME_LEVEL_SHARE = 0.6  # (measured: 0.35 for the demo letter model, 0.97 for its phone model)
_NEIGHBOURS = 3  # words on each side that set a word's local baseline
_REFERENCE_LETTERS = 4  # the evidence of a word this long is taken as it is


@dataclass(frozen=True)
class CorpusNorms:
    """What this model typically gives on this corpus."""

    median_score: float  # of aligned words' mean frame probabilities
    median_mismatch: float
    # The model is a frame classifier (see :func:`is_frame_level`), decided over the corpus:
    # a few files' shares stray across the line, and one corpus is aligned by one model.
    frame_level: bool = False


def corpus_norms(words: Sequence[WordRow]) -> CorpusNorms:
    scores = [w.score for w in words if w.aligned and w.score is not None]
    mismatches = [w.mismatch for w in words if w.aligned and w.mismatch is not None]
    return CorpusNorms(
        float(np.median(scores)) if scores else 1.0,
        float(np.median(mismatches)) if mismatches else 0.0,
        is_frame_level(words),
    )


def evidence_contrast(excess: Sequence[float | None]) -> list[float]:
    """Each word's evidence above its neighbourhood's and the file's typical level (>= 0)."""
    values = np.array([0.0 if e is None else e for e in excess], dtype=np.float64)
    if values.size == 0:
        return []
    file_level = float(np.percentile(values, 75))
    out = []
    for i, value in enumerate(values):
        around = np.concatenate(
            [values[max(0, i - _NEIGHBOURS) : i], values[i + 1 : i + 1 + _NEIGHBOURS]]
        )
        local = float(np.median(around)) if around.size else 0.0
        out.append(max(0.0, float(value) - max(local, file_level)))
    return out


def length_fair_evidence(word: WordRow) -> float | None:
    """The word's evidence per square root of its letters, scaled to a four-letter word."""
    if word.excess is None:
        return None
    return word.excess * math.sqrt(_REFERENCE_LETTERS / max(word.chars, 1))


def is_frame_level(words: Sequence[WordRow]) -> bool:
    """Whether these words were aligned by a frame classifier (the path gives most of a word's
    frames to its units) rather than a CTC model (a spike per unit, blank between)."""
    known = [(w.held, w.frames) for w in words if w.aligned and w.held is not None and w.frames]
    total = sum(frames for _, frames in known)
    return total > 0 and sum(held for held, _ in known) / total > FRAME_LEVEL_SHARE


def loss_rate(words: Sequence[WordRow]) -> float | None:
    """Nats the path loses per frame over the file's aligned words (None: no frames known)."""
    known = [w for w in words if w.aligned and w.inside is not None and w.frames]
    frames = sum(w.frames or 0 for w in known)
    return sum(w.inside or 0.0 for w in known) / frames if frames else None


def denial_scores(words: Sequence[WordRow]) -> list[float | None]:
    """Per word, how far the nats lost over its own frames exceed the file's rate per frame, in
    standard units for that many frames: ``(inside - frames x rate) / sqrt(frames)``.

    A long word the model misreads here and there loses many nats only by being long; a word the
    model denies on every frame (inserted and squeezed, or substituted) stands out however short.
    """
    rate = loss_rate(words)
    if rate is None:
        return [None] * len(words)
    return [
        (w.inside - w.frames * rate) / math.sqrt(w.frames)
        if w.aligned and w.inside is not None and w.frames
        else None
        for w in words
    ]


def word_signals(
    word: WordRow,
    norms: CorpusNorms,
    typical_char_seconds: float,
    contrast: float = 0.0,
    unclaimed_contrast: float = 0.0,
    denial_contrast: float | None = None,
    frame_level: bool = False,
) -> dict[str, float]:
    """Each signal in [0, 1], already weighted. ``frame_level``: the file was aligned by a frame
    classifier, judged by denial and removability instead of the summed evidence."""
    if not word.aligned:
        return {"unaligned": WEIGHTS["unaligned"]}
    signals: dict[str, float] = {}
    if frame_level and denial_contrast is not None:
        signals["denial"] = WEIGHTS["denial"] * (1.0 - math.exp(-denial_contrast / DENIAL_SCALE))
    elif word.excess is not None:
        signals["evidence"] = WEIGHTS["evidence"] * (1.0 - math.exp(-contrast / EVIDENCE_SCALE))
    if frame_level and word.removable is not None:
        gain = max(0.0, word.removable - REMOVABLE_FLOOR)
        signals["removable"] = WEIGHTS["removable"] * (1.0 - math.exp(-gain / REMOVABLE_SCALE))
    if word.unclaimed is not None:
        scale = FRAME_UNCLAIMED_SCALE if frame_level else UNCLAIMED_SCALE
        signals["unclaimed"] = WEIGHTS["unclaimed"] * (1.0 - math.exp(-unclaimed_contrast / scale))
    if word.mismatch is not None:
        excess = (word.mismatch - norms.median_mismatch) / max(1.0 - norms.median_mismatch, 1e-6)
        signals["mismatch"] = WEIGHTS["mismatch"] * _clip(excess)
    if word.score is not None and norms.median_score > 0:
        signals["score"] = WEIGHTS["score"] * _clip(1.0 - word.score / norms.median_score)
    if typical_char_seconds > 0 and word.chars > 0 and word.end > word.start:
        ratio = (word.end - word.start) / word.chars / typical_char_seconds
        off = (abs(math.log(ratio)) - math.log(2.0)) / math.log(4.0)
        signals["duration"] = WEIGHTS["duration"] * _clip(off)
    for kind in filter(None, word.doubt.split("+")):
        signals[kind] = max(signals.get(kind, 0.0), DOUBT_WEIGHTS.get(kind, 0.2))
    return signals


def heard_signals(words: Sequence[WordRow], norms: CorpusNorms) -> list[dict[str, float]]:
    """Each word's weighted signals (:func:`word_signals`) from one model's hearing of a file."""
    per_char = [
        (w.end - w.start) / w.chars for w in words if w.aligned and w.chars > 0 and w.end > w.start
    ]
    typical = float(np.median(per_char)) if per_char else 0.0
    contrasts = evidence_contrast([length_fair_evidence(w) for w in words])
    unclaimed = evidence_contrast([w.unclaimed for w in words])
    denials = denial_scores(words)
    denial_contrasts = evidence_contrast(denials)
    return [
        word_signals(
            word,
            norms,
            typical,
            contrasts[i],
            unclaimed[i],
            None if denials[i] is None else denial_contrasts[i],
            norms.frame_level,
        )
        for i, word in enumerate(words)
    ]


def combine_signals(signals: dict[str, float]) -> tuple[float, str]:
    """Independent evidence, ``1 - prod(1 - signal)``, and the strongest signal's name."""
    suspicion = either(signals.values())
    strongest = max(signals, key=lambda k: signals[k], default="")
    return suspicion, strongest if suspicion > 0 else ""


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))
