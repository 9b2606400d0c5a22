"""A corpus's state in one SQLite file in the output folder: what is aligned, edited, reviewed.

The standard library's sqlite3 is enough: no server, one file, and transactions make every change
all-or-nothing. The journal is in WAL mode with ``synchronous=NORMAL``: a committed transaction
survives the process being killed (SIGKILL, a crash); only a power cut can lose the last few,
which the next run then simply redoes. Each file's result (its row, its words) is written in one
transaction, so a file is either recorded completely or not at all.

Tables (:mod:`aligner_gui.core.corpus.schema`; ``SCHEMA_VERSION`` in ``meta`` says which layout
a file has):

``files``
    one row per recording: its relative path (the key), speaker, status (see ``STATUSES``),
    figures from the last alignment, the settings hash the outputs were made with, and the
    output's modification time.
``words``
    one row per aligned word of each file, with the features the review queue ranks by and the
    resulting ``suspicion`` (see :mod:`aligner_gui.core.corpus.suspicion`).
``second_words``
    the same words as a second model heard them (same layout, same ``idx``), for files aligned
    with a second opinion (see :mod:`aligner_gui.core.corpus.second_opinion`).
``ignored``
    files of the corpus folder that are not aligned, with the reason (listed in the report).

A Qt item model can sit over ``files`` (``files()`` returns plain rows, sorted in SQL); the
database is opened per thread (sqlite3 connections are not shared between threads).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.corpus.schema import SCHEMA_VERSION, create_or_upgrade

DATABASE_NAME = "corpus.sqlite3"

NOT_ALIGNED = "not aligned"
ALIGNED = "aligned"
EDITED = "edited"
REVIEWED = "reviewed"
FAILED = "failed"
STATUSES = (NOT_ALIGNED, ALIGNED, EDITED, REVIEWED, FAILED)
DONE_STATUSES = (ALIGNED, EDITED, REVIEWED)


class CorpusDatabaseError(AlignerError):
    """The state file cannot be opened or is of another layout."""


@dataclass(frozen=True)
class FileRow:
    id: int
    path: str
    transcript: str
    speaker: str
    kind: str
    status: str
    duration: float | None
    audio_mtime: float | None
    audio_size: int | None
    words: int | None
    unaligned_words: int | None
    doubtful_regions: int | None
    mean_score: float | None
    lowest_score: float | None
    suspicion: float | None
    seconds: float | None
    message: str
    settings_hash: str | None
    output_mtime: float | None
    updated: float | None
    # The recording aligned when it is not ``path`` but another of the same name (``path``
    # could not be read; see align_file._load_recording); None: ``path`` itself.
    audio_used: str | None = None


@dataclass(frozen=True)
class WordRow:
    """One word of an aligned file; ``doubt`` lists the doubtful-region kinds it lies in."""

    idx: int
    tier: str  # the speaker tier ("" for a one-speaker transcript)
    label: str
    start: float
    end: float
    score: float | None  # None when unaligned
    aligned: bool
    chars: int  # characters the model aligned (its length for duration checks)
    mismatch: float | None  # greedy recognition vs the transcript, 0 (same) .. 1; None unknown
    doubt: str  # "+"-joined doubtful kinds, "" when none
    suspicion: float = 0.0
    reason: str = ""
    # Log-probability (nats) the forced path gives up against each frame's best label, over the
    # word's frames and the worse of the gaps beside it: what the model hears but the text denies.
    excess: float | None = None
    # Nats the model is sure of letters where the forced path emits none (blank or delimiter),
    # over the same frames: speech the transcript does not cover (a deleted word or sentence).
    unclaimed: float | None = None
    # Nats lost over the word's own frames only, and how many frames those are: the mean loss
    # per frame tells a word the model denies outright (inserted, substituted) from a long word
    # it misreads here and there.
    inside: float | None = None
    frames: int | None = None
    # Of those frames, how many the path gives one of the word's units (not blank): near all for
    # a frame classifier, a few spikes for a CTC model (which signals apply, see suspicion).
    held: int | None = None
    # Nats the path would gain if the word were not in the transcript (an unspoken word gains).
    removable: float | None = None


_FILE_COLUMNS = ", ".join(f.name for f in fields(FileRow))


@dataclass(frozen=True)
class FileFigures:
    """What an alignment (or a failure) records about a file."""

    status: str
    duration: float | None
    words: int | None = None
    unaligned_words: int | None = None
    doubtful_regions: int | None = None
    mean_score: float | None = None
    lowest_score: float | None = None
    seconds: float | None = None
    message: str = ""
    settings_hash: str | None = None
    output_mtime: float | None = None
    audio_used: str | None = None


class CorpusDatabase:
    """The state file of one output folder. Use as a context manager, or call ``close``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            with self._transaction():
                found = create_or_upgrade(self._db)
        except sqlite3.OperationalError as err:
            raise CorpusDatabaseError(
                f"{self.path}: cannot open the corpus state ({err})."
            ) from err
        except sqlite3.DatabaseError as err:
            raise CorpusDatabaseError(f"{self.path}: not a corpus state file ({err}).") from err
        if found != str(SCHEMA_VERSION):
            self._db.close()
            raise CorpusDatabaseError(
                f"{self.path} was written by another version of aligner-gui (layout {found}, "
                f"this one reads {SCHEMA_VERSION}); use another output folder."
            )

    def __enter__(self) -> CorpusDatabase:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    # -- the file list -------------------------------------------------------------------------

    def sync_scan(
        self,
        entries: Iterable[tuple[str, str, str, str]],
        ignored: Iterable[tuple[str, str]],
    ) -> None:
        """Make the file list match a scan: ``entries`` are (audio, transcript, speaker, kind).

        Files already known keep their status and figures (a changed transcript is caught by the
        resume check on modification times); files gone from the folder are dropped.
        """
        entries = list(entries)
        with self._transaction():
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS scanned (path TEXT PRIMARY KEY)")
            self._db.execute("DELETE FROM scanned")
            self._db.executemany("INSERT INTO scanned VALUES (?)", ((e[0],) for e in entries))
            self._db.execute("DELETE FROM files WHERE path NOT IN (SELECT path FROM scanned)")
            self._db.executemany(
                "INSERT INTO files (path, transcript, speaker, kind) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (path) DO UPDATE SET transcript = excluded.transcript, "
                "speaker = excluded.speaker, kind = excluded.kind",
                entries,
            )
            self._db.execute("DELETE FROM ignored")
            self._db.executemany("INSERT INTO ignored VALUES (?, ?)", ignored)

    def set_audio_facts(self, facts: Sequence[tuple[str, float | None, float, int]]) -> None:
        """(path, duration, mtime, size) per file, from the recordings' headers."""
        with self._transaction():
            self._db.executemany(
                "UPDATE files SET duration = ?, audio_mtime = ?, audio_size = ? WHERE path = ?",
                ((d, m, s, p) for p, d, m, s in facts),
            )

    def files(self, order_by: str = "path") -> list[FileRow]:
        """Every file; ``order_by`` is "path" or "suspicion" (the review queue's file order)."""
        order = {
            "path": "path",
            "suspicion": "COALESCE(suspicion, -1) DESC, path",
        }[order_by]
        rows = self._db.execute(f"SELECT {_FILE_COLUMNS} FROM files ORDER BY {order}").fetchall()
        return [FileRow(*row) for row in rows]

    def file(self, path: str) -> FileRow | None:
        row = self._db.execute(
            f"SELECT {_FILE_COLUMNS} FROM files WHERE path = ?", (path,)
        ).fetchone()
        return None if row is None else FileRow(*row)

    def ignored(self) -> list[tuple[str, str]]:
        return list(self._db.execute("SELECT path, reason FROM ignored ORDER BY path"))

    # -- results -------------------------------------------------------------------------------

    def record(
        self,
        path: str,
        figures: FileFigures,
        words: Sequence[WordRow] = (),
        second: Sequence[WordRow] = (),
        guessed: Sequence[tuple[str, tuple[str, ...], int]] = (),
    ) -> None:
        """A file's alignment (or failure), its words and the second opinion's, and the
        pronunciations G2P gave its words (word, phones, how often), in one transaction."""
        with self._transaction():
            found = self._db.execute("SELECT id FROM files WHERE path = ?", (path,)).fetchone()
            if found is None:
                raise KeyError(path)
            file_id = found[0]
            self._db.execute(
                "UPDATE files SET status = ?, duration = COALESCE(?, duration), words = ?, "
                "unaligned_words = ?, doubtful_regions = ?, mean_score = ?, lowest_score = ?, "
                "seconds = ?, message = ?, settings_hash = ?, output_mtime = ?, updated = ?, "
                "audio_used = ?, suspicion = NULL WHERE id = ?",
                (
                    figures.status,
                    figures.duration,
                    figures.words,
                    figures.unaligned_words,
                    figures.doubtful_regions,
                    figures.mean_score,
                    figures.lowest_score,
                    figures.seconds,
                    figures.message,
                    figures.settings_hash,
                    figures.output_mtime,
                    time.time(),
                    figures.audio_used,
                    file_id,
                ),
            )
            self._insert_words(file_id, words, second)
            self._db.execute("DELETE FROM guessed WHERE file_id = ?", (file_id,))
            self._db.executemany(
                "INSERT INTO guessed VALUES (?, ?, ?, ?)",
                ((file_id, word, " ".join(phones), n) for word, phones, n in guessed),
            )

    def guessed(self) -> list[tuple[str, tuple[str, ...], int, int]]:
        """Every pronunciation G2P gave a word of an aligned file: word, phones, how often the
        corpus says it and in how many files, the most frequent first."""
        rows = self._db.execute(
            "SELECT word, phones, SUM(count), COUNT(*) FROM guessed JOIN files "
            "ON files.id = guessed.file_id WHERE files.status != 'failed' "
            "GROUP BY word, phones ORDER BY SUM(count) DESC, word, phones"
        ).fetchall()
        return [(w, tuple(p.split()), int(n), int(f)) for w, p, n, f in rows]

    def _insert_words(
        self, file_id: int, words: Sequence[WordRow], second: Sequence[WordRow]
    ) -> None:
        """Within a transaction: the file's words become ``words``, and the second opinion's
        ``second``."""
        self._insert_into("words", file_id, words)
        self._insert_into("second_words", file_id, second)

    def _insert_into(self, table: str, file_id: int, words: Sequence[WordRow]) -> None:
        self._db.execute(f"DELETE FROM {table} WHERE file_id = ?", (file_id,))
        self._db.executemany(
            f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    file_id,
                    w.idx,
                    w.tier,
                    w.label,
                    w.start,
                    w.end,
                    w.score,
                    int(w.aligned),
                    w.chars,
                    w.mismatch,
                    w.doubt,
                    w.suspicion,
                    w.reason,
                    w.excess,
                    w.unclaimed,
                    w.inside,
                    w.frames,
                    w.held,
                    w.removable,
                )
                for w in words
            ),
        )

    def replace_words(
        self,
        path: str,
        words: Sequence[WordRow],
        suspicion: float | None = None,
        second: Sequence[WordRow] = (),
    ) -> None:
        """A saved file's words replace its recorded ones (and ``second``, the second opinion's
        of the words kept, its own), with the list's figures (word count, unaligned words, mean
        and lowest score, the file's ``suspicion``), in one transaction; the alignment's other
        figures (doubtful regions, settings, timings) stay as aligned."""
        scores = [w.score for w in words if w.score is not None]
        with self._transaction():
            found = self._db.execute("SELECT id FROM files WHERE path = ?", (path,)).fetchone()
            if found is None:
                raise KeyError(path)
            file_id = found[0]
            self._db.execute(
                "UPDATE files SET words = ?, unaligned_words = ?, mean_score = ?, "
                "lowest_score = ?, suspicion = ?, updated = ? WHERE id = ?",
                (
                    len(words),
                    sum(not w.aligned for w in words),
                    sum(scores) / len(scores) if scores else None,
                    min(scores, default=None),
                    suspicion,
                    time.time(),
                    file_id,
                ),
            )
            self._insert_words(file_id, words, second)

    def set_status(self, path: str, status: str) -> None:
        """E.g. mark a file reviewed, or edited once the user changed it."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self._transaction():
            self._db.execute(
                "UPDATE files SET status = ?, updated = ? WHERE path = ?",
                (status, time.time(), path),
            )

    def words(self, path: str | None = None) -> dict[str, list[WordRow]]:
        """Words per file path (of one file, or of all), in order."""
        return self._read_words("words", path)

    def second_words(self, path: str | None = None) -> dict[str, list[WordRow]]:
        """The second opinion's words per file path (only files it heard), in order."""
        return self._read_words("second_words", path)

    def _read_words(self, table: str, path: str | None) -> dict[str, list[WordRow]]:
        query = (
            "SELECT f.path, w.idx, w.tier, w.label, w.start, w.end, w.score, w.aligned, w.chars, "
            "w.mismatch, w.doubt, w.suspicion, w.reason, w.excess, w.unclaimed, "
            f"w.inside, w.frames, w.held, w.removable FROM {table} w "
            "JOIN files f ON f.id = w.file_id"
        )
        args: tuple = ()
        if path is not None:
            query += " WHERE f.path = ?"
            args = (path,)
        out: dict[str, list[WordRow]] = {}
        for row in self._db.execute(query + " ORDER BY f.path, w.idx", args):
            word = WordRow(row[1], row[2], row[3], row[4], row[5], row[6], bool(row[7]), *row[8:])
            out.setdefault(row[0], []).append(word)
        return out

    def set_suspicion(
        self,
        files: Sequence[tuple[str, float | None]],
        words: Sequence[tuple[str, int, float, str]],
    ) -> None:
        """Scores from the review queue: (path, suspicion) and (path, idx, suspicion, reason)."""
        ids = dict(self._db.execute("SELECT path, id FROM files").fetchall())
        with self._transaction():
            self._db.executemany(
                "UPDATE files SET suspicion = ? WHERE path = ?", ((s, p) for p, s in files)
            )
            self._db.executemany(
                "UPDATE words SET suspicion = ?, reason = ? WHERE file_id = ? AND idx = ?",
                ((s, r, ids[p], i) for p, i, s, r in words),
            )

    def execute(self, query: str, args: Sequence = ()) -> list[tuple]:
        """Read-only queries for the review queue and views."""
        return self._db.execute(query, tuple(args)).fetchall()


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (KeyboardInterrupt included)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *_rest: object) -> None:
        if exc_type is None:
            self._db.execute("COMMIT")
        else:
            self._db.execute("ROLLBACK")
