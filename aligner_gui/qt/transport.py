"""The transport toolbar: play, stop, loop, Praat's zoom buttons (all, in, out, sel, bak) and a
clock showing the time being heard (or the cursor when nothing plays)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QToolBar

if TYPE_CHECKING:
    from aligner_gui.qt.main_window import MainWindow


def clock_text(seconds: float) -> str:
    minutes, rest = divmod(max(0.0, seconds), 60.0)
    return f"{int(minutes)}:{rest:06.3f}"


def selection_text(span: tuple[float, float] | None) -> str:
    """The selection for the status bar and the toolbar: its duration first, then its ends."""
    if span is None:
        return "No selection"
    start, end = span
    return f"Selection {end - start:.3f} s ({start:.3f}–{end:.3f})"


class TransportBar(QToolBar):
    def __init__(self, window: MainWindow) -> None:
        super().__init__("Transport", window)
        self.setObjectName("transport")  # saveState/restoreState find it by name
        self._window = window
        actions = window.actions_
        for action in (actions.play, actions.stop, actions.loop, actions.play_visible,
                       actions.play_all):  # fmt: skip
            self.addAction(action)
        self.addSeparator()
        zoom_buttons = (
            (actions.zoom_fit, "all"),
            (actions.zoom_in, "in"),
            (actions.zoom_out, "out"),
            (actions.zoom_selection, "sel"),
            (actions.zoom_back, "bak"),
        )
        for action, text in zoom_buttons:  # Praat's short names, the menu keeps the long ones
            button = self.addAction(text)
            button.setToolTip(f"{action.text().replace('&', '')} ({action.shortcut().toString()})")
            button.triggered.connect(action.trigger)
            action.changed.connect(lambda b=button, a=action: b.setEnabled(a.isEnabled()))
            button.setEnabled(action.isEnabled())
        self.addSeparator()
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.clock = QLabel(clock_text(0.0))
        self.clock.setFont(fixed)
        self.clock.setToolTip("The time being heard; the cursor when nothing plays")
        self.addWidget(self.clock)
        model = window.model
        model.cursorMoved.connect(self._on_cursor)
        window.player.positionChanged.connect(self.show_time)
        window.player.stopped.connect(lambda: self.show_time(model.cursor()))

    def show_time(self, seconds: float) -> None:
        self.clock.setText(clock_text(seconds))

    def _on_cursor(self, seconds: float) -> None:
        if not self._window.player.is_playing():
            self.show_time(seconds)
