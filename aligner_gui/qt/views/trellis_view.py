"""The alignment trellis (frames x transcript tokens) with the Viterbi path drawn over it, and the
document's current character spans drawn as a second, "edited" path that follows every edit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent

from aligner_gui.qt.views.colors import Theme
from aligner_gui.qt.views.heatmap import HeatmapPlot, to_uint8

if TYPE_CHECKING:
    from aligner_gui.core.document import AlignmentDocument
    from aligner_gui.core.pipeline import AlignmentResult
    from aligner_gui.qt.document_model import DocumentModel

# The trellis costs 4 bytes and one recursion step per cell: beyond this it is not drawn.
MAX_CELLS = 6_000_000
# Each frame is shown relative to its best token; this many nats below the best is black.
DYNAMIC_RANGE = 30.0
CHAR_TIER = "chars"


def normalise_trellis(trellis: np.ndarray) -> np.ndarray:
    """Per-frame relative scores in [0, 1]: 1 at the frame's best token, 0 at -inf or far below."""
    t = np.asarray(trellis, dtype=np.float32)
    with np.errstate(invalid="ignore"):
        best = np.max(t, axis=1, keepdims=True)
        best = np.where(np.isfinite(best), best, 0.0)
        rel = 1.0 + (t - best) / DYNAMIC_RANGE
    return np.clip(np.nan_to_num(rel, nan=0.0, neginf=0.0), 0.0, 1.0)


def token_rows(result: AlignmentResult) -> list[str]:
    labels = result.labels.labels
    return [labels[tok] for tok in result.tokenized.tokens]


def viterbi_staircase(result: AlignmentResult) -> tuple[np.ndarray, np.ndarray]:
    """Frame edges (x, seconds) and rows (y) of the forced path for a stepped curve."""
    from aligner_gui.core.trellis import path_cells

    frames, positions = path_cells(result.path)
    keep = positions >= 0
    if not keep.any():
        return np.zeros(0), np.zeros(0)
    first = int(np.argmax(keep))
    fs = result.timebase.frame_seconds
    edges = np.arange(first, frames.size + 1, dtype=np.float64) * fs
    return edges, positions[first:].astype(np.float64) + 0.5


def edited_staircase(
    result: AlignmentResult, doc: AlignmentDocument
) -> tuple[np.ndarray, np.ndarray]:
    """The document's character spans as a path: each token's row over its current [start, end).

    Character segments are matched to the transcript's tokens in order by label (delimiters have
    no character); segments that no longer match a token (relabelled, deleted) are skipped.
    """
    try:
        tier = doc.tier(CHAR_TIER)
    except (KeyError, ValueError):
        return np.zeros(0), np.zeros(0)
    labels = result.labels.labels
    tokens = [
        (k, labels[tok].casefold())
        for k, (tok, word) in enumerate(
            zip(result.tokenized.tokens, result.tokenized.token_word, strict=True)
        )
        if word != -1
    ]
    spans = [(s.start, s.end) for s in tier.segments if s.label]
    seg_labels = [s.label.casefold() for s in tier.segments if s.label]
    matched: list[tuple[int, float, float]] = []
    j = 0
    for (start, end), label in zip(spans, seg_labels, strict=True):
        while j < len(tokens) and tokens[j][1] != label:
            j += 1
        if j == len(tokens):
            break
        matched.append((tokens[j][0], start, end))
        j += 1
    if not matched:
        return np.zeros(0), np.zeros(0)
    # Each character is a level step over its own span; the slanted links between steps cross
    # the blank frames, so both edges of every character show.
    xs = np.asarray([t for _, start, end in matched for t in (start, end)], dtype=np.float64)
    ys = np.repeat(np.asarray([row + 0.5 for row, _, _ in matched], dtype=np.float64), 2)
    return xs, ys


class TrellisView(HeatmapPlot):
    view_name = "trellis"
    title = "Trellis"
    colorbar_label = "rel."

    def __init__(self, model: DocumentModel, parent=None) -> None:
        self.path_curve = pg.PlotCurveItem()
        self.edited_curve = pg.PlotCurveItem()
        self._dirty = True
        super().__init__(model, parent)
        item = self.getPlotItem()
        item.getAxis("left").setLabel("Token")
        item.addItem(self.path_curve, ignoreBounds=True)
        item.addItem(self.edited_curve, ignoreBounds=True)
        self.refresh()

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.path_curve.setPen(pg.mkPen(theme.path, width=1.5))
        self.edited_curve.setPen(pg.mkPen(theme.edited_path, width=2, style=Qt.PenStyle.DashLine))

    def refresh(self) -> None:
        # Building the trellis is the costliest drawing in the editor: only when it can be seen.
        self._dirty = True
        if self.isVisible():
            self._rebuild()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self._rebuild()

    def _rebuild(self) -> None:
        self._dirty = False
        doc = self.document
        result = None if doc is None else doc.result
        self.path_curve.setData(np.zeros(0), np.zeros(0), stepMode=None)
        self.edited_curve.setData(np.zeros(0), np.zeros(0))
        if doc is None or result is None:
            msg = "No trellis: this document was opened from a TextGrid" if doc is not None else ""
            self.clear_heatmap(msg)
            return
        frames = int(result.emissions.shape[0])
        n_tokens = len(result.tokenized.tokens)
        if frames * n_tokens > MAX_CELLS:
            self.clear_heatmap(
                f"The trellis ({frames} frames x {n_tokens} tokens) is too large to draw"
            )
            return
        from aligner_gui.core.trellis import build_trellis

        trellis = build_trellis(result.emissions, result.tokenized.tokens, result.labels.blank)
        rows = token_rows(result)
        self.set_heatmap(to_uint8(normalise_trellis(trellis)), result.timebase.frame_seconds, rows)
        x, y = viterbi_staircase(result)
        if y.size:
            self.path_curve.setData(x, y, stepMode="center")
        self.update_edited_path()

    def on_tier_changed(self, tier: str, kind: str, index: int) -> None:
        if not self._dirty:
            self.update_edited_path()

    def update_edited_path(self) -> None:
        doc = self.document
        if doc is None or doc.result is None or self.image_shape() is None:
            self.edited_curve.setData(np.zeros(0), np.zeros(0))
            return
        x, y = edited_staircase(doc.result, doc)
        self.edited_curve.setData(x, y)

    def edited_path(self) -> tuple[np.ndarray, np.ndarray]:
        x, y = self.edited_curve.getData()
        return (np.zeros(0), np.zeros(0)) if x is None else (np.asarray(x), np.asarray(y))
