"""Atomic file writes: a crash or an error never leaves a partial or destroyed file behind.

The temporary file is named ``.<name>.aligner-tmp-<pid>-<random>.tmp`` beside the target. A write
that is killed (SIGKILL, power cut) cannot clean up after itself, so every later write to the same
folder removes the temporaries whose writer process no longer exists.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

TEMP_MARK = ".aligner-tmp-"
_STALE = re.compile(rf"\..*{re.escape(TEMP_MARK)}(\d+)-[^/]*\.tmp\Z", re.DOTALL)


def temp_prefix(name: str) -> str:
    """The start of this process's temporary files for a target called ``name``."""
    return f".{name}{TEMP_MARK}{os.getpid()}-"


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Write to a temporary file beside ``path``; rename it over ``path`` only on success."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    remove_stale_temporaries(directory)
    fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(target.name), suffix=".tmp", dir=directory)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would, or keep
        # the mode of the file it replaces.
        os.chmod(tmp_name, _mode_for(target))
        handle: IO
        if "b" in mode:
            handle = os.fdopen(fd, mode)
        else:
            handle = os.fdopen(fd, mode, encoding=encoding, newline="")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _fsync_folder(directory)


def remove_stale_temporaries(directory: str | Path) -> list[Path]:
    """Delete the temporaries in ``directory`` left by writers that died; returns them."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed  # the write itself will report an unusable folder
    for entry in entries:
        match = _STALE.match(entry.name)
        if match is None or _process_alive(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # ours, possibly being written by another thread right now
    try:
        os.kill(pid, 0)  # signal 0 checks existence without disturbing the process
    except ProcessLookupError:
        return False
    except (OverflowError, OSError):
        return True  # someone else's process, or a pid we cannot judge: leave its file alone
    return True


def _fsync_folder(directory: Path) -> None:
    # The rename lives in the folder's entry table: without this a power cut right after the
    # save can bring back the old file (or none). Some file systems cannot fsync a folder.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _read_umask() -> int:
    # os.umask can only be read by setting it; do it once, at import, before any thread runs.
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


_UMASK = _read_umask()


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_UMASK


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_write(path, "wb") as handle:
        handle.write(data)


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    with atomic_write(path, "w", encoding=encoding) as handle:
        handle.write(text)
