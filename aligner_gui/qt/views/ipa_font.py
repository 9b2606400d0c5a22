"""A font that shows the IPA: phone labels such as "ʃ", "ɝ" or "tʃ" must not become boxes.

Qt substitutes a font per missing glyph, but not always with one that has it (and then draws
empty boxes), so rows and fields that show phones ask for a family known to cover the IPA
Extensions block, when the machine has one; otherwise the application's font is kept.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QGuiApplication

# Families covering IPA Extensions, best first (the SIL fonts are made for phonetics).
IPA_FAMILIES = ("Charis SIL", "Doulos SIL", "Gentium Plus", "Noto Sans", "DejaVu Sans",
                "Segoe UI", "Lucida Sans Unicode", "Arial Unicode MS")  # fmt: skip
IPA_PROBE = "əɪʊʃʒθðŋɹɾʔɛæɑɔɝɚː"  # characters a phone inventory is sure to use


def covers_ipa(font: QFont) -> bool:
    metrics = QFontMetrics(font)
    return all(metrics.inFontUcs4(ord(ch)) for ch in IPA_PROBE)


@cache
def ipa_family() -> str | None:
    """The first installed family of IPA_FAMILIES that has every probe character, or None."""
    installed = set(QFontDatabase.families())
    for family in IPA_FAMILIES:
        if family in installed and covers_ipa(QFont(family)):
            return family
    return None


def ipa_font(base: QFont | None = None) -> QFont:
    """``base`` (default: the application's font) in an IPA family, same size and weight."""
    font = QFont(base if base is not None else QGuiApplication.font())
    family = ipa_family()
    if family is not None and not covers_ipa(font):
        font.setFamily(family)
    return font
