"""Render the corpus list beside the editor, offscreen, to a PNG: a small espeak-ng corpus
aligned by the demo model, opened in the real window, at the first suspect of the review queue.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/screenshot_corpus.py \\
        resources/screenshot-corpus.png
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import soundfile as sf
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

SPEAKERS = {
    "anna": ("the north wind and the sun were disputing which was the stronger",
             "when a traveller came along wrapped in a warm cloak",
             "they agreed that the one who first made the traveller take off his cloak"),
    "ben": ("should be considered stronger than the other",
            "then the north wind blew as hard as he could",
            "but the more he blew the more closely did the traveller fold his cloak"),
    "chloe": ("and at last the north wind gave up the attempt",
              "then the sun shone out warmly",
              "and immediately the traveller took off his cloak"),
}  # fmt: skip


def make_corpus(root: Path) -> None:
    from aligner_gui.demo.espeak import synthesize

    for speaker, lines in SPEAKERS.items():
        folder = root / speaker
        folder.mkdir(parents=True)
        for i, line in enumerate(lines, 1):
            sf.write(folder / f"{speaker}{i:02d}.wav", synthesize(line, "en-us").samples, 16000)
            # One transcript with a planted error, for the review queue to find.
            text = line.replace("traveller", "teacher") if (speaker, i) == ("ben", 3) else line
            (folder / f"{speaker}{i:02d}.lab").write_text(text + "\n", encoding="utf-8")


def main(out: Path) -> int:
    app = QApplication([])
    app.setApplicationName("aligner-gui")
    from aligner_gui.core.corpus.runner import BatchSettings, run_batch
    from aligner_gui.qt.main_window import MainWindow
    from aligner_gui.qt.settings import Settings

    work = Path(tempfile.mkdtemp())
    corpus, aligned = work / "fable", work / "fable_aligned"
    make_corpus(corpus)
    run_batch(corpus, aligned, BatchSettings("demo", jobs=1))
    settings = Settings.from_file(work / "settings.ini")
    settings.model_name = "demo"
    settings.device = "cpu"
    window = MainWindow(settings, recovery_folder=work / "recovery")
    window.corpus.batch.jobs = 1
    window.resize(1500, 900)
    for panel in ("emission", "trellis"):  # a TextGrid opened from disk has neither
        window.stack.set_panel_visible(panel, False)
    window.show()
    window.resizeDocks([window.corpus.panel], [520], Qt.Orientation.Horizontal)

    def reviewed_one() -> None:
        window.corpus.fileOpened.disconnect(reviewed_one_slot)
        window.corpus.mark_reviewed()
        window.corpus.fileOpened.connect(grab_slot)
        window.corpus.next_suspect()

    def grab() -> None:
        QTimer.singleShot(800, lambda: (window.grab().save(str(out)), app.quit()))

    reviewed_one_slot, grab_slot = reviewed_one, grab
    window.corpus.opened.connect(lambda: window.corpus.open_file("anna/anna01.wav"))
    window.corpus.fileOpened.connect(reviewed_one_slot)
    window.corpus.open_corpus(corpus, aligned)
    QTimer.singleShot(120_000, app.quit)
    app.exec()
    window.close()
    shutil.rmtree(work, ignore_errors=True)
    if not out.exists():
        sys.stderr.write("screenshot failed\n")
        return 1
    return 0


if __name__ == "__main__":
    default = "resources/screenshot-corpus.png"
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else default)))
