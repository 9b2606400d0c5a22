"""Random sequences of edits on documents with nested tiers (words > chars > subs, a point tier
and an unrelated interval tier), checking after every edit that:

* every interval tier still partitions the document (no gap, no overlap) and points are sorted;
* every nested tier stays inside its parent;
* no interval is shorter than MIN_SEGMENT (the generated documents have none, and only an edit
  the user asks for could make one: none may);
* no edit touches a tier outside the edited one and its descendants, and only deleting a word
  takes segments of other tiers with it: a split, a drag, a merge or a relabel keeps every
  labelled segment of every other tier;
* a tier edit (add, rename, delete, move, duplicate) keeps every other tier's segments, and
  a boundary moved alone (Alt+drag) leaves every other tier as it was;
* a refused edit changes nothing, and reverting the edits in reverse order restores every
  intermediate document exactly (then redoing them all gives the final one again);
* the undo history a recovery file keeps (written as JSON and read back) undoes the final
  document to every intermediate one after the last tier edit, and a damaged one is refused.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
from collections.abc import Iterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aligner_gui.core.document import editing
from aligner_gui.core.document.document import MIN_SEGMENT, AlignmentDocument, Segment, Tier
from aligner_gui.core.document.edits import (
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
from aligner_gui.core.document.tier_edits import (
    AddTier,
    DeleteTier,
    DuplicateTier,
    MoveTier,
    RenameTier,
    TierEdit,
)
from aligner_gui.core.document.undo_history import (
    RestoredEdit,
    decode_history,
    encode_history,
    history_of,
    leads_to,
)

LABELS = ["", "", "a", "bo", "cat"]
GRID = 0.005  # generated boundaries lie on a 5 ms grid, so every segment starts >= MIN_SEGMENT
TIER_NAMES = ["words", "chars", "subs", "marks", "notes", "new", "x (2)"]


def _split(
    draw: st.DrawFn, a: int, b: int, labels: list[str], labelled: bool, most: int
) -> list[tuple[int, int, str]]:
    """[a, b) on the grid cut into at most ``most + 1`` pieces, labelled only if ``labelled``."""
    inner = sorted(draw(st.sets(st.integers(a + 1, b - 1), max_size=most))) if b - a > 1 else []
    edges = [a, *inner, b]
    return [
        (c, d, draw(st.sampled_from(labels)) if labelled else "")
        for c, d in itertools.pairwise(edges)
    ]


@st.composite
def documents(draw: st.DrawFn) -> AlignmentDocument:
    steps = draw(st.integers(40, 400))
    duration = steps * GRID
    words = _split(draw, 0, steps, LABELS, True, 8)
    # Chars and subs are nested: their labelled pieces lie in one piece of their parent, which
    # may itself be silence (what a split leaves).
    chars = [c for a, b, _ in words for c in _split(draw, a, b, ["", "x", "y"], True, 3)]
    subs = [c for a, b, _ in chars for c in _split(draw, a, b, ["", "s"], True, 2)]
    notes = _split(draw, 0, steps, ["", "n"], True, 5)

    def tier(name: str, pieces: list[tuple[int, int, str]], parent: str | None = None) -> Tier:
        segs = [Segment(a * GRID, b * GRID, label) for a, b, label in pieces]
        return Tier(name, segs, parent=parent)

    points = sorted(draw(st.sets(st.integers(0, steps), max_size=4)))
    marks = Tier("marks", [Segment(p * GRID, p * GRID, "p") for p in points], is_point_tier=True)
    tiers = [
        tier("words", words),
        tier("chars", chars, "words"),
        tier("subs", subs, "chars"),
        marks,
        tier("notes", notes),
    ]
    return AlignmentDocument(tiers, duration)


def draw_edit(data: st.DataObject, doc: AlignmentDocument, last: Edit | None) -> Edit:
    """A random edit aimed at the current document: indices mostly valid, times anywhere but
    often on, just beside or just before a boundary; drags continue the previous drag. Half
    of the structural edits go through the editor's rules (core.document.editing)."""
    if (
        isinstance(last, MoveBoundary)
        and last.drag_id is not None
        and last.applied_time is not None  # it was applied
        and data.draw(st.booleans())
    ):
        step = data.draw(st.floats(-0.05, 0.05))
        return MoveBoundary(
            last.tier, last.index, last.new_time + step, drag_id=last.drag_id, alone=last.alone
        )
    names = doc.tier_names()
    if not names or data.draw(st.integers(0, 7)) == 0:
        return draw_tier_edit(data, doc)
    # The linked tiers more often than the others: that is where the rules are.
    tier = data.draw(st.sampled_from([*names, *[n for n in names if doc.children(n)]]))
    points = doc.tier(tier).is_point_tier
    n = len(doc.tier(tier).segments)
    near = doc.boundaries(tier) or [0.0]
    if data.draw(st.booleans()):
        time = data.draw(st.floats(-0.1, doc.duration + 0.1))
    else:
        time = data.draw(st.sampled_from(near)) + data.draw(st.sampled_from([0.0, 4e-4, -0.002]))
    kind = data.draw(
        st.sampled_from(["move", "move", "label", "insert", "remove", "word", "delete", "rule"])
    )
    first = 1 if kind in ("move", "remove") and not points else 0
    index = data.draw(st.integers(first, max(n - 1, first)) | st.integers(-1, n + 1))
    if kind == "move":
        drag = data.draw(st.sampled_from([None, new_drag_id()]))
        alone, exact = data.draw(st.booleans()), data.draw(st.booleans())
        return MoveBoundary(tier, index, time, drag_id=drag, alone=alone, exact=exact)
    if kind == "label":
        return SetLabel(tier, index, data.draw(st.sampled_from(LABELS)))
    if kind == "insert":
        return AddPoint(tier, time) if points else InsertBoundary(tier, time)
    if kind == "remove":
        return RemovePoint(tier, index) if points else RemoveBoundary(tier, index)
    if kind == "word":
        silences = [s for s in doc.tier(tier).segments if not s.label]
        aim_at_silence: bool = data.draw(st.booleans())
        if silences and aim_at_silence:
            gap = data.draw(st.sampled_from(silences))
            time = data.draw(st.floats(gap.start, gap.end))
        return InsertWord(tier, time, time + data.draw(st.floats(0.0, 0.2)), "w")
    if kind == "rule":
        rule = data.draw(st.sampled_from(["insert", "remove", "delete", "word"]))
        if rule == "insert":
            return editing.insert_at(doc, tier, time)
        if rule == "remove":
            return editing.remove_at(doc, tier, time, data.draw(st.sampled_from([0.0, 0.003])))
        if rule == "delete":
            return editing.delete_item(doc, tier, index)
        return editing.new_word(doc, tier, time, "w")
    return RemovePoint(tier, index) if points else DeleteWord(tier, index)


