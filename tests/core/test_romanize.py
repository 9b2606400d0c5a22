"""Every script reaches a Latin-letter model (MMS_FA) romanised, word by word, and the words keep
their original spelling; numbers are spelled out in the transcript's language first."""

from __future__ import annotations

import pytest

from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS, MMS_FA_LABELS
from aligner_gui.core.io.transcript import tokenize
from aligner_gui.core.pronunciation.languages import LanguageError, get_language, language_name
from aligner_gui.core.pronunciation.romanize import (
    Respeller,
    is_latin_letter_model,
    split_unspaced,
)

CASES = [
    ("rus", "Привет, мир! Москва", ["Привет,", "мир!", "Москва"]),
    ("hin", "नमस्ते दुनिया", ["नमस्ते", "दुनिया"]),
    ("ara", "مرحبا بالعالم", ["مرحبا", "بالعالم"]),
    ("kor", "안녕하세요 세계", ["안녕하세요", "세계"]),
    ("ell", "Γειά σου Κόσμε", ["Γειά", "σου", "Κόσμε"]),
    # No spaces: cut where the script changes (Hiragana | Han | Katakana).
    ("jpn", "こんにちは世界。東京タワー", ["こんにちは", "世界。", "東京", "タワー"]),
    # Mixed scripts on one line, Latin words untouched.
    ("eng", "Hello Мир and 東京 ok", ["Hello", "Мир", "and", "東京", "ok"]),
]


@pytest.mark.parametrize(("code", "text", "words"), CASES, ids=[c[0] for c in CASES])
def test_romanised_words_map_back_to_the_original_words(code, text, words) -> None:
    tok = tokenize(text, MMS_FA_LABELS, respell=Respeller(get_language(code)))
    assert [w.original for w in tok.words] == words
    # Round trip: the pieces of each written word are exactly that word.
    assert "".join(w.original for w in tok.words) == "".join(text.split())
    star = MMS_FA_LABELS.star
    for word in tok.words:
        assert word.aligned, word
        assert star not in word.token_ids, word  # romanised, not starred
        assert word.normalized.isascii() and word.normalized
    assert len(tok.token_word) == len(tok.tokens)
    if code != "eng":
        assert any("romanised" in w for w in tok.warnings)


def test_romanisation_reads_like_the_language() -> None:
    tok = tokenize("Привет мир", MMS_FA_LABELS, respell=Respeller(get_language("rus")))
    assert [w.normalized for w in tok.words] == ["privet", "mir"]
    tok = tokenize("안녕하세요", MMS_FA_LABELS, respell=Respeller(get_language("kor")))
    assert tok.words[0].normalized == "annyeonghaseyo"


def test_numbers_are_words_in_the_transcripts_language() -> None:
    for code, expected in [
        ("eng", "nineteeneightyfour"),
        ("deu", "eintausendneunhundertvierundachtzig"),
        ("spa", "milnovecientosochentaycuatro"),
    ]:
        tok = tokenize("1984", MMS_FA_LABELS, respell=Respeller(get_language(code)))
        assert tok.words[0].original == "1984"
        assert tok.words[0].normalized == expected
    tok = tokenize("the 3rd", ENGLISH_ASR_LABELS, respell=Respeller(get_language("eng")))
    assert [w.normalized for w in tok.words] == ["THE", "THIRD"]
    # Russian numbers are spelled in Cyrillic, then romanised for the Latin model.
    tok = tokenize("1984", MMS_FA_LABELS, respell=Respeller(get_language("rus")))
    assert tok.words[0].normalized.startswith("odna")


def test_without_the_hook_nothing_changes() -> None:
    tok = tokenize("мир 12", MMS_FA_LABELS)
    assert all(w.token_ids == (MMS_FA_LABELS.star,) for w in tok.words)


def test_latin_letter_models_and_unspaced_scripts() -> None:
    assert is_latin_letter_model(MMS_FA_LABELS.labels)
    assert is_latin_letter_model(ENGLISH_ASR_LABELS.labels)
    assert not is_latin_letter_model(("-", *"абвгд"))
    assert not is_latin_letter_model(("<pad>", "aɪ", "ə", "b"))
    assert split_unspaced("東京タワー") == ["東京", "タワー"]
    assert split_unspaced("Москва") == ["Москва"]


def test_language_codes() -> None:
    assert get_language("RUS").name == "Russian"
    assert language_name("jpn") == "Japanese"
    with pytest.raises(LanguageError, match="for German use deu"):
        get_language("de")
