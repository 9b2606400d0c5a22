"""The time-aligned views on real widgets: data shown, linked axes, real mouse edits, painting."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor

from aligner_gui.core.display.peaks import BASE_BLOCK, PeakPyramid
from aligner_gui.core.document import edits
from aligner_gui.core.document.document import MIN_SEGMENT, AlignmentDocument, Segment, Tier
from aligner_gui.core.io.textgrid import Interval, IntervalTier, Point, PointTier, TextGrid
from aligner_gui.qt import dialogs
from aligner_gui.qt.document_model import DocumentModel
from aligner_gui.qt.view_stack import ViewStack
from aligner_gui.qt.views.emission_view import NO_EMISSIONS, row_names
from aligner_gui.qt.views.heatmap import to_uint8
from aligner_gui.qt.views.intervals_item import tooltip_text
from aligner_gui.qt.views.intervals_paint import FLAG_MARK
from aligner_gui.qt.views.tier_view import TierView
from aligner_gui.qt.views.trellis_view import (
    edited_staircase,
    normalise_trellis,
    viterbi_staircase,
)

from gui_helpers import (
    many_words_document,
    mouse_click,
    mouse_drag,
    synthetic_audio,
    synthetic_result,
    tiers_snapshot,
    view_pixel,
)

pytestmark = pytest.mark.gui
TEXT = "hello world this is a test"


@pytest.fixture
def model(qtbot: Any) -> DocumentModel:
    return DocumentModel()


@pytest.fixture
def stack(qtbot: Any, model: DocumentModel) -> Iterator[ViewStack]:
    widget = ViewStack(model)
    widget.resize(1000, 800)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.detach()


@pytest.fixture
def aligned(model: DocumentModel, stack: ViewStack, qtbot: Any):
    result = synthetic_result(TEXT, 2.5)
    model.set_document(AlignmentDocument.from_alignment(result))
    qtbot.wait(20)  # queued shows of the new tier views
    return result


# -- data shown ---------------------------------------------------------------------------------


def test_every_view_shows_the_engine_result(
    stack: ViewStack, model: DocumentModel, aligned
) -> None:
    result = aligned
    duration = result.audio.duration
    assert stack.waveform.time_extent() == (0.0, duration)
    t0, t1 = stack.waveform.x_range()
    assert t0 == pytest.approx(0.0, abs=1e-9) and t1 == pytest.approx(duration)
    # Heat map: one column per frame, one row per label, probability to 0..255.
    assert stack.emission.image_shape() == result.emissions.shape
    np.testing.assert_array_equal(stack.emission.image.image, to_uint8(np.exp(result.emissions)))
    assert list(stack.emission.rows) == row_names(result.labels)
    assert stack.emission.rows[result.labels.blank] == "(blank)"
    # Trellis: frames x transcript tokens, the path ends on the last token at the last frame.
    frames, n_tokens = result.emissions.shape[0], len(result.tokenized.tokens)
    assert stack.trellis.image_shape() == (frames, n_tokens)
    x, y = stack.trellis.path_curve.getData()
    assert x[-1] == pytest.approx(frames * result.timebase.frame_seconds)
    assert y[-1] == pytest.approx(n_tokens - 0.5)
    # One step per run of a token (fewer segments to paint), the same staircase frame by frame.
    edges, levels = viterbi_staircase(result)
    assert y.size < levels.size and np.all(np.diff(y) != 0)
    centres = (edges[:-1] + edges[1:]) / 2
    np.testing.assert_array_equal(y[np.searchsorted(x, centres) - 1], levels)
    # Tiers: one view per tier; labelled intervals are the engine's words and characters.
    assert [v.tier_name for v in stack.tiers.views] == ["words", "chars"]
    words = [iv for iv in stack.tiers.view("words").intervals() if iv[2]]
    assert words == [(w.start, w.end, w.label) for w in result.words]
    chars = [iv for iv in stack.tiers.view("chars").intervals() if iv[2]]
    assert chars == [(c.start, c.end, c.label) for c in result.chars]


def test_peak_pyramid_keeps_every_peak() -> None:
    rng = np.random.default_rng(1)
    samples = rng.standard_normal(200_003).astype(np.float32)
    samples[123_457] = 9.0  # one spike must survive any zoom level
    pyramid = PeakPyramid(samples, 16_000)
    assert pyramid.peak() == pytest.approx(9.0)
    x, y = pyramid.envelope(0.0, pyramid.duration, 800)
    assert y.max() == pytest.approx(9.0) and y.min() == pytest.approx(samples.min())
    assert x[0] >= 0.0 and x[-1] <= pyramid.duration
    assert 800 <= y.size <= 4 * 800 * 2  # bounded by the pixel width, not the 200k samples
    # Fully zoomed in: the raw samples themselves.
    x, y = pyramid.envelope(1.0, 1.0 + 200 / 16_000, 800)
    np.testing.assert_array_equal(y, samples[15_999 : 15_999 + y.size])
    np.testing.assert_allclose(np.diff(x), 1 / 16_000)
    # Level blocks are exact min/max of their samples.
    level = pyramid.levels[0]
    assert level.block == BASE_BLOCK
    assert level.maxs[3] == samples[3 * BASE_BLOCK : 4 * BASE_BLOCK].max()


def test_waveform_redraws_the_visible_range(stack: ViewStack, aligned) -> None:
    stack.set_x_range(1.0, 1.02)
    stack.waveform.redraw()
    x, y = stack.waveform.curve.getData()
    assert x.min() >= 1.0 - 2 / 16_000 and x.max() <= 1.02 + 3 / 16_000
    samples = aligned.audio.samples
    np.testing.assert_array_equal(y, samples[int(round(x[0] * 16_000)) :][: y.size])


def test_views_share_one_time_axis_pixel_for_pixel(stack: ViewStack, aligned) -> None:
    stack.set_x_range(0.5, 1.5)
    boxes = []
    for view in stack.views():
        assert view.x_range() == pytest.approx((0.5, 1.5))
        rect = view.view_box.sceneBoundingRect()
        left = view.mapToGlobal(view.mapFromScene(rect.topLeft())).x()
        boxes.append((left, round(rect.width())))
    assert len(set(boxes)) == 1, boxes
    # Only the lowest view draws the time axis.
    assert [v.getPlotItem().getAxis("bottom").isVisible() for v in stack.views()] == [
        False, False, False, False, False, True,
    ]  # fmt: skip
    stack.zoom(2.0, centre=1.0)
    assert stack.x_range() == pytest.approx((0.75, 1.25))
    stack.pan(0.5)
    assert stack.tiers.views[0].x_range() == pytest.approx((1.0, 1.5))
    stack.zoom_to_fit()
    assert stack.trellis.x_range() == pytest.approx((0.0, 2.5))


def test_hiding_a_panel_moves_the_time_axis(stack: ViewStack, aligned) -> None:
    stack.set_panel_visible("tiers", False)
    assert stack.trellis.getPlotItem().getAxis("bottom").isVisible()
    assert not stack.tiers.views[-1].getPlotItem().getAxis("bottom").isVisible()
    stack.set_panel_visible("tiers", True)
    assert stack.tiers.views[-1].getPlotItem().getAxis("bottom").isVisible()


def test_views_without_engine_result_say_why(stack: ViewStack, model: DocumentModel) -> None:
    grid = TextGrid(0.0, 1.0, (IntervalTier("words", 0.0, 1.0, (Interval(0.0, 1.0, "hi"),)),))
    model.set_document(AlignmentDocument.from_textgrid(grid, synthetic_audio(1.0)))
    assert stack.emission.image_shape() is None
    assert stack.emission.message.textItem.toPlainText() == NO_EMISSIONS
    assert stack.trellis.image_shape() is None
    assert stack.tiers.view("words").intervals() == [(0.0, 1.0, "hi")]


# -- editing with the mouse -----------------------------------------------------------------------


def test_real_mouse_drag_moves_a_shared_boundary_in_one_undo_step(
    stack: ViewStack, model: DocumentModel, aligned, qtbot: Any
) -> None:
    doc = model.document
    words = stack.tiers.view("words")
    index = 2  # start of "world"'s following silence or word: an internal boundary
    old = doc.tier("words").segments[index].start
    before = tiers_snapshot(doc)
    trellis_before = stack.trellis.edited_path()[0].copy()
    start = view_pixel(words, old, 0.5)
    assert words.handle_for(index) is not None
    target = old + 0.04
    end = view_pixel(words, target, 0.5)
    mouse_drag(words, start, end)
    new = doc.tier("words").segments[index].start
    assert new == pytest.approx(target, abs=2 * words.view_box.viewPixelSize()[0])
    assert doc.tier("words").segments[index - 1].end == new  # the shared boundary moved once
    assert model.undo_stack.count() == 1  # every drag step merged
    # Every view follows: the line sits on the document's value, the intervals and the trellis.
    assert words.handle_for(index).value() == new
    assert words.intervals()[index][0] == new
    assert not np.array_equal(stack.trellis.edited_path()[0], trellis_before)
    after = tiers_snapshot(doc)
    model.undo_stack.undo()
    assert tiers_snapshot(doc) == before
    assert words.handle_for(index).value() == old
    model.undo_stack.redo()
    assert tiers_snapshot(doc) == after


def test_drag_is_clamped_by_the_core_and_the_line_snaps(
    stack: ViewStack, model: DocumentModel, qtbot: Any
) -> None:
    model.set_document(many_words_document(5, 2.0))
    qtbot.wait(20)
    view = stack.tiers.view("words")
    # Drag boundary 1 (0.4 s) far past boundary 2 (0.8 s): it stops MIN_SEGMENT before.
    mouse_drag(view, view_pixel(view, 0.4, 0.5), view_pixel(view, 1.5, 0.5))
    moved = model.document.tier("words").segments[1].start
    assert moved == pytest.approx(0.8 - MIN_SEGMENT)
    assert view.handle_for(1).value() == moved


def test_click_selects_a_word_and_asks_to_play_exactly_it(
    stack: ViewStack, model: DocumentModel, aligned, qtbot: Any
) -> None:
    view = stack.tiers.view("words")
    seg = model.document.tier("words").segments[1]
    with qtbot.waitSignal(view.playRequested) as blocker:
        mouse_click(view, view_pixel(view, 0.5 * (seg.start + seg.end), 0.5))
    assert blocker.args == [seg.start, seg.end]
    assert model.selection() == ("words", 1)
    assert view.item.selected == 1
    assert stack.waveform.selection_region.getRegion() == pytest.approx((seg.start, seg.end))


def test_double_click_edits_the_label_undoably(
    stack: ViewStack, model: DocumentModel, aligned, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def fake_ask(parent, title, prompt, text):
        asked.append(text)
        return "HELLO!"

    monkeypatch.setattr(dialogs, "ask_text", fake_ask)
    view = stack.tiers.view("words")
    seg = model.document.tier("words").segments[1]
    mouse_click(view, view_pixel(view, 0.5 * (seg.start + seg.end), 0.5), double=True)
    assert asked == ["hello"]
    assert model.document.tier("words").segments[1].label == "HELLO!"
    assert view.intervals()[1][2] == "HELLO!"
    model.undo_stack.undo()
    assert model.document.tier("words").segments[1].label == "hello"


def test_context_menu_actions_edit_the_tier(
    stack: ViewStack, model: DocumentModel, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    model.set_document(many_words_document(4, 2.0))
    qtbot.wait(20)
    view = stack.tiers.view("words")
    texts = [a.text() for a in view.context_actions(0.25)]
    assert texts == ["Play", "Edit label…", "Insert boundary here", "Remove boundary", "Delete word",
                     "Insert word here…"]  # fmt: skip
    by_text = {a.text(): a for a in view.context_actions(0.25)}
    assert not by_text["Remove boundary"].isEnabled()  # no boundary near 0.25 s
    by_text["Insert boundary here"].trigger()
    assert [s.start for s in model.document.tier("words").segments] == [0.0, 0.25, 0.5, 1.0, 1.5]
    by_text = {a.text(): a for a in view.context_actions(0.25)}
    by_text["Remove boundary"].trigger()
    assert [s.start for s in model.document.tier("words").segments] == [0.0, 0.5, 1.0, 1.5]
    {a.text(): a for a in view.context_actions(0.75)}["Delete word"].trigger()
    assert [s.label for s in model.document.tier("words").segments] == ["w0", "", "w2", "w3"]
    monkeypatch.setattr(dialogs, "ask_text", lambda *a: "new")
    {a.text(): a for a in view.context_actions(0.75)}["Insert word here…"].trigger()
    assert [s.label for s in model.document.tier("words").segments] == ["w0", "new", "w2", "w3"]
    # An impossible edit is refused with the core's reason, not raised.
    with qtbot.waitSignal(view.editRefused) as refused:
        assert not view.delete_segment(0) or not view.delete_segment(0)
    assert "silence" in refused.args[0]


# -- painting ---------------------------------------------------------------------------------------


def test_labels_are_elided_flagged_and_explained(
    stack: ViewStack, model: DocumentModel, qtbot: Any
) -> None:
    segs = [
        Segment(0.0, 0.05, "extraordinarily", 0.9),
        Segment(0.05, 1.0, "wide", None, aligned=False),
        Segment(1.0, 2.0, "", None),
    ]
    model.set_document(AlignmentDocument([Tier("words", segs)], 2.0, audio=synthetic_audio(2.0)))
    qtbot.wait(20)
    view = stack.tiers.view("words")
    view.grab()  # paint
    painted = view.item.painted_labels
    assert painted[0].endswith("…") and "extraordinarily".startswith(painted[0][:-1])
    assert painted[1] == f"{FLAG_MARK}wide"
    tip = tooltip_text(view.data, 1)
    assert "start: 0.0500 s" in tip and "end: 1.0000 s" in tip and "duration: 950.0 ms" in tip
    assert "score: unknown" in tip and "interpolated" in tip
    assert "score: 0.900" in tooltip_text(view.data, 0)
    # Zoomed onto the short word its whole label fits.
    stack.set_x_range(0.0, 0.1)
    view.grab()
    assert view.item.painted_labels[0] == "extraordinarily"


def test_hundreds_of_boundary_lines_paint(qtbot: Any, model: DocumentModel) -> None:
    """Hundreds of boundaries in view: each one drawn and each one a drag handle (they are
    painted by the tier's one item, not as hundreds of InfiniteLines, which were slow and
    crashed PySide6 6.12.0)."""
    model.set_document(many_words_document(400, 40.0))
    view = TierView(model, "words")
    qtbot.addWidget(view)
    view.resize(1800, 120)
    view.show()
    qtbot.waitExposed(view)
    view.setXRange(0.0, 40.0, padding=0.0)
    view._update_handles()
    assert len(view.visible_handles()) == 399
    image = view.grab().toImage()
    boundary = view.theme.boundary
    columns = set()
    for x in range(image.width()):
        for y in (40, 60, 80):
            if QColor(image.pixel(x, y)).lightness() < boundary.lightness() + 40:
                columns.add(x)
    assert len(columns) >= 350  # every drawn boundary is a dark column
    view.detach()


def test_trellis_edited_path_follows_the_document(
    stack: ViewStack, model: DocumentModel, aligned
) -> None:
    doc = model.document
    x, y = stack.trellis.edited_path()
    ex, _ = edited_staircase(aligned, doc)
    np.testing.assert_array_equal(x, ex)
    first_char = doc.tier("chars").segments[1]
    assert x[0] == first_char.start and y[0] == 0.5
    assert x[1] == first_char.end
    model.push(edits.MoveBoundary("chars", 2, first_char.start + 0.02))
    assert doc.tier("chars").segments[1].end == pytest.approx(first_char.start + 0.02)
    x2, _ = stack.trellis.edited_path()
    assert x2[1] == doc.tier("chars").segments[1].end
    norm = normalise_trellis(np.array([[0.0, -15.0, -np.inf]], dtype=np.float32))
    np.testing.assert_allclose(norm, [[1.0, 0.5, 0.0]])


def test_point_tier_points_can_be_moved(stack: ViewStack, model: DocumentModel, qtbot: Any) -> None:
    grid = TextGrid(0.0, 2.0, (
        IntervalTier("words", 0.0, 2.0, (Interval(0.0, 2.0, "all"),)),
        PointTier("tones", 0.0, 2.0, (Point(0.5, "H*"), Point(1.5, "L%"))),
    ))  # fmt: skip
    model.set_document(AlignmentDocument.from_textgrid(grid, synthetic_audio(2.0)))
    qtbot.wait(20)
    view = stack.tiers.view("tones")
    assert view.boundary_times() == [(0, 0.5), (1, 1.5)]
    view.grab()
    assert view.item.painted_labels == ["H*", "L%"]
    mouse_drag(view, view_pixel(view, 1.5, 0.5), view_pixel(view, 1.2, 0.5))
    assert model.document.tier("tones").segments[1].start == pytest.approx(1.2, abs=0.01)
    assert math.isclose(view.handle_for(1).value(), model.document.tier("tones").segments[1].start)
    assert isinstance(view_pixel(view, 0.0, 0.0), QPoint)


# -- long files: what is drawn is bounded by the screen, not by the file -----------------------------


def test_incremental_peak_pyramid_previews_then_equals_the_complete_one() -> None:
    rng = np.random.default_rng(2)
    samples = (0.1 * rng.standard_normal(3_000_001)).astype(np.float32)
    samples[2_345_678] = 5.0  # a spike the preview may miss, the pyramid must not
    pixels = 700
    pyramid = PeakPyramid(samples, 16_000, incremental=True)
    assert not pyramid.complete and pyramid.built == 0 and pyramid.preview is not None
    _, y = pyramid.envelope(0.0, pyramid.duration, pixels)
    assert 0 < y.size <= 2 * (pixels + 2)  # the preview alone, still at screen resolution
    steps = 0
    while not pyramid.build_step():
        steps += 1
        assert 0 < pyramid.built < samples.size
    assert steps >= 5  # one bounded chunk at a time
    whole = PeakPyramid(samples, 16_000)
    assert [lv.block for lv in pyramid.levels] == [lv.block for lv in whole.levels]
    for mine, ref in zip(pyramid.levels, whole.levels, strict=True):
        np.testing.assert_array_equal(mine.mins, ref.mins)
        np.testing.assert_array_equal(mine.maxs, ref.maxs)
    assert pyramid.peak() == pytest.approx(5.0)
    for t0, t1 in [(0.0, pyramid.duration), (140.0, 150.0), (146.0, 146.7)]:
        _, y = pyramid.envelope(t0, t1, pixels)
        assert y.size <= 2 * (pixels + 2)  # at most a (min, max) pair per pixel column
        s0, s1 = int(t0 * 16_000), int(t1 * 16_000)
        assert y.max() == pytest.approx(samples[s0:s1].max(), abs=1e-6)
        assert y.min() == pytest.approx(samples[s0:s1].min(), abs=1e-6)


def test_frame_pyramid_windows_are_exact_max_pools() -> None:
    from aligner_gui.core.display.pooling import FramePyramid

    rng = np.random.default_rng(3)
    values = rng.random((10_007, 37)).astype(np.float32)
    pyramid = FramePyramid(values)
    cases = [(0, 10_007, 800, None, None), (123, 4567, 300, (5, 30), 10), (10, 50, 100, None, None)]
    for f0, f1, columns, rows, max_rows in cases:
        window = pyramid.window(f0, f1, columns, rows, max_rows)
        (e0, e1), (g0, _) = window.frame_range, window.row_range
        assert window.values.shape[0] <= columns and e0 <= f0 and e1 >= f1
        if max_rows is not None:
            assert window.values.shape[1] <= max_rows
        for c in range(0, window.values.shape[0], 7):
            for r in range(window.values.shape[1]):
                fa = e0 + c * window.frame_group
                ra = g0 + r * window.row_group
                expected = values[fa : fa + window.frame_group, ra : ra + window.row_group].max()
                assert window.values[c, r] == expected
    exact = pyramid.window(10, 50, 100)
    np.testing.assert_array_equal(exact.values, values[10:50])


def test_lazy_trellis_window_is_the_core_trellis_of_its_sub_problem() -> None:
    from aligner_gui.core.alignment.trellis import build_trellis, trellis_window
    from aligner_gui.core.display.lazy_trellis import PathIndex, TrellisComputation

    result = synthetic_result("the north wind and the sun were disputing which was stronger", 6.0)
    tokens, blank = result.tokenized.tokens, result.labels.blank
    index = PathIndex(result.path.token_index, len(tokens))
    for f0, f1 in [(0, 60), (120, 180)]:
        plan = index.plan(f0, f1)
        job = TrellisComputation(result.emissions, tokens, blank, plan)
        while not job.advance(0.0):  # one slice per call
            pass
        g0, (a, b), (k0, k1) = plan.start, plan.frames, plan.tokens
        assert a <= f0 and b >= f1 and k0 <= index.tokens_in(f0, f1)[0]
        expected = trellis_window(
            result.emissions[g0:b], tokens[k0:k1], blank, (a - g0, b - g0), (0, k1 - k0)
        )
        np.testing.assert_array_equal(job.result, expected)
    # From frame 0 and token 0 the window is the true trellis.
    plan = index.plan(0, 60)
    assert plan.start == 0 and plan.tokens[0] == 0
    full = build_trellis(result.emissions, tokens, blank)
    job = TrellisComputation(result.emissions, tokens, blank, plan)
    job.advance(10.0)
    np.testing.assert_array_equal(
        job.result, full[plan.frames[0] : plan.frames[1], : plan.tokens[1]]
    )


def test_heat_maps_of_a_long_file_are_pooled_to_the_screen(
    stack: ViewStack, model: DocumentModel, qtbot: Any
) -> None:
    from aligner_gui.qt.views.emission_view import probability_image
    from aligner_gui.qt.views.trellis_view import MAX_VIEW_FRAMES, trellis_image

    from gui_helpers import long_result

    result = long_result(120.0, 300)  # 6,000 frames x ~1,800 tokens: too big to draw whole
    fs = result.timebase.frame_seconds
    model.set_document(AlignmentDocument.from_alignment(result))
    qtbot.wait(20)
    emission, trellis = stack.emission, stack.trellis
    width = emission.plot_width_pixels()

    def columns(view) -> tuple[np.ndarray, float, int]:
        """The image, its first frame and its frames per column (from where it is placed)."""
        rect = view.image.mapRectToParent(view.image.boundingRect())
        image = view.image.image
        return image, rect.left() / fs, round(rect.width() / fs / image.shape[0])

    image, first, group = columns(emission)
    assert image.shape[0] <= width and image.shape[1] == len(result.labels)
    assert first == pytest.approx(0.0) and group * image.shape[0] >= 6000 and group > 1
    for c in (0, 7, image.shape[0] - 1):  # each column: the maximum over its frames
        expected = probability_image(result.emissions[c * group : (c + 1) * group].max(axis=0))
        np.testing.assert_array_equal(image[c], expected)
    assert trellis.image_shape() is None
    assert "Zoom in to 30 s" in trellis.message.textItem.toPlainText()
    # Zoomed in: the window around the view is computed in slices, then shown.
    stack.set_x_range(50.0, 60.0)
    image, first, group = columns(emission)
    assert group == 1 and first == pytest.approx(2500.0)  # 500 frames fit: shown as they are
    np.testing.assert_array_equal(image, probability_image(result.emissions[2500:3000]))
    assert trellis.is_computing()
    qtbot.waitUntil(lambda: not trellis.is_computing(), timeout=5000)
    shape = trellis.image_shape()
    assert shape is not None and shape[0] <= width and shape[1] <= trellis.time_box.height() + 1
    plan = trellis._plan
    assert plan is not None and plan.frames[0] <= 2500 and plan.frames[1] >= 3000
    assert plan.frames[1] - plan.frames[0] <= 2 * MAX_VIEW_FRAMES
    x, _ = trellis.path_curve.getData()
    assert x[0] == pytest.approx(plan.frames[0] * fs) and x[-1] == pytest.approx(
        plan.frames[1] * fs
    )
    ex, _ = trellis.edited_path()
    assert (
        ex.size and ex.min() >= plan.frames[0] * fs - 0.1 and ex.max() <= plan.frames[1] * fs + 0.1
    )
    assert trellis_image(np.array([[0.0, -15.0]], dtype=np.float32)).tolist() == [[255, 128]]
    # A short pan stays inside the computed window: nothing new to compute.
    stack.pan(0.2)
    assert not trellis.is_computing() and trellis._plan is plan
    assert columns(emission)[1] == pytest.approx(2600.0)


def test_a_zoomed_out_tier_paints_merged_blocks_without_labels(
    stack: ViewStack, model: DocumentModel, qtbot: Any
) -> None:
    model.set_document(many_words_document(3000, 120.0))
    qtbot.wait(20)
    view = stack.tiers.view("words")
    image = view.grab().toImage()
    assert view.item.painted_mode == "blocks" and view.item.painted_labels == []
    assert view.visible_handles() == [] and not view.item.editable  # zoom in to edit
    # Every column of the strip is tinted by the words' score (0.5: amber), none left blank.
    y = view.pixel_of(60.0, 0.5)[1]
    x0, x1 = view.pixel_of(0.5, 0.5)[0], view.pixel_of(119.5, 0.5)[0]
    tint = {image.pixel(x, y) for x in range(x0, x1, 5)}
    assert len(tint) == 1 and QColor(tint.pop()).hue() in range(30, 70)
    stack.set_x_range(40.02, 40.38)  # 10 words in view: intervals with labels and handles
    view.grab()
    assert view.item.painted_mode == "intervals"
    assert view.item.painted_labels == [f"w{i}" for i in range(1000, 1010)]
    assert [h.index for h in view.visible_handles()] == list(range(1000, 1010))


def test_a_drag_step_rereads_only_the_segments_it_moved(
    stack: ViewStack, model: DocumentModel, aligned, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aligner_gui.qt.views.intervals_item import TierData

    doc = model.document
    words, chars = stack.tiers.view("words"), stack.tiers.view("chars")
    refreshed: list[str] = []
    for view in (words, chars):
        monkeypatch.setattr(view, "refresh", lambda v=view: refreshed.append(v.tier_name))
    segs = doc.tier("words").segments
    index = next(i for i in range(1, len(segs)) if segs[i].label and segs[i - 1].label == "")
    drag = edits.new_drag_id()
    for step in (0.01, 0.02, -0.01):
        model.push(edits.MoveBoundary("words", index, segs[index].start + step, drag_id=drag))
    model.undo_stack.undo()
    model.undo_stack.redo()
    assert refreshed == []  # boundary moves never rebuild a tier view
    for view in (words, chars):
        fresh = TierData.from_segments(doc.tier(view.tier_name).segments)
        np.testing.assert_array_equal(view.data.starts, fresh.starts)
        np.testing.assert_array_equal(view.data.ends, fresh.ends)
        assert view.data.labels == fresh.labels
    model.push(edits.SetLabel("words", index, "renamed"))
    assert words.data.labels[index] == "renamed" and refreshed == []
    model.push(edits.InsertBoundary("words", segs[index].start + 0.01))
    assert "words" in refreshed  # a structural edit rebuilds
