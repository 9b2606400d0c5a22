"""Reversible edits: exact semantics of each edit and merging of drag steps (random sequences of
edits are in test_edit_properties.py)."""

from __future__ import annotations

import copy

import pytest

from aligner_gui.core.document.document import AlignmentDocument, DocumentChange, Segment, Tier
from aligner_gui.core.document.edits import (
    MIN_SEGMENT,
    DeleteWord,
    Edit,
    InsertBoundary,
    InsertWord,
    MoveBoundary,
    RemoveBoundary,
    SetLabel,
    new_drag_id,
)
from aligner_gui.core.document.point_edits import AddPoint, RemovePoint


def seg(start: float, end: float, label: str = "", score: float | None = None) -> Segment:
    return Segment(start, end, label, score)


def make_doc() -> AlignmentDocument:
    """words:  ""[0, .25) hi[.25, .5) ""[.5, .625) yo[.625, 1)
    chars:  ""[0, .25) H[.25, .375) I[.375, .5) ""[.5, .75) Y[.75, .875) O[.875, 1)
    marks:  a@.3 b@.8 (point tier)"""
    words = Tier(
        "words",
        [seg(0, 0.25), seg(0.25, 0.5, "hi", 0.8), seg(0.5, 0.625), seg(0.625, 1.0, "yo", 0.6)],
    )
    chars = Tier(
        "chars",
        [
            seg(0, 0.25),
            seg(0.25, 0.375, "H", 0.9),
            seg(0.375, 0.5, "I", 0.5),
            seg(0.5, 0.75),
            seg(0.75, 0.875, "Y"),
            seg(0.875, 1.0, "O"),
        ],
        parent="words",
    )
    marks = Tier("marks", [Segment(0.3, 0.3, "a"), Segment(0.8, 0.8, "b")], is_point_tier=True)
    return AlignmentDocument([words, chars, marks], 1.0)


def spans(doc: AlignmentDocument, tier: str) -> list[tuple[float, float, str]]:
    return [(round(s.start, 9), round(s.end, 9), s.label) for s in doc.tier(tier).segments]


def applied(edit: Edit) -> tuple[AlignmentDocument, list[Tier]]:
    """A fresh document with ``edit`` applied, and a copy of its tiers from before."""
    doc = make_doc()
    before = copy.deepcopy(doc.tiers)
    edit.apply(doc)
    assert doc.problems() == []
    return doc, before


# -- MoveBoundary ----------------------------------------------------------------------------------


def test_moving_a_word_end_moves_the_coincident_char_edge() -> None:
    edit = MoveBoundary("words", 2, 0.55)
    doc, _ = applied(edit)
    assert edit.changed and edit.applied_time == 0.55
    assert edit.text == "Move boundary of 'hi'"
    assert spans(doc, "words") == [
        (0, 0.25, ""),
        (0.25, 0.55, "hi"),
        (0.55, 0.625, ""),
        (0.625, 1, "yo"),
    ]
    assert spans(doc, "chars")[2:4] == [(0.375, 0.55, "I"), (0.55, 0.75, "")]


def test_a_shrinking_word_stops_min_segment_before_its_next_char_boundary() -> None:
    # The rule is "stop, never push": the char edges inside the word stay where they are.
    for target in (0.3, 0.0):
        edit = MoveBoundary("words", 2, target)
        doc, _ = applied(edit)
        assert edit.applied_time == pytest.approx(0.375 + MIN_SEGMENT)
        assert spans(doc, "chars")[1:4] == [
            (0.25, 0.375, "H"),
            (0.375, 0.376, "I"),
            (0.376, 0.75, ""),
        ]
    edit = MoveBoundary("words", 2, 2.0)
    doc, _ = applied(edit)
    assert edit.applied_time == pytest.approx(0.625 - MIN_SEGMENT)


