"""The Corpus menu and its keys (File > Open corpus lives here too, next to its kin)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from aligner_gui.qt.main_window import MainWindow


class CorpusActions:
    def __init__(self, window: MainWindow) -> None:
        w, corpus, find = window, window.corpus, window.find_panel
        add = w.actions_._add
        bar = w.menuBar()
        help_menu = next(a for a in bar.actions() if a.text() == "&Help")
        menu = bar.addMenu("&Corpus")
        bar.insertMenu(help_menu, menu)
        self.open = add(menu, "&Open corpus folder…", corpus.ask_open_corpus)
        self.close = add(menu, "&Close corpus", corpus.close_corpus)
        menu.addSeparator()
        self.next_file = add(menu, "&Next file", lambda: corpus.step_file(1), "Ctrl+PgDown")
        self.previous_file = add(menu, "&Previous file", lambda: corpus.step_file(-1), "Ctrl+PgUp")
        self.mark_reviewed = add(menu, "Mark &reviewed", corpus.mark_reviewed, "Ctrl+Return")
        menu.addSeparator()
        self.next_suspect = add(menu, "Next &suspect", corpus.next_suspect, "Ctrl+J")
        self.previous_suspect = add(menu, "Pre&vious suspect", corpus.previous_suspect,
                                    "Ctrl+Shift+J")  # fmt: skip
        menu.addSeparator()
        self.find = add(menu, "&Find…", find.start, "Ctrl+F")
        self.find_next = add(menu, "Find ne&xt", lambda: find.step(1), "F3")
        self.find_previous = add(menu, "Find previo&us", lambda: find.step(-1), "Shift+F3")
        menu.addSeparator()
        self.align_all = add(menu, "&Align all", corpus.batch.align_all)
        self.align_selected = add(menu, "Align s&elected", corpus.batch.align_selected)
        self.cancel = add(menu, "Cancel corpus a&lignment", corpus.batch.cancel_batch)
        self.export = add(menu, "E&xport corpus TextGrids", corpus.batch.export_corpus)
        self.guessed = add(menu, "&Words not in the dictionary…", corpus.batch.show_guessed)
        # A setting of the next batch, kept across sessions: enabled with no corpus open too.
        self.second_opinion = QAction("Second &opinion for the review queue", w)
        menu.addAction(self.second_opinion)
        self.second_opinion.setCheckable(True)
        self.second_opinion.setChecked(w.settings.second_opinion)
        self.second_opinion.setToolTip(
            "Align each file with a second model too (the other built-in model, for demo and "
            "demo-letters) and rank the review queue by both; alignment takes about twice as long."
        )
        self.second_opinion.toggled.connect(lambda on: setattr(w.settings, "second_opinion", on))
        self.corpus_actions: list[QAction] = [
            self.close, self.next_file, self.previous_file, self.mark_reviewed, self.next_suspect,
            self.previous_suspect, self.align_all, self.align_selected, self.cancel, self.export,
            self.guessed,
        ]  # fmt: skip
        corpus.opened.connect(lambda: self.set_corpus_open(True))
        corpus.closed.connect(lambda: self.set_corpus_open(False))
        self.set_corpus_open(False)
        file_menu = cast(QMenu, next(a for a in bar.actions() if a.text() == "&File").menu())
        file_menu.insertAction(w.actions_.recent_menu.menuAction(), self.open)

    def set_corpus_open(self, is_open: bool) -> None:
        for action in self.corpus_actions:
            action.setEnabled(is_open)
