"""The left axis of a tier view, which shows the tier's name: a click there chooses the tier, a
right click opens the tier's menu (add, rename, delete, move, duplicate)."""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt


class TierNameAxis(pg.AxisItem):
    def __init__(self, on_click: Callable[[], None], on_menu: Callable[[QPointF], None]) -> None:
        super().__init__("left")
        self._on_click = on_click
        self._on_menu = on_menu

    def mouseClickEvent(self, ev) -> None:
        # pyqtgraph's axis passes clicks to its view box, which would treat them as clicks at a
        # time; on the name they are about the tier.
        if ev.button() == Qt.MouseButton.RightButton:
            ev.accept()
            self._on_menu(ev.screenPos())
        elif ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._on_click()
        else:
            ev.ignore()
