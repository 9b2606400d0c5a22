"""The spectrogram, with pitch and intensity curves on their own right-hand axis.

Every change of the visible range picks the tile level for the zoom
(:mod:`aligner_gui.core.display.spectrogram`), asks the :class:`TileLoader` for the tiles in view
(then one on either side), and draws at once whatever is already computed: the tiles are joined
into one uint8 image scaled like Praat's (the loudest point in view black, ``dynamic_range`` dB
below it white). A tile not computed yet is stood in for by the frames of a neighbouring level
that is (so a zoom shows the old picture, coarser or finer, until the new tiles arrive), else by
a flat "pending" colour. Nothing is computed on the GUI thread.

Pitch and intensity come a 10-second chunk at a time from
:mod:`aligner_gui.core.display.prosody`, for views up to MAX_CURVE_SPAN wide (longer views would
ask for minutes of analysis nobody can read at that zoom). They are drawn in the frequency box,
scaled so that the pitch range (or the intensity range) fills its height; the right axis shows
the pitch scale, or the intensity scale when pitch is hidden.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtWidgets import QLabel

from aligner_gui.core.display.prosody import ProsodySettings
from aligner_gui.core.display.spectrogram import (
    BROADBAND,
    TILE_FRAMES,
    AnalysisPlan,
    SpectrogramSettings,
    compute_tile,
    emphasis_db,
    grey_levels,
)
from aligner_gui.qt.views.base import LEFT_AXIS_WIDTH, TimePlot
from aligner_gui.qt.views.prosody_curves import ProsodyCurves
from aligner_gui.qt.views.tile_loader import FAILED, TileLoader

if TYPE_CHECKING:
    from aligner_gui.qt.document_model import DocumentModel
    from aligner_gui.qt.views.colors import Theme

CACHE_BYTES = 96 * 1024 * 1024  # spectrogram tiles and curves together
COLOUR_MAPS = ("grey", "viridis", "inferno", "magma")
PENDING_RGB = (200, 206, 216)  # a tile not computed yet, and no other level to stand in for it
FALLBACK_LEVELS = (1, -1, 2, -2, 3, -3)  # levels tried, relative to the view's, for a missing tile


def spectrogram_lut(name: str) -> np.ndarray:
    """(256, 3) uint8: entry 0 for "not computed yet", 1 = quietest .. 255 = loudest. "grey" is
    Praat's: white for quiet, black for loud. Opaque on purpose: Qt blits an opaque image
    several times faster than one with an alpha channel, and this one is repainted every frame."""
    ramp = np.linspace(0.0, 1.0, 255)
    if name == "grey":
        grey = np.rint(255.0 * (1.0 - ramp)).astype(np.uint8)
        rgb = np.stack([grey, grey, grey], axis=1)
    else:
        rgb = pg.colormap.get(name).map(ramp, mode="byte")[:, :3]
    lut = np.zeros((256, 3), dtype=np.uint8)
    lut[0] = PENDING_RGB
    lut[1:] = rgb
    return lut


def same_picture(before: tuple | None, now: tuple) -> bool:
    """The same level, tiles, scaling and pre-emphasis, and the very same computed tile arrays."""
    if before is None or before[:4] != now[:4] or before[4] is not now[4]:
        return False
    return all(a is b for a, b in zip(before[5], now[5], strict=True))


def _nbytes(value) -> int:
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    return int(value.times.nbytes + value.values.nbytes)


class SpectrogramView(TimePlot):
    view_name = "spectrogram"
    title = "Spectrogram"

    def __init__(self, model: DocumentModel, parent=None) -> None:
        self.image = pg.ImageItem(axisOrder="col-major")
        self.frequency_cursor = pg.InfiniteLine(
            angle=0, movable=False, label="{value:.0f} Hz",
            labelOpts={"position": 0.0, "anchors": [(0, 1), (0, 1)]},
        )  # fmt: skip
        super().__init__(model, parent)
        self.settings: SpectrogramSettings = BROADBAND
        self.colour_map = "grey"
        self.plan: AnalysisPlan | None = None
        self._samples: np.ndarray | None = None
        self._emphasis = np.zeros(0, dtype=np.float32)
        self.level = 0
        self.missing_tiles = 0  # tiles in view not computed yet (0: the picture is complete)
        # What the complete picture on screen was made of: a pan that keeps the same tiles and
        # the same loudest point in view leaves it (and the QImage pyqtgraph made of it) as is.
        self._drawn: tuple | None = None
        # Tiles take milliseconds, a pitch chunk a tenth of a second: each kind has its workers.
        lanes = {"pitch": ("curves", 1), "intensity": ("curves", 1)}
        self.loader = TileLoader(_nbytes, CACHE_BYTES, threads=2, lanes=lanes, parent=self)
        self.loader.ready.connect(self._on_ready)
        self._arrival_timer = QTimer(self)
        self._arrival_timer.setSingleShot(True)
        self._arrival_timer.setInterval(0)
        self._arrival_timer.timeout.connect(self.redraw)
        item = self.getPlotItem()
        self.image.setZValue(-10)
        self.image.setLevels((0, 255))
        item.addItem(self.image)
        self.set_colour_map("grey")
        self.frequency_cursor.setZValue(25)
        self.frequency_cursor.hide()
        item.addItem(self.frequency_cursor, ignoreBounds=True)
        item.getAxis("left").setLabel("Frequency", units="Hz")
        item.getAxis("left").enableAutoSIPrefix(False)
        self.time_box.disableAutoRange()
        self.time_box.drag_selects = True  # as in the waveform and in Praat: a drag selects
        self.curves = ProsodyCurves(self, self.loader)
        self.readout = QLabel(self)
        self.readout.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.readout.setStyleSheet("QLabel { background: rgba(255, 255, 255, 200); color: black;"
                                   " padding: 1px 4px; }")  # fmt: skip
        self.readout.hide()
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self.time_box.sigXRangeChanged.connect(self.redraw)
        self.time_box.sigResized.connect(self.redraw)
        self._set_frequency_range()
        self.refresh()

    # -- settings ------------------------------------------------------------------------------

    def set_settings(self, settings: SpectrogramSettings) -> None:
        """New analysis settings: everything is recomputed."""
        if settings == self.settings and self.plan is not None:
            return
        self.settings = settings
        self._restart()

    def set_prosody_settings(self, settings: ProsodySettings) -> None:
        self.curves.set_settings(settings)

    def set_colour_map(self, name: str) -> None:
        if name not in COLOUR_MAPS:
            raise ValueError(f"unknown colour map {name!r}")
        self.colour_map = name
        lut = spectrogram_lut(name)
        self.image.setLookupTable(lut)

    def set_pitch_visible(self, visible: bool) -> None:
        self.curves.set_visible("pitch", visible)

    def set_intensity_visible(self, visible: bool) -> None:
        self.curves.set_visible("intensity", visible)

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.frequency_cursor.setPen(pg.mkPen(theme.cursor, width=1, style=Qt.PenStyle.DashLine))
        self.frequency_cursor.label.setColor(theme.cursor)
        curves = getattr(self, "curves", None)  # None while the base class is being set up
        if curves is not None:
            curves.apply_theme(theme)

    # -- document ------------------------------------------------------------------------------

    def refresh(self) -> None:
        doc = self.document
        samples = None if doc is None or doc.audio is None else doc.audio.samples
        if samples is self._samples and self.plan is not None:
            self.redraw()
            return
        self._samples = samples
        self._restart()

    def _restart(self) -> None:
        self.loader.reset()
        self.image.clear()
        self._drawn = None
        doc = self.document
        audio = None if doc is None else doc.audio
        self.plan = None if audio is None else AnalysisPlan.create(self.settings, audio.sample_rate)
        self._emphasis = np.zeros(0, np.float32) if self.plan is None else emphasis_db(self.plan)
        self._set_frequency_range()
        self.curves.restart()
        self.redraw()

    def _set_frequency_range(self) -> None:
        top = self.settings.max_frequency if self.plan is None else self.plan.frequency_extent()[1]
        self.time_box.setYRange(0.0, top, padding=0)

    def detach(self) -> None:
        self.loader.shutdown()
        super().detach()

    # -- drawing -------------------------------------------------------------------------------

    def _on_ready(self, key) -> None:
        # Tiles finished together arrive together: one redraw for all of them.
        if key[0] != "spec" or key[1] == self.level:
            self._arrival_timer.start()

    def redraw(self, *_args) -> None:
        self._arrival_timer.stop()
        plan, samples = self.plan, self._samples
        if plan is None or samples is None or samples.size == 0:
            self.missing_tiles = 0
            self.curves.redraw()
            return
        t0, t1 = self.x_range()
        duration = samples.size / plan.sample_rate
        t0, t1 = max(0.0, t0), min(duration, t1)
        if t1 <= t0:
            return
        self.level = level = plan.level_for(t1 - t0)
        tiles = plan.tiles_between(level, t0, t1, samples.size)
        if not tiles:
            return
        # Then one tile on either side, for the next pan.
        count = plan.num_tiles(level, samples.size)
        ahead = [i for i in (tiles.start - 1, tiles.stop) if 0 <= i < count]
        self.loader.request("spec", [(("spec", level, i), self._tile_job(level, i))
                                     for i in [*tiles, *ahead]])  # fmt: skip
        self._draw_tiles(plan, samples.size, level, tiles, t0, t1)
        self.curves.redraw()

    def _tile_job(self, level: int, index: int):
        plan, samples = self.plan, self._samples
        assert plan is not None and samples is not None
        return lambda: compute_tile(samples, plan, level, index)

    def _draw_tiles(self, plan: AnalysisPlan, num_samples: int, level: int, tiles: range,
                    t0: float, t1: float) -> None:  # fmt: skip
        first, _ = plan.tile_frames(level, tiles.start, num_samples)
        _, end = plan.tile_frames(level, tiles.stop - 1, num_samples)
        db = np.full((end - first, plan.num_bands), np.nan, dtype=np.float32)
        missing = 0
        computed = []
        for index in tiles:
            a, b = plan.tile_frames(level, index, num_samples)
            tile = self.loader.get(("spec", level, index))
            computed.append(tile)
            if tile is None or tile is FAILED:
                missing += 1
                tile = self._stand_in(plan, num_samples, level, a, b)
            if tile is not None:
                db[a - first : b - first] = tile
        self.missing_tiles = missing
        if missing == len(tiles) and np.isnan(db[:, 0]).all():
            self.image.hide()  # nothing to show yet: better the empty box than a flat colour
            self._drawn = None
            return
        base = plan.timebase(level)
        # Praat scales to the loudest point in view (after pre-emphasis).
        v0 = max(0, base.seconds_to_frame(t0) - first)
        v1 = min(end - first, base.seconds_to_frame(t1) + 1 - first)
        shown = db[v0:v1] + self._emphasis[None, :]
        maximum = float(np.nanmax(shown)) if np.isfinite(shown).any() else 0.0
        drawn = (level, tiles, maximum, self.settings.dynamic_range, self._emphasis, computed)
        if missing == 0 and same_picture(self._drawn, drawn):
            return
        picture = grey_levels(np.nan_to_num(db, nan=-1e6), self._emphasis, maximum,
                              self.settings.dynamic_range)  # fmt: skip
        picture[np.isnan(db[:, 0])] = 0
        self.image.setImage(picture, autoLevels=False, levels=(0, 255))
        self.image.setRect(QRectF(base.frame_to_seconds(first), plan.frequency_extent()[0],
                                  base.frame_to_seconds(end - first),
                                  plan.num_bands * plan.band_hz))  # fmt: skip
        self.image.show()
        self._drawn = drawn if missing == 0 else None

    def _stand_in(self, plan: AnalysisPlan, num_samples: int, level: int, a: int,
                  b: int) -> np.ndarray | None:  # fmt: skip
        """Frames [a, b) of ``level`` taken from the tiles of a neighbouring level already in the
        cache (nearest frame in time), so that zooming shows the old picture until the new tiles
        arrive; None when no level has them all."""
        centres = (np.arange(a, b) + 0.5) * plan.level_step(level)  # in samples
        for offset in FALLBACK_LEVELS:
            other = level + offset
            if other < 0:
                continue
            frames = np.minimum((centres // plan.level_step(other)).astype(np.int64),
                                plan.num_frames(other, num_samples) - 1)  # fmt: skip
            indices, rows = np.divmod(frames, TILE_FRAMES)
            needed = [int(i) for i in np.unique(indices)]
            tiles = {i: self.loader.peek(("spec", other, i)) for i in needed}
            found = {i: t for i, t in tiles.items() if isinstance(t, np.ndarray)}
            if len(found) == len(needed):
                out = np.empty((b - a, plan.num_bands), dtype=np.float32)
                for i, tile in found.items():
                    mask = indices == i
                    out[mask] = tile[rows[mask]]
                return out
        return None

    # -- reading values ------------------------------------------------------------------------

    def value_at(self, seconds: float, hz: float) -> float | None:
        """dB (before pre-emphasis) at (seconds, hz) in the tiles of the current level, or None."""
        plan, samples = self.plan, self._samples
        if plan is None or samples is None or seconds < 0:
            return None
        band = plan.band_of(hz)
        frame = plan.timebase(self.level).seconds_to_frame(seconds)
        if band is None or frame >= plan.num_frames(self.level, samples.size):
            return None
        index, row = plan.tile_of(frame)
        tile = self.loader.peek(("spec", self.level, index))
        if tile is None or tile is FAILED:
            return None
        return float(tile[row, band])

    def readout_text(self, seconds: float, hz: float) -> str:
        parts = [f"{seconds:.4f} s", f"{hz:.0f} Hz"]
        db = self.value_at(seconds, hz)
        if db is not None:
            parts.append(f"{db:.1f} dB")
        parts += self.curves.readout(seconds)
        return "   ".join(parts)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        if not self.time_box.sceneBoundingRect().contains(scene_pos) or self.plan is None:
            self._clear_readout()
            return
        point = self.time_box.mapSceneToView(scene_pos)
        text = self.readout_text(point.x(), point.y())
        self.readout.setText(text)
        self.readout.adjustSize()
        self.readout.move(LEFT_AXIS_WIDTH + 4, 2)
        self.readout.show()

    def _clear_readout(self) -> None:
        self.readout.hide()

    def leaveEvent(self, event) -> None:
        self._clear_readout()
        super().leaveEvent(event)

    def _on_mouse_clicked(self, event) -> None:
        """As in Praat, a click also places a horizontal cursor that reads the frequency."""
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.scenePos()
        if self.time_box.sceneBoundingRect().contains(pos):
            self.set_frequency_cursor(self.time_box.mapSceneToView(pos).y())

    def set_frequency_cursor(self, hz: float | None) -> None:
        if hz is None or not math.isfinite(hz):
            self.frequency_cursor.hide()
            return
        self.frequency_cursor.setValue(hz)
        self.frequency_cursor.show()

    def image_time_range(self) -> tuple[float, float] | None:
        if not self.image.isVisible() or self.image.image is None:
            return None
        rect = self.image.mapRectToParent(self.image.boundingRect())
        return float(rect.left()), float(rect.right())
