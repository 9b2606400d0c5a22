"""The corpus list: an item model over the database's ``files`` rows, a tree by speaker.

One query fills it (``CorpusDatabase.files``) and the view asks only for the rows it shows, so a
corpus of 10,000 recordings opens at once: no widget and no item object per row, just the rows'
tuples. A file whose status changes is updated in place (``update_file``), without a reset.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from aligner_gui.core.corpus.database import FileRow

COLUMNS = ("Recording", "Status", "Duration", "Doubtful", "Lowest score")
PATH_ROLE = Qt.ItemDataRole.UserRole + 1  # the recording's relative path ("" on a speaker row)
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # numbers sort as numbers, missing values last
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3
_SPEAKER = 0  # internalId of a speaker row; a file row's is its speaker's position + 1
_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the invisible root, as the default parent


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


class CorpusModel(QAbstractItemModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._speakers: list[str] = []
        self._files: list[list[FileRow]] = []  # per speaker, in path order
        self._where: dict[str, tuple[int, int]] = {}  # path -> (speaker, row)

    # -- filling ---------------------------------------------------------------------------------

    def set_rows(self, rows: list[FileRow]) -> None:
        self.beginResetModel()
        by_speaker: dict[str, list[FileRow]] = {}
        for row in rows:
            by_speaker.setdefault(row.speaker, []).append(row)
        self._speakers = sorted(by_speaker)
        self._files = [sorted(by_speaker[s], key=lambda r: r.path) for s in self._speakers]
        self._where = {
            row.path: (s, r) for s, files in enumerate(self._files) for r, row in enumerate(files)
        }
        self.endResetModel()

    def update_file(self, row: FileRow) -> None:
        where = self._where.get(row.path)
        if where is None:
            return
        speaker, position = where
        self._files[speaker][position] = row
        first = self.createIndex(position, 0, speaker + 1)
        last = self.createIndex(position, len(COLUMNS) - 1, speaker + 1)
        self.dataChanged.emit(first, last)

    def file(self, path: str) -> FileRow | None:
        where = self._where.get(path)
        return None if where is None else self._files[where[0]][where[1]]

    def file_count(self) -> int:
        return len(self._where)

    def index_of(self, path: str) -> QModelIndex:
        where = self._where.get(path)
        if where is None:
            return QModelIndex()
        return self.createIndex(where[1], 0, where[0] + 1)

    # -- QAbstractItemModel ----------------------------------------------------------------------

    def index(self, row: int, column: int, parent: _Index = _ROOT) -> QModelIndex:
        # Bounds checked here rather than by hasIndex: it calls back into rowCount and
        # columnCount, and the proxy asks for every row when the list is filled.
        if column < 0 or column >= len(COLUMNS) or row < 0:
            return QModelIndex()
        if not parent.isValid():
            if row >= len(self._speakers):
                return QModelIndex()
            return self.createIndex(row, column, _SPEAKER)
        if parent.internalId() != _SPEAKER or row >= len(self._files[parent.row()]):
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, child: _Index = _ROOT) -> QModelIndex:  # type: ignore[override]
        if not child.isValid() or child.internalId() == _SPEAKER:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, _SPEAKER)

    def rowCount(self, parent: _Index = _ROOT) -> int:
        if not parent.isValid():
            return len(self._speakers)
        if parent.internalId() == _SPEAKER and parent.column() == 0:
            return len(self._files[parent.row()])
        return 0

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if index.internalId() == _SPEAKER:
            return self._speaker_data(index, role)
        row = self._files[index.internalId() - 1][index.row()]
        column = index.column()
        if role == PATH_ROLE:
            return row.path
        if role == STATUS_ROLE:
            return row.status
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == SORT_ROLE:
            return _sort_key(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and row.message:
            return row.message
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _speaker_data(self, index: _Index, role: int) -> object:
        speaker = self._speakers[index.row()]
        if role in (PATH_ROLE, STATUS_ROLE):
            return ""
        if index.column() == 0 and role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            name = speaker or "(no speaker folder)"
            if role == SORT_ROLE:
                return name
            return f"{name} ({len(self._files[index.row()])})"
        return None


def _display(row: FileRow, column: int) -> str:
    if column == 0:
        return _name(row.path)
    if column == 1:
        return row.status
    if column == 2:
        return "" if row.duration is None else f"{row.duration:.1f} s"
    if column == 3:
        return "" if row.doubtful_regions is None else str(row.doubtful_regions)
    return "" if row.lowest_score is None else f"{row.lowest_score:.2f}"


def _sort_key(row: FileRow, column: int) -> object:
    if column == 0:
        return _name(row.path).casefold()
    if column == 1:
        return row.status
    value = (row.duration, row.doubtful_regions, row.lowest_score)[column - 2]
    return float("inf") if value is None else float(value)


class CorpusFilter(QSortFilterProxyModel):
    """Sorting by any column; a text filter on the name and a status filter (speakers whose files
    are all filtered out disappear)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setRecursiveFilteringEnabled(True)
        self._text = ""
        self._status = ""

    def set_text(self, text: str) -> None:
        self._change_filter(lambda: setattr(self, "_text", text.strip().casefold()))

    def set_status(self, status: str) -> None:
        """Show only files of ``status`` ("" shows every status)."""
        self._change_filter(lambda: setattr(self, "_status", status))

    def _change_filter(self, change: Callable[[], None]) -> None:
        # Qt 6.10 deprecates invalidateFilter (a warning, an error under pytest) for this pair;
        # older Qt, which pyproject still allows, only has invalidateFilter.
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if not self._text and not self._status:
            return True  # the common case, 10,000 times on opening: no call into the rows
        source = self.sourceModel()
        index = source.index(source_row, 0, source_parent)
        path = source.data(index, PATH_ROLE)
        if not path:
            return False  # a speaker row is shown through its files (recursive filtering)
        if self._status and source.data(index, STATUS_ROLE) != self._status:
            return False
        return not self._text or self._text in str(path).casefold()
