"""Words missing from the dictionary get espeak-ng pronunciations in the chosen language, each
listed in a warning; dictionary variants and phones the model lacks are carried and reported."""

from __future__ import annotations

import pytest

from aligner_gui.core.base.labels import LabelSet
from aligner_gui.core.pronunciation.dictionary import parse_dictionary
from aligner_gui.core.pronunciation.g2p import G2PError, espeak_available, espeak_phones
from aligner_gui.core.pronunciation.languages import get_language
from aligner_gui.core.pronunciation.lexicon import phone_transcript

needs_espeak = pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")

# A broad IPA inventory (the phones espeak-ng uses for these four languages, and more).
IPA = (
    "<pad> a aɪ aʊ b d dʒ e eɪ f h i iː j k l m n o oː oʊ p r s t tʃ u uː v w x z "
    "æ ð ŋ ɑ ɑː ɔ ɔː ə ɚ ɛ ɛː ɜː ɡ ɪ ɹ ɾ ʃ ʊ ʌ ʒ θ ɲ ç ʁ ʏ øː yː œ ɐ ɨ "
    "bʲ dʲ fʲ kʲ lʲ mʲ nʲ pʲ rʲ sʲ tʲ vʲ zʲ ɕ ɕː ts β ʝ ɣ ɫ ʂ ʐ x ɵ"
)
LABELS = LabelSet(tuple(dict.fromkeys(IPA.split(" "))), blank=0)


@pytest.mark.parametrize("backend", ["library", "program"])
@pytest.mark.parametrize(
    ("code", "word", "phones"),
    [
        ("eng", "church", ("tʃ", "ɜː", "tʃ")),
        ("deu", "Buch", ("b", "uː", "x")),
        ("spa", "niño", ("n", "i", "ɲ", "o")),
        ("rus", "мир", ("mʲ", "i", "r")),
    ],
)
def test_espeak_pronounces_words_in_four_languages(code, word, phones, backend) -> None:
    if not espeak_available(backend):
        pytest.skip(f"espeak-ng's {backend} is not installed")
    voice = get_language(code).espeak
    assert voice is not None
    assert espeak_phones([word, "ok"], voice, backend)[0] == phones


@pytest.mark.parametrize("backend", ["library", "program"])
def test_an_unknown_voice_is_one_clear_error(backend) -> None:
    if not espeak_available(backend):
        pytest.skip(f"espeak-ng's {backend} is not installed")
    with pytest.raises(G2PError, match="voice 'xx-nowhere'"):
        espeak_phones(["word"], "xx-nowhere", backend)


@needs_espeak
@pytest.mark.parametrize(
    ("code", "text", "known", "unknown"),
    [
        ("eng", "the church", "the\tð ə", "church"),
        ("deu", "das Buch", "das\td a s", "Buch"),
        ("spa", "el niño", "el\te l", "niño"),
        ("rus", "этот мир", "этот\tɛ t ə t", "мир"),
    ],
)
def test_words_missing_from_the_dictionary_are_pronounced_and_listed(
    code, text, known, unknown
) -> None:
    got = phone_transcript(text, LABELS, get_language(code), parse_dictionary([known]))
    first, second = got.words
    assert first.source == "dictionary" and second.source == "g2p"
    assert got.g2p_words == (unknown,)
    assert second.aligned and second.phones[0]
    assert all(
        LABELS.labels[i] == p for i, p in zip(second.variants[0], second.phones[0], strict=True)
    )
    (warning,) = [w for w in got.warnings if "espeak-ng" in w]
    assert f"\u201c{unknown}\u201d" in warning and get_language(code).name in warning
    assert first.original == text.split()[0]  # the words tier keeps the spelling


@needs_espeak
def test_numbers_are_pronounced_as_words_but_shown_as_written() -> None:
    got = phone_transcript("in 1984", LABELS, get_language("eng"))
    assert [w.original for w in got.words] == ["in", "1984"]
    assert len(got.words[1].phones[0]) > 8  # nineteen eighty four


def test_dictionary_variants_and_missing_phones() -> None:
    d = parse_dictionary(
        [
            "either\tIY1 DH ER0",
            "either\tAY1 DH ER0",
            "uh-oh\tʌ ʔ oʊ",  # the glottal stop is not among the model's phones
            "hi\th aɪ",
        ]
    )
    got = phone_transcript("Either, uh-oh hi!", LABELS, get_language("eng"), d)
    either, uh_oh, hi = got.words
    assert either.original == "Either,"
    assert either.phones == (("i", "ð", "ɚ"), ("aɪ", "ð", "ɚ"))
    assert not uh_oh.aligned  # reported, not silently shortened to ʌ oʊ
    assert got.missing_phones == ("ʔ",)
    assert any("ʔ" in w and "uh-oh" in w for w in got.warnings)
    assert any("interpolation" in w and "uh-oh" in w for w in got.warnings)
    assert hi.phones == (("h", "aɪ"),)
    assert got.g2p_words == ()


@needs_espeak
def test_without_a_dictionary_every_word_is_pronounced_and_one_line_says_so() -> None:
    got = phone_transcript("the church", LABELS, get_language("eng"))
    assert got.g2p_words == ("the", "church")
    assert [w.source for w in got.words] == ["g2p", "g2p"]
    (warning,) = got.warnings
    assert warning.startswith("No pronunciation dictionary: every word was pronounced")
