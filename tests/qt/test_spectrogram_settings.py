"""The spectrogram's stored settings: Praat's defaults, a round trip through the INI file, bad
values falling back, and a new window starting with what was stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aligner_gui.core.display.prosody import ProsodySettings
from aligner_gui.core.display.spectrogram import BROADBAND, NARROWBAND
from aligner_gui.qt import dialogs
from aligner_gui.qt.main_window import MainWindow
from aligner_gui.qt.settings import Settings


def test_defaults_are_praats(tmp_path: Path) -> None:
    settings = Settings.from_file(tmp_path / "s.ini")
    assert settings.spectrogram == BROADBAND
    assert BROADBAND.window_length == 0.005 and BROADBAND.max_frequency == 5000.0
    assert BROADBAND.dynamic_range == 50.0 and BROADBAND.pre_emphasis == 6.0
    assert settings.prosody == ProsodySettings(75.0, 500.0)
    assert settings.spectrogram_colours == "grey"
    assert settings.curve_visible("pitch") and not settings.curve_visible("intensity")


def test_values_survive_a_new_instance_on_the_same_file(tmp_path: Path) -> None:
    ini = tmp_path / "s.ini"
    settings = Settings.from_file(ini)
    settings.spectrogram = NARROWBAND
    settings.prosody = ProsodySettings(100.0, 300.0)
    settings.spectrogram_colours = "inferno"
    settings.set_curve_visible("intensity", True)
    settings.sync()
    again = Settings.from_file(ini)
    assert again.spectrogram == NARROWBAND
    assert again.prosody == ProsodySettings(100.0, 300.0)
    assert again.spectrogram_colours == "inferno"
    assert again.curve_visible("intensity")
    with pytest.raises(ValueError, match="colour map"):
        again.spectrogram_colours = "rainbow"


def test_malformed_or_impossible_values_fall_back_to_the_defaults(tmp_path: Path) -> None:
    ini = tmp_path / "s.ini"
    ini.write_text(
        "[spectrogram]\nwindow_length=lots\nmax_frequency=8000\npitch_floor=600\n"
        "pitch_ceiling=100\ncolours=rainbow\n",
        encoding="utf-8",
    )
    settings = Settings.from_file(ini)
    assert settings.spectrogram.window_length == BROADBAND.window_length
    assert settings.spectrogram.max_frequency == 8000.0  # the readable value is kept
    assert settings.prosody == ProsodySettings()  # floor above ceiling: the defaults
    assert settings.spectrogram_colours == "grey"


def test_a_new_window_starts_with_the_stored_settings(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dialogs, "ask_save_changes", lambda *a: "discard")
    settings = Settings.from_file(tmp_path / "s.ini")
    settings.spectrogram = NARROWBAND
    settings.spectrogram_colours = "viridis"
    settings.set_curve_visible("pitch", False)
    settings.set_curve_visible("intensity", True)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    view = window.stack.spectrogram
    assert view.settings == NARROWBAND and view.colour_map == "viridis"
    assert not view.curves.visible["pitch"] and view.curves.visible["intensity"]
    assert not window.actions_.curves["pitch"].isChecked()
    assert window.actions_.curves["intensity"].isChecked()