def draw_tier_edit(data: st.DataObject, doc: AlignmentDocument) -> Edit:
    """A random tier edit, the names sometimes taken or unknown."""
    names = doc.tier_names() or ["words"]
    tier = data.draw(st.sampled_from(names))
    name = data.draw(st.sampled_from(TIER_NAMES))
    kind = data.draw(st.sampled_from(["add", "rename", "delete", "move", "duplicate"]))
    if kind == "add":
        after = data.draw(st.sampled_from([None, *names]))
        return AddTier(name, point=data.draw(st.booleans()), after=after)
    if kind == "rename":
        return RenameTier(tier, name)
    if kind == "delete":
        return DeleteTier(tier)
    if kind == "move":
        return MoveTier(tier, data.draw(st.sampled_from([-1, 1])))
    return DuplicateTier(tier, name)


def applied_edits(data: st.DataObject, doc: AlignmentDocument) -> Iterator[tuple[Edit, list[Tier]]]:
    """1-12 random edits applied to ``doc`` in turn (drags continuing the previous drag): each
    one applied, with the tiers before it; a refused one is checked to have changed nothing."""
    edit: Edit | None = None
    for _ in range(data.draw(st.integers(1, 12))):
        before = copy.deepcopy(doc.tiers)
        try:
            edit = draw_edit(data, doc, edit)
            edit.apply(doc)
        except ValueError:  # refused by the rules or by the edit: nothing changed
            assert doc.tiers == before
            continue
        yield edit, before


def check_invariants(doc: AlignmentDocument) -> None:
    assert doc.problems() == []
    for tier in doc.tiers:
        segs = tier.segments
        if tier.is_point_tier:
            gaps = [b.start - a.start for a, b in itertools.pairwise(segs)]
        else:
            gaps = [s.end - s.start for s in segs]
        assert all(g >= MIN_SEGMENT - 1e-9 for g in gaps), (tier.name, gaps)


