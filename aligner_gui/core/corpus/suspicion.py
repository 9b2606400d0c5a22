"""How urgently each word and file of a corpus needs a human: the review queue.

A forced alignment never says "I failed": a wrong transcript is squeezed into the audio anyway.
Each word therefore gets a *suspicion* in [0, 1] from the independent signals of
:mod:`aligner_gui.core.corpus.signals` (what the model hears but the transcript denies, speech
the transcript leaves uncovered, ...), combined as independent evidence; the word's ``reason``
names the strongest. When a second model heard the file too (the second opinion, see
:mod:`aligner_gui.core.corpus.second_opinion`), the same signals are judged on its emissions, and
the two models' evidence is averaged before it is combined. One error usually makes two
neighbours suspect (the gap between them counts for both): a word next to a more suspect word
of its tier keeps half its suspicion, so that the queue's next place goes to another error,
not to the same one again. A file's suspicion is its worst word's plus a tenth of the mean of
its five worst, so of two files with an equally bad word the one with more trouble comes first.

**The fitted ranker.** When the corpus was heard by one frame classifier and one CTC model (the
two built-in models, each the other's default second opinion), the hand-tuned suspicion above
is not the last word: a tree ensemble fitted on generated corpora with planted errors
(:mod:`aligner_gui.core.corpus.queue_model`) takes both models' signals, the neighbours' and the
hand-tuned suspicion itself, and gives each word the chance that it sits on a transcript error;
the word's suspicion is that chance on this scale (:func:`suspicion_of_chance`), its reason still
the strongest signal. On the three tuning corpora it put 89 / 90 / 78 % of the planted errors
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
from aligner_gui.core.corpus.queue_model import (
    Hearing,
    QueueModelError,
    ranker_inputs,
    shipped_ranker,
)
from aligner_gui.core.corpus.second_opinion import average_opinions, match_second
from aligner_gui.core.corpus.signals import (
    CorpusNorms,
    combine_signals,
    corpus_norms,
    heard_signals,
)

SUSPECT_THRESHOLD = 0.35
# The fitted ranker's chance that puts a word in the queue (see :func:`suspicion_of_chance`):
# on the tuning corpora, where 2-3 % of the words are on a planted error, 5 % lets in 5-7 % of
# the words (the hand-tuned threshold let in 11-15 %: more words than errors to review).
RANKER_QUEUE_CHANCE = 0.05
_CHANCE_POWER = math.log(SUSPECT_THRESHOLD) / math.log(RANKER_QUEUE_CHANCE)
EDITED_REASON = "edited"  # a word the user corrected: out of the queue for good
_QUEUE_STATUSES = (ALIGNED, EDITED)

NEIGHBOUR_SHARE = 0.5  # of its suspicion a word keeps beside a more suspect one
_TOP_WORDS = 5


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
    (ranked,) = _ranked_together([opinions])
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
    rows, theirs = match_second(words, heard, second, heard_signals(second, second_norms))
    scored = average_opinions(heard, theirs)
    if norms.frame_level == second_norms.frame_level:
        return Opinions(scored, None)  # not the pairing the ranker was fitted on
    mine, other = Hearing(words, heard), Hearing(rows, theirs)
    frame, ctc = (mine, other) if norms.frame_level else (other, mine)
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
