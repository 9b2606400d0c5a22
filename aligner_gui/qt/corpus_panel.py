"""The corpus dock: the file list (filter box, status filter, sortable tree by speaker), the batch
buttons and the batch's progress. It shows and asks; ``CorpusController`` decides."""

from __future__ import annotations

from pathlib import PurePosixPath

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from aligner_gui.core.corpus.database import STATUSES
from aligner_gui.qt.corpus_model import PATH_ROLE, CorpusFilter, CorpusModel

ALL_STATUSES = "All statuses"
_LITERAL_PERCENT = "%\u200b"


class CorpusPanel(QDockWidget):
    openRequested = Signal(str)  # a recording's relative path
    alignAllRequested = Signal()
    alignSelectedRequested = Signal()
    cancelRequested = Signal()

    def __init__(self, model: CorpusModel, parent: QWidget | None = None) -> None:
        super().__init__("Corpus", parent)
        self.setObjectName("corpus_dock")
        self.model = model
        self.proxy = CorpusFilter(self)
        self.proxy.setSourceModel(model)

        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText("Filter by name")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.textChanged.connect(self._filter_changed)
        self.status_box = QComboBox()
        self.status_box.addItems([ALL_STATUSES, *STATUSES])
        self.status_box.currentTextChanged.connect(self._status_changed)

        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        # The rows come sorted by speaker and name: no sort (a Python call per comparison,
        # 0.3 s on 10,000 rows) until the user clicks a column's header.
        self.tree.header().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.tree.setSortingEnabled(True)
        self.tree.setUniformRowHeights(True)  # lets the view skip measuring 10,000 rows
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        # Fixed widths, not "resize to contents": that would measure rows on every change.
        for column, width in ((1, 80), (2, 64), (3, 64), (4, 88)):
            header.resizeSection(column, width)
        self.tree.doubleClicked.connect(self._activated)
        self.proxy.modelReset.connect(self.tree.expandAll)

        self.align_all = QPushButton("Align all")
        self.align_all.clicked.connect(self.alignAllRequested)
        self.align_selected = QPushButton("Align selected")
        self.align_selected.clicked.connect(self.alignSelectedRequested)
        self.cancel = QPushButton("Cancel")
        self.cancel.clicked.connect(self.cancelRequested)
        self.cancel.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setFormat("%v of %m files")
        self.progress.hide()
        # How far into the files being aligned (one per worker): an hour-long file moves too.
        self.file_progress = QProgressBar()
        self.file_progress.setRange(0, 100)
        self.file_progress.hide()
        self._within: dict[str, float] = {}
        self.current_file = QLabel("")
        self.current_file.setWordWrap(True)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        filters = QHBoxLayout()
        filters.addWidget(self.filter_box, 1)
        filters.addWidget(self.status_box)
        layout.addLayout(filters)
        layout.addWidget(self.tree, 1)
        buttons = QHBoxLayout()
        for button in (self.align_all, self.align_selected, self.cancel):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.file_progress)
        layout.addWidget(self.current_file)
        self.setWidget(body)

    def _filter_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self.tree.expandAll()

    def _status_changed(self, text: str) -> None:
        self.proxy.set_status("" if text == ALL_STATUSES else text)
        self.tree.expandAll()

    def _activated(self, index: QModelIndex) -> None:
        path = index.data(PATH_ROLE)
        if path:
            self.openRequested.emit(path)

    # -- what the controller asks ----------------------------------------------------------------

    def selected_paths(self) -> list[str]:
        paths = (i.data(PATH_ROLE) for i in self.tree.selectionModel().selectedRows(0))
        return [p for p in paths if p]

    def visible_paths(self) -> list[str]:
        """The recordings in the order the list shows them (its sort and filter)."""
        out: list[str] = []
        for s in range(self.proxy.rowCount()):
            speaker = self.proxy.index(s, 0)
            for r in range(self.proxy.rowCount(speaker)):
                out.append(self.proxy.index(r, 0, speaker).data(PATH_ROLE))
        return out

    def show_current(self, path: str) -> None:
        index = self.proxy.mapFromSource(self.model.index_of(path))
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)

    def set_running(self, running: bool) -> None:
        self.cancel.setEnabled(running)
        self.align_all.setEnabled(not running)
        self.align_selected.setEnabled(not running)
        self.progress.setVisible(running)
        self._within.clear()
        self.file_progress.hide()

    def set_file_progress(self, path: str, fraction: float | None) -> None:
        """``path`` is ``fraction`` aligned; None: it is finished (or failed)."""
        if fraction is None:
            self._within.pop(path, None)
        else:
            self._within[path] = fraction
        if not self._within:
            self.file_progress.hide()
            return
        # The bar reads "%p", "%v" and "%m" in its format (and keeps "%%" as it is): a zero-width
        # space after a name's "%" keeps it literal.
        self.file_progress.setFormat(
            " · ".join(
                f"{PurePosixPath(p).name.replace('%', _LITERAL_PERCENT)} {round(100 * f)} %"
                for p, f in self._within.items()
            )
        )
        self.file_progress.setValue(round(100 * next(iter(self._within.values()))))
        self.file_progress.show()

    def set_progress(self, done: int, todo: int, text: str) -> None:
        self.progress.setRange(0, max(1, todo))
        self.progress.setValue(done)
        self.current_file.setText(text)
