"""The words tier's note on a word G2P pronounced names every form it was aligned with."""

from __future__ import annotations

from aligner_gui.core.document.provenance import GuessedPronunciation
from aligner_gui.qt.views.guessed_marks import guess_note


def test_a_word_with_a_citation_and_a_weak_form_shows_both() -> None:
    note = guess_note(
        [GuessedPronunciation("the", ("ð", "ə")), GuessedPronunciation("the", ("ð", "i"))], "eng"
    )
    assert note == (
        "pronunciation guessed by espeak-ng (English): /ð ə/ or /ð i/ — add it to your dictionary"
    )
    one = guess_note([GuessedPronunciation("cat", ("k", "æ", "t"))], None)
    assert one.endswith(": /k æ t/ — add it to your dictionary")
