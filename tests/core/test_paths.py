"""The output rules shared by the command line and batch modes (aligner_gui.core.io.paths)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.io.paths import (
    check_output_is_not_an_input,
    check_output_writable,
    same_file,
)


def test_same_file_sees_through_links_and_spellings(tmp_path: Path) -> None:
    original = tmp_path / "a.wav"
    original.write_bytes(b"RIFF")
    (tmp_path / "sub").mkdir()
    hard = tmp_path / "hard.wav"
    os.link(original, hard)
    soft = tmp_path / "soft.wav"
    soft.symlink_to(original)
    for spelling in (original, hard, soft, tmp_path / "sub" / ".." / "a.wav"):
        assert same_file(spelling, original)
    relative = Path(os.path.relpath(original))
    assert same_file(relative, original)
    assert not same_file(tmp_path / "b.wav", original)
    assert not same_file(tmp_path / "new.json", tmp_path / "other.json")  # neither exists


def test_a_new_output_is_not_an_input(tmp_path: Path) -> None:
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"RIFF")
    check_output_is_not_an_input(tmp_path / "a.TextGrid", [audio])
    with pytest.raises(AlignerError, match=r"is the input file .*a\.wav"):
        check_output_is_not_an_input(tmp_path / "." / "a.wav", [audio])


def test_a_writable_output_is_accepted_and_the_probe_leaves_nothing(tmp_path: Path) -> None:
    existing = tmp_path / "old.TextGrid"
    existing.write_text("previous work")
    check_output_writable(tmp_path / "new.TextGrid")
    check_output_writable(existing)
    assert [p.name for p in tmp_path.iterdir()] == ["old.TextGrid"]
    assert existing.read_text() == "previous work"


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        ("missing/out.json", "the folder .*missing does not exist"),
        ("file.txt/out.json", "file.txt is not a folder"),
        ("folder", "the output is a folder"),
        ("/proc/out.json", "cannot be written in /proc"),
        ("/dev/null", "not a regular file"),
    ],
)
def test_unwritable_outputs_are_named(tmp_path: Path, output: str, reason: str) -> None:
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "folder").mkdir()
    target = Path(output) if output.startswith("/") else tmp_path / output
    with pytest.raises(AlignerError, match=reason) as info:
        check_output_writable(target)
    assert str(info.value).startswith(f"{target}: ") and "\n" not in str(info.value)
