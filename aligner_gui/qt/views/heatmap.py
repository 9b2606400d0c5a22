"""A time x category heat map with a colour bar and named rows; the common part of the emission and
trellis views.

Only what is in view is drawn: on every change of the visible range the frames in view are taken
from a :class:`~aligner_gui.core.display.pooling.FramePyramid` at no more than one column per pixel
(max-pooled when there are more frames than pixels), converted to colours and shown as a small
image placed at their times. Redrawing therefore costs the same for a minute and for an hour.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QTimer
from PySide6.QtGui import QFontMetrics, QGuiApplication

from aligner_gui.core.display.pooling import FramePyramid
from aligner_gui.qt.views.base import RIGHT_GUTTER, TimePlot
from aligner_gui.qt.views.colors import Theme, heatmap_colormap, heatmap_lut
from aligner_gui.qt.views.ipa_font import ipa_font

if TYPE_CHECKING:
    from aligner_gui.qt.document_model import DocumentModel

# Pooled source values -> uint8 image (0 = improbable, 255 = certain).
ToImage = Callable[[np.ndarray], np.ndarray]


def to_uint8(values: np.ndarray) -> np.ndarray:
    """Values in [0, 1] (NaN -> 0) to 0..255, rounding to nearest."""
    clean = np.nan_to_num(np.asarray(values, dtype=np.float32), nan=0.0, posinf=1.0, neginf=0.0)
    return np.clip(np.rint(clean * 255.0), 0, 255).astype(np.uint8)


def _identity(values: np.ndarray) -> np.ndarray:
    return values


class HeatmapPlot(TimePlot):
    """Rows are categories (top to bottom), columns are model frames placed in seconds."""

    colorbar_label = "p"

    def __init__(self, model: DocumentModel, parent=None) -> None:
        self.image = pg.ImageItem(axisOrder="col-major")
        self.message = pg.TextItem("", anchor=(0.5, 0.5))
        super().__init__(model, parent)
        item = self.getPlotItem()
        self.image.setLookupTable(heatmap_lut())
        self.image.setLevels((0, 255))
        self.image.setZValue(-10)
        item.addItem(self.image)
        item.addItem(self.message, ignoreBounds=True)
        self.time_box.invertY(True)
        self.time_box.disableAutoRange()
        self.colorbar = pg.ColorBarItem(
            values=(0.0, 1.0),
            colorMap=heatmap_colormap(),
            interactive=False,
            width=12,
            colorMapMenu=False,
        )
        # The bar takes the right-hand gutter every view reserves, keeping the x axes aligned.
        # Rows may be a phone model's phones ("ʃ", "tʃ"): named in a font that has the IPA.
        item.getAxis("left").setStyle(tickFont=ipa_font())
        item.hideAxis("right")
        item.layout.addItem(self.colorbar, 2, 3)
        self.colorbar.setFixedWidth(RIGHT_GUTTER)
        self.colorbar.getAxis("right").setLabel(self.colorbar_label)
        self.rows: tuple[str, ...] = ()
        self._row_ticks = True
        self._source: FramePyramid | None = None
        self._source_frame0 = 0  # the frame shown by the source's first column
        self._source_row0 = 0  # the row (category) of the source's first entry in each column
        self._frame_seconds = 1.0
        self._to_image: ToImage = _identity
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(0)
        self._redraw_timer.timeout.connect(self.redraw_heatmap)
        self.time_box.sigResized.connect(self._update_row_ticks)
        self.time_box.sigYRangeChanged.connect(self._update_row_ticks)
        self.time_box.sigXRangeChanged.connect(self._place_message)
        # Redrawn at once when the range changes, so that the frame that shows the new range
        # shows its content too; resizes come in bursts and are coalesced.
        self.time_box.sigXRangeChanged.connect(self._on_range_changed)
        self.time_box.sigYRangeChanged.connect(self._on_range_changed)
        self.time_box.sigResized.connect(self._schedule_heatmap)

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.message.setColor(theme.foreground)

    # -- content -----------------------------------------------------------------------------------

    def set_heatmap(
        self, image: np.ndarray, frame_seconds: float, rows: Sequence[str], row_ticks: bool = True
    ) -> None:
        """Show ``image`` (uint8, shape (frames, len(rows))) with frame i at [i, i+1) * stride."""
        self.set_source(FramePyramid(image), frame_seconds, rows, row_ticks=row_ticks)
        self.time_box.setYRange(0, max(1, len(rows)), padding=0)

    def set_source(
        self,
        source: FramePyramid,
        frame_seconds: float,
        rows: Sequence[str],
        to_image: ToImage = _identity,
        *,
        frame0: int = 0,
        row0: int = 0,
        row_ticks: bool = True,
    ) -> None:
        """Show ``source`` (frames x some rows), whose first column is frame ``frame0`` and whose
        first entry is row ``row0`` of ``rows`` (the names of every row of the axis).

        ``to_image`` maps pooled source values to uint8; it must be increasing, since it is
        applied after max-pooling. The caller sets the y range.
        """
        self._source = source
        self._source_frame0 = frame0
        self._source_row0 = row0
        self._frame_seconds = frame_seconds
        self._to_image = to_image
        self.rows = rows if isinstance(rows, tuple) else tuple(rows)
        self.message.setText("")
        self._row_ticks = row_ticks
        self._update_row_ticks()
        self.redraw_heatmap()

    def clear_heatmap(self, message: str) -> None:
        self.rows = ()
        self._source = None
        self.image.clear()
        self.image.hide()
        self.getPlotItem().getAxis("left").setTicks([[]])
        self.message.setText(message)
        self._place_message()

    def _schedule_heatmap(self, *_args) -> None:
        if self._source is not None:
            self._redraw_timer.start()

    def _on_range_changed(self, *_args) -> None:
        if self._source is not None:
            self.redraw_heatmap()

    def redraw_heatmap(self) -> None:
        """Put what is in view on screen, at most one column per pixel and one row per pixel."""
        self._redraw_timer.stop()
        source = self._source
        if source is None:
            return
        fs = self._frame_seconds
        t0, t1 = self.x_range()
        y0, y1 = sorted(self.time_box.viewRange()[1])
        f0 = max(0, math.floor(t0 / fs) - self._source_frame0)
        f1 = min(source.num_frames, math.ceil(t1 / fs) - self._source_frame0)
        r0 = max(0, math.floor(y0) - self._source_row0)
        r1 = min(source.num_rows, math.ceil(y1) - self._source_row0)
        if f1 <= f0 or r1 <= r0:
            self.image.hide()
            return
        height = max(1, int(self.time_box.height()))
        window = source.window(f0, f1, self.plot_width_pixels(), (r0, r1), height)
        (e0, e1), (g0, g1) = window.frame_range, window.row_range
        self.image.setImage(self._to_image(window.values), autoLevels=False, levels=(0, 255))
        self.image.setRect(
            QRectF(
                (self._source_frame0 + e0) * fs,
                float(self._source_row0 + g0),
                (e1 - e0) * fs,
                float(g1 - g0),
            )
        )
        self.image.show()

    # -- axes --------------------------------------------------------------------------------------

    def _update_row_ticks(self, *_args) -> None:
        """Name every row in view that fits: every n-th row when rows are thinner than a line of
        text (only the rows in view, so that 60,000 token rows cost nothing)."""
        axis = self.getPlotItem().getAxis("left")
        if not self.rows or not self._row_ticks:
            axis.setTicks([[]])
            return
        y0, y1 = self.time_box.viewRange()[1]
        lo = max(0, math.floor(min(y0, y1)))
        hi = min(len(self.rows), math.ceil(max(y0, y1)))
        if hi <= lo:
            axis.setTicks([[]])
            return
        line = QFontMetrics(axis.style["tickFont"] or QGuiApplication.font()).height()
        rows_per_line = (hi - lo) * line / max(1.0, self.time_box.height())
        step = max(1, math.ceil(rows_per_line))
        first = -(-lo // step) * step  # keep the named rows fixed while scrolling
        axis.setTicks([[(i + 0.5, self.rows[i]) for i in range(first, hi, step)]])

    def _place_message(self, *_args) -> None:
        """Keep the explanation in the middle of whatever part of the file is in view."""
        if not self.message.textItem.toPlainText():
            return
        t0, t1 = self.x_range()
        self.time_box.setYRange(0, 1, padding=0)
        self.message.setPos(0.5 * (t0 + t1), 0.5)

    def image_shape(self) -> tuple[int, int] | None:
        data = self.image.image
        return None if data is None or not self.image.isVisible() else tuple(data.shape)  # type: ignore[return-value]