def test_a_word_start_entering_its_word_stops_at_a_non_coincident_char_edge() -> None:
    doc, _ = applied(MoveBoundary("words", 3, 0.8))
    assert spans(doc, "words")[2:] == [(0.5, 0.75, ""), (0.75, 1.0, "yo")]
    assert spans(doc, "chars") == spans(make_doc(), "chars")


def test_a_char_boundary_cannot_leave_its_word() -> None:
    stuck = MoveBoundary("chars", 1, 0.1)  # the word's first char edge: pinned to the word start
    doc = make_doc()
    stuck.apply(doc)
    assert not stuck.changed and stuck.applied_time == 0.25
    inner = MoveBoundary("chars", 2, 0.6)
    doc, _ = applied(inner)
    assert inner.applied_time == pytest.approx(0.5 - MIN_SEGMENT)
    assert spans(doc, "words") == spans(make_doc(), "words")


def test_moving_a_point_is_clamped_between_its_neighbours() -> None:
    doc, _ = applied(MoveBoundary("marks", 0, 0.9))
    assert spans(doc, "marks") == [(0.799, 0.799, "a"), (0.8, 0.8, "b")]
    doc, _ = applied(MoveBoundary("marks", 1, 5.0))
    assert spans(doc, "marks") == [(0.3, 0.3, "a"), (1.0, 1.0, "b")]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (MoveBoundary("words", 0, 0.1), "Tier 'words' has no boundary 0 \\(valid: 1 to 3\\)"),
        (MoveBoundary("marks", 2, 0.1), "Tier 'marks' has no point 2"),
        (SetLabel("words", 4, "x"), "has no segment 4"),
        (SetLabel("chars", 3, "X"), "'X' in tier 'chars' must lie inside one segment"),
        (InsertBoundary("words", 0.2505), "closer than 1 ms to an existing boundary"),
        (InsertBoundary("words", 1.5), "1.500 s is outside the document"),
        (InsertBoundary("marks", 0.5), "'marks' is a point tier"),
        (RemoveBoundary("chars", 4), "'Y' in tier 'chars' must lie inside"),
        (InsertWord("words", 0.3, 0.4, "uh"), "'hi' is there"),
        (InsertWord("words", 0.55, 0.7, "uh"), "the silence ends at 0.625 s"),
        (InsertWord("words", 0.55, 0.5505, "uh"), "shorter than 1 ms"),
        (InsertWord("words", 0.55, 0.6, ""), "non-empty label"),
        (InsertWord("chars", 0.6, 0.65, "x"), "inside one segment of its parent"),
        (AddPoint("marks", 0.8004), "already has a point within 1 ms"),
        (AddPoint("marks", 1.2), "outside the document"),
        (AddPoint("words", 0.5), "'words' is an interval tier"),
        (RemovePoint("marks", 2), "Tier 'marks' has no point 2"),
        (RemovePoint("chars", 0), "'chars' is an interval tier"),
        (DeleteWord("words", 0), "already silence"),
    ],
)
def test_impossible_edits_raise_and_change_nothing(edit: Edit, message: str) -> None:
    doc = make_doc()
    before = copy.deepcopy(doc.tiers)
    with pytest.raises(ValueError, match=message):
        edit.apply(doc)
    assert doc.tiers == before


def test_drag_steps_merge_into_one_exactly_reversible_edit() -> None:
    doc = make_doc()
    original = copy.deepcopy(doc.tiers)
    drag = new_drag_id()
    first = MoveBoundary("words", 2, 0.45, drag_id=drag)
    first.apply(doc)
    for t in (0.4, 0.3, 0.26, 0.42):
        step = MoveBoundary("words", 2, t, drag_id=drag)
        step.apply(doc)
        assert first.merge(step)
    final = copy.deepcopy(doc.tiers)
    assert first.new_time == 0.42 and first.applied_time == 0.42
    # Nothing was pushed on the way to 0.376 and back: only the coincident char edge moved.
    assert spans(doc, "chars")[1:4] == [(0.25, 0.375, "H"), (0.375, 0.42, "I"), (0.42, 0.75, "")]
    first.revert(doc)
    assert doc.tiers == original
    first.apply(doc)
    assert doc.tiers == final


