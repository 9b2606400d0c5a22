"""Relabelling a phone: a line edit in a font that shows the IPA (typing "tʃ" or "ə" works with
any keyboard layout or input method that produces them), and a fallback picker: the IPA symbols
by category, each button inserting its symbol at the cursor."""

from __future__ import annotations

import re
import unicodedata

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aligner_gui.qt.views.ipa_font import ipa_font

# Tiers whose labels are phones (as named by MFA, WebMAUS, Praat users): they get this dialog.
PHONE_TIER_NAME = re.compile(r"phon|segment|ipa", re.IGNORECASE)
COMBINING_BASE = "◌"  # shown under a combining diacritic on its button, never inserted

IPA_SYMBOLS: tuple[tuple[str, str], ...] = (
    ("Vowels", "i y ɨ ʉ ɯ u ɪ ʏ ʊ e ø ɘ ɵ ɤ o ə ɛ œ ɜ ɞ ʌ ɔ æ ɐ a ɶ ɑ ɒ ɚ ɝ"),
    ("Plosives and affricates", "p b t d ʈ ɖ c ɟ k ɡ q ɢ ʔ tʃ dʒ ts dz tɕ dʑ"),
    ("Nasals", "m ɱ n ɳ ɲ ŋ ɴ"),
    ("Fricatives", "ɸ β f v θ ð s z ʃ ʒ ʂ ʐ ɕ ʑ ç ʝ x ɣ χ ʁ ħ ʕ h ɦ"),
    ("Approximants, taps, trills, laterals", "ʋ ɹ ɻ j ɰ w ɥ ʍ l ɭ ʎ ʟ ɫ ɾ ɽ r ʀ ʙ ɬ ɮ"),
    ("Length, stress, diacritics", "ː ˑ ˈ ˌ ʰ ʷ ʲ ˠ ˤ \u0303 \u0329 \u0325 \u032a \u031a"),
)


def is_phone_tier(name: str) -> bool:
    return bool(PHONE_TIER_NAME.search(name))


def button_text(symbol: str) -> str:
    """A combining diacritic alone would sit on nothing: shown on a dotted circle."""
    return COMBINING_BASE + symbol if len(symbol) == 1 and _combining(symbol) else symbol


def _combining(ch: str) -> bool:

    return unicodedata.combining(ch) != 0


class PhoneLabelDialog(QDialog):
    """Asks for a label; the picker's buttons insert at the line edit's cursor."""

    COLUMNS = 12

    def __init__(self, parent: QWidget | None, title: str, prompt: str, text: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.edit = QLineEdit(text)
        self.edit.setFont(ipa_font(self.edit.font()))
        self.edit.selectAll()
        self.symbol_buttons: dict[str, QToolButton] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt))
        layout.addWidget(self.edit)
        font = ipa_font(self.font())
        for category, symbols in IPA_SYMBOLS:
            box = QGroupBox(category)
            grid = QGridLayout(box)
            grid.setSpacing(2)
            for k, symbol in enumerate(symbols.split(" ")):
                button = QToolButton()
                button.setText(button_text(symbol))
                button.setToolTip(f"Insert “{symbol}” (U+{ord(symbol[0]):04X})")
                button.setFont(font)
                # Clicks must leave the keyboard (and the cursor) in the line edit.
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                button.setAutoRaise(True)
                button.clicked.connect(lambda _=False, s=symbol: self.insert(s))
                grid.addWidget(button, k // self.COLUMNS, k % self.COLUMNS)
                self.symbol_buttons[symbol] = button
            layout.addWidget(box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.edit.setFocus()

    def insert(self, symbol: str) -> None:
        self.edit.insert(symbol)  # replaces the selection, like typing
        self.edit.setFocus()

    def text(self) -> str:
        return self.edit.text()


def ask_phone_label(parent: QWidget | None, title: str, prompt: str, text: str) -> str | None:
    """A phone's new label, or None when cancelled."""
    dialog = PhoneLabelDialog(parent, title, prompt, text)
    return dialog.text() if dialog.exec() == QDialog.DialogCode.Accepted else None
