"""The editor's dialogs: errors, questions, label input, the two "open" dialogs and About.

Every modal interaction goes through a function of this module so that tests can replace it
(monkeypatch) instead of having to click through a real modal dialog.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aligner_gui import __version__

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".opus", ".mp3", ".aiff", ".aif", ".raw", ".pcm")
TRANSCRIPT_SUFFIXES = (".txt", ".lab")
TEXTGRID_SUFFIXES = (".textgrid",)
AUDIO_FILTER = "Audio (" + " ".join(f"*{s}" for s in AUDIO_SUFFIXES) + ");;All files (*)"
TRANSCRIPT_FILTER = "Transcripts (*.txt *.lab);;All files (*)"
TEXTGRID_FILTER = "Praat TextGrid (*.TextGrid *.textgrid);;All files (*)"


def show_error(parent: QWidget | None, message: str, title: str = "aligner-gui") -> None:
    """The engine's one-sentence message in a modal box; the window stays usable afterwards."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


DEMO_MODEL_NOTE = (
    "The built-in models were trained on synthetic speech only (the phone model, demo, on "
    "espeak-ng, Flite and Festival voices; demo-letters on espeak-ng). The phone model places "
    "word edges about 20 ms from hand labels on short, clear English recordings, but it hears "
    "real voices poorly: check its output, and prefer a model trained on real speech for your "
    "data when you can download one."
)


