"""TextGrid model, reader, writers, fill_gaps and the JSON/CSV converter (no corpus needed)."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aligner_gui.core.base.errors import AlignerError, TextGridError
from aligner_gui.core.document.document import AlignmentDocument
from aligner_gui.core.export.document_json import document_to_json_dict
from aligner_gui.core.export.outputs import convert_file, document_to_csv
from aligner_gui.core.io.textgrid import (
    Interval,
    IntervalTier,
    Point,
    PointTier,
    TextGrid,
    fill_gaps,
    format_textgrid,
    parse_textgrid,
    read_textgrid,
    write_textgrid,
)

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
        PointTier("bell", 0.0, 2.5, (Point(0.1 + 0.2, "ding"),)),
    ),
)

GRID_LONG = """File type = "ooTextFile"
Object class = "TextGrid"

xmin = 0 
xmax = 2.5 
tiers? <exists> 
size = 2 
item []: 
    item [1]:
        class = "IntervalTier" 
        name = "words" 
        xmin = 0 
        xmax = 2.5 
        intervals: size = 2 
        intervals [1]:
            xmin = 0 
            xmax = 1.195 
            text = "" 
        intervals [2]:
            xmin = 1.195 
            xmax = 2.5 
            text = "say ""hi""
now" 
    item [2]:
        class = "TextTier" 
        name = "bell" 
        xmin = 0 
        xmax = 2.5 
        points: size = 1 
        points [1]:
            number = 0.30000000000000004 
            mark = "ding" 
"""  # noqa: W291 - Praat ends these lines with a space

GRID_SHORT = """File type = "ooTextFile"
Object class = "TextGrid"

