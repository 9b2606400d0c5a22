"""How urgently each word and file of a corpus needs a human: the review queue.

A forced alignment never says "I failed": a wrong transcript is squeezed into the audio anyway.
Each word therefore gets a *suspicion* in [0, 1] from independent signals, each mapped to [0, 1]
and weighted by how often it meant a real error in ``benchmarks/review_queue.py``:

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

They combine as independent evidence, ``1 - prod(1 - weight x signal)``; the word's ``reason``
names the strongest. When a second model heard the file too (the second opinion, see
:mod:`aligner_gui.core.corpus.second_opinion`), the same signals are judged on its emissions, and
the two models' evidence is averaged before it is combined. One error usually makes two
neighbours suspect (the gap between them counts for both): a word next to a more suspect word
of its tier keeps half its suspicion, so
that the queue's next place goes to another error, not to the same one again. A file's
suspicion is its worst word's plus a tenth of the mean of its five worst, so of two files with
an equally bad word the one with more trouble comes first. Words recorded before a figure
existed (unclaimed: database layout 1; inside, frames, held, removable: layouts 1-2) lack it:
its signal is left out until they are aligned again (such a corpus counts as CTC).

**The fitted ranker.** When the corpus was heard by one frame classifier and one CTC model (the
two built-in models, each the other's default second opinion), the hand-tuned suspicion above
is not the last word: a tree ensemble fitted on generated corpora with planted errors
(:mod:`aligner_gui.core.corpus.queue_model`) takes both models' signals, the neighbours' and the
hand-tuned suspicion itself, and gives each word the chance that it sits on a transcript error;
the word's suspicion is that chance on this scale (:func:`suspicion_of_chance`), its reason still
the strongest signal. On the three tuning corpora it put 90 / 88 / 72 % of the planted errors
among the first K suspects, against 81 / 86 / 64 % for the hand-tuned suspicion
(benchmarks/README.md, "Fifth round"). Any other pairing, or one model alone, is ranked by the
hand-tuned suspicion: the ranker was fitted on these two models' hearings only.

The queue (:func:`next_suspect`) is every word with suspicion at least ``SUSPECT_THRESHOLD`` in
files not yet reviewed, most suspect first across the whole corpus (ties: file, then word
order). Failed files are not in it (the report lists them): there is nothing to look at.

What the user has looked at leaves the queue. A file marked *reviewed* drops out entirely. When
a corpus file is saved from the window, its words in the database are replaced by the saved ones
(:mod:`aligner_gui.core.corpus.saved_words`): a word whose label and boundaries are unchanged keeps
its features and suspicion; a word the user relabelled, moved or inserted is *corrected*: its
suspicion is 0 and its reason ``EDITED_REASON``, which :func:`rescore_corpus` keeps, so a
corrected word never comes back as a suspect (the file, marked "edited", stays in the queue for
its other words).
Measured on generated corpora with planted errors: see benchmarks/README.md.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aligner_gui.core.corpus.database import ALIGNED, EDITED, CorpusDatabase, WordRow
from aligner_gui.core.corpus.queue_model import QueueModelError, ranker_inputs, shipped_ranker
from aligner_gui.core.corpus.second_opinion import average_opinions, either, second_signals

SUSPECT_THRESHOLD = 0.35
# The fitted ranker's chance that puts a word in the queue (see :func:`suspicion_of_chance`):
# on the tuning corpora, where 2-3 % of the words are on a planted error, 5 % lets in 5-7 % of
# the words (the hand-tuned threshold let in 11-15 %: more words than errors to review).
RANKER_QUEUE_CHANCE = 0.05
_CHANCE_POWER = math.log(SUSPECT_THRESHOLD) / math.log(RANKER_QUEUE_CHANCE)
EDITED_REASON = "edited"  # a word the user corrected: out of the queue for good
_QUEUE_STATUSES = (ALIGNED, EDITED)

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
NEIGHBOUR_SHARE = 0.5  # of its suspicion a word keeps beside a more suspect one
_NEIGHBOURS = 3  # words on each side that set a word's local baseline
_REFERENCE_LETTERS = 4  # the evidence of a word this long is taken as it is
_TOP_WORDS = 5


@dataclass(frozen=True)
class CorpusNorms:
    """What this model typically gives on this corpus."""

    median_score: float  # of aligned words' mean frame probabilities
    median_mismatch: float
    # The model is a frame classifier (see :func:`is_frame_level`), decided over the corpus:
    # a few files' shares stray across the line, and one corpus is aligned by one model.
    frame_level: bool = False


@dataclass(frozen=True)
class Suspect:
    path: str  # the file, relative to the corpus
    idx: int  # the word's index in the file
    tier: str
    label: str
    start: float
    end: float
    suspicion: float
    reason: str
    file_suspicion: float


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


def denial_scores(words: Sequence[WordRow]) -> list[float | None]:
    """Per word, how far the nats lost over its own frames exceed the file's rate per frame, in
    standard units for that many frames: ``(inside - frames x rate) / sqrt(frames)``.

    A long word the model misreads here and there loses many nats only by being long; a word the
    model denies on every frame (inserted and squeezed, or substituted) stands out however short.
    """
    known = [w for w in words if w.aligned and w.inside is not None and w.frames]
    frames = sum(w.frames or 0 for w in known)
    if not frames:
        return [None] * len(words)
    rate = sum(w.inside or 0.0 for w in known) / frames
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


def score_words(
    words: Sequence[WordRow],
    norms: CorpusNorms,
    second: Sequence[WordRow] = (),
    second_norms: CorpusNorms | None = None,
) -> tuple[list[tuple[float, str]], float | None]:
    """(suspicion, reason) per word of one file, and the file's suspicion.

    ``second``: the same file's words as the second opinion heard them (judged against
    ``second_norms``, its own corpus's), averaged in word by word (see
    :mod:`aligner_gui.core.corpus.second_opinion`).
    """
    opinions = hear_both(words, norms, second, second_norms)
    ranked = None if opinions.inputs is None else shipped_ranker().chance(opinions.inputs)
    return finish_file(words, opinions, ranked)


@dataclass(frozen=True)
class Opinions:
    """One file's hand-tuned (suspicion, reason) per word, and the fitted ranker's inputs when
    the file was heard by one frame classifier and one CTC model (None otherwise)."""

    scored: list[tuple[float, str]]
    inputs: np.ndarray | None


def hear_both(
    words: Sequence[WordRow],
    norms: CorpusNorms,
    second: Sequence[WordRow] = (),
    second_norms: CorpusNorms | None = None,
) -> Opinions:
    heard = heard_signals(words, norms)
    if not second or second_norms is None:
        return Opinions([combine_signals(signals) for signals in heard], None)
    theirs = second_signals(words, heard, second, heard_signals(second, second_norms))
    scored = average_opinions(heard, theirs)
    if norms.frame_level == second_norms.frame_level:
        return Opinions(scored, None)  # not the pairing the ranker was fitted on
    frame, ctc = (heard, theirs) if norms.frame_level else (theirs, heard)
    return Opinions(scored, ranker_inputs(words, frame, ctc, [s for s, _ in scored]))


def finish_file(
    words: Sequence[WordRow], opinions: Opinions, chances: np.ndarray | None
) -> tuple[list[tuple[float, str]], float | None]:
    """The words' final (suspicion, reason) and the file's suspicion: the ranker's chances (as
    :func:`suspicion_of_chance`) when given, else the hand-tuned suspicion; then a neighbour of a
    more suspect word gives way, and corrected words stay out of the queue."""
    scored = opinions.scored
    if chances is not None:
        scored = [(suspicion_of_chance(float(p)), reason if p > 0 else "")
                  for p, (_, reason) in zip(chances, scored, strict=True)]  # fmt: skip
    scored = _second_to_a_neighbour(words, scored)
    scored = [
        (0.0, EDITED_REASON) if w.reason == EDITED_REASON else found
        for w, found in zip(words, scored, strict=True)
    ]
    return scored, file_suspicion([s for s, _ in scored])


def suspicion_of_chance(chance: float) -> float:
    """The fitted chance that a word is on an error, on the suspicion's scale: monotone (the
    order is the ranker's), with ``RANKER_QUEUE_CHANCE`` at ``SUSPECT_THRESHOLD``, so that the
    queue holds the words with at least that chance."""
    return chance**_CHANCE_POWER


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


def _second_to_a_neighbour(
    words: Sequence[WordRow], scored: list[tuple[float, str]]
) -> list[tuple[float, str]]:
    """A word beside a more suspect word of the same tier keeps ``NEIGHBOUR_SHARE`` of its
    suspicion (both neighbours of one error should not take two places in the queue)."""
    out = list(scored)
    for i, (suspicion, reason) in enumerate(scored):
        beside = [
            scored[j][0]
            for j in (i - 1, i + 1)
            if 0 <= j < len(words) and words[j].tier == words[i].tier
        ]
        if beside and max(beside) > suspicion:
            out[i] = (suspicion * NEIGHBOUR_SHARE, reason)
    return out


def file_suspicion(word_suspicions: Sequence[float]) -> float | None:
    """The worst word's suspicion plus a tenth of the mean of the five worst (None: no words)."""
    if not word_suspicions:
        return None
    worst = sorted(word_suspicions, reverse=True)
    return worst[0] + 0.1 * float(np.mean(worst[:_TOP_WORDS]))


