"""Suspicion of words and files, and the review queue's order across a corpus."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from aligner_gui.core.corpus.database import (
    ALIGNED,
    DATABASE_NAME,
    FAILED,
    REVIEWED,
    CorpusDatabase,
    FileFigures,
    WordRow,
)
from aligner_gui.core.corpus.runner import BatchSettings, run_batch
from aligner_gui.core.corpus.signals import (
    CorpusNorms,
    corpus_norms,
    evidence_contrast,
)
from aligner_gui.core.corpus.suspicion import (
    SUSPECT_THRESHOLD,
    next_suspect,
    rescore_corpus,
    review_queue,
    score_words,
)
from aligner_gui.core.corpus.word_features import stretched_frames, unclaimed_speech
from aligner_gui.core.pronunciation.g2p import espeak_available

from corpus_maker import SENTENCES, write_pair

NORMS = CorpusNorms(median_score=0.8, median_mismatch=0.1)


def _word(idx: int, *, excess: float | None = 5.0, score: float | None = 0.8,
          mismatch: float | None = 0.1, chars: int = 4, seconds: float = 0.32, doubt: str = "",
          aligned: bool = True) -> WordRow:  # fmt: skip
    start = idx * 0.5
    return WordRow(idx, "", f"w{idx}", start, start + seconds, score, aligned, chars, mismatch,
                   doubt, excess=excess)  # fmt: skip


def _suspicion(word: WordRow) -> tuple[float, str]:
    scored, _file = score_words([_word(0), _word(1), word, _word(3), _word(4)], NORMS)
    return scored[2]


def test_a_typical_word_is_not_suspect() -> None:
    assert _suspicion(_word(2)) == (0.0, "")


@pytest.mark.parametrize(
    ("word", "reason", "suspect"),
    [
        (_word(2, excess=60.0), "evidence", True),
        (_word(2, score=None, mismatch=None, excess=None, aligned=False), "unaligned", True),
        (_word(2, seconds=0.02), "duration", False),  # squeezed: 5 ms per character, not 80
        (_word(2, seconds=3.0), "duration", False),
        (_word(2, mismatch=1.0), "mismatch", False),
        (_word(2, score=0.1), "score", False),
        (_word(2, doubt="unspoken-text"), "unspoken-text", False),
    ],
)
def test_each_signal_is_named_and_only_strong_ones_make_a_suspect_alone(
    word: WordRow, reason: str, suspect: bool
) -> None:
    suspicion, why = _suspicion(word)
    assert suspicion > 0 and why == reason
    assert (suspicion >= SUSPECT_THRESHOLD) is suspect


def test_signals_add_up_and_never_pass_one() -> None:
    one, _ = _suspicion(_word(2, excess=20.0))
    two, _ = _suspicion(_word(2, excess=20.0, seconds=3.0))
    everything, _ = _suspicion(
        _word(2, excess=500.0, mismatch=1.0, score=0.0, seconds=5.0, doubt="low-score")
    )
    assert 0 < one < two < everything <= 1.0


def test_evidence_counts_against_the_neighbourhood_and_the_file() -> None:
    # An isolated spike stands out; a stretch the model reads poorly everywhere does not.
    assert evidence_contrast([5, 5, 5, 50, 5, 5, 5, 5]) == [0, 0, 0, 45, 0, 0, 0, 0]
    plateau = evidence_contrast([5, 5, 40, 45, 50, 40, 5, 5])
    assert max(plateau) <= 10
    assert evidence_contrast([]) == []


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
              [_word(i, excess=80.0 if i == 5 else 5.0) for i in range(8)])  # fmt: skip
    db.record("two_bad.wav", FileFigures(ALIGNED, 5.0),
              [_word(i, excess={2: 60.0, 6: 100.0}.get(i, 5.0)) for i in range(8)])  # fmt: skip
    db.record("failed.wav", FileFigures(FAILED, None, message="corrupt"))
    rescore_corpus(db)
    return db


def test_the_queue_goes_worst_word_first_across_the_corpus(tmp_path: Path) -> None:
    with _corpus(tmp_path) as db:
        order = [(s.path, s.idx, s.reason) for s in review_queue(db)]
        assert order == [
            ("two_bad.wav", 6, "evidence"),
            ("one_bad.wav", 5, "evidence"),
            ("two_bad.wav", 2, "evidence"),
        ]
        files = [r.path for r in db.files(order_by="suspicion")]
        assert files == ["two_bad.wav", "one_bad.wav", "clean.wav", "failed.wav"]
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
        assert second is not None and (second.path, second.idx) == ("one_bad.wav", 5)
        # From a word that is no suspect the queue goes on from where it would stand: the end.
        assert next_suspect(db, after=("clean.wav", 0)) is None
        db.set_status("one_bad.wav", REVIEWED)
        third = next_suspect(db, after=(first.path, first.idx))
        assert third is not None and (third.path, third.idx) == ("two_bad.wav", 2)
        assert next_suspect(db, after=(third.path, third.idx)) is None


def test_speech_the_transcript_leaves_unclaimed_makes_a_suspect() -> None:
    # A deleted word: the model hears letters where the path has none, the evidence is modest.
    words = [_word(i) for i in range(5)]
    words[2] = _word(2, excess=12.0)
    assert score_words(words, NORMS)[0][2][0] < SUSPECT_THRESHOLD
    words[2] = dataclasses.replace(words[2], unclaimed=15.0)
    suspicion, why = score_words(words, NORMS)[0][2]
    assert why == "unclaimed" and suspicion >= SUSPECT_THRESHOLD


def test_the_lesser_of_two_neighbouring_suspects_gives_way() -> None:
    # One error between two words: the queue's next place goes elsewhere, not to its neighbour.
    words = [_word(i, excess={2: 80.0, 3: 60.0, 10: 60.0}.get(i, 5.0)) for i in range(16)]
    scored, _ = score_words(words, NORMS)
    assert scored[2][0] > scored[10][0] > scored[3][0] > 0
    alone = score_words([_word(i, excess={10: 60.0}.get(i, 5.0)) for i in range(16)], NORMS)[0]
    assert scored[10][0] == pytest.approx(alone[10][0])
    assert scored[3][0] == pytest.approx(scored[10][0] / 2, rel=0.2)


def test_unclaimed_speech_counts_letters_heard_where_the_path_has_none() -> None:
    blank, bar = 0, 1
    skip = {blank, bar, None}
    #          frame: 0  1  2  3  4  5  6  7  8  9
    path = np.array([0, 5, 0, 1, 0, 0, 0, 0, 7, 0])
    greedy = np.array([0, 6, 0, 1, 0, 9, 9, 0, 0, 7])
    lost = np.arange(10, dtype=np.float64)
    found = unclaimed_speech(greedy, path, lost, skip)
    # Frame 1: a misread (the path's own letter there); frame 9: a spike one frame off; frames
    # 5-6: letters the path does not cover, counted once at the run's start with its loss.
    assert found.tolist() == [0, 0, 0, 0, 0, 11, 0, 0, 0, 0]


def test_a_unit_held_far_beyond_its_usual_length_over_other_sounds_is_unclaimed() -> None:
    # A frame classifier: the path holds unit 5 over frames where the model hears 8 and 9 (a
    # word the transcript lacks), not blank, so only the stretch tells.
    blank = 0
    skip = {blank, None}
    token_index = np.array([0, 0, 0, 1, 1, 1] + [2] * 20 + [3, 3, 3])
    path = np.array([4, 4, 4, 6, 6, 6] + [5] * 20 + [7, 7, 7])
    greedy = np.array([4, 4, 4, 6, 6, 6] + [5] * 3 + [8] * 9 + [9] * 8 + [7, 7, 7])
    lost = np.ones(len(path))
    stretched = stretched_frames(token_index, greedy, path)
    # Held 20 frames against a median of 3: the frames where it is not what the model hears.
    assert stretched.tolist() == [False] * 9 + [True] * 17 + [False] * 3
    assert unclaimed_speech(greedy, path, lost, skip).sum() == 0  # a unit on every frame
    found = unclaimed_speech(greedy, path, lost, skip, stretched)
    assert found[9] == 9 and found[18] == 8 and found.sum() == 17


def _frame_word(idx: int, *, inside: float = 8.0, frames: int = 16, removable: float = -40.0,
                **kwargs: object) -> WordRow:  # fmt: skip
    return dataclasses.replace(_word(idx, **kwargs), inside=inside, frames=frames, held=frames,
                               removable=removable)  # fmt: skip


FRAME_NORMS = dataclasses.replace(NORMS, frame_level=True)


def test_corpus_norms_tell_a_frame_classifier_from_a_ctc_model() -> None:
    assert corpus_norms([_frame_word(i) for i in range(5)]).frame_level
    spiky = [dataclasses.replace(_frame_word(i), held=4) for i in range(5)]  # 4 of 16 frames
    assert not corpus_norms(spiky).frame_level
    assert not corpus_norms([_word(i) for i in range(5)]).frame_level  # figures unknown


def test_a_word_denied_on_every_frame_is_a_frame_classifiers_suspect() -> None:
    # Squeezed to 4 frames, all denied (inserted): few nats in all, so the summed evidence is
    # typical, but per frame far above the file's rate.
    words = [_frame_word(i) for i in range(9)]
    words[4] = _frame_word(4, inside=24.0, frames=4)
    suspicion, why = score_words(words, FRAME_NORMS)[0][4]
    assert why == "denial" and suspicion >= SUSPECT_THRESHOLD
    # The same figures from a CTC model are judged by the summed evidence: no suspect.
    assert score_words(words, NORMS)[0][4][0] < SUSPECT_THRESHOLD


def test_a_word_the_path_gains_by_removing_is_a_frame_classifiers_suspect() -> None:
    words = [_frame_word(i) for i in range(9)]
    words[4] = _frame_word(4, removable=20.0)
    suspicion, why = score_words(words, FRAME_NORMS)[0][4]
    assert why == "removable" and suspicion >= SUSPECT_THRESHOLD
    assert score_words(words, NORMS)[0][4][0] < SUSPECT_THRESHOLD
    words[4] = _frame_word(4, removable=2.0)  # within what a spoken word's edges give
    assert score_words(words, FRAME_NORMS)[0][4][0] < SUSPECT_THRESHOLD


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")
@pytest.mark.parametrize("model", ["demo", "demo-letters"])
def test_a_transcript_whose_first_six_words_are_wrong_leads_the_queue(
    tmp_path: Path, model: str
) -> None:
    # The case, end to end with a shipped model on real synthetic speech: four spoken
    # recordings, one transcript whose first six words were never said. Those words, not the
    # clean files' words, are where "next suspect" goes first.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    texts = [f"{SENTENCES[i]} and {SENTENCES[i + 1]}" for i in range(0, 8, 2)]
    for i, text in enumerate(texts):
        write_pair(corpus / "speaker", f"rec{i}", text)
    wrong = ["purple", "elephants", "dance", "quietly", "under", "bridges"]
    spoken_rest = texts[2].split()[len(wrong) :]
    (corpus / "speaker" / "rec2.lab").write_text(" ".join(wrong + spoken_rest) + "\n")
    summary = run_batch(corpus, out, BatchSettings(model=model, jobs=1))
    assert summary.failed == 0
    with CorpusDatabase(out / DATABASE_NAME) as db:
        queue = review_queue(db)
        files = [r.path for r in db.files(order_by="suspicion")]
    assert files[0] == "speaker/rec2.wav"
    first_two = queue[:2]
    assert len(first_two) == 2
    assert all(s.path == "speaker/rec2.wav" and s.idx < len(wrong) for s in first_two), first_two
    assert all(s.label in wrong for s in first_two)
