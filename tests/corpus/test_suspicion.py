"""Suspicion of words and files, and the review queue's order across a corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from aligner_gui.core.corpus.database import (
    ALIGNED,
    FAILED,
    REVIEWED,
    CorpusDatabase,
    FileFigures,
    WordRow,
)
from aligner_gui.core.corpus.suspicion import (
    SUSPECT_THRESHOLD,
    CorpusNorms,
    next_suspect,
    rescore_corpus,
    review_queue,
    score_words,
)

NORMS = CorpusNorms(median_score=0.8, median_mismatch=0.1)


def _word(idx: int, *, score: float | None = 0.8, mismatch: float | None = 0.1, chars: int = 4,
          seconds: float = 0.32, doubt: str = "", aligned: bool = True) -> WordRow:  # fmt: skip
    start = idx * 0.5
    return WordRow(
        idx, "", f"w{idx}", start, start + seconds, score, aligned, chars, mismatch, doubt
    )


def _suspicion(word: WordRow) -> tuple[float, str]:
    scored, _file = score_words([_word(0), _word(1), word, _word(3), _word(4)], NORMS)
    return scored[2]


def test_a_typical_word_is_not_suspect() -> None:
    assert _suspicion(_word(2)) == (0.0, "")


@pytest.mark.parametrize(
    ("word", "reason"),
    [
        (_word(2, mismatch=1.0), "mismatch"),
        (_word(2, score=0.1), "score"),
        (_word(2, seconds=0.02), "duration"),  # squeezed: 5 ms per character instead of 80
        (_word(2, seconds=3.0), "duration"),
        (_word(2, doubt="unspoken-text"), "unspoken-text"),
        (_word(2, score=None, mismatch=None, aligned=False), "unaligned"),
    ],
)
def test_each_signal_alone_makes_a_suspect(word: WordRow, reason: str) -> None:
    suspicion, why = _suspicion(word)
    assert suspicion >= SUSPECT_THRESHOLD
    assert why == reason


def test_signals_add_up_and_never_pass_one() -> None:
    one, _ = _suspicion(_word(2, mismatch=0.6))
    two, _ = _suspicion(_word(2, mismatch=0.6, score=0.4))
    everything, _ = _suspicion(_word(2, mismatch=1.0, score=0.0, seconds=5.0, doubt="low-score"))
    assert 0 < one < two < everything <= 1.0


def test_mismatch_is_judged_against_the_corpus_median() -> None:
    # A model that misreads half of everything does not make every word suspect.
    scored, _ = score_words([_word(i, mismatch=0.5) for i in range(5)], CorpusNorms(0.8, 0.5))
    assert all(s == 0.0 for s, _ in scored)


def _corpus(tmp_path: Path) -> CorpusDatabase:
    db = CorpusDatabase(tmp_path / "state.sqlite3")
    files = ["clean.wav", "one_bad.wav", "two_bad.wav", "failed.wav"]
    db.sync_scan([(f, f[:-4] + ".lab", "", "text") for f in files], [])
    db.record("clean.wav", FileFigures(ALIGNED, 5.0), [_word(i) for i in range(8)])
    db.record("one_bad.wav", FileFigures(ALIGNED, 5.0),
              [_word(i, mismatch=1.0 if i == 5 else 0.1) for i in range(8)])  # fmt: skip
    db.record("two_bad.wav", FileFigures(ALIGNED, 5.0),
              [_word(i, mismatch=1.0 if i in (2, 6) else 0.1, score=0.3 if i == 6 else 0.8)
               for i in range(8)])  # fmt: skip
    db.record("failed.wav", FileFigures(FAILED, None, message="corrupt"))
    rescore_corpus(db)
    return db


def test_the_queue_goes_worst_file_first_then_worst_word(tmp_path: Path) -> None:
    with _corpus(tmp_path) as db:
        order = [(s.path, s.idx) for s in review_queue(db)]
        assert order == [("two_bad.wav", 6), ("two_bad.wav", 2), ("one_bad.wav", 5)]
        files = [(r.path, r.suspicion is not None) for r in db.files(order_by="suspicion")]
        assert files[:3] == [("two_bad.wav", True), ("one_bad.wav", True), ("clean.wav", True)]
        assert db.file("failed.wav").suspicion is None  # type: ignore[union-attr]


def test_next_suspect_walks_the_queue_and_skips_reviewed_files(tmp_path: Path) -> None:
    with _corpus(tmp_path) as db:
        first = next_suspect(db)
        assert first is not None and (first.path, first.idx, first.label) == (
            "two_bad.wav",
            6,
            "w6",
        )
        second = next_suspect(db, after=(first.path, first.idx))
        assert second is not None and (second.path, second.idx) == ("two_bad.wav", 2)
        # From a word that is not a suspect, the queue goes on from where that word stands.
        from_clean_word = next_suspect(db, after=("two_bad.wav", 0))
        assert from_clean_word is not None and from_clean_word.path == "one_bad.wav"
        db.set_status("one_bad.wav", REVIEWED)
        assert next_suspect(db, after=(second.path, second.idx)) is None
        assert next_suspect(db, after=("clean.wav", 0)) is None
