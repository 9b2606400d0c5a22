"""`aligner-gui align CORPUS_DIR -o OUT_DIR`: a whole corpus, its report, resume, kill and Ctrl+C."""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aligner_gui.cli import main
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS
from aligner_gui.core.corpus.database import DATABASE_NAME, CorpusDatabase
from aligner_gui.core.corpus.report import REPORT_COLUMNS, REPORT_NAME
from aligner_gui.core.io.textgrid import IntervalTier, read_textgrid

from corpus_maker import (
    MESSY_FILES,
    MESSY_IGNORED,
    make_flat_corpus,
    make_messy_corpus,
    write_long_pair,
    write_pair,
)
from tiny_models import make_tiny_checkpoint

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_checkpoint(tmp_path_factory.mktemp("model") / "tiny.pt", ENGLISH_ASR_LABELS)


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_messy_corpus(tmp_path_factory.mktemp("messy") / "corpus")


def align_corpus(corpus: Path, out: Path, checkpoint: Path, *extra: str) -> int:
    return main(
        ["align", str(corpus), "-o", str(out), "--model", str(checkpoint), "--jobs", "1", *extra]
    )


def read_report(out: Path) -> list[dict[str, str]]:
    with open(out / REPORT_NAME, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == REPORT_COLUMNS
        return list(reader)


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.TextGrid"))}


def test_messy_corpus_is_aligned_and_reported_row_by_row(
    messy: Path, checkpoint: Path, tmp_path: Path, capsys, one_torch_thread
) -> None:
    out = tmp_path / "out"
    assert align_corpus(messy, out, checkpoint) == 1  # two files failed
    summary = capsys.readouterr().err.strip().splitlines()[-1]
    assert summary.startswith("Aligned 5 of 7 files")
    assert "2 failed" in summary and f"{len(MESSY_IGNORED)} other files ignored" in summary

    rows = read_report(out)
    files = {r["file"]: r for r in rows if r["status"] != "ignored"}
    assert {f: (r["speaker"], r["status"]) for f, r in files.items()} == MESSY_FILES
    assert {r["file"]: r["message"] for r in rows if r["status"] == "ignored"} == MESSY_IGNORED
    assert "could not be opened" in files["bob/broken.wav"]["message"]
    assert "empty" in files["carol/empty.wav"]["message"]
    for name, row in files.items():
        if row["status"] != "aligned":
            assert row["words"] == "" and row["suspicion"] == ""
            continue
        transcript = (messy / name).with_suffix(".lab")
        if not transcript.exists():
            transcript = transcript.with_suffix(".txt")
        spoken = transcript.read_text(encoding="utf-8").split()
        grid = read_textgrid(out / Path(name).with_suffix(".TextGrid"))
        assert float(row["duration"]) == pytest.approx(grid.xmax, abs=1e-3)
        words = grid.tiers[0]
        assert isinstance(words, IntervalTier) and words.name == "words"
        assert [iv.label for iv in words.intervals if iv.label] == spoken
        assert int(row["words"]) == len(spoken)
        assert row["unaligned words"] == "0"
        has_doubt_tier = any(t.name == "doubtful" for t in grid.tiers[2:])
        assert (int(row["doubtful regions"]) > 0) == has_doubt_tier
        assert 0.0 < float(row["mean score"]) <= 1.0
        assert 0.0 <= float(row["suspicion"]) <= 1.2
    # Output mirrors the input; nothing else is written, no temporary files.
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    expected = sorted(
        str(Path(f).with_suffix(".TextGrid"))
        for f, (_s, status) in MESSY_FILES.items()
        if status == "aligned"
    )
    assert [p for p in written if not p.startswith((DATABASE_NAME, REPORT_NAME))] == expected


def test_second_run_skips_what_is_up_to_date_and_redoes_what_changed(
    checkpoint: Path, tmp_path: Path, capsys, one_torch_thread
) -> None:
    corpus = make_flat_corpus(tmp_path / "corpus", 4, sentences=1)
    out = tmp_path / "out"
    assert align_corpus(corpus, out, checkpoint, "--format", "both") == 0
    first = snapshot(out)
    assert len(first) == 4 and len(list(out.glob("*.json"))) == 4
    capsys.readouterr()

    assert align_corpus(corpus, out, checkpoint, "--format", "both") == 0
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("Aligned 0 of 4 files")

    # A newer transcript is aligned again; so is everything when the settings change.
    later = time.time() + 5
    os.utime(corpus / "utt002.lab", (later, later))
    assert align_corpus(corpus, out, checkpoint, "--format", "both") == 0
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("Aligned 1 of 4 files")
    assert align_corpus(corpus, out, checkpoint, "--format", "both", "--refine", "none") == 0
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("Aligned 4 of 4 files")
    assert align_corpus(corpus, out, checkpoint, "--format", "both", "--refine", "none",
                        "--overwrite") == 0  # fmt: skip
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("Aligned 4 of 4 files")
    assert snapshot(out).keys() == first.keys()


def test_an_unreadable_recording_is_replaced_by_another_of_the_same_name(
    checkpoint: Path, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    said = "a stitch in time saves nine"
    write_pair(corpus, "p001", said, ext=".flac")
    (corpus / "p001.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk")  # preferred, unreadable
    out = tmp_path / "out"
    assert align_corpus(corpus, out, checkpoint, "-q") == 0
    (row,) = [r for r in read_report(out) if r["status"] != "ignored"]
    assert (row["file"], row["status"]) == ("p001.wav", "aligned")
    assert row["message"].startswith(
        "aligned p001.flac instead of p001.wav, which could not be read: "
    )
    with CorpusDatabase(out / DATABASE_NAME) as db:
        recorded = db.file("p001.wav")
        assert recorded is not None and recorded.audio_used == "p001.flac"  # the window opens it
    words = read_textgrid(out / "p001.TextGrid").tiers[0]
    assert isinstance(words, IntervalTier)
    assert [iv.label for iv in words.intervals if iv.label] == said.split(" ")

    # With no readable recording of the name, the file fails with the preferred one's reason.
    (corpus / "p001.flac").write_bytes(b"fLaC" + bytes(64))
    assert align_corpus(corpus, out, checkpoint, "-q", "--overwrite") == 1
    (row,) = [r for r in read_report(out) if r["status"] != "ignored"]
    assert row["status"] == "failed" and "p001.wav" in row["message"]
    assert "p001.flac" not in row["message"]


def test_a_missing_model_is_one_line_and_no_output(messy: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["align", str(messy), "-o", str(out), "--model", str(tmp_path / "no.pt")]) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1].startswith("aligner-gui align: error:")
    assert "Traceback" not in err
    assert not list(out.rglob("*.TextGrid"))


def test_output_folder_cannot_be_the_corpus(messy: Path, checkpoint: Path, capsys) -> None:
    assert align_corpus(messy, messy, checkpoint) == 1
    assert "must not be the corpus folder" in capsys.readouterr().err


def _cli(corpus: Path, out: Path, checkpoint: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "aligner_gui", "align", str(corpus), "-o", str(out),
            "--model", str(checkpoint), "--jobs", str(jobs)]  # fmt: skip


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}


