"""Recovery files: a snapshot is frozen when taken, written atomically as versioned JSON, and read
back bit for bit; damaged or foreign files give one line and are left where they are."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from aligner_gui.core.alignment.doubt_context import DoubtfulRegion
from aligner_gui.core.document import autosave, edits
from aligner_gui.core.document.autosave import (
    DocumentPaths,
    RecoveryError,
    list_recoveries,
    read_recovery,
    remove_recovery,
    take_snapshot,
    write_snapshot,
)
from aligner_gui.core.document.document import AlignmentDocument, Segment, Tier, partition
from aligner_gui.core.document.provenance import Provenance
from aligner_gui.core.document.undo_history import RestoredEdit, encode_history, history_of

PATHS = DocumentPaths(Path("/data/rec one.wav"), Path("/data/rec one.txt"), None)


def document() -> AlignmentDocument:
    words = partition(
        [Segment(0.1, 0.35, "ça", 0.9), Segment(0.4, 0.7, "va", None, aligned=False),
         Segment(0.7, 1.0 / 3.0 + 0.8, "bien", 0.123456789012345678)],
        2.0,
    )  # fmt: skip
    chars = partition(
        [Segment(0.1, 0.2, "ç", 0.5), Segment(0.2, 0.35, "a", 0.25), Segment(0.4, 0.7, "va")], 2.0
    )
    tiers = [
        Tier("words", words),
        Tier("chars", chars, parent="words"),
        Tier("doubtful", partition([Segment(0.4, 0.7, "doubtful")], 2.0)),
        Tier("events", [Segment(0.5, 0.5, "click"), Segment(1.5, 1.5, "")], is_point_tier=True),
        Tier("tier (2)", [Segment(0.0, 2.0, "")], source_name="tier", source_domain=(0.05, 1.9)),
    ]
    provenance = Provenance(
        model="demo",
        audio_path=Path("/data/rec one.wav"),
        sample_rate=44100,
        doubtful=(DoubtfulRegion(0.4, 0.7, "low_score", (1, 2), "“va” scores very low."),),
        warnings=("Replaced “œ” by “oe”.",),
    )
    return AlignmentDocument(tiers, 2.0, xmin=0.05, xmax=1.95, provenance=provenance)


def state(doc: AlignmentDocument) -> list[tuple]:
    return [
        (t.name, t.parent, t.is_point_tier, t.source_name, t.source_domain,
         [(s.start, s.end, s.label, s.score, s.aligned) for s in t.segments])
        for t in doc.tiers
    ]  # fmt: skip


def test_a_snapshot_is_frozen_when_taken(tmp_path: Path) -> None:
    doc = document()
    snap = take_snapshot(doc, "doc1", PATHS, edits=0, modified=True)
    before = state(doc)
    for edit in (
        edits.MoveBoundary("words", 2, 0.3),
        edits.SetLabel("words", 1, "changed"),
        edits.DeleteWord("words", 3),
        edits.InsertBoundary("doubtful", 1.5),
    ):
        edit.apply(doc)
    assert state(doc) != before
    write_snapshot(tmp_path, snap)
    assert state(read_recovery(tmp_path / "doc1.json").to_document()) == before


def test_round_trip_is_exact_and_the_file_is_readable_json(tmp_path: Path) -> None:
    doc = document()
    paths = DocumentPaths(Path("/data/rec one.wav"), None, Path("/out/saved.TextGrid"))
    snap = take_snapshot(doc, "abc", paths, edits=7, modified=True)
    path = write_snapshot(tmp_path / "new" / "recovery", snap)
    assert path == tmp_path / "new" / "recovery" / "abc.json"
    assert sorted(p.name for p in path.parent.iterdir()) == ["abc.json"]  # no temporary file
    data = json.loads(path.read_text(encoding="utf-8"))
    assert (data["format"], data["version"], data["id"]) == ("aligner-gui-recovery", 2, "abc")
    assert data["words"] == 3 and data["edits"] == 7 and data["modified"] is True
    assert data["tiers"][0]["segments"][1] == [0.1, 0.35, "ça", 0.9, True]
    back = read_recovery(path)
    restored = back.to_document()
    assert state(restored) == state(doc)
    assert (restored.duration, restored.xmin, restored.xmax) == (2.0, 0.05, 1.95)
    # What JSON export records beside the tiers survives a crash too.
    assert restored.provenance == doc.provenance
    assert restored.to_textgrid() == doc.to_textgrid()
    assert back.paths == paths and back.edits == 7 and back.modified and back.words == 3
    assert back.saved_at == snap.saved_at
    assert restored.problems() == []


def test_many_segments_are_written_in_slices_and_read_back(tmp_path: Path) -> None:
    n = 3 * autosave.ROWS_PER_CHUNK + 7
    segments = [Segment(i / n, (i + 1) / n, f"w{i}" if i % 2 else "", i / n) for i in range(n)]
    segments[-1] = replace(segments[-1], end=1.0)
    doc = AlignmentDocument([Tier("words", segments)], 1.0)
    write_snapshot(tmp_path, take_snapshot(doc, "big", PATHS, edits=1, modified=True))
    restored = read_recovery(tmp_path / "big.json").to_document()
    assert state(restored) == state(doc)
    assert all(
        math.isclose(s.score or 0, i / n) for i, s in enumerate(restored.tier("words").segments)
    )


def test_damaged_foreign_and_newer_files_give_one_line_and_stay(tmp_path: Path) -> None:
    write_snapshot(tmp_path, take_snapshot(document(), "good", PATHS, edits=1, modified=True))
    good = (tmp_path / "good.json").read_text(encoding="utf-8")
    (tmp_path / "cut.json").write_text(good[: len(good) // 2], encoding="utf-8")
    (tmp_path / "other.json").write_text('{"hello": 1}', encoding="utf-8")
    (tmp_path / "newer.json").write_text(good.replace('"version": 2', '"version": 3'), "utf-8")
    broken = json.loads(good)
    broken["tiers"][0]["segments"][1][1] = 99.0  # overlaps the next segment
    (tmp_path / "invalid.json").write_text(json.dumps(broken), encoding="utf-8")
    found, problems = list_recoveries(tmp_path)
    assert [r.doc_id for r in found] == ["good"]
    assert len(problems) == 4 and all("\n" not in p for p in problems)
    assert problems[0] == f"The recovery file {tmp_path / 'cut.json'} is damaged or incomplete."
    assert "invalid.json is damaged (invalid document" in problems[1]
    assert problems[2].endswith(
        "newer.json is a recovery file of version 3; this aligner-gui reads versions 1 to 2"
    )
    assert problems[3].endswith("other.json is not an aligner-gui recovery file")
    with pytest.raises(RecoveryError):
        read_recovery(tmp_path / "missing.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cut.json", "good.json", "invalid.json", "newer.json", "other.json"
    ]  # fmt: skip
    remove_recovery(tmp_path, "good")
    remove_recovery(tmp_path, "good")  # already gone: nothing to do
    assert not (tmp_path / "good.json").exists()
    assert list_recoveries(tmp_path / "absent") == ([], [])


def test_newest_first(tmp_path: Path) -> None:
    for k, doc_id in enumerate(("old", "new", "mid")):
        snap = take_snapshot(document(), doc_id, PATHS, edits=k, modified=True)
        write_snapshot(tmp_path, replace(snap, saved_at=[1.0, 3.0, 2.0][k]))
    assert [r.doc_id for r in list_recoveries(tmp_path)[0]] == ["new", "mid", "old"]


def test_one_writer_for_successive_snapshots_writes_each_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slices unchanged since the last write are reused; shifted or edited ones are not."""
    n = 4 * autosave.ROWS_PER_CHUNK
    w = 0.01
    segments = [Segment(i * w, (i + 1) * w, f"w{i}" if i % 2 else "", 0.5) for i in range(n)]
    doc = AlignmentDocument([Tier("words", segments)], segments[-1].end)
    encoded: list[int] = []
    real = autosave._encode_rows
    monkeypatch.setattr(autosave, "_encode_rows", lambda chunk: encoded.append(1) or real(chunk))
    writer = autosave.RecoveryWriter()
    counts = []
    steps = [
        None,
        edits.SetLabel("words", 3 * autosave.ROWS_PER_CHUNK + 1, "late"),
        edits.MoveBoundary("words", 10, 10.5 * w),
        edits.DeleteWord("words", 5),  # every later slice shifts by two segments
        edits.InsertBoundary("words", 900.5 * w),
    ]
    for k, edit in enumerate(steps):
        if edit is not None:
            edit.apply(doc)
        encoded.clear()
        writer.write(tmp_path, take_snapshot(doc, "doc", PATHS, edits=k, modified=True))
        counts.append(len(encoded))
        back = read_recovery(tmp_path / "doc.json")
        assert back.edits == k and state(back.to_document()) == state(doc)
    assert counts == [4, 1, 1, 4, 1]  # slices encoded at each write


