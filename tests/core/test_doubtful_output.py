"""Doubtful regions reach every output: JSON, CSV, the TextGrid's `doubtful` tier and the document."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from aligner_gui.core.alignment.doubt import DoubtfulRegion, find_doubtful_regions
from aligner_gui.core.alignment.pipeline import AlignmentResult, align_emissions
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS as LABELS
from aligner_gui.core.base.timebase import TimeBase
from aligner_gui.core.document.document import AlignmentDocument
from aligner_gui.core.document.provenance import doubtful_intervals
from aligner_gui.core.export.outputs import write_alignment
from aligner_gui.core.io.audio import Audio
from aligner_gui.core.io.textgrid import IntervalTier, read_textgrid
from aligner_gui.core.io.transcript import tokenize

from ctc_synth import sentence, speak, vocabulary

TB = TimeBase(16000, 320)


@pytest.fixture(scope="module")
def mismatched() -> tuple[AlignmentResult, tuple[float, float]]:
    """Audio holding a paragraph the transcript leaves out."""
    rng = np.random.default_rng(2)
    vocab, other = vocabulary(np.random.default_rng(0)), vocabulary(np.random.default_rng(99), 500)
    a, extra, b = sentence(rng, vocab, 120), sentence(rng, other, 45), sentence(rng, vocab, 120)
    sp = speak(rng, a + extra + b)
    fs = TB.frame_seconds
    truth = (sp.word_frames[len(a), 0] * fs, sp.word_frames[len(a) + len(extra) - 1, 1] * fs)
    tok = tokenize(" ".join(a + b), LABELS)
    duration = sp.num_frames * fs
    path, words, chars = align_emissions(sp.log_probs, tok, LABELS, TB, duration)
    regions = find_doubtful_regions(words, chars, path, sp.log_probs, LABELS, TB)
    samples = np.zeros(round(duration * 16000), dtype=np.float32)
    audio = Audio(samples, 16000, Path("interview.wav"), 16000, 1, None)
    result = AlignmentResult(audio, "synthetic", LABELS, TB, sp.log_probs, tok, path, words, chars,
                             tok.warnings, tuple(regions))  # fmt: skip
    return result, truth


def test_region_is_found_where_the_extra_speech_is(mismatched) -> None:
    result, truth = mismatched
    (region,) = [r for r in result.doubtful if r.kind == "untranscribed-audio"]
    overlap = min(region.end, truth[1]) - max(region.start, truth[0])
    assert overlap / (max(region.end, truth[1]) - min(region.start, truth[0])) > 0.8


def test_json_and_csv_carry_the_regions(mismatched, tmp_path: Path) -> None:
    result, _ = mismatched
    write_alignment(result, tmp_path / "a.json")
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert [
        (d["start"], d["end"], d["kind"], tuple(d["words"]), d["message"]) for d in data["doubtful"]
    ] == [(r.start, r.end, r.kind, r.words, r.message) for r in result.doubtful]
    write_alignment(result, tmp_path / "a.csv")
    rows = [
        r
        for r in csv.DictReader(io.StringIO((tmp_path / "a.csv").read_text()))
        if r["tier"] == "doubtful" and r["label"]
    ]
    # The CSV has the doubtful tier as the TextGrid has it (overlapping regions merged).
    assert [(float(r["start"]), float(r["end"]), r["label"]) for r in rows] == [
        (i.start, i.end, i.label) for i in doubtful_intervals(result.doubtful)
    ]


def test_textgrid_gets_a_doubtful_tier_covering_the_file(mismatched, tmp_path: Path) -> None:
    result, _ = mismatched
    write_alignment(result, tmp_path / "a.TextGrid")
    grid = read_textgrid(tmp_path / "a.TextGrid")
    assert [t.name for t in grid.tiers] == ["words", "chars", "doubtful"]
    doubt = grid.tiers[2]
    assert isinstance(doubt, IntervalTier)
    labelled = [(iv.start, iv.end, iv.label) for iv in doubt.intervals if iv.label]
    assert labelled == [(i.start, i.end, i.label) for i in doubtful_intervals(result.doubtful)]
    assert doubt.intervals[0].start == 0.0 and doubt.intervals[-1].end == pytest.approx(
        result.duration
    )


def test_document_shows_the_regions_as_an_editable_tier(mismatched) -> None:
    result, _ = mismatched
    doc = AlignmentDocument.from_alignment(result)
    assert doc.tier_names() == ["words", "chars", "doubtful"]
    labelled = [(s.start, s.end, s.label) for s in doc.tier("doubtful").segments if s.label]
    assert labelled == [(i.start, i.end, i.label) for i in doubtful_intervals(result.doubtful)]
    assert doc.to_textgrid().tiers[2].name == "doubtful"


def test_overlapping_regions_merge_into_one_interval_naming_both_kinds() -> None:
    regions = [
        DoubtfulRegion(1.0, 5.0, "untranscribed-audio", (3, 4), "a"),
        DoubtfulRegion(4.0, 6.5, "long-word", (4, 5), "b"),
        DoubtfulRegion(8.0, 9.0, "low-score", (7, 9), "c"),
        DoubtfulRegion(8.5, 8.7, "low-score", (8, 9), "d"),
    ]
    assert [(i.start, i.end, i.label) for i in doubtful_intervals(regions)] == [
        (1.0, 6.5, "untranscribed-audio+long-word"),
        (8.0, 9.0, "low-score"),
    ]


def test_clean_alignment_has_no_doubtful_tier() -> None:
    rng = np.random.default_rng(3)
    text = sentence(rng, vocabulary(np.random.default_rng(0)), 60)
    sp = speak(rng, text)
    tok = tokenize(" ".join(text), LABELS)
    duration = sp.num_frames * TB.frame_seconds
    path, words, chars = align_emissions(sp.log_probs, tok, LABELS, TB, duration)
    assert find_doubtful_regions(words, chars, path, sp.log_probs, LABELS, TB) == []
    audio = Audio(np.zeros(round(duration * 16000), np.float32), 16000, None, 16000, 1, None)
    result = AlignmentResult(
        audio, "synthetic", LABELS, TB, sp.log_probs, tok, path, words, chars, ()
    )
    grid = AlignmentDocument.from_alignment(result).to_textgrid()
    assert [t.name for t in grid.tiers] == ["words", "chars"]
