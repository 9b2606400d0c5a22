"""How urgently each word and file of a corpus needs a human: the review queue.

A forced alignment never says "I failed": a wrong transcript is squeezed into the audio anyway.
Each word therefore gets a *suspicion* in [0, 1] from five independent signals, each mapped to
[0, 1] and weighted by how often it means a real error:

``mismatch`` (weight 0.8)
    what the model hears inside the word's time span (greedy recognition: the most probable label
    per frame, repeats and blanks removed) against the word's letters, as an edit distance over
    the longer of the two; measured *above the corpus median*, so a model that misreads
    everywhere (a weak or foreign model) does not make every word suspect. The strongest signal
    for a substituted word, and for an inserted one (the model hears nothing there).
``score`` (0.6)
    the word's mean frame probability below the corpus median word score, as a share of that
    median (a word at half the typical score gets 0.5): the model's own doubt, judged against
    what this model typically gives on this corpus, not an absolute threshold.
``doubt`` (unspoken text or untranscribed audio 0.9, low score 0.6, long word 0.5)
    the word lies in a doubtful region of :mod:`aligner_gui.core.alignment.doubt`: a deleted
    word or missing sentence shows up as untranscribed audio, an inserted one as unspoken text.
``duration`` (0.5)
    seconds per character against the file's median: within a factor 2 nothing, a factor 8 the
    full signal (both ways: a squeezed word is as suspect as a stretched one).
``unaligned`` (1.0)
    nothing in the word is in the model's alphabet, so its times are interpolated.

They combine as independent evidence, ``1 - prod(1 - weight x signal)``, so any one strong
signal makes a word suspect and agreeing weak ones add up; the word's ``reason`` names the
strongest. A file's suspicion is its worst word plus a tenth of the mean of its five worst, so
of two files with an equally bad word the one with more trouble comes first.

The queue (:func:`next_suspect`) visits files not yet reviewed, most suspect first, and in each
file its words with suspicion at least ``SUSPECT_THRESHOLD``, most suspect first. Failed files
are not in the queue (they are listed in the report): there is nothing to look at.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aligner_gui.core.corpus.database import ALIGNED, EDITED, CorpusDatabase, WordRow

SUSPECT_THRESHOLD = 0.35
_QUEUE_STATUSES = (ALIGNED, EDITED)

WEIGHTS = {"mismatch": 0.8, "score": 0.6, "duration": 0.5, "unaligned": 1.0}
DOUBT_WEIGHTS = {
    "unspoken-text": 0.9,
    "untranscribed-audio": 0.9,
    "low-score": 0.6,
    "long-word": 0.5,
}
_TOP_WORDS = 5


@dataclass(frozen=True)
class CorpusNorms:
    """What this model typically gives on this corpus."""

    median_score: float  # of aligned words' mean frame probabilities
    median_mismatch: float


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
    )


def word_signals(
    word: WordRow, norms: CorpusNorms, typical_char_seconds: float
) -> dict[str, float]:
    """Each signal in [0, 1], already weighted."""
    if not word.aligned:
        return {"unaligned": WEIGHTS["unaligned"]}
    signals: dict[str, float] = {}
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
        signals[kind] = max(signals.get(kind, 0.0), DOUBT_WEIGHTS.get(kind, 0.5))
    return signals


def score_words(
    words: Sequence[WordRow], norms: CorpusNorms
) -> tuple[list[tuple[float, str]], float | None]:
    """(suspicion, reason) per word of one file, and the file's suspicion."""
    per_char = [
        (w.end - w.start) / w.chars for w in words if w.aligned and w.chars > 0 and w.end > w.start
    ]
    typical = float(np.median(per_char)) if per_char else 0.0
    scored: list[tuple[float, str]] = []
    for word in words:
        signals = word_signals(word, norms, typical)
        keep = 1.0
        for value in signals.values():
            keep *= 1.0 - value
        strongest = max(signals, key=lambda k: signals[k], default="")
        suspicion = 1.0 - keep
        scored.append((suspicion, strongest if suspicion > 0 else ""))
    if not scored:
        return scored, None
    worst = sorted((s for s, _ in scored), reverse=True)
    return scored, worst[0] + 0.1 * float(np.mean(worst[:_TOP_WORDS]))


def rescore_corpus(db: CorpusDatabase) -> None:
    """Recompute every word's and file's suspicion against the whole corpus's norms.

    Run after a batch: the norms (median score and mismatch) change as files are added, and a
    file's rank must not depend on the order the batch happened to align them in.
    """
    done = {row.path for row in db.files() if row.status in (ALIGNED, EDITED, "reviewed")}
    by_file = {path: words for path, words in db.words().items() if path in done}
    norms = corpus_norms([w for words in by_file.values() for w in words])
    file_scores: list[tuple[str, float | None]] = []
    word_scores: list[tuple[str, int, float, str]] = []
    for path in sorted(done):
        words = by_file.get(path, [])
        scored, file_suspicion = score_words(words, norms)
        file_scores.append((path, file_suspicion))
        word_scores += [(path, w.idx, s, r) for w, (s, r) in zip(words, scored, strict=True)]
    db.set_suspicion(file_scores, word_scores)


_QUEUE_ORDER = (
    "SELECT f.path, w.idx, w.tier, w.label, w.start, w.end, w.suspicion, w.reason, f.suspicion "
    "FROM words w JOIN files f ON f.id = w.file_id "
    f"WHERE f.status IN ({', '.join(repr(s) for s in _QUEUE_STATUSES)}) AND w.suspicion >= ? "
)
_QUEUE_KEY = "(-f.suspicion, f.path, -w.suspicion, w.idx)"


def review_queue(db: CorpusDatabase, limit: int | None = None) -> list[Suspect]:
    """The queue from the start, in order (``limit`` suspects at most)."""
    query = _QUEUE_ORDER + "ORDER BY -f.suspicion, f.path, -w.suspicion, w.idx"
    if limit is not None:
        query += f" LIMIT {int(limit)}"
    return [Suspect(*row) for row in db.execute(query, (SUSPECT_THRESHOLD,))]


def next_suspect(db: CorpusDatabase, after: tuple[str, int] | None = None) -> Suspect | None:
    """The suspect after ``after`` = (file path, word index) in queue order; the first if None.

    ``after`` need not be a suspect itself (the word the user is on): the queue continues from
    where that word would stand. Files marked reviewed meanwhile are left out.
    """
    if after is None:
        found = review_queue(db, limit=1)
        return found[0] if found else None
    key = db.execute(
        "SELECT f.suspicion, w.suspicion FROM words w JOIN files f ON f.id = w.file_id "
        "WHERE f.path = ? AND w.idx = ?",
        after,
    )
    if not key or key[0][0] is None:
        return next_suspect(db, None)
    file_suspicion, word_suspicion = key[0]
    rows = db.execute(
        _QUEUE_ORDER + f"AND {_QUEUE_KEY} > (?, ?, ?, ?) "
        "ORDER BY -f.suspicion, f.path, -w.suspicion, w.idx LIMIT 1",
        (SUSPECT_THRESHOLD, -file_suspicion, after[0], -word_suspicion, after[1]),
    )
    return Suspect(*rows[0]) if rows else None


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))
