"""User-facing errors. Every message is one readable sentence that names the file and the reason."""

from __future__ import annotations

from pathlib import Path


class AlignerError(Exception):
    """Base class: `str(err)` is fit to show a linguist in a dialog or on stderr."""


class AudioError(AlignerError):
    pass


class TranscriptError(AlignerError):
    pass


class ModelError(AlignerError):
    pass


class ModelUnavailableError(ModelError):
    """A pretrained model whose weights could not be fetched (offline, or the download failed)."""


class AlignmentError(AlignerError):
    pass


class ExportError(AlignerError):
    """An output file that cannot be written, or an output format that cannot be told."""


class Cancelled(AlignerError):
    def __init__(self, message: str = "Cancelled by the user.") -> None:
        super().__init__(message)


class TextGridError(AlignerError):
    """A malformed TextGrid. `line` is 1-based, or None when the fault has no single line."""

    def __init__(self, path: str | Path | None, line: int | None, reason: str) -> None:
        self.path = None if path is None else Path(path)
        self.line = line
        self.reason = reason
        where = str(path) if path is not None else "TextGrid"
        if line is not None:
            where += f", line {line}"
        super().__init__(f"{where}: {reason}")
