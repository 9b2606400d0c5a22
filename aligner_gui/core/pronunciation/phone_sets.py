"""Phone inventories: telling a phone model from a letter model, and spelling dictionary phones
in a model's phones (ARPAbet <-> IPA, longest match, stress and length marks).

A phone the model lacks is reported by :func:`map_phones`, never silently dropped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aligner_gui.core.pronunciation.phone_equivalents import (
    DROPPABLE_MARKS,
    FLAP,
    GLOTTAL_STOP,
    Equivalence,
    equivalences_at,
    stop_letters,
)

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
# Unstressed ARPAbet vowels that IPA writes as reduced vowels (AH0 = ə, ER0 = ɚ).
_UNSTRESSED = {"AH": "ə", "ER": "ɚ"}
_STRESS = str.maketrans("", "", "ˈˌ'")  # espeak's and IPA's stress marks are not phones
_TIES = str.maketrans("", "", "\u0361\u035c")
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
    """A phone model's labels, and the spelling of any dictionary's phones in them.

    A dictionary phone (IPA or ARPAbet, with or without stress) becomes the model's label for it;
    else the model's labels for its parts, longest label first ("aɪɚ" -> "aɪ" + the label for
    "ɚ"), where a part the model lacks goes through the table of equivalent phones
    (:mod:`~aligner_gui.core.pronunciation.phone_equivalents`) and a length or other mark on a
    phone the model has is dropped. What none of that covers is reported as missing.
    """

    def __init__(self, labels: Iterable[str]) -> None:
        self.labels = frozenset(labels)
        # A tie bar never tells phones apart (t͡ʃ is tʃ): labels found either way.
        self._untied = {lab.translate(_TIES): lab for lab in self.labels}
        self._uses_arpabet = sum(is_arpabet(lab) for lab in self.labels) * 2 > len(self.labels)
        ipa_lengths = [len(ARPABET_TO_IPA[lab]) for lab in self.labels if lab in ARPABET_TO_IPA]
        self._longest = max([len(lab) for lab in self.labels] + ipa_lengths, default=1)

    def map_phones(self, phones: Sequence[str], spelling: str = "") -> PhoneMapping:
        """``phones`` (one word's pronunciation) in the model's labels. ``spelling``, the word as
        written, decides whether a flap [ɾ] is the model's t or d, and a glottal stop its t."""
        out: list[str] = []
        missing: list[str] = []
        for phone, stop in zip(phones, stop_letters(phones, spelling), strict=True):
            mapped = self._phone(phone, stop)
            if mapped is None:
                missing.append(phone)
            else:
                out.extend(mapped)
        return PhoneMapping(tuple(out), tuple(missing))

    def _phone(self, phone: str, stop: str | None) -> list[str] | None:
        if is_arpabet(phone):
            base = phone.rstrip("012")
            if self._uses_arpabet:
                for label in (phone, base):
                    if label in self.labels:
                        return [label]
            ipa = _UNSTRESSED.get(base, "") if phone.endswith("0") else ""
            return self.spell_ipa(ipa or ARPABET_TO_IPA[base], stop)
        return self.spell_ipa(unicodedata.normalize("NFC", phone).translate(_STRESS), stop)

    def _label(self, ipa: str) -> str | None:
        """The model's label for one IPA phone (its ARPAbet name in an ARPAbet model)."""
        if ipa in self.labels:
            return ipa
        if ipa.translate(_TIES) in self._untied:
            return self._untied[ipa.translate(_TIES)]
        arpabet = IPA_TO_ARPABET.get(ipa) if self._uses_arpabet else None
        return arpabet if arpabet in self.labels else None

    def spell_ipa(self, text: str, stop: str | None = None) -> list[str] | None:
        """IPA without separators as the model's labels, or None if some part has none. At each
        position the longer of the longest label and the longest table row is taken (a label on
        a tie); a droppable mark with no label is skipped. ``stop``: what a flap or glottal stop
        in ``text`` realises ("t", "d", or "": nothing), from the spelling; None: "t"."""
        whole = self._label(text)
        if whole is not None:
            return [whole]
        text = text.translate(_TIES)
        out: list[str] = []
        i = 0
        while i < len(text):
            size, labels = 0, []
            for width in range(min(self._longest, len(text) - i), 0, -1):
                label = self._label(text[i : i + width])
                if label is not None:
                    size, labels = width, [label]
                    break
            for row in equivalences_at(text, i):
                if len(row.source) <= size:
                    break
                found = self._target(row, stop)
                if found is not None:
                    size, labels = len(row.source), found
                    break
            if not size and text[i] not in DROPPABLE_MARKS:
                return None
            out.extend(labels)
            i += size or 1
        return out or None

    def _target(self, row: Equivalence, stop: str | None) -> list[str] | None:
        targets = list(row.targets)
        if row.source in (FLAP, GLOTTAL_STOP):  # the stop the spelling shows here, if any
            letter = "t" if stop is None else stop
            targets = [target for target in targets if target == (letter,)]
        for target in targets:
            labels = [self._label(p) for p in target]
            if all(label is not None for label in labels):
                return [label for label in labels if label is not None]
        return None


def split_ipa(text: str, inventory: PhoneInventory | None = None) -> list[str]:
    """An IPA string without separators as phones: the inventory's longest match when given,
    otherwise each base character with its combining marks and length/modifier signs."""
    plain = unicodedata.normalize("NFC", text).translate(_STRESS)
    if inventory is not None:
        found = inventory.spell_ipa(plain)
        if found is not None:
            return found
    phones: list[str] = []
    for ch in plain:
        if phones and (unicodedata.combining(ch) or 0x02B0 <= ord(ch) <= 0x02FF or ch == "\u0361"):
            phones[-1] += ch
        elif not ch.isspace():
            phones.append(ch)
    return phones
