"""The window's Model menu offers the shipped phone model "demo" (greyed out, saying where it is
expected, when not installed); chosen with the mouse, it aligns into words and phones."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu

from aligner_gui.core.models import model as model_module
from aligner_gui.qt.main_window import MainWindow

from gui_helpers import aligning_window
from sample_pronunciations import SAMPLE_CMUDICT
from tiny_models import DEMO_PHONE_LABELS, make_tiny_checkpoint

pytestmark = pytest.mark.gui
REPO = Path(__file__).resolve().parents[2]
SAMPLE_WAV = REPO / "resources" / "sample.wav"
SAMPLE_TXT = REPO / "resources" / "sample.txt"
ENTRY = "demo — the built-in phone model (words and phones)"


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_torch_thread):
    yield from aligning_window(qtbot, tmp_path, monkeypatch)


def _open(qtbot: Any, menu: QMenu) -> None:
    menu.popup(QPoint(100, 100))
    qtbot.waitUntil(menu.isVisible, timeout=2000)


def _entry(menu: QMenu, start: str):
    return next(a for a in menu.actions() if a.text().startswith(start))


def test_demo_from_the_model_menu_gives_words_and_phones(
    qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resources = tmp_path / "resources"
    resources.mkdir()
    monkeypatch.setattr(model_module, "resource_path", lambda name: resources / name)
    menu = window.actions_.model_menu
    _open(qtbot, menu)
    absent = _entry(menu, "demo —")
    assert absent.text() == ENTRY + " (not installed)" and not absent.isEnabled()
    assert str(resources / "demo_phones.pt") in absent.toolTip()
    menu.close()

    make_tiny_checkpoint(tmp_path / "phones.pt", DEMO_PHONE_LABELS, name="demo",
                         label_kind="phones")  # fmt: skip
    shutil.copy(tmp_path / "phones.pt", resources / "demo_phones.pt")
    _open(qtbot, menu)
    entry = _entry(menu, "demo —")
    assert entry.text() == ENTRY and entry.isEnabled()
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     menu.actionGeometry(entry).center())  # fmt: skip
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=2000)
    assert window.settings.model_name == "demo"
    _open(qtbot, menu)
    assert _entry(menu, "demo —").isChecked()
    letters = _entry(menu, "demo-letters —")
    assert letters.text().startswith(
        "demo-letters — the built-in letter model (words and characters)"
    )
    assert not letters.isEnabled()  # its file is not in this (redirected) resources folder
    menu.close()

    dictionary = tmp_path / "cmudict.dict"
    dictionary.write_text(SAMPLE_CMUDICT, encoding="utf-8")
    window.settings.dictionary_path = dictionary
    window.settings.language = "eng"
    with qtbot.waitSignal(window.controller.finished, timeout=60_000):
        assert window.session.open_alignment(SAMPLE_WAV, SAMPLE_TXT)
    doc = window.model.document
    assert doc is not None
    assert doc.tier_names()[:2] == ["words", "phones"] and "chars" not in doc.tier_names()
    assert doc.tier("phones").parent == "words"
    assert [v.tier_name for v in window.stack.tiers.views][:2] == ["words", "phones"]
    labels = {s.label for s in doc.tier("phones").segments if s.label}
    assert labels <= set(DEMO_PHONE_LABELS.labels[1:]) and "ɝ" in labels
