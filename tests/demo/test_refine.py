"""Boundary refinement on signals whose word edges are known exactly."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from aligner_gui.core.alignment.refine import REFINE_METHODS, refine_word_boundaries
from aligner_gui.core.alignment.segments import WordSegment
from aligner_gui.core.base.timebase import TimeBase

RATE = 16000
TB = TimeBase(RATE, 320)


def signal(
    spans: list[tuple[float, float]], duration: float, noise_db: float = -70.0
) -> np.ndarray:
    """Tones inside ``spans`` over faint noise: the true word edges are the spans' edges."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(int(duration * RATE)).astype(np.float32) * 10 ** (noise_db / 20)
    t = np.arange(x.size) / RATE
    for a, b in spans:
        inside = (t >= a) & (t < b)
        x[inside] += 0.3 * np.sin(2 * np.pi * 220 * t[inside]).astype(np.float32)
    return x


def word(label: str, start: float, end: float, aligned: bool = True) -> WordSegment:
    return WordSegment(label, start, end, 0.9 if aligned else math.nan, aligned, 0, 0)


TRUE = [(0.30, 0.62), (0.80, 1.10), (1.10, 1.45)]  # the last two abut (no pause between)
# What a peaky CTC model gives: each word from its first to its last character spike.
RAW = [word("one", 0.36, 0.54), word("two", 0.86, 1.02), word("three", 1.16, 1.40)]


def test_none_keeps_the_frame_span_boundaries() -> None:
    x = signal(TRUE, 2.0)
    assert refine_word_boundaries(RAW, [], x, TB, "none") == RAW


def test_energy_edge_finds_pause_edges_and_splits_abutting_words() -> None:
    x = signal(TRUE, 2.0)
    out = refine_word_boundaries(RAW, [], x, TB, "energy_edge")
    assert [w.label for w in out] == ["one", "two", "three"]
    # Pause edges are found to within the 10 ms analysis window.
    assert out[0].start == pytest.approx(0.30, abs=0.006)
    assert out[0].end == pytest.approx(0.62, abs=0.006)
    assert out[1].start == pytest.approx(0.80, abs=0.006)
    assert out[2].end == pytest.approx(1.45, abs=0.006)
    # No silence between "two" and "three": they meet at one point inside the raw gap.
    assert out[1].end == out[2].start
    assert 1.02 <= out[1].end <= 1.16


def test_gap_middle_and_energy_minimum_split_each_gap_at_one_point() -> None:
    x = signal(TRUE, 2.0)
    middle = refine_word_boundaries(RAW, [], x, TB, "gap_middle")
    assert middle[0].end == middle[1].start == pytest.approx((0.54 + 0.86) / 2)
    assert middle[0].start == 0.36 and middle[2].end == 1.40  # outer edges stay
    quiet = refine_word_boundaries(RAW, [], x, TB, "energy_minimum")
    assert 0.62 <= quiet[0].end <= 0.80  # inside the pause, where the signal is quietest
    assert quiet[0].end == quiet[1].start


@pytest.mark.parametrize("method", REFINE_METHODS)
def test_unaligned_words_stay_and_results_never_overlap(method: str) -> None:
    x = signal(TRUE, 2.0)
    # "1" stands for a word the model cannot spell, interpolated before the first aligned word
    # (as a digit is with an English model): the first word may not grow into it.
    words = [word("1", 0.0, 0.33, aligned=False), RAW[0], word("uh", 0.6, 0.7, aligned=False),
             RAW[1], RAW[2]]  # fmt: skip
    out = refine_word_boundaries(words, [], x, TB, method)
    assert out[0] == words[0] and out[2] == words[2]
    assert all(a.end <= b.start for a, b in itertools.pairwise(out))
    assert all(0.0 <= w.start <= w.end <= 2.0 for w in out)
    if method == "energy_edge":
        assert out[1].start == pytest.approx(0.33)  # stopped by "1", short of the tone at 0.30
        assert out[1].end == pytest.approx(0.60)  # stopped by "uh", short of the edge at 0.62


def test_speech_right_up_to_the_edges_keeps_the_outer_boundaries() -> None:
    x = signal([(0.0, 2.0)], 2.0)  # no silence anywhere
    raw = [word("a", 0.2, 0.5), word("b", 0.9, 1.3)]
    out = refine_word_boundaries(raw, [], x, TB, "energy_edge")
    assert (out[0].start, out[1].end) == (0.2, 1.3)
    assert 0.5 <= out[0].end == out[1].start <= 0.9


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown refinement"):
        refine_word_boundaries(RAW, [], signal(TRUE, 2.0), TB, "magic")


def test_characters_follow_their_refined_word_edges() -> None:
    from aligner_gui.core.alignment.refine import fit_chars_to_words
    from aligner_gui.core.alignment.segments import CharSegment

    x = signal(TRUE, 2.0)
    raw = [
        WordSegment("on", 0.36, 0.54, 0.9, True, 0, 2),
        WordSegment("to", 0.86, 1.02, 0.9, True, 2, 4),
    ]
    chars = [CharSegment("O", 0.36, 0.40, 0.9, 0), CharSegment("N", 0.50, 0.54, 0.9, 0),
             CharSegment("T", 0.86, 0.90, 0.9, 1), CharSegment("O", 0.98, 1.02, 0.9, 1)]  # fmt: skip
    words = refine_word_boundaries(raw, chars, x, TB, "energy_edge")
    fitted = fit_chars_to_words(words, chars)
    assert [(c.start, c.end) for c in fitted] == [
        (words[0].start, 0.40),
        (0.50, words[0].end),
        (words[1].start, 0.90),
        (0.98, words[1].end),
    ]
    assert words[0].start < 0.36 and words[0].end > 0.54  # the edges really moved
