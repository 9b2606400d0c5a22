"""Selections and listening on the real main window, as in Praat: drag in the waveform to select,
Shift+click to extend, Shift+drag to pan; Tab, the play bars and loop hand exactly the right
samples to the sound stream (the ALSA null device of tests/conftest.py); zoom to the selection
and back."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from aligner_gui.core.base.timebase import seconds_to_sample
from aligner_gui.qt.main_window import MainWindow
from aligner_gui.qt.playback import Player
from aligner_gui.qt.transport import clock_text

from gui_helpers import RATE, many_words_document, mouse_click, mouse_drag, shown_window, view_pixel

pytestmark = pytest.mark.gui
DURATION = 4.0
WORDS = 8  # 0.5 s each


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    yield from shown_window(qtbot, tmp_path, monkeypatch, many_words_document(WORDS, DURATION))


class Tap:
    """Records every block the player's callback hands to the stream; ``pace`` makes the null
    device (which swallows frames at once) keep real time, for what must last a while."""

    def __init__(self, player: Player, pace: bool = False) -> None:
        assert player._stream is None, "wrap the callback before the stream is opened"
        self.blocks: list[np.ndarray] = []
        self._inner = player._callback
        self._pace = pace
        player._callback = self  # type: ignore[method-assign,assignment]

    def __call__(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        try:
            self._inner(outdata, frames, time_info, status)
        finally:
            self.blocks.append(outdata[:, 0].copy())
            if self._pace:
                time.sleep(frames / RATE)

    def written(self) -> np.ndarray:
        return np.concatenate(self.blocks) if self.blocks else np.zeros(0, np.float32)

    def clear(self) -> None:
        self.blocks = []


def samples_of(win: MainWindow, start: float, end: float) -> np.ndarray:
    audio = win.model.document.audio
    return audio.samples[seconds_to_sample(start, RATE) : seconds_to_sample(end, RATE)]


def press_key(win: MainWindow, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    if QApplication.activeWindow() is not win:
        win.activateWindow()
        assert QTest.qWaitForWindowActive(win)
    QTest.keyClick(QApplication.focusWidget() or win, key, modifier)


def drag_with(view, start: QPoint, end: QPoint, button: Qt.MouseButton,
              modifiers: Qt.KeyboardModifier, steps: int = 10) -> None:  # fmt: skip
    """A press-move-release carrying ``modifiers`` on every event (QTest.mouseMove sends none)."""
    viewport = view.viewport()

    def send(kind: QEvent.Type, pos: QPoint, buttons: Qt.MouseButton) -> None:
        event = QMouseEvent(kind, QPointF(pos), QPointF(viewport.mapToGlobal(pos)), button,
                            buttons, modifiers)  # fmt: skip
        QApplication.sendEvent(viewport, event)

    send(QEvent.Type.MouseButtonPress, start, button)
    for k in range(1, steps + 1):
        x = start.x() + round((end.x() - start.x()) * k / steps)
        send(QEvent.Type.MouseMove, QPoint(x, start.y()), button)
        QTest.qWait(5)
    send(QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)


def play_and_wait(qtbot: Any, win: MainWindow, trigger) -> list[float]:
    with (
        qtbot.waitSignal(win.player.stopped, timeout=10_000),
        qtbot.waitSignal(win.player.started, timeout=2000) as started,
    ):
        trigger()
    return started.args


def pixel_tolerance(win: MainWindow) -> float:
    return 2 * win.stack.waveform.view_box.viewPixelSize()[0]


# -- selecting ----------------------------------------------------------------------------------


def test_dragging_in_the_waveform_selects_a_range_shown_everywhere(
    qtbot: Any, window: MainWindow
) -> None:
    wave = window.stack.waveform
    before = window.stack.x_range()
    mouse_drag(wave, view_pixel(wave, 1.0, 0.0), view_pixel(wave, 2.5, 0.0))
    span = window.model.time_selection.span()
    assert span == pytest.approx((1.0, 2.5), abs=pixel_tolerance(window))
    assert window.stack.x_range() == pytest.approx(before)  # a plain drag no longer pans
    assert window.model.selection() is None  # a free range, not a word
    for view in window.stack.views():
        assert view.selection_region.isVisible(), view.title
        assert view.selection_region.getRegion() == pytest.approx(span)
    duration = f"{span[1] - span[0]:.3f} s"
    assert window.selection_label.text().startswith(f"Selection {duration}")
    assert window.play_bars.bar("selection").duration == pytest.approx(span[1] - span[0])
    # Dragging right to left selects the same way; a click drops the selection.
    mouse_drag(wave, view_pixel(wave, 3.0, 0.0), view_pixel(wave, 2.0, 0.0))
    assert window.model.time_selection.span() == pytest.approx(
        (2.0, 3.0), abs=pixel_tolerance(window)
    )
    mouse_click(wave, view_pixel(wave, 0.7, 0.0))
    assert window.model.time_selection.span() is None
    assert not wave.selection_region.isVisible()
    assert window.model.cursor() == pytest.approx(0.7, abs=pixel_tolerance(window))
    assert window.selection_label.text() == "No selection"
    assert window.transport.clock.text() == clock_text(window.model.cursor())


def test_dragging_in_the_spectrogram_selects_and_tab_plays_exactly_that(
    qtbot: Any, window: MainWindow
) -> None:
    player = window.player
    assert player.available, player.unavailable_reason
    tap = Tap(player)
    spec = window.stack.spectrogram
    assert spec.isVisible()
    before = window.stack.x_range()
    mouse_drag(spec, view_pixel(spec, 0.6, 1000.0), view_pixel(spec, 1.7, 1000.0))
    start, end = window.model.time_selection.span()
    assert (start, end) == pytest.approx((0.6, 1.7), abs=pixel_tolerance(window))
    assert window.stack.x_range() == pytest.approx(before)  # selected, not panned
    assert window.stack.waveform.selection_region.getRegion() == pytest.approx((start, end))
    spec.setFocus()
    play_and_wait(qtbot, window, lambda: press_key(window, Qt.Key.Key_Tab))
    expected = samples_of(window, start, end)
    written = tap.written()
    np.testing.assert_array_equal(written[: expected.size], expected)
    assert not written[expected.size :].any()


def test_shift_click_extends_the_selection_and_shift_drag_pans(
    qtbot: Any, window: MainWindow
) -> None:
    wave = window.stack.waveform
    tol = pixel_tolerance(window)
    shift = Qt.KeyboardModifier.ShiftModifier
    left = Qt.MouseButton.LeftButton
    # No selection: from the cursor to the Shift+click.
    mouse_click(wave, view_pixel(wave, 1.0, 0.0))
    QTest.mouseClick(wave.viewport(), left, shift, view_pixel(wave, 2.0, 0.0))
    assert window.model.time_selection.span() == pytest.approx((1.0, 2.0), abs=tol)
    # The nearer edge moves: the end, then the start.
    QTest.mouseClick(wave.viewport(), left, shift, view_pixel(wave, 3.2, 0.0))
    assert window.model.time_selection.span() == pytest.approx((1.0, 3.2), abs=tol)
    QTest.mouseClick(wave.viewport(), left, shift, view_pixel(wave, 0.5, 0.0))
    assert window.model.time_selection.span() == pytest.approx((0.5, 3.2), abs=tol)
    # A word's span extended by Shift+click is a free range: the word is no longer selected.
    words = window.stack.tiers.view("words")
    mouse_click(words, view_pixel(words, 1.25, 0.5))
    assert window.model.selection() == ("words", 2)
    assert window.model.time_selection.span() == pytest.approx((1.0, 1.5))
    QTest.mouseClick(wave.viewport(), left, shift, view_pixel(wave, 2.2, 0.0))
    assert window.model.time_selection.span() == pytest.approx((1.0, 2.2), abs=tol)
    assert window.model.selection() is None

    # Shift+drag and middle-drag pan (by the distance dragged) and leave the selection alone.
    window.stack.set_x_range(1.0, 3.0)
    selected = window.model.time_selection.span()
    for button, modifiers in (
        (left, shift),
        (Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier),
    ):
        t0, t1 = window.stack.x_range()
        drag_with(wave, view_pixel(wave, 2.5, 0.0), view_pixel(wave, 2.0, 0.0), button, modifiers)
        moved = window.stack.x_range()
        assert moved == pytest.approx((t0 + 0.5, t1 + 0.5), abs=tol)
        assert window.model.time_selection.span() == selected


def test_shift_click_in_a_tier_selects_a_run_of_words_and_tab_plays_it(
    qtbot: Any, window: MainWindow
) -> None:
    tap = Tap(window.player)
    words = window.stack.tiers.view("words")
    shift = Qt.KeyboardModifier.ShiftModifier
    with qtbot.waitSignal(window.player.stopped, timeout=5000):
        mouse_click(words, view_pixel(words, 0.75, 0.5))  # word 1, [0.5, 1.0): selected, played
    QTest.mouseClick(
        words.viewport(), Qt.MouseButton.LeftButton, shift, view_pixel(words, 1.7, 0.5)
    )
    assert window.model.time_selection.span() == pytest.approx((0.5, 2.0))  # words 1 to 3
    QTest.mouseClick(
        words.viewport(), Qt.MouseButton.LeftButton, shift, view_pixel(words, 0.2, 0.5)
    )
    assert window.model.time_selection.span() == pytest.approx((0.0, 2.0))
    assert window.model.selection() is None
    tap.clear()
    args = play_and_wait(qtbot, window, lambda: press_key(window, Qt.Key.Key_Tab))
    assert args == [0.0, 2.0]
    np.testing.assert_array_equal(tap.written()[: 2 * RATE], samples_of(window, 0.0, 2.0))


def test_tiers_keep_panning_with_a_plain_drag(qtbot: Any, window: MainWindow) -> None:
    window.stack.set_x_range(0.0, 2.0)  # 4 boundaries in view, none under the drag
    words = window.stack.tiers.view("words")
    mouse_drag(words, view_pixel(words, 1.3, 0.5), view_pixel(words, 1.1, 0.5))
    assert window.stack.x_range() == pytest.approx((0.2, 2.2), abs=pixel_tolerance(window))
    assert window.model.time_selection.span() is None


# -- listening ----------------------------------------------------------------------------------


def test_tab_plays_the_selection_exactly_and_keeps_the_focus(
    qtbot: Any, window: MainWindow
) -> None:
    player = window.player
    assert player.available, player.unavailable_reason
    tap = Tap(player)
    wave = window.stack.waveform
    mouse_drag(wave, view_pixel(wave, 1.1, 0.0), view_pixel(wave, 1.9, 0.0))
    start, end = window.model.time_selection.span()
    wave.setFocus()
    assert QApplication.focusWidget() is wave
    args = play_and_wait(qtbot, window, lambda: press_key(window, Qt.Key.Key_Tab))
    assert args == [seconds_to_sample(start, RATE) / RATE, seconds_to_sample(end, RATE) / RATE]
    expected = samples_of(window, start, end)
    written = tap.written()
    np.testing.assert_array_equal(written[: expected.size], expected)
    assert not written[expected.size :].any()  # then only the callback's zero padding
    assert QApplication.focusWidget() is wave  # Tab played; it did not move the focus

    # Shift+Tab plays the visible window (Praat's "Play window").
    window.stack.set_x_range(0.5, 1.5)
    tap.clear()
    args = play_and_wait(
        qtbot,
        window,
        lambda: press_key(window, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier),
    )
    assert args == [pytest.approx(0.5), pytest.approx(1.5)]
    np.testing.assert_array_equal(tap.written()[:RATE], samples_of(window, 0.5, 1.5))
    assert QApplication.focusWidget() is wave


def test_tab_stops_what_plays(qtbot: Any, window: MainWindow) -> None:
    Tap(window.player, pace=True)
    with qtbot.waitSignal(window.player.started, timeout=2000):
        press_key(window, Qt.Key.Key_Tab)  # no selection: from the cursor (0) to the end
    assert window.player.is_playing()
    # The toolbar clock runs with what is heard.
    qtbot.waitUntil(lambda: window.transport.clock.text() >= "0:00.300", timeout=3000)
    with qtbot.waitSignal(window.player.stopped, timeout=1000):
        press_key(window, Qt.Key.Key_Tab)
    assert not window.player.is_playing()
    assert window.transport.clock.text() == clock_text(0.0)  # back to the cursor


def test_each_play_bar_plays_its_part(qtbot: Any, window: MainWindow) -> None:
    tap = Tap(window.player)
    window.stack.set_x_range(0.5, 3.0)
    wave = window.stack.waveform
    mouse_drag(wave, view_pixel(wave, 1.0, 0.0), view_pixel(wave, 2.0, 0.0))
    s0, s1 = window.model.time_selection.span()
    t0, t1 = window.stack.x_range()
    bars = window.play_bars
    expected = {
        "before": (t0, s0),
        "selection": (s0, s1),
        "after": (s1, t1),
        "visible": (t0, t1),
        "total": (0.0, DURATION),
    }
    # Laid out to scale under the signal: the selection's bar starts under its first pixel.
    wave_x = wave.viewport().mapTo(window, view_pixel(wave, s0, 0.0)).x()
    bar_x = bars.mapTo(window, bars.bar("selection").rect.topLeft().toPoint()).x()
    assert abs(wave_x - bar_x) <= 2
    for name, (a, b) in expected.items():
        bar = bars.bar(name)
        assert (bar.start, bar.end) == pytest.approx((a, b))
        tap.clear()
        click_at = bar.rect.center().toPoint()
        args = play_and_wait(
            qtbot,
            window,
            lambda p=click_at: QTest.mouseClick(
                bars, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p
            ),
        )
        assert args == [seconds_to_sample(a, RATE) / RATE, seconds_to_sample(b, RATE) / RATE], name
        part = samples_of(window, a, b)
        np.testing.assert_array_equal(tap.written()[: part.size], part, err_msg=name)
    # Without a selection the first row splits at the cursor.
    window.stack.set_x_range(0.5, 3.0)  # playing the whole file paged the view on
    t0, t1 = window.stack.x_range()
    mouse_click(wave, view_pixel(wave, 1.5, 0.0))
    cursor = window.model.cursor()
    assert (bars.bar("before").start, bars.bar("before").end) == pytest.approx((t0, cursor))
    assert bars.bar("selection").duration == 0.0
    assert (bars.bar("after").start, bars.bar("after").end) == pytest.approx((cursor, t1))


def test_loop_repeats_the_selection_without_a_gap_until_stopped(
    qtbot: Any, window: MainWindow
) -> None:
    tap = Tap(window.player, pace=True)
    words = window.stack.tiers.view("words")
    window.actions_.loop.setChecked(True)
    with qtbot.waitSignal(window.player.started, timeout=2000):
        mouse_click(words, view_pixel(words, 0.25, 0.5))  # selects and plays word 0, [0, 0.5)
    word = samples_of(window, 0.0, 0.5)
    qtbot.waitUntil(lambda: tap.written().size > 2.5 * word.size, timeout=5000)
    assert window.player.is_playing() and window.player.is_looping()
    with qtbot.waitSignal(window.player.stopped, timeout=1000):
        press_key(window, Qt.Key.Key_Space)
    written = tap.written()
    turns = written.size // word.size
    assert turns >= 2
    np.testing.assert_array_equal(written[: turns * word.size], np.tile(word, turns))
    # Loop off: the same click plays the word once.
    window.actions_.loop.setChecked(False)
    tap.clear()
    play_and_wait(qtbot, window, lambda: mouse_click(words, view_pixel(words, 0.25, 0.5)))
    assert np.count_nonzero(tap.written()) == np.count_nonzero(word)


# -- zooming ------------------------------------------------------------------------------------


def test_zoom_to_selection_and_back_through_the_history(qtbot: Any, window: MainWindow) -> None:
    stack = window.stack
    assert stack.x_range() == pytest.approx((0.0, DURATION))
    press_key(window, Qt.Key.Key_Plus)  # zoom in around the cursor (0)
    zoomed = stack.x_range()
    assert zoomed[1] - zoomed[0] == pytest.approx(DURATION / 1.5)
    wave = stack.waveform
    mouse_drag(wave, view_pixel(wave, 0.6, 0.0), view_pixel(wave, 1.0, 0.0))
    s0, s1 = window.model.time_selection.span()
    press_key(
        window,
        Qt.Key.Key_F,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    t0, t1 = stack.x_range()
    assert t0 < s0 < s1 < t1 and (t1 - t0) == pytest.approx(1.2 * (s1 - s0))
    press_key(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)  # zoom back
    assert stack.x_range() == pytest.approx(zoomed)
    press_key(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert stack.x_range() == pytest.approx((0.0, DURATION))
    press_key(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)  # nothing left
    assert stack.x_range() == pytest.approx((0.0, DURATION))
    assert window.statusBar().currentMessage() == "No earlier zoom to go back to."
    # Home fits all and can be undone too; the toolbar's "bak" is the same action.
    stack.set_x_range(1.0, 2.0)
    press_key(window, Qt.Key.Key_Home)
    assert stack.x_range() == pytest.approx((0.0, DURATION))
    back = next(a for a in window.transport.actions() if a.text() == "bak")
    back.trigger()
    assert stack.x_range() == pytest.approx((1.0, 2.0))
