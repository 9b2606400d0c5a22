"""A phone model's alignment in the views: the emission heat map and the trellis name their rows
with the model's phones, in a font that shows the IPA, and the trellis's edited path follows the
phones tier (a letter model's follows chars) when a phone boundary is dragged with the mouse."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from aligner_gui.core.alignment.pipeline import AlignmentResult, align_audio
from aligner_gui.core.base.labels import LabelSet
from aligner_gui.core.document.document import AlignmentDocument
from aligner_gui.core.models.model import load_model
from aligner_gui.core.pronunciation.dictionary import parse_dictionary
from aligner_gui.qt.document_model import DocumentModel
from aligner_gui.qt.view_stack import ViewStack
from aligner_gui.qt.views.emission_view import row_names
from aligner_gui.qt.views.ipa_font import covers_ipa
from aligner_gui.qt.views.trellis_view import edited_staircase

from gui_helpers import mouse_drag, synthetic_audio, view_pixel
from tiny_models import make_tiny_checkpoint

pytestmark = pytest.mark.gui
_INVENTORY = "<pad> sil ð ə i n ɔ ɹ θ w ɪ d aɪ æ s ʌ tʃ"
PHONES = LabelSet(tuple(_INVENTORY.split(" ")), blank=0)
DICTIONARY = "the\tð ə\nnorth\tn ɔ ɹ θ\nwind\tw ɪ n d\nwhich\tw ɪ tʃ\n"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> AlignmentResult:
    path = make_tiny_checkpoint(tmp_path_factory.mktemp("model") / "phones.pt", PHONES)
    model = load_model(path, device="cpu")
    dictionary = parse_dictionary(DICTIONARY.splitlines())
    return align_audio(synthetic_audio(3.0), "The north wind, which", model,
                       dictionary=dictionary, language="eng")  # fmt: skip


@pytest.fixture
def stack(qtbot: Any, result: AlignmentResult) -> Iterator[ViewStack]:
    model = DocumentModel()
    widget = ViewStack(model)
    widget.resize(1000, 900)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    model.set_document(AlignmentDocument.from_alignment(result))
    qtbot.wait(30)
    yield widget
    widget.detach()


def tick_labels(view) -> list[str]:
    levels = view.getPlotItem().getAxis("left")._tickLevels
    return [label for level in levels or [] for _, label in level]


def test_heatmap_rows_are_the_models_phones_in_an_ipa_font(stack: ViewStack) -> None:
    emission = stack.emission
    assert list(emission.rows) == ["(blank)", *PHONES.labels[1:]]
    emission.time_box.setYRange(0, 9, padding=0)  # a few rows: every one is named
    named = tick_labels(emission)
    assert {"ð", "ə", "ɔ", "ɹ", "θ"} <= set(named)
    for view in (stack.emission, stack.trellis):
        assert covers_ipa(view.getPlotItem().getAxis("left").style["tickFont"])


def test_trellis_rows_are_the_aligned_phones(stack: ViewStack, result: AlignmentResult) -> None:
    expected = [p for word in ("ð ə", "n ɔ ɹ θ", "w ɪ n d", "w ɪ tʃ") for p in word.split()]
    shown = [row for row in stack.trellis.rows if row != "sil"]  # optional silences
    assert shown == expected
    assert row_names(result.labels)[PHONES.labels.index("tʃ")] == "tʃ"


def test_the_trellis_edited_path_follows_a_dragged_phone(
    qtbot: Any, stack: ViewStack, result: AlignmentResult
) -> None:
    doc = stack.model.document
    assert doc is not None and doc.tier("phones").parent == "words"
    x, _ = stack.trellis.edited_path()
    ex, _ = edited_staircase(result, doc)
    assert ex.size == 2 * len([s for s in doc.tier("phones").segments if s.label])
    np.testing.assert_array_equal(x, ex)
    # Drag the boundary between the two phones of "north"'s "ɔ" and "ɹ" with the mouse.
    phones = doc.tier("phones").segments
    k = next(i for i, s in enumerate(phones) if s.label == "ɹ")
    old = phones[k].start
    width = phones[k].end - phones[k - 1].start
    stack.zoom_to(phones[k - 1].start - 0.05, phones[k].end + 0.05)
    qtbot.wait(30)
    view = stack.tiers.view("phones")
    mouse_drag(view, view_pixel(view, old, 0.5), view_pixel(view, old + 0.25 * width, 0.5))
    new = doc.tier("phones").segments[k].start
    assert new > old
    x2, _ = stack.trellis.edited_path()
    np.testing.assert_array_equal(x2, edited_staircase(result, doc)[0])
    assert new in x2.tolist() and old not in x2.tolist()
