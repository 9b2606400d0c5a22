"""Helpers for the view and main-window tests: synthetic alignments without a model, and real
mouse gestures on pyqtgraph views."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from aligner_gui.core.alignment.pipeline import AlignmentResult, align_emissions
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS
from aligner_gui.core.base.timebase import TimeBase
from aligner_gui.core.document.document import AlignmentDocument, Segment, Tier
from aligner_gui.core.io.audio import Audio
from aligner_gui.core.io.transcript import tokenize

RATE = 16_000
STRIDE = 320


def synthetic_audio(duration: float, rate: int = RATE, seed: int = 0) -> Audio:
    """A tone burst per 0.25 s plus noise: a waveform with visible structure."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(round(duration * rate))) / rate
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 2.0 * t)
    samples = 0.4 * envelope * np.sin(2 * np.pi * 180 * t) + 0.01 * rng.standard_normal(t.size)
    return Audio(samples.astype(np.float32), rate, None, rate, 1, None)


def _synthetic(audio, timebase, emissions, tokenized, path, words, chars) -> AlignmentResult:
    """An AlignmentResult of the English alphabet made without a model."""
    return AlignmentResult(audio=audio, model_name="synthetic", labels=ENGLISH_ASR_LABELS,
                           timebase=timebase, emissions=emissions.astype(np.float32),
                           tokenized=tokenized, path=path, words=list(words), chars=list(chars),
                           warnings=tokenized.warnings)  # fmt: skip


def synthetic_result(text: str, duration: float, seed: int = 0) -> AlignmentResult:
    """A real AlignmentResult from random emissions (no torch): the engine's own Viterbi."""
    audio = synthetic_audio(duration, seed=seed)
    labels = ENGLISH_ASR_LABELS
    timebase = TimeBase(RATE, STRIDE)
    frames = audio.num_samples // STRIDE
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 2.0, size=(frames, len(labels))).astype(np.float32)
    emissions = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    tokenized = tokenize(text, labels)
    path, words, chars = align_emissions(
        emissions.astype(np.float32), tokenized, labels, timebase, audio.duration
    )
    return _synthetic(audio, timebase, emissions, tokenized, path, words, chars)


def many_words_document(n_words: int, duration: float) -> AlignmentDocument:
    """A single "words" tier of ``n_words`` equal words separated by nothing (shared bounds)."""
    width = duration / n_words
    segments = [
        Segment(i * width, duration if i == n_words - 1 else (i + 1) * width, f"w{i}", 0.5)
        for i in range(n_words)
    ]
    return AlignmentDocument([Tier("words", segments)], duration, audio=synthetic_audio(duration))


def tiers_snapshot(doc: AlignmentDocument) -> list[tuple[str, list[tuple[float, float, str]]]]:
    return [(t.name, [(s.start, s.end, s.label) for s in t.segments]) for t in doc.tiers]


def view_pixel(view, seconds: float, y: float) -> QPoint:
    """The viewport pixel of data point (seconds, y) of a pyqtgraph PlotWidget."""
    scene = view.getPlotItem().getViewBox().mapViewToScene(QPointF(seconds, y))
    return view.mapFromScene(scene)


def mouse_drag(view, start: QPoint, end: QPoint, steps: int = 12) -> None:
    """A real press-move-release with the left button on the view's viewport."""
    viewport = view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for k in range(1, steps + 1):
        x = start.x() + round((end.x() - start.x()) * k / steps)
        y = start.y() + round((end.y() - start.y()) * k / steps)
        QTest.mouseMove(viewport, QPoint(x, y))
        QTest.qWait(5)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def mouse_click(view, pos: QPoint, double: bool = False) -> None:
    """A left click; ``double`` sends the real sequence press, release, double-click, release
    (QTest.mouseDClick skips the first press and release, which pyqtgraph's scene relies on)."""
    viewport = view.viewport()
    if not double:
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
        return
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    sequence = (
        (QEvent.Type.MouseButtonPress, left),
        (QEvent.Type.MouseButtonRelease, none),
        (QEvent.Type.MouseButtonDblClick, left),
        (QEvent.Type.MouseButtonRelease, none),
    )
    for kind, buttons in sequence:
        event = QMouseEvent(kind, QPointF(pos), QPointF(viewport.mapToGlobal(pos)), left, buttons,
                            Qt.KeyboardModifier.NoModifier)  # fmt: skip
        QApplication.sendEvent(viewport, event)


# -- long files, built in seconds without a model -------------------------------------------------

_LETTERS = "ETAONIHSRDLUMWCFGYPBVK"


