"""Languages by ISO 639-3 code: the name shown to users, and each tool's own code for it.

``espeak`` is the espeak-ng voice for G2P, ``num2words`` the number-spelling language, and the
ISO 639-3 code itself is what uroman takes. A tool without the language gets None.
"""

from __future__ import annotations

from dataclasses import dataclass

from aligner_gui.core.base.errors import AlignerError


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-3
    name: str
    espeak: str | None
    num2words: str | None


_TABLE = (
    ("eng", "English", "en-us", "en"),
    ("deu", "German", "de", "de"),
    ("spa", "Spanish", "es", "es"),
    ("fra", "French", "fr-fr", "fr"),
    ("ita", "Italian", "it", "it"),
    ("por", "Portuguese", "pt", "pt"),
    ("nld", "Dutch", "nl", "nl"),
    ("rus", "Russian", "ru", "ru"),
    ("ukr", "Ukrainian", "uk", "uk"),
    ("bel", "Belarusian", "be", "be"),
    ("pol", "Polish", "pl", "pl"),
    ("ces", "Czech", "cs", "cs"),
    ("slk", "Slovak", "sk", "sk"),
    ("slv", "Slovenian", "sl", "sl"),
    ("srp", "Serbian", "sr", "sr"),
    ("hun", "Hungarian", "hu", "hu"),
    ("ron", "Romanian", "ro", "ro"),
    ("swe", "Swedish", "sv", "sv"),
    ("nob", "Norwegian Bokmål", "nb", "no"),
    ("dan", "Danish", "da", "da"),
    ("fin", "Finnish", "fi", "fi"),
    ("isl", "Icelandic", "is", "is"),
    ("lit", "Lithuanian", "lt", "lt"),
    ("lav", "Latvian", "lv", "lv"),
    ("ell", "Greek", "el", None),
    ("tur", "Turkish", "tr", "tr"),
    ("aze", "Azerbaijani", "az", "az"),
    ("kaz", "Kazakh", "kk", "kz"),
    ("ara", "Arabic", "ar", "ar"),
    ("heb", "Hebrew", "he", "he"),
    ("fas", "Persian", "fa", "fa"),
    ("hin", "Hindi", "hi", None),
    ("ben", "Bengali", "bn", "bn"),
    ("tel", "Telugu", "te", "te"),
    ("kan", "Kannada", "kn", "kn"),
    ("tam", "Tamil", "ta", None),
    ("urd", "Urdu", "ur", None),
    ("amh", "Amharic", "am", "am"),
    ("swh", "Swahili", "sw", None),
    ("ind", "Indonesian", "id", "id"),
    ("vie", "Vietnamese", "vi", "vi"),
    ("tha", "Thai", "th", "th"),
    ("jpn", "Japanese", "ja", "ja"),
    ("kor", "Korean", "ko", "ko"),
    ("cmn", "Mandarin Chinese", "cmn", None),
    ("yue", "Cantonese", "yue", None),
    ("cat", "Catalan", "ca", "ca"),
    ("cym", "Welsh", "cy", "cy"),
    ("epo", "Esperanto", "eo", "eo"),
)
LANGUAGES: dict[str, Language] = {row[0]: Language(*row) for row in _TABLE}
DEFAULT_LANGUAGE = "eng"


class LanguageError(AlignerError):
    pass


def get_language(code: str) -> Language:
    """The language of an ISO 639-3 code (case-insensitive); an unknown code is one clear error."""
    key = code.strip().lower()
    if key in LANGUAGES:
        return LANGUAGES[key]
    two_letter = {lang.num2words: lang for lang in LANGUAGES.values() if lang.num2words}
    hint = ""
    if key in two_letter:
        hint = f" (for {two_letter[key].name} use {two_letter[key].code})"
    raise LanguageError(
        f"Unknown language code {code!r}{hint}: give an ISO 639-3 code such as "
        + ", ".join(sorted(LANGUAGES)[:12])
        + ", ..."
    )


def language_name(code: str) -> str:
    lang = LANGUAGES.get(code.lower())
    return lang.name if lang else code
