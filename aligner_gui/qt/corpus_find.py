"""Find (Ctrl+F): labels containing the text, in the open document and across the corpus.

The open document is searched as it is now (with its edits); the other files through the
database's words (as last saved, else as aligned). Hits are listed; F3 / Shift+F3 or a double click
jump to one: its file is opened (saving the current one) and the interval selected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QLineEdit, QListWidget, QVBoxLayout, QWidget

from aligner_gui.qt.corpus_targets import word_tier_name

if TYPE_CHECKING:
    from aligner_gui.qt.main_window import MainWindow

MAX_HITS = 1000
SEARCH_DELAY_MS = 200  # after the last key typed


@dataclass(frozen=True)
class Hit:
    path: str | None  # a corpus file; None: the open document (not part of a corpus)
    tier: str
    start: float
    end: float
    label: str


class FindPanel(QDockWidget):
    def __init__(self, window: MainWindow) -> None:
        super().__init__("Find", window)
        self.setObjectName("find_dock")
        self.window_ = window
        self.box = QLineEdit()
        self.box.setPlaceholderText("Find a label in this file and the corpus")
        self.box.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.itemDoubleClicked.connect(lambda _item: self.jump(self.results.currentRow()))
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.box)
        layout.addWidget(self.results, 1)
        self.setWidget(body)
        self.hits: list[Hit] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search)
        self.box.textChanged.connect(lambda _text: self._timer.start())
        self.box.returnPressed.connect(self.search)
        self.hide()

    def start(self) -> None:
        self.show()
        self.raise_()
        self.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.box.selectAll()

    def search(self) -> None:
        self._timer.stop()
        text = self.box.text().strip()
        self.hits = find_hits(self.window_, text) if text else []
        self.results.clear()
        for hit in self.hits:
            where = hit.path if hit.path is not None else "this file"
            self.results.addItem(f"{hit.label}  —  {where}, {hit.tier}, {hit.start:.2f} s")
        more = " (first shown)" if len(self.hits) >= MAX_HITS else ""
        self.window_.show_status(f"{len(self.hits)} hits for “{text}”{more}." if text else "")

    def step(self, step: int) -> None:
        if not self.hits:
            self.start()
            return
        row = (self.results.currentRow() + step) % len(self.hits)
        self.jump(row)

    def jump(self, row: int) -> None:
        if not 0 <= row < len(self.hits):
            return
        self.results.setCurrentRow(row)
        hit = self.hits[row]
        corpus = self.window_.corpus

        def select() -> None:
            corpus.select_word(hit.tier, hit.start, hit.end, hit.label, play=False)

        if hit.path is None or hit.path == corpus.current:
            select()
        else:
            corpus.open_file(hit.path, then=select)


def find_hits(window: MainWindow, text: str) -> list[Hit]:
    needle = text.casefold()
    corpus = window.corpus
    hits: list[Hit] = []
    doc = window.model.document
    if doc is not None:
        for tier in doc.tiers:
            for segment in tier.segments:
                if needle in segment.label.casefold():
                    hits.append(Hit(corpus.current, tier.name, segment.start, segment.end,
                                    segment.label))  # fmt: skip
    if corpus.db is not None:
        # LIKE is case-insensitive for ASCII only: casefold again in Python for the rest.
        rows = corpus.db.execute(
            "SELECT f.path, w.tier, w.start, w.end, w.label FROM words w "
            "JOIN files f ON f.id = w.file_id WHERE instr(lower(w.label), lower(?)) > 0 "
            "AND f.path IS NOT ? ORDER BY f.path, w.idx LIMIT ?",
            (text, corpus.current, MAX_HITS),
        )
        for path, tier, start, end, label in rows:
            if needle in label.casefold():
                hits.append(Hit(path, word_tier_name(tier), start, end, label))
    return hits[:MAX_HITS]
