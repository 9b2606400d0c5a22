"""The main window's actions and menus, built in one place; slots live on the window."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

from aligner_gui.core.models.model import BUNDLES, DEFAULT_MODEL

if TYPE_CHECKING:
    from aligner_gui.qt.main_window import MainWindow

DEVICES = ("auto", "cpu", "cuda")
DEMO_MODEL = "demo"
PANEL_TITLES = {
    "waveform": "&Waveform",
    "emission": "&Emissions",
    "trellis": "&Trellis",
    "tiers": "T&iers",
}


class Actions:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        w = window
        bar = w.menuBar()

        # -- File ---------------------------------------------------------------------------------
        file_menu = bar.addMenu("&File")
        self.open_align = self._add(file_menu, "&Open audio + transcript…", w.ask_open_alignment,
                                    QKeySequence.StandardKey.Open)  # fmt: skip
        self.open_textgrid = self._add(file_menu, "Open audio + &TextGrid…", w.ask_open_textgrid,
                                       "Ctrl+Shift+O")  # fmt: skip
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        self.save = self._add(file_menu, "&Save", w.save, QKeySequence.StandardKey.Save)
        self.save_as = self._add(file_menu, "Save &as…", w.save_as, QKeySequence.StandardKey.SaveAs)
        self.export = self._add(file_menu, "&Export TextGrid…", w.export_textgrid, "Ctrl+E")
        file_menu.addSeparator()
        self.quit = self._add(file_menu, "&Quit", w.close, QKeySequence.StandardKey.Quit)

        # -- Edit ---------------------------------------------------------------------------------
        edit_menu = bar.addMenu("&Edit")
        stack = w.model.undo_stack
        self.undo = stack.createUndoAction(w, "&Undo")
        self.undo.setShortcuts(QKeySequence.StandardKey.Undo)
        self.redo = stack.createRedoAction(w, "&Redo")
        # Every platform binding (setShortcut would keep only the first: Ctrl+Y, not Ctrl+Shift+Z).
        self.redo.setShortcuts(QKeySequence.StandardKey.Redo)
        for action in (self.undo, self.redo):
            edit_menu.addAction(action)
            w.addAction(action)
        edit_menu.addSeparator()
        self.edit_label = self._add(edit_menu, "Edit &label…", w.edit_selected_label, "F2")
        self.insert_boundary = self._add(edit_menu, "&Insert boundary at cursor",
                                         w.insert_boundary_at_cursor, "Return")  # fmt: skip
        self.remove_boundary = self._add(edit_menu, "&Remove boundary at cursor",
                                         w.remove_boundary_at_cursor, "Backspace")  # fmt: skip
        self.delete_word = self._add(edit_menu, "&Delete word", w.delete_selected,
                                     QKeySequence.StandardKey.Delete)  # fmt: skip
        self.insert_word = self._add(edit_menu, "Insert &word at cursor…", w.insert_word_at_cursor,
                                     "Ctrl+I")  # fmt: skip

        # -- View ---------------------------------------------------------------------------------
        view_menu = bar.addMenu("&View")
        self.panels: dict[str, QAction] = {}
        for name, title in PANEL_TITLES.items():
            action = QAction(title, w)
            action.setCheckable(True)
            action.setChecked(w.settings.view_visible(name))
            action.toggled.connect(lambda on, n=name: w.set_panel_visible(n, on))
            view_menu.addAction(action)
            self.panels[name] = action
        view_menu.addSeparator()
        stack_ = w.stack
        self.zoom_in = self._add(view_menu, "Zoom &in", lambda: stack_.zoom(1.5, w.cursor_time()),
                                 ["+", "=", QKeySequence.StandardKey.ZoomIn])  # fmt: skip
        self.zoom_out = self._add(view_menu, "Zoom &out",
                                  lambda: stack_.zoom(1 / 1.5, w.cursor_time()),
                                  ["-", QKeySequence.StandardKey.ZoomOut])  # fmt: skip
        self.zoom_fit = self._add(view_menu, "Zoom to &fit", stack_.zoom_to_fit, ["Home", "Ctrl+0"])
        self.zoom_selection = self._add(view_menu, "Zoom to &selection", w.zoom_to_selection,
                                        "Ctrl+Shift+F")  # fmt: skip
        self.pan_left = self._add(view_menu, "Pan &left", lambda: stack_.pan(-0.25), "Left")
        self.pan_right = self._add(view_menu, "Pan &right", lambda: stack_.pan(0.25), "Right")
        view_menu.addSeparator()
        theme_menu = view_menu.addMenu("T&heme")
        self.themes = QActionGroup(w)
        for theme in ("system", "light", "dark"):
            action = QAction(theme.capitalize(), w)
            action.setCheckable(True)
            action.setChecked(w.settings.theme == theme)
            action.triggered.connect(lambda _=False, t=theme: w.set_theme(t))
            self.themes.addAction(action)
            theme_menu.addAction(action)

        # -- Alignment ----------------------------------------------------------------------------
        align_menu = bar.addMenu("&Alignment")
        self.model_menu = align_menu.addMenu("&Model")
        self.models = QActionGroup(w)
        self.model_menu.aboutToShow.connect(self._fill_models)
        self._fill_models()
        device_menu = align_menu.addMenu("&Device")
        self.devices = QActionGroup(w)
        for device in DEVICES:
            action = QAction(device, w)
            action.setCheckable(True)
            action.setChecked(w.settings.device == device)
            action.triggered.connect(lambda _=False, d=device: w.set_device(d))
            self.devices.addAction(action)
            device_menu.addAction(action)
        align_menu.addSeparator()
        self.align = self._add(align_menu, "&Align / Re-align", w.realign, "Ctrl+R")
        self.cancel = self._add(align_menu, "&Cancel", w.cancel_job, "Escape")
        self.cancel.setEnabled(False)

        # -- Playback -----------------------------------------------------------------------------
        play_menu = bar.addMenu("&Playback")
        self.play = self._add(play_menu, "&Play / stop", w.toggle_play, "Space")
        self.play_visible = self._add(
            play_menu, "Play &visible range", w.play_visible, "Shift+Space"
        )
        self.stop = self._add(play_menu, "&Stop", w.stop_playback)
        self.playback_actions = [self.play, self.play_visible, self.stop]

        # -- Help ---------------------------------------------------------------------------------
        help_menu = bar.addMenu("&Help")
        self.about = self._add(help_menu, "&About aligner-gui", w.show_about)

        self.document_actions = [
            self.save, self.save_as, self.export, self.edit_label, self.insert_boundary,
            self.remove_boundary, self.delete_word, self.insert_word, self.zoom_in, self.zoom_out,
            self.zoom_fit, self.zoom_selection, self.pan_left, self.pan_right,
        ]  # fmt: skip

    def _add(self, menu: QMenu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            keys = shortcut if isinstance(shortcut, list) else [shortcut]
            sequences: list[QKeySequence] = []
            for key in keys:
                if isinstance(key, QKeySequence.StandardKey):
                    sequences += QKeySequence.keyBindings(key)
                else:
                    sequences.append(QKeySequence(key))
            action.setShortcuts(sequences)
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        self.window.addAction(action)  # shortcuts work with the menu bar hidden too
        return action

    def _fill_recent(self) -> None:
        menu = self.recent_menu
        menu.clear()
        files = self.window.settings.recent_files
        for path in files:
            action = menu.addAction(path.name)
            action.setToolTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.window.open_files([p]))
        if not files:
            menu.addAction("(none)").setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction("Clear list", self.window.settings.clear_recent_files)

    def _fill_models(self) -> None:
        menu = self.model_menu
        menu.clear()
        for action in self.models.actions():
            self.models.removeAction(action)
        current = self.window.settings.model_name
        names = [*BUNDLES, DEMO_MODEL]
        if current not in names:
            names.append(current)
        for name in names:
            spec = BUNDLES.get(name)
            text = name if spec is None else f"{name} — {spec.description}"
            if spec is None and name != DEMO_MODEL:
                text = f"{Path(name).name} (local checkpoint)"
            elif name == DEMO_MODEL:
                text = "demo — the small model shipped with aligner-gui"
            if name == DEFAULT_MODEL:
                text += " (default)"
            action = QAction(text, self.window)
            action.setCheckable(True)
            action.setChecked(name == current)
            action.setToolTip(name)
            action.triggered.connect(lambda _=False, n=name: self.window.set_model(n))
            self.models.addAction(action)
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction("&Browse local checkpoint…", self.window.browse_checkpoint)

    def set_document_open(self, is_open: bool) -> None:
        for action in self.document_actions:
            action.setEnabled(is_open)
