"""Phone inventories: telling a phone model from a letter model, and spelling dictionary phones
in a model's phones (ARPAbet <-> IPA, longest match, stress and length marks).

A phone the model lacks is reported by :func:`map_phones`, never silently dropped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# CMUdict's ARPAbet (stress digits removed) in the IPA that espeak-ng and most phone models use.
ARPABET_TO_IPA: dict[str, str] = {
    "AA": "ɑ",
    "AE": "æ",
    "AH": "ʌ",
    "AO": "ɔ",
    "AW": "aʊ",
    "AX": "ə",
    "AXR": "ɚ",
    "AY": "aɪ",
    "EH": "ɛ",
    "ER": "ɝ",
    "EY": "eɪ",
    "IH": "ɪ",
    "IX": "ɨ",
    "IY": "i",
    "OW": "oʊ",
    "OY": "ɔɪ",
    "UH": "ʊ",
    "UW": "u",
    "UX": "ʉ",
    "B": "b",
    "CH": "tʃ",
    "D": "d",
    "DH": "ð",
    "DX": "ɾ",
    "EL": "l̩",
    "EM": "m̩",
    "EN": "n̩",
    "F": "f",
    "G": "ɡ",
    "HH": "h",
    "JH": "dʒ",
    "K": "k",
    "L": "l",
    "M": "m",
    "N": "n",
    "NG": "ŋ",
    "NX": "ɾ̃",
    "P": "p",
    "Q": "ʔ",
    "R": "ɹ",
    "S": "s",
    "SH": "ʃ",
    "T": "t",
    "TH": "θ",
    "V": "v",
    "W": "w",
    "WH": "ʍ",
    "Y": "j",
    "Z": "z",
    "ZH": "ʒ",
}
IPA_TO_ARPABET: dict[str, str] = {}
for _arpa, _ipa in ARPABET_TO_IPA.items():
    IPA_TO_ARPABET.setdefault(_ipa, _arpa)
# Other spellings of the same sounds, tried when the model lacks the first choice.
IPA_EQUIVALENTS: dict[str, tuple[str, ...]] = {
    "ɡ": ("g",),
    "g": ("ɡ",),
    "ɹ": ("r",),
    "r": ("ɹ", "ɾ"),
    "ɝ": ("ɜː", "ɚ", "ɜ"),
    "ɚ": ("ə", "ɝ"),
    "ʌ": ("ə",),
    "ɑ": ("ɑː", "a"),
    "ɔ": ("ɔː",),
    "i": ("iː",),
    "u": ("uː",),
    "oʊ": ("əʊ", "o"),
    "eɪ": ("e",),
    "l̩": ("əl", "l"),
    "m̩": ("əm", "m"),
    "n̩": ("ən", "n"),
    "ɾ̃": ("n",),
}
# Unstressed ARPAbet vowels that IPA writes as reduced vowels (AH0 = ə, ER0 = ɚ).
_UNSTRESSED = {"AH": "ə", "ER": "ɚ"}
_STRESS = str.maketrans("", "", "ˈˌ'")  # espeak's and IPA's stress marks are not phones
_SPECIAL = {"<pad>", "<s>", "</s>", "<unk>", "<sil>", "[pad]", "[unk]", "|", "sil", "sp", "spn"}
# Optional-silence labels a phone model may have (MFA "sil", Kaldi "SIL", "<sil>").
SILENCE_LABELS = ("sil", "SIL", "<sil>", "sp", "SP")


def is_arpabet(phone: str) -> bool:
    return phone.rstrip("012") in ARPABET_TO_IPA


def is_phone_model(labels: Sequence[str]) -> bool:
    """True when a CTC model's labels are phones rather than letters.

    Phones show as IPA symbols that are not letters of any alphabet (ə, ʃ, ː, the IPA Extensions
    block), or as a majority of multi-letter ARPAbet labels. A letter model (English, Russian,
    MMS_FA's romanised Latin) has neither. Blank, star, delimiter and ``<...>`` tokens are ignored.
    """
    content = [lab for lab in labels if lab and lab not in _SPECIAL and not lab.startswith("<")]
    content = [lab for lab in content if len(lab) > 1 or lab.isalpha() or _is_ipa_symbol(lab)]
    if not content:
        return False
    if any(_is_ipa_symbol(ch) for lab in content for ch in lab):
        return True
    multi = [lab for lab in content if len(lab) > 1]
    return len(multi) * 2 >= len(content) and all(is_arpabet(lab) for lab in multi)


def _is_ipa_symbol(ch: str) -> bool:
    code = ord(ch)
    return (
        0x0250 <= code <= 0x02AF  # IPA Extensions (ə ɪ ʃ ʒ ɹ ...)
        or 0x02B0 <= code <= 0x02FF  # modifier letters (ː ʰ ʲ ˈ)
        or 0x1D00 <= code <= 0x1DBF  # phonetic extensions
        or ch in "æðøœçŋθβχ"
    )


@dataclass(frozen=True)
class PhoneMapping:
    labels: tuple[str, ...]  # the model's phones for the dictionary's phones
    missing: tuple[str, ...]  # dictionary phones (or parts) the model has no label for


class PhoneInventory:
    """A phone model's labels, and the spelling of any dictionary's phones in them."""

    def __init__(self, labels: Iterable[str]) -> None:
        self.labels = frozenset(labels)
        self._longest = max((len(lab) for lab in self.labels), default=1)
        self._uses_arpabet = sum(is_arpabet(lab) for lab in self.labels) * 2 > len(self.labels)

    def map_phones(self, phones: Sequence[str]) -> PhoneMapping:
        out: list[str] = []
        missing: list[str] = []
        for phone in phones:
            mapped = self._phone(phone)
            if mapped is None:
                missing.append(phone)
            else:
                out.extend(mapped)
        return PhoneMapping(tuple(out), tuple(missing))

    def _phone(self, phone: str) -> list[str] | None:
        for candidate in self._spellings(phone):
            if candidate in self.labels:
                return [candidate]
        for candidate in self._spellings(phone):
            split = self._longest_match(candidate)
            if split is not None:
                return split
        return None

    def _spellings(self, phone: str) -> list[str]:
        """The phone as written, without stress, and in the other notation."""
        plain = unicodedata.normalize("NFC", phone).translate(_STRESS)
        if is_arpabet(phone):
            base = phone.rstrip("012")
            ipa = _UNSTRESSED.get(base, "") if phone.endswith("0") else ""
            ipa = ipa or ARPABET_TO_IPA[base]
            out = [phone, base] if self._uses_arpabet else [ipa, *IPA_EQUIVALENTS.get(ipa, ())]
            return [*out, base, ipa]
        out = [plain, *IPA_EQUIVALENTS.get(plain, ())]
        if self._uses_arpabet and plain in IPA_TO_ARPABET:
            out.insert(0, IPA_TO_ARPABET[plain])
        return out

    def _longest_match(self, text: str) -> list[str] | None:
        """``text`` as a sequence of the model's labels, longest label first at each position
        ("tʃː" -> "tʃ" "ː" when the model has those), or None if some part has no label."""
        out: list[str] = []
        i = 0
        while i < len(text):
            for size in range(min(self._longest, len(text) - i), 0, -1):
                piece = text[i : i + size]
                if piece in self.labels:
                    out.append(piece)
                    i += size
                    break
            else:
                return None
        return out or None


def split_ipa(text: str, inventory: PhoneInventory | None = None) -> list[str]:
    """An IPA string without separators as phones: the inventory's longest match when given,
    otherwise each base character with its combining marks and length/modifier signs."""
    plain = unicodedata.normalize("NFC", text).translate(_STRESS)
    if inventory is not None:
        found = inventory._longest_match(plain)
        if found is not None:
            return found
    phones: list[str] = []
    for ch in plain:
        if phones and (unicodedata.combining(ch) or 0x02B0 <= ord(ch) <= 0x02FF or ch == "\u0361"):
            phones[-1] += ch
        elif not ch.isspace():
            phones.append(ch)
    return phones
