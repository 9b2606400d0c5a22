"""A time x category heat map (uint8 image + lookup table) with a colour bar and named rows; the
common part of the emission and trellis views."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetrics, QGuiApplication

from aligner_gui.qt.views.base import RIGHT_GUTTER, TimePlot
from aligner_gui.qt.views.colors import Theme, heatmap_colormap, heatmap_lut

if TYPE_CHECKING:
    from aligner_gui.qt.document_model import DocumentModel


def to_uint8(values: np.ndarray) -> np.ndarray:
    """Values in [0, 1] (NaN -> 0) to 0..255, rounding to nearest."""
    clean = np.nan_to_num(np.asarray(values, dtype=np.float32), nan=0.0, posinf=1.0, neginf=0.0)
    return np.clip(np.rint(clean * 255.0), 0, 255).astype(np.uint8)


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
        item.hideAxis("right")
        item.layout.addItem(self.colorbar, 2, 3)
        self.colorbar.setFixedWidth(RIGHT_GUTTER)
        self.colorbar.getAxis("right").setLabel(self.colorbar_label)
        self.rows: tuple[str, ...] = ()
        self._row_ticks = True
        self.time_box.sigResized.connect(self._update_row_ticks)
        self.time_box.sigXRangeChanged.connect(self._place_message)

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.message.setColor(theme.foreground)

    def set_heatmap(
        self, image: np.ndarray, frame_seconds: float, rows: Sequence[str], row_ticks: bool = True
    ) -> None:
        """Show ``image`` (uint8, shape (frames, len(rows))) with frame i at [i, i+1) * stride."""
        frames, n_rows = image.shape
        self.rows = tuple(rows)
        self.image.setImage(image, autoLevels=False, levels=(0, 255))
        self.image.setRect(QRectF(0.0, 0.0, frames * frame_seconds, float(n_rows)))
        self.image.show()
        self.message.setText("")
        self._row_ticks = row_ticks
        self._update_row_ticks()
        self.time_box.setYRange(0, max(1, n_rows), padding=0)

    def _update_row_ticks(self, *_args) -> None:
        """Name every row that fits: every n-th row when rows are thinner than a line of text."""
        axis = self.getPlotItem().getAxis("left")
        if not self.rows or not self._row_ticks:
            axis.setTicks([[]])
            return
        line = QFontMetrics(axis.style["tickFont"] or QGuiApplication.font()).height()
        rows_per_line = len(self.rows) * line / max(1.0, self.time_box.height())
        step = max(1, math.ceil(rows_per_line))
        axis.setTicks([[(i + 0.5, name) for i, name in enumerate(self.rows) if i % step == 0]])

    def clear_heatmap(self, message: str) -> None:
        self.rows = ()
        self.image.clear()
        self.image.hide()
        self.getPlotItem().getAxis("left").setTicks([[]])
        self.message.setText(message)
        self._place_message()

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
