"""The one output path: a document (from the engine or a TextGrid) written as TextGrid, JSON or CSV,
and the JSON read back without losing scores, `aligned` flags or what the engine reported."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from aligner_gui.core.alignment.doubt import DoubtfulRegion
from aligner_gui.core.alignment.pipeline import AlignmentResult, align_emissions
from aligner_gui.core.base.errors import AlignerError, ExportError
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS
from aligner_gui.core.base.timebase import TimeBase
from aligner_gui.core.document.document import AlignmentDocument
from aligner_gui.core.document.provenance import Provenance
from aligner_gui.core.document.tier_names import CHAR_TIER, DOUBTFUL_TIER, WORD_TIER
from aligner_gui.core.export.outputs import (
    FORMATS,
    convert_file,
    output_format,
    read_document,
    write_alignment,
    write_document,
)
from aligner_gui.core.io.audio import Audio
from aligner_gui.core.io.textgrid import Interval, IntervalTier, Point, PointTier, TextGrid
from aligner_gui.core.io.transcript import tokenize

TB = TimeBase(16000, 320)


def engine_result() -> AlignmentResult:
    """A real alignment with an unaligned word ("42" has no label in the model's alphabet), a
    region of doubt and a warning."""
    text = "hello 42 wonderful world"
    tokenized = tokenize(text, ENGLISH_ASR_LABELS)
    rng = np.random.default_rng(7)
    frames = 150
    emissions = np.log(rng.dirichlet(np.ones(len(ENGLISH_ASR_LABELS)), size=frames))
    emissions = emissions.astype(np.float32)
    samples = np.zeros(frames * 320, dtype=np.float32)
    audio = Audio(samples, 16000, Path("/data/interview.wav"), 44100, 2, None)
    path, words, chars = align_emissions(emissions, tokenized, ENGLISH_ASR_LABELS, TB, 3.0)
    doubt = DoubtfulRegion(0.5, 1.5, "low-score", (1, 3), "Two words fit the audio poorly.")
    return AlignmentResult(audio, "tiny", ENGLISH_ASR_LABELS, TB, emissions, tokenized, path,
                           words, chars, tokenized.warnings, (doubt,))  # fmt: skip


def segments(doc: AlignmentDocument) -> list[tuple]:
    return [
        (t.name, t.parent, t.is_point_tier, s.start, s.end, s.label, s.score, s.aligned)
        for t in doc.tiers
        for s in t.segments
    ]


def test_scores_aligned_flags_and_provenance_survive_a_json_save_and_reopen(
    tmp_path: Path,
) -> None:
    result = engine_result()
    assert not all(w.aligned for w in result.words) and result.warnings
    doc = AlignmentDocument.from_alignment(result)
    assert doc.tier_names() == [WORD_TIER, CHAR_TIER, DOUBTFUL_TIER]
    written = write_document(doc, tmp_path / "a.json")
    assert written == tmp_path / "a.json"
    reopened = read_document(written)
    assert segments(reopened) == segments(doc)
    unaligned = [s for s in reopened.tier(WORD_TIER).segments if s.label == "42"]
    assert [(s.aligned, s.score) for s in unaligned] == [(False, None)]
    assert all(
        s.score is not None for s in reopened.tier(WORD_TIER).segments if s.aligned and s.label
    )
    assert reopened.provenance == Provenance(
        model="tiny",
        audio_path=Path("/data/interview.wav"),
        sample_rate=44100,
        doubtful=result.doubtful,
        warnings=result.warnings,
    )
    # Saving the reopened document again writes the same file, in every format.
    for fmt in FORMATS:
        first, second = tmp_path / f"1.{fmt}", tmp_path / f"2.{fmt}"
        write_document(doc, first, fmt)
        write_document(reopened, second, fmt)
        assert first.read_bytes() == second.read_bytes(), fmt


def test_write_alignment_writes_the_document_the_editor_opens(tmp_path: Path) -> None:
    result = engine_result()
    write_alignment(result, tmp_path / "cli.TextGrid")
    write_document(AlignmentDocument.from_alignment(result), tmp_path / "editor.TextGrid")
    assert (tmp_path / "cli.TextGrid").read_bytes() == (tmp_path / "editor.TextGrid").read_bytes()
    data = json.loads(write_alignment(result, tmp_path / "a.json").read_text("utf-8"))
    words = [w for w in data["tiers"][0]["items"] if w["label"]]
    assert [w["label"] for w in words] == [w.label for w in result.words]
    assert [w["aligned"] for w in words] == [w.aligned for w in result.words]
    assert data["doubtful"][0]["message"] == "Two words fit the audio poorly."


def test_an_excerpt_with_duplicate_tier_names_and_points_round_trips(tmp_path: Path) -> None:
    grid = TextGrid(10.0, 12.0, (
        IntervalTier("tier", 10.0, 12.0, (Interval(10.0, 10.5, "a"), Interval(10.5, 12.0, ""))),
        IntervalTier("tier", 10.0, 12.0, (Interval(10.0, 11.0, "b"), Interval(11.0, 12.0, ""))),
        PointTier("bells", 10.0, 12.0, (Point(10.2, "dong"),)),
    ))  # fmt: skip
    doc = AlignmentDocument.from_textgrid(grid)
    write_document(doc, tmp_path / "x.json")
    reopened = read_document(tmp_path / "x.json")
    assert reopened.tier_names() == ["tier", "tier (2)", "bells"]
    assert reopened.to_textgrid() == doc.to_textgrid() == grid
    assert convert_file(tmp_path / "x.json", tmp_path / "x.TextGrid").to_textgrid() == grid


def test_an_edited_parent_link_that_no_longer_nests_is_dropped_on_reading(tmp_path: Path) -> None:
    doc = AlignmentDocument.from_alignment(engine_result())
    data = json.loads(write_document(doc, tmp_path / "a.json").read_text("utf-8"))
    assert data["tiers"][1]["parent"] == WORD_TIER
    data["tiers"][1]["parent"] = DOUBTFUL_TIER  # chars do not lie inside the doubtful region
    (tmp_path / "b.json").write_text(json.dumps(data), "utf-8")
    reopened = read_document(tmp_path / "b.json")
    assert reopened.tier(CHAR_TIER).parent is None
    assert reopened.problems() == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\xff\xfe not utf-8 \x80", "not a JSON file"),
        (b'{"tiers": []}', 'no "format"'),
        (b'{"format": "aligner-gui alignment", "version": 7, "tiers": []}', "version 7"),
        (b'{"format": "aligner-gui alignment", "version": 1, "xmax": 2, "tiers": [{"class": '
         b'"IntervalTier", "items": [{"start": 0, "end": "1s", "label": "a"}]}]}', '"end" is'),
        (b'{"format": "aligner-gui alignment", "version": 1, "xmin": 0, "xmax": 0, "tiers": []}', "duration"),
    ],
)  # fmt: skip
def test_a_malformed_json_is_refused_in_one_line(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    with pytest.raises(AlignerError) as info:
        read_document(bad)
    message = str(info.value)
    assert message.startswith(f"{bad}: ") and reason in message
    assert "\n" not in message


def test_a_failed_write_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    doc = AlignmentDocument.from_alignment(engine_result())
    missing = tmp_path / "no such folder" / "a.json"
    with pytest.raises(
        ExportError, match=r"no such folder/a\.json: the JSON file cannot be written"
    ):
        write_document(doc, missing)
    folder = tmp_path / "taken.csv"
    folder.mkdir()
    with pytest.raises(ExportError, match=r"taken\.csv: the CSV file cannot be written") as info:
        write_document(doc, folder)
    assert "\n" not in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.csv"]
    assert list(folder.iterdir()) == []


def test_output_format_from_the_name_or_the_choice() -> None:
    assert output_format("a.TextGrid") == "textgrid"
    assert output_format("a.textgrid", "textgrid-short") == "textgrid-short"
    assert output_format("a.JSON") == "json"
    assert output_format("a.out", "csv") == "csv"
    with pytest.raises(ExportError, match=r"a\.txt: cannot tell the output format.*--format"):
        output_format("a.txt")
    with pytest.raises(ExportError, match="unknown output format 'xml'"):
        output_format("a.json", "xml")
