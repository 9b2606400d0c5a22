"""`aligner-gui align` and `aligner-gui convert`, run in-process and once as a real subprocess."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aligner_gui.cli import StderrProgress, main
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS
from aligner_gui.core.io.textgrid import (
    Interval,
    IntervalTier,
    TextGrid,
    read_textgrid,
    write_textgrid,
)

from tiny_models import make_tiny_checkpoint

REPO = Path(__file__).resolve().parents[2]
SAMPLE_WAV = REPO / "resources" / "sample.wav"
SAMPLE_TXT = REPO / "resources" / "sample.txt"


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_checkpoint(tmp_path_factory.mktemp("model") / "tiny.pt", ENGLISH_ASR_LABELS)


def align_sample(checkpoint: Path, out: Path, *extra: str) -> int:
    """`aligner-gui align` on the bundled sample with the tiny model."""
    return main(
        [
            "align",
            str(SAMPLE_WAV),
            str(SAMPLE_TXT),
            "-o",
            str(out),
            "--model",
            str(checkpoint),
            *extra,
        ]
    )


def _words(text: str) -> list[str]:
    return text.split()


def test_align_writes_a_textgrid_covering_the_file(
    checkpoint: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "sample.TextGrid"
    assert align_sample(checkpoint, out) == 0
    grid = read_textgrid(out)
    duration = sf.info(str(SAMPLE_WAV)).duration
    assert grid.xmin == 0.0
    assert grid.xmax == pytest.approx(duration, abs=1e-9)
    # A random tiny model also earns a "doubtful" tier: it hears nothing it can be sure of.
    assert [tier.name for tier in grid.tiers][:2] == ["words", "chars"]
    assert {tier.name for tier in grid.tiers[2:]} <= {"doubtful"}
    words_tier = grid.tiers[0]
    assert isinstance(words_tier, IntervalTier)
    spoken = [iv.label for iv in words_tier.intervals if iv.label]
    # The user's own spelling, punctuation included, in order.
    assert spoken == _words(SAMPLE_TXT.read_text(encoding="utf-8"))
    for tier in grid.tiers:
        assert isinstance(tier, IntervalTier)
        assert tier.intervals[0].start == 0.0
        assert tier.intervals[-1].end == pytest.approx(duration, abs=1e-9)
        for left, right in zip(tier.intervals, tier.intervals[1:], strict=False):
            assert left.end == right.start
            assert left.start < left.end
    chars = "".join(iv.label for iv in grid.tiers[1].intervals)
    assert chars == "".join(
        ch for ch in SAMPLE_TXT.read_text().upper() if ch.isalpha() or ch == "'"
    )
    assert "Aligned" in capsys.readouterr().err


def test_textgrid_output_is_accepted_by_praatio(checkpoint: Path, tmp_path: Path) -> None:
    praatio_textgrid = pytest.importorskip("praatio.textgrid")
    out = tmp_path / "x.TextGrid"
    assert align_sample(checkpoint, out, "-q") == 0
    ours = read_textgrid(out)
    theirs = praatio_textgrid.openTextgrid(str(out), includeEmptyIntervals=True)
    assert theirs.tierNames == tuple(t.name for t in ours.tiers)
    for tier in ours.tiers:
        entries = theirs.getTier(tier.name).entries
        assert [(e.start, e.end, e.label) for e in entries] == [
            (iv.start, iv.end, iv.label) for iv in tier.intervals
        ]


def test_json_and_csv_outputs_agree(checkpoint: Path, tmp_path: Path) -> None:
    out_json = tmp_path / "a.json"
    out_csv = tmp_path / "a.csv"
    common = [str(SAMPLE_WAV), str(SAMPLE_TXT), "--model", str(checkpoint), "-q"]
    assert main(["align", *common, "-o", str(out_json)]) == 0
    assert main(["align", *common, "-o", str(out_csv)]) == 0
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert set(data) >= {"audio", "sample_rate", "model", "tiers", "doubtful", "warnings"}
    assert data["audio"] == str(SAMPLE_WAV)
    assert data["sample_rate"] == 16000
    assert data["model"] == "tiny-test"
    assert [t["name"] for t in data["tiers"]][:2] == ["words", "chars"]
    keys = {"label", "start", "end", "score", "aligned"}
    assert all(set(i) == keys for i in data["tiers"][0]["items"])
    # A labelled character also names its word: the index of its interval in the words tier.
    chars = data["tiers"][1]["items"]
    assert all(set(i) == (keys | {"parent_item"} if i["label"] else keys) for i in chars)
    word_items = data["tiers"][0]["items"]
    for c in (c for c in chars if c["label"]):
        word = word_items[c["parent_item"]]
        assert word["label"] and word["start"] <= c["start"] and c["end"] <= word["end"]
    words = [w for w in data["tiers"][0]["items"] if w["label"]]
    assert [w["label"] for w in words] == _words(SAMPLE_TXT.read_text())
    starts = [w["start"] for w in words]
    assert starts == sorted(starts)
    assert all(0.0 <= w["score"] <= 1.0 for w in words if w["aligned"])
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8"))))
    word_rows = [r for r in rows if r["tier"] == "words" and r["label"]]
    assert [r["label"] for r in word_rows] == [w["label"] for w in words]
    assert [float(r["start"]) for r in word_rows] == starts
    assert [float(r["end"]) for r in word_rows] == [w["end"] for w in words]
    assert [float(r["score"]) for r in word_rows] == [w["score"] for w in words]


def test_format_flag_overrides_extension(checkpoint: Path, tmp_path: Path) -> None:
    out = tmp_path / "alignment.out"
    args = [str(SAMPLE_WAV), str(SAMPLE_TXT), "--model", str(checkpoint), "-q", "-o", str(out)]
    assert main(["align", *args, "--format", "json"]) == 0
    assert json.loads(out.read_text())["xmax"] == pytest.approx(sf.info(str(SAMPLE_WAV)).duration)


def _run_failing(argv: list[str], capsys) -> str:
    status = main(argv)
    assert status == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("aligner-gui")]
    assert len(errors) == 1, err  # one line for the error; the rest are progress stages
    return errors[0]


def test_errors_leave_existing_output_untouched(checkpoint: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "keep.TextGrid"
    out.write_text("previous work\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n", encoding="utf-8")
    message = _run_failing(
        ["align", str(SAMPLE_WAV), str(empty), "-o", str(out), "--model", str(checkpoint), "-q"],
        capsys,
    )
    assert "empty" in message
    missing = tmp_path / "nope.wav"
    message = _run_failing(
        ["align", str(missing), str(SAMPLE_TXT), "-o", str(out), "--model", str(checkpoint), "-q"],
        capsys,
    )
    assert "nope.wav" in message
    assert out.read_text(encoding="utf-8") == "previous work\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.txt", "keep.TextGrid"]


def test_unknown_extension_is_refused_before_work(checkpoint: Path, tmp_path: Path, capsys) -> None:
    message = _run_failing(
        [
            "align",
            str(SAMPLE_WAV),
            str(SAMPLE_TXT),
            "-o",
            str(tmp_path / "x.doc"),
            "--model",
            str(checkpoint),
        ],
        capsys,
    )
    assert "--format" in message


def test_transcript_too_long_for_audio(checkpoint: Path, tmp_path: Path, capsys) -> None:
    short = tmp_path / "short.wav"
    rng = np.random.default_rng(0)
    sf.write(
        short, (0.1 * rng.standard_normal(8000)).astype(np.float32), 16000
    )  # 0.5 s = 24 frames
    long_text = tmp_path / "long.txt"
    long_text.write_text(
        "this sentence has far too many letters for half a second of audio", "utf-8"
    )
    message = _run_failing(
        [
            "align",
            str(short),
            str(long_text),
            "-o",
            str(tmp_path / "o.json"),
            "--model",
            str(checkpoint),
        ],
        capsys,
    )
    assert "too long" in message
    assert not (tmp_path / "o.json").exists()


def test_convert_textgrid_to_json(tmp_path: Path, checkpoint: Path) -> None:
    grid = tmp_path / "a.TextGrid"
    assert align_sample(checkpoint, grid, "-q") == 0
    out = tmp_path / "a.json"
    assert main(["convert", str(grid), "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    original = read_textgrid(grid)
    assert [t["name"] for t in data["tiers"]] == [t.name for t in original.tiers]
    assert data["tiers"][0]["class"] == "IntervalTier"
    assert [(i["start"], i["end"], i["label"]) for i in data["tiers"][0]["items"]] == [
        (iv.start, iv.end, iv.label) for iv in original.tiers[0].intervals
    ]


def test_align_json_converts_to_the_textgrid_align_writes(tmp_path: Path, checkpoint: Path) -> None:
    """One path: the TextGrid `align` writes equals the one `convert` makes of its JSON, and the
    scores survive the trip JSON -> document -> JSON."""
    grid, data = tmp_path / "a.TextGrid", tmp_path / "a.json"
    assert align_sample(checkpoint, grid, "-q") == 0
    assert align_sample(checkpoint, data, "-q") == 0
    again = tmp_path / "b.TextGrid"
    assert main(["convert", str(data), "-o", str(again)]) == 0
    assert again.read_bytes() == grid.read_bytes()
    copy = tmp_path / "copy.json"
    assert main(["convert", str(data), "-o", str(copy)]) == 0
    assert json.loads(copy.read_text("utf-8")) == json.loads(data.read_text("utf-8"))


def test_align_writes_the_short_textgrid_format(tmp_path: Path, checkpoint: Path) -> None:
    long_out, short_out = tmp_path / "long.TextGrid", tmp_path / "short.TextGrid"
    assert align_sample(checkpoint, long_out, "-q") == 0
    assert align_sample(checkpoint, short_out, "-q", "--format", "textgrid-short") == 0
    assert "item [1]:" not in short_out.read_text("utf-8")
    assert read_textgrid(short_out) == read_textgrid(long_out)


def test_convert_refuses_malformed_textgrid_with_line(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.TextGrid"
    bad.write_text(
        'File type = "ooTextFile"\nObject class = "TextGrid"\n\nxmin = 0\nxmax = banana\n', "utf-8"
    )
    message = _run_failing(["convert", str(bad), "-o", str(tmp_path / "out.json")], capsys)
    assert "bad.TextGrid, line 6:" in message  # Praat skips "banana" as free text, then runs out
    assert not (tmp_path / "out.json").exists()


def test_convert_warns_on_stderr_when_the_textgrid_does_not_fit_its_audio(
    tmp_path: Path,
) -> None:
    grid = tmp_path / "long.TextGrid"
    write_textgrid(TextGrid(0.0, 26.7, (IntervalTier("w", 0.0, 26.7, ()),)), grid)
    sf.write(tmp_path / "short.wav", np.zeros(16000, np.float32), 16000)
    sf.write(tmp_path / "fits.wav", np.zeros(16000 * 267 // 10, np.float32), 16000)

    def convert(audio: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "aligner_gui", "convert", str(grid), "-o",
             str(tmp_path / "out.TextGrid"), "--audio", str(tmp_path / audio)],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    mismatched = convert("short.wav")
    assert mismatched.returncode == 0, mismatched.stderr
    assert mismatched.stderr == (
        "warning: The TextGrid lasts 26.700 s but the audio lasts 1.000 s:"
        " check that they belong together.\n"
    )
    assert read_textgrid(tmp_path / "out.TextGrid").xmax == 26.7
    fitting = convert("fits.wav")
    assert (fitting.returncode, fitting.stderr) == (0, "")
    (tmp_path / "out.TextGrid").unlink()
    missing = convert("missing.wav")
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1 and "missing.wav" in missing.stderr
    assert not (tmp_path / "out.TextGrid").exists()


def test_convert_to_and_from_praats_chronological_format(tmp_path: Path) -> None:
    grid = TextGrid(0.0, 2.0, (IntervalTier("w", 0.0, 2.0, (Interval(0.0, 2.0, "a"),)),))
    write_textgrid(grid, tmp_path / "in.TextGrid")
    chrono = tmp_path / "chrono.TextGrid"
    assert main(["convert", str(tmp_path / "in.TextGrid"), "-o", str(chrono),
                 "--format", "textgrid-chronological"]) == 0  # fmt: skip
    assert chrono.read_text(encoding="utf-8") == (
        '"Praat chronological TextGrid text file"\n0 2   ! Time domain.\n1   ! Number of tiers.'
        '\n"IntervalTier" "w" 0 2\n\n! w:\n1 0 2\n"a"'
    )
    assert main(["convert", str(chrono), "-o", str(tmp_path / "back.TextGrid")]) == 0
    assert read_textgrid(tmp_path / "back.TextGrid") == grid
    assert "intervals [1]:" in (tmp_path / "back.TextGrid").read_text(encoding="utf-8")


def test_progress_bar_reaches_full(tmp_path: Path) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    bar = StderrProgress(stream, min_interval=0.0)
    for i in range(11):
        bar("Computing emissions", i / 10)
    bar("Aligning", 1.0)
    bar.close()
    text = stream.getvalue()
    assert "100.0%" in text and "Computing emissions" in text and "Aligning" in text
    assert text.endswith("\n")
    plain = io.StringIO()
    bar = StderrProgress(plain)
    bar("Computing emissions", 0.5)
    bar("Computing emissions", 0.9)
    assert plain.getvalue() == "Computing emissions...\n"


def test_module_entry_point_runs_align(checkpoint: Path, tmp_path: Path) -> None:
    out = tmp_path / "sub.json"
    proc = subprocess.run(
        [sys.executable, "-m", "aligner_gui", "align", str(SAMPLE_WAV), str(SAMPLE_TXT), "-o", str(out),
         "--model", str(checkpoint), "--device", "cpu"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    words = [w for w in data["tiers"][0]["items"] if w["label"]]
    assert len(words) == len(_words(SAMPLE_TXT.read_text()))
    assert not any(math.isnan(w["start"]) for w in words)