def test_only_steps_of_the_same_drag_merge() -> None:
    doc = make_doc()
    a = MoveBoundary("words", 2, 0.45, drag_id=1)
    a.apply(doc)
    others = [
        MoveBoundary("words", 2, 0.4, drag_id=2),
        MoveBoundary("words", 1, 0.2, drag_id=1),
        MoveBoundary("chars", 2, 0.4, drag_id=1),
        SetLabel("words", 1, "x"),
    ]
    for other in others:
        other.apply(doc)
        assert not a.merge(other)
    undragged = MoveBoundary("words", 3, 0.7)
    undragged.apply(doc)
    follow = MoveBoundary("words", 3, 0.75)
    follow.apply(doc)
    assert not undragged.merge(follow)


# -- labels and structure --------------------------------------------------------------------------


def test_set_label_keeps_the_chars_even_of_a_silenced_word() -> None:
    doc, _ = applied(SetLabel("words", 1, "hey"))
    assert spans(doc, "words")[1] == (0.25, 0.5, "hey")
    assert doc.tier("words").segments[1].score == 0.8
    assert spans(doc, "chars") == spans(make_doc(), "chars")
    doc, _ = applied(SetLabel("words", 1, ""))
    assert spans(doc, "chars") == spans(make_doc(), "chars")
    doc, _ = applied(SetLabel("marks", 1, "c"))
    assert spans(doc, "marks")[1] == (0.8, 0.8, "c")
    same = SetLabel("words", 1, "hi")
    same.apply(make_doc())
    assert not same.changed


def test_a_split_keeps_every_char_and_lands_on_the_nearest_char_boundary() -> None:
    # 0.45 s is inside "I": the split goes to the char edge 0.375 rather than cut "I" in two,
    # and "I" stays, now under the new silent right part.
    edit = InsertBoundary("words", 0.45)
    doc, _ = applied(edit)
    assert edit.text == "Split 'hi'" and edit.applied_time == 0.375
    assert spans(doc, "words")[1:3] == [(0.25, 0.375, "hi"), (0.375, 0.5, "")]
    assert doc.tier("words").segments[2].score is None
    assert spans(doc, "chars") == spans(make_doc(), "chars")
    # Removing the new boundary gives the original word back, chars and all.
    RemoveBoundary("words", 2).apply(doc)
    assert doc.tiers == make_doc().tiers


def test_insert_boundary_snaps_to_a_char_edge_within_min_segment() -> None:
    doc, _ = applied(InsertBoundary("words", 0.3755))
    assert spans(doc, "words")[1:3] == [(0.25, 0.375, "hi"), (0.375, 0.5, "")]
    assert spans(doc, "chars") == spans(make_doc(), "chars")


def test_a_word_of_one_char_cannot_be_split() -> None:
    doc = make_doc()
    RemoveBoundary("chars", 2).apply(doc)  # "H I" now fills all of "hi"
    with pytest.raises(ValueError, match="would cut an interval of 'chars' in two"):
        InsertBoundary("words", 0.4).apply(doc)


def test_points_are_added_and_removed() -> None:
    edit = AddPoint("marks", 0.5, "m")
    doc, _ = applied(edit)
    assert spans(doc, "marks") == [(0.3, 0.3, "a"), (0.5, 0.5, "m"), (0.8, 0.8, "b")]
    edit = RemovePoint("marks", 1)
    doc, _ = applied(edit)
    assert edit.text == "Remove point 'b' at 0.800 s"
    assert spans(doc, "marks") == [(0.3, 0.3, "a")]


def test_insert_boundary_in_silence_leaves_children_alone() -> None:
    doc, _ = applied(InsertBoundary("words", 0.1))
    assert spans(doc, "words")[:2] == [(0, 0.1, ""), (0.1, 0.25, "")]
    assert spans(doc, "chars") == spans(make_doc(), "chars")


