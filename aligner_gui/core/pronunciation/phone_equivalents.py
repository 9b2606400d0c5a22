"""What to align when a model lacks a phone the dictionary or G2P spelled: one documented table.

espeak-ng, MFA's dictionaries and CMUdict each write English in their own phones (espeak's en-us
voice writes [ɜː] for "were", [ɔːɹ] for "north", [ɾ] in "water", [ᵻ] in "before"), and a phone
model knows only its own inventory (the built-in model: one IPA phone per CMUdict phone). Each row
of :data:`EQUIVALENCES` is a phone (or a run of phones) that a model may lack, the model phones
to align instead in order of preference (the first whose phones the model all has wins), and why
the substitute is the same sound for an aligner. A row is used only when the model lacks the
phone itself, and a phone that neither the model nor any row covers is still reported as missing
by :class:`~aligner_gui.core.pronunciation.phone_sets.PhoneInventory`, never dropped.

:data:`DROPPABLE_MARKS` are diacritics and modifier letters that refine a phone the model has
(length, syllabicity, aspiration...): a model without a label for the marked phone aligns the
bare phone, because the mark changes duration or a detail the model's phone already covers.

A flap [ɾ] is an allophone of /t/ or /d/, and a glottal stop often one of /t/; which, if any, is
read from the spelling (:func:`stop_letters`): "water" and "disputing" have t, "ladder" d, and
the glottal stop of "button" is t but that of "uh-oh" no stop at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Equivalence:
    source: str  # IPA as a dictionary or G2P writes it (NFC, stress marks removed)
    targets: tuple[tuple[str, ...], ...]  # model phones instead, in order of preference
    why: str


def _row(source: str, targets: str, why: str) -> Equivalence:
    """``targets``: alternatives separated by "|", the phones of each separated by spaces."""
    return Equivalence(source, tuple(tuple(t.split()) for t in targets.split("|")), why)


FLAP = "ɾ"
GLOTTAL_STOP = "ʔ"
EQUIVALENCES: tuple[Equivalence, ...] = (
    # r-coloured vowels. CMUdict has one ER for the stressed [ɝ] and the unstressed [ɚ] (ER0),
    # and the built-in model was trained with both labelled ɝ: so ɚ goes to ɝ before ə + ɹ.
    _row("ɚ", "ɝ | ə ɹ", "unstressed r-coloured schwa; CMUdict's ER0 is one phone, ER"),
    _row("ɝ", "ɜː | ɚ | ɜ | ə ɹ", "the stressed r-coloured vowel of 'bird' (ER1)"),
    _row("ɜːɹ", "ɝ | ɜː ɹ", "the NURSE vowel followed by r is the r-coloured vowel ER"),
    _row("ɜː", "ɝ | ɜ", "espeak writes the NURSE vowel of 'were', 'bird' as ɜː: ER in GA"),
    _row("ɜ", "ɝ | ɜː", "the NURSE vowel without a length mark"),
    # espeak-ng's rhotic vowels of General American: the vowel then [ɹ] (CMUdict AO R, AA R).
    _row("ɔːɹ", "ɔ ɹ | ɔː ɹ", "'north', 'warm': CMUdict AO R"),
    _row("oːɹ", "ɔ ɹ | oʊ ɹ", "'more', 'before' (espeak 1.51): GA [ɔɹ], CMUdict AO R"),
    _row("ɑːɹ", "ɑ ɹ | ɑː ɹ", "'part', 'are': CMUdict AA R"),
    # Reduced and central vowels.
    _row("ɐ", "ə | ʌ", "espeak's reduced vowel of 'along', 'about': a schwa (AH0)"),
    _row("ᵻ", "ɪ | ə", "espeak's reduced KIT vowel of 'before', 'needed': CMUdict IH0"),
    _row("ɨ", "ɪ | ə", "the barred i (ARPAbet IX) is a reduced IH"),
    _row("ʉ", "u | uː", "the fronted GOOSE vowel (ARPAbet UX) is UW"),
    _row("ə", "ʌ", "CMUdict writes the schwa as AH0: a model without ə has it as ʌ"),
    _row("ʌ", "ə", "the STRUT vowel and schwa are one phone (AH) in CMUdict"),
    # Other spellings of the same vowels.
    _row("ɒ", "ɑ | ɔ", "the British LOT vowel is GA's ɑ"),
    _row("əʊ", "oʊ | o", "the British GOAT diphthong is GA's oʊ"),
    _row("oʊ", "əʊ | o", "GA's GOAT diphthong in a model with the British or a plain o"),
    _row("o", "oʊ", "a plain o is the GOAT vowel of English (OW)"),
    _row("e", "eɪ", "a plain e is the FACE vowel of English (EY)"),
    _row("eɪ", "e", "the FACE diphthong in a model with a plain e"),
    _row("ɑ", "ɑː | a", "the PALM/LOT vowel in a model that marks it long or writes a"),
    _row("ɔ", "ɔː", "the THOUGHT vowel in a model that marks it long"),
    _row("i", "iː", "the FLEECE vowel in a model that marks it long"),
    _row("u", "uː", "the GOOSE vowel in a model that marks it long"),
    # Front rounded vowels are not English phonemes; an English model hears them as the
    # unrounded vowel of the same height (and hand labels use them for fronted or rounded
    # allophones: praatio's "mary" labels the vowel of "barrel" [œ]).
    _row("œ", "ɛ", "open-mid front rounded: English has its unrounded counterpart ɛ"),
    _row("ø", "e | eɪ", "close-mid front rounded: unrounded e (English FACE)"),
    _row("y", "i | iː", "close front rounded: unrounded i (FLEECE)"),
    _row("ʏ", "ɪ", "near-close front rounded: unrounded ɪ (KIT)"),
    # Consonants.
    _row(FLAP, "t | d", "the flap of 'water' is /t/, of 'ladder' /d/: read from the spelling"),
    _row("ɾ̃", "n", "the nasal flap of 'winter' (ARPAbet NX) realises n"),
    _row(GLOTTAL_STOP, "t", "in English a glottal stop spelled t realises /t/ ('button')"),
    _row("r", "ɹ | ɾ", "r is the usual broad transcription of English ɹ"),
    _row("ɹ", "r", "English ɹ in a model that writes r"),
    _row("ɻ", "ɹ | r", "a retroflex approximant is a variant of English ɹ"),
    _row("ɡ", "g", "U+0261 (IPA) and g (Latin) are the same phone"),
    _row("g", "ɡ", "U+0261 (IPA) and g (Latin) are the same phone"),
    _row("ɫ", "l", "the dark l of 'full' is an allophone of /l/"),
    _row("ʍ", "w | h w", "the 'which' [ʍ] of some accents is WH; GA merged it with w"),
    _row("x", "k", "the 'loch' fricative; English speakers and CMUdict say k"),
    _row("c", "k", "MFA's fronted k before front vowels is /k/"),
    _row("ɟ", "ɡ | g", "MFA's fronted g before front vowels is /g/"),
    _row("ʎ", "l", "MFA's palatal l before front vowels is /l/"),
    _row("ɲ", "n | n j", "a palatal nasal is n (+ j in 'canyon')"),
    _row("ç", "h | h j", "MFA's [ç] of 'huge' is /h/ (+ j)"),
)
_BY_SOURCE: dict[str, Equivalence] = {eq.source: eq for eq in EQUIVALENCES}
LONGEST_SOURCE = max(len(eq.source) for eq in EQUIVALENCES)

# Marks a model without the marked phone drops, aligning the bare phone: they change a phone's
# duration, syllabicity, release or a secondary articulation, not which phone it is.
DROPPABLE_MARKS: dict[str, str] = {
    "ː": "long",
    "ˑ": "half-long",
    "\u0329": "syllabic ('button' [n̩], ARPAbet EN/EL/EM)",
    "\u030d": "syllabic (written above)",
    "\u032f": "non-syllabic (second part of a diphthong)",
    "ʰ": "aspirated",
    "ʲ": "palatalised",
    "ʷ": "labialised",
    "\u0303": "nasalised",
    "\u0325": "voiceless",
    "\u032a": "dental",
}


def equivalences_at(text: str, start: int) -> list[Equivalence]:
    """The rows whose source starts ``text`` at ``start``, longest source first."""
    found = []
    for size in range(min(LONGEST_SOURCE, len(text) - start), 0, -1):
        row = _BY_SOURCE.get(text[start : start + size])
        if row is not None:
            found.append(row)
    return found


def stop_letters(phones: Sequence[str], spelling: str) -> list[str | None]:
    """Per phone, the stop its flap [ɾ] or glottal stop [ʔ] realises as the spelling shows it
    (None for a phone with neither): a flap is the t or d letters nearest its relative place in
    the word (the flap of "editor" is its t, not its d); a glottal stop is /t/ only where the
    word is spelled with a t ("button", not "uh-oh": "" there, so it stays a missing phone).
    Without a spelling both are "t", the stop they most often realise."""
    text = spelling.casefold()
    runs = [
        ((m.start() + m.end()) / 2 / len(text), "t" if "t" in m.group() else "d")
        for m in re.finditer("[td]+", text)
    ]
    letters: list[str | None] = []
    for j, phone in enumerate(phones):
        where = (j + 0.5) / len(phones)
        if FLAP in phone.replace("ɾ̃", ""):
            letters.append(min(runs, key=lambda run: abs(run[0] - where))[1] if runs else "t")
        elif GLOTTAL_STOP in phone:
            letters.append("t" if not text or "t" in text else "")
        else:
            letters.append(None)
    return letters
