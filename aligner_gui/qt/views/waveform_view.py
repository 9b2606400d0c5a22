"""The waveform: a min/max envelope of the visible range, redrawn when the view moves or resizes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer

from aligner_gui.qt.views.base import TimePlot
from aligner_gui.qt.views.colors import Theme
from aligner_gui.qt.views.peaks import PeakPyramid

if TYPE_CHECKING:
    from aligner_gui.qt.document_model import DocumentModel


class WaveformView(TimePlot):
    view_name = "waveform"
    title = "Waveform"

    def __init__(self, model: DocumentModel, parent=None) -> None:
        self.curve = pg.PlotCurveItem(connect="all", skipFiniteCheck=True)
        self.pyramid: PeakPyramid | None = None
        super().__init__(model, parent)
        item = self.getPlotItem()
        item.addItem(self.curve)
        item.getAxis("left").setLabel("Amplitude")
        item.getAxis("left").enableAutoSIPrefix(False)
        self.time_box.setYRange(-1.0, 1.0, padding=0.02)
        self.time_box.disableAutoRange()
        # Coalesce the bursts of range/resize signals of a wheel zoom into one redraw.
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(0)
        self._redraw_timer.timeout.connect(self.redraw)
        self.time_box.sigXRangeChanged.connect(self._schedule_redraw)
        self.time_box.sigResized.connect(self._schedule_redraw)
        self.refresh()

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.curve.setPen(pg.mkPen(theme.waveform, width=1))

    def refresh(self) -> None:
        doc = self.document
        audio = None if doc is None else doc.audio
        if audio is None:
            self.pyramid = None
            self.curve.setData(np.zeros(0), np.zeros(0))
            return
        self.pyramid = PeakPyramid(audio.samples, audio.sample_rate)
        peak = self.pyramid.peak()
        limit = peak * 1.05 if peak > 0 else 1.0
        self.time_box.setYRange(-limit, limit, padding=0)
        self.redraw()

    def _schedule_redraw(self, *_args) -> None:
        self._redraw_timer.start()

    def redraw(self) -> None:
        """Draw the envelope of the visible range at the view's current pixel width."""
        if self.pyramid is None:
            return
        t0, t1 = self.x_range()
        t0 = max(0.0, t0)
        t1 = min(self.pyramid.duration, t1)
        x, y = self.pyramid.envelope(t0, t1, self.plot_width_pixels())
        self.curve.setData(x, y)

    def time_extent(self) -> tuple[float, float]:
        """[0, duration] of the loaded audio (0, 0 when none)."""
        return (0.0, 0.0 if self.pyramid is None else self.pyramid.duration)
