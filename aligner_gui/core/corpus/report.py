"""``alignment_report.csv``: one row per recording, then one per ignored file of the corpus.

Numbers have fixed decimals so that two runs over the same corpus give the same report, apart
from the seconds each file took.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from aligner_gui.core.corpus.database import CorpusDatabase
from aligner_gui.core.io.fileio import atomic_write_text

REPORT_NAME = "alignment_report.csv"
REPORT_COLUMNS = (
    "file",
    "speaker",
    "status",
    "duration",
    "words",
    "unaligned words",
    "doubtful regions",
    "mean score",
    "suspicion",
    "seconds taken",
    "message",
)
IGNORED = "ignored"


def _number(value: float | int | None, decimals: int) -> str:
    return "" if value is None else f"{value:.{decimals}f}"


def _count(value: int | None) -> str:
    return "" if value is None else str(value)


def write_report(db: CorpusDatabase, path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    for row in db.files():
        writer.writerow(
            [
                row.path,
                row.speaker,
                row.status,
                _number(row.duration, 3),
                _count(row.words),
                _count(row.unaligned_words),
                _count(row.doubtful_regions),
                _number(row.mean_score, 4),
                _number(row.suspicion, 4),
                _number(row.seconds, 2),
                row.message,
            ]
        )
    for ignored_path, reason in db.ignored():
        writer.writerow([ignored_path, "", IGNORED, "", "", "", "", "", "", "", reason])
    atomic_write_text(path, buffer.getvalue())
