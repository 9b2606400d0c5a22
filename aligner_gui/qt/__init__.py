"""The PySide6 + pyqtgraph editor: document model, undo commands, worker, playback, views, main window."""
