"""The graphics item that paints one tier's intervals (or points), only those in view.

It paints in device pixels (the painter's transform is reset after mapping each interval) so that
labels keep their size at any zoom, and it elides a label that does not fit its interval. The
intervals are numpy arrays, so finding the visible ones is a binary search, whatever the length
of the file.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QFontMetrics, QGuiApplication, QPainter, QPen

from aligner_gui.qt.views.colors import Theme, score_color, theme_from_palette

# More visible intervals than this per pixel column and only their boundaries are drawn.
MAX_PAINTED_PER_PIXEL = 0.5
MIN_LABEL_PIXELS = 7  # narrower intervals get no text at all (not even "…")
FLAG_MARK = "?"


@dataclass
class TierData:
    """A snapshot of one tier in arrays, rebuilt from the document after each change."""

    starts: np.ndarray  # float64 (n,)
    ends: np.ndarray
    labels: list[str]
    scores: list[float | None]
    aligned: list[bool]
    is_points: bool = False

    @classmethod
    def empty(cls) -> TierData:
        return cls(np.zeros(0), np.zeros(0), [], [], [])

    @classmethod
    def from_segments(cls, segments: Sequence, is_points: bool = False) -> TierData:
        return cls(
            starts=np.fromiter((s.start for s in segments), dtype=np.float64, count=len(segments)),
            ends=np.fromiter((s.end for s in segments), dtype=np.float64, count=len(segments)),
            labels=[s.label for s in segments],
            scores=[s.score for s in segments],
            aligned=[bool(s.aligned) for s in segments],
            is_points=is_points,
        )

    def __len__(self) -> int:
        return len(self.labels)

    def visible_range(self, t0: float, t1: float) -> tuple[int, int]:
        """Indices [lo, hi) of the items overlapping [t0, t1]."""
        if self.is_points:
            return (
                int(np.searchsorted(self.starts, t0, "left")),
                int(np.searchsorted(self.starts, t1, "right")),
            )
        return (
            int(np.searchsorted(self.ends, t0, "right")),
            int(np.searchsorted(self.starts, t1, "left")),
        )

    def index_at(self, t: float, tolerance: float = 0.0) -> int | None:
        """The interval containing ``t`` (half-open), or the point nearest ``t`` within tolerance."""
        n = len(self)
        if n == 0:
            return None
        if self.is_points:
            i = int(np.argmin(np.abs(self.starts - t)))
            return i if abs(self.starts[i] - t) <= tolerance else None
        i = int(np.searchsorted(self.starts, t, "right")) - 1
        if 0 <= i < n and (
            self.starts[i] <= t < self.ends[i] or (i == n - 1 and t == self.ends[i])
        ):
            return i
        return None


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
    """Paints ``data`` inside y in [0, 1]; reports clicks through callbacks set by the owner."""

    def __init__(self) -> None:
        super().__init__()
        self.data = TierData.empty()
        self.duration = 0.0
        self.selected: int | None = None
        self.theme: Theme = theme_from_palette()
        self.show_boundaries = False  # the owner draws movable lines when they are few enough
        self.on_click: Callable[[float, bool], None] | None = None  # (seconds, double)
        self.on_context_menu: Callable[[float, QPointF], None] | None = None
        self.painted_labels: list[str] = []  # texts drawn by the last paint (for tests)
        self.setZValue(1)  # above its ViewBox in pyqtgraph's absolute z, or the box takes clicks

    def set_data(self, data: TierData, duration: float) -> None:
        self.prepareGeometryChange()
        self.data = data
        self.duration = duration
        self.update()

    def set_selected(self, index: int | None) -> None:
        self.selected = index
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(0.0, 0.0, max(self.duration, 1e-6), 1.0)

    # -- painting ---------------------------------------------------------------------------------

    def paint(self, p: QPainter, *_args) -> None:
        view = self.getViewBox()
        if view is None or len(self.data) == 0:
            self.painted_labels = []
            return
        (t0, t1), _ = view.viewRange()
        lo, hi = self.data.visible_range(t0, t1)
        to_device = p.transform()
        p.save()
        p.resetTransform()
        clip = to_device.mapRect(QRectF(t0, 0.0, t1 - t0, 1.0))
        # Everything below is drawn inside `clip` already; the ViewBox's clip path would make
        # each fill an expensive path-clipped operation.
        p.setClipping(False)
        if (hi - lo) > MAX_PAINTED_PER_PIXEL * max(1.0, clip.width()):
            self._paint_dense(p, to_device, lo, hi, clip)
        elif self.data.is_points:
            self._paint_points(p, to_device, lo, hi, clip)
        else:
            self._paint_intervals(p, to_device, lo, hi, clip)
        p.restore()

    def _paint_intervals(self, p: QPainter, tr, lo: int, hi: int, clip: QRectF) -> None:
        theme = self.theme
        d = self.data
        font = QGuiApplication.font()
        p.setFont(font)
        metrics = QFontMetrics(font)
        text_pen = QPen(theme.foreground)
        boundary_pen = QPen(theme.boundary, 1)
        flag_pen = QPen(theme.flagged, 1.5)
        select_pen = QPen(theme.boundary_hover, 2.5)
        hatch = QBrush(theme.flagged, Qt.BrushStyle.BDiagPattern)
        painted: list[str] = []
        for i in range(lo, hi):
            full = tr.mapRect(QRectF(d.starts[i], 0.0, d.ends[i] - d.starts[i], 1.0))
            rect = full.intersected(clip)
            if rect.width() <= 0:
                continue
            label = d.labels[i]
            if label:
                p.fillRect(rect, score_color(d.scores[i], theme))
            else:
                p.fillRect(rect, theme.silence)
            flagged = not d.aligned[i]
            if flagged:
                p.fillRect(rect, hatch)
                p.setPen(flag_pen)
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(rect.adjusted(1, 1, -1, -1))
            if i == self.selected:
                p.setPen(select_pen)
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(rect.adjusted(1, 1, -1, -1))
            if self.show_boundaries and full.left() >= clip.left():
                p.setPen(boundary_pen)
                p.drawLine(QPointF(full.left(), full.top()), QPointF(full.left(), full.bottom()))
            text = display_label(label)
            if flagged:
                text = f"{FLAG_MARK}{text}"
            if text and rect.width() >= MIN_LABEL_PIXELS:
                elided = metrics.elidedText(
                    text, Qt.TextElideMode.ElideRight, int(rect.width()) - 4
                )
                if elided:
                    p.setPen(text_pen)
                    p.drawText(rect.adjusted(2, 0, -2, 0), Qt.AlignmentFlag.AlignCenter, elided)
                    painted.append(elided)
        self.painted_labels = painted

    def _paint_points(self, p: QPainter, tr, lo: int, hi: int, clip: QRectF) -> None:
        theme = self.theme
        d = self.data
        metrics = QFontMetrics(QGuiApplication.font())
        p.setFont(QGuiApplication.font())
        painted: list[str] = []
        for i in range(lo, hi):
            x = tr.map(QPointF(d.starts[i], 0.0)).x()
            pen = QPen(theme.boundary_hover if i == self.selected else theme.boundary, 2)
            p.setPen(pen)
            p.drawLine(QPointF(x, clip.top()), QPointF(x, clip.bottom()))
            nxt = tr.map(QPointF(d.starts[i + 1], 0.0)).x() if i + 1 < len(d) else clip.right()
            width = int(min(nxt, clip.right()) - x) - 6
            text = display_label(d.labels[i])
            if text and width >= MIN_LABEL_PIXELS:
                elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
                p.setPen(QPen(theme.foreground))
                box = QRectF(x + 3, clip.top(), width, clip.height())
                p.drawText(box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elided)
                painted.append(elided)
        self.painted_labels = painted

    def _paint_dense(self, p: QPainter, tr, lo: int, hi: int, clip: QRectF) -> None:
        """Too many items for their labels to be legible: one tick per boundary, no text."""
        p.fillRect(clip, self.theme.silence)
        p.setPen(QPen(self.theme.boundary, 1))
        xs = self.data.starts[lo:hi]
        # One tick per device pixel column is all the screen can show.
        left = tr.map(QPointF(0.0, 0.0)).x()
        scale = tr.map(QPointF(1.0, 0.0)).x() - left
        columns = np.unique(np.round(left + xs * scale).astype(np.int64))
        top, bottom = clip.top(), clip.bottom()
        for x in columns.tolist():
            p.drawLine(QPointF(x, top), QPointF(x, bottom))
        self.painted_labels = []

    # -- mouse ------------------------------------------------------------------------------------

    def mouseClickEvent(self, ev) -> None:
        x = float(ev.pos().x())
        if ev.button() == Qt.MouseButton.LeftButton and self.on_click is not None:
            ev.accept()
            self.on_click(x, bool(ev.double()))
        elif ev.button() == Qt.MouseButton.RightButton and self.on_context_menu is not None:
            ev.accept()
            self.on_context_menu(x, ev.screenPos())

    def hoverEvent(self, ev) -> None:
        if ev.isExit():
            return
        # Claim clicks (not drags: a drag on an interval pans the view, on a line moves it).
        ev.acceptClicks(Qt.MouseButton.LeftButton)
        ev.acceptClicks(Qt.MouseButton.RightButton)
        view = self.getViewBox()
        tolerance = 0.0
        if view is not None and self.data.is_points:
            tolerance = 4 * view.viewPixelSize()[0]
        i = self.data.index_at(float(ev.pos().x()), tolerance)
        self.setToolTip("" if i is None else tooltip_text(self.data, i))
