"""TextGrid dialects Praat reads besides ooTextFile: the chronological format, Praat's number
syntax, binary junk named .TextGrid, and absurdly long numbers (no corpus needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aligner_gui.core.base.errors import TextGridError
from aligner_gui.core.io.textgrid import (
    Interval,
    IntervalTier,
    Point,
    PointTier,
    TextGrid,
    format_textgrid,
    parse_textgrid,
    read_textgrid,
    write_textgrid,
)

HEADER = 'File type = "ooTextFile"\nObject class = "TextGrid"\n\n'

GRID = TextGrid(
    0.0,
    2.5,
    (
        IntervalTier(
            "words",
            0.0,
            2.5,
            (Interval(0.0, 1.195, ""), Interval(1.195, 2.5, 'say "hi"\nnow')),
        ),
        PointTier("bell", 0.0, 2.5, (Point(0.1 + 0.2, "ding"), Point(1.195, "dong"))),
    ),
)

# What Praat's TextGrid_writeToChronologicalTextFile writes for GRID: elements by start time,
# then by tier number; a point's line ends with a space; no line break at the end.
GRID_CHRONOLOGICAL = """"Praat chronological TextGrid text file"
0 2.5   ! Time domain.
2   ! Number of tiers.
"IntervalTier" "words" 0 2.5
"TextTier" "bell" 0 2.5

! words:
1 0 1.195
""

! bell:
2 0.30000000000000004 
"ding"

! words:
1 1.195 2.5
"say ""hi""
now"

! bell:
2 1.195 
"dong\""""  # noqa: W291 - Praat ends a point's line with a space


def error_of(text: str) -> TextGridError:
    with pytest.raises(TextGridError) as info:
        parse_textgrid(text, "x.TextGrid")
    return info.value


# --- the chronological format --------------------------------------------------------------


def test_chronological_text_is_exactly_what_praat_writes_and_reads_back() -> None:
    assert format_textgrid(GRID, chronological=True) == GRID_CHRONOLOGICAL
    assert parse_textgrid(GRID_CHRONOLOGICAL) == GRID


def test_chronological_comments_free_layout_and_tiers_listed_in_any_order() -> None:
    text = (
        '"Praat chronological TextGrid text file"\n'
        "0 3 ! domain\n2 ! tiers\n"
        '"IntervalTier" "Mary" 0 3\n"TextTier" "bell" 0.5 2.5\n'
        "! the elements, as a person might type them\n"
        '2 1.5 "ding"\n1 0 1 "a"\n1 1 3\n""\n2 2 "dong"\n'
    )
    assert parse_textgrid(text) == TextGrid(
        0,
        3,
        (
            IntervalTier("Mary", 0, 3, (Interval(0, 1, "a"), Interval(1, 3, ""))),
            PointTier("bell", 0.5, 2.5, (Point(1.5, "ding"), Point(2, "dong"))),
        ),
    )


def test_chronological_file_without_elements_and_with_empty_tiers() -> None:
    text = '"Praat chronological TextGrid text file"\n0 1\n1\n"IntervalTier" "w" 0 1\n'
    assert parse_textgrid(text) == TextGrid(0, 1, (IntervalTier("w", 0, 1, ()),))
    empty = TextGrid(0, 1, ())
    assert parse_textgrid(format_textgrid(empty, chronological=True)) == empty


def test_chronological_writer_keeps_every_element_even_where_praat_would_skip_one() -> None:
    # Two intervals starting at 5 on one tier: Praat's writer (and its sorted tiers) keep one.
    tier = IntervalTier("w", 0, 9, (Interval(5, 5, "zero length"), Interval(5, 9, "next")))
    grid = TextGrid(0, 9, (tier, IntervalTier("v", 0, 9, (Interval(0, 9, "all"),))))
    text = format_textgrid(grid, chronological=True)
    assert parse_textgrid(text) == grid
    assert text.index('"all"') < text.index('"zero length"') < text.index('"next"')


def test_chronological_tier_names_with_line_breaks_stay_out_of_the_comment() -> None:
    grid = TextGrid(0, 1, (IntervalTier("two\nlines", 0, 1, (Interval(0, 1, "x"),)),))
    text = format_textgrid(grid, chronological=True)
    assert "\n! two lines:\n1 0 1\n" in text
    assert parse_textgrid(text) == grid


def test_chronological_utf16_file_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "chrono.TextGrid"
    write_textgrid(GRID, path, encoding="utf-16", chronological=True)
    assert path.read_bytes().startswith(b'\xfe\xff\x00"\x00P\x00r\x00a\x00a\x00t')
    assert read_textgrid(path) == GRID


def test_chronological_cannot_be_short_as_well() -> None:
    with pytest.raises(ValueError, match="short or chronological"):
        format_textgrid(GRID, short=True, chronological=True)


_CHRONO_HEAD = (
    '"Praat chronological TextGrid text file"\n0 2\n2\n"IntervalTier" "w" 0 2\n"TextTier" "p" 0 2\n'
)


