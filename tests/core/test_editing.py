"""The editor's rules without widgets: which tier a key acts on, which edit it makes, what is
refused, and the status-bar text of an item."""

from __future__ import annotations

import pytest

from aligner_gui.core.document import editing
from aligner_gui.core.document.document import AlignmentDocument, Segment, Tier
from aligner_gui.core.document.edits import DeleteWord, InsertBoundary, InsertWord, RemoveBoundary
from aligner_gui.core.document.point_edits import AddPoint, RemovePoint


def make_doc() -> AlignmentDocument:
    """words: ""[0, 1) hi[1, 1.5) ""[1.5, 1.9) yo[1.9, 3); chars under them; pitch points."""
    words = Tier("words", [Segment(0, 1, ""), Segment(1, 1.5, "hi"), Segment(1.5, 1.9, ""),
                           Segment(1.9, 3, "yo")])  # fmt: skip
    chars = Tier("chars", [Segment(0, 1, ""), Segment(1, 1.2, "H"), Segment(1.2, 1.5, "I"),
                           Segment(1.5, 3, "")], parent="words")  # fmt: skip
    pitch = Tier("pitch", [Segment(0.5, 0.5, "100"), Segment(2.0, 2.0, "120")], is_point_tier=True)
    return AlignmentDocument([words, chars, pitch], 3.0)


def spans(doc: AlignmentDocument, tier: str) -> list[tuple[float, float, str]]:
    return [(round(s.start, 9), round(s.end, 9), s.label) for s in doc.tier(tier).segments]


def test_keys_act_on_the_selection_then_the_tier_clicked_then_the_first() -> None:
    doc = make_doc()
    assert editing.acting_tier(doc, "chars", "pitch") == "chars"
    assert editing.acting_tier(doc, None, "pitch") == "pitch"
    assert editing.acting_tier(doc, None, None) == "words"
    assert editing.acting_tier(doc, "gone", "also gone") == "words"
    assert editing.acting_tier(AlignmentDocument([Tier("p", [], is_point_tier=True)], 1.0),
                               None) == "p"  # fmt: skip


def test_insert_splits_an_interval_tier_and_adds_a_point_to_a_point_tier() -> None:
    doc = make_doc()
    split = editing.insert_at(doc, "words", 1.3)
    assert isinstance(split, InsertBoundary)
    point = editing.insert_at(doc, "pitch", 1.3)
    assert isinstance(point, AddPoint)
    point.apply(doc)
    assert spans(doc, "pitch") == [(0.5, 0.5, "100"), (1.3, 1.3, ""), (2.0, 2.0, "120")]
    assert spans(doc, "words") == spans(make_doc(), "words")  # no other tier was touched


def test_remove_acts_on_the_boundary_or_point_within_the_tolerance() -> None:
    doc = make_doc()
    edit = editing.remove_at(doc, "words", 1.52, 0.03)
    assert isinstance(edit, RemoveBoundary) and edit.index == 2
    edit = editing.remove_at(doc, "pitch", 1.98, 0.03)
    assert isinstance(edit, RemovePoint) and edit.index == 1
    with pytest.raises(editing.Refusal, match="No point of tier 'pitch' at the cursor"):
        editing.remove_at(doc, "pitch", 1.2, 0.03)
    with pytest.raises(editing.Refusal, match="No boundary of tier 'words' at the cursor"):
        editing.remove_at(doc, "words", 1.25, 0.03)
    empty = AlignmentDocument([Tier("p", [], is_point_tier=True)], 1.0)
    with pytest.raises(editing.Refusal, match="has no point to remove"):
        editing.remove_at(empty, "p", 0.5, 1.0)


def test_delete_removes_a_point_or_silences_a_word() -> None:
    doc = make_doc()
    assert isinstance(editing.delete_item(doc, "pitch", 0), RemovePoint)
    assert isinstance(editing.delete_item(doc, "words", 1), DeleteWord)


def test_a_new_word_fills_a_short_silence_and_takes_300_ms_of_a_long_one() -> None:
    doc = make_doc()
    short = editing.new_word(doc, "words", 1.6, "uh")
    assert isinstance(short, InsertWord) and (short.start, short.end) == (1.5, 1.9)
    centred = editing.new_word(doc, "words", 0.5, "uh")
    assert (centred.start, centred.end) == pytest.approx((0.35, 0.65))
    at_edge = editing.new_word(doc, "words", 0.02, "uh")  # kept inside the silence
    assert (at_edge.start, at_edge.end) == pytest.approx((0.0, editing.NEW_WORD_SECONDS))
    for tier, time, label, message in [
        ("words", 1.2, "uh", "only be inserted in a silence"),
        ("words", 0.5, "", "needs a label"),
        ("pitch", 0.5, "uh", "point tier: press Return to add a point"),
        ("words", 4.0, "uh", "outside the document"),
    ]:
        with pytest.raises(editing.Refusal, match=message):
            editing.new_word(doc, tier, time, label)


def test_relabel_refuses_an_item_that_does_not_exist() -> None:
    doc = make_doc()
    editing.relabel(doc, "pitch", 1, "130").apply(doc)
    assert spans(doc, "pitch")[1] == (2.0, 2.0, "130")
    with pytest.raises(editing.Refusal, match="has no item 7"):
        editing.relabel(doc, "words", 7, "x")


def test_the_status_line_shows_a_span_for_an_interval_and_a_time_for_a_point() -> None:
    doc = make_doc()
    assert editing.describe_item(doc, "words", 1) == "words: “hi” 1.000–1.500 s (500 ms)"
    assert editing.describe_item(doc, "words", 0) == "words: “(silence)” 0.000–1.000 s (1000 ms)"
    assert editing.describe_item(doc, "pitch", 1) == "pitch: point “120” at 2.000 s"
    assert editing.describe_item(doc, "pitch", 5) is None
    assert editing.describe_item(doc, "pitch", -1) is None
    assert editing.describe_item(doc, "nope", 0) is None
