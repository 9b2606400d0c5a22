"""Keeping libmpg123's diagnostics off the terminal while soundfile decodes an MPEG file."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

_MPEG_SUFFIXES = frozenset({".mp3", ".mp2", ".mp1", ".mpga", ".mpeg"})


@contextlib.contextmanager
def mpeg_noise_silenced(p: Path) -> Iterator[None]:
    """Discard what libmpg123 prints straight to file descriptor 2 while an MPEG file is read.

    Its "Note: Illegal Audio-MPEG-Header..." lines bypass Python (sys.stderr cannot catch them)
    and would bury our one-line message; damage that matters is reported by us anyway. Only
    MPEG files are wrapped, since the redirection is process-wide while it lasts.
    """
    if not _looks_like_mpeg(p):
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no fd 2 (a windowed app): nothing to hide
        yield
        return
    try:
        with tempfile.TemporaryFile() as sink:
            os.dup2(sink.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def _looks_like_mpeg(p: Path) -> bool:
    if p.suffix.lower() in _MPEG_SUFFIXES:
        return True
    try:
        with p.open("rb") as stream:
            head = stream.read(3)
    except OSError:
        return False
    return head == b"ID3" or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
