"""Time of the Viterbi over pronunciation variants (not a test): synthetic phone emissions of
speech at ~12 phones per second, every word with two pronunciations and an optional silence
between words, against the linear Viterbi over the spoken sequence alone.

    .venv/bin/python benchmarks/graph_viterbi_bench.py [--minutes 1 2 5]
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
    args = parser.parse_args()
    print(
        "| audio | frames | words | graph states | graph Viterbi s | linear (spoken only) s "
        "| spoken variant chosen |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for minutes in args.minutes:
        lp, words, spoken, truth = emissions(np.random.default_rng(0), minutes)
        t0 = time.perf_counter()
        got = graph_forced_align(lp, words, 0, separator=PHONES + 1, separator_optional=True)
        graph_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        long_forced_align(lp, spoken, 0)
        linear_s = time.perf_counter() - t0
        states = 1 + sum(2 * len(v) for w in words for v in w) + 3 * (len(words) - 1) + 1
        right = np.mean([a == b for a, b in zip(got.variants, truth, strict=True)])
        print(
            f"| {minutes:g} min | {lp.shape[0]} | {len(words)} | {states} | {graph_s:.2f} | "
            f"{linear_s:.2f} | {right:.1%} |"
        )


if __name__ == "__main__":
    main()
