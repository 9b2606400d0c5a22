"""The waveform: a min/max envelope of the visible range at screen resolution, redrawn when the
view moves or resizes.

The peak pyramid of a long file is built on the GUI thread in time slices driven by a QTimer
rather than on a worker thread: the whole build is a few hundred milliseconds of numpy, each slice
is bounded to a few milliseconds so the event loop keeps running between them, and the pyramid is
never read and written by two threads at once (no locks, nothing to cancel but a timer). Until it
is complete, the part not yet built is drawn from the pyramid's coarse preview.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal

from aligner_gui.core.display.peaks import PeakPyramid
from aligner_gui.qt.views.base import TimePlot
from aligner_gui.qt.views.colors import Theme

if TYPE_CHECKING:
    from aligner_gui.qt.document_model import DocumentModel

BUILD_SLICE_SECONDS = 0.004  # work per event-loop turn while the pyramid is being built
PROGRESS_REDRAW_SECONDS = 0.1
SYNC_BUILD_SAMPLES = 2_000_000  # up to about 2 minutes at 16 kHz: built at once  # redraw at most this often while the pyramid grows


class WaveformView(TimePlot):
    view_name = "waveform"
    title = "Waveform"
    pyramidComplete = Signal()  # the detailed envelope of the whole file is ready

    def __init__(self, model: DocumentModel, parent=None) -> None:
        self.curve = pg.PlotCurveItem(connect="all", skipFiniteCheck=True)
        self.pyramid: PeakPyramid | None = None
        self._source: np.ndarray | None = None  # the samples the pyramid was built from
        super().__init__(model, parent)
        item = self.getPlotItem()
        item.addItem(self.curve)
        item.getAxis("left").setLabel("Amplitude")
        item.getAxis("left").enableAutoSIPrefix(False)
        self.time_box.setYRange(-1.0, 1.0, padding=0.02)
        self.time_box.disableAutoRange()
        self.time_box.drag_selects = True  # a plain drag selects a time range, as in Praat
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(0)
        self._redraw_timer.timeout.connect(self.redraw)
        self._build_timer = QTimer(self)
        self._build_timer.setInterval(0)
        self._build_timer.timeout.connect(self._build_slice)
        self._last_progress_redraw = 0.0
        # Redrawn at once when the range changes (the frame that shows the new range shows its
        # envelope); resizes come in bursts and are coalesced.
        self.time_box.sigXRangeChanged.connect(self.redraw)
        self.time_box.sigResized.connect(self._schedule_redraw)
        self.refresh()

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.curve.setPen(pg.mkPen(theme.waveform, width=1))

    def refresh(self) -> None:
        doc = self.document
        audio = None if doc is None else doc.audio
        self._build_timer.stop()
        if audio is None:
            self.pyramid = None
            self._source = None
            self.curve.setData(np.zeros(0), np.zeros(0))
            return
        if self.pyramid is None or self._source is not audio.samples:
            # A short file is reduced at once (milliseconds); a long one a slice at a time.
            big = audio.samples.size > SYNC_BUILD_SAMPLES
            self.pyramid = PeakPyramid(audio.samples, audio.sample_rate, incremental=big)
            self._source = audio.samples
        self._set_y_range()
        if not self.pyramid.complete:
            self._build_timer.start()
        self.redraw()

    def _set_y_range(self) -> None:
        peak = 0.0 if self.pyramid is None else self.pyramid.peak()
        limit = peak * 1.05 if peak > 0 else 1.0
        self.time_box.setYRange(-limit, limit, padding=0)

    def _build_slice(self) -> None:
        pyramid = self.pyramid
        if pyramid is None or pyramid.build_step(BUILD_SLICE_SECONDS):
            self._build_timer.stop()
            if pyramid is not None:
                self._set_y_range()  # the exact peak replaces the preview's estimate
                self.redraw()
                self.pyramidComplete.emit()
            return
        now = time.perf_counter()
        if now - self._last_progress_redraw >= PROGRESS_REDRAW_SECONDS:
            self._last_progress_redraw = now
            self.redraw()

    def is_building(self) -> bool:
        """True while the detailed envelope is still being computed in the background."""
        return self._build_timer.isActive()

    def _schedule_redraw(self, *_args) -> None:
        self._redraw_timer.start()

    def redraw(self, *_args) -> None:
        """Draw the envelope of the visible range at the view's current pixel width."""
        self._redraw_timer.stop()
        if self.pyramid is None:
            return
        t0, t1 = self.x_range()
        t0 = max(0.0, t0)
        t1 = min(self.pyramid.duration, t1)
        x, y = self.pyramid.envelope(t0, t1, self.plot_width_pixels())
        self.curve.setData(x, y)

    def detach(self) -> None:
        self._build_timer.stop()
        super().detach()

    def time_extent(self) -> tuple[float, float]:
        """[0, duration] of the loaded audio (0, 0 when none)."""
        return (0.0, 0.0 if self.pyramid is None else self.pyramid.duration)