def _wait_for_outputs(out: Path, count: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(list(out.rglob("*.TextGrid"))) < count:
        assert proc.poll() is None, "the batch ended before it could be interrupted"
        assert time.monotonic() < deadline, "the batch made no progress"
        time.sleep(0.005)


@pytest.fixture(scope="module")
def long_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_flat_corpus(tmp_path_factory.mktemp("long") / "corpus", 10, sentences=3)


@pytest.fixture(scope="module")
def uninterrupted(
    long_corpus: Path, checkpoint: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp("whole") / "out"
    done = subprocess.run(_cli(long_corpus, out, checkpoint, 1), env=_env(), capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


def test_sigkill_mid_batch_then_resume_gives_the_same_outputs(
    long_corpus: Path, checkpoint: Path, uninterrupted: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    # Its own process group, so that the kill takes the workers too, as a crash would.
    proc = subprocess.Popen(_cli(long_corpus, out, checkpoint, 2), env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    _wait_for_outputs(out, 3, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    with CorpusDatabase(out / DATABASE_NAME) as db:
        statuses = [row.status for row in db.files()]
    assert 0 < statuses.count("aligned") < 10, statuses

    resumed = subprocess.run(_cli(long_corpus, out, checkpoint, 1), env=_env(), capture_output=True,
                             text=True, timeout=300, check=False)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    summary = resumed.stderr.strip().splitlines()[-1]
    assert f"{statuses.count('aligned')} up to date" in summary
    # Byte for byte, though part was aligned by two worker processes and the rest in one.
    assert snapshot(out) == snapshot(uninterrupted)
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert [(r["file"], r["status"], r["words"], r["suspicion"]) for r in read_report(out)] == [
        (r["file"], r["status"], r["words"], r["suspicion"]) for r in read_report(uninterrupted)
    ]


@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_stops_between_files_with_status_130(
    long_corpus: Path, checkpoint: Path, uninterrupted: Path, tmp_path: Path, jobs: int
) -> None:
    out = tmp_path / "out"
    proc = subprocess.Popen(_cli(long_corpus, out, checkpoint, jobs), env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    _wait_for_outputs(out, 2, proc)
    proc.send_signal(signal.SIGINT)
    _stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith("Interrupted: aligned")
    rows = read_report(out)
    statuses = [r["status"] for r in rows]
    assert set(statuses) == {"aligned", "not aligned"}
    done = snapshot(out)
    assert len(done) == statuses.count("aligned")
    whole = snapshot(uninterrupted)
    assert all(done[name] == whole[name] for name in done)  # every output written is complete


def test_an_output_path_that_is_a_file_is_one_line(messy: Path, checkpoint: Path, tmp_path: Path,
                                                   capsys) -> None:  # fmt: skip
    taken = tmp_path / "taken"
    taken.write_text("not a folder", encoding="utf-8")
    assert align_corpus(messy, taken, checkpoint) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [err.strip().splitlines()[-1]]
    assert "Cannot use" in err and "Traceback" not in err
    assert taken.read_text(encoding="utf-8") == "not a folder"


def test_progress_within_a_long_file_reaches_the_terminal_from_the_workers(
    checkpoint: Path, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    write_pair(corpus, "short", "a stitch in time saves nine")
    write_long_pair(corpus, "long", 40)  # ~2 min: several of the model's 30 s windows
    # Two worker processes: the fractions cross from them to the parent's bar.
    done = subprocess.run(_cli(corpus, tmp_path / "out", checkpoint, 2), env=_env(),
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = [int(n) for n in re.findall(r"long\.wav (\d+)%", done.stderr)]
    # Fractions strictly inside the file, rising: the bar moved while it was aligned (the file
    # leaves the bar once finished, so every one was shown before its end).
    assert len([n for n in shown if 0 < n < 100]) >= 3, done.stderr
    assert shown == sorted(shown)
    assert done.stderr.strip().splitlines()[-1].startswith("Aligned 2 of 2 files")


def test_the_one_pair_help_points_to_the_corpus_form_and_the_corpus_help_lists_its_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["align", "--help"])
    assert done.value.code == 0
    assert "aligner-gui align CORPUS_DIR -o OUT_DIR" in " ".join(capsys.readouterr().out.split())
    with pytest.raises(SystemExit) as done:
        main(["align", str(tmp_path), "--help"])
    assert done.value.code == 0
    assert "--second-opinion MODEL" in capsys.readouterr().out
