"""Time of the Viterbi over pronunciation variants (not a test): synthetic phone emissions of
speech at ~12 phones per second, every word with two pronunciations and an optional silence
between words, against the linear Viterbi over the spoken sequence alone; and the windowed search
the pipeline uses past ``MAX_GRAPH_CELLS`` (:mod:`aligner_gui.core.alignment.windowed_variants`),
which also runs where one search would take too long (``--max-graph-minutes``).

    .venv/bin/python benchmarks/graph_viterbi_bench.py [--minutes 1 2 5 60] [--max-graph-minutes 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aligner_gui.core.alignment.graph_viterbi import graph_forced_align
from aligner_gui.core.alignment.long_align import long_forced_align
from aligner_gui.core.alignment.windowed_variants import windowed_graph_align

PHONES = 40  # labels 1..40 are phones, 41 is the silence
FRAMES_PER_SECOND = 50


def emissions(rng: np.random.Generator, minutes: float):
    """Words of 2-6 phones, each with a second variant that differs in one phone."""
    frames: list[int] = [0] * 5
    words, spoken, truth = [], [], []
    while len(frames) < minutes * 60 * FRAMES_PER_SECOND:
        phones = tuple(int(p) for p in rng.integers(1, PHONES + 1, size=int(rng.integers(2, 7))))
        other = list(phones)
        other[int(rng.integers(len(other)))] = int(rng.integers(1, PHONES + 1))
        said = int(rng.integers(2))
        words.append([phones, tuple(other)] if said == 0 else [tuple(other), phones])
        truth.append(said)
        for p in phones:
            frames += [p] * int(rng.integers(1, 5)) + [0] * int(rng.integers(0, 3))
            spoken.append(p)
        if rng.random() < 0.1:
            frames += [PHONES + 1] * int(rng.integers(5, 30))
            spoken.append(PHONES + 1)
    logits = rng.normal(0, 1, size=(len(frames), PHONES + 2))
    logits[np.arange(len(frames)), frames] += 7
    logits -= logits.max(axis=1, keepdims=True)
    lp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return lp.astype(np.float32), words, spoken, truth


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, nargs="+", default=[0.5, 1, 2])
    parser.add_argument("--max-graph-minutes", type=float, default=5.0)
    args = parser.parse_args()
    print(
        "| audio | frames | words | graph states | graph Viterbi s | windowed s "
        "| linear (spoken only) s | spoken variant chosen (graph / windowed) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    options = {"separator": PHONES + 1, "separator_optional": True}
    for minutes in args.minutes:
        lp, words, spoken, truth = emissions(np.random.default_rng(0), minutes)
        graph_s, graph_right = "-", "-"
        if minutes <= args.max_graph_minutes:
            t0 = time.perf_counter()
            got = graph_forced_align(lp, words, 0, **options)
            graph_s = f"{time.perf_counter() - t0:.2f}"
            graph_right = (
                f"{np.mean([a == b for a, b in zip(got.variants, truth, strict=True)]):.1%}"
            )
        t0 = time.perf_counter()
        windowed = windowed_graph_align(lp, words, 0, **options)
        windowed_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        long_forced_align(lp, spoken, 0)
        linear_s = time.perf_counter() - t0
        states = 1 + sum(2 * len(v) for w in words for v in w) + 3 * (len(words) - 1) + 1
        right = np.mean([a == b for a, b in zip(windowed.variants, truth, strict=True)])
        print(
            f"| {minutes:g} min | {lp.shape[0]} | {len(words)} | {states} | {graph_s} | "
            f"{windowed_s:.2f} | {linear_s:.2f} | {graph_right} / {right:.1%} |"
        )


if __name__ == "__main__":
    main()
