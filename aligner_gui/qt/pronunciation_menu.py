"""The Alignment menu's pronunciation choices: the dictionary phone models align with, the
transcripts' language (shown by name, stored as its ISO 639-3 code), and the list of the words
whose pronunciation G2P guessed, as dictionary lines to copy into the user's dictionary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aligner_gui.core.corpus.g2p_words import G2P_DICTIONARY_NAME, dictionary_text, plural
from aligner_gui.core.pronunciation.dictionary import dictionary_lines
from aligner_gui.core.pronunciation.languages import DEFAULT_LANGUAGE, LANGUAGES, language_name
from aligner_gui.qt import dialogs

if TYPE_CHECKING:
    from aligner_gui.core.document.provenance import Provenance
    from aligner_gui.qt.main_window import MainWindow

DICTIONARY_FILTER = "Pronunciation dictionaries (*.dict *.txt *.lex *.dic);;All files (*)"
NO_DICTIONARY = "&None (G2P pronounces every word)"
NO_LANGUAGE = "&Not set"


class PronunciationMenus:
    """Builds the submenus into ``menu`` (the Alignment menu); rebuilt each time they open, so
    that they always show the settings as they are."""

    def __init__(self, window: MainWindow, menu: QMenu) -> None:
        self.window = window
        self.dictionary_menu = menu.addMenu("Pronunciation &dictionary")
        self.dictionary_menu.aboutToShow.connect(self.fill_dictionaries)
        self.language_menu = menu.addMenu("&Language")
        self.language_menu.aboutToShow.connect(self.fill_languages)
        self.guessed = QAction("Words &not in the dictionary…", window)
        self.guessed.triggered.connect(lambda _=False: self.show_guessed())
        menu.addAction(self.guessed)
        self.dictionaries = QActionGroup(window)
        self.languages = QActionGroup(window)
        self.fill_dictionaries()
        self.fill_languages()

    def fill_dictionaries(self) -> None:
        menu = self.dictionary_menu
        menu.clear()
        _empty(self.dictionaries)
        current = self.window.settings.dictionary_path
        self._choice(menu, self.dictionaries, NO_DICTIONARY, current is None,
                     lambda: self.set_dictionary(None))  # fmt: skip
        if current is not None:
            action = self._choice(menu, self.dictionaries, current.name, True, lambda: None)
            action.setToolTip(str(current))
        menu.addSeparator()
        menu.addAction("&Choose dictionary file…", self.choose_dictionary)

    def fill_languages(self) -> None:
        menu = self.language_menu
        menu.clear()
        _empty(self.languages)
        current = self.window.settings.language
        self._choice(menu, self.languages, NO_LANGUAGE, current is None,
                     lambda: self.set_language(None))  # fmt: skip
        menu.addSeparator()
        for lang in sorted(LANGUAGES.values(), key=lambda lang: lang.name):
            action = self._choice(menu, self.languages, f"{lang.name} ({lang.code})",
                                  lang.code == current,
                                  lambda c=lang.code: self.set_language(c))  # fmt: skip
            action.setData(lang.code)

    def _choice(self, menu: QMenu, group: QActionGroup, text: str, checked: bool, slot) -> QAction:
        action = QAction(text, self.window)
        action.setCheckable(True)
        action.setChecked(checked)
        action.triggered.connect(lambda _=False: slot())
        group.addAction(action)
        menu.addAction(action)
        return action

    # -- slots -------------------------------------------------------------------------------------

    def choose_dictionary(self) -> None:
        settings = self.window.settings
        current = settings.dictionary_path
        start = current.parent if current is not None else settings.last_directory
        path = dialogs.ask_open_path(self.window, "Choose a pronunciation dictionary", start,
                                     DICTIONARY_FILTER)  # fmt: skip
        if path is not None:
            self.set_dictionary(path)

    def set_dictionary(self, path) -> None:
        self.window.settings.dictionary_path = path
        what = "none (G2P pronounces every word)" if path is None else path.name
        self.window.show_status(
            f"Pronunciation dictionary: {what}. Phone models use it at the next alignment."
        )

    def set_language(self, code: str | None) -> None:
        self.window.settings.language = code
        name = "not set" if code is None else f"{language_name(code)} ({code})"
        self.window.show_status(f"Language: {name}. It applies at the next alignment.")

    def show_guessed(self) -> None:
        doc = self.window.model.document
        if doc is None or not doc.provenance.guessed:
            self.window.show_status("No word of this alignment was pronounced by G2P.")
            return
        dialog = GuessedWordsDialog.for_document(doc.provenance, self.window)
        dialog.exec()


class GuessedWordsDialog(QDialog):
    """Words G2P pronounced, as lines of an MFA dictionary, with a button to copy them."""

    def __init__(self, intro_text: str, lines: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Words not in the dictionary")
        intro = QLabel(intro_text)
        intro.setWordWrap(True)
        self.text = QPlainTextEdit(lines)
        self.text.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy to clipboard")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(480, 320)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
        self.copy_button.setText("Copied")

    @classmethod
    def for_document(cls, info: Provenance, parent: QWidget | None = None) -> GuessedWordsDialog:
        """The open alignment's G2P words."""
        name = language_name(info.language or DEFAULT_LANGUAGE)
        count = plural(len({g.word for g in info.guessed}), "word")
        intro = (
            f"{count} had no pronunciation in the dictionary; "
            f"espeak-ng ({name}) guessed these, in the model's phones. {_ADVICE}"
        )
        return cls(intro, dictionary_lines((g.word, g.phones) for g in info.guessed), parent)

    @classmethod
    def for_corpus(
        cls, rows: list[tuple[str, tuple[str, ...], int, int]], parent: QWidget | None = None
    ) -> GuessedWordsDialog:
        """A corpus's G2P words (``CorpusDatabase.guessed``), the most said first."""
        count = plural(len({word for word, *_ in rows}), "word")
        intro = (
            f"{count} of the corpus had no pronunciation in the dictionary; espeak-ng guessed "
            f"these, in the model's phones, the most said first (also in {G2P_DICTIONARY_NAME} "
            f"in the output folder). {_ADVICE}"
        )
        return cls(intro, dictionary_text(rows), parent)


_ADVICE = "Check them and add them to your dictionary (MFA's format: word, a tab, the phones)."


def _empty(group: QActionGroup) -> None:
    for action in group.actions():
        group.removeAction(action)