def offer_demo_model(parent: QWidget | None, message: str) -> bool:
    """After a failed model download: True if the user explicitly chooses the demo model."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Model not available", message,
                      QMessageBox.StandardButton.Cancel, parent)  # fmt: skip
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(DEMO_MODEL_NOTE)
    use_demo = box.addButton("Use the demo model", QMessageBox.ButtonRole.AcceptRole)
    box.exec()
    return box.clickedButton() is use_demo


def ask_save_changes(parent: QWidget | None, name: str) -> str:
    """ "save", "discard" or "cancel" for a document with unsaved changes."""
    buttons = (
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel
    )
    answer = QMessageBox.question(
        parent,
        "Unsaved changes",
        f"“{name}” has unsaved changes. Save them first?",
        buttons,
        QMessageBox.StandardButton.Save,
    )
    if answer == QMessageBox.StandardButton.Save:
        return "save"
    if answer == QMessageBox.StandardButton.Discard:
        return "discard"
    return "cancel"


def ask_replace_edited(parent: QWidget | None, name: str) -> str:
    """ "save", "discard" or "cancel": a finished job would replace a document edited meanwhile."""
    box = QMessageBox(QMessageBox.Icon.Question, "Replace the edited document?",
                      f"“{name}” was edited while the job ran. The new result replaces it: "
                      "save your edits first?", QMessageBox.StandardButton.NoButton, parent)  # fmt: skip
    box.setTextFormat(Qt.TextFormat.PlainText)
    save = box.addButton("Save, then replace", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Replace without saving", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep my edits", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.exec()
    clicked = box.clickedButton()
    return "save" if clicked is save else "discard" if clicked is discard else "cancel"


def ask_restore(parent: QWidget | None, summary: str) -> str:
    """ "restore", "discard" or "later" for work an editor left behind when it stopped."""
    box = QMessageBox(QMessageBox.Icon.Question, "Restore unsaved work?",
                      "aligner-gui stopped before this work was saved. Restore it?",
                      QMessageBox.StandardButton.NoButton, parent)  # fmt: skip
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(summary)
    restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore)
    box.exec()
    clicked = box.clickedButton()
    return "restore" if clicked is restore else "discard" if clicked is discard else "later"


def ask_text(parent: QWidget | None, title: str, prompt: str, text: str) -> str | None:
    """One line of text, or None when cancelled."""
    value, ok = QInputDialog.getText(parent, title, prompt, QLineEdit.EchoMode.Normal, text)
    return value if ok else None


def ask_export_path(
    parent: QWidget | None, title: str, start: Path | None, filters: str
) -> tuple[Path, str] | None:
    """The chosen file and the filter (format) chosen with it, or None."""
    name, chosen = QFileDialog.getSaveFileName(parent, title, _start_dir(start), filters)
    return (Path(name), chosen) if name else None


def ask_save_path(
    parent: QWidget | None, title: str, start: Path | None, filters: str
) -> Path | None:
    chosen = ask_export_path(parent, title, start, filters)
    return None if chosen is None else chosen[0]


def ask_open_path(
    parent: QWidget | None, title: str, start: Path | None, filters: str
) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, title, _start_dir(start), filters)
    return Path(name) if name else None


def _start_dir(start: Path | None) -> str:
    return "" if start is None else str(start)


def sibling_with_suffix(path: Path, suffixes: tuple[str, ...]) -> Path | None:
    """A file beside ``path`` with the same stem and one of ``suffixes`` (any letter case)."""
    if not path.parent.is_dir():
        return None
    wanted = {s.lower() for s in suffixes}
    for candidate in sorted(path.parent.iterdir()):
        if candidate.stem == path.stem and candidate.suffix.lower() in wanted and candidate != path:
            return candidate
    return None


class PairDialog(QDialog):
    """Pick a file and its companion, audio always first (audio + transcript, audio + TextGrid).

    Choosing the first file fills in a same-named companion when one exists beside it. One of
    the two may be optional (the audio of a TextGrid: ``first_optional``).
    """

    def __init__(self, parent: QWidget | None, title: str, first: tuple[str, str],
                 second: tuple[str, str], companion_suffixes: tuple[str, ...],
                 second_optional: bool, start: Path | None, *,
                 first_optional: bool = False) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(title)
        self._start = start
        self._suffixes = companion_suffixes
        self._optional = second_optional
        self._first_optional = first_optional
        self.first_edit = QLineEdit()
        self.second_edit = QLineEdit()
        form = QFormLayout()
        form.addRow(first[0], self._row(self.first_edit, first[1], self._first_chosen))
        form.addRow(second[0], self._row(self.second_edit, second[1], None))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.first_edit.textChanged.connect(self._validate)
        self.second_edit.textChanged.connect(self._validate)
        self.resize(560, self.sizeHint().height())
        self._validate()

    def _row(self, edit: QLineEdit, filters: str, on_chosen) -> QWidget:
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(edit, 1)
        button = QPushButton("Browse…")
        box.addWidget(button)

        def browse() -> None:
            here = Path(edit.text()).parent if edit.text() else self._start
            chosen = ask_open_path(self, "Choose a file", here, filters)
            if chosen is not None:
                edit.setText(str(chosen))
                if on_chosen is not None:
                    on_chosen(chosen)

        button.clicked.connect(browse)
        return row

    def _first_chosen(self, path: Path) -> None:
        if not self.second_edit.text():
            companion = sibling_with_suffix(path, self._suffixes)
            if companion is not None:
                self.second_edit.setText(str(companion))

    def _validate(self) -> None:
        first, second = self.first_edit.text(), self.second_edit.text()
        ok = (Path(first).is_file() or (self._first_optional and not first)) and (
            (self._optional and not second) or Path(second).is_file()
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def paths(self) -> tuple[Path, Path | None]:
        """(first, second); an empty optional first file is ``Path("")`` (see first_edit)."""
        second = self.second_edit.text()
        return Path(self.first_edit.text()), (Path(second) if second else None)


def ask_audio_and_transcript(
    parent: QWidget | None, start: Path | None
) -> tuple[Path, Path] | None:
    dialog = PairDialog(parent, "Open audio + transcript", ("Audio:", AUDIO_FILTER),
                        ("Transcript:", TRANSCRIPT_FILTER), TRANSCRIPT_SUFFIXES, False, start)  # fmt: skip
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    audio, transcript = dialog.paths()
    return (audio, transcript) if transcript is not None else None


def ask_textgrid_and_audio(
    parent: QWidget | None, start: Path | None
) -> tuple[Path, Path | None] | None:
    """(TextGrid, audio or None), asked as the menu says: audio first, then the TextGrid."""
    dialog = PairDialog(parent, "Open audio + TextGrid", ("Audio (optional):", AUDIO_FILTER),
                        ("TextGrid:", TEXTGRID_FILTER), TEXTGRID_SUFFIXES, False, start,
                        first_optional=True)  # fmt: skip
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    audio, textgrid = dialog.paths()
    if textgrid is None:
        return None
    return textgrid, (audio if dialog.first_edit.text() else None)


def package_version(name: str) -> str:
    """Installed version of distribution ``name`` without importing it (torch is slow to import)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def about_text(model: str, device: str) -> str:
    import pyqtgraph
    import PySide6

    rows = [
        ("aligner-gui", __version__),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("pyqtgraph", pyqtgraph.__version__),
        ("torch", package_version("torch")),
        ("torchaudio", package_version("torchaudio")),
        ("Model", model),
        ("Device", device),
        ("Licence", "MIT"),
    ]
    table = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in rows)
    return (
        "<h3>aligner-gui</h3><p>A CTC forced-alignment editor: align a transcript to a recording, "
        f"inspect, hear and correct the boundaries, export Praat TextGrids.</p><table>{table}</table>"
    )


def show_about(parent: QWidget | None, model: str, device: str) -> None:
    box = QMessageBox(parent)
    box.setWindowTitle("About aligner-gui")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text(model, device))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()
