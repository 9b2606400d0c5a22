"""The model's emissions: one row per label, one column per frame, brightness = probability."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from aligner_gui.core.display.pooling import FramePyramid
from aligner_gui.qt.views.heatmap import HeatmapPlot, to_uint8

if TYPE_CHECKING:
    from aligner_gui.core.base.labels import LabelSet
    from aligner_gui.qt.document_model import DocumentModel

# A document read from a file or restored after a crash has its tiers but not the model's output.
NO_EMISSIONS = (
    "No emissions: this document was opened from a file or restored (Ctrl+R aligns it to see them)"
)


def row_names(labels: LabelSet) -> list[str]:
    """Readable names for the label rows: the blank and the word delimiter spelled out."""
    names = []
    for i, label in enumerate(labels.labels):
        if i == labels.blank:
            names.append("(blank)")
        elif label == labels.word_delimiter:
            names.append(f"{label} (word)")
        elif label == " ":
            names.append("(space)")
        else:
            names.append(label)
    return names


def probability_image(log_probs: np.ndarray) -> np.ndarray:
    """uint8 probabilities of (pooled) log-probabilities: exp is increasing, so pooling first and
    converting only the columns shown gives the same picture as converting everything."""
    return to_uint8(np.exp(np.asarray(log_probs, dtype=np.float32)))


class EmissionView(HeatmapPlot):
    view_name = "emission"
    title = "Emissions"

    def __init__(self, model: DocumentModel, parent=None) -> None:
        super().__init__(model, parent)
        self.getPlotItem().getAxis("left").setLabel("Label")
        self.refresh()

    def refresh(self) -> None:
        doc = self.document
        result = None if doc is None else doc.result
        if result is None:
            self.clear_heatmap(NO_EMISSIONS if doc is not None else "")
            return
        rows = row_names(result.labels)
        self.set_source(
            FramePyramid(result.emissions), result.timebase.frame_seconds, rows, probability_image
        )
        self.time_box.setYRange(0, max(1, len(rows)), padding=0)