def rescore_corpus(db: CorpusDatabase) -> None:
    """Recompute every word's and file's suspicion against the whole corpus's norms.

    Run after a batch: the norms (median score and mismatch) change as files are added, and a
    file's rank must not depend on the order the batch happened to align them in. The second
    opinion's words are judged against their own model's norms.
    """
    heard = corpus_opinions(db)
    chances = _ranked_together([opinions for _, _, opinions in heard])
    file_scores: list[tuple[str, float | None]] = []
    word_scores: list[tuple[str, int, float, str]] = []
    for (path, words, opinions), ranked in zip(heard, chances, strict=True):
        scored, suspicion = finish_file(words, opinions, ranked)
        file_scores.append((path, suspicion))
        word_scores += [(path, w.idx, s, r) for w, (s, r) in zip(words, scored, strict=True)]
    db.set_suspicion(file_scores, word_scores)


def corpus_opinions(db: CorpusDatabase) -> list[tuple[str, list[WordRow], Opinions]]:
    """Per aligned file (by path): its words and both models' opinions of them, each model
    judged against its own norms over the whole corpus."""
    done = {row.path for row in db.files() if row.status in (ALIGNED, EDITED, "reviewed")}
    by_file = {path: words for path, words in db.words().items() if path in done}
    second = {path: words for path, words in db.second_words().items() if path in done}
    norms = corpus_norms([w for words in by_file.values() for w in words])
    second_norms = corpus_norms([w for words in second.values() for w in words])
    out = []
    for path in sorted(done):
        words = by_file.get(path, [])
        out.append((path, words, hear_both(words, norms, second.get(path, ()), second_norms)))
    return out


