"""Render the editor with the bundled sample aligned by the demo model, offscreen, to a PNG.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/screenshot.py resources/screenshot.png

The image in the README is made by this script from the real window (nothing is drawn by hand).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parent.parent


def main(out: Path) -> int:
    app = QApplication([])
    app.setApplicationName("aligner-gui")
    from aligner_gui.qt.main_window import MainWindow
    from aligner_gui.qt.settings import Settings

    settings = Settings.from_file(Path(tempfile.mkdtemp()) / "settings.ini")
    settings.model_name = "demo"
    settings.device = "cpu"
    window = MainWindow(settings)
    window.resize(1400, 900)
    window.show()
    failures: list[str] = []

    def finished(_result: object) -> None:
        words = window.model.document.tier("words").segments
        index = next(i for i, s in enumerate(words) if s.label == "Wind")
        window.model.select("words", index)  # show a selection, as when a word is clicked
        QTimer.singleShot(800, lambda: (window.grab().save(str(out)), app.quit()))

    window.controller.finished.connect(finished)
    window.controller.failed.connect(lambda message: (failures.append(message), app.quit()))
    window.session.open_alignment(
        ROOT / "resources" / "sample.wav", ROOT / "resources" / "sample.txt"
    )
    QTimer.singleShot(120_000, app.quit)
    app.exec()
    window.model.mark_saved()
    window.close()
    if failures or not out.exists():
        sys.stderr.write(f"screenshot failed: {failures}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "resources/screenshot.png")))