def tiled_audio(duration: float, rate: int = RATE, seed: int = 0) -> Audio:
    """Hour-long audio in a fraction of a second: a 7.3 s speech-like pattern (bursts of a
    tone with a syllable-rate envelope, plus noise) repeated, and one loud spike per minute so
    that peaks must survive every zoom level."""
    rng = np.random.default_rng(seed)
    n = int(round(duration * rate))
    period = int(7.3 * rate)
    t = np.arange(period, dtype=np.float32) / rate
    envelope = np.maximum(0.0, np.sin(2 * np.pi * 3.1 * t)) ** 2
    pattern = 0.4 * envelope * np.sin(2 * np.pi * 180 * t) + 0.01 * rng.standard_normal(period)
    samples = np.empty(n, dtype=np.float32)
    for i in range(0, n, period):  # np.tile is several times slower at this size
        samples[i : i + period] = pattern[: min(period, n - i)]
    samples[rate * 30 :: rate * 60] = 0.95
    return Audio(samples, rate, None, rate, 1, None)


def long_result(duration: float, n_words: int, seed: int = 0) -> AlignmentResult:
    """An AlignmentResult of ``n_words`` random words (~5 letters) over ``duration`` seconds with
    emissions peaked on a forced path laid out evenly by hand: an hour with 10,000 words is built
    in about a second, where running the Viterbi over 180k frames x 60k tokens would take
    minutes."""
    from aligner_gui.core.alignment.segments import build_segments, token_spans
    from aligner_gui.core.alignment.viterbi import ForcedPath

    rng = np.random.default_rng(seed)
    labels = ENGLISH_ASR_LABELS
    timebase = TimeBase(RATE, STRIDE)
    audio = tiled_audio(duration, seed=seed)
    lengths = rng.integers(2, 9, size=n_words)
    letters = rng.integers(0, len(_LETTERS), size=int(lengths.sum()))
    text_letters = np.array(list(_LETTERS))[letters]
    ends = np.cumsum(lengths)
    words = ["".join(text_letters[e - k : e]) for e, k in zip(ends, lengths, strict=True)]
    tokenized = tokenize(" ".join(words), labels)
    tokens = np.asarray(tokenized.tokens, dtype=np.int32)
    frames = audio.num_samples // STRIDE
    n_tokens = tokens.size
    if 2 * n_tokens > frames:
        raise ValueError(f"{n_tokens} tokens do not fit {frames} frames")
    # Token k owns frames [start_k, start_{k+1}): its label first, then one blank frame (so that
    # repeated letters stay separable).
    starts = (np.arange(n_tokens + 1, dtype=np.int64) * frames) // n_tokens
    token_index = np.full(frames, -1, dtype=np.int32)
    for_token = np.repeat(np.arange(n_tokens, dtype=np.int32), np.diff(starts))
    last_of_run = np.zeros(frames, dtype=bool)
    last_of_run[starts[1:] - 1] = True
    token_index[~last_of_run] = for_token[~last_of_run]
    path_labels = np.where(token_index >= 0, tokens[np.maximum(token_index, 0)], labels.blank)
    logits = rng.normal(0.0, 1.5, size=(frames, len(labels))).astype(np.float32)
    logits[np.arange(frames), path_labels] += 6.0
    emissions = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    path = ForcedPath(
        labels=path_labels.astype(np.int32),
        token_index=token_index,
        frame_scores=emissions[np.arange(frames), path_labels].astype(np.float32),
    )
    spans = token_spans(path, n_tokens)
    word_segs, char_segs = build_segments(
        spans, tokenized.token_word, tokenized.words, labels.labels, timebase, audio.duration
    )
    return _synthetic(audio, timebase, emissions, tokenized, path, word_segs, char_segs)


def shown_window(
    qtbot: Any, tmp_path: Path, monkeypatch: Any, document: AlignmentDocument
) -> Iterator[Any]:
    """A shown, active main window (own settings file; unsaved changes discarded on close)
    holding ``document``; for a fixture to ``yield from``."""
    from aligner_gui.qt import dialogs
    from aligner_gui.qt.main_window import MainWindow
    from aligner_gui.qt.settings import Settings

    monkeypatch.setattr(dialogs, "ask_save_changes", lambda *a: "discard")
    win = MainWindow(Settings.from_file(tmp_path / "settings.ini"))
    qtbot.addWidget(win)
    win.resize(1300, 900)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    win.model.set_document(document)
    qtbot.wait(30)  # queued shows of the new tier views
    yield win
    win.close()


def aligning_window(
    qtbot: Any, tmp_path: Path, monkeypatch: Any, **settings_values: Any
) -> Iterator[Any]:
    """A shown main window that aligns on the CPU, with its own settings file (plus
    ``settings_values``) and recovery folder, unsaved changes discarded on close (pytest-qt
    closes it after the test: never let that wait on a modal question); for a fixture to
    ``yield from``."""
    from aligner_gui.qt import dialogs
    from aligner_gui.qt.main_window import MainWindow
    from aligner_gui.qt.settings import Settings

    monkeypatch.setattr(dialogs, "ask_save_changes", lambda *a: "discard")
    settings = Settings.from_file(tmp_path / "settings.ini")
    settings.device = "cpu"
    for name, value in settings_values.items():
        setattr(settings, name, value)
    win = MainWindow(settings, recovery_folder=tmp_path / "recovery")
    qtbot.addWidget(win)
    win.resize(1300, 900)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
