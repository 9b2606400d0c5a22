"""Pitch and intensity curves drawn over the spectrogram, with the right-hand axis as their scale.

The curves live in the spectrogram's own box (so they pan and zoom with it for free) with their
values mapped linearly onto its height: the pitch range (Praat's 75–500 Hz) or the intensity range
(50–100 dB) fills it. The right axis is unlinked from the box and shows that range instead of
frequencies: pitch when pitch is shown, else intensity. Unvoiced frames are NaN and leave gaps.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from aligner_gui.core.display.prosody import (
    ProsodySettings,
    Track,
    chunks_between,
    intensity_track,
    pitch_track,
)
from aligner_gui.qt.views.tile_loader import TileLoader

if TYPE_CHECKING:
    from aligner_gui.qt.views.colors import Theme
    from aligner_gui.qt.views.spectrogram_view import SpectrogramView

MAX_CURVE_SPAN = 60.0  # seconds in view beyond which the curves are not computed
INTENSITY_RANGE = (50.0, 100.0)  # dB, Praat's default view range
KINDS = ("pitch", "intensity")
COLOURS = {"pitch": QColor("#1f77ff"), "intensity": QColor("#e0b000")}
TITLES = {"pitch": "Pitch (Hz)", "intensity": "Intensity (dB)"}


class ProsodyCurves:
    def __init__(self, view: SpectrogramView, loader: TileLoader) -> None:
        self.view = view
        self.loader = loader
        self.settings = ProsodySettings()
        self.visible = {"pitch": False, "intensity": False}
        self.too_wide = False  # the view is wider than MAX_CURVE_SPAN: nothing drawn
        self.items: dict[str, pg.PlotCurveItem] = {}
        # What each curve was last drawn from: a pan within the same chunks leaves the curve as
        # it is (setData rebuilds its line segments and bounds, a third of a pan frame).
        self._drawn: dict[str, tuple] = {}  # (chunks, settings, y_low, y_high, tracks)
        plot = view.getPlotItem()
        for kind in KINDS:
            curve = pg.PlotCurveItem(connect="finite", pen=pg.mkPen(COLOURS[kind], width=2))
            curve.setZValue(15)
            curve.hide()
            plot.addItem(curve, ignoreBounds=True)
            self.items[kind] = curve
        self.axis = plot.getAxis("right")
        self.axis.unlinkFromView()
        self._update_axis()

    # -- state ---------------------------------------------------------------------------------

    def set_settings(self, settings: ProsodySettings) -> None:
        if settings != self.settings:
            self.settings = settings
            self._update_axis()
            self.redraw()

    def set_visible(self, kind: str, visible: bool) -> None:
        self.visible[kind] = bool(visible)
        self.items[kind].setVisible(bool(visible))
        self._update_axis()
        self.redraw()

    def restart(self) -> None:
        self._drawn.clear()
        for curve in self.items.values():
            curve.setData(np.zeros(0), np.zeros(0))

    def value_range(self, kind: str) -> tuple[float, float]:
        if kind == "pitch":
            return self.settings.pitch_floor, self.settings.pitch_ceiling
        return INTENSITY_RANGE

    def _update_axis(self) -> None:
        shown = next((kind for kind in KINDS if self.visible[kind]), None)
        if shown is None:  # back to the blank gutter every view keeps for alignment
            self.axis.setStyle(showValues=False, tickLength=0)
            self.axis.setLabel("")
            self.axis.setPen(pg.mkPen(None))
            return
        self.axis.setStyle(showValues=True, tickLength=4)
        self.axis.setRange(*self.value_range(shown))
        self.axis.setLabel(TITLES[shown], color=COLOURS[shown].name())
        self.axis.setPen(pg.mkPen(COLOURS[shown]))
        self.axis.setTextPen(pg.mkPen(COLOURS[shown]))

    def apply_theme(self, theme: Theme) -> None:
        self._update_axis()

    # -- drawing -------------------------------------------------------------------------------

    def _key(self, kind: str, index: int) -> tuple:
        return (kind, self.settings, index)

    def redraw(self) -> None:
        view = self.view
        samples = view._samples
        plan = view.plan
        shown = [kind for kind in KINDS if self.visible[kind]]
        if samples is None or plan is None or not shown:
            self.restart()
            return
        rate = plan.sample_rate
        t0, t1 = view.x_range()
        self.too_wide = t1 - t0 > MAX_CURVE_SPAN
        if self.too_wide:
            self.restart()
            return
        chunks = chunks_between(t0, t1, samples.size / rate)
        y_low, y_high = view.time_box.viewRange()[1]
        for kind in shown:
            self.loader.request(kind, [(self._key(kind, i), self._job(kind, samples, rate, i))
                                       for i in chunks])  # fmt: skip
            tracks = tuple(self.loader.get(self._key(kind, i)) for i in chunks)
            drawn = (chunks, self.settings, y_low, y_high, tracks)
            if self._same(self._drawn.get(kind), drawn):
                continue
            times, values = self.track(tracks)
            lo, hi = self.value_range(kind)
            mapped = y_low + (values - lo) / (hi - lo) * (y_high - y_low)
            self.items[kind].setData(times, mapped)
            self._drawn[kind] = drawn

    def _job(self, kind: str, samples: np.ndarray, rate: int, index: int) -> Callable[[], Track]:
        compute = pitch_track if kind == "pitch" else intensity_track
        settings = self.settings
        return lambda: compute(samples, rate, index, settings)

    @staticmethod
    def _same(before: tuple | None, now: tuple) -> bool:
        """Drawn from the same chunks, settings and box, and the very same computed tracks."""
        if before is None or before[:-1] != now[:-1]:
            return False
        return all(a is b for a, b in zip(before[-1], now[-1], strict=True))

    def track(self, tracks: Sequence[object]) -> tuple[np.ndarray, np.ndarray]:
        """The computed part of ``tracks`` (a chunk's Track, None or FAILED each) joined, with a
        NaN where a chunk is missing."""
        times: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for track in tracks:
            if not isinstance(track, Track):  # None (not computed yet) or FAILED
                times.append(np.array([np.nan]))  # a gap where a chunk is missing
                values.append(np.array([np.nan], dtype=np.float32))
                continue
            times.append(track.times)
            values.append(track.values)
        if not times:
            return np.zeros(0), np.zeros(0)
        return np.concatenate(times), np.concatenate(values).astype(np.float64)

    def value_at(self, kind: str, seconds: float) -> float | None:
        """The value of the frame nearest ``seconds``, None when unvoiced or not computed."""
        view = self.view
        if view.plan is None or view._samples is None:
            return None
        duration = view._samples.size / view.plan.sample_rate
        for i in chunks_between(seconds, seconds, duration):
            track = self.loader.peek(self._key(kind, i))
            if isinstance(track, Track) and track.times.size:
                k = int(np.argmin(np.abs(track.times - seconds)))
                value = float(track.values[k])
                return value if math.isfinite(value) else None
        return None

    def readout(self, seconds: float) -> list[str]:
        parts = []
        if self.visible["pitch"]:
            f0 = self.value_at("pitch", seconds)
            parts.append("F0 –" if f0 is None else f"F0 {f0:.1f} Hz")
        if self.visible["intensity"]:
            db = self.value_at("intensity", seconds)
            parts.append("intensity –" if db is None else f"intensity {db:.1f} dB")
        if self.too_wide and any(self.visible.values()):
            parts.append(f"(zoom in to {MAX_CURVE_SPAN:.0f} s for the curves)")
        return parts
