"""The graphics item that paints one tier's intervals (or points), only those in view, and lets the
user drag their boundaries.

It paints in device pixels (the painter's transform is reset after mapping the interval edges) so
that labels keep their size at any zoom, and it elides a label that does not fit its interval.
The intervals are a :class:`~aligner_gui.core.display.tier_data.TierData` (numpy arrays), so finding
the visible ones is a binary search, whatever the length of the file. Zoomed out so far that
intervals are thinner than two pixels, it paints one colour per pixel column instead (merged
blocks: the lowest confidence of the speech in the column, flagged words on top), as a single
image.

Boundaries are not graphics items of their own (50,000 characters would make 50,000 items, each
costing time at every repaint): this item draws them, highlights the one under the mouse, and turns
a drag that starts on one into ``on_drag`` calls for the owner, which edits the document.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QToolTip

from aligner_gui.core.display.tier_data import TierData  # re-exported: importers use it here
from aligner_gui.qt.views.colors import Theme, theme_from_palette
from aligner_gui.qt.views.intervals_paint import IntervalsPainting

GRAB_PIXELS = 4  # a drag starting this close to a boundary moves it

# (boundary index, seconds, phase) with phase "start", "move" or "finish".
DragCallback = Callable[[int, float, str], None]


def tooltip_text(data: TierData, i: int) -> str:
    label = data.labels[i] or "(silence)"
    score = data.scores[i]
    if data.is_points:
        return f"{label}\ntime: {data.starts[i]:.4f} s"
    lines = [
        label,
        f"start: {data.starts[i]:.4f} s",
        f"end: {data.ends[i]:.4f} s",
        f"duration: {1000.0 * (data.ends[i] - data.starts[i]):.1f} ms",
        "score: unknown" if score is None or math.isnan(score) else f"score: {score:.3f}",
    ]
    if not data.aligned[i]:
        lines.append("not aligned by the model: boundaries interpolated")
    return "\n".join(lines)


class IntervalsItem(IntervalsPainting, pg.GraphicsObject):
    """Paints ``data`` inside y in [0, 1]; reports clicks and boundary drags through callbacks
    set by the owner."""

    def __init__(self) -> None:
        super().__init__()
        self.data = TierData.empty()
        self.duration = 0.0
        self.selected: int | None = None
        self.theme: Theme = theme_from_palette()
        self.editable = False  # the owner allows boundary drags (few enough boundaries in view)
        self.hovered: int | None = None  # boundary under the mouse
        self.dragged: int | None = None  # boundary being dragged
        self._drag_origin = 0.0  # the boundary's time when the drag started
        self.on_click: Callable[[float, bool], None] | None = None  # (seconds, double)
        self.on_shift_click: Callable[[float], None] | None = None  # extends the time selection
        self.on_context_menu: Callable[[float, QPointF], None] | None = None
        self.on_drag: DragCallback | None = None
        self._hover_scene_pos: QPointF | None = None  # where the mouse is, while over the item
        self.drag_alone = False  # the current drag leaves the linked tiers alone (Alt held)
        self.painted_labels: list[str] = []  # texts drawn by the last paint (for tests)
        self.painted_mode = ""  # "intervals", "points", "blocks" or "" (for tests)
        # Interval index -> a note for its tooltip; such intervals are underlined with dots
        # (words whose pronunciation G2P guessed).
        self.notes: dict[int, str] = {}
        self.painted_marks: list[int] = []  # intervals underlined by the last paint (for tests)
        self.label_font: QFont | None = None  # None: the application's font
        self._colors: dict[int, QColor] = {}
        self._lut: np.ndarray | None = None
        self.setZValue(1)  # above its ViewBox in pyqtgraph's absolute z, or the box takes clicks

    def set_data(self, data: TierData, duration: float) -> None:
        self.prepareGeometryChange()
        self.data = data
        self.duration = duration
        self.hovered = None
        self.update()

    def set_selected(self, index: int | None) -> None:
        self.selected = index
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._colors.clear()
        self._lut = None
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(0.0, 0.0, max(self.duration, 1e-6), 1.0)

    def _grab_tolerance(self) -> float:
        view = self.getViewBox()
        return 0.0 if view is None else GRAB_PIXELS * view.viewPixelSize()[0]

    def boundary_at(self, seconds: float) -> int | None:
        """The draggable boundary at ``seconds`` (None when not editable or none is near)."""
        if not self.editable:
            return None
        return self.data.boundary_near(seconds, self._grab_tolerance())

    def mouseClickEvent(self, ev) -> None:
        x = float(ev.pos().x())
        shift = bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if ev.button() == Qt.MouseButton.LeftButton and shift and self.on_shift_click is not None:
            ev.accept()
            self.on_shift_click(x)
        elif ev.button() == Qt.MouseButton.LeftButton and self.on_click is not None:
            ev.accept()
            self.on_click(x, bool(ev.double()))
        elif ev.button() == Qt.MouseButton.RightButton and self.on_context_menu is not None:
            ev.accept()
            self.on_context_menu(x, ev.screenPos())

    def mouseDragEvent(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        if ev.isStart():
            index = self.boundary_at(float(ev.buttonDownPos().x()))
            if index is None:
                ev.ignore()  # not on a boundary: the view box pans
                return
            self.dragged = index
            # Alt: move the boundary in this tier only (the linked tiers' boundaries stay).
            self.drag_alone = bool(ev.modifiers() & Qt.KeyboardModifier.AltModifier)
            self._drag_origin = float(self.data.starts[index])
            self._emit_drag(index, self._drag_origin, "start")
        if self.dragged is None:
            ev.ignore()
            return
        ev.accept()
        index = self.dragged
        # The boundary follows the mouse's motion (not its position: no jump at the start).
        seconds = self._drag_origin + float(ev.pos().x() - ev.buttonDownPos().x())
        self._emit_drag(index, seconds, "move")
        if ev.isFinish():
            self.dragged = None
            self._emit_drag(index, seconds, "finish")
            self.update()

    def _emit_drag(self, index: int, seconds: float, phase: str) -> None:
        if self.on_drag is not None:
            self.on_drag(index, seconds, phase)

    def hoverEvent(self, ev) -> None:
        if ev.isExit():
            self._set_hovered(None)
            self._hover_scene_pos = None
            self.setToolTip("")
            return
        # Claim clicks (a drag on an interval pans the view, on a boundary moves it).
        ev.acceptClicks(Qt.MouseButton.LeftButton)
        ev.acceptClicks(Qt.MouseButton.RightButton)
        x = float(ev.pos().x())
        boundary = self.boundary_at(x)
        if boundary is not None and ev.acceptDrags(Qt.MouseButton.LeftButton):
            self._set_hovered(boundary)
        else:
            self._set_hovered(None)
        self._hover_scene_pos = QPointF(ev.scenePos())
        self._update_tooltip(x)

    def _update_tooltip(self, x: float) -> None:
        tolerance = 0.0
        view = self.getViewBox()
        if view is not None and self.data.is_points:
            tolerance = 4 * view.viewPixelSize()[0]
        i = self.data.index_at(x, tolerance)
        text = "" if i is None else tooltip_text(self.data, i)
        if i is not None and i in self.notes:
            text += "\n" + self.notes[i]
        self.setToolTip(text)

    def view_range_changed(self, *_args) -> None:
        """After a zoom or pan, the mouse is over another item: the tooltip on screen (about the
        old one) goes, and the next one names what is under the mouse now."""
        if QToolTip.isVisible():
            QToolTip.showText(QPoint(), "")  # closes it now (hideText() fades it out in 300 ms)
        if self._hover_scene_pos is None:
            self.setToolTip("")
            return
        self._update_tooltip(float(self.mapFromScene(self._hover_scene_pos).x()))

    def _set_hovered(self, index: int | None) -> None:
        if index != self.hovered:
            self.hovered = index
            if index is None:
                self.unsetCursor()
            else:
                self.setCursor(Qt.CursorShape.SplitHCursor)
            self.update()
