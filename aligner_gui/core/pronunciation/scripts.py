"""Which writing systems each language's espeak-ng voice reads as words.

espeak-ng reads a letter of a script its voice does not know by the letter's *name*: a Japanese
word given to the English voice comes back as the phones of "Chinese letter", a Hebrew word to
the Arabic voice as "Hebrew shin, Hebrew lamed...", and the Japanese voice spells Latin words
out ("aitch, ee, el..."). Such phones align, often confidently, to speech that never said them.
So a word written in a script the voice does not read gets no G2P pronunciation: it is placed by
interpolation and flagged, and one line tells the user which language would read it.

Latin is read by every voice but the Japanese one: the others switch to English for a Latin
word, which is what a loanword or a name in running text usually is.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from aligner_gui.core.pronunciation.languages import LANGUAGES, Language

# First word of a letter's Unicode name -> its script. Scripts not listed here (symbols,
# modifier letters, scripts no voice of ours reads) are never called unread.
_SCRIPT_OF_NAME = {
    "LATIN": "Latin",
    "CYRILLIC": "Cyrillic",
    "GREEK": "Greek",
    "ARABIC": "Arabic",
    "HEBREW": "Hebrew",
    "DEVANAGARI": "Devanagari",
    "BENGALI": "Bengali",
    "TELUGU": "Telugu",
    "KANNADA": "Kannada",
    "TAMIL": "Tamil",
    "ETHIOPIC": "Ethiopic",
    "THAI": "Thai",
    "HIRAGANA": "Hiragana",
    "KATAKANA": "Katakana",
    "KATAKANA-HIRAGANA": "Katakana",  # the prolonged sound mark ー
    "HALFWIDTH": "Katakana",  # HALFWIDTH KATAKANA LETTER ...; other halfwidth forms are not L*
    "HANGUL": "Hangul",
    "CJK": "Han",
    "ARMENIAN": "Armenian",
    "GEORGIAN": "Georgian",
    "GUJARATI": "Gujarati",
    "GURMUKHI": "Gurmukhi",
    "MALAYALAM": "Malayalam",
    "SINHALA": "Sinhala",
    "KHMER": "Khmer",
    "LAO": "Lao",
    "TIBETAN": "Tibetan",
    "MYANMAR": "Myanmar",
}

# The scripts each voice reads as words, besides Latin (see the module docstring).
_OWN_SCRIPTS: dict[str, tuple[str, ...]] = {
    "rus": ("Cyrillic",),
    "ukr": ("Cyrillic",),
    "bel": ("Cyrillic",),
    "srp": ("Cyrillic",),
    "kaz": ("Cyrillic",),
    "ell": ("Greek",),
    "ara": ("Arabic",),
    "fas": ("Arabic",),
    "urd": ("Arabic",),
    "heb": ("Hebrew",),
    "hin": ("Devanagari",),
    "ben": ("Bengali",),
    "tel": ("Telugu",),
    "kan": ("Kannada",),
    "tam": ("Tamil",),
    "amh": ("Ethiopic",),
    "tha": ("Thai",),
    # The Japanese voice reads kana only: kanji come back as "Chinese letter".
    "jpn": ("Hiragana", "Katakana"),
    "kor": ("Hangul",),
    "cmn": ("Han",),
    "yue": ("Han",),
}
_SPELLS_LATIN = frozenset({"jpn"})
# Scripts a language is written in that its voice does not read, and what it does read instead.
_WRITTEN_UNREAD = {"jpn": ("Han",)}
_WRITTEN_UNREAD_ALTERNATIVE = {"jpn": "kana"}


def script_of(char: str) -> str | None:
    """The script of a letter (``"Han"``, ``"Cyrillic"``...); None for anything else."""
    if not unicodedata.category(char).startswith("L"):
        return None
    name = unicodedata.name(char, "")
    return _SCRIPT_OF_NAME.get(name.split(" ", 1)[0]) if name else None


def read_scripts(language: Language) -> frozenset[str]:
    """The scripts ``language``'s espeak-ng voice reads as words."""
    latin = () if language.code in _SPELLS_LATIN else ("Latin",)
    return frozenset((*latin, *_OWN_SCRIPTS.get(language.code, ())))


def unread_scripts(word: str, language: Language) -> tuple[str, ...]:
    """The scripts of ``word``'s letters that ``language``'s voice does not read, in order."""
    reads = read_scripts(language)
    found = (script_of(ch) for ch in word)
    return tuple(dict.fromkeys(s for s in found if s is not None and s not in reads))


def _readers(scripts: Sequence[str]) -> list[Language]:
    """Languages whose voice reads the most of ``scripts`` (all of them, if any does), in the
    language table's order."""
    covered = {code: len(set(scripts) & read_scripts(lang)) for code, lang in LANGUAGES.items()}
    best = max(covered.values(), default=0)
    return [LANGUAGES[code] for code, n in covered.items() if best and n == best]


def unread_warning(
    words: Iterable[str], language: Language, *, whole_transcript: bool = False
) -> str | None:
    """One line naming the words ``language``'s voice would read letter by letter, and what
    to do about them; None when it reads them all. ``whole_transcript``: they are all the
    transcript has, so nothing of it can be aligned."""
    unread = [w for w in dict.fromkeys(words) if unread_scripts(w, language)]
    if not unread:
        return None
    scripts = list(dict.fromkeys(s for w in unread for s in unread_scripts(w, language)))
    shown = ", ".join(f"“{w}”" for w in unread[:8])
    if len(unread) > 8:
        shown += f" and {len(unread) - 8} more"
    dictionary = "give their pronunciations in a dictionary"
    options = _readers(scripts)
    if set(scripts) & set(_WRITTEN_UNREAD.get(language.code, ())):
        hint = f"write them in {_WRITTEN_UNREAD_ALTERNATIVE[language.code]} or {dictionary}"
    elif options and set(scripts) <= read_scripts(options[0]):
        names = " or ".join(f"{lang.name} ({lang.code})" for lang in options[:3])
        hint = f"set the transcript's language to {names}, or {dictionary}"
    elif options:
        best = options[0]
        read = _join([s for s in scripts if s in read_scripts(best)])
        hint = (
            f"set the transcript's language to {best.name} ({best.code}), whose voice reads the "
            f"{read}, and give the rest's pronunciations in a dictionary"
        )
    else:
        hint = dictionary
    voice = f"espeak-ng's {language.name} voice"
    if whole_transcript:
        return (
            f"The transcript is written in {_join(scripts)} letters, which {voice} reads by their "
            f"names, not as words. To align it, {hint}."
        )
    return (
        f"{voice} reads {_join(scripts)} letters by their names, not as words, so these are "
        f"placed by interpolation and flagged: {shown}. To align them, {hint}."
    )


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
