"""Colours shared by the views: the light/dark theme taken from the Qt palette, confidence tints
and the heat-map lookup table.

Everything is derived from the application's QPalette so that the editor follows the system's
light or dark appearance without a theme of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QGuiApplication, QPalette

# Sequential and perceptually uniform, readable on light and dark backgrounds alike.
HEATMAP_NAME = "viridis"


@dataclass(frozen=True)
class Theme:
    dark: bool
    background: QColor
    foreground: QColor
    grid: QColor
    waveform: QColor
    boundary: QColor
    boundary_hover: QColor
    selection: QColor  # translucent fill of the selected span
    cursor: QColor
    playhead: QColor
    flagged: QColor  # outline of unaligned / flagged words
    path: QColor  # the Viterbi path over the trellis
    edited_path: QColor  # the document's (edited) character spans over the trellis
    silence: QColor  # fill of "" intervals


def theme_from_palette(palette: QPalette | None = None) -> Theme:
    """The views' colours for ``palette`` (the application's palette by default)."""
    if palette is None:
        palette = QGuiApplication.palette()
    background = palette.color(QPalette.ColorRole.Base)
    foreground = palette.color(QPalette.ColorRole.Text)
    highlight = palette.color(QPalette.ColorRole.Highlight)
    dark = background.lightness() < 128
    selection = QColor(highlight)
    selection.setAlpha(60)
    grid = QColor(foreground)
    grid.setAlpha(40)
    silence = QColor(foreground)
    silence.setAlpha(12)
    return Theme(
        dark=dark,
        background=background,
        foreground=foreground,
        grid=grid,
        waveform=QColor("#7fb2ff") if dark else QColor("#1f4e9c"),
        boundary=QColor("#e0e0e0") if dark else QColor("#303030"),
        boundary_hover=QColor(highlight),
        selection=selection,
        cursor=QColor("#ff9f40") if dark else QColor("#c05800"),
        playhead=QColor("#ff5050") if dark else QColor("#d00000"),
        flagged=QColor("#ff6060") if dark else QColor("#d01010"),
        path=QColor("#ff4040"),
        edited_path=QColor("#ffffff") if dark else QColor("#ff40ff"),
        silence=silence,
    )


def apply_pyqtgraph_config(theme: Theme) -> None:
    """Default background/foreground of plots created from now on."""
    pg.setConfigOptions(background=theme.background, foreground=theme.foreground, antialias=False)


def score_color(score: float | None, theme: Theme, alpha: int = 110) -> QColor:
    """Fill for an interval of confidence ``score`` in [0, 1]: red (low) -> amber -> green (high).

    Unknown scores (None or NaN, e.g. from a Praat file) get a neutral tint.
    """
    if score is None or math.isnan(score):
        neutral = QColor(theme.foreground)
        neutral.setAlpha(28)
        return neutral
    s = min(1.0, max(0.0, float(score)))
    # Hue 0 (red) .. 120 (green); saturation kept moderate so labels stay readable on top.
    color = QColor.fromHsvF(s * 120.0 / 360.0, 0.75, 0.85 if theme.dark else 0.95)
    color.setAlpha(alpha)
    return color


def flattened(color: QColor, background: QColor) -> QColor:
    """The opaque colour that ``color`` (translucent) gives over ``background``.

    Opaque fills are several times cheaper to paint than blended ones, which matters when a tier
    fills its whole strip on every frame of a pan.
    """
    a = color.alphaF()
    return QColor.fromRgbF(
        color.redF() * a + background.redF() * (1.0 - a),
        color.greenF() * a + background.greenF() * (1.0 - a),
        color.blueF() * a + background.blueF() * (1.0 - a),
    )


def heatmap_colormap() -> pg.ColorMap:
    return pg.colormap.get(HEATMAP_NAME)


def heatmap_lut() -> np.ndarray:
    """(256, 3) uint8 lookup table for uint8 images (0 = improbable, 255 = certain)."""
    lut = heatmap_colormap().getLookupTable(0.0, 1.0, 256, alpha=False)
    return np.ascontiguousarray(lut, dtype=np.uint8)
