"""What the window shows with nothing open: ways in (a recording, a TextGrid, a corpus), the recent
files and corpora, and a reminder that files and folders can be dropped here. Not empty plots."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aligner_gui.qt.corpus_state import recent_corpora

if TYPE_CHECKING:
    from aligner_gui.qt.main_window import MainWindow

PATH_ROLE = Qt.ItemDataRole.UserRole + 1


class StartPage(QWidget):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("start_page")
        title = QLabel("<h2>aligner-gui</h2>")
        self.open_recording = QPushButton("Open a recording and its transcript…")
        self.open_recording.clicked.connect(window.session.ask_open_alignment)
        self.open_textgrid = QPushButton("Open a recording and its TextGrid…")
        self.open_textgrid.clicked.connect(window.session.ask_open_textgrid)
        self.open_corpus = QPushButton("Open a corpus folder…")
        self.open_corpus.clicked.connect(lambda: window.corpus.ask_open_corpus())
        self.drop_hint = QLabel("…or drop files or a folder here (a folder opens as a corpus).")
        self.recent_files = QListWidget()
        # Activated: a double click, or a single one where the desktop opens items so, or Return.
        self.recent_files.itemActivated.connect(self._open_file)
        self.recent_corpora = QListWidget()
        self.recent_corpora.itemActivated.connect(self._open_corpus)

        column = QVBoxLayout()
        column.addWidget(title)
        for button in (self.open_recording, self.open_textgrid, self.open_corpus):
            column.addWidget(button)
        column.addWidget(self.drop_hint)
        column.addSpacing(16)
        column.addWidget(QLabel("Recent files"))
        column.addWidget(self.recent_files, 1)
        column.addWidget(QLabel("Recent corpora"))
        column.addWidget(self.recent_corpora, 1)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 2)
        outer.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        """The recent lists as they are now (shown each time the page comes back)."""
        self._fill(self.recent_files, self.window_.settings.recent_files)
        self._fill(self.recent_corpora, recent_corpora(self.window_.settings.store))

    @staticmethod
    def _fill(widget: QListWidget, paths: list[Path]) -> None:
        widget.clear()
        for path in paths:
            item = QListWidgetItem(f"{path.name}  —  {path.parent}")
            item.setData(PATH_ROLE, str(path))
            widget.addItem(item)

    def _open_file(self, item: QListWidgetItem) -> None:
        self.window_.session.open_files([Path(item.data(PATH_ROLE))])

    def _open_corpus(self, item: QListWidgetItem) -> None:
        self.window_.corpus.open_corpus(Path(item.data(PATH_ROLE)))
