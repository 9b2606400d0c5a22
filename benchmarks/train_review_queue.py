"""Fit the review queue's ranker (``resources/review_queue_trees.json``) on generated corpora.

    pip install -e '.[dev]'                     # scikit-learn fits the trees
    python benchmarks/train_review_queue.py     # 72 corpora of 200 files, about 80 min on 2 cores

Each corpus is made as ``benchmarks/review_queue.py`` makes its own (espeak-ng utterances, 40 %
of the transcripts with one planted error, the four kinds in turn) with the seeds and voices of
:data:`TRAINING_CORPORA`, and aligned through the batch runner with the built-in phone model
and its default second opinion, the letter model. Never with the seeds the benchmark reports
(11, 5, 7) nor its tuning seeds (101, 102, 103): those measure the ranker fitted here.

Each word of each corpus is one example: its inputs are
:func:`aligner_gui.core.corpus.queue_model.ranker_inputs` (both models' signals, as the app
computes them); it is positive when it is a word the planted error is about (the substituted
or inserted word, a word either side of a deleted word's or sentence's gap), and left out of
the fit when it merely lies within the benchmark's 0.3 s of the error (neither a miss nor a
find). A gradient-boosted tree ensemble (scikit-learn's ``HistGradientBoostingClassifier``)
is fitted and written as plain JSON; the script checks that the app's numpy walk of the JSON
gives scikit-learn's own chances.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from aligner_gui.core.corpus.database import DATABASE_NAME, CorpusDatabase
from aligner_gui.core.corpus.queue_model import FEATURES, FORMAT, TreeEnsemble
from aligner_gui.core.corpus.runner import BatchSettings, run_batch
from aligner_gui.core.corpus.suspicion import corpus_opinions

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "out" / "review_queue_training"
TREES = ROOT.parent / "resources" / "review_queue_trees.json"
FILES = 200
PLANTED_SHARE = 0.4
# (first seed, last seed, voices, share of noisy utterances): mostly held-out voices with noise,
# as the benchmark's corpora, some clean and some with the voices the models were trained on.
TRAINING_CORPORA = (
    (301, 304, "heldout", 0.5),
    (305, 308, "train", 0.5),
    (309, 312, "heldout", 0.0),
    (313, 328, "heldout", 0.5),
    (329, 332, "train", 0.5),
    (333, 336, "train", 0.0),
    (337, 360, "heldout", 0.5),
    (361, 366, "train", 0.5),
    (367, 372, "heldout", 0.0),
)
PARAMETERS = {
    "max_iter": 150,
    "learning_rate": 0.1,
    "max_leaf_nodes": 7,
    "min_samples_leaf": 80,
    "random_state": 0,
}


def corpora() -> list[tuple[int, str, float]]:
    return [(seed, split, noisy)
            for first, last, split, noisy in TRAINING_CORPORA
            for seed in range(first, last + 1)]  # fmt: skip


def aligned_corpus(seed: int, split: str, noisy: float, jobs: int) -> Path:
    """The corpus's folder, made and aligned unless it already is."""
    from review_queue import make_corpus

    root = OUT / f"s{seed}"
    if not (root / "aligned" / "alignment_report.csv").exists():
        if not (root / "planted.json").exists():
            planted, _ = make_corpus(root / "corpus", FILES, PLANTED_SHARE, seed, noisy, split)
            (root / "planted.json").write_text(json.dumps([p.__dict__ for p in planted]))
        run_batch(root / "corpus", root / "aligned", BatchSettings(model="demo", jobs=jobs))
    return root


def examples(root: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inputs, labels and weights of every word of one aligned corpus."""
    from review_queue import Planted, near

    planted = {
        p["path"]: Planted(**{**p, "words": tuple(p["words"])})
        for p in json.loads((root / "planted.json").read_text())
    }
    inputs, labels, weights = [], [], []
    with CorpusDatabase(root / "aligned" / DATABASE_NAME) as db:
        for path, words, opinions in corpus_opinions(db):
            if opinions.inputs is None:
                raise SystemExit(f"{root}: {path} was not heard by both built-in models")
            error = planted.get(path)
            for word, row in zip(words, opinions.inputs, strict=True):
                about = error is not None and word.idx in error.words
                close = error is not None and near(error, word.start, word.end)
                inputs.append(row)
                labels.append(float(about))
                weights.append(0.0 if close and not about else 1.0)
    return np.array(inputs), np.array(labels), np.array(weights)


def exported(model: object) -> dict:
    """scikit-learn's fitted trees as the JSON :class:`TreeEnsemble` reads."""
    trees = []
    for (predictor,) in model._predictors:  # type: ignore[attr-defined]
        nodes = predictor.nodes
        trees.append({
            "feature": nodes["feature_idx"].tolist(),
            "threshold": nodes["num_threshold"].tolist(),
            "left": nodes["left"].tolist(),
            "right": nodes["right"].tolist(),
            "missing_left": nodes["missing_go_to_left"].astype(bool).tolist(),
            "leaf": nodes["is_leaf"].astype(bool).tolist(),
            "value": nodes["value"].tolist(),
        })  # fmt: skip
    baseline = float(np.ravel(model._baseline_prediction)[0])  # type: ignore[attr-defined]
    return {"format": FORMAT, "features": list(FEATURES), "baseline": baseline, "trees": trees}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=TREES)
    args = parser.parse_args()
    from sklearn.ensemble import HistGradientBoostingClassifier

    t0 = time.perf_counter()
    parts = [examples(aligned_corpus(*corpus, args.jobs)) for corpus in corpora()]
    inputs = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    weights = np.concatenate([p[2] for p in parts])
    print(f"{len(parts)} corpora, {len(labels)} words, {int(labels.sum())} on an error, "
          f"{int((weights == 0).sum())} left out; ready in {time.perf_counter() - t0:.0f} s")  # fmt: skip
    model = HistGradientBoostingClassifier(**PARAMETERS).fit(inputs, labels, sample_weight=weights)
    data = exported(model)
    walked = TreeEnsemble.from_json(data).chance(inputs)
    fitted = model.predict_proba(inputs)[:, 1]
    worst = float(np.max(np.abs(walked - fitted)))
    if worst > 1e-9:
        raise SystemExit(f"the exported trees differ from scikit-learn's by {worst:g}")
    data["fitted_on"] = (
        f"{len(parts)} generated corpora of {FILES} files (benchmarks/train_review_queue.py), "
        f"{len(labels)} words, {int(labels.sum())} on a planted error; {PARAMETERS}"
    )
    args.out.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(data['trees'])} trees written to {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
