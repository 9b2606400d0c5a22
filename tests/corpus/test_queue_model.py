"""The review queue's fitted ranker: its JSON trees, walked in numpy, and where it is used."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from aligner_gui.core.corpus.database import WordRow
from aligner_gui.core.corpus.queue_model import (
    FEATURES,
    FORMAT,
    Hearing,
    QueueModelError,
    TreeEnsemble,
    load_ranker,
    ranker_inputs,
    shipped_ranker,
)
from aligner_gui.core.corpus.signals import (
    CorpusNorms,
)
from aligner_gui.core.corpus.suspicion import (
    SUSPECT_THRESHOLD,
    hear_both,
    score_words,
    suspicion_of_chance,
)

REPO = Path(__file__).resolve().parents[2]

# Two trees over two inputs. Tree 1: x0 <= 0.5 (NaN: left) -> -1.0, else x1 <= 2 (NaN: right)
# -> 0.5 / 2.0. Tree 2: a single leaf, 0.25.
TWO_TREES = {
    "format": FORMAT,
    "features": ["a", "b"],
    "baseline": -0.5,
    "trees": [
        {
            "feature": [0, 0, 1, 0, 0],
            "threshold": [0.5, 0.0, 2.0, 0.0, 0.0],
            "left": [1, 0, 3, 0, 0],
            "right": [2, 0, 4, 0, 0],
            "missing_left": [True, False, False, False, False],
            "leaf": [False, True, False, True, True],
            "value": [0.0, -1.0, 0.0, 0.5, 2.0],
        },
        {
            "feature": [0],
            "threshold": [0.0],
            "left": [0],
            "right": [0],
            "missing_left": [False],
            "leaf": [True],
            "value": [0.25],
        },
    ],
}


def _word(i: int, tier: str = "", frames: int | None = 20) -> WordRow:
    return WordRow(i, tier, f"w{i}", i * 0.5, i * 0.5 + 0.4, 0.9, True, 4, 0.0, "", frames=frames)


def test_trees_are_walked_as_written_including_missing_inputs() -> None:
    ensemble = TreeEnsemble.from_json(TWO_TREES)
    inputs = np.array([[0.2, 9.0], [0.5, 9.0], [0.9, 1.0], [0.9, 3.0], [np.nan, 0.0],
                       [0.9, np.nan]])  # fmt: skip
    expected = -0.5 + 0.25 + np.array([-1.0, -1.0, 0.5, 2.0, -1.0, 2.0])
    assert ensemble.log_odds(inputs) == pytest.approx(expected)
    assert ensemble.chance(inputs) == pytest.approx(1 / (1 + np.exp(-expected)))
    assert ensemble.log_odds(np.empty((0, 2))).shape == (0,)


def test_a_file_of_another_format_or_other_inputs_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "trees.json"
    path.write_text(json.dumps({**TWO_TREES, "format": FORMAT + 1}))
    with pytest.raises(QueueModelError, match="format"):
        load_ranker(path)
    path.write_text(json.dumps(TWO_TREES))  # fitted on inputs "a", "b": not this version's
    with pytest.raises(QueueModelError, match="other inputs"):
        load_ranker(path)
    path.write_text("{ not json")
    with pytest.raises(QueueModelError, match="cannot read"):
        load_ranker(path)
    with pytest.raises(QueueModelError, match="cannot read"):
        load_ranker(tmp_path / "missing.json")


def test_the_shipped_trees_read_this_versions_inputs_and_give_chances() -> None:
    ranker = shipped_ranker()
    assert ranker.features == FEATURES and len(ranker.trees) > 10
    calm = np.zeros((1, len(FEATURES)))
    alarmed = calm.copy()
    for name in ("frame denial", "ctc evidence", "averaged"):
        alarmed[0, FEATURES.index(name)] = 1.0
    low, high = ranker.chance(np.vstack([calm, alarmed]))
    assert 0.0 <= low < 0.05 < high <= 1.0


def test_inputs_take_each_model_by_kind_and_neighbours_only_in_the_same_tier() -> None:
    words = [_word(0, "A"), _word(1, "A"), _word(2, "B", frames=None)]
    words[0] = dataclasses.replace(words[0], inside=30.0, frames=20, unclaimed=4.0, removable=-2.0)
    words[1] = dataclasses.replace(words[1], inside=10.0, frames=20)
    frame = Hearing(words, [{"denial": 0.9}, {"unclaimed": 0.4}, {}])
    ctc = Hearing([None, words[1], words[2]], [{"evidence": 0.7}, {}, {"unclaimed": 0.2}])
    inputs = ranker_inputs(words, frame, ctc, [0.8, 0.3, 0.1])
    column = {name: inputs[:, i] for i, name in enumerate(FEATURES)}
    assert column["frame denial"].tolist() == [0.9, 0.0, 0.0]
    assert column["ctc evidence"].tolist() == [0.7, 0.0, 0.0]
    assert column["after: frame unclaimed"][0] == 0.4
    assert column["before: averaged"][1] == 0.8
    assert math.isnan(column["after: averaged"][1])  # the next word is another speaker's
    assert math.isnan(column["before: averaged"][0]) and math.isnan(column["log frames"][2])
    assert column["file max averaged"].tolist() == [0.8] * 3
    # The figures behind the signals: 40 nats over 40 frames, so 1 nat per frame; the first word
    # loses 10 more than that over its 20 frames.
    assert column["frame file loss per frame"][0] == pytest.approx(1.0)
    assert column["frame denial z"][0] == pytest.approx(10 / math.sqrt(20))
    assert column["frame unclaimed nats"][0] == 4.0 and column["frame removable nats"][0] == -2.0
    assert column["before: frame removable nats"][1] == -2.0
    # The CTC model did not hear the first word: its figures are unknown, not zero.
    assert math.isnan(column["ctc denial z"][0]) and math.isnan(column["before: ctc denial z"][1])


def test_the_ranker_scores_a_file_heard_by_a_frame_classifier_and_a_ctc_model() -> None:
    frame_norms, ctc_norms = CorpusNorms(0.8, 0.1, True), CorpusNorms(0.8, 0.1, False)
    words = [_word(i) for i in range(8)]
    # Both heard by CTC models: the hand-tuned average, no ranker inputs.
    assert hear_both(words, ctc_norms, words, ctc_norms).inputs is None
    assert hear_both(words, frame_norms).inputs is None
    heard = hear_both(words, frame_norms, words, ctc_norms)
    assert heard.inputs is not None and heard.inputs.shape == (8, len(FEATURES))
    scored, file_suspicion = score_words(words, frame_norms, words, ctc_norms)
    chances = shipped_ranker().chance(heard.inputs)
    # Monotone in the chance, before a neighbour gives way.
    assert [s for s, _ in scored] <= [suspicion_of_chance(float(c)) + 1e-12 for c in chances]
    assert file_suspicion is not None


def test_the_queue_threshold_is_the_chance_it_was_set_for() -> None:
    from aligner_gui.core.corpus.suspicion import RANKER_QUEUE_CHANCE

    assert suspicion_of_chance(RANKER_QUEUE_CHANCE) == pytest.approx(SUSPECT_THRESHOLD)
    assert suspicion_of_chance(0.0) == 0.0 and suspicion_of_chance(1.0) == 1.0


def _training_script():
    sys.path.insert(0, str(REPO / "benchmarks"))
    spec = importlib.util.spec_from_file_location(
        "train_review_queue", REPO / "benchmarks" / "train_review_queue.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_exported_trees_give_scikit_learns_own_chances() -> None:
    ensemble_module = pytest.importorskip("sklearn.ensemble")
    rng = np.random.default_rng(3)
    inputs = rng.normal(size=(600, len(FEATURES)))
    inputs[rng.random(inputs.shape) < 0.1] = np.nan
    labels = (np.nan_to_num(inputs[:, 0]) + 0.5 * np.nan_to_num(inputs[:, 5]) > 0.8).astype(float)
    model = ensemble_module.HistGradientBoostingClassifier(max_iter=20, random_state=0)
    model.fit(inputs, labels)
    walked = TreeEnsemble.from_json(_training_script().exported(model)).chance(inputs)
    assert walked == pytest.approx(model.predict_proba(inputs)[:, 1], abs=1e-9)


def test_a_damaged_install_ranks_by_the_hand_tuned_suspicion_with_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aligner_gui.core.corpus.suspicion as suspicion

    broken = tmp_path / "trees.json"
    broken.write_text("{ not json")
    monkeypatch.setattr(suspicion, "shipped_ranker", lambda: load_ranker(broken))
    frame_norms, ctc_norms = CorpusNorms(0.8, 0.1, True), CorpusNorms(0.8, 0.1, False)
    words = [_word(i) for i in range(4)]
    heard = hear_both(words, frame_norms, words, ctc_norms)
    with pytest.warns(RuntimeWarning, match="falls back to its hand-tuned order"):
        assert suspicion._ranked_together([heard, heard]) == [None, None]
