"""Pronunciation variants in a recording too long for one graph search are chosen in windows of
words: on emissions where the spoken variants are known, the windows choose them all, and the
joined path is the one search's path (same score, every token once, in order)."""

from __future__ import annotations

import numpy as np
import pytest

from aligner_gui.core.alignment.graph_viterbi import graph_forced_align
from aligner_gui.core.alignment.segments import token_spans
from aligner_gui.core.alignment.windowed_variants import windowed_graph_align

BLANK, SEPARATOR = 0, 1
PHONES = range(2, 12)


def _case(seed: int, words: int, compulsory: bool):
    """Words of 1-3 variants, a spoken variant each, and emissions that clearly hear them (3
    frames per phone; between words 0-2 blank frames and after every fourth word a pause of 12,
    or 2 and 12 separator frames when the separator is compulsory)."""
    rng = np.random.default_rng(seed)
    graph = []
    spoken = []
    frames = [BLANK] * 3
    for w in range(words):
        count = int(rng.integers(1, 4))
        variants: list[tuple[int, ...]] = []
        while len(variants) < count:
            v = tuple(int(x) for x in rng.choice(list(PHONES), size=int(rng.integers(1, 4))))
            if v not in variants:
                variants.append(v)
        graph.append(variants)
        choice = int(rng.integers(count))
        spoken.append(choice)
        if w > 0:
            gap = 12 if w % 4 == 0 else (2 if compulsory else int(rng.integers(0, 3)))
            frames += [SEPARATOR if compulsory else BLANK] * gap
        for k, phone in enumerate(variants[choice]):
            if k and phone == variants[choice][k - 1]:
                frames.append(BLANK)  # CTC needs a blank between repeats
            frames += [phone] * 3
    frames += [BLANK] * 3
    logits = rng.normal(0, 0.5, size=(len(frames), 12))
    logits[np.arange(len(frames)), frames] += 7.0
    logits -= logits.max(axis=1, keepdims=True)
    lp = (logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))).astype(np.float32)
    return lp, graph, spoken


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("compulsory", [False, True])
def test_windows_choose_the_spoken_variants_and_match_one_search(
    seed: int, compulsory: bool
) -> None:
    lp, graph, spoken = _case(seed, 60, compulsory)
    options = {"separator": SEPARATOR, "separator_optional": not compulsory}
    whole = graph_forced_align(lp, graph, BLANK, **options)
    calls = []
    windowed = windowed_graph_align(
        lp, graph, BLANK, **options, window_cells=40_000,
        progress=lambda stage, fraction: calls.append(fraction),
    )  # fmt: skip
    assert len(calls) >= 4  # really several windows
    assert windowed.variants == whole.variants
    # The spoken variant, except where two words with no pause between them are ambiguous.
    assert sum(a == b for a, b in zip(windowed.variants, spoken, strict=True)) >= len(spoken) - 1
    assert windowed.tokens == whole.tokens and windowed.token_word == whole.token_word
    assert windowed.path.num_frames == lp.shape[0]
    assert windowed.path.score == pytest.approx(whole.path.score, abs=1e-3)
    spans = token_spans(windowed.path, len(windowed.tokens))  # each token once, in order
    assert [s.label for s in spans] == list(windowed.tokens)


def test_one_window_when_everything_fits() -> None:
    lp, graph, spoken = _case(3, 8, False)
    calls = []
    got = windowed_graph_align(
        lp, graph, BLANK, separator=SEPARATOR, separator_optional=True,
        progress=lambda stage, fraction: calls.append(fraction),
    )  # fmt: skip
    assert calls == [1.0] and list(got.variants) == spoken
