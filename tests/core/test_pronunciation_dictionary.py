"""MFA pronunciation dictionaries: plain and probability formats, variants, comments, bad lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from aligner_gui.core.pronunciation.dictionary import (
    DictionaryError,
    Pronunciation,
    parse_dictionary,
    read_dictionary,
)


def test_plain_tab_and_space_separated_lines_with_variants(tmp_path: Path) -> None:
    path = tmp_path / "english.dict"
    path.write_text(
        ";;; CMUdict-style comment\n"
        "# another comment\n"
        "\n"
        "the\tDH AH0\n"
        "the\tDH IY0\n"
        "THE\tDH AH0\n"  # same pronunciation again (case folded): not a new variant
        "either   IY1 DH ER0\n"
        "either\tAY1  DH  ER0  \r\n"
        "new york\tN UW1 Y AO1 R K\n",
        encoding="utf-8",
    )
    d = read_dictionary(path)
    assert [v.phones for v in d.lookup("The")] == [("DH", "AH0"), ("DH", "IY0")]
    assert [v.phones for v in d.lookup("either,")] == [("IY1", "DH", "ER0"), ("AY1", "DH", "ER0")]
    assert d.lookup("new york")[0].phones == ("N", "UW1", "Y", "AO1", "R", "K")
    assert d.lookup("missing") == ()
    assert "the" in d and "nothing" not in d
    assert len(d) == 3
    assert {"DH", "AH0", "AY1"} <= d.phones


def test_mfa_probability_columns() -> None:
    d = parse_dictionary(
        [
            "hello\t0.99\tHH AH0 L OW1",
            "hello\t0.01\tHH EH0 L OW1",
            "the\t1.0\t0.05\t1.21\t0.88\tDH AH0",
        ]
    )
    first, second = d.lookup("hello")
    assert first == Pronunciation(("HH", "AH0", "L", "OW1"), 0.99)
    assert second.probability == pytest.approx(0.01)
    (the,) = d.lookup("the")
    assert the.phones == ("DH", "AH0")
    assert (the.probability, the.silence_after) == (1.0, 0.05)
    assert (the.silence_before_correction, the.non_silence_before_correction) == (1.21, 0.88)


def test_ipa_dictionary_with_multicharacter_phones() -> None:
    d = parse_dictionary(["church\ttʃ ɜː tʃ", "Straße\tʃ t ʁ aː s ə"])
    assert d.lookup("church")[0].phones == ("tʃ", "ɜː", "tʃ")
    assert d.lookup("STRASSE") == d.lookup("straße")  # full case folding: ß ~ ss
    assert d.lookup("straße")[0].phones[0] == "ʃ"


def test_every_bad_line_is_reported_with_its_number_in_one_message(tmp_path: Path) -> None:
    path = tmp_path / "bad.dict"
    path.write_text(
        "good\tG UH1 D\n"
        "lonely\n"  # line 2: no phones
        "prob\t1.5\tP R AA1 B\n"  # line 3: probability above 1
        "two\t0.5\t0.5\tT UW1\n"  # line 4: two numbers
        "fine\tF AY1 N\n"
        "\tAH0\n",  # line 6: no word
        encoding="utf-8",
    )
    with pytest.raises(DictionaryError) as info:
        read_dictionary(path)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message and "4 bad lines" in message
    for number in (2, 3, 4, 6):
        assert f"line {number}:" in message
    assert "line 1:" not in message and "line 5:" not in message


def test_missing_empty_and_undecodable_files(tmp_path: Path) -> None:
    with pytest.raises(DictionaryError, match="does not exist"):
        read_dictionary(tmp_path / "nope.dict")
    empty = tmp_path / "empty.dict"
    empty.write_text("# only a comment\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match="no pronunciations"):
        read_dictionary(empty)
    latin1 = tmp_path / "latin1.dict"
    latin1.write_bytes("café\tk a f e\n".encode("latin-1"))
    with pytest.raises(DictionaryError, match="not valid UTF-8"):
        read_dictionary(latin1)
