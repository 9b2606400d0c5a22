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
from PySide6.QtCore import QLineF, QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import QToolTip

from aligner_gui.core.display.tier_data import TierData  # re-exported: importers use it here
from aligner_gui.qt.views.colors import Theme, flattened, score_color, theme_from_palette

# More visible intervals than this per pixel column and they are painted as merged blocks.
MAX_PAINTED_PER_PIXEL = 0.5
MIN_LABEL_PIXELS = 7  # narrower intervals get no text at all (not even "…")
FLAG_MARK = "?"
GRAB_PIXELS = 4  # a drag starting this close to a boundary moves it
SCORE_LEVELS = 64  # confidence tints are quantised to this many steps (cached colours)

# (boundary index, seconds, phase) with phase "start", "move" or "finish".
DragCallback = Callable[[int, float, str], None]


def display_label(label: str) -> str:
    """One line of text: Praat labels may contain line breaks."""
    return " ⏎ ".join(label.splitlines()) if "\n" in label or "\r" in label else label


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


class IntervalsItem(pg.GraphicsObject):
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

    # -- colours ----------------------------------------------------------------------------------

    def _opaque(self, color: QColor) -> QColor:
        return flattened(color, self.theme.background)

    def _score_color(self, score: float) -> QColor:
        """The confidence tint, opaque over the background (quantised and cached)."""
        key = -1 if math.isnan(score) else round(min(1.0, max(0.0, score)) * (SCORE_LEVELS - 1))
        color = self._colors.get(key)
        if color is None:
            value = None if key < 0 else key / (SCORE_LEVELS - 1)
            color = self._colors[key] = self._opaque(score_color(value, self.theme))
        return color

    def _silence_color(self) -> QColor:
        color = self._colors.get(-2)
        if color is None:
            color = self._colors[-2] = self._opaque(self.theme.silence)
        return color

    def _block_lut(self) -> np.ndarray:
        """uint32 RGB of: SCORE_LEVELS confidence tints, unknown score, silence, flagged."""
        if self._lut is None:
            flagged = QColor(self.theme.flagged)
            flagged.setAlpha(150)
            colors = [self._score_color(k / (SCORE_LEVELS - 1)) for k in range(SCORE_LEVELS)]
            colors += [self._score_color(math.nan), self._silence_color(), self._opaque(flagged)]
            self._lut = np.array([c.rgba() for c in colors], dtype=np.uint32)
        return self._lut

    # -- painting ---------------------------------------------------------------------------------

    def paint(self, p: QPainter, *_args) -> None:
        view = self.getViewBox()
        self.painted_labels = []
        self.painted_marks = []
        self.painted_mode = ""
        if view is None or len(self.data) == 0:
            return
        (t0, t1), _ = view.viewRange()
        lo, hi = self.data.visible_range(t0, t1)
        tr = p.transform()
        p.save()
        p.resetTransform()
        clip = tr.mapRect(QRectF(t0, 0.0, t1 - t0, 1.0)).normalized()
        # Everything below is drawn inside `clip` already; the ViewBox's clip path would make
        # each fill an expensive path-clipped operation.
        p.setClipping(False)
        left = tr.map(QPointF(0.0, 0.0)).x()
        scale = tr.map(QPointF(1.0, 0.0)).x() - left
        geometry = (left, scale, clip)
        if hi > lo and (hi - lo) > MAX_PAINTED_PER_PIXEL * max(1.0, clip.width()):
            if self.data.is_points:
                self._paint_dense_points(p, geometry, lo, hi)
            else:
                self._paint_blocks(p, geometry, lo, hi)
        elif self.data.is_points:
            self._paint_points(p, geometry, lo, hi)
        else:
            self._paint_intervals(p, geometry, lo, hi)
        p.restore()

    def _paint_intervals(self, p: QPainter, geometry, lo: int, hi: int) -> None:
        left, scale, clip = geometry
        theme = self.theme
        d = self.data
        assert d.score_values is not None
        self.painted_mode = "intervals"
        top, height = round(clip.top()), round(clip.height())
        cl, cr = clip.left(), clip.right()
        x0s = np.rint(np.clip(left + d.starts[lo:hi] * scale, cl, cr)).astype(np.int64).tolist()
        x1s = np.rint(np.clip(left + d.ends[lo:hi] * scale, cl, cr)).astype(np.int64).tolist()
        font = self.label_font or QGuiApplication.font()
        p.setFont(font)
        metrics = QFontMetrics(font)
        text_pen = QPen(theme.foreground)
        hatch = QBrush(theme.flagged, Qt.BrushStyle.BDiagPattern)
        silence = self._silence_color()
        painted: list[str] = []
        outlines: list[tuple[QRect, QPen]] = []
        for k, i in enumerate(range(lo, hi)):
            x0, x1 = x0s[k], x1s[k]
            if x1 <= x0:
                continue
            rect = QRect(x0, top, x1 - x0, height)
            label = d.labels[i]
            p.fillRect(rect, self._score_color(d.score_values[i]) if label else silence)
            flagged = not d.aligned[i]
            if flagged:
                p.fillRect(rect, hatch)
                outlines.append((rect, QPen(theme.flagged, 1.5)))
            if i == self.selected:
                outlines.append((rect, QPen(theme.boundary_hover, 2.5)))
            text = display_label(label)
            if flagged:
                text = f"{FLAG_MARK}{text}"
            if text and x1 - x0 >= MIN_LABEL_PIXELS:
                elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, x1 - x0 - 4)
                if elided:
                    p.setPen(text_pen)
                    p.drawText(rect.adjusted(2, 0, -2, 0), Qt.AlignmentFlag.AlignCenter, elided)
                    painted.append(elided)
        p.setBrush(Qt.BrushStyle.NoBrush)
        for rect, pen in outlines:
            p.setPen(pen)
            p.drawRect(QRectF(rect).adjusted(1, 1, -1, -1))
        self._paint_marks(p, lo, x0s, x1s, top + height)
        # Boundaries: the start of every interval in view but the first of the tier.
        first = max(lo, 1)
        xs = np.rint(left + d.starts[first:hi] * scale)
        xs = xs[(xs >= cl) & (xs <= cr)].tolist()
        bottom = top + height
        p.setPen(QPen(theme.boundary, 1))
        p.drawLines([QLineF(x, top, x, bottom) for x in xs])
        self._paint_active_boundary(p, geometry)
        self.painted_labels = painted

    def _paint_marks(
        self, p: QPainter, lo: int, x0s: list[int], x1s: list[int], bottom: int
    ) -> None:
        """A dotted underline under each interval with a note (as spelling checkers mark words)."""
        if not self.notes:
            return
        pen = QPen(self.theme.flagged, 2, Qt.PenStyle.DotLine)
        p.setPen(pen)
        y = bottom - 3
        for i in sorted(self.notes):
            k = i - lo
            if 0 <= k < len(x0s) and x1s[k] - x0s[k] > 4:
                p.drawLine(QLineF(x0s[k] + 2, y, x1s[k] - 2, y))
                self.painted_marks.append(i)

    def _paint_active_boundary(self, p: QPainter, geometry) -> None:
        """The boundary under the mouse or being dragged, drawn wide in the highlight colour."""
        index = self.dragged if self.dragged is not None else self.hovered
        if index is None or not 0 <= index < len(self.data):
            return
        left, scale, clip = geometry
        x = round(left + float(self.data.starts[index]) * scale)
        if clip.left() <= x <= clip.right():
            p.setPen(QPen(self.theme.boundary_hover, 3))
            p.drawLine(QLineF(x, clip.top(), x, clip.bottom()))

    def _paint_points(self, p: QPainter, geometry, lo: int, hi: int) -> None:
        left, scale, clip = geometry
        theme = self.theme
        d = self.data
        self.painted_mode = "points"
        metrics = QFontMetrics(QGuiApplication.font())
        p.setFont(QGuiApplication.font())
        painted: list[str] = []
        for i in range(lo, hi):
            x = left + d.starts[i] * scale
            pen = QPen(theme.boundary_hover if i == self.selected else theme.boundary, 2)
            p.setPen(pen)
            p.drawLine(QPointF(x, clip.top()), QPointF(x, clip.bottom()))
            nxt = left + d.starts[i + 1] * scale if i + 1 < len(d) else clip.right()
            width = int(min(nxt, clip.right()) - x) - 6
            text = display_label(d.labels[i])
            if text and width >= MIN_LABEL_PIXELS:
                elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
                p.setPen(QPen(theme.foreground))
                box = QRectF(x + 3, clip.top(), width, clip.height())
                p.drawText(box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elided)
                painted.append(elided)
        self._paint_active_boundary(p, geometry)
        self.painted_labels = painted

    def _paint_dense_points(self, p: QPainter, geometry, lo: int, hi: int) -> None:
        """Too many points for their labels to be legible: one tick per pixel column."""
        left, scale, clip = geometry
        self.painted_mode = "points"
        p.setPen(QPen(self.theme.boundary, 1))
        columns = np.unique(np.rint(left + self.data.starts[lo:hi] * scale)).tolist()
        top, bottom = clip.top(), clip.bottom()
        p.drawLines([QLineF(x, top, x, bottom) for x in columns])

    def _paint_blocks(self, p: QPainter, geometry, lo: int, hi: int) -> None:
        """Intervals thinner than two pixels: one colour per pixel column, as one image.

        A column shows the lowest confidence of the labelled intervals in it (so that a doubtful
        word stays visible at any zoom), the flag colour if one of them is flagged, silence if
        none is labelled.
        """
        left, scale, clip = geometry
        d = self.data
        assert d.labelled is not None and d.score_values is not None and d.flagged is not None
        self.painted_mode = "blocks"
        c0 = math.floor(clip.left())
        width = max(1, math.ceil(clip.right()) - c0)
        labelled = np.flatnonzero(d.labelled[lo:hi]) + lo
        # Columns covered by each labelled interval: [floor(x0), ceil(x1)), at least one.
        a = np.floor(left + d.starts[labelled] * scale).astype(np.int64) - c0
        b = np.ceil(left + d.ends[labelled] * scale).astype(np.int64) - c0
        a = np.clip(a, 0, width - 1)
        b = np.clip(np.maximum(b, a + 1), 1, width)
        covered = np.cumsum(
            np.bincount(a, minlength=width + 1) - np.bincount(b, minlength=width + 1)
        )[:width]
        # Each interval gives its score to the column of its start (thin intervals have one).
        level = np.full(width, SCORE_LEVELS, dtype=np.int64)  # SCORE_LEVELS = unknown
        scores = d.score_values[labelled]
        known = ~np.isnan(scores)
        quantised = np.rint(np.clip(scores[known], 0.0, 1.0) * (SCORE_LEVELS - 1)).astype(np.int64)
        np.minimum.at(level, a[known], quantised)
        flagged = np.zeros(width, dtype=bool)
        flagged[a[d.flagged[labelled]]] = True
        index = np.where(covered > 0, level, SCORE_LEVELS + 1)
        index[flagged] = SCORE_LEVELS + 2
        row = np.ascontiguousarray(self._block_lut()[index])
        image = QImage(row.data, width, 1, 4 * width, QImage.Format.Format_RGB32)
        p.drawImage(QRectF(c0, clip.top(), width, clip.height()), image)
        if self.selected is not None and lo <= self.selected < hi:
            x0 = left + d.starts[self.selected] * scale
            x1 = left + d.ends[self.selected] * scale
            p.setPen(QPen(self.theme.boundary_hover, 2.5))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(x0, clip.top() + 1, max(1.0, x1 - x0), clip.height() - 2))

    # -- mouse ------------------------------------------------------------------------------------

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
