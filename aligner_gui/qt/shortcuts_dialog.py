"""Help → Keyboard shortcuts: every shortcut of the window's actions, read from the actions
themselves when the dialog opens (a hand-written list would go stale), grouped by menu."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMainWindow,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

OTHER = "Other"  # shortcuts of window actions that are in no menu


def plain_text(text: str) -> str:
    """A menu text without its mnemonic marks ("&Save" -> "Save", "&&" -> "&")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def shortcut_text(action: QAction) -> str:
    return ", ".join(
        key.toString(QKeySequence.SequenceFormat.NativeText) for key in action.shortcuts()
    )


def shortcut_groups(window: QMainWindow) -> list[tuple[str, list[tuple[str, str]]]]:
    """(menu, [(action, shortcuts)]) for every menu of the menu bar (submenus as "Menu ›
    Submenu") with an action that has a shortcut, then the window's other actions."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    seen: set[int] = set()

    def walk(menu: QMenu, title: str) -> None:
        rows: list[tuple[str, str]] = []
        submenus: list[tuple[QMenu, str]] = []
        for action in menu.actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                submenus.append((sub, f"{title} › {plain_text(action.text())}"))
            elif not action.isSeparator() and action.shortcuts():
                seen.add(id(action))
                rows.append((plain_text(action.text()), shortcut_text(action)))
        if rows:
            groups.append((title, rows))
        for sub, sub_title in submenus:
            walk(sub, sub_title)

    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu):
            walk(menu, plain_text(action.text()))
    others = [
        (plain_text(a.text()), shortcut_text(a))
        for a in window.actions()
        if a.shortcuts() and id(a) not in seen
    ]
    if others:
        groups.append((OTHER, others))
    return groups


class ShortcutsDialog(QDialog):
    """Not modal: it can stay open beside the editor while the keys are learnt."""

    def __init__(self, window: QMainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.window_ = window
        self.setWindowTitle("Keyboard shortcuts")
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Command", "Shortcut"])
        self.tree.setRootIsDecorated(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.resize(520, 600)
        self.refresh()

    def refresh(self) -> None:
        self.tree.clear()
        for title, rows in shortcut_groups(self.window_):
            group = QTreeWidgetItem(self.tree, [title])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setFirstColumnSpanned(True)
            for text, keys in rows:
                QTreeWidgetItem(group, [text, keys])
            group.setExpanded(True)
        self.tree.resizeColumnToContents(0)

    def rows(self) -> list[tuple[str, str, str]]:
        """(menu, command, shortcuts) as shown."""
        out: list[tuple[str, str, str]] = []
        groups = (self.tree.topLevelItem(g) for g in range(self.tree.topLevelItemCount()))
        for group in groups:
            assert group is not None
            children = (group.child(k) for k in range(group.childCount()))
            out += [(group.text(0), c.text(0), c.text(1)) for c in children if c is not None]
        return out
