"""What every time-aligned view shares: a seconds axis, cursor, playhead and selection overlays,
fixed axis widths (so that stacked, x-linked views line up pixel for pixel) and the wiring to the
DocumentModel's signals.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor

from aligner_gui.qt.views.colors import Theme, theme_from_palette

if TYPE_CHECKING:
    from aligner_gui.core.document.document import AlignmentDocument
    from aligner_gui.qt.document_model import DocumentModel

# Stacked views must have identical plot-area geometry for their x axes to line up.
LEFT_AXIS_WIDTH = 84
RIGHT_GUTTER = 64
MIN_X_RANGE = 0.005  # seconds: the deepest zoom, a few samples per pixel


class TimeViewBox(pg.ViewBox):
    """A ViewBox that zooms and pans in time only and reports clicks in seconds.

    In a box with ``drag_selects`` (the waveform, the spectrogram) a plain left drag selects a
    time range; everywhere, Shift+drag and middle-drag pan (pyqtgraph's own drag) and the wheel
    zooms. Other boxes (the tiers, the emissions) pan with a plain drag, as they always have.
    """

    sigTimeClicked = Signal(float)  # left click on empty space, seconds
    sigTimeShiftClicked = Signal(float)  # Shift + left click: extend the time selection
    sigTimeContextMenu = Signal(float, QPointF)  # right click: seconds, global screen position
    sigSelectionDragged = Signal(float, float)  # plain left drag: anchor and current seconds

    def __init__(self) -> None:
        super().__init__(enableMenu=False)
        self.setMouseEnabled(x=True, y=False)
        self.drag_selects = False
        # pyqtgraph applies a new range to its transform only when it is about to paint, which
        # changes the scene during the paint and makes Qt paint the view a second time: apply
        # it at once, so that a pan or a zoom costs one paint per view.
        self.sigRangeChanged.connect(self._apply_range)

    def _apply_range(self, *_args) -> None:
        self.updateMatrix()

    def mouseClickEvent(self, ev) -> None:
        x = self.mapSceneToView(ev.scenePos()).x()
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.sigTimeShiftClicked.emit(float(x))
            else:
                self.sigTimeClicked.emit(float(x))
        elif ev.button() == Qt.MouseButton.RightButton:
            ev.accept()
            self.sigTimeContextMenu.emit(float(x), ev.screenPos())

    def mouseDragEvent(self, ev, axis=None) -> None:
        selecting = (
            self.drag_selects
            and axis is None
            and ev.button() == Qt.MouseButton.LeftButton
            and not ev.modifiers() & Qt.KeyboardModifier.ShiftModifier
        )
        if not selecting:
            super().mouseDragEvent(ev, axis)  # pans
            return
        ev.accept()
        anchor = self.mapSceneToView(ev.buttonDownScenePos()).x()
        here = self.mapSceneToView(ev.scenePos()).x()
        self.sigSelectionDragged.emit(float(anchor), float(here))


class TimePlot(pg.PlotWidget):
    """Base of the waveform, emission, trellis and tier views."""

    view_name = "view"  # key for the View menu and the persisted visibility
    title = "View"

    def __init__(self, model: DocumentModel, parent=None) -> None:
        self.time_box = TimeViewBox()
        super().__init__(parent, viewBox=self.time_box)
        self.model = model
        self.theme: Theme = theme_from_palette()
        item = self.getPlotItem()
        item.hideButtons()
        item.setMenuEnabled(False)
        item.setClipToView(False)
        left = item.getAxis("left")
        left.setWidth(LEFT_AXIS_WIDTH)
        item.showAxis("right")
        right = item.getAxis("right")
        right.setWidth(RIGHT_GUTTER)
        right.setStyle(showValues=False, tickLength=0)
        right.setPen(pg.mkPen(None))
        item.getAxis("bottom").setLabel("Time", units="s")
        # No axis scales its label with an SI prefix (none has units but time, kept in seconds),
        # and with the prefix on every range change re-sets each axis's label, hidden or not.
        for side in ("left", "bottom", "right", "top"):
            item.getAxis(side).enableAutoSIPrefix(False)
        self.setMinimumHeight(40)

        self.selection_region = pg.LinearRegionItem(movable=False)
        self.selection_region.setZValue(-5)
        self.selection_region.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        for line in self.selection_region.lines:
            line.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.selection_region.hide()
        self.cursor_line = pg.InfiniteLine(0.0, movable=False)
        self.cursor_line.setZValue(20)
        self.cursor_line.hide()
        self.playhead = pg.InfiniteLine(0.0, movable=False)
        self.playhead.setZValue(30)
        self.playhead.hide()
        for overlay in (self.selection_region, self.cursor_line, self.playhead):
            item.addItem(overlay, ignoreBounds=True)
        self.time_box.sigTimeClicked.connect(self._on_time_clicked)
        self.time_box.sigTimeShiftClicked.connect(model.time_selection.extend_to)
        self.time_box.sigSelectionDragged.connect(model.time_selection.select)
        self._connections: list[tuple[object, object]] = []
        self._connect(model.time_selection.changed, self._update_selection)
        self._connect(model.documentReset, self._on_reset)
        self._connect(model.tierChanged, self._on_tier_changed)
        self._connect(model.selectionChanged, self._on_selection_changed)
        self._connect(model.cursorMoved, self._on_cursor_moved)
        self.apply_theme(self.theme)

    # -- wiring -----------------------------------------------------------------------------------

    def _connect(self, signal, slot) -> None:
        signal.connect(slot)
        self._connections.append((signal, slot))

    def detach(self) -> None:
        """Disconnect from the model; called before the view is closed or deleted."""
        for signal, slot in self._connections:
            # Already disconnected, or gone with the model.
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect(slot)  # type: ignore[attr-defined]
        self._connections.clear()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.detach()
        super().closeEvent(event)

    @property
    def document(self) -> AlignmentDocument | None:
        return self.model.document

    @property
    def view_box(self) -> TimeViewBox:
        return self.time_box

    # -- hooks for subclasses ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Rebuild everything from the model's document."""

    def on_tier_changed(self, tier: str, kind: str, index: int) -> None:
        """A document edit; most views only care about the selection overlay."""

    def _on_reset(self) -> None:
        doc = self.document
        if doc is not None:
            self.getPlotItem().setLimits(
                xMin=-0.02 * doc.duration - 0.05,
                xMax=doc.duration * 1.02 + 0.05,
                minXRange=MIN_X_RANGE,
            )
        self.refresh()
        self._update_selection()

    def _on_tier_changed(self, tier: str, kind: str, index: int) -> None:
        self.on_tier_changed(tier, kind, index)
        self._update_selection()

    def _on_selection_changed(self, tier: str, index: int) -> None:
        self._update_selection()

    def _on_cursor_moved(self, seconds: float) -> None:
        self.cursor_line.setValue(seconds)
        self.cursor_line.show()

    def _on_time_clicked(self, seconds: float) -> None:
        # As in Praat: a click on the signal places the cursor and drops the selection.
        self.model.clear_selection()
        self.model.set_cursor(seconds)

    def _update_selection(self) -> None:
        span = self.model.time_selection.span()
        if span is None:
            self.selection_region.hide()
        else:
            self.selection_region.setRegion(span)
            self.selection_region.show()

    # -- appearance --------------------------------------------------------------------------------

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.setBackground(theme.background)
        item = self.getPlotItem()
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(theme.foreground))
            axis.setTextPen(pg.mkPen(theme.foreground))
        self.selection_region.setBrush(pg.mkBrush(theme.selection))
        for line in self.selection_region.lines:
            line.setPen(pg.mkPen(None))
        self.cursor_line.setPen(pg.mkPen(theme.cursor, width=1, style=Qt.PenStyle.DashLine))
        self.playhead.setPen(pg.mkPen(theme.playhead, width=2))

    def set_time_axis_visible(self, visible: bool) -> None:
        self.getPlotItem().showAxis("bottom", visible)

    def set_playhead(self, seconds: float | None) -> None:
        if seconds is None:
            self.playhead.hide()
        else:
            self.playhead.setValue(seconds)
            self.playhead.show()

    def x_range(self) -> tuple[float, float]:
        lo, hi = self.time_box.viewRange()[0]
        return float(lo), float(hi)

    def plot_width_pixels(self) -> int:
        return max(1, int(self.time_box.width()))

    def pixel_of(self, seconds: float, y: float) -> tuple[int, int]:
        """Viewport pixel of data point (seconds, y): for tests and hit testing."""
        scene = self.time_box.mapViewToScene(QPointF(seconds, y))
        point = self.mapFromScene(scene)
        return point.x(), point.y()


def selected_span(model: DocumentModel) -> tuple[float, float] | None:
    """[start, end] of the selected segment, or None."""
    doc = model.document
    selection = model.selection()
    if doc is None or selection is None:
        return None
    tier_name, index = selection
    try:
        segments = doc.tier(tier_name).segments
    except (KeyError, ValueError):
        return None
    if not 0 <= index < len(segments):
        return None
    seg = segments[index]
    return (seg.start, seg.end)


def transparent(color: QColor, alpha: int) -> QColor:
    out = QColor(color)
    out.setAlpha(alpha)
    return out
