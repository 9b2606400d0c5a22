"""`aligner-gui align CORPUS_DIR -o OUT_DIR --ray`: the same outputs as a local run, a killed
actor's files retried, and one line when Ray is not installed.

One local Ray with 2 CPUs serves the module; the executor uses a Ray already started, as it
would in a notebook.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aligner_gui.cli import main
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS
from aligner_gui.core.corpus.align_file import FileOutcome
from aligner_gui.core.corpus.database import DATABASE_NAME, CorpusDatabase
from aligner_gui.core.corpus.report import REPORT_NAME
from aligner_gui.core.corpus.runner import BatchSettings, run_batch

from corpus_maker import make_flat_corpus, make_messy_corpus
from tiny_models import make_tiny_checkpoint

ray = pytest.importorskip("ray")

from aligner_gui.cluster.ray_executor import RayExecutor, retried_note  # noqa: E402

SECONDS_COLUMN = "seconds taken"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_checkpoint(tmp_path_factory.mktemp("model") / "tiny.pt", ENGLISH_ASR_LABELS)


def outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.suffix in (".TextGrid", ".json")
    }


def report_rows(out: Path, *, without: str = SECONDS_COLUMN) -> list[dict[str, str]]:
    with open(out / REPORT_NAME, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row.pop(without)
    return rows


def test_ray_run_gives_the_local_runs_outputs_byte_for_byte(
    ray_cluster: None, checkpoint: Path, tmp_path: Path, capsys
) -> None:
    corpus = make_messy_corpus(tmp_path / "corpus")
    base = ["align", str(corpus), "--model", str(checkpoint), "--format", "both", "-q"]
    assert main([*base, "-o", str(tmp_path / "local"), "--jobs", "2"]) == 1  # two files fail
    capsys.readouterr()
    assert main([*base, "-o", str(tmp_path / "ray"), "--ray"]) == 1
    summary = capsys.readouterr().err.strip().splitlines()
    assert summary[-1].startswith("Aligned 5 of 7 files"), summary

    local, on_ray = outputs(tmp_path / "local"), outputs(tmp_path / "ray")
    assert len(local) == 10  # five files, TextGrid and JSON each
    assert on_ray == local
    # Sent as bytes, read from a copy, yet the broken file's message names the corpus file.
    assert report_rows(tmp_path / "ray") == report_rows(tmp_path / "local")
    messages = {r["file"]: r["message"] for r in report_rows(tmp_path / "ray")}
    assert "could not be opened" in messages["bob/broken.wav"]
    assert "aligner-gui-" not in "".join(messages.values())

    # Resume works across modes: a local run finds the Ray run's files up to date.
    assert main([*base, "-o", str(tmp_path / "ray"), "--jobs", "1"]) == 1
    assert "5 up to date" in capsys.readouterr().err.strip().splitlines()[-1]


def test_shared_storage_sends_paths_and_gives_the_same_outputs(
    ray_cluster: None, checkpoint: Path, tmp_path: Path, capsys
) -> None:
    corpus = make_flat_corpus(tmp_path / "corpus", 3)
    # With a second opinion too: each actor loads both models and hears each file twice.
    second = make_tiny_checkpoint(tmp_path / "second.pt", ENGLISH_ASR_LABELS, seed=5)
    base = ["align", str(corpus), "--model", str(checkpoint), "--second-opinion", str(second),
            "-q"]  # fmt: skip
    assert main([*base, "-o", str(tmp_path / "local"), "--jobs", "1"]) == 0
    assert main([*base, "-o", str(tmp_path / "ray"), "--ray", "--ray-shared-storage"]) == 0
    assert outputs(tmp_path / "ray") == outputs(tmp_path / "local")
    heard = {}
    for run in ("local", "ray"):
        with CorpusDatabase(tmp_path / run / DATABASE_NAME) as db:
            heard[run] = {p: [(w.idx, w.label) for w in ws] for p, ws in db.second_words().items()}
    assert len(heard["ray"]) == 3 and heard["ray"] == heard["local"]


def test_a_killed_actors_files_are_retried_and_the_outputs_unchanged(
    ray_cluster: None, checkpoint: Path, tmp_path: Path, one_torch_thread
) -> None:
    corpus = make_flat_corpus(tmp_path / "corpus", 8, sentences=8)
    settings = BatchSettings(model=str(checkpoint), refine="none", jobs=1)
    run_batch(corpus, tmp_path / "local", settings)

    executor = RayExecutor()
    killed: list[int] = []
    seen: list[str] = []

    def on_file(outcome: FileOutcome, done: int, total: int, seconds: float) -> None:
        seen.append(outcome.path)
        if not killed:
            # The busiest actor is aligning one file and holds the next: both are lost.
            pid = executor.actor_pids()[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    summary = run_batch(corpus, tmp_path / "ray", settings, on_file=on_file, executor=executor)

    assert summary.aligned == 8 and summary.failed == 0
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 8  # each file recorded once
    assert executor.retried, "no file was lost with the killed actor"
    assert outputs(tmp_path / "ray") == outputs(tmp_path / "local")
    notes = {r["file"]: r["message"] for r in report_rows(tmp_path / "ray")}
    assert {f for f, m in notes.items() if retried_note(1) in m} == set(executor.retried)


def test_ctrl_c_finishes_the_files_being_aligned_and_exits_130(
    ray_cluster: None, checkpoint: Path, tmp_path: Path
) -> None:
    """The command's own Ray, started for it: Ctrl+C at the terminal reaches the whole process
    group, Ray's processes included, yet the files being aligned are finished and recorded."""
    corpus = make_flat_corpus(tmp_path / "corpus", 24, sentences=3)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "aligner_gui", "align", str(corpus), "-o", str(out), "--model",
         str(checkpoint), "--ray", "-q"],
        env={**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while len(written := list(out.glob("*.TextGrid"))) < 2:
        assert proc.poll() is None, "the batch ended before it could be interrupted"
        assert time.monotonic() < deadline, "the batch made no progress"
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl+C does
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    summary = err.strip().splitlines()[-1]
    aligned = int(summary.split()[2])
    assert summary.startswith("Interrupted: aligned") and "failed" not in summary, summary
    # Each actor was aligning a file when the signal came: both were finished, not lost.
    assert len(written) < aligned < 24, summary
    assert len(list(out.glob("*.TextGrid"))) == aligned

    # The resume (here on the tests' Ray) aligns only the rest.
    settings = BatchSettings(model=str(checkpoint), jobs=1)
    rest = run_batch(corpus, out, settings, executor=RayExecutor())
    assert rest.skipped == aligned and rest.aligned == 24 - aligned


def test_ray_not_installed_is_one_line(
    checkpoint: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = make_flat_corpus(tmp_path / "corpus", 1)
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    out = tmp_path / "out"
    assert main(["align", str(corpus), "-o", str(out), "--model", str(checkpoint), "--ray"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and 'pip install "aligner-gui[cluster]"' in err, err
    assert not out.exists()


def test_progress_within_a_long_file_comes_from_the_actors_before_its_outcome(
    ray_cluster: None, checkpoint: Path, tmp_path: Path
) -> None:
    from corpus_maker import write_long_pair, write_pair

    corpus = tmp_path / "corpus"
    write_pair(corpus, "short", "a stitch in time saves nine")
    write_long_pair(corpus, "long", 40)  # ~2 min: several 30 s windows
    events: list[tuple[str, str, float]] = []
    run_batch(corpus, tmp_path / "out", BatchSettings(str(checkpoint)), executor=RayExecutor(),
              on_progress=lambda path, fraction: events.append(("progress", path, fraction)),
              on_file=lambda outcome, *_: events.append(("done", outcome.path, 1.0)))  # fmt: skip
    long_events = [e for e in events if e[1] == "long.wav"]
    assert long_events[-1][0] == "done"
    within = [f for kind, _path, f in long_events if kind == "progress"]
    assert [f for f in within if 0.0 < f < 1.0]  # posted by the actor, collected as it ran
    assert within == sorted(within)
    short = [kind for kind, path, _ in events if path == "short.wav"]
    assert short[-1] == "done" and "progress" not in short[short.index("done") :]