def _ranked_together(opinions: Sequence[Opinions]) -> list[np.ndarray | None]:
    """The ranker's chances for every file that has its inputs, in one call (the trees are
    walked once for the whole corpus: per file, numpy's per-call cost would dominate)."""
    rows = [o.inputs for o in opinions if o.inputs is not None]
    if not rows:
        return [None] * len(opinions)
    try:
        ranker = shipped_ranker()
    except QueueModelError as exc:
        # A damaged install: the batch's alignments are saved, so rank them by hand-tuned
        # suspicion rather than fail at its very end.
        warnings.warn(f"{exc}; the review queue falls back to its hand-tuned order",
                      RuntimeWarning, stacklevel=2)  # fmt: skip
        return [None] * len(opinions)
    chances = ranker.chance(np.concatenate(rows))
    out: list[np.ndarray | None] = []
    at = 0
    for o in opinions:
        if o.inputs is None:
            out.append(None)
        else:
            out.append(chances[at : at + len(o.inputs)])
            at += len(o.inputs)
    return out


_QUEUE_ORDER = (
    "SELECT f.path, w.idx, w.tier, w.label, w.start, w.end, w.suspicion, w.reason, f.suspicion "
    "FROM words w JOIN files f ON f.id = w.file_id "
    f"WHERE f.status IN ({', '.join(repr(s) for s in _QUEUE_STATUSES)}) AND w.suspicion >= ? "
)
_QUEUE_KEY = "(-w.suspicion, f.path, w.idx)"
_ORDER_BY = "ORDER BY -w.suspicion, f.path, w.idx"


def review_queue(db: CorpusDatabase, limit: int | None = None) -> list[Suspect]:
    """The queue from the start, in order (``limit`` suspects at most)."""
    query = _QUEUE_ORDER + _ORDER_BY
    if limit is not None:
        query += f" LIMIT {int(limit)}"
    return [Suspect(*row) for row in db.execute(query, (SUSPECT_THRESHOLD,))]


def next_suspect(
    db: CorpusDatabase, after: tuple[str, int] | None = None, suspicion: float | None = None
) -> Suspect | None:
    """The suspect after ``after`` = (file path, word index) in queue order; the first if None.

    ``after`` need not be a suspect itself (the word the user is on): the queue continues from
    where that word would stand. Files marked reviewed meanwhile are left out. ``suspicion`` is
    where ``after`` stood when it was offered: the user may have corrected it since (its
    suspicion is then 0, which would put it at the queue's end).
    """
    if after is None:
        found = review_queue(db, limit=1)
        return found[0] if found else None
    if suspicion is None:
        key = db.execute(
            "SELECT w.suspicion FROM words w JOIN files f ON f.id = w.file_id "
            "WHERE f.path = ? AND w.idx = ?",
            after,
        )
        if not key:
            return next_suspect(db, None)
        suspicion = key[0][0]
    rows = db.execute(
        _QUEUE_ORDER + f"AND {_QUEUE_KEY} > (?, ?, ?) {_ORDER_BY} LIMIT 1",
        (SUSPECT_THRESHOLD, -suspicion, after[0], after[1]),
    )
    return Suspect(*rows[0]) if rows else None


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))
