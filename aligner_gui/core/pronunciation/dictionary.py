"""Pronunciation dictionaries in the Montreal Forced Aligner's format.

One pronunciation per line: the word, then its phones separated by spaces. A tab after the word
is the canonical separator (and the only way to have a word containing spaces); otherwise the
first run of whitespace separates. Between the word and the phones MFA allows up to four numbers:

* 1 number: the pronunciation's probability (0 < p <= 1);
* 4 numbers: that probability, the probability of a silence after the word, and the correction
  factors for a silence / no silence before it (positive numbers).

Several lines for one word are its variants, in file order. Lines starting with ``#`` or ``;;;``
(CMUdict's comments) and blank lines are skipped. Look-ups fold case, as MFA does by default.
Every malformed line is reported at once, with its line number, in one message.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from aligner_gui.core.base.errors import AlignerError

_MAX_REPORTED = 8  # bad lines quoted in the error before "and N more"
_COMMENTS = ("#", ";;;")


class DictionaryError(AlignerError):
    """A pronunciation dictionary that cannot be read, with every bad line named."""


@dataclass(frozen=True)
class Pronunciation:
    phones: tuple[str, ...]
    probability: float = 1.0
    silence_after: float | None = None  # MFA's silence probability after the word
    silence_before_correction: float | None = None
    non_silence_before_correction: float | None = None


@dataclass(frozen=True)
class PronunciationDictionary:
    entries: dict[str, tuple[Pronunciation, ...]]  # keys case-folded
    source: str = ""

    def lookup(self, word: str) -> tuple[Pronunciation, ...]:
        """The variants of ``word`` (case folded, surrounding punctuation ignored), or ()."""
        for key in _keys(word):
            found = self.entries.get(key)
            if found:
                return found
        return ()

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and bool(self.lookup(word))

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def phones(self) -> set[str]:
        return {p for variants in self.entries.values() for v in variants for p in v.phones}


def read_dictionary(path: str | Path) -> PronunciationDictionary:
    p = Path(path)
    if not p.is_file():
        what = "is a folder, not a dictionary file" if p.is_dir() else "does not exist"
        raise DictionaryError(f"Pronunciation dictionary {p} {what}.")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DictionaryError(
            f"Pronunciation dictionary {p} is not valid UTF-8 (byte {exc.start}); save it as UTF-8."
        ) from exc
    except OSError as exc:
        raise DictionaryError(f"Pronunciation dictionary {p} could not be read: {exc}.") from exc
    return parse_dictionary(text.splitlines(), source=str(p))


def parse_dictionary(lines: Iterable[str], *, source: str = "") -> PronunciationDictionary:
    entries: dict[str, list[Pronunciation]] = {}
    problems: list[str] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith(_COMMENTS):
            continue
        try:
            word, pron = _parse_line(raw.rstrip("\r\n"))
        except ValueError as exc:
            problems.append(f"line {number}: {exc}")
            continue
        variants = entries.setdefault(word.casefold(), [])
        if pron not in variants:
            variants.append(pron)
    where = f"Pronunciation dictionary {source}" if source else "The pronunciation dictionary"
    if problems:
        listed = "; ".join(problems[:_MAX_REPORTED])
        more = len(problems) - _MAX_REPORTED
        tail = f"; and {more} more" if more > 0 else ""
        raise DictionaryError(f"{where} has {len(problems)} bad lines: {listed}{tail}.")
    if not entries:
        raise DictionaryError(f"{where} has no pronunciations.")
    return PronunciationDictionary({k: tuple(v) for k, v in entries.items()}, source)


def _parse_line(line: str) -> tuple[str, Pronunciation]:
    if "\t" in line:
        word, _, rest = line.partition("\t")
        word = word.strip()
        fields = rest.split()
    else:
        parts = line.split()
        word, fields = parts[0], parts[1:]
    if not word:
        raise ValueError("no word before the tab")
    numbers: list[float] = []
    while fields and len(numbers) < 4 and _is_number(fields[0]):
        numbers.append(float(fields.pop(0)))
    if not fields:
        raise ValueError(f"{word!r} has no phones")
    if len(numbers) not in (0, 1, 4):
        raise ValueError(
            f"{word!r} has {len(numbers)} numbers before its phones; MFA allows 1 "
            "(pronunciation probability) or 4 (with the silence probabilities)"
        )
    if numbers and not 0.0 < numbers[0] <= 1.0:
        raise ValueError(f"{word!r} has pronunciation probability {numbers[0]:g}, not in (0, 1]")
    if len(numbers) == 4:
        if not 0.0 <= numbers[1] <= 1.0:
            raise ValueError(f"{word!r} has silence probability {numbers[1]:g}, not in [0, 1]")
        if numbers[2] <= 0 or numbers[3] <= 0:
            raise ValueError(f"{word!r} has a silence correction factor that is not positive")
        return word, Pronunciation(tuple(fields), numbers[0], numbers[1], numbers[2], numbers[3])
    return word, Pronunciation(tuple(fields), numbers[0] if numbers else 1.0)


def dictionary_lines(entries: Iterable[tuple[str, Sequence[str]]]) -> str:
    """Entries in MFA's format, one a line: the word as the dictionary looks it up (case folded,
    without surrounding punctuation), a tab, the phones separated by spaces. ``parse_dictionary``
    reads the text back to the same pronunciations of the same words."""
    lines = [f"{entry_word(word)}\t{' '.join(phones)}\n" for word, phones in entries if phones]
    return "".join(lines)


def _is_number(field: str) -> bool:
    try:
        value = float(field)
    except ValueError:
        return False
    return math.isfinite(value)


def entry_word(word: str) -> str:
    """``word`` as a dictionary line writes it: case folded, without surrounding punctuation."""
    return _keys(word)[-1]


def _keys(word: str) -> list[str]:
    folded = word.casefold()
    stripped = folded.strip("\"'“”‘’«»„.,;:!?()[]{}¿¡-–—…")
    return [folded] if stripped == folded else [folded, stripped]
