"""The editor's main window: wiring between the document model, the views, the background worker,
the player and the settings. The document's life (open, save, autosave, recover, close and the
"save first?" questions) belongs to ``session.py``; the window shows its busy state and messages.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aligner_gui.core.base.timebase import seconds_to_sample
from aligner_gui.qt import dialogs
from aligner_gui.qt.actions import Actions
from aligner_gui.qt.autosave import default_recovery_folder
from aligner_gui.qt.corpus_actions import CorpusActions
from aligner_gui.qt.corpus_controller import CorpusController
from aligner_gui.qt.corpus_find import FindPanel
from aligner_gui.qt.document_model import DocumentModel
from aligner_gui.qt.play_bars import PlayBars
from aligner_gui.qt.playback import Player
from aligner_gui.qt.session import Session
from aligner_gui.qt.settings import Settings
from aligner_gui.qt.shortcuts_dialog import ShortcutsDialog
from aligner_gui.qt.spectrogram_settings import apply_to_view
from aligner_gui.qt.start_page import StartPage
from aligner_gui.qt.theme import apply_theme_setting
from aligner_gui.qt.tier_commands import TierCommands
from aligner_gui.qt.transport import TransportBar, selection_text
from aligner_gui.qt.view_stack import ViewStack
from aligner_gui.qt.views.colors import theme_from_palette
from aligner_gui.qt.views.tier_view import TierView
from aligner_gui.qt.worker import AlignmentController

APP_NAME = "aligner-gui"
# Settings has no typed entry for the splitter yet; kept under its own key beside the others.
SPLITTER_KEY = "layout/view_splitter"
STATUS_TIMEOUT_MS = 8000


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings, parent: QWidget | None = None,
                 recovery_folder: Path | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.settings = settings
        self.model = DocumentModel(self)
        self.controller = AlignmentController(self)
        self.player = Player(self)
        self.stack = ViewStack(self.model, self)
        self.play_bars = PlayBars(self.model, self.stack.x_range, self.stack.plot_span_in)
        self.pages = QStackedWidget()
        self.editor_page = self._with_play_bars(self.stack, self.play_bars)
        self.pages.addWidget(self.editor_page)
        self.setCentralWidget(self.pages)
        folder = recovery_folder or settings.recovery_folder or default_recovery_folder()
        self.session = Session(settings, self.model, self.controller, self, folder)
        self.tier_commands = TierCommands(self)
        self.tier_menu: QMenu | None = None  # the Tier menu last opened on a tier's name
        self.shortcuts_dialog: ShortcutsDialog | None = None
        self.actions_ = Actions(self)
        self.corpus = CorpusController(self)
        self.find_panel = FindPanel(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.find_panel)
        self.corpus_actions = CorpusActions(self)
        self.start_page = StartPage(self)  # after the actions: it offers some of them
        self.pages.insertWidget(0, self.start_page)
        self.pages.setCurrentWidget(self.start_page)
        self.transport = TransportBar(self)
        self.addToolBar(self.transport)
        self._build_status_bar()
        self.setAcceptDrops(True)
        self.resize(1200, 800)

        self.model.modifiedChanged.connect(self.setWindowModified)
        self.model.documentReset.connect(self._on_document_reset)
        self.model.selectionChanged.connect(self._on_selection_changed)
        self.model.tierChanged.connect(self._on_tier_changed)
        self.session.busyChanged.connect(self.set_busy)
        self.session.statusMessage.connect(self.show_status)
        self.session.titleChanged.connect(self.update_title)
        self.stack.playRequested.connect(self.play_span)
        self.play_bars.playRequested.connect(self.play_span)
        self.stack.waveform.time_box.sigXRangeChanged.connect(self.play_bars.update)
        self.model.time_selection.changed.connect(self._show_time_selection)
        self.player.positionChanged.connect(self._on_play_position)
        self.stack.editRefused.connect(self.show_status)
        self.stack.tierMenuRequested.connect(self.tier_commands.show_tier_menu)
        self.player.stopped.connect(lambda: self.stack.set_playhead(None))
        self.controller.stageChanged.connect(self._on_stage)
        self.controller.progressChanged.connect(self._on_progress)

        for name, action in self.actions_.panels.items():
            self.stack.set_panel_visible(name, action.isChecked())
        apply_to_view(self.stack.spectrogram, self.settings)
        self._restore_layout()
        self.actions_.set_document_open(False)
        self.update_title()
        # Probing the sound device loads PortAudio: after the window is up, not before.
        QTimer.singleShot(0, self._check_playback)

    # -- layout and status -----------------------------------------------------------------------

    @staticmethod
    def _with_play_bars(stack: ViewStack, bars: PlayBars) -> QWidget:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(stack, 1)
        layout.addWidget(bars)
        return central

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.selection_label = QLabel(selection_text(None))
        bar.addPermanentWidget(self.selection_label)
        self.stage_label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.clicked.connect(self.cancel_job)
        self.cancel_button.hide()
        bar.addPermanentWidget(self.stage_label)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)

    def _restore_layout(self) -> None:
        geometry = self.settings.window_geometry
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.window_state
        if state is not None:
            self.restoreState(state)
        value = self.settings.store.value(SPLITTER_KEY)
        self.stack.restore(value if isinstance(value, QByteArray) and not value.isEmpty() else None)

    def _save_layout(self) -> None:
        self.settings.window_geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.settings.store.setValue(SPLITTER_KEY, self.stack.state())
        self.settings.sync()

    def show_status(self, message: str, timeout: int = STATUS_TIMEOUT_MS) -> None:
        self.statusBar().showMessage(message, timeout)

    def update_title(self) -> None:
        parts = [self.session.display_name(), self.corpus.title(), APP_NAME]
        title = " — ".join(p for p in parts if p)
        # Qt puts the modified mark where "[*]" is: after the document's name, if any.
        self.setWindowTitle(title.replace(" — ", "[*] — ", 1) if parts[0] else f"{title}[*]")
        self.setWindowModified(self.model.is_modified())

    def set_panel_visible(self, name: str, visible: bool) -> None:
        self.stack.set_panel_visible(name, visible)
        self.settings.set_view_visible(name, visible)

    def set_theme(self, theme: str) -> None:
        self.settings.theme = theme
        apply_theme_setting(theme)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.stack.apply_theme(theme_from_palette(self.palette()))
        super().changeEvent(event)

    # -- background jobs -------------------------------------------------------------------------

    def set_busy(self, busy: bool) -> None:
        if busy:
            self.player.stop()
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.actions_.cancel.setEnabled(busy)
        self.actions_.align.setEnabled(not busy)
        if busy:
            self.progress.setValue(0)
        else:
            self.stage_label.setText("")

    def _on_stage(self, stage: str) -> None:
        self.stage_label.setText(stage)

    def _on_progress(self, stage: str, fraction: float) -> None:
        self.stage_label.setText(stage)
        self.progress.setValue(int(round(1000 * fraction)))

    def cancel_job(self) -> None:
        if self.controller.is_running():
            self.stage_label.setText("Cancelling…")
            self.controller.cancel()
        elif self.player.is_playing():
            self.player.stop()

    # -- alignment settings ----------------------------------------------------------------------

    def set_model(self, name: str) -> None:
        self.settings.model_name = name
        self.show_status(f"Model: {name}. Use Alignment > Align to re-align with it.")

    def set_device(self, device: str) -> None:
        self.settings.device = device
        self.show_status(f"Device: {device}.")

    def browse_checkpoint(self) -> None:
        path = dialogs.ask_open_path(self, "Choose a model checkpoint", self.settings.last_directory,
                                     "Checkpoints (*.pt *.pth *.ckpt);;All files (*)")  # fmt: skip
        if path is not None:
            self.set_model(str(path))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if urls and all(url.isLocalFile() for url in urls):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        event.acceptProposedAction()
        if len(paths) == 1 and paths[0].is_dir():  # a folder is a corpus
            self.corpus.open_corpus(paths[0])
        else:
            self.session.open_files(paths)

    def closeEvent(self, event: QCloseEvent) -> None:
        # A corpus file is saved without asking, as when moving to the next file.
        if not self.corpus.save_current() or not self.session.close():
            event.ignore()
            return
        self.corpus.close_corpus()  # remembers where the user was, stops the background work
        self._save_layout()
        self.player.stop()
        self.player.close()
        self.stack.detach()
        event.accept()

    # -- document state ----------------------------------------------------------------------------

    def _on_document_reset(self) -> None:
        doc = self.model.document
        self.actions_.set_document_open(doc is not None)
        if doc is None:
            self.start_page.refresh()
        self.pages.setCurrentWidget(self.editor_page if doc is not None else self.start_page)
        self.update_title()
        if doc is not None and doc.audio is None:
            self.show_status("No audio: playback and the waveform need the recording.")

    def _on_selection_changed(self, tier: str, index: int) -> None:
        self._show_selection()

    def _on_tier_changed(self, tier: str, _kind: str, _index: int) -> None:
        # A relabel, split or undo changes what the selected item is: the status bar follows.
        selection = self.model.selection()
        if selection is not None and selection[0] == tier:
            self._show_selection()

    def _show_selection(self) -> None:
        text = self.model.describe_selection()
        if text is not None:
            self.show_status(text)

    # -- editing at the cursor / selection -------------------------------------------------------
    # What each key does is decided by core.document.editing through the model; here the
    # refusals become status-bar messages.

    def cursor_time(self) -> float | None:
        return self.model.cursor()

    def active_tier_view(self) -> TierView | None:
        """The view of the tier the keys act on (the selection's, else the one last clicked)."""
        name = self.model.acting_tier()
        return None if name is None else self.stack.tiers.view(name)

    def _edit(self, command: Callable[[], object]) -> bool:
        try:
            return bool(command())
        except ValueError as err:
            self.show_status(str(err))
            return False

    def edit_selected_label(self) -> None:
        selection = self.model.selection()
        view = self.active_tier_view()
        if selection is None or view is None:
            self.show_status("Select an item to relabel first.")
            return
        view.edit_label(selection[1])

    def delete_selected(self) -> None:
        self._edit(self.model.delete_selected)

    def insert_boundary_at_cursor(self) -> None:
        self._edit(self.model.insert_at_cursor)

    def remove_boundary_at_cursor(self) -> None:
        view = self.active_tier_view()
        if view is not None:
            tolerance = view.grab_tolerance()
            self._edit(lambda: self.model.remove_at_cursor(tolerance))

    def insert_word_at_cursor(self) -> None:
        def ask() -> str | None:
            return dialogs.ask_text(self, "Insert word", "New word:", "")

        self._edit(lambda: self.model.insert_word_at_cursor(ask))

    def zoom_to_selection(self) -> None:
        span = self.model.time_selection.span()
        if span is None:
            self.show_status("Select a time range or a word to zoom to first.")
        else:
            self.stack.zoom_to(*span)

    def zoom_back(self) -> None:
        if not self.stack.zoom_back():
            self.show_status("No earlier zoom to go back to.")

    def _show_time_selection(self) -> None:
        self.selection_label.setText(selection_text(self.model.time_selection.span()))

    # -- playback --------------------------------------------------------------------------------

    def _check_playback(self) -> None:
        available = self.player.available
        for action in self.actions_.playback_actions:
            action.setEnabled(available)
        if not available:
            self.show_status(self.player.unavailable_reason, 0)

    def _on_play_position(self, seconds: float) -> None:
        self.stack.set_playhead(seconds)
        self.stack.follow(seconds)

    def _playable(self) -> bool:
        doc = self.model.document
        if doc is None or doc.audio is None:
            self.show_status("Nothing to play: no audio is loaded.")
            return False
        if not self.player.available:
            self.show_status(self.player.unavailable_reason)
            for action in self.actions_.playback_actions:
                action.setEnabled(False)
            return False
        return True

    def play_span(self, start: float, end: float) -> None:
        """Play exactly [start, end) of the audio (samples nearest to the two times)."""
        doc = self.model.document
        if not self._playable() or doc is None or doc.audio is None:
            return
        audio = doc.audio
        rate = audio.sample_rate
        first, last = seconds_to_sample(start, rate), seconds_to_sample(end, rate)
        self.player.play(audio.samples, rate, first, last, loop=self.actions_.loop.isChecked())

    def toggle_play(self) -> None:
        if self.player.is_playing():
            self.player.stop()
            return
        span = self.model.time_selection.span()
        if span is None:
            doc = self.model.document
            cursor = self.cursor_time()
            end = self.stack.x_range()[1] if doc is None else doc.duration
            span = (cursor if cursor is not None else self.stack.x_range()[0], end)
        self.play_span(*span)

    def play_visible(self) -> None:
        doc = self.model.document
        if doc is None:
            return
        t0, t1 = self.stack.x_range()
        self.play_span(max(0.0, t0), min(doc.duration, t1))

    def play_all(self) -> None:
        self.play_span(0.0, self.stack.duration())

    def stop_playback(self) -> None:
        self.player.stop()

    # -- help ------------------------------------------------------------------------------------

    def show_shortcuts(self) -> None:
        """Every shortcut, read from the actions now (one dialog, refreshed at each opening)."""
        if self.shortcuts_dialog is None:
            self.shortcuts_dialog = ShortcutsDialog(self)
        self.shortcuts_dialog.refresh()
        self.shortcuts_dialog.show()
        self.shortcuts_dialog.raise_()

    def show_about(self) -> None:
        dialogs.show_about(self, self.settings.model_name, self.settings.device)
