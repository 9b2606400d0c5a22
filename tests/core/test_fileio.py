"""Atomic writes: all or nothing, and files get ordinary permissions."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from aligner_gui.core.io.fileio import atomic_write, atomic_write_bytes, atomic_write_text


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
