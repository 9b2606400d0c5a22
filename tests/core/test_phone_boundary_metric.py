"""The phone-boundary metric of benchmarks/phone_boundaries.py (importable, reusable)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from aligner_gui.core.base.labels import LabelSet
from aligner_gui.core.io.textgrid import Interval, IntervalTier

from tiny_models import make_tiny_checkpoint

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"


def _load():
    spec = importlib.util.spec_from_file_location(
        "phone_boundaries", REPO / "benchmarks" / "phone_boundaries.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["phone_boundaries"] = module
    spec.loader.exec_module(module)
    return module


pb = _load()


def test_distances_and_one_to_one_matching() -> None:
    gold = [0.100, 0.200, 0.300, 0.400]
    pred = [0.105, 0.230, 0.300, 0.390, 0.395]
    m = pb.boundary_metrics(gold, pred, 0.020)
    assert m.mean_ms == pytest.approx((5 + 30 + 0 + 5) / 4)
    assert m.within == pytest.approx(3 / 4)
    assert m.recall == pytest.approx(3 / 4)
    assert m.precision == pytest.approx(3 / 5)  # 0.390 and 0.395 cannot both match 0.400
    assert m.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)


def test_over_segmentation_does_not_win() -> None:
    gold = [0.1, 0.2, 0.3]
    every_5ms = [k * 0.005 for k in range(1, 100)]
    m = pb.boundary_metrics(gold, every_5ms, 0.020)
    assert m.within == 1.0 and m.recall == 1.0
    assert m.precision < 0.05 and m.f1 < 0.1
    assert pb.boundary_metrics(gold, [], 0.020).f1 == 0.0


def test_tier_boundaries_count_shared_edges_once() -> None:
    tier = IntervalTier(
        "phones",
        0.0,
        1.0,
        [
            Interval(0.0, 0.1, ""),
            Interval(0.1, 0.2, "a"),
            Interval(0.2, 0.35, "b"),
            Interval(0.35, 0.5, ""),
            Interval(0.5, 1.0, "c"),
        ],
    )
    assert pb.tier_boundaries(tier) == [0.1, 0.2, 0.35, 0.5]


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is absent")
def test_the_measurement_runs_on_the_corpus_with_a_phone_model(tmp_path: Path, capsys) -> None:
    phones = "<pad> sil b ɑ i ɹ ɪ p t ð ə l ɛ dʒ ɚ m r o d θ œ eɪ n f aɪ ʌ ɔ ɜ æ ʊ ʃ k s z"
    labels = LabelSet(tuple(phones.split(" ")), blank=0)
    model = make_tiny_checkpoint(tmp_path / "phones.pt", labels)
    assert pb.measure_model(str(model), CORPUS, 0.020) == 0
    table = capsys.readouterr().out
    for name in ("bobby", "mary", "damon", "all"):
        assert f"| {name} |" in table
    # A letter model is refused: it has no phones to measure.
    letters = make_tiny_checkpoint(tmp_path / "letters.pt")
    assert pb.measure_model(str(letters), CORPUS, 0.020) == 2