def test_remove_boundary_joins_labels_and_keeps_the_lower_score() -> None:
    doc, _ = applied(RemoveBoundary("chars", 2))
    merged = doc.tier("chars").segments[1]
    assert (merged.start, merged.end, merged.label, merged.score) == (0.25, 0.5, "H I", 0.5)
    doc, _ = applied(RemoveBoundary("words", 2))
    merged = doc.tier("words").segments[1]
    assert (merged.start, merged.end, merged.label, merged.score) == (0.25, 0.625, "hi", 0.8)
    assert spans(doc, "chars") == spans(make_doc(), "chars")  # child boundaries are kept


def test_insert_word_into_silence_snaps_slivers_away() -> None:
    edit = InsertWord("words", 0.52, 0.6, "uh")
    doc, _ = applied(edit)
    assert spans(doc, "words")[2:5] == [(0.5, 0.52, ""), (0.52, 0.6, "uh"), (0.6, 0.625, "")]
    doc, _ = applied(InsertWord("words", 0.5004, 0.6245, "uh"))
    assert spans(doc, "words")[2] == (0.5, 0.625, "uh")
    assert len(doc.tier("words").segments) == 4


def test_delete_word_merges_silences_in_the_tier_and_its_children() -> None:
    doc, _ = applied(DeleteWord("words", 1))
    assert spans(doc, "words") == [(0, 0.625, ""), (0.625, 1.0, "yo")]
    assert spans(doc, "chars") == [(0, 0.75, ""), (0.75, 0.875, "Y"), (0.875, 1.0, "O")]
    doc, _ = applied(DeleteWord("words", 3))
    assert spans(doc, "words") == [(0, 0.25, ""), (0.25, 0.5, "hi"), (0.5, 1.0, "")]
    assert spans(doc, "chars")[3:] == [(0.5, 1.0, "")]


ALL_EDITS = [
    lambda: MoveBoundary("words", 2, 0.3),
    lambda: MoveBoundary("words", 3, 0.8),
    lambda: MoveBoundary("marks", 0, 0.5),
    lambda: SetLabel("words", 1, ""),
    lambda: InsertBoundary("words", 0.45),
    lambda: RemoveBoundary("chars", 2),
    lambda: InsertWord("words", 0.52, 0.6, "uh"),
    lambda: DeleteWord("words", 3),
    lambda: AddPoint("marks", 0.5),
    lambda: RemovePoint("marks", 0),
]


@pytest.mark.parametrize("make", ALL_EDITS)
def test_each_edit_reverts_and_reapplies_exactly(make) -> None:
    edit = make()
    doc, before = applied(edit)
    after = copy.deepcopy(doc.tiers)
    assert after != before
    edit.revert(doc)
    assert doc.tiers == before
    edit.apply(doc)
    assert doc.tiers == after


def test_subscribers_hear_the_tier_and_its_followers_on_apply_and_revert() -> None:
    doc = make_doc()
    heard: list[DocumentChange] = []
    doc.subscribe(heard.append)
    edit = MoveBoundary("words", 2, 0.3)
    edit.apply(doc)
    expected = [DocumentChange("words", "boundary", 2), DocumentChange("chars", "boundary", None)]
    assert heard == expected
    heard.clear()
    edit.revert(doc)
    assert heard == expected
    heard.clear()
    DeleteWord("words", 1).apply(doc)
    assert heard == [
        DocumentChange("words", "structure", 0),
        DocumentChange("chars", "structure", None),
    ]


def test_apply_and_revert_must_alternate() -> None:
    doc = make_doc()
    edit = SetLabel("words", 1, "x")
    with pytest.raises(RuntimeError, match="not applied"):
        edit.revert(doc)
    edit.apply(doc)
    with pytest.raises(RuntimeError, match="already applied"):
        edit.apply(doc)
