"""The editor's time-aligned views; each takes the DocumentModel and listens to its signals only."""

from aligner_gui.qt.views.base import TimePlot
from aligner_gui.qt.views.emission_view import EmissionView
from aligner_gui.qt.views.spectrogram_view import SpectrogramView
from aligner_gui.qt.views.tier_view import TierView
from aligner_gui.qt.views.trellis_view import TrellisView
from aligner_gui.qt.views.waveform_view import WaveformView

__all__ = [
    "EmissionView",
    "SpectrogramView",
    "TierView",
    "TimePlot",
    "TrellisView",
    "WaveformView",
]
