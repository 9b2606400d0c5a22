"""One IPA phone inventory for every voice family, and explicit tables from each engine's phones.

The inventory is General American English in IPA, one symbol string per CMUdict/ARPAbet phone
(39 phones), with multi-character phones for diphthongs and affricates ("aɪ", "tʃ"). It is the
inventory of the issue "Phones, pronunciation dictionaries and every writing system": a
dictionary in ARPAbet maps onto it one to one (:data:`ARPABET_TO_IPA`).

* Festival's US voices speak the "radio" phone set (ARPAbet plus a few allophones: ``ax``,
  ``axr``, ``dx``, ``el``...), Flite's the CMU lexicon's (ARPAbet); both map through
  :data:`ARPABET_TO_IPA`.
* espeak-ng reports its own phoneme mnemonics (``aI``, ``tS``, ``@``...), and the same mnemonic
  means different sounds in different accents: ``A@`` is [ɑɹ] in ``en-us`` but [ɑː] in British
  voices. :func:`espeak_to_ipa` therefore knows which voices are rhotic.

An engine phone maps to zero, one or two inventory phones. Zero: pauses and espeak's modifier
events (``;`` palatalisation), whose time goes to the neighbours (see :func:`map_phones`). Two: an
r-coloured vowel of a rhotic accent, which the engine renders as one unit; there is no acoustic
boundary inside it, so its time is split 60:40 between the vowel and the [ɹ] (documented as the one
place where a phone edge is a convention, not an engine time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aligner_gui.core.base.errors import AlignerError

VOWELS = ("ɑ", "æ", "ʌ", "ɔ", "aʊ", "ə", "aɪ", "ɛ", "ɝ", "eɪ", "ɪ", "i", "oʊ", "ɔɪ", "ʊ", "u")
CONSONANTS = (
    "b", "tʃ", "d", "ð", "f", "ɡ", "h", "dʒ", "k", "l", "m", "n", "ŋ", "p", "ɹ", "s", "ʃ", "t",
    "θ", "v", "w", "j", "z", "ʒ",
)  # fmt: skip
INVENTORY: tuple[str, ...] = VOWELS + CONSONANTS
PAUSE = ""  # an engine phone that is silence or a modifier: no inventory phone

ARPABET_TO_IPA: dict[str, tuple[str, ...]] = {
    "aa": ("ɑ",), "ae": ("æ",), "ah": ("ʌ",), "ao": ("ɔ",), "aw": ("aʊ",), "ax": ("ə",),
    "ay": ("aɪ",), "eh": ("ɛ",), "er": ("ɝ",), "ey": ("eɪ",), "ih": ("ɪ",), "iy": ("i",),
    "ow": ("oʊ",), "oy": ("ɔɪ",), "uh": ("ʊ",), "uw": ("u",),
    "b": ("b",), "ch": ("tʃ",), "d": ("d",), "dh": ("ð",), "f": ("f",), "g": ("ɡ",),
    "hh": ("h",), "jh": ("dʒ",), "k": ("k",), "l": ("l",), "m": ("m",), "n": ("n",),
    "ng": ("ŋ",), "p": ("p",), "r": ("ɹ",), "s": ("s",), "sh": ("ʃ",), "t": ("t",),
    "th": ("θ",), "v": ("v",), "w": ("w",), "y": ("j",), "z": ("z",), "zh": ("ʒ",),
    # Festival's radio set adds allophones of the above: r-coloured schwa, flap, syllabic
    # consonants, [ʍ] and the nasal flap; each goes to the phoneme it realises.
    "axr": ("ɝ",), "dx": ("t",), "el": ("l",), "em": ("m",), "en": ("n",), "hw": ("w",),
    "nx": ("n",), "ix": ("ɪ",), "ux": ("u",),
    "pau": (), "h#": (), "brth": (), "sil": (),
}  # fmt: skip

# espeak-ng 1.51 English mnemonics (phsource/ph_english*), read as a non-rhotic accent.
ESPEAK_TO_IPA: dict[str, tuple[str, ...]] = {
    "@": ("ə",), "@2": ("ə",), "@5": ("ə",), "@-": ("ə",), "a#": ("ə",), "a2": ("ə",),
    "3": ("ə",), "@L": ("ə", "l"), "@r": ("ə",),
    "I": ("ɪ",), "I2": ("ɪ",), "I#": ("ɪ",), "IR": ("ɪ",), "i": ("i",), "i:": ("i",),
    "E": ("ɛ",), "e": ("ɛ",), "E2": ("ɛ",), "a": ("æ",), "aa": ("æ",), "A:": ("ɑ",),
    "A@": ("ɑ",), "0": ("ɑ",), "V": ("ʌ",), "VR": ("ʌ",), "O:": ("ɔ",), "O": ("ɔ",),
    "O2": ("ɔ",), "O@": ("ɔ",), "o@": ("ɔ",), "o:": ("ɔ",), "U": ("ʊ",), "U@": ("ʊ",),
    "u:": ("u",), "u": ("u",), "3:": ("ɝ",), "e@": ("ɛ",), "i@": ("ɪ",), "i@3": ("ɪ",),
    "eI": ("eɪ",), "aI": ("aɪ",), "aI2": ("aɪ",), "aI@": ("aɪ", "ə"), "aI3": ("aɪ", "ə"),
    "aU": ("aʊ",), "aU@": ("aʊ", "ə"), "oU": ("oʊ",), "OI": ("ɔɪ",), "@U": ("oʊ",),
    "p": ("p",), "b": ("b",), "t": ("t",), "t#": ("t",), "t2": ("t",), "t[": ("t",),
    "d": ("d",), "d#": ("d",), "k": ("k",), "g": ("ɡ",), "f": ("f",), "v": ("v",),
    "T": ("θ",), "D": ("ð",), "s": ("s",), "z": ("z",), "z#": ("z",), "S": ("ʃ",),
    "Z": ("ʒ",), "h": ("h",), "tS": ("tʃ",), "dZ": ("dʒ",), "m": ("m",), "n": ("n",),
    "n-": ("n",), "N": ("ŋ",), "l": ("l",), "l/": ("l",), "l/2": ("l",), "r": ("ɹ",),
    "r-": ("ɹ",), "r/": ("ɹ",), "w": ("w",), "w#": ("w",), "j": ("j",), "x": ("k",),
    "?": (),
    ";": (),  # palatalisation of the previous consonant: a modifier, not a phone
}  # fmt: skip
# Rhotic voices render these as an r-coloured vowel (one unit): vowel + [ɹ], time split 60:40.
ESPEAK_RHOTIC: dict[str, tuple[str, ...]] = {
    "A@": ("ɑ", "ɹ"), "O@": ("ɔ", "ɹ"), "o@": ("ɔ", "ɹ"), "e@": ("ɛ", "ɹ"), "i@3": ("ɪ", "ɹ"),
    "i@": ("ɪ", "ɹ"), "U@": ("ʊ", "ɹ"), "3": ("ɝ",), "VR": ("ɝ",), "aI3": ("aɪ", "ɝ"),
    "aI@": ("aɪ", "ɝ"), "aU@": ("aʊ", "ɝ"),
}  # fmt: skip
RHOTIC_ESPEAK_LANGUAGES = ("en-us",)  # espeak's own IPA output shows [ɹ]/[ɚ] only for these
R_COLOURED_SPLIT = 0.6  # share of an r-coloured vowel given to the vowel


class PhoneMappingError(AlignerError):
    """An engine phone has no entry in the tables (the utterance is dropped and counted)."""


@dataclass(frozen=True)
class TimedPhone:
    phone: str  # an INVENTORY entry
    start: float  # seconds, [start, end)
    end: float


def espeak_to_ipa(symbol: str, voice: str) -> tuple[str, ...]:
    """The inventory phones of one espeak-ng mnemonic spoken by ``voice`` (e.g. "en-us+f2")."""
    if symbol.startswith("_"):
        return ()
    if voice.split("+", 1)[0] in RHOTIC_ESPEAK_LANGUAGES and symbol in ESPEAK_RHOTIC:
        return ESPEAK_RHOTIC[symbol]
    try:
        return ESPEAK_TO_IPA[symbol]
    except KeyError:
        raise PhoneMappingError(f"espeak-ng phoneme {symbol!r} is not in the IPA table") from None


def arpabet_to_ipa(symbol: str) -> tuple[str, ...]:
    """Inventory phones of an ARPAbet / Festival radio phone (case and stress digits ignored)."""
    key = symbol.lower().rstrip("012")
    try:
        return ARPABET_TO_IPA[key]
    except KeyError:
        raise PhoneMappingError(f"phone {symbol!r} is not in the ARPAbet table") from None


def map_phones(
    spans: Sequence[tuple[tuple[str, ...], float, float]],
) -> list[TimedPhone]:
    """Engine phones already mapped (inventory phones, start, end) -> inventory phones in time.

    A phone that maps to nothing inside a word (a modifier or glottal stop) gives its time to the
    phone before it, or the one after when it comes first; two phones split their span
    (:data:`R_COLOURED_SPLIT`).
    """
    out: list[TimedPhone] = []
    pending_start: float | None = None
    for phones, start, end in spans:
        if not phones:
            if out:
                out[-1] = TimedPhone(out[-1].phone, out[-1].start, end)
            elif pending_start is None:
                pending_start = start
            continue
        if pending_start is not None:
            start, pending_start = pending_start, None
        if len(phones) == 1:
            out.append(TimedPhone(phones[0], start, end))
        else:
            middle = start + (end - start) * R_COLOURED_SPLIT
            out.append(TimedPhone(phones[0], start, middle))
            out.append(TimedPhone(phones[1], middle, end))
    return out
