"""Atomic writes: all or nothing, and files get ordinary permissions."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from aligner_gui.core.io.fileio import (
    TEMP_MARK,
    atomic_write,
    atomic_write_bytes,
    atomic_write_text,
)


def test_new_file_gets_the_umask_mode_not_a_private_one(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.TextGrid", "x")
    finally:
        os.umask(umask)
    mode = stat.S_IMODE((tmp_path / "a.TextGrid").stat().st_mode)
    assert mode == 0o666 & ~umask


def test_replacing_keeps_the_existing_mode(tmp_path: Path) -> None:
    target = tmp_path / "b.json"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_an_error_mid_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "c.csv"
    target.write_text("precious")
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write("half")
        raise RuntimeError("crash")
    assert target.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["c.csv"]


# --- temporaries left by a killed writer ------------------------------------------------------

_KILLED_WRITER = """
import sys, time
from aligner_gui.core.io.fileio import atomic_write
with atomic_write(sys.argv[1]) as handle:
    handle.write("half of a TextGrid")
    handle.flush()
    print("writing", flush=True)
    time.sleep(600)  # killed here, mid-write
"""


def _dead_pid() -> int:
    """The pid of a process that has finished (and been reaped)."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(proc.stdout)


def test_a_write_killed_with_sigkill_is_cleaned_up_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "out.TextGrid"
    target.write_text("precious")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    writer = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, str(target)],
        stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline() == "writing\n"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=60)
        if writer.stdout is not None:
            writer.stdout.close()
    leftovers = [p.name for p in tmp_path.iterdir() if p != target]
    assert len(leftovers) == 1 and leftovers[0].startswith(".out.TextGrid")
    assert target.read_text() == "precious"  # the kill lost nothing...
    atomic_write_text(tmp_path / "other.json", "{}")  # ...and the next write in the folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.json", "out.TextGrid"]


def test_only_temporaries_of_dead_writers_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / f".a.TextGrid{TEMP_MARK}{_dead_pid()}-x1y2.tmp"
    alive = tmp_path / f".b.TextGrid{TEMP_MARK}{os.getppid()}-x1y2.tmp"  # pytest's parent lives
    mine = tmp_path / f".c.TextGrid{TEMP_MARK}{os.getpid()}-x1y2.tmp"
    unrelated = tmp_path / ".d.TextGrid.abc.tmp"
    for path in (dead, alive, mine, unrelated):
        path.write_text("partial")
    atomic_write_text(tmp_path / "a.TextGrid", "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["a.TextGrid", alive.name, mine.name, unrelated.name]
    )


def test_the_folder_is_synced_after_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[tuple[bool, bool]] = []  # (is a folder, target already renamed into place)
    real_fsync = os.fsync
    target = tmp_path / "d.json"

    def recording_fsync(fd: int) -> None:
        synced.append((stat.S_ISDIR(os.fstat(fd).st_mode), target.exists()))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    atomic_write_text(target, "{}")
    assert synced == [(False, False), (True, True)]
