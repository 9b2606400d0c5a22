"""The spectrogram's settings dialog, and the glue between the stored settings and the view.

The dialog opens window-modal with ``open()`` (not ``exec()``), so the event loop keeps running:
the picture goes on being drawn behind it, and tests drive it with real keys and clicks.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aligner_gui.core.display.prosody import ProsodySettings
from aligner_gui.core.display.spectrogram import BROADBAND, NARROWBAND, SpectrogramSettings
from aligner_gui.qt.settings import SPECTROGRAM_COLOUR_MAPS

if TYPE_CHECKING:
    from aligner_gui.qt.main_window import MainWindow
    from aligner_gui.qt.settings import Settings
    from aligner_gui.qt.views.spectrogram_view import SpectrogramView


def _spin(low: float, high: float, decimals: int, suffix: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(decimals)
    box.setSuffix(suffix)
    box.setKeyboardTracking(False)
    return box


class SpectrogramSettingsDialog(QDialog):
    def __init__(self, spectrogram: SpectrogramSettings, prosody: ProsodySettings, colours: str,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Spectrogram settings")
        self.window_length = _spin(0.5, 1000.0, 1, " ms")
        self.max_frequency = _spin(100.0, 48000.0, 0, " Hz")
        self.dynamic_range = _spin(1.0, 200.0, 1, " dB")
        self.pre_emphasis = _spin(0.0, 24.0, 1, " dB/octave")
        self.pitch_floor = _spin(10.0, 2000.0, 1, " Hz")
        self.pitch_ceiling = _spin(20.0, 4000.0, 1, " Hz")
        self.colours = QComboBox()
        self.colours.addItems(list(SPECTROGRAM_COLOUR_MAPS))
        self.broadband = QPushButton("Broadband (5 ms)")
        self.narrowband = QPushButton("Narrowband (30 ms)")
        self.broadband.clicked.connect(
            lambda: self.window_length.setValue(1000 * BROADBAND.window_length)
        )
        self.narrowband.clicked.connect(
            lambda: self.window_length.setValue(1000 * NARROWBAND.window_length)
        )
        presets = QHBoxLayout()
        presets.addWidget(self.broadband)
        presets.addWidget(self.narrowband)
        form = QFormLayout()
        form.addRow("Window length:", self.window_length)
        form.addRow("", presets)
        form.addRow("Maximum frequency:", self.max_frequency)
        form.addRow("Dynamic range:", self.dynamic_range)
        form.addRow("Pre-emphasis (from 50 Hz):", self.pre_emphasis)
        form.addRow("Colours:", self.colours)
        form.addRow("Pitch floor:", self.pitch_floor)
        form.addRow("Pitch ceiling:", self.pitch_ceiling)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #c00000")
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        defaults = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        defaults.clicked.connect(lambda: self.show_values(BROADBAND, ProsodySettings(), "grey"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.show_values(spectrogram, prosody, colours)
        self.chosen = (spectrogram, prosody, colours)  # what OK accepted

    def show_values(self, spectrogram: SpectrogramSettings, prosody: ProsodySettings,
                    colours: str) -> None:  # fmt: skip
        self._base = spectrogram
        self.window_length.setValue(1000.0 * spectrogram.window_length)
        self.max_frequency.setValue(spectrogram.max_frequency)
        self.dynamic_range.setValue(spectrogram.dynamic_range)
        self.pre_emphasis.setValue(spectrogram.pre_emphasis)
        self.pitch_floor.setValue(prosody.pitch_floor)
        self.pitch_ceiling.setValue(prosody.pitch_ceiling)
        self.colours.setCurrentText(colours)

    def values(self) -> tuple[SpectrogramSettings, ProsodySettings, str]:
        """What the dialog shows; ValueError (with a one-line reason) if it is not valid."""
        for box in self.findChildren(QDoubleSpinBox):
            box.interpretText()  # text typed but not yet committed (no Return, no focus change)
        spectrogram = replace(
            self._base,
            window_length=self.window_length.value() / 1000.0,
            max_frequency=self.max_frequency.value(),
            dynamic_range=self.dynamic_range.value(),
            pre_emphasis=self.pre_emphasis.value(),
        )
        prosody = ProsodySettings(self.pitch_floor.value(), self.pitch_ceiling.value())
        return spectrogram, prosody, self.colours.currentText()

    def accept(self) -> None:
        try:
            self.chosen = self.values()
        except ValueError as err:  # stays open with the reason, nothing applied
            self.error.setText(str(err))
            self.error.show()
            return
        super().accept()


def apply_to_view(view: SpectrogramView, settings: Settings) -> None:
    view.set_colour_map(settings.spectrogram_colours)
    view.set_prosody_settings(settings.prosody)
    view.set_pitch_visible(settings.curve_visible("pitch"))
    view.set_intensity_visible(settings.curve_visible("intensity"))
    view.set_settings(settings.spectrogram)


def set_curve_visible(window: MainWindow, kind: str, visible: bool) -> None:
    window.settings.set_curve_visible(kind, visible)
    view = window.stack.spectrogram
    if kind == "pitch":
        view.set_pitch_visible(visible)
    else:
        view.set_intensity_visible(visible)


def open_dialog(window: MainWindow) -> SpectrogramSettingsDialog:
    """Show the dialog; OK stores the settings and recomputes the spectrogram."""
    settings = window.settings
    dialog = SpectrogramSettingsDialog(settings.spectrogram, settings.prosody,
                                       settings.spectrogram_colours, window)  # fmt: skip

    def store() -> None:
        spectrogram, prosody, colours = dialog.chosen
        settings.spectrogram = spectrogram
        settings.prosody = prosody
        settings.spectrogram_colours = colours
        apply_to_view(window.stack.spectrogram, settings)

    dialog.accepted.connect(store)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
