"""Progress within a corpus file: one fraction per file, thinned to whole steps, never backwards,
and passed from the engine to the batch's caller before the file's outcome."""

from __future__ import annotations

from pathlib import Path

import pytest

from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS
from aligner_gui.core.corpus.file_progress import STEPS, FileProgressSender, file_fraction
from aligner_gui.core.corpus.runner import BatchSettings, run_batch

from corpus_maker import write_long_pair, write_pair
from tiny_models import make_tiny_checkpoint


def test_stages_become_one_fraction_of_the_file() -> None:
    assert file_fraction("Computing emissions", 0.0) == 0.0
    assert file_fraction("Computing emissions", 1.0) == file_fraction("Aligning", 0.0)
    assert file_fraction("Aligning", 1.0) == 1.0
    assert file_fraction("Aligning", 7.0) == 1.0  # clipped


def test_only_new_steps_are_sent_and_never_backwards() -> None:
    sent: list[tuple[str, float]] = []
    report = FileProgressSender("a/b.wav", lambda p, f: sent.append((p, f)))
    for i in range(1001):
        report("Computing emissions", i / 1000)
    report("Computing emissions", 0.1)  # e.g. a later utterance starting: not a step back
    report("Aligning", 1.0)
    fractions = [f for _p, f in sent]
    assert {p for p, _f in sent} == {"a/b.wav"}
    assert fractions == sorted(set(fractions))
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    # One message per step of the file at most (a thousand calls, not a thousand messages).
    steps = [round(f * STEPS) for f in fractions]
    assert steps == [*range(steps[-2] + 1), STEPS]


def test_an_utterance_reports_within_its_share_of_the_file() -> None:
    sent: list[float] = []
    report = FileProgressSender("x.wav", lambda _p, f: sent.append(f))
    second_half = report.part(0.5, 0.5)
    second_half("Computing emissions", 0.0)
    second_half("Aligning", 1.0)
    assert sent == [0.5, 1.0]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_checkpoint(tmp_path_factory.mktemp("model") / "tiny.pt", ENGLISH_ASR_LABELS)


def test_a_long_file_reports_progress_before_its_outcome(
    tmp_path: Path, checkpoint: Path, one_torch_thread
) -> None:
    corpus = tmp_path / "corpus"
    write_pair(corpus, "short", "a stitch in time saves nine")
    write_long_pair(corpus, "long", 40)  # ~2 min: several 30 s windows
    events: list[tuple[str, str, float]] = []
    run_batch(corpus, tmp_path / "out", BatchSettings(str(checkpoint), jobs=1),
              on_progress=lambda path, fraction: events.append(("progress", path, fraction)),
              on_file=lambda outcome, *_: events.append(("done", outcome.path, 1.0)))  # fmt: skip
    long_events = [e for e in events if e[1] == "long.wav"]
    assert long_events[-1][0] == "done"
    within = [f for kind, _path, f in long_events if kind == "progress"]
    # Fractions strictly inside the file, rising, all before its outcome.
    assert len([f for f in within if 0.0 < f < 1.0]) >= 3
    assert within == sorted(within)
