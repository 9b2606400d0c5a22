"""A word in a script its language's espeak-ng voice does not read gets no G2P pronunciation
(espeak-ng would read its letters' names: "Chinese letter"), and one line says which language
would read it; a transcript of nothing else is one clear error."""

from __future__ import annotations

import pytest

from aligner_gui.core.base.errors import TranscriptError
from aligner_gui.core.base.labels import LabelSet
from aligner_gui.core.pronunciation.g2p import espeak_available, espeak_phones
from aligner_gui.core.pronunciation.languages import get_language
from aligner_gui.core.pronunciation.lexicon import phone_transcript
from aligner_gui.core.pronunciation.scripts import script_of, unread_scripts, unread_warning

LABELS = LabelSet(("<pad>", "h", "ə", "l", "oʊ", "w", "ɝ", "d", "m", "i", "r"), blank=0)


@pytest.mark.parametrize(
    ("char", "script"),
    [
        ("a", "Latin"),
        ("ß", "Latin"),
        ("ж", "Cyrillic"),
        ("λ", "Greek"),
        ("ש", "Hebrew"),
        ("ب", "Arabic"),
        ("真", "Han"),
        ("な", "Hiragana"),
        ("キ", "Katakana"),
        ("ー", "Katakana"),
        ("한", "Hangul"),
        ("7", None),
        ("'", None),
        ("\u0301", None),  # a combining accent is not a letter
    ],
)
def test_the_script_of_a_letter(char: str, script: str | None) -> None:
    assert script_of(char) == script


@pytest.mark.parametrize(
    ("word", "code", "unread"),
    [
        ("church", "eng", ()),
        ("мир", "eng", ("Cyrillic",)),
        ("мир", "rus", ()),
        ("hello", "rus", ()),  # the Russian voice switches to English for a Latin word
        ("hello", "jpn", ("Latin",)),  # the Japanese one spells it out
        ("真っ昼間", "eng", ("Han", "Hiragana")),
        ("真っ昼間", "jpn", ("Han",)),  # the Japanese voice reads kana, not kanji
        ("キャンプ", "jpn", ()),
        ("真", "cmn", ()),
        ("שלום", "ara", ("Hebrew",)),
        ("O'Brien-7", "eng", ()),
    ],
)
def test_which_scripts_a_voice_does_not_read(word: str, code: str, unread: tuple) -> None:
    assert unread_scripts(word, get_language(code)) == unread


def test_the_warning_names_the_words_and_the_languages_that_read_them() -> None:
    eng = get_language("eng")
    assert unread_warning(["the", "church"], eng) is None
    line = unread_warning(["hello", "Привет", "мир", "мир"], eng)
    assert line is not None and "\n" not in line
    assert "English voice reads Cyrillic letters by their names" in line
    assert "“Привет”, “мир”." in line and "hello" not in line
    assert "Russian (rus)" in line and "dictionary" in line
    kanji = unread_warning(["真っ昼間", "キャンプ"], get_language("jpn"))
    assert kanji is not None and "“真っ昼間”" in kanji and "キャンプ" not in kanji
    assert "write them in kana" in kanji and "Mandarin" not in kanji
    mixed = unread_warning(["真っ昼間", "キャンプ"], eng, whole_transcript=True)
    assert mixed is not None
    assert mixed.startswith("The transcript is written in Han, Hiragana and Katakana letters")
    assert "Japanese (jpn), whose voice reads the Hiragana and Katakana" in mixed
    many = unread_warning([f"мир{i}" for i in range(11)], eng)
    assert many is not None and "and 3 more" in many


def test_unread_words_are_not_given_to_g2p_and_are_flagged() -> None:
    asked: list[str] = []

    def g2p(words, voice):
        asked.extend(words)
        return [{"hello": ("h", "ə", "l", "oʊ"), "world": ("w", "ɝ", "l", "d")}[w] for w in words]

    got = phone_transcript("hello мир world", LABELS, get_language("eng"), g2p=g2p)
    assert sorted(asked) == ["hello", "world"]
    assert [w.aligned for w in got.words] == [True, False, True]
    assert got.warnings[0].startswith("espeak-ng's English voice reads Cyrillic letters")
    # The word is named once, by the line that says why, not again as "no usable pronunciation".
    assert sum("мир" in w for w in got.warnings) == 1


def test_a_transcript_the_voice_cannot_read_at_all_is_one_clear_error() -> None:
    def g2p(words, voice):
        raise AssertionError(f"G2P asked for {words}")

    with pytest.raises(TranscriptError) as error:
        phone_transcript("真っ昼間 なのに キャンプ", LABELS, get_language("eng"), g2p=g2p)
    message = str(error.value)
    assert message.startswith("The transcript is written in Han, Hiragana and Katakana letters")
    assert "Japanese (jpn)" in message and "\n" not in message


@pytest.mark.parametrize("backend", ["library", "program"])
def test_espeak_language_switches_are_not_phones(backend: str) -> None:
    if not espeak_available(backend):
        pytest.skip(f"espeak-ng's {backend} is not installed")
    # The Russian voice reads "hello" as English, between "(en)" and "(ru)" markers.
    (phones,) = espeak_phones(["hello"], get_language("rus").espeak or "ru", backend)
    assert phones and not any("(" in p or ")" in p for p in phones)
    assert phones[0] == "h"