def test_the_undo_history_is_kept_and_a_version_1_file_has_none(tmp_path: Path) -> None:
    doc = document()
    done = [
        edits.MoveBoundary("words", 1, 0.38),
        edits.SetLabel("words", 1, "ça!"),
        edits.InsertWord("words", 1.5, 1.7, "plus"),
    ]
    for edit in done:
        edit.apply(doc)
    history = history_of(done)
    assert len(history) == 3
    write_snapshot(tmp_path, take_snapshot(doc, "h", PATHS, edits=3, modified=True,
                                           history=history))  # fmt: skip
    back = read_recovery(tmp_path / "h.json")
    assert back.history == history  # every splice, bit for bit
    restored = back.to_document()
    steps = [RestoredEdit(step) for step in back.history]
    for step in reversed(steps):
        step.revert(restored)
    assert state(restored) == state(document())

    # A version-1 file (before histories) reads as before, without one.
    data = json.loads((tmp_path / "h.json").read_text(encoding="utf-8"))
    data["version"] = 1
    del data["history"]
    (tmp_path / "h.json").write_text(json.dumps(data), encoding="utf-8")
    old = read_recovery(tmp_path / "h.json")
    assert old.history == () and state(old.to_document()) == state(doc)

    # A history that does not lead to the saved tiers is dropped; the tiers still count.
    data["version"] = 2
    data["history"] = encode_history(history[:1])  # the first edit alone: not these tiers
    (tmp_path / "h.json").write_text(json.dumps(data), encoding="utf-8")
    damaged = read_recovery(tmp_path / "h.json")
    assert damaged.history == () and state(damaged.to_document()) == state(doc)
