"""English weak forms: how function words are said in running speech.

G2P pronounces each word alone, in its citation (strong) form: "a" /eɪ/, "to" /tu/, "of" /ʌv/.
In running speech these words are nearly always reduced: /ə/, /tə/, /əv/. A phone model hears the
schwa, and a forced alignment to /eɪ/ denies the model on every frame of it: the word's edges
drift and the review queue suspects a word that is right. Offered as further variants (the
aligner chooses one per token, as it does among a dictionary's variants), each word takes the form
that was said. Only for words pronounced by G2P: a user's dictionary says what it means.

The forms are General American, after the usual lists of weak forms (Cruttenden, *Gimson's
Pronunciation of English*, "weak forms"; Wells, *Longman Pronunciation Dictionary*). Clitics that
are not separate words in a transcript ('s, 'll, 've) are not listed; nor are forms that differ
from the citation form only by stress.
"""

from __future__ import annotations

_FORMS = {
    "a": ("ə",),
    "an": ("ə n",),
    "and": ("ə n d", "ə n"),
    "are": ("ɚ",),
    "as": ("ə z",),
    "at": ("ə t",),
    "been": ("b ɪ n",),
    "but": ("b ə t",),
    "can": ("k ə n",),
    "could": ("k ə d",),
    "do": ("d ə",),
    "does": ("d ə z",),
    "for": ("f ɚ",),
    "from": ("f ɹ ə m",),
    "had": ("h ə d", "ə d"),
    "has": ("h ə z", "ə z"),
    "have": ("h ə v", "ə v"),
    "he": ("i",),
    "her": ("h ɚ", "ɚ"),
    "him": ("ɪ m",),
    "his": ("ɪ z",),
    "just": ("dʒ ə s t",),
    "must": ("m ə s t",),
    "of": ("ə v", "ə"),
    "or": ("ɚ",),
    "shall": ("ʃ ə l",),
    "should": ("ʃ ə d",),
    "some": ("s ə m",),
    "than": ("ð ə n",),
    "that": ("ð ə t",),
    "the": ("ð ə", "ð i"),
    "them": ("ð ə m",),
    "there": ("ð ɚ",),
    "to": ("t ə",),
    "us": ("ə s",),
    "was": ("w ə z",),
    "were": ("w ɚ",),
    "would": ("w ə d",),
    "you": ("j ə",),
    "your": ("j ɚ",),
}
WEAK_FORMS: dict[str, tuple[tuple[str, ...], ...]] = {
    word: tuple(tuple(form.split()) for form in forms) for word, forms in _FORMS.items()
}
LANGUAGES = ("eng",)  # ISO 639-3 codes the table is for


def weak_forms(word: str, language: str) -> tuple[tuple[str, ...], ...]:
    """The weak forms (IPA phones) of ``word`` in ``language``; none for a content word."""
    if language not in LANGUAGES:
        return ()
    return WEAK_FORMS.get(word.lower().strip(".,;:!?\"'()"), ())
