"""Numbers as words, per language ("1984" -> "nineteen eighty four", "3rd" -> "third").

num2words does the spelling; here only the finding of numbers in a word and the choice between
cardinal, ordinal and year readings.
"""

from __future__ import annotations

import re

from aligner_gui.core.pronunciation.languages import Language

# Ordinal suffixes after digits, per num2words language.
_ORDINAL = {
    "en": r"(?:st|nd|rd|th)",
    "fr": r"(?:er|re|e|ème|eme)",
    "es": r"(?:º|ª|\.º|\.ª|o|a)",
    "it": r"(?:º|ª)",
    "pt": r"(?:º|ª|o|a)",
    "de": r"\.",
}
_EDGE_PUNCTUATION = "\"'“”‘’«»„.,;:!?()[]{}¿¡"
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def has_digits(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


def expand_numbers(word: str, language: Language) -> str | None:
    """``word`` with every number spelled out in ``language`` (words separated by spaces), or
    None when the language has no number speller or the word has no digits."""
    if not has_digits(word) or language.num2words is None:
        return None
    from num2words import num2words

    lang = language.num2words
    ordinal = _ORDINAL.get(lang)
    core = word.strip(_EDGE_PUNCTUATION)
    whole = re.fullmatch(rf"(\d+){ordinal}", core) if ordinal else None
    if whole:
        return _clean(num2words(int(whole.group(1)), lang=lang, to="ordinal"))
    out: list[str] = []
    last = 0
    for match in _NUMBER.finditer(word):
        out.append(word[last : match.start()])
        text = match.group(0)
        # A bare four-digit number between 1100 and 2099 is read as a year in English.
        if lang == "en" and re.fullmatch(r"1[1-9]\d\d|20\d\d", text) and text == core:
            spelled = num2words(int(text), lang=lang, to="year")
        else:
            value: float | int = float(text.replace(",", ".")) if not text.isdigit() else int(text)
            spelled = num2words(value, lang=lang)
        out.append(f" {spelled} ")
        last = match.end()
    out.append(word[last:])
    return _clean("".join(out))


def _clean(text: str) -> str:
    return " ".join(re.sub(r"[-,]", " ", text).split())
