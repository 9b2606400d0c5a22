"""For the lifecycle and recovery tests: a document with every kind of tier content a recovery file
must keep, built the same way in a test and in the editor subprocess that the test kills, the two
edits both make, a window autosaving into a given folder, and questions answered without dialogs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import soundfile as sf

from aligner_gui.core.document import edits
from aligner_gui.core.document.document import AlignmentDocument, Segment, Tier, partition

from gui_helpers import long_result


def recovery_document(duration: float, n_words: int) -> AlignmentDocument:
    """Words and chars from the engine's segment builder, plus a doubtful tier, a point tier, a
    renamed tier, unknown scores, unaligned words and an xmin other than 0."""
    base = AlignmentDocument.from_alignment(long_result(duration, n_words))
    words = base.tier("words").segments
    labelled = [i for i, s in enumerate(words) if s.label]
    for i in labelled[::7]:
        words[i] = replace(words[i], score=None)
    for i in labelled[3::11]:
        words[i] = replace(words[i], aligned=False)
    doubt = partition(
        [Segment(duration * 0.1, duration * 0.1 + 1.5, "doubtful"),
         Segment(duration * 0.6, duration * 0.6 + 0.75, "doubtful")],
        duration,
    )  # fmt: skip
    points = [Segment(t, t, f"p{k}") for k, t in enumerate(np.linspace(0.5, duration - 0.5, 9))]
    tiers = [
        base.tier("words"),
        base.tier("chars"),
        Tier("doubtful", doubt),
        Tier("events", points, is_point_tier=True),
        Tier("notes (2)", [Segment(0.0, duration, "")], source_name="notes"),
    ]
    return AlignmentDocument(tiers, duration, audio=base.audio, xmin=0.125)


def apply_two_edits(push, doc: AlignmentDocument) -> None:
    """A boundary move and a relabel, through ``push`` (the model's or the edit's own apply)."""
    words = doc.tier("words").segments
    k = next(i for i in range(max(1, len(words) // 2), len(words)) if words[i].label)
    before = words[k - 1]
    push(edits.MoveBoundary("words", k, before.start + 0.75 * (before.end - before.start)))
    push(edits.SetLabel("words", k, "relabelled"))


def write_audio(doc: AlignmentDocument, path: Path) -> Path:
    assert doc.audio is not None
    sf.write(path, doc.audio.samples, doc.audio.sample_rate, subtype="PCM_16")
    return path


def tier_state(doc: AlignmentDocument) -> list[tuple]:
    """Everything a restore must bring back exactly, tier by tier."""
    return [
        (t.name, t.parent, t.is_point_tier, t.source_name,
         [(s.start, s.end, s.label, s.score, s.aligned) for s in t.segments])
        for t in doc.tiers
    ]  # fmt: skip


class Questions:
    """The questions the editor asked (names shown), with the answers a test chose."""

    def __init__(self) -> None:
        self.save: list[str] = []
        self.replace: list[str] = []
        self.errors: list[str] = []
        self.save_answer = "discard"
        self.replace_answer = "cancel"


def answer_questions(monkeypatch) -> Questions:
    """Modal questions answered without a dialog (a modal box would block the test)."""
    from aligner_gui.qt import dialogs

    q = Questions()
    monkeypatch.setattr(dialogs, "ask_save_changes",
                        lambda _p, name: q.save.append(name) or q.save_answer)  # fmt: skip
    monkeypatch.setattr(dialogs, "ask_replace_edited",
                        lambda _p, name: q.replace.append(name) or q.replace_answer)  # fmt: skip
    monkeypatch.setattr(dialogs, "show_error",
                        lambda _p, message, title="": q.errors.append(message))  # fmt: skip
    return q


def open_window(qtbot, settings_path: Path, recovery: Path, model: Path | None = None):
    """A shown, active main window autosaving into ``recovery``."""
    from PySide6.QtWidgets import QApplication

    from aligner_gui.qt.main_window import MainWindow
    from aligner_gui.qt.settings import Settings

    settings = Settings.from_file(settings_path)
    if model is not None:
        settings.model_name = str(model)
    settings.device = "cpu"
    win = MainWindow(settings, recovery_folder=recovery)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5000)
    return win
