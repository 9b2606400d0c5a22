"""Tier management edits (add, rename, delete, move, duplicate), moving a boundary in one tier
only, and the zero-crossing and move-to-cursor rules: each edit's exact semantics and exact
reversal (random sequences are in test_edit_properties.py)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from test_edits import make_doc, spans

from aligner_gui.core.document import editing
from aligner_gui.core.document.document import AlignmentDocument, DocumentChange, Tier
from aligner_gui.core.document.edits import Edit, MoveBoundary, SetLabel
from aligner_gui.core.document.tier_edits import (
    AddTier,
    DeleteTier,
    DuplicateTier,
    MoveTier,
    RenameTier,
)
from aligner_gui.core.document.zero_crossing import crossings_between, nearest_zero_crossing
from aligner_gui.core.io.audio import Audio

RATE = 16_000


def roundtrip(doc: AlignmentDocument, edit: Edit) -> list[DocumentChange]:
    """Apply ``edit``, check that revert restores the document bit for bit (the same tier
    objects, in order) and that apply again gives the same result; the notices of the first
    apply."""
    before_objects = list(doc.tiers)
    before = copy.deepcopy(doc.tiers)
    seen: list[DocumentChange] = []
    doc.subscribe(seen.append)
    edit.apply(doc)
    doc.unsubscribe(seen.append)
    assert edit.changed
    assert doc.problems() == []
    after = copy.deepcopy(doc.tiers)
    edit.revert(doc)
    assert doc.tiers == before
    assert all(a is b for a, b in zip(doc.tiers, before_objects, strict=True))
    edit.apply(doc)
    assert doc.tiers == after
    return seen


def test_add_interval_and_point_tiers_after_a_tier() -> None:
    doc = make_doc()
    seen = roundtrip(doc, AddTier("notes", after="words"))
    assert seen == [DocumentChange(None, "tiers", None)]
    assert doc.tier_names() == ["words", "notes", "chars", "marks"]
    assert spans(doc, "notes") == [(0.0, 1.0, "")]
    roundtrip(doc, AddTier("  beats ", point=True, after="marks"))
    assert doc.tier_names()[-1] == "beats" and doc.tier("beats").is_point_tier
    assert doc.tier("beats").segments == []
    roundtrip(doc, AddTier("first"))
    assert doc.tier_names()[0] == "first"


@pytest.mark.parametrize("name", ["words", "", "   "])
def test_a_new_tier_needs_a_free_name_and_nothing_changes_otherwise(name: str) -> None:
    doc = make_doc()
    before = copy.deepcopy(doc.tiers)
    with pytest.raises(ValueError, match="name"):
        AddTier(name).apply(doc)
    with pytest.raises(ValueError, match="name"):
        RenameTier("marks", name).apply(doc)
    assert doc.tiers == before


def test_rename_keeps_the_child_linked_and_edits_before_and_after_undo_exactly() -> None:
    doc = make_doc()
    doc.tier("words").source_name = "word"
    rename = RenameTier("words", "lexical")
    roundtrip(doc, rename)
    assert doc.tier_names() == ["lexical", "chars", "marks"]
    assert doc.tier("chars").parent == "lexical"
    assert doc.tier("lexical").source_name is None  # the export writes the new name
    # A drag of the renamed tier still carries the child, and undoing both restores all.
    before_move = copy.deepcopy(doc.tiers)
    move = MoveBoundary("lexical", 1, 0.26)
    move.apply(doc)
    assert spans(doc, "chars")[1][0] == pytest.approx(0.26)
    move.revert(doc)
    assert doc.tiers == before_move
    rename.revert(doc)
    assert doc.tier_names() == ["words", "chars", "marks"]
    assert doc.tier("chars").parent == "words"
    # Renaming to its own name changes nothing (and is not an undo step).
    same = RenameTier("marks", "marks")
    same.apply(doc)
    assert not same.changed


def test_delete_unlinks_the_children_and_undo_relinks_them() -> None:
    doc = make_doc()
    chars = list(doc.tier("chars").segments)
    roundtrip(doc, DeleteTier("words"))
    assert doc.tier_names() == ["chars", "marks"]
    assert doc.tier("chars").parent is None
    assert doc.tier("chars").segments == chars  # nothing of the child is lost
    with pytest.raises(ValueError, match="no tier"):
        DeleteTier("words").apply(doc)


def test_move_up_and_down_and_not_past_the_ends() -> None:
    doc = make_doc()
    roundtrip(doc, MoveTier("marks", -1))
    assert doc.tier_names() == ["words", "marks", "chars"]
    roundtrip(doc, MoveTier("words", 1))
    assert doc.tier_names() == ["marks", "words", "chars"]
    before = copy.deepcopy(doc.tiers)
    with pytest.raises(ValueError, match="already the first"):
        MoveTier("marks", -1).apply(doc)
    with pytest.raises(ValueError, match="already the last"):
        MoveTier("chars", 1).apply(doc)
    assert doc.tiers == before


def test_duplicate_is_an_unlinked_copy_of_its_own() -> None:
    doc = make_doc()
    roundtrip(doc, DuplicateTier("chars", "chars copy"))
    assert doc.tier_names() == ["words", "chars", "chars copy", "marks"]
    copy_tier = doc.tier("chars copy")
    assert copy_tier.parent is None
    assert copy_tier.segments == doc.tier("chars").segments
    assert copy_tier.segments is not doc.tier("chars").segments
    SetLabel("chars copy", 1, "h").apply(doc)  # editing the copy leaves the original alone
    assert spans(doc, "chars")[1][2] == "H"
    with pytest.raises(ValueError, match="already a tier"):
        DuplicateTier("chars", "words").apply(doc)


# -- one tier only ------------------------------------------------------------------------------


def test_moving_a_boundary_alone_leaves_the_child_and_stops_at_its_labels() -> None:
    doc = make_doc()  # words boundary 3 at .625 ("" | yo); chars: ""[.5,.75) Y[.75,.875)
    chars = list(doc.tier("chars").segments)
    move = MoveBoundary("words", 3, 0.7, alone=True)
    roundtrip(doc, move)
    assert spans(doc, "words")[3][0] == pytest.approx(0.7)
    assert doc.tier("chars").segments == chars
    # Further right it stops at the start of "Y" (it may land on it, never cross it).
    further = MoveBoundary("words", 3, 0.8, alone=True)
    further.apply(doc)
    assert further.applied_time == pytest.approx(0.75)
    assert doc.tier("chars").segments == chars and doc.problems() == []
    # Boundary 1 of words (.25) coincides with the start of "H": alone it cannot move right,
    # and moving left it is free over the silence of chars.
    stuck = MoveBoundary("words", 1, 0.3, alone=True)
    stuck.apply(doc)
    assert not stuck.changed
    left = MoveBoundary("words", 1, 0.1, alone=True)
    roundtrip(doc, left)
    assert doc.tier("chars").segments == chars and doc.problems() == []


def test_an_exact_move_is_refused_rather_than_clamped() -> None:
    doc = make_doc()
    before = copy.deepcopy(doc.tiers)
    with pytest.raises(ValueError, match="in the way"):
        MoveBoundary("words", 3, 0.8, alone=True, exact=True).apply(doc)
    assert doc.tiers == before


# -- zero crossings and moves to the cursor -----------------------------------------------------


def sign_change_at(samples: np.ndarray, seconds: float) -> bool:
    """Whether ``seconds`` lies between two successive samples of opposite signs (0 counting
    as positive), or on a sample of 0."""
    j = int(np.floor(seconds * RATE + 1e-9))
    if samples[j] == 0.0 and abs(j / RATE - seconds) < 1e-12:
        return True
    return j / RATE <= seconds <= (j + 1) / RATE and (samples[j] >= 0) != (samples[j + 1] >= 0)


def tone_doc() -> AlignmentDocument:
    t = np.arange(RATE) / RATE
    samples = (0.5 * np.sin(2 * np.pi * 133.0 * t + 0.4)).astype(np.float32)
    audio = Audio(samples, RATE, None, RATE, 1, None)
    doc = make_doc()
    return AlignmentDocument(doc.tiers, 1.0, audio=audio)


def test_crossings_are_interpolated_between_samples_of_opposite_signs() -> None:
    x = np.array([0.5, -0.5, -0.25, 0.0, 0.75, 0.0, -1.0], dtype=np.float32)
    assert crossings_between(x, 0, len(x) - 1).tolist() == [0.5, 3.0, 5.0]
    assert nearest_zero_crossing(x, RATE, 4.2 / RATE) == pytest.approx(5.0 / RATE)
    assert nearest_zero_crossing(x, RATE, 4.2 / RATE, hi=4.9 / RATE) == pytest.approx(3 / RATE)
    assert nearest_zero_crossing(np.ones(100, dtype=np.float32), RATE, 0.001) is None
    # A long signal with its only crossing far away: found by widening the search.
    far = np.ones(50_000, dtype=np.float32)
    far[40_000:] = -1.0
    assert nearest_zero_crossing(far, RATE, 0.0) == pytest.approx(39_999.5 / RATE)


def test_snap_moves_the_nearest_boundary_onto_a_sign_change() -> None:
    doc = tone_doc()
    samples = doc.audio.samples
    edit = editing.snap_to_zero_crossing(doc, "words", 0.49, tolerance=0.02)
    roundtrip(doc, edit)
    landed = doc.tier("words").segments[2].start
    assert landed != 0.5 and abs(landed - 0.5) < 1 / 133
    assert sign_change_at(samples, landed)
    assert doc.tier("chars").segments[3].start == landed  # the child followed
    # A point snaps too.
    roundtrip(doc, editing.snap_to_zero_crossing(doc, "marks", 0.31))
    assert sign_change_at(samples, doc.tier("marks").segments[0].start)
    with pytest.raises(editing.Refusal, match="No boundary"):
        editing.snap_to_zero_crossing(doc, "words", 0.1, tolerance=0.01)
    with pytest.raises(editing.Refusal, match="no audio"):
        editing.snap_to_zero_crossing(make_doc(), "words", 0.5)


def test_insert_with_snap_splits_on_a_zero_crossing() -> None:
    doc = tone_doc()
    roundtrip(doc, editing.insert_at(doc, "marks", 0.55, snap=True))
    added = next(p.start for p in doc.tier("marks").segments if p.label == "")
    assert sign_change_at(doc.audio.samples, added) and abs(added - 0.55) < 1 / 133


def test_move_boundary_to_cursor_moves_the_nearest_one_exactly() -> None:
    doc = tone_doc()
    roundtrip(doc, editing.move_boundary_to(doc, "words", 0.6))
    assert spans(doc, "words")[3][0] == 0.6  # the boundary at .625 was nearest
    with pytest.raises(ValueError, match="in the way"):
        editing.move_boundary_to(doc, "words", 0.99).apply(doc)
    empty = AlignmentDocument([Tier("m", [], is_point_tier=True)], 1.0)
    with pytest.raises(editing.Refusal, match="no point"):
        editing.move_boundary_to(empty, "m", 0.5)
    assert editing.nearest_boundary(doc, "marks", 0.7) == 1
    assert editing.nearest_boundary(doc, "marks", 0.7, tolerance=0.05) is None


def test_insert_with_snap_stays_at_the_time_in_digital_silence() -> None:
    doc = make_doc()
    silent = Audio(np.zeros(RATE, dtype=np.float32), RATE, None, RATE, 1, None)
    doc = AlignmentDocument(doc.tiers, 1.0, audio=silent)
    edit = editing.insert_at(doc, "marks", 0.55, snap=True)
    edit.apply(doc)
    assert [p.start for p in doc.tier("marks").segments] == [0.3, 0.55, 0.8]
