"""A TextGrid file's bytes as text, the way Praat decodes them; binary files are refused.

Praat reads UTF-16 only with a byte-order mark, else UTF-8 if valid, else ISO Latin-1 (its
default text input setting, "UTF-8, then ISO Latin-1"), and turns every CR LF and lone CR into LF.
"""

from __future__ import annotations

from pathlib import Path

from aligner_gui.core.base.errors import TextGridError

__all__ = ["decode_textgrid"]

# Binary files that end up named *.TextGrid. macOS writes an AppleDouble "._name" companion (the
# resource fork and Finder info) beside every file it copies to a non-Mac disk; its magic numbers
# are in RFC 1740. Praat recognises no such file either; we say what it most likely is.
_BINARY_KINDS = (
    (b"\x00\x05\x16\x07", 'a macOS AppleDouble resource file (a "._" companion file)'),
    (b"\x00\x05\x16\x00", "a macOS AppleSingle file"),
)


def _refuse_binary(data: bytes, path: str | Path | None) -> None:
    """Binary junk is refused on the line of its first NUL byte (text never contains one)."""
    for magic, kind in _BINARY_KINDS:
        if data.startswith(magic):
            raise TextGridError(path, 1, f"this is not a TextGrid: it looks like {kind}")
    if data.startswith((b"\xfe\xff", b"\xff\xfe")):
        return  # UTF-16: NUL bytes are part of the encoding
    nul = data.find(b"\x00")
    if nul >= 0:
        raise TextGridError(
            path,
            _line_breaks(data[:nul]) + 1,
            "this is not a TextGrid text: it contains NUL bytes"
            " (a binary file, or UTF-16 without a byte-order mark?)",
        )


def _line_breaks(data: bytes) -> int:
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def decode_textgrid(data: bytes, path: str | Path | None = None) -> str:
    """The text of a TextGrid file with LF line breaks, or a TextGridError saying why not."""
    _refuse_binary(data, path)
    if data.startswith((b"\xfe\xff", b"\xff\xfe")):
        codec = "utf-16-be" if data.startswith(b"\xfe\xff") else "utf-16-le"
        text = data[2:].decode(codec, errors="replace")  # Praat also substitutes bad units
    else:
        data = data.removeprefix(b"\xef\xbb\xbf")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    # Praat turns every CR LF and lone CR into LF before reading, labels included.
    return text.replace("\r\n", "\n").replace("\r", "\n")
