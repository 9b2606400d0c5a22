"""The editor's central area: waveform, spectrogram, emissions, trellis and the tiers stacked on one
time axis.

All views are x-linked to the waveform, share fixed axis widths so their time axes line up, and
only the lowest visible view draws the time axis. Zooming and panning act on the shared range.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QPointF, Qt, Signal
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from aligner_gui.qt.views import EmissionView, TierView, TimePlot, TrellisView, WaveformView
from aligner_gui.qt.views.base import LEFT_AXIS_WIDTH, RIGHT_GUTTER
from aligner_gui.qt.views.colors import Theme
from aligner_gui.qt.views.spectrogram_view import SpectrogramView

if TYPE_CHECKING:
    from aligner_gui.qt.document_model import DocumentModel

ZOOM_STEP = 1.5
ZOOM_HISTORY = 50  # ranges "Zoom back" can return to
PAN_STEP = 0.25  # fraction of the visible range per arrow key
FIT_MARGIN = 0.0


class TierPanel(QWidget):
    """One TierView per tier of the document, rebuilt when the set of tiers changes."""

    playRequested = Signal(float, float)
    editRefused = Signal(str)
    tierMenuRequested = Signal(str, QPointF)
    tiersRebuilt = Signal()

    def __init__(self, model: DocumentModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.views: list[TierView] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(1)
        model.documentReset.connect(self.rebuild)
        model.tiersChanged.connect(self.rebuild)
        self.rebuild()

    def tier_names(self) -> list[str]:
        doc = self.model.document
        return [] if doc is None else [tier.name for tier in doc.tiers]

    def rebuild(self) -> None:
        names = self.tier_names()
        if names == [view.tier_name for view in self.views]:
            return  # the views refresh themselves on documentReset
        for view in self.views:
            view.detach()
            self._layout.removeWidget(view)
            view.hide()
            view.deleteLater()
        self.views = []
        for name in names:
            view = TierView(self.model, name, self)
            view.playRequested.connect(self.playRequested)
            view.editRefused.connect(self.editRefused)
            view.tierMenuRequested.connect(self.tierMenuRequested)
            self._layout.addWidget(view, 1)
            self.views.append(view)
        self.tiersRebuilt.emit()

    def view(self, name: str) -> TierView | None:
        return next((v for v in self.views if v.tier_name == name), None)

    def detach(self) -> None:
        for view in self.views:
            view.detach()
        with contextlib.suppress(RuntimeError, TypeError):
            self.model.documentReset.disconnect(self.rebuild)
        with contextlib.suppress(RuntimeError, TypeError):
            self.model.tiersChanged.disconnect(self.rebuild)


class ViewStack(QSplitter):
    """Vertical splitter of the four kinds of view; ``views()`` lists every live TimePlot."""

    playRequested = Signal(float, float)
    editRefused = Signal(str)
    tierMenuRequested = Signal(str, QPointF)  # tier name, global screen position

    def __init__(self, model: DocumentModel, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.model = model
        self.setChildrenCollapsible(False)
        self.waveform = WaveformView(model)
        self.spectrogram = SpectrogramView(model)
        self.emission = EmissionView(model)
        self.trellis = TrellisView(model)
        self.tiers = TierPanel(model)
        self._zoom_history: list[tuple[float, float]] = []  # ranges before each zoom, last on top
        for widget in (self.waveform, self.spectrogram, self.emission, self.trellis, self.tiers):
            self.addWidget(widget)
        self.setSizes([140, 160, 120, 120, 160])
        self.spectrogram.setXLink(self.waveform)
        self.emission.setXLink(self.waveform)
        self.trellis.setXLink(self.waveform)
        self.tiers.tiersRebuilt.connect(self._link_tiers)
        self.tiers.playRequested.connect(self.playRequested)
        self.tiers.editRefused.connect(self.editRefused)
        self.tiers.tierMenuRequested.connect(self.tierMenuRequested)
        model.documentReset.connect(self._on_reset)
        # The trellis draws the "chars" tier's path: after a rename, delete or undo of one it
        # matches the characters again (or finds there are none).
        model.tiersChanged.connect(self._on_tiers_changed)
        self._tiers_hooked = True
        self._link_tiers()

    # -- membership --------------------------------------------------------------------------------

    def panels(self) -> dict[str, QWidget]:
        """The hideable parts by settings name."""
        return {
            "waveform": self.waveform,
            "spectrogram": self.spectrogram,
            "emission": self.emission,
            "trellis": self.trellis,
            "tiers": self.tiers,
        }

    def views(self) -> list[TimePlot]:
        return [self.waveform, self.spectrogram, self.emission, self.trellis, *self.tiers.views]

    def set_panel_visible(self, name: str, visible: bool) -> None:
        self.panels()[name].setVisible(visible)
        self._update_time_axes()

    def _link_tiers(self) -> None:
        for view in self.tiers.views:
            view.setXLink(self.waveform)
            view.apply_theme(self.waveform.theme)
        self._update_time_axes()

    def _update_time_axes(self) -> None:
        """Only the lowest shown view draws the time axis (the others would repeat it)."""
        shown: list[TimePlot] = []
        for name, panel in self.panels().items():
            if panel.isHidden():
                continue
            shown += self.tiers.views if name == "tiers" else [panel]  # type: ignore[list-item]
        for view in self.views():
            view.set_time_axis_visible(bool(shown) and view is shown[-1])

    def apply_theme(self, theme: Theme) -> None:
        for view in self.views():
            view.apply_theme(theme)

    def _on_tiers_changed(self) -> None:
        self.trellis.on_tier_changed("", "tiers", -1)

    def detach(self) -> None:
        if self._tiers_hooked:  # (disconnecting twice would warn)
            self.model.tiersChanged.disconnect(self._on_tiers_changed)
            self._tiers_hooked = False
        for view in (self.waveform, self.spectrogram, self.emission, self.trellis):
            view.detach()
        self.tiers.detach()

    # -- time range --------------------------------------------------------------------------------

    def duration(self) -> float:
        doc = self.model.document
        return 0.0 if doc is None else doc.duration

    def x_range(self) -> tuple[float, float]:
        return self.waveform.x_range()

    def plot_span_in(self, widget: QWidget) -> tuple[float, float]:
        """The horizontal pixel span of the views' plot area in ``widget``'s coordinates (they
        all line up: see LEFT_AXIS_WIDTH), for what is drawn to scale under them."""
        view = next((v for v in self.views() if v.isVisible()), None)
        top = widget.window()
        if view is None or view.window() is not top:
            return float(LEFT_AXIS_WIDTH), float(
                max(LEFT_AXIS_WIDTH + 1, widget.width() - RIGHT_GUTTER)
            )
        rect = view.time_box.sceneBoundingRect()
        ends = []
        for x in (rect.left(), rect.right()):
            point = view.mapFromScene(QPointF(x, rect.top()))
            ends.append(widget.mapFrom(top, view.viewport().mapTo(top, point)).x())
        return float(ends[0]), float(ends[1])

    def set_x_range(self, t0: float, t1: float) -> None:
        self.waveform.time_box.setXRange(t0, t1, padding=0.0)

    def _on_reset(self) -> None:
        self._update_time_axes()
        self._zoom_history.clear()
        duration = self.duration()
        if duration > 0:
            self.set_x_range(0.0, duration)

    def _remember_range(self) -> None:
        """Called before each zoom (not pans, not the wheel): "Zoom back" returns here."""
        current = self.x_range()
        if not self._zoom_history or self._zoom_history[-1] != current:
            self._zoom_history.append(current)
            del self._zoom_history[:-ZOOM_HISTORY]

    def zoom_back(self) -> bool:
        """Return to the range shown before the last zoom; False when there is none."""
        if not self._zoom_history:
            return False
        self.set_x_range(*self._zoom_history.pop())
        return True

    def can_zoom_back(self) -> bool:
        return bool(self._zoom_history)

    def zoom_to_fit(self) -> None:
        duration = self.duration()
        if duration > 0:
            self._remember_range()
            self.set_x_range(0.0, duration)

    def zoom(self, factor: float, centre: float | None = None) -> None:
        """Narrow the visible range by ``factor`` (> 1 zooms in) around ``centre`` or the middle."""
        self._remember_range()
        t0, t1 = self.x_range()
        if centre is None or not t0 <= centre <= t1:
            centre = 0.5 * (t0 + t1)
        width = (t1 - t0) / factor
        left = centre - (centre - t0) / factor
        self.set_x_range(left, left + width)

    def pan(self, fraction: float) -> None:
        t0, t1 = self.x_range()
        shift = fraction * (t1 - t0)
        self.set_x_range(t0 + shift, t1 + shift)

    def zoom_to(self, start: float, end: float, margin: float = 0.1) -> None:
        width = max(end - start, 0.01)
        self._remember_range()
        self.set_x_range(start - margin * width, end + margin * width)

    def set_playhead(self, seconds: float | None) -> None:
        for view in self.views():
            view.set_playhead(seconds)

    def follow(self, seconds: float) -> None:
        """Keep a moving playhead in view: page on when it leaves the right edge."""
        t0, t1 = self.x_range()
        if seconds > t1 or seconds < t0:
            width = t1 - t0
            self.set_x_range(seconds - 0.05 * width, seconds + 0.95 * width)

    # -- persistence -------------------------------------------------------------------------------

    def state(self) -> QByteArray:
        return self.saveState()

    def restore(self, state: QByteArray | None) -> None:
        # A layout saved before a view was added would hand its sizes to the wrong views.
        if state is not None and not state.isEmpty() and saved_count(state) == self.count():
            self.restoreState(state)


def saved_count(state: QByteArray) -> int | None:
    """How many sizes a ``QSplitter.saveState()`` holds: after its two 32-bit headers (marker and
    version) comes the size list, a big-endian 32-bit count first (QDataStream's format)."""
    data = bytes(state.data())
    return int.from_bytes(data[8:12], "big") if len(data) >= 12 else None
