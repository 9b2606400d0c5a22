"""The corpus state file: transactional, resumable, and of a known layout."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from aligner_gui.core.corpus.database import (
    ALIGNED,
    NOT_ALIGNED,
    REVIEWED,
    SCHEMA_VERSION,
    CorpusDatabase,
    CorpusDatabaseError,
    FileFigures,
    WordRow,
)

ENTRIES = [("a/1.wav", "a/1.lab", "a", "text"), ("b/2.wav", "b/2.lab", "b", "text")]


def _word(idx: int, label: str = "word") -> WordRow:
    return WordRow(idx, "", label, idx * 0.5, idx * 0.5 + 0.4, 0.9, True, 4, 0.0, "")


def test_results_survive_reopening_and_a_rescan_keeps_them(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    with CorpusDatabase(path) as db:
        db.sync_scan(ENTRIES, [("x.md", "not a recording or transcript")])
        db.record(
            "a/1.wav", FileFigures(ALIGNED, 1.5, words=2, settings_hash="h"), [_word(0), _word(1)]
        )
    with CorpusDatabase(path) as db:
        assert db.execute("PRAGMA journal_mode")[0][0] == "wal"
        db.sync_scan(ENTRIES[:1], [])  # b/2.wav is gone from the folder
        rows = db.files()
        assert [(r.path, r.status, r.duration, r.words) for r in rows] == [
            ("a/1.wav", ALIGNED, 1.5, 2)
        ]
        assert [w.label for w in db.words("a/1.wav")["a/1.wav"]] == ["word", "word"]
        assert db.ignored() == []
        db.set_status("a/1.wav", REVIEWED)
        assert db.file("a/1.wav").status == REVIEWED  # type: ignore[union-attr]


def test_a_failed_record_leaves_the_previous_state_whole(tmp_path: Path) -> None:
    with CorpusDatabase(tmp_path / "state.sqlite3") as db:
        db.sync_scan(ENTRIES, [])
        db.record("a/1.wav", FileFigures(ALIGNED, 1.0, words=1), [_word(0, "old")])
        # A duplicate word index violates the primary key after the file row was updated.
        with pytest.raises(sqlite3.IntegrityError):
            db.record("a/1.wav", FileFigures(ALIGNED, 2.0, words=2), [_word(0, "new"), _word(0)])
        row = db.file("a/1.wav")
        assert row is not None and (row.duration, row.words) == (1.0, 1)
        assert [w.label for w in db.words("a/1.wav")["a/1.wav"]] == ["old"]
        assert db.file("b/2.wav").status == NOT_ALIGNED  # type: ignore[union-attr]


def test_another_layout_is_refused_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    with CorpusDatabase(path):
        pass
    raw = sqlite3.connect(path)
    raw.execute(
        "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),)
    )
    raw.commit()
    raw.close()
    with pytest.raises(CorpusDatabaseError, match="another version"):
        CorpusDatabase(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CorpusDatabaseError, match="not a corpus state file"):
        CorpusDatabase(path)


_LAYOUT_2_LACKS = ("inside", "frames", "held", "removable")


@pytest.mark.parametrize(
    ("layout", "dropped", "tables"),
    [
        ("1", ("unclaimed", *_LAYOUT_2_LACKS), ("second_words", "guessed")),
        ("2", _LAYOUT_2_LACKS, ("second_words", "guessed")),
        ("3", (), ("second_words", "guessed")),
        ("4", (), ("guessed",)),
    ],
)
def test_an_older_layout_is_migrated_and_keeps_its_words(
    tmp_path: Path, layout: str, dropped: tuple[str, ...], tables: tuple[str, ...]
) -> None:
    path = tmp_path / "old.sqlite3"
    with CorpusDatabase(path) as db:
        db.sync_scan([("a.wav", "a.lab", "", "text")], [])
        db.record("a.wav", FileFigures(ALIGNED, 2.0), [_word(0, "kept")])
    # Back to the older layout as an older aligner-gui wrote it: without the newer columns.
    raw = sqlite3.connect(path)
    for column in dropped:
        raw.execute(f"ALTER TABLE words DROP COLUMN {column}")
    for table in tables:  # layouts 1-3 had no second opinion, 1-4 no G2P words
        raw.execute(f"DROP TABLE {table}")
    raw.execute("ALTER TABLE files DROP COLUMN audio_used")  # nor another recording's name
    raw.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (layout,))
    raw.commit()
    raw.close()
    with CorpusDatabase(path) as db:
        (word,) = db.words("a.wav")["a.wav"]
        assert word.label == "kept"
        assert all(getattr(word, column) is None for column in dropped)
        new = dataclasses.replace(_word(0, "new"), unclaimed=1.0, inside=2.0, frames=3, held=2,
                                  removable=-4.0)  # fmt: skip
        if "second_words" in tables:
            assert db.second_words("a.wav") == {}  # judged by the aligner alone until realigned
        assert db.guessed() == []  # G2P words of older files are not known
        old_row = db.file("a.wav")
        assert old_row is not None and old_row.audio_used is None
        heard = dataclasses.replace(new, score=0.5)
        guessed = [("cloak", ("k", "l", "oʊ", "k"), 2)]
        db.record("a.wav", FileFigures(ALIGNED, 2.0), [new], [heard], guessed)  # the new layout
        assert db.words("a.wav")["a.wav"] == [new]
        assert db.second_words("a.wav")["a.wav"] == [heard]
        assert db.guessed() == [("cloak", ("k", "l", "oʊ", "k"), 2, 1)]
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'") == [
            (str(SCHEMA_VERSION),)
        ]
