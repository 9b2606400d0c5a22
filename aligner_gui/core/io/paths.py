"""Checks on the files a command is given, made before any slow work so that nothing is lost.

Two rules protect a linguist's files: the output must be writable (found out in a second, not
after an hour of alignment), and the output must not be one of the inputs (``-o a.wav`` would
replace the recording). Shared by the command line and any batch mode.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.io.fileio import temp_prefix

__all__ = ["check_output_is_not_an_input", "check_output_writable", "same_file"]


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when ``a`` and ``b`` name one file: through symlinks, ``..``, hard links or case."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        # One of them does not exist (yet): compare the fully resolved spellings instead.
        return Path(a).resolve() == Path(b).resolve()


def check_output_is_not_an_input(output: str | Path, inputs: Iterable[str | Path]) -> None:
    """Refuse an output that would overwrite one of ``inputs``."""
    for source in inputs:
        if same_file(output, source):
            raise AlignerError(
                f"{output}: the output file is the input file {source}; writing it would "
                "destroy that input, so choose another output name."
            )


def check_output_writable(output: str | Path) -> None:
    """Refuse an output that cannot be written, by trying to create a file in its folder.

    Permission bits are not enough to decide (root ignores them, /proc and read-only mounts
    refuse anyway), so the folder is probed with a real, immediately removed, file.
    """
    target = Path(output)
    if target.is_dir():
        raise AlignerError(f"{target}: the output is a folder; give a file name.")
    if target.exists() and not target.is_file():
        # Renaming over /dev/null or a pipe would replace it, not write into it.
        raise AlignerError(f"{target}: the output exists and is not a regular file.")
    folder = target.parent
    if not folder.exists():
        raise AlignerError(f"{target}: the folder {folder} does not exist.")
    if not folder.is_dir():
        raise AlignerError(f"{target}: {folder} is not a folder.")
    try:
        # Named like an atomic write's temporary, so that even a probe left by a kill is cleaned.
        fd, probe = tempfile.mkstemp(prefix=temp_prefix(target.name), suffix=".tmp", dir=folder)
    except OSError as err:
        raise AlignerError(
            f"{target}: the output cannot be written in {folder} ({err.strerror or err})."
        ) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)