def labelled(tier: Tier) -> list[tuple[str, float, float]]:
    return [(s.label, s.start, s.end) for s in tier.segments if s.label]


def check_nothing_lost(doc: AlignmentDocument, edit: Edit, before: list[Tier]) -> None:
    """Only the edited tier and its descendants change; descendants keep every labelled segment
    (same labels, in order) unless a word was deleted, and keep them in place unless a
    boundary they shared moved. A tier edit keeps every remaining tier's segments."""
    if isinstance(edit, TierEdit):
        kept = [t.segments for t in doc.tiers]
        for tier in before:
            if not (isinstance(edit, DeleteTier) and tier.name == edit.tier):
                assert tier.segments in kept, (type(edit).__name__, tier.name)
        return
    if isinstance(edit, MoveBoundary) and edit.alone:
        others = {t.name: t.segments for t in before if t.name != edit.tier}
        assert {t.name: t.segments for t in doc.tiers if t.name != edit.tier} == others
    affected = {edit.tier} | {t.name for t in doc.descendants(edit.tier)}
    old = {t.name: t for t in before}
    for tier in doc.tiers:
        if tier.name not in affected:
            assert tier.segments == old[tier.name].segments, (type(edit).__name__, tier.name)
        elif tier.name != edit.tier and not isinstance(edit, DeleteWord):
            now, was = labelled(tier), labelled(old[tier.name])
            assert [s[0] for s in now] == [s[0] for s in was], (type(edit).__name__, tier.name)
            if not isinstance(edit, MoveBoundary):
                assert now == was, (type(edit).__name__, tier.name)


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(doc=documents(), data=st.data())
def test_random_edits_keep_invariants_lose_nothing_and_revert_exactly(
    doc: AlignmentDocument, data: st.DataObject
) -> None:
    check_invariants(doc)
    history: list[tuple[Edit, list[Tier]]] = []
    for edit, before in applied_edits(data, doc):
        check_invariants(doc)
        check_nothing_lost(doc, edit, before)
        if history and history[-1][0].merge(edit):
            continue  # absorbed: the earlier edit's "before" still stands
        history.append((edit, before))
    final = copy.deepcopy(doc.tiers)
    for done, before in reversed(history):
        done.revert(doc)
        assert doc.tiers == before
    for done, _ in history:
        done.apply(doc)
    assert doc.tiers == final


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(doc=documents(), data=st.data())
def test_the_history_a_recovery_file_keeps_undoes_to_every_earlier_document(
    doc: AlignmentDocument, data: st.DataObject
) -> None:
    # As the undo stack holds them: changed edits only, one drag one step.
    applied: list[Edit] = []
    states = [copy.deepcopy(doc.tiers)]  # states[i] before applied[i], states[-1] now
    for edit, _before in applied_edits(data, doc):
        if not edit.changed:
            continue
        if not (applied and applied[-1].merge(edit)):
            applied.append(edit)
            states.append([])
        states[-1] = copy.deepcopy(doc.tiers)
    steps = decode_history(json.loads(json.dumps(encode_history(history_of(applied)))))
    assert leads_to(steps, doc.tiers, duration=doc.duration)
    first = len(applied) - len(steps)  # the history starts after the last tier edit
    assert not any(isinstance(e, TierEdit) for e in applied[first:])
    assert first == 0 or isinstance(applied[first - 1], TierEdit)
    restored = AlignmentDocument(copy.deepcopy(doc.tiers), doc.duration)
    edits = [RestoredEdit(step) for step in steps]
    for k in reversed(range(len(edits))):
        edits[k].revert(restored)
        assert restored.tiers == states[first + k]
    for k, restored_edit in enumerate(edits):
        restored_edit.apply(restored)
        assert restored.tiers == states[first + k + 1]
    # A history that does not lead to the document (a damaged file) is refused.
    for k, step in enumerate(steps):
        for j, splice in enumerate(step.splices):
            if splice.new:
                wrong = dataclasses.replace(splice.new[0], label=splice.new[0].label + "?")
                bad_splice = dataclasses.replace(splice, new=(wrong, *splice.new[1:]))
                splices = (*step.splices[:j], bad_splice, *step.splices[j + 1 :])
                bad = (*steps[:k], dataclasses.replace(step, splices=splices), *steps[k + 1 :])
                assert not leads_to(bad, doc.tiers, duration=doc.duration)
                return
