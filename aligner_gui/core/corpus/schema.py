"""The corpus database's tables, and how a file of an older layout is brought up to this one.

See :mod:`aligner_gui.core.corpus.database` for what each table holds.
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 5

# One word as a listening model heard it: the aligner's own words (``words``) and the second
# opinion's (``second_words``, see :mod:`aligner_gui.core.corpus.second_opinion`) share it.
_WORD_COLUMNS = """
    file_id INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    tier TEXT NOT NULL,
    label TEXT NOT NULL,
    start REAL NOT NULL,
    end REAL NOT NULL,
    score REAL,
    aligned INTEGER NOT NULL,
    chars INTEGER NOT NULL,
    mismatch REAL,
    doubt TEXT NOT NULL DEFAULT '',
    suspicion REAL NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    excess REAL,
    unclaimed REAL,
    inside REAL,
    frames INTEGER,
    held INTEGER,
    removable REAL,
    PRIMARY KEY (file_id, idx)
"""

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    transcript TEXT NOT NULL,
    speaker TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'not aligned',
    duration REAL,
    audio_mtime REAL,
    audio_size INTEGER,
    words INTEGER,
    unaligned_words INTEGER,
    doubtful_regions INTEGER,
    mean_score REAL,
    lowest_score REAL,
    suspicion REAL,
    seconds REAL,
    message TEXT NOT NULL DEFAULT '',
    settings_hash TEXT,
    output_mtime REAL,
    updated REAL,
    audio_used TEXT
);
CREATE INDEX IF NOT EXISTS files_by_suspicion ON files (suspicion DESC, path);
CREATE TABLE IF NOT EXISTS words ("""
    + _WORD_COLUMNS
    + """);
CREATE INDEX IF NOT EXISTS words_by_suspicion ON words (file_id, suspicion DESC);
CREATE TABLE IF NOT EXISTS ignored (path TEXT PRIMARY KEY, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS second_words ("""
    + _WORD_COLUMNS
    + """);
CREATE TABLE IF NOT EXISTS guessed (
    file_id INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    word TEXT NOT NULL,
    phones TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (file_id, word, phones)
);
"""
)


def _migrate_from_1(db: sqlite3.Connection) -> None:
    """Layout 1 lacked ``words.unclaimed``: its words keep NULL (that signal left out of their
    suspicion) until their file is aligned again (``--overwrite``, or Align in the window)."""
    db.execute("ALTER TABLE words ADD COLUMN unclaimed REAL")
    _migrate_from_2(db)


def _migrate_from_2(db: sqlite3.Connection) -> None:
    """Layout 2 lacked ``words.inside``, ``frames``, ``held`` and ``removable``: NULL (their
    signals left out of those words' suspicion) until their file is aligned again."""
    for column in ("inside REAL", "frames INTEGER", "held INTEGER", "removable REAL"):
        db.execute(f"ALTER TABLE words ADD COLUMN {column}")
    _migrate_from_3(db)


def _migrate_from_3(db: sqlite3.Connection) -> None:
    """Layout 3 lacked ``second_words`` (created with the other tables): its files' words are
    judged by the aligner alone until they are aligned again."""
    _migrate_from_4(db)


def _migrate_from_4(db: sqlite3.Connection) -> None:
    """Layout 4 lacked ``guessed`` (created with the other tables): its files' G2P words are
    missing from ``g2p_words.dict`` until they are aligned again (``--overwrite``); and
    ``files.audio_used``: NULL, each file aligned from its own recording, as layout 4 did."""
    db.execute("ALTER TABLE files ADD COLUMN audio_used TEXT")
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))


# Within the opening transaction: an older layout brought up to this one.
MIGRATIONS = {
    "1": _migrate_from_1,
    "2": _migrate_from_2,
    "3": _migrate_from_3,
    "4": _migrate_from_4,
}


def create_or_upgrade(db: sqlite3.Connection) -> str:
    """Create the tables that are missing and upgrade an older layout, inside the caller's open
    transaction; the file's layout afterwards (``SCHEMA_VERSION`` unless it is a newer one)."""
    # executescript would COMMIT the open transaction: one statement at a time.
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    found = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if found is None:
        db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        return str(SCHEMA_VERSION)
    if found[0] in MIGRATIONS:
        MIGRATIONS[found[0]](db)
        return str(SCHEMA_VERSION)
    return str(found[0])
