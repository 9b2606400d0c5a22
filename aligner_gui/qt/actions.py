"""The main window's actions and menus, built in one place; slots live on the window."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

from aligner_gui.core.models.model import (
    BUNDLES,
    DEFAULT_MODEL,
    SHIPPED_MODELS,
    shipped_model_path,
)
from aligner_gui.qt import spectrogram_settings
from aligner_gui.qt.pronunciation_menu import PronunciationMenus

if TYPE_CHECKING:
    from aligner_gui.qt.main_window import MainWindow

DEVICES = ("auto", "cpu", "cuda")
PANEL_TITLES = {
    "waveform": "&Waveform",
    "spectrogram": "S&pectrogram",
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
        session = w.session
        self.open_align = self._add(file_menu, "&Open audio + transcript…", session.ask_open_alignment,
                                    QKeySequence.StandardKey.Open)  # fmt: skip
        self.open_textgrid = self._add(file_menu, "Open audio + &TextGrid…", session.ask_open_textgrid,
                                       "Ctrl+Shift+O")  # fmt: skip
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        self.save = self._add(file_menu, "&Save", session.save, QKeySequence.StandardKey.Save)
        self.save_as = self._add(
            file_menu, "Save &as…", session.save_as, QKeySequence.StandardKey.SaveAs
        )
        self.export = self._add(file_menu, "&Export TextGrid…", session.export_textgrid, "Ctrl+E")
        file_menu.addSeparator()
        # Some platforms (Windows, offscreen) bind nothing to the standard Quit key: Ctrl+Q always.
        self.quit = self._add(
            file_menu, "&Quit", w.close, [QKeySequence.StandardKey.Quit, "Ctrl+Q"]
        )

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
        edit_menu.addSeparator()
        tc = w.tier_commands
        # Praat's Boundary → "Move to nearest zero crossing" (which has no key there).
        self.snap_zero = self._add(edit_menu, "Move boundary to nearest &zero crossing",
                                   tc.snap_to_zero_crossing, "0")  # fmt: skip
        self.boundary_to_cursor = self._add(edit_menu, "Move nearest &boundary to cursor",
                                            tc.move_boundary_to_cursor, "Ctrl+M")  # fmt: skip
        self.cursor_to_boundary = self._add(edit_menu, "Move &cursor to nearest boundary",
                                            tc.move_cursor_to_nearest_boundary,
                                            "Ctrl+Shift+M")  # fmt: skip
        self.always_snap = QAction("&Always put boundaries on zero crossings", w)
        self.always_snap.setCheckable(True)
        self.always_snap.setChecked(w.settings.snap_to_zero_crossings)
        self.always_snap.toggled.connect(tc.set_always_snap)
        edit_menu.addAction(self.always_snap)

        # -- Tier ---------------------------------------------------------------------------------
        tier_menu = bar.addMenu("&Tier")
        self.add_interval_tier = self._add(tier_menu, "Add &interval tier…",
                                           lambda: tc.add_tier(point=False))  # fmt: skip
        self.add_point_tier = self._add(tier_menu, "Add &point tier…",
                                        lambda: tc.add_tier(point=True))  # fmt: skip
        self.rename_tier = self._add(tier_menu, "&Rename tier…", tc.rename_tier)
        self.duplicate_tier = self._add(tier_menu, "D&uplicate tier…", tc.duplicate_tier)
        # Not Ctrl+Alt+arrows: desktops switch workspaces with them.
        self.move_tier_up = self._add(tier_menu, "Move tier &up", lambda: tc.move_tier(-1),
                                      "Ctrl+Shift+Up")  # fmt: skip
        self.move_tier_down = self._add(tier_menu, "Move tier &down", lambda: tc.move_tier(1),
                                        "Ctrl+Shift+Down")  # fmt: skip
        tier_menu.addSeparator()
        self.delete_tier = self._add(tier_menu, "&Delete tier", tc.delete_tier)
        self.tier_actions = [
            self.add_interval_tier, self.add_point_tier, self.rename_tier, self.duplicate_tier,
            self.move_tier_up, self.move_tier_down, self.delete_tier,
        ]  # fmt: skip

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
        self.curves: dict[str, QAction] = {}
        for kind, title in (("pitch", "Show pitc&h"), ("intensity", "Show i&ntensity")):
            action = QAction(title, w)
            action.setCheckable(True)
            action.setChecked(w.settings.curve_visible(kind))
            action.toggled.connect(
                lambda on, k=kind: spectrogram_settings.set_curve_visible(w, k, on)
            )
            view_menu.addAction(action)
            self.curves[kind] = action
        self.spectrogram_settings = self._add(view_menu, "Spectrogram settin&gs…",
                                              lambda: spectrogram_settings.open_dialog(w))  # fmt: skip
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
        self.zoom_back = self._add(view_menu, "Zoom &back", w.zoom_back, "Ctrl+B")  # as in Praat
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
        self.pronunciation = PronunciationMenus(w, align_menu)
        align_menu.addSeparator()
        self.align = self._add(align_menu, "&Align / Re-align", w.session.realign, "Ctrl+R")
        self.cancel = self._add(align_menu, "&Cancel", w.cancel_job, "Escape")
        self.cancel.setEnabled(False)

        # -- Playback -----------------------------------------------------------------------------
        play_menu = bar.addMenu("&Playback")
        # Tab and Shift+Tab are Praat's keys for these two ("Play or stop", "Play window").
        self.play = self._add(play_menu, "&Play / stop", w.toggle_play, ["Space", "Tab"])
        self.play_visible = self._add(play_menu, "Play &visible range", w.play_visible,
                                      ["Shift+Space", "Shift+Tab"])  # fmt: skip
        self.play_all = self._add(play_menu, "Play the &whole file", w.play_all)
        self.stop = self._add(play_menu, "&Stop", w.stop_playback)
        self.loop = QAction("&Loop", w)
        self.loop.setCheckable(True)
        self.loop.setToolTip("Repeat what is played until stopped")
        play_menu.addAction(self.loop)
        self.playback_actions = [self.play, self.play_visible, self.play_all, self.stop]

        # -- Help ---------------------------------------------------------------------------------
        help_menu = bar.addMenu("&Help")
        self.shortcuts = self._add(help_menu, "&Keyboard shortcuts", w.show_shortcuts,
                                   QKeySequence.StandardKey.HelpContents)  # fmt: skip
        self.about = self._add(help_menu, "&About aligner-gui", w.show_about)

        self.document_actions = [
            self.save, self.save_as, self.export, self.edit_label, self.insert_boundary,
            self.remove_boundary, self.delete_word, self.insert_word, self.zoom_in, self.zoom_out,
            self.zoom_fit, self.zoom_selection, self.zoom_back, self.pan_left, self.pan_right,
            self.snap_zero, self.boundary_to_cursor, self.cursor_to_boundary, *self.tier_actions,
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
            unique = {sequence.toString(): sequence for sequence in sequences}
            action.setShortcuts(list(unique.values()))
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
            action.triggered.connect(lambda _=False, p=path: self.window.session.open_files([p]))
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
        names = [*BUNDLES, *SHIPPED_MODELS]
        if current not in names:
            names.append(current)
        for name in names:
            spec = BUNDLES.get(name)
            text = name if spec is None else f"{name} — {spec.description}"
            tooltip = name
            missing = False
            if name in SHIPPED_MODELS:
                text = f"{name} — {SHIPPED_MODELS[name][1]}"
                path = shipped_model_path(name)
                # Not every install has every shipped model: say so rather than fail on aligning.
                if not path.is_file():
                    missing = True
                    text += " (not installed)"
                    tooltip = f"The {name} model is not installed (expected at {path})."
            elif spec is None:
                text = f"{Path(name).name} (local checkpoint)"
            if name == DEFAULT_MODEL:
                text += " (default)"
            action = QAction(text, self.window)
            action.setCheckable(True)
            action.setChecked(name == current)
            action.setEnabled(not missing or name == current)
            action.setToolTip(tooltip)
            action.triggered.connect(lambda _=False, n=name: self.window.set_model(n))
            self.models.addAction(action)
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction("&Browse local checkpoint…", self.window.browse_checkpoint)

    def set_document_open(self, is_open: bool) -> None:
        for action in self.document_actions:
            action.setEnabled(is_open)