@pytest.mark.parametrize(
    ("elements", "line", "reason"),
    [
        (
            '3 0 1 "x"\n',
            6,
            "there is no tier 3 for element 1 (an interval or point): the file has 2 tiers",
        ),
        (
            '1 0 1 "x"\n0 1 "y"\n',
            7,
            "there is no tier 0 for element 2 (an interval or point): the file has 2 tiers",
        ),
        (
            '1 0 1 "x"\n"y"\n',
            7,
            "expected a tier number for element 2 (an interval or point) but found the text"
            " '\"y\"'",
        ),
        (
            "1 0.5 0.25\n",
            6,
            "An interval of tier 1 ('w') ends (0.25 s) before it starts (0.5 s)",
        ),
        (
            "2 1.5\n",
            7,
            "the file ends too early: a quoted text for the mark of a point of tier 2 ('p')"
            " is missing",
        ),
        (
            '1 0 "x"\n',
            6,
            "expected a number for the end time of an interval of tier 1 ('w')"
            " but found the text '\"x\"'",
        ),
    ],
)
def test_chronological_errors_name_the_line_and_reason(
    elements: str, line: int, reason: str
) -> None:
    err = error_of(_CHRONO_HEAD + elements)
    assert (err.line, err.reason) == (line, reason)


def test_chronological_header_errors() -> None:
    head = '"Praat chronological TextGrid text file"\n'
    err = error_of(head + '0 1\n1\n"PitchTier" "f0" 0 1\n')
    assert (err.line, err.reason) == (
        4,
        "tier 1 is a 'PitchTier'; expected IntervalTier or TextTier",
    )
    err = error_of(head + '0 1\n2\n"TextTier" "p" 0 1\n')
    assert err.line == 5  # where the text ends
    assert err.reason == "the file ends too early: a quoted text for the class of tier 2 is missing"
    err = error_of(head + "2 1\n0\n")
    assert (err.line, err.reason) == (2, "The TextGrid ends (1 s) before it starts (2 s)")


# --- Praat's number syntax (getReal, Melder_a8tof) -----------------------------------------


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("35%", 0.01 * 35),  # Praat multiplies by 0.01: 0.35000000000000003, not 0.35
        ("1e2%", 1.0),
        ("5%%", 0.05),
        ("1.%", 0.01),
        ("0x10%", 16.0),  # the percent sign counts only right after a decimal number
        ("1.5e+3x", 1500.0),
        ("1E05", 1e5),
        ("0X1P-2", 0.25),
        ("0x1.8e", 1 + 0x8E / 256),  # in hex, "e" is a digit
        ("0x1p", 1.0),
        ("00x1", 0.0),  # strtod: only a leading "0x" makes hex
        ("1.5.5", 1.5),
        ("1/2/3", 0.5),  # the denominator "2/3" is read as far as it is a number
        ("50%/2", 0.25),
        ("1e-999", 0.0),
    ],
)
def test_number_syntax_as_praat_reads_it(word: str, value: float) -> None:
    tg = parse_textgrid(f'{HEADER}0 {word}\n<exists>\n1\n"TextTier"\n"p"\n0 1\n0\n')
    assert tg.xmax == value


@pytest.mark.parametrize("word", ["1.e", "1e+", "-", "+-1", "0x1p99999"])
def test_number_syntax_praat_cannot_use_is_refused_with_its_line(word: str) -> None:
    err = error_of(f"{HEADER}0\n{word}\n<exists>\n0\n")
    assert err.line == 5
    assert err.reason == f"{word!r} is not a valid number for the TextGrid's end time (xmax)"


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        (f"{HEADER}0\n1\n<exists>\n{'9' * 5000}\n", 7, "the number of tiers"),
        (f"{HEADER}0\n1\n{'9' * 5000}\n", 6, "the TextGrid's tiers"),
        (f"{HEADER}0\n{'9' * 5000}\n<exists>\n0\n", 5, "the TextGrid's end time (xmax)"),
        (
            f'"Praat chronological TextGrid text file"\n0 1\n1\n"TextTier" "p" 0 1\n{"1" * 5000}',
            5,
            "element 1 (an interval or point)",
        ),
    ],
)
def test_a_5000_digit_number_gets_one_clear_line(text: str, line: int, what: str) -> None:
    err = error_of(text)
    assert err.line == line
    assert err.reason.startswith(f"the number for {what} is too long: '")
    assert err.reason.endswith("…'")
    assert len(str(err)) < 150


# --- binary files named .TextGrid ----------------------------------------------------------


def _apple_double() -> bytes:
    """The start of a macOS "._" companion file: magic, version 2, filler, two entries."""
    header = b"\x00\x05\x16\x07\x00\x02\x00\x00" + b"Mac OS X        " + b"\x00\x02"
    entries = b"\x00\x00\x00\x09\x00\x00\x00\x32\x00\x00\x0e\xb0"
    return header + entries + b"\x00" * 40 + b"ATTR\x00\x00\x00\x00com.apple.quarantine\n"


def test_a_macos_appledouble_file_is_refused_on_line_1(tmp_path: Path) -> None:
    path = tmp_path / "._mary.TextGrid"
    path.write_bytes(_apple_double())
    with pytest.raises(TextGridError) as info:
        read_textgrid(path)
    assert (info.value.path, info.value.line) == (path, 1)
    assert "it looks like a macOS AppleDouble resource file" in info.value.reason
    assert str(info.value).startswith(f"{path}, line 1: this is not a TextGrid")


def test_binary_junk_is_refused_on_the_line_of_its_first_nul(tmp_path: Path) -> None:
    path = tmp_path / "junk.TextGrid"
    path.write_bytes(HEADER.encode() + b"0\r\n1\x00\x01\x02")
    with pytest.raises(TextGridError, match="NUL bytes") as info:
        read_textgrid(path)
    assert info.value.line == 5
