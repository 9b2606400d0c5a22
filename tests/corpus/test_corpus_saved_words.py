"""A saved document's words replace a corpus file's database rows: unchanged words keep their
features, corrected ones leave the review queue for good, all in one transaction."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from aligner_gui.core.corpus.database import EDITED, CorpusDatabase, FileFigures, WordRow
from aligner_gui.core.corpus.saved_words import document_word_rows, record_saved_document
from aligner_gui.core.corpus.suspicion import (
    EDITED_REASON,
    SUSPECT_THRESHOLD,
    rescore_corpus,
    review_queue,
)
from aligner_gui.core.document.document import AlignmentDocument, Segment, Tier

PATH = "a/1.wav"


def _row(idx: int, label: str, start: float, end: float, suspicion: float) -> WordRow:
    return WordRow(idx, "", label, start, end, 0.5, True, len(label), 0.4, "low-score",
                   suspicion, "evidence", 30.0)  # fmt: skip


RECORDED = [
    _row(0, "the", 0.0, 0.4, 0.1),
    _row(1, "sea", 0.4, 1.0, 0.9),
    _row(2, "shore", 1.2, 2.0, 0.6),
]


def _document(words: list[Segment]) -> AlignmentDocument:
    return AlignmentDocument([Tier("words", words)], duration=3.0)


def _saved() -> AlignmentDocument:
    """ "sea" relabelled "see" (score kept by the document), "shore" moved, "gulls" inserted."""
    return _document([
        Segment(0.0, 0.4, "the", 0.5),
        Segment(0.4, 1.0, "see", 0.7),
        Segment(1.0, 1.3, ""),
        Segment(1.3, 2.0, "shore"),
        Segment(2.0, 2.5, "gulls"),
        Segment(2.5, 3.0, ""),
    ])  # fmt: skip


def test_unchanged_words_keep_their_features_and_corrected_ones_are_out_of_the_queue() -> None:
    rows = document_word_rows(_saved(), RECORDED)
    assert [(w.idx, w.label, w.start, w.end) for w in rows] == [
        (0, "the", 0.0, 0.4),
        (1, "see", 0.4, 1.0),
        (2, "shore", 1.3, 2.0),
        (3, "gulls", 2.0, 2.5),
    ]
    assert rows[0] == RECORDED[0]
    for word, score in zip(rows[1:], [0.7, None, None], strict=True):
        assert word.score == score  # only where the document still has one
        assert (word.suspicion, word.reason) == (0.0, EDITED_REASON)
        assert (word.excess, word.mismatch, word.doubt) == (None, None, "")


def test_interview_tiers_map_to_their_speakers_and_other_tiers_are_left_out() -> None:
    doc = AlignmentDocument(
        [
            Tier("Ann - words", [Segment(0.0, 1.0, "hi"), Segment(1.0, 3.0, "")]),
            Tier("Bob - words", [Segment(0.0, 1.0, ""), Segment(1.0, 3.0, "yo")]),
            Tier("notes", [Segment(0.0, 3.0, "noisy")]),
        ],
        duration=3.0,
    )
    rows = document_word_rows(doc, [])
    assert [(w.tier, w.label) for w in rows] == [("Ann", "hi"), ("Bob", "yo")]


def _database(tmp_path: Path) -> CorpusDatabase:
    db = CorpusDatabase(tmp_path / "state.sqlite3")
    db.sync_scan([(PATH, "a/1.lab", "a", "text")], [])
    db.record(PATH, FileFigures(EDITED, 3.0, words=3, lowest_score=0.5), RECORDED)
    return db


def test_saving_replaces_the_rows_and_the_list_figures_and_a_rescore_keeps_corrections(
    tmp_path: Path,
) -> None:
    with _database(tmp_path) as db:
        assert [s.label for s in review_queue(db)] == ["sea", "shore"]
        record_saved_document(db, PATH, _saved())
        assert [w.label for w in db.words(PATH)[PATH]] == ["the", "see", "shore", "gulls"]
        row = db.file(PATH)
        assert row is not None and (row.words, row.lowest_score) == (4, 0.5)
        assert row.suspicion is not None and row.suspicion < SUSPECT_THRESHOLD
        assert review_queue(db) == []
        rescore_corpus(db)  # e.g. after the next batch: the unchanged words are ranked afresh
        assert not {"see", "shore", "gulls"} & {s.label for s in review_queue(db)}
        assert [w.reason for w in db.words(PATH)[PATH]][1:] == [EDITED_REASON] * 3


def test_a_failed_replacement_leaves_the_recorded_words_whole(tmp_path: Path) -> None:
    with _database(tmp_path) as db:
        duplicate = [RECORDED[0], RECORDED[0]]  # the same index twice breaks the primary key
        with pytest.raises(sqlite3.IntegrityError):
            db.replace_words(PATH, duplicate, 0.0)
        assert db.words(PATH)[PATH] == RECORDED
        row = db.file(PATH)
        assert row is not None and row.words == 3


def test_the_second_opinion_of_kept_words_moves_with_them_and_corrected_words_lose_it(
    tmp_path: Path,
) -> None:
    heard = [dataclasses.replace(w, score=0.25 + w.idx / 10) for w in RECORDED]
    with CorpusDatabase(tmp_path / "state.sqlite3") as db:
        db.sync_scan([(PATH, "a/1.lab", "a", "text")], [])
        db.record(PATH, FileFigures(EDITED, 3.0, words=3), RECORDED, heard)
        # "sea" relabelled, "oh" inserted before "shore": "shore" is now word 3.
        record_saved_document(db, PATH, _document([
            Segment(0.0, 0.4, "the"),
            Segment(0.4, 1.0, "see"),
            Segment(1.0, 1.2, "oh"),
            Segment(1.2, 2.0, "shore"),
            Segment(2.0, 3.0, ""),
        ]))  # fmt: skip
        assert db.second_words(PATH)[PATH] == [heard[0], dataclasses.replace(heard[2], idx=3)]
        assert [w.idx for w in db.words(PATH)[PATH] if w.label == "shore"] == [3]
        rescore_corpus(db)  # ranked afresh: the corrected words stay out, "shore" is judged
        reasons = [w.reason for w in db.words(PATH)[PATH]]
        assert reasons[1:3] == [EDITED_REASON] * 2 and EDITED_REASON not in (reasons[0], reasons[3])
