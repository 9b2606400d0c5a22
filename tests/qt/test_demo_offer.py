"""Offline, a pretrained model fails to download: the window says so and offers the demo model
explicitly, and uses it only when the user chooses it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from aligner_gui.core.models import model as model_module
from aligner_gui.qt import dialogs
from aligner_gui.qt.main_window import MainWindow
from aligner_gui.qt.settings import Settings

from tiny_models import make_tiny_checkpoint

pytestmark = pytest.mark.gui


@pytest.fixture
def offline_window(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offline_torch_home: Path
):
    # The demo weights are stood in for by a tiny model, so this test does not depend on them.
    demo = make_tiny_checkpoint(tmp_path / "demo.pt", name="demo")
    monkeypatch.setattr(model_module, "demo_model_path", lambda: demo)
    monkeypatch.setattr(dialogs, "ask_save_changes", lambda *a: "discard")
    errors: list[str] = []
    monkeypatch.setattr(
        dialogs, "show_error", lambda parent, message, title="": errors.append(message)
    )
    rng = np.random.default_rng(1)
    sf.write(tmp_path / "a.wav", 0.1 * rng.standard_normal(2 * 16000), 16000)
    (tmp_path / "a.txt").write_text("hello world\n", encoding="utf-8")
    settings = Settings.from_file(tmp_path / "settings.ini")
    settings.model_name = "WAV2VEC2_ASR_BASE_960H"
    settings.device = "cpu"
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    yield win, tmp_path, errors
    win.close()


def test_declining_the_offer_aligns_nothing(qtbot: Any, offline_window, monkeypatch) -> None:
    win, folder, errors = offline_window
    offers: list[str] = []
    monkeypatch.setattr(
        dialogs, "offer_demo_model", lambda parent, message: offers.append(message) or False
    )
    with qtbot.waitSignal(win.controller.modelUnavailable, timeout=30_000):
        win.session.open_alignment(folder / "a.wav", folder / "a.txt")
    assert len(offers) == 1
    assert "WAV2VEC2_ASR_BASE_960H" in offers[0] and "--model PATH" in offers[0]
    assert win.model.document is None
    assert win.settings.model_name == "WAV2VEC2_ASR_BASE_960H"
    assert not win.controller.is_running()
    assert errors == []  # the offer replaces the plain error box


def test_accepting_the_offer_aligns_with_the_demo_model_once(
    qtbot: Any, offline_window, monkeypatch
) -> None:
    win, folder, _errors = offline_window
    monkeypatch.setattr(dialogs, "offer_demo_model", lambda parent, message: True)
    with qtbot.waitSignal(win.controller.finished, timeout=60_000) as finished:
        win.session.open_alignment(folder / "a.wav", folder / "a.txt")
    result = finished.args[0]
    assert result.model_name == "demo"
    assert [w.label for w in result.words] == ["hello", "world"]
    assert win.model.document is not None
    assert "demo" in win.statusBar().currentMessage()
    assert dialogs.DEMO_MODEL_NOTE in win.statusBar().currentMessage()
    # The choice was for this job only: the user's own model stays selected for the next one.
    assert win.settings.model_name == "WAV2VEC2_ASR_BASE_960H"
