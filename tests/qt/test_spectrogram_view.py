"""The spectrogram in the real window: pictures computed in the background for the range in view,
zoom, the pitch and intensity toggles, the settings dialog driven with real clicks and keys, the
hover readout, and the layout that persists."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QByteArray, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from aligner_gui.core.document.document import AlignmentDocument, Segment, Tier
from aligner_gui.core.io.audio import Audio
from aligner_gui.qt.main_window import MainWindow
from aligner_gui.qt.spectrogram_settings import SpectrogramSettingsDialog
from aligner_gui.qt.view_stack import saved_count

from gui_helpers import shown_window, view_pixel

pytestmark = pytest.mark.gui
RATE = 16_000
DURATION = 8.0
WAIT_MS = 20_000


def vowel_audio() -> Audio:
    """Harmonics of 200 Hz under an /a/-like envelope, with a syllable-rate swell."""
    t = np.arange(int(DURATION * RATE)) / RATE
    out = np.zeros(t.size)
    for h in range(1, 20):
        gain = 1.0 / (1.0 + ((h * 200.0 - 700.0) / 150.0) ** 2) + 0.3 / h
        out += gain * np.sin(2 * np.pi * h * 200.0 * t + 0.3 * h)
    envelope = 0.6 + 0.4 * np.sin(2 * np.pi * 0.5 * t)
    samples = (0.3 * envelope * out / np.abs(out).max()).astype(np.float32)
    return Audio(samples, RATE, None, RATE, 1, None)


def vowel_document() -> AlignmentDocument:
    words = [Segment(0.0, 3.0, "aaa", 0.9), Segment(3.0, DURATION, "ah", 0.8)]
    return AlignmentDocument([Tier("words", words)], DURATION, audio=vowel_audio())


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    yield from shown_window(qtbot, tmp_path, monkeypatch, vowel_document())


def wait_for_picture(qtbot: Any, win: MainWindow) -> None:
    view = win.stack.spectrogram
    qtbot.waitUntil(lambda: view.image.isVisible() and view.missing_tiles == 0, timeout=WAIT_MS)


def test_the_picture_of_the_visible_range_is_computed_in_the_background(qtbot, window) -> None:
    view = window.stack.spectrogram
    stack = window.stack
    assert not stack.spectrogram.isHidden()
    assert stack.indexOf(view) == stack.indexOf(stack.waveform) + 1  # above the emissions
    wait_for_picture(qtbot, window)
    shown = view.image_time_range()
    assert shown is not None
    assert shown[0] <= 0.0 and shown[1] >= DURATION - 0.01
    picture = view.image.image
    assert picture is not None and picture.dtype == np.uint8
    assert picture.shape[1] == view.plan.num_bands
    # The loudest rows are the harmonics near the formant: 600-800 Hz, black in Praat's greys.
    loudest = view.plan.band_centres()[int(np.argmax(picture.astype(int).sum(axis=0)))]
    assert 550.0 <= loudest <= 850.0
    assert picture.max() == 255 and picture.min() >= 1  # nothing left uncomputed

    # Zoom in with the keyboard: a finer level, recomputed for the new range only.
    coarse_level, coarse_step = view.level, view.plan.level_step(view.level)
    for _ in range(4):
        QTest.keyClick(window, Qt.Key.Key_Plus)
    t0, t1 = stack.x_range()
    assert t1 - t0 < DURATION / 4
    wait_for_picture(qtbot, window)
    assert view.level < coarse_level
    shown = view.image_time_range()
    assert shown is not None and shown[0] <= t0 and shown[1] >= t1
    assert shown[1] - shown[0] < DURATION / 2  # tiles of the range in view, not the whole file
    columns = (t1 - t0) * RATE / view.plan.level_step(view.level)
    assert 500 <= columns <= 1000 and view.plan.level_step(view.level) < coarse_step


def test_until_new_tiles_arrive_a_zoom_shows_the_previous_level_stretched(qtbot, window) -> None:
    view = window.stack.spectrogram
    wait_for_picture(qtbot, window)
    level = view.level
    # No event is processed between the zoom and these checks, so no new tile can have arrived.
    window.stack.zoom(2.0)
    assert view.level == level - 1 and view.missing_tiles > 0
    picture = view.image.image
    assert view.image.isVisible() and picture is not None
    assert picture.min() >= 1  # no "pending" column: the coarser tiles stand in
    wait_for_picture(qtbot, window)
    assert view.missing_tiles == 0


def test_a_small_pan_over_the_same_tiles_keeps_the_picture_and_a_larger_one_redraws_it(
    qtbot, window
) -> None:
    view = window.stack.spectrogram
    window.stack.set_x_range(3.3, 5.7)  # the loudest point (4.5 s, the swell's top) in view
    wait_for_picture(qtbot, window)
    picture = view.image.image
    window.stack.set_x_range(3.35, 5.75)  # the same tiles, the same loudest point
    wait_for_picture(qtbot, window)
    assert view.image.image is picture  # nothing new to show: not made again
    shown = view.image_time_range()
    assert shown is not None and shown[0] <= 3.35 and shown[1] >= 5.75
    window.stack.set_x_range(1.5, 3.9)  # other tiles, and quieter: scaled to its own loudest
    wait_for_picture(qtbot, window)
    assert view.image.image is not picture
    shown = view.image_time_range()
    assert shown is not None and shown[0] <= 1.5 and shown[1] >= 3.9


def test_pitch_and_intensity_toggle_from_the_view_menu(qtbot, window) -> None:
    view = window.stack.spectrogram
    curves = view.curves
    pitch_action = window.actions_.curves["pitch"]
    intensity_action = window.actions_.curves["intensity"]
    assert pitch_action.isChecked() and not intensity_action.isChecked()  # Praat's defaults
    assert curves.items["pitch"].isVisible() and not curves.items["intensity"].isVisible()

    def pitch_drawn() -> bool:
        # Chunks arrive one by one from the background: wait for the whole visible range.
        _x, y = curves.items["pitch"].getData()
        return (
            curves.value_at("pitch", 4.0) is not None
            and y is not None
            and (np.isfinite(y).sum() > 300)
        )

    qtbot.waitUntil(pitch_drawn, timeout=WAIT_MS)
    assert curves.value_at("pitch", 4.0) == pytest.approx(200.0, abs=2.0)
    _x, y = curves.items["pitch"].getData()
    floor, ceiling = curves.value_range("pitch")
    top = view.time_box.viewRange()[1][1]
    expected = (200.0 - floor) / (ceiling - floor) * top  # mapped onto the frequency box
    assert np.nanmedian(y) == pytest.approx(expected, rel=0.02)
    assert curves.axis.labelText == "Pitch (Hz)"

    pitch_action.trigger()
    assert not curves.items["pitch"].isVisible()
    assert not window.settings.curve_visible("pitch")
    intensity_action.trigger()
    assert curves.items["intensity"].isVisible()
    assert window.settings.curve_visible("intensity")
    assert curves.axis.labelText == "Intensity (dB)"
    qtbot.waitUntil(lambda: curves.value_at("intensity", 4.0) is not None, timeout=WAIT_MS)
    assert 60.0 < curves.value_at("intensity", 4.0) < 90.0
    pitch_action.trigger()
    assert curves.items["pitch"].isVisible() and curves.axis.labelText == "Pitch (Hz)"


def test_a_pan_within_the_computed_chunks_keeps_the_pitch_curve_as_drawn(qtbot, window) -> None:
    # The curve's data is rebuilt only when what it shows changes, not on every frame of a pan.
    view = window.stack.spectrogram
    curve = view.curves.items["pitch"]
    qtbot.waitUntil(lambda: view.curves.value_at("pitch", 4.0) is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: np.isfinite(curve.getData()[1]).sum() > 300, timeout=WAIT_MS)
    x_before, y_before = curve.getData()
    for t0 in (1.0, 1.5, 2.0, 1.0):  # one chunk of 10 s holds the whole 8 s file
        window.stack.set_x_range(t0, t0 + 3.0)
        qtbot.wait(1)
        x, y = curve.getData()
        assert x is x_before and y is y_before
    floor, ceiling = view.curves.value_range("pitch")
    top = view.time_box.viewRange()[1][1]
    assert np.nanmedian(y) == pytest.approx((200.0 - floor) / (ceiling - floor) * top, rel=0.02)
    # What the curve shows does change with the pitch range: drawn anew, mapped onto the box.
    settings = view.curves.settings
    view.curves.set_settings(dataclasses.replace(settings, pitch_ceiling=400.0))
    qtbot.waitUntil(lambda: np.isfinite(curve.getData()[1]).sum() > 300, timeout=WAIT_MS)
    _x, y = curve.getData()
    assert y is not y_before
    assert np.nanmedian(y) == pytest.approx((200.0 - floor) / (400.0 - floor) * top, rel=0.02)


def test_settings_dialog_switches_to_narrowband_and_recomputes(qtbot, window) -> None:
    view = window.stack.spectrogram
    wait_for_picture(qtbot, window)
    assert view.plan.window_samples == 158
    window.actions_.spectrogram_settings.trigger()
    dialog = window.findChild(SpectrogramSettingsDialog)
    assert dialog is not None and dialog.isVisible()
    QTest.mouseClick(dialog.narrowband, Qt.MouseButton.LeftButton)
    assert dialog.window_length.value() == pytest.approx(30.0)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    QTest.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert window.settings.spectrogram.window_length == pytest.approx(0.030)
    assert view.plan.window_samples == 958  # 2 x 30 ms at 16 kHz, Praat's rule
    wait_for_picture(qtbot, window)
    picture = view.image.image
    assert picture is not None and picture.shape[1] == view.plan.num_bands == 320


def test_a_bad_pitch_range_keeps_the_dialog_open_with_one_line(qtbot, window) -> None:
    window.actions_.spectrogram_settings.trigger()
    dialog = window.findChild(SpectrogramSettingsDialog)
    assert dialog is not None
    box = dialog.pitch_floor
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, "900")
    QTest.keyClick(box, Qt.Key.Key_Return)  # commits the value and presses OK
    assert dialog.isVisible() and dialog.error.isVisible()
    assert "floor" in dialog.error.text() and "\n" not in dialog.error.text()
    assert window.settings.prosody.pitch_floor == 75.0  # nothing stored
    QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel),
                     Qt.MouseButton.LeftButton)  # fmt: skip
    assert not dialog.isVisible()


def test_hover_reads_time_frequency_and_db_and_a_click_sets_the_frequency_cursor(
    qtbot, window
) -> None:
    view = window.stack.spectrogram
    wait_for_picture(qtbot, window)
    pos = view_pixel(view, 4.0, 600.0)
    QTest.mouseMove(view.viewport(), pos)
    qtbot.waitUntil(lambda: view.readout.isVisible(), timeout=WAIT_MS)
    text = view.readout.text()
    assert " s " in text and "Hz" in text and "dB" in text
    seconds = float(text.split(" s")[0])
    assert seconds == pytest.approx(4.0, abs=0.05)
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos
    )
    assert view.frequency_cursor.isVisible()
    assert view.frequency_cursor.value() == pytest.approx(600.0, abs=40.0)
    assert window.model.cursor() == pytest.approx(4.0, abs=0.05)
    QTest.mouseMove(window.stack.waveform.viewport(), QPoint(200, 40))
    qtbot.waitUntil(lambda: not view.readout.isVisible(), timeout=WAIT_MS)


def test_the_spectrogram_hides_from_the_view_menu_and_the_choice_persists(qtbot, window) -> None:
    action = window.actions_.panels["spectrogram"]
    action.trigger()
    assert window.stack.spectrogram.isHidden()
    assert not window.settings.view_visible("spectrogram")
    action.trigger()
    assert not window.stack.spectrogram.isHidden()


def test_a_splitter_layout_saved_before_the_spectrogram_is_not_misapplied(qtbot, window) -> None:
    stack = window.stack
    state = stack.state()
    assert saved_count(state) == stack.count() == 5
    data = bytearray(bytes(state.data()))
    data[8:12] = (4).to_bytes(4, "big")  # what a four-view layout declares
    before = stack.sizes()
    stack.restore(QByteArray(bytes(data)))
    assert stack.sizes() == before
    assert saved_count(QByteArray(b"\x00")) is None
