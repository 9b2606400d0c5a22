"""An editor to be killed: opens the recovery document, makes two edits on the undo stack, prints
"autosaved <path>" once they reached the recovery file, then keeps running until it is killed.

    python tests/qt/recovery_driver.py RECOVERY_FOLDER SETTINGS_INI AUDIO SECONDS WORDS
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtWidgets import QApplication

from aligner_gui.core.document.autosave import DocumentPaths


def main() -> None:
    folder, settings_ini, audio, seconds, words = sys.argv[1:6]
    app = QApplication([])
    from aligner_gui.qt.main_window import MainWindow
    from aligner_gui.qt.settings import Settings

    from recovery_helpers import apply_two_edits, recovery_document

    window = MainWindow(Settings.from_file(settings_ini), recovery_folder=Path(folder))
    window.show()
    doc = recovery_document(float(seconds), int(words))
    session = window.session
    session.replace(doc, DocumentPaths(audio=Path(audio), transcript=None, document=None))
    apply_two_edits(window.model.push, doc)
    edits_done = window.model.undo_stack.index()

    def on_written(path: str) -> None:
        # Only the write that holds both edits counts (the fresh document is written too).
        from aligner_gui.core.document.autosave import read_recovery

        if read_recovery(Path(path)).edits == edits_done:
            sys.stdout.write(f"autosaved {path}\n")
            sys.stdout.flush()

    session.autosaver.written.connect(on_written)
    app.exec()


if __name__ == "__main__":
    main()