0
2.5
<exists>
2
"IntervalTier"
"words"
0
2.5
2
0
1.195
""
1.195
2.5
"say ""hi""
now"
"TextTier"
"bell"
0
2.5
1
0.30000000000000004
"ding"
"""

HEADER = 'File type = "ooTextFile"\nObject class = "TextGrid"\n\n'


def one_tier(
    start_end: str = "0 1", label: str = '""', tier: str = "0 1", grid: str = "0 1"
) -> str:
    """A short-format one-interval grid whose pieces a test can replace."""
    return f'{HEADER}{grid}\n<exists>\n1\n"IntervalTier"\n"w"\n{tier}\n1\n{start_end}\n{label}\n'


def error_of(text: str) -> TextGridError:
    with pytest.raises(TextGridError) as info:
        parse_textgrid(text, "x.TextGrid")
    return info.value


def ivs(tier: IntervalTier | PointTier) -> tuple[Interval, ...]:
    assert isinstance(tier, IntervalTier)
    return tier.intervals


def pts(tier: IntervalTier | PointTier) -> tuple[Point, ...]:
    assert isinstance(tier, PointTier)
    return tier.points


# --- model ---------------------------------------------------------------------------------


def test_tier_lookup_returns_the_first_of_duplicate_names_and_lists_names_when_missing() -> None:
    first = IntervalTier("Mary", 0, 1, (Interval(0, 1, "a"),))
    second = IntervalTier("Mary", 0, 1, (Interval(0, 1, "b"),))
    tg = TextGrid(0, 1, (first, second, PointTier("bell", 0, 1, ())))
    assert tg.tier("Mary") is first
    assert tg.tier("bell").name == "bell"
    with pytest.raises(KeyError, match="'Mary', 'Mary', 'bell'"):
        tg.tier("John")


def test_sequences_are_stored_as_tuples_so_equal_grids_compare_equal() -> None:
    tier = IntervalTier("w", 0, 1, [Interval(0, 1, "a")])  # type: ignore[arg-type]
    assert tier.intervals == (Interval(0, 1, "a"),)
    assert TextGrid(0, 1, [tier]) == TextGrid(0, 1, (tier,))  # type: ignore[arg-type]


# --- writer --------------------------------------------------------------------------------


def test_long_format_is_exactly_what_praat_writes() -> None:
    assert format_textgrid(GRID) == GRID_LONG


def test_short_format_is_exactly_what_praat_writes() -> None:
    assert format_textgrid(GRID, short=True) == GRID_SHORT


def test_both_formats_read_back_to_the_same_grid() -> None:
    assert parse_textgrid(GRID_LONG) == GRID
    assert parse_textgrid(GRID_SHORT) == GRID


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (1.0, "1"),
        (1358.8925, "1358.8925"),
        (1372.6225001, "1372.6225001"),
        (0.1 + 0.2, "0.30000000000000004"),
        (0.10000000000000007, "0.10000000000000007"),
        (1e-7, "1e-07"),
        (-2.5, "-2.5"),
    ],
)
def test_numbers_are_written_like_praat_with_full_precision(value: float, text: str) -> None:
    tg = TextGrid(0, 10, (PointTier("p", 0, 10, (Point(value, ""),)),))
    assert f"            number = {text} \n" in format_textgrid(tg)
    assert pts(parse_textgrid(format_textgrid(tg)).tiers[0])[0].time == value


def test_writing_a_non_finite_time_is_refused() -> None:
    with pytest.raises(ValueError, match="non-finite"):
        format_textgrid(TextGrid(0, math.inf, ()))


def test_a_grid_without_tiers_round_trips() -> None:
    empty = TextGrid(0, 3, ())
    assert "size = 0 \nitem []: (empty)\n" in format_textgrid(empty)
    assert parse_textgrid(format_textgrid(empty)) == empty
    assert parse_textgrid(format_textgrid(empty, short=True)) == empty


def test_carriage_returns_in_labels_are_written_as_line_feeds_like_praat_reads_them() -> None:
    tg = TextGrid(0, 1, (IntervalTier("w", 0, 1, (Interval(0, 1, "a\r\nb\rc"),)),))
    assert '"a\nb\nc"' in format_textgrid(tg)
    assert ivs(parse_textgrid(format_textgrid(tg)).tiers[0])[0].label == "a\nb\nc"


def test_write_utf8_has_no_bom_and_utf16_is_big_endian_with_bom(tmp_path: Path) -> None:
    utf8, utf16 = tmp_path / "a.TextGrid", tmp_path / "b.TextGrid"
    write_textgrid(GRID, utf8)
    write_textgrid(GRID, utf16, encoding="utf-16")
    assert utf8.read_bytes() == GRID_LONG.encode("utf-8")
    assert utf16.read_bytes() == b"\xfe\xff" + GRID_LONG.encode("utf-16-be")
    assert read_textgrid(utf8) == GRID
    assert read_textgrid(utf16) == GRID
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.TextGrid", "b.TextGrid"]


def test_write_refuses_unknown_encodings_and_reports_unwritable_paths(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="latin-1"):
        write_textgrid(GRID, tmp_path / "a.TextGrid", encoding="latin-1")
    missing_dir = tmp_path / "no" / "such" / "dir" / "a.TextGrid"
    with pytest.raises(AlignerError, match="cannot be written") as info:
        write_textgrid(GRID, missing_dir)
    assert str(missing_dir) in str(info.value)


# --- reader: Praat's free format -----------------------------------------------------------


def test_minimal_text_with_comments_and_bare_words_is_read() -> None:
    text = (
        '"ooTextFile"\n"TextGrid"\n0  2.3  ! time domain of the grid\n<exists>\n2 tiers\n'
        '"IntervalTier"  "Mary"  ! type and name\n0 2.3\n1 interval coming\n0 2.3 "a b" !x\n'
        '"TextTier" "bell"\n0 2.3\n1 point\n1.5 "ding"\n'
    )
    tg = parse_textgrid(text)
    assert tg == TextGrid(
        0,
        2.3,
        (
            IntervalTier("Mary", 0, 2.3, (Interval(0, 2.3, "a b"),)),
            PointTier("bell", 0, 2.3, (Point(1.5, "ding"),)),
        ),
    )


def test_elan_style_labels_without_colon_and_tab_indentation_are_read() -> None:
    text = GRID_LONG.replace("intervals [1]:", "intervals [1]").replace("    ", "\t")
    assert parse_textgrid(text) == GRID


def test_old_short_header_and_missing_exists_flag_are_accepted() -> None:
    text = 'File type = "ooTextFile short"\n"TextGrid"\n\n0\n1\n1\n"TextTier"\n"p"\n0\n1\n0\n'
    assert parse_textgrid(text) == TextGrid(0, 1, (PointTier("p", 0, 1, ()),))


def test_absent_flag_means_no_tiers() -> None:
    assert parse_textgrid(f"{HEADER}0\n1\n<absent>\n") == TextGrid(0, 1, ())


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("2e1ignored", 20.0),
        ("5e-1", 0.5),
        ("1.", 1.0),
        ("+1.25", 1.25),
        ("1/4", 0.25),
        ("50%", 0.5),
        ("0x1.8p+0", 1.5),
        ("+0x3.", 3.0),
        ("100ms", 100.0),
        ("-0", 0.0),
    ],
)
def test_number_syntax_that_praat_accepts(word: str, value: float) -> None:
    tg = parse_textgrid(one_tier(tier=f"0 {word}", start_end=f"0 {word}", grid=f"0 {word}"))
    assert (tg.xmax, tg.tiers[0].xmax, ivs(tg.tiers[0])[0].end) == (value,) * 3


def test_a_lone_plus_is_skipped_like_praat_does() -> None:
    assert parse_textgrid(one_tier(grid="0 + 1")).xmax == 1.0


@pytest.mark.parametrize("word", ["+.0", "0e", "2.1E", "1/0", "1e999", "--1"])
def test_number_syntax_that_praat_cannot_use_is_refused_on_its_line(word: str) -> None:
    err = error_of(one_tier(start_end=f"0\n{word}"))
    assert err.line == 12
    assert repr(word) in err.reason
    assert "not a valid number for the end time of interval 1 of tier 1 ('w')" in err.reason


def test_numbers_with_strange_characters_or_too_long_are_refused() -> None:
    assert "contains 'µ'" in error_of(one_tier(grid="0 1µs")).reason
    err = error_of(one_tier(grid="0 1" + "0" * 40))
    assert (err.line, "too long" in err.reason) == (4, True)


def test_a_word_not_starting_like_a_number_is_skipped_so_the_next_token_is_wrong() -> None:
    # Praat skips ".5" as a comment word, so the next number found is on the following line.
    err = error_of(f"{HEADER}0\n.5\n<exists>\n")
    assert err.line == 6
    assert err.reason == "expected a number for the TextGrid's end time (xmax) but found '<exists>'"


# --- reader: strings -----------------------------------------------------------------------


def test_quotes_newlines_and_unicode_in_labels_and_names() -> None:
    text = one_tier(label='"""q"" ""\nzweite Zeile ř̝ 😀"').replace('"w"', '"my ""tier"""')
    tg = parse_textgrid(text)
    assert tg.tiers[0].name == 'my "tier"'
    assert ivs(tg.tiers[0])[0].label == '"q" "\nzweite Zeile ř̝ 😀'


def test_a_closing_quote_followed_by_a_letter_is_refused_on_that_line() -> None:
    err = error_of(one_tier(label='"ab\ncd"x'))
    assert err.line == 13
    assert "followed by 'x'" in err.reason


def test_an_unterminated_text_is_reported_where_it_starts() -> None:
    err = error_of(one_tier(label='"never closed\n\n\n'))
    assert err.line == 12
    assert "never ends" in err.reason


# --- reader: errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (
            one_tier(start_end="0.5 0.25"),
            11,
            "Interval 1 of tier 1 ('w') ends (0.25 s) before it starts (0.5 s)",
        ),
        (
            one_tier(tier="1 0").replace('"w"', '"Words"'),
            9,
            "Tier 1 ('Words') ends (0 s) before it starts (1 s)",
        ),
        (
            one_tier(start_end="1372.6225001 1372.6225"),
            11,
            "Interval 1 of tier 1 ('w') ends (1372.6225 s) before it starts (1372.6225001 s)",
        ),
        (one_tier(grid="2 1"), 4, "The TextGrid ends (1 s) before it starts (2 s)"),
        (
            one_tier().replace('"IntervalTier"', '"PitchTier"'),
            7,
            "tier 1 is a 'PitchTier'; expected IntervalTier or TextTier",
        ),
        (
            one_tier().replace("\n1\n0 1\n", "\n-1\n0 1\n"),
            10,
            "-1 is not a possible count for the number of intervals of tier 1 ('w')",
        ),
        (
            one_tier(label="label"),
            13,
            "the file ends too early: a quoted text for the text of interval 1 of tier 1 ('w')"
            " is missing",
        ),
        (
            one_tier(label="12"),
            12,
            "expected a quoted text for the text of interval 1 of tier 1 ('w') but found '12'",
        ),
        (
            one_tier(grid='0 "one"'),
            4,
            "expected a number for the TextGrid's end time (xmax) but found the text '\"one\"'",
        ),
        (
            one_tier().replace("<exists>", "<maybe>"),
            5,
            "expected <exists> for the TextGrid's tiers but found '<maybe>'",
        ),
        (
            HEADER.replace('"TextGrid"', '"PitchTier"') + "0 1\n",
            2,
            "this is a Praat PitchTier file, not a TextGrid",
        ),
        (
            "Praat chronological TextGrid text file\n0 1\n",
            1,
            "this is not a Praat text file (its first line should mention ooTextFile)",
        ),
        (
            'File type = "ooBinaryFile"\n',
            1,
            "this is a binary Praat file (its first line should mention ooTextFile)",
        ),
        ("\n \n", None, "the file is empty"),
    ],
)
def test_malformed_text_is_refused_with_line_and_reason(
    text: str, line: int | None, reason: str
) -> None:
    err = error_of(text)
    assert (err.line, err.reason) == (line, reason)
    where = "x.TextGrid" if line is None else f"x.TextGrid, line {line}"
    assert str(err) == f"{where}: {reason}"


def test_odd_but_valid_grids_are_kept_exactly_as_written() -> None:
    text = (
        f'{HEADER}0\n10\n<exists>\n1\n"IntervalTier"\n"w"\n1\n9\n4\n'
        '2 3 "starts after tier xmin"\n2.9999999 4 "overlaps by 1e-7"\n5 5 "zero length"\n'
        '6 12 "ends after tier xmax"\n'
    )
    tier = parse_textgrid(text).tiers[0]
    assert (tier.xmin, tier.xmax) == (1, 9)
    assert ivs(tier) == (
        Interval(2, 3, "starts after tier xmin"),
        Interval(2.9999999, 4, "overlaps by 1e-7"),
        Interval(5, 5, "zero length"),
        Interval(6, 12, "ends after tier xmax"),
    )


# --- reader: files and encodings -----------------------------------------------------------


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"),
        lambda s: b"\xff\xfe" + s.encode("utf-16-le"),
        lambda s: b"\xfe\xff" + s.encode("utf-16-be"),
        lambda s: s.replace("\n", "\r\n").encode("utf-8"),
        lambda s: s.replace("\n", "\r").encode("utf-8"),
        lambda s: s.rstrip("\n").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "crlf", "cr", "no-final-newline"],
)
def test_encodings_and_line_endings(tmp_path: Path, encode: Callable[[str], bytes]) -> None:
    path = tmp_path / "g.TextGrid"
    path.write_bytes(encode(GRID_LONG.replace("ding", "ding ɰɻχʕ")))
    tier = read_textgrid(path).tiers[1]
    assert pts(tier) == (Point(0.30000000000000004, "ding ɰɻχʕ"),)
    assert ivs(read_textgrid(path).tiers[0])[1].label == 'say "hi"\nnow'


def test_error_lines_count_crlf_and_cr_line_breaks(tmp_path: Path) -> None:
    for newline in ("\r\n", "\r"):
        path = tmp_path / "bad.TextGrid"
        path.write_bytes(one_tier(start_end="0\n<x>").replace("\n", newline).encode())
        with pytest.raises(TextGridError) as info:
            read_textgrid(path)
        assert info.value.line == 12


def test_latin1_is_the_fallback_only_for_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "l.TextGrid"
    path.write_bytes(one_tier(label='"caf\xe9"').encode("latin-1"))
    assert ivs(read_textgrid(path).tiers[0])[0].label == "café"
    path.write_bytes(one_tier(label='"caf\xe9"').encode("utf-8"))
    assert ivs(read_textgrid(path).tiers[0])[0].label == "café"


def test_unreadable_and_nul_files_give_user_errors(tmp_path: Path) -> None:
    missing = tmp_path / "missing.TextGrid"
    with pytest.raises(TextGridError, match="cannot be read") as info:
        read_textgrid(missing)
    assert (info.value.path, info.value.line) == (missing, None)
    bom_less = tmp_path / "u16.TextGrid"
    bom_less.write_bytes(GRID_LONG.encode("utf-16-le"))
    with pytest.raises(TextGridError, match="NUL bytes"):
        read_textgrid(bom_less)


# --- round trip ----------------------------------------------------------------------------

_times = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
# Praat cannot hold NUL, and it reads every CR as LF; surrogates cannot be encoded.
_labels = st.text(st.characters(codec="utf-8", exclude_characters="\r\x00"))


@st.composite
def _grids(draw: st.DrawFn) -> TextGrid:
    tiers: list[IntervalTier | PointTier] = []
    for _ in range(draw(st.integers(0, 3))):
        lo, hi = sorted((draw(_times), draw(_times)))
        if draw(st.booleans()):
            pairs = draw(st.lists(st.tuples(_times, _times), max_size=4))
            intervals = [Interval(min(a, b), max(a, b), draw(_labels)) for a, b in pairs]
            tiers.append(IntervalTier(draw(_labels), lo, hi, tuple(intervals)))
        else:
            points = [Point(t, draw(_labels)) for t in draw(st.lists(_times, max_size=4))]
            tiers.append(PointTier(draw(_labels), lo, hi, tuple(points)))
    lo, hi = sorted((draw(_times), draw(_times)))
    return TextGrid(lo, hi, tuple(tiers))


@settings(max_examples=150, deadline=None, database=None)
@given(_grids(), st.sampled_from(["long", "short", "chronological"]))
def test_random_grids_round_trip_exactly_and_formatting_is_stable(
    tg: TextGrid, layout: str
) -> None:
    short, chronological = layout == "short", layout == "chronological"
    text = format_textgrid(tg, short=short, chronological=chronological)
    assert parse_textgrid(text) == tg
    assert format_textgrid(parse_textgrid(text), short=short, chronological=chronological) == text


# --- fill_gaps -----------------------------------------------------------------------------


def test_fill_gaps_adds_empty_intervals_at_start_middle_and_end() -> None:
    tier = IntervalTier("w", 0.5, 2, (Interval(1.5, 2, "b"), Interval(0.5, 1, "a")))
    assert fill_gaps(tier, 0, 3) == IntervalTier(
        "w",
        0,
        3,
        (
            Interval(0, 0.5, ""),
            Interval(0.5, 1, "a"),
            Interval(1, 1.5, ""),
            Interval(1.5, 2, "b"),
            Interval(2, 3, ""),
        ),
    )


def test_fill_gaps_keeps_overlaps_and_widens_the_domain_to_cover_every_interval() -> None:
    tier = IntervalTier("w", 0, 1, (Interval(-1, 0.6, "a"), Interval(0.5, 1.5, "b")))
    assert fill_gaps(tier, 0, 1) == IntervalTier("w", -1, 1.5, tier.intervals)


def test_fill_gaps_on_an_empty_tier() -> None:
    assert fill_gaps(IntervalTier("w", 0, 0, ()), 0, 2).intervals == (Interval(0, 2, ""),)
    with pytest.raises(ValueError, match="empty tier"):
        fill_gaps(IntervalTier("w", 0, 0, ()), 1, 1)


# --- JSON, CSV and convert -----------------------------------------------------------------


def textgrid_to_json_dict(tg: TextGrid) -> dict:
    return document_to_json_dict(AlignmentDocument.from_textgrid(tg))


def textgrid_to_csv(tg: TextGrid) -> str:
    return document_to_csv(AlignmentDocument.from_textgrid(tg))


def test_json_dict_lists_every_tier_and_item() -> None:
    assert textgrid_to_json_dict(GRID) == {
        "format": "aligner-gui alignment",
        "version": 1,
        "xmin": 0.0,
        "xmax": 2.5,
        "audio": None,
        "sample_rate": None,
        "model": None,
        "tiers": [
            {
                "name": "words",
                "class": "IntervalTier",
                "xmin": 0.0,
                "xmax": 2.5,
                "parent": None,
                "items": [
                    {"start": 0.0, "end": 1.195, "label": "", "score": None, "aligned": True},
                    {
                        "start": 1.195,
                        "end": 2.5,
                        "label": 'say "hi"\nnow',
                        "score": None,
                        "aligned": True,
                    },
                ],
            },
            {
                "name": "bell",
                "class": "TextTier",
                "xmin": 0.0,
                "xmax": 2.5,
                "parent": None,
                "items": [{"time": 0.30000000000000004, "label": "ding"}],
            },
        ],
        "doubtful": [],
        "warnings": [],
    }


def test_csv_quotes_per_rfc4180_and_gives_points_equal_start_and_end() -> None:
    tg = TextGrid(0, 2.5, (*GRID.tiers, IntervalTier("a,b", 0, 1, (Interval(0, 1, "é"),))))
    text = textgrid_to_csv(tg)
    assert text == (
        "tier,class,start,end,label,score,aligned\r\n"
        "words,IntervalTier,0.0,1.195,,,true\r\n"
        'words,IntervalTier,1.195,2.5,"say ""hi""\nnow",,true\r\n'
        "bell,TextTier,0.30000000000000004,0.30000000000000004,ding,,\r\n"
        '"a,b",IntervalTier,0.0,1.0,é,,true\r\n'  # the tier keeps its own domain, 0-1 s
    )
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[2] == ["words", "IntervalTier", "1.195", "2.5", 'say "hi"\nnow', "", "true"]


def test_convert_chooses_the_format_from_the_extension(tmp_path: Path) -> None:
    src = tmp_path / "in.TextGrid"
    write_textgrid(GRID, src, encoding="utf-16")
    assert convert_file(src, tmp_path / "o.json").to_textgrid() == GRID
    loaded = json.loads((tmp_path / "o.json").read_text("utf-8"))
    assert loaded == textgrid_to_json_dict(GRID)
    assert (tmp_path / "o.json").read_text("utf-8").startswith('{\n  "format": "aligner-gui')
    convert_file(src, tmp_path / "o.csv")
    assert (tmp_path / "o.csv").read_bytes() == textgrid_to_csv(GRID).encode("utf-8")
    convert_file(src, tmp_path / "o.textgrid")
    assert (tmp_path / "o.textgrid").read_text("utf-8") == GRID_LONG
    convert_file(src, tmp_path / "o.TextGrid", fmt="textgrid-short")
    assert (tmp_path / "o.TextGrid").read_text("utf-8") == GRID_SHORT


def test_convert_refuses_unknown_formats_naming_the_file_and_the_choices(tmp_path: Path) -> None:
    src = tmp_path / "in.TextGrid"
    write_textgrid(GRID, src)
    with pytest.raises(AlignerError, match=r"out\.txt: .*'\.txt'.*textgrid, textgrid-short, json"):
        convert_file(src, tmp_path / "out.txt")
    with pytest.raises(AlignerError, match="unknown output format 'xml'"):
        convert_file(src, tmp_path / "out.json", fmt="xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.TextGrid"]


@pytest.mark.parametrize("dst_name", ["out.json", "out.csv", "out.TextGrid"])
def test_convert_of_a_malformed_file_leaves_the_existing_target_untouched(
    tmp_path: Path, dst_name: str
) -> None:
    src, dst = tmp_path / "bad.TextGrid", tmp_path / dst_name
    src.write_text(one_tier(start_end="0 <early>"), "utf-8")
    dst.write_bytes(b"previous output")
    with pytest.raises(TextGridError) as info:
        convert_file(src, dst)
    assert info.value.line == 11
    assert dst.read_bytes() == b"previous output"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["bad.TextGrid", dst_name])
