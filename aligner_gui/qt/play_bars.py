"""Praat's play bars under the views: click a bar to hear that part of the recording.

Three rows, as in Praat's editors: the visible window split at the selection (before it, the
selection, after it; without a selection, split at the cursor), then the visible window, then the
whole file. The first two rows are drawn to scale under the plot area of the views, so that each
bar sits under the stretch of signal it plays; each bar is labelled with its duration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from aligner_gui.qt.document_model import DocumentModel

ROW_HEIGHT = 18
ROW_GAP = 2
BAR_NAMES = ("before", "selection", "after", "visible", "total")
BAR_TITLES = {
    "before": "the visible part before the selection",
    "selection": "the selection",
    "after": "the visible part after the selection",
    "visible": "the visible part",
    "total": "the whole recording",
}


@dataclass(frozen=True)
class Bar:
    name: str
    rect: QRectF  # in widget pixels
    start: float  # what a click plays, seconds
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def format_duration(seconds: float) -> str:
    return f"{seconds:.3f} s"


def bar_label(bar: Bar) -> str:
    prefix = {"visible": "Visible part ", "total": "Total duration "}.get(bar.name, "")
    return prefix + format_duration(bar.duration)


class PlayBars(QWidget):
    """Emits ``playRequested(start, end)`` when a bar is clicked.

    ``visible_range`` gives the views' shared time range and ``plot_span`` the horizontal pixel
    span of their plot area in this widget's coordinates (the bars line up with the signal).
    """

    playRequested = Signal(float, float)

    def __init__(
        self,
        model: DocumentModel,
        visible_range: Callable[[], tuple[float, float]],
        plot_span: Callable[[QWidget], tuple[float, float]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self._visible_range = visible_range
        self._plot_span = plot_span
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(3 * ROW_HEIGHT + 3 * ROW_GAP)
        for signal in (model.documentReset, model.time_selection.changed, model.cursorMoved):
            signal.connect(self.update)

    def sizeHint(self) -> QSize:
        return QSize(400, self.height())

    # -- geometry ----------------------------------------------------------------------------------

    def bars(self) -> list[Bar]:
        """The five bars, in the order of BAR_NAMES (empty when there is nothing to play)."""
        doc = self.model.document
        if doc is None or doc.duration <= 0:
            return []
        duration = doc.duration
        t0, t1 = self._visible_range()
        t0, t1 = max(0.0, t0), min(duration, t1)
        if t1 <= t0:
            return []
        left, right = self._plot_span(self)
        scale = (right - left) / (t1 - t0)

        def x(seconds: float) -> float:
            return left + (min(max(seconds, t0), t1) - t0) * scale

        span = self.model.time_selection.span()
        if span is None:
            cursor = min(max(self.model.cursor(), t0), t1)
            span = (cursor, cursor)
        s0, s1 = span
        row = [ROW_GAP + i * (ROW_HEIGHT + ROW_GAP) for i in range(3)]
        first = [("before", t0, max(t0, min(s0, t1))), ("selection", s0, s1),
                 ("after", min(t1, max(s1, t0)), t1)]  # fmt: skip
        bars = [Bar(name, QRectF(x(a), row[0], x(b) - x(a), ROW_HEIGHT), a, b)
                for name, a, b in first]  # fmt: skip
        bars.append(Bar("visible", QRectF(left, row[1], right - left, ROW_HEIGHT), t0, t1))
        bars.append(Bar("total", QRectF(left, row[2], right - left, ROW_HEIGHT), 0.0, duration))
        return bars

    def bar(self, name: str) -> Bar | None:
        return next((b for b in self.bars() if b.name == name), None)

    def bar_at(self, point: QPointF) -> Bar | None:
        # The selection is tested first: at the cursor, zero-width bars touch their neighbours.
        for bar in sorted(self.bars(), key=lambda b: b.name != "selection"):
            if bar.duration > 0 and bar.rect.adjusted(0, 0, 1, 0).contains(point):
                return bar
        return None

    # -- events ------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        bar = self.bar_at(event.position())
        if event.button() == Qt.MouseButton.LeftButton and bar is not None:
            event.accept()
            self.playRequested.emit(bar.start, bar.end)
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        bar = self.bar_at(event.position())
        text = "" if bar is None else (
            f"Play {BAR_TITLES[bar.name]}: {bar.start:.3f}–{bar.end:.3f} s "
            f"({format_duration(bar.duration)})"
        )  # fmt: skip
        self.setToolTip(text)
        if not text:
            QToolTip.hideText()
        super().mouseMoveEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        border = QPen(palette.color(QPalette.ColorRole.Mid))
        for bar in self.bars():
            if bar.rect.width() <= 0:
                continue
            role = (
                QPalette.ColorRole.Highlight
                if bar.name == "selection"
                else QPalette.ColorRole.Button
            )
            painter.setPen(border)
            painter.setBrush(palette.color(role))
            painter.drawRect(bar.rect.adjusted(0.5, 0.5, -0.5, -0.5))
            text_role = (
                QPalette.ColorRole.HighlightedText
                if bar.name == "selection"
                else QPalette.ColorRole.ButtonText
            )
            # Praat's wording where it fits, else the bare duration, else nothing.
            metrics = painter.fontMetrics()
            for label in (bar_label(bar), format_duration(bar.duration)):
                if metrics.horizontalAdvance(label) + 6 <= bar.rect.width():
                    painter.setPen(palette.color(text_role))
                    painter.drawText(bar.rect, Qt.AlignmentFlag.AlignCenter, label)
                    break
        painter.end()
