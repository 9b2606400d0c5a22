"""Respelling words for a model's alphabet: numbers as words, other scripts romanised.

:class:`Respeller` is the hook :func:`aligner_gui.core.io.transcript.tokenize` calls for each
whitespace-separated word. It returns the word's pieces, each with the spelling to align (or
None to align the piece as written); the words tier keeps every piece's original spelling.

Words are split only where the writing has no spaces: a token is cut where the script changes
between letters of Han, Hiragana, Katakana, Thai, Lao, Khmer or Myanmar and any other script, and
after punctuation inside such a run, so "こんにちは世界。東京タワー" gives the words "こんにちは"
(Hiragana), "世界。" (Han, with its full stop), "東京" (Han) and "タワー" (Katakana). Within one run no finer split is attempted (that would need a dictionary-based
segmenter per language); a run is aligned as one word.

Romanisation is uroman's (Hermjakob et al. 2018), the romaniser MMS_FA was trained with; kanji
are read as Mandarin by it (a limitation of uroman, not of the mapping).
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aligner_gui.core.pronunciation.languages import Language
from aligner_gui.core.pronunciation.numbers import expand_numbers, has_digits
from aligner_gui.core.pronunciation.phone_sets import is_phone_model

_UNSPACED = frozenset({"CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR"})
_uroman_lock = threading.Lock()
_uroman_instance: Any = None


def _uroman() -> Any:
    # Building uroman's tables takes seconds: once per process (the editor's worker thread and
    # the CLI share it), and only when a word needs it.
    global _uroman_instance
    with _uroman_lock:
        if _uroman_instance is None:
            import uroman

            _uroman_instance = uroman.Uroman()
        return _uroman_instance


def romanize(text: str, language: str | None = None) -> str:
    """``text`` in Latin letters by uroman (``language`` an ISO 639-3 code, or None)."""
    return str(_uroman().romanize_string(text, lcode=language))


def script(ch: str) -> str:
    """The script of a letter by its Unicode name ("LATIN", "CYRILLIC", "CJK", ...), "" for
    marks, digits and punctuation (which belong to the surrounding run)."""
    if not ch.isalpha():
        return ""
    name = unicodedata.name(ch, "")
    if name.startswith("KATAKANA-HIRAGANA"):  # the prolonged sound mark ー
        return ""
    return name.split(" ")[0] if name else ""


def split_unspaced(word: str) -> list[str]:
    """``word`` cut where the script changes to or from one written without spaces."""
    pieces: list[str] = []
    current = ""
    current_script = ""
    for ch in word:
        s = script(ch)
        if (
            s
            and current_script
            and s != current_script
            and (s in _UNSPACED or current_script in _UNSPACED)
        ):
            pieces.append(current)
            current = ""
        if s:
            current_script = s
        current += ch
        if current_script in _UNSPACED and unicodedata.category(ch).startswith("P"):
            pieces.append(current)  # "。" "、" end a word where there are no spaces
            current, current_script = "", ""
    if current:
        pieces.append(current)
    return pieces


def is_latin_letter_model(labels: Sequence[str]) -> bool:
    """True when a model's letters are all Latin (MMS_FA, English wav2vec2): other scripts must
    be romanised to be aligned at all."""
    if is_phone_model(labels):  # ə and ʃ are "Latin" letters too, but such labels are phones
        return False
    letters = [lab for lab in labels if len(lab) == 1 and lab.isalpha()]
    return bool(letters) and all(script(ch) == "LATIN" for ch in letters)


def needs_romanization(word: str) -> bool:
    return any(script(ch) not in ("", "LATIN") for ch in word)


@dataclass
class Respeller:
    """Per word: pieces and their spellings. ``romanize_scripts`` for models with Latin letters."""

    language: Language | None
    romanize_scripts: bool = True
    changed: list[tuple[str, str]] = field(default_factory=list)  # (original, spelling)

    def __call__(self, word: str) -> list[tuple[str, str | None]]:
        pieces = split_unspaced(word) if self.romanize_scripts else [word]
        return [(piece, self.spell(piece)) for piece in pieces]

    def spell(self, piece: str) -> str | None:
        spelling = piece
        if has_digits(spelling) and self.language is not None:
            spelling = expand_numbers(spelling, self.language) or spelling
        if self.romanize_scripts and needs_romanization(spelling):
            code = self.language.code if self.language is not None else None
            spelling = romanize(spelling, code)
        if spelling == piece:
            return None
        self.changed.append((piece, spelling))
        return spelling
