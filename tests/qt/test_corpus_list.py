"""The corpus list over a 10,000-file database: every row there, filtered and sorted by the proxy
(the time it takes is printed by benchmarks/corpus_bench.py, not asserted here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from aligner_gui.core.corpus.database import ALIGNED, FAILED, CorpusDatabase, FileFigures
from aligner_gui.qt.corpus_model import PATH_ROLE, CorpusModel
from aligner_gui.qt.corpus_panel import CorpusPanel

pytestmark = pytest.mark.gui
FILES = 10_000
SPEAKERS = 20


def big_database(path: Path) -> CorpusDatabase:
    db = CorpusDatabase(path)
    entries = [
        (f"s{i % SPEAKERS:02d}/utt{i:05d}.wav", f"s{i % SPEAKERS:02d}/utt{i:05d}.lab",
         f"s{i % SPEAKERS:02d}", "transcript")
        for i in range(FILES)
    ]  # fmt: skip
    db.sync_scan(entries, [])
    for i in range(0, 300, 3):  # a few recorded results: aligned with a score, or failed
        status = FAILED if i % 2 else ALIGNED
        db.record(entries[i][0], FileFigures(status, 5.0, lowest_score=i / 1000))
    return db


def test_a_10000_file_database_is_listed_filtered_and_sorted(qtbot: Any, tmp_path: Path) -> None:
    with big_database(tmp_path / "corpus.sqlite3") as db:
        model = CorpusModel()
        model.set_rows(db.files())
    panel = CorpusPanel(model)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    proxy = panel.proxy
    assert proxy.rowCount() == SPEAKERS
    assert sum(proxy.rowCount(proxy.index(s, 0)) for s in range(SPEAKERS)) == FILES
    assert len(panel.visible_paths()) == FILES

    panel.status_box.setCurrentText(FAILED)
    assert len(panel.visible_paths()) == 50
    panel.status_box.setCurrentText("All statuses")
    QTest.keyClicks(panel.filter_box, "utt0009")  # utt00090 .. utt00099
    assert sorted(panel.visible_paths()) == [
        f"s{i % SPEAKERS:02d}/utt{i:05d}.wav" for i in range(90, 100)
    ]
    panel.filter_box.clear()

    # Sort by the lowest score with a click on its header: the worst file comes first.
    header = panel.tree.header()
    x = header.sectionViewportPosition(4) + header.sectionSize(4) // 2
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    if header.sortIndicatorOrder() != Qt.SortOrder.AscendingOrder:
        QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert header.sortIndicatorSection() == 4
    speaker = proxy.index(0, 0)
    assert proxy.index(0, 0, speaker).data(PATH_ROLE) == "s00/utt00000.wav"  # score 0.000
    assert proxy.index(0, 4, speaker).data() == "0.00"
