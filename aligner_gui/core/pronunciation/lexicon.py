"""A transcript as phones in a phone model's labels: every word with its pronunciation variants.

Each word is looked up in the dictionary (all its variants); words it lacks, or every word when
there is no dictionary, get espeak-ng's pronunciation in the chosen language and are listed in a
warning (and in ``g2p_words``, for the editor to mark) so the user can add them to the
dictionary. Numbers are spelled out first ("1984" -> the pronunciations of "nineteen eighty
four", one word on the words tier). Dictionary phones are spelled in the model's phones
(:class:`~aligner_gui.core.pronunciation.phone_sets.PhoneInventory`); a variant with a phone the
model lacks is reported and set aside, and a word left with no variant is interpolated, flagged
and reported, like a word without alignable letters.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aligner_gui.core.base.errors import TranscriptError
from aligner_gui.core.base.labels import LabelSet
from aligner_gui.core.pronunciation.dictionary import Pronunciation, PronunciationDictionary
from aligner_gui.core.pronunciation.g2p import G2PError, espeak_phones
from aligner_gui.core.pronunciation.languages import Language
from aligner_gui.core.pronunciation.numbers import expand_numbers, has_digits
from aligner_gui.core.pronunciation.phone_sets import PhoneInventory, PhoneMapping
from aligner_gui.core.pronunciation.romanize import split_unspaced
from aligner_gui.core.pronunciation.scripts import unread_scripts, unread_warning
from aligner_gui.core.pronunciation.weak_forms import weak_forms

G2P = Callable[[Sequence[str], str], list[tuple[str, ...]]]
MAX_VARIANTS = 8  # per word, after combining the parts of a spelled-out number
_MAX_LISTED = 12


@dataclass(frozen=True)
class PhoneWord:
    original: str  # as written; what the words tier shows
    variants: tuple[tuple[int, ...], ...]  # label ids, one tuple per pronunciation
    phones: tuple[tuple[str, ...], ...]  # the same in the model's phone labels
    source: str  # "dictionary", "g2p" or "" (no pronunciation)
    # Per variant: log of its dictionary probability relative to the word's likeliest (0 = as
    # likely; MFA's pronunciation probabilities), summed over the parts of a spelled number.
    priors: tuple[float, ...] = ()
    # Per variant: MFA's silence probabilities (after the word; correction factors before it),
    # None where the dictionary gives none. Empty when no variant has them.
    silences: tuple[tuple[float | None, float | None, float | None], ...] = ()

    @property
    def aligned(self) -> bool:
        return bool(self.variants)


@dataclass(frozen=True)
class PhoneTranscript:
    words: tuple[PhoneWord, ...]
    warnings: tuple[str, ...]
    g2p_words: tuple[str, ...]  # words pronounced by G2P: candidates for the user's dictionary
    missing_phones: tuple[str, ...]  # dictionary/G2P phones the model has no label for


def phone_transcript(
    text: str,
    labels: LabelSet,
    language: Language,
    dictionary: PronunciationDictionary | None = None,
    *,
    g2p: G2P = espeak_phones,
) -> PhoneTranscript:
    special = {labels.blank, labels.star, labels.delimiter_index}
    ids = {lab: i for i, lab in enumerate(labels.labels) if i not in special}
    inventory = PhoneInventory(ids)
    pieces = [p for token in text.split() for p in split_unspaced(token)]
    pieces = [p for p in pieces if _has_content(p)]
    if not pieces:
        raise TranscriptError("The transcript has no words, only punctuation.")
    # Each piece as the words to pronounce (a number becomes several).
    parts: list[list[str]] = []
    for piece in pieces:
        spelled = expand_numbers(piece, language) if has_digits(piece) else None
        parts.append(_lookup_words(spelled or piece))
    wanted = {w for ws in parts for w in ws if dictionary is None or not dictionary.lookup(w)}
    # Words the voice would read letter by letter get no G2P pronunciation (see scripts.py).
    unread = {w for w in wanted if unread_scripts(w, language)}
    wanted -= unread
    warnings: list[str] = []
    in_order = [w for ws in parts for w in ws if w in unread]
    script_warning = unread_warning(in_order, language)
    if script_warning:
        warnings.append(script_warning)
    generated: dict[str, tuple[str, ...]] = {}
    if wanted:
        order = sorted(wanted)
        voice = language.espeak or "en-us"
        try:
            generated = dict(zip(order, g2p(order, voice), strict=True))
        except G2PError as exc:
            warnings.append(str(exc))
    words: list[PhoneWord] = []
    g2p_words: list[str] = []
    missing: dict[str, list[str]] = {}
    unpronounced: list[str] = []
    for piece, subwords in zip(pieces, parts, strict=True):
        per_part: list[list[tuple[tuple[str, ...], float, Pronunciation | None]]] = []
        source = "dictionary"
        for sub in subwords:
            entries = dictionary.lookup(sub) if dictionary is not None else ()
            top = max((v.probability for v in entries), default=1.0)
            found: list[tuple[tuple[str, ...], float, Pronunciation | None]] = [
                (v.phones, math.log(v.probability / top), v) for v in entries
            ]
            if not found and generated.get(sub):
                # Citation form first; running speech's weak forms as equal alternatives.
                found = [(generated[sub], 0.0, None)]
                found += [
                    (form, 0.0, None)
                    for form in weak_forms(sub, language.code)
                    if form != generated[sub]
                ]
                source = "g2p"
            per_part.append(found)
        if not all(per_part):
            if not unread.intersection(subwords):  # those are named by the script warning
                unpronounced.append(_quote(piece))
            words.append(PhoneWord(piece, (), (), "", ()))
            continue
        variants: list[tuple[int, ...]] = []
        in_labels: list[tuple[str, ...]] = []
        priors: list[float] = []
        silences: list[tuple[float | None, float | None, float | None]] = []
        for combo in itertools.islice(itertools.product(*per_part), MAX_VARIANTS):
            # Part by part with its spelling, which decides whether a flap is t or d.
            parts_mapped = [
                inventory.map_phones(phones, sub)
                for (phones, _, _), sub in zip(combo, subwords, strict=True)
            ]
            mapping = PhoneMapping(
                tuple(lab for m in parts_mapped for lab in m.labels),
                tuple(p for m in parts_mapped for p in m.missing),
            )
            for phone in mapping.missing:
                missing.setdefault(phone, [])
                if _quote(piece) not in missing[phone]:
                    missing[phone].append(_quote(piece))
            if mapping.missing or not mapping.labels:
                continue
            tokens = tuple(ids[lab] for lab in mapping.labels)
            if tokens not in variants:
                variants.append(tokens)
                in_labels.append(mapping.labels)
                priors.append(sum(prior for _, prior, _ in combo))
                # A spelled-out number: silence after its last part, before its first.
                first, last = combo[0][2], combo[-1][2]
                silences.append(
                    (
                        last.silence_after if last else None,
                        first.silence_before_correction if first else None,
                        first.non_silence_before_correction if first else None,
                    )
                )
        if not variants:
            unpronounced.append(_quote(piece))
        elif source == "g2p":
            g2p_words.append(piece)
        words.append(
            PhoneWord(
                piece,
                tuple(variants),
                tuple(in_labels),
                source if variants else "",
                tuple(priors),
                tuple(silences) if any(x is not None for sil in silences for x in sil) else (),
            )
        )
    if g2p_words and dictionary is None:
        warnings.append(
            f"No pronunciation dictionary: every word was pronounced by espeak-ng "
            f"({language.name}); give one with --dictionary to control the phones."
        )
    elif g2p_words:
        warnings.append(
            _listed(
                f"Not in the dictionary, pronounced by espeak-ng ({language.name}); add them to "
                "the dictionary to control their phones",
                [_quote(w) for w in g2p_words],
            )
        )
    if missing:
        detail = [f"{phone} (in {', '.join(ws[:3])})" for phone, ws in missing.items()]
        warnings.append(
            _listed("Phones the model does not have (variants using them are not aligned)", detail)
        )
    if unpronounced:
        warnings.append(
            _listed(
                "No usable pronunciation; these words will be placed by interpolation and flagged",
                unpronounced,
            )
        )
    if not any(w.aligned for w in words):
        if unread and all(unread.intersection(ws) for ws in parts):
            whole = unread_warning(in_order, language, whole_transcript=True)
            raise TranscriptError(whole or "")
        raise TranscriptError(
            "No word of the transcript has a pronunciation in the model's phones. "
            + " ".join(warnings)
        )
    return PhoneTranscript(tuple(words), tuple(warnings), tuple(g2p_words), tuple(missing))


def _lookup_words(text: str) -> list[str]:
    """The words to pronounce: lower case, without surrounding punctuation (inner apostrophes and
    hyphens stay: "don't", "well-known" are dictionary entries)."""
    out = []
    for word in text.split():
        core = "".join(c for c in word if _is_word_char(c) or c in "'’-")
        core = core.strip("'’-").replace("’", "'")
        if core:
            out.append(core.casefold())
    return out


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


def _has_content(piece: str) -> bool:
    return any(_is_word_char(c) for c in piece)


def _quote(word: str) -> str:
    return f"\u201c{word}\u201d"


def _listed(message: str, items: list[str]) -> str:
    more = len(items) - _MAX_LISTED
    return f"{message}: {', '.join(items[:_MAX_LISTED])}" + (
        f" and {more} more." if more > 0 else "."
    )
