"""Which intervals of the words tier hold a word whose pronunciation G2P guessed (the dictionary
lacked it), and the note their tooltip gives: the user should add them to the dictionary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aligner_gui.core.document.tier_names import WORD_TIER
from aligner_gui.core.pronunciation.languages import DEFAULT_LANGUAGE, language_name

if TYPE_CHECKING:
    from aligner_gui.core.document.document import AlignmentDocument
    from aligner_gui.core.document.provenance import GuessedPronunciation


def guess_note(guesses: Sequence[GuessedPronunciation], language: str | None) -> str:
    """The tooltip of a word G2P pronounced: its forms as aligned (a function word may have
    a citation and a weak form)."""
    name = language_name(language or DEFAULT_LANGUAGE)
    forms = " or ".join(f"/{' '.join(g.phones)}/" for g in guesses)
    return f"pronunciation guessed by espeak-ng ({name}): {forms} — add it to your dictionary"


def guessed_notes(doc: AlignmentDocument | None, tier_name: str) -> dict[str, str]:
    """Word label -> tooltip note, for the words tier only (a word's phones are the guess)."""
    if doc is None or tier_name != WORD_TIER:
        return {}
    info = doc.provenance
    forms: dict[str, list[GuessedPronunciation]] = {}
    for guess in info.guessed:
        forms.setdefault(guess.word, []).append(guess)
    return {word: guess_note(guesses, info.language) for word, guesses in forms.items()}


def marked_intervals(labels: Sequence[str], notes: dict[str, str]) -> dict[int, str]:
    """Interval index -> note, for every interval labelled with a guessed word (a relabelled word
    is the user's: it loses its mark)."""
    if not notes:
        return {}
    return {i: notes[label] for i, label in enumerate(labels) if label in notes}
