"""The display trellis: its definition, its agreement with the forced path, and windows of it."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from aligner_gui.core.alignment.trellis import build_trellis, path_cells, trellis_window
from aligner_gui.core.alignment.viterbi import forced_align, min_frames_needed


def random_emissions(rng: np.random.Generator, T: int, C: int) -> np.ndarray:
    logits = rng.standard_normal((T, C)) * 2.0
    return torch.log_softmax(torch.from_numpy(logits), dim=-1).numpy().astype(np.float32)


def brute_trellis(lp: np.ndarray, tokens: list[int]) -> np.ndarray:
    """The definition, by enumerating every path prefix (tiny inputs only)."""
    T, L = lp.shape[0], len(tokens)
    S = 2 * L + 1
    ext = [0 if s % 2 == 0 else tokens[s // 2] for s in range(S)]
    out = np.full((T, L), -np.inf)

    def walk(t: int, s: int, score: float) -> None:
        score += float(lp[t, ext[s]])
        if s >= 1:
            j = (s - 1) // 2
            out[t, j] = max(out[t, j], score)
        if t + 1 == T:
            return
        for n in (s, s + 1, s + 2):
            if n >= S or (n == s + 2 and (n % 2 == 0 or ext[n] == ext[s])):
                continue
            walk(t + 1, n, score)

    walk(0, 0, 0.0)
    walk(0, 1, 0.0)
    return out


def test_uniform_emissions_give_a_known_triangle() -> None:
    lp = np.full((5, 3), math.log(1 / 3), dtype=np.float32)
    tr = build_trellis(lp, [1, 2], blank=0)
    assert tr.shape == (5, 2) and tr.dtype == np.float32
    for t in range(5):
        for j in range(2):
            expected = (t + 1) * math.log(1 / 3) if j <= t else -math.inf
            assert tr[t, j] == pytest.approx(expected, rel=1e-6)


def test_matches_the_definition_by_brute_force() -> None:
    rng = np.random.default_rng(11)
    for _ in range(30):
        L = int(rng.integers(1, 4))
        tokens = rng.integers(1, 3, L).tolist()
        T = int(rng.integers(1, 7))
        lp = random_emissions(rng, T, 3)
        np.testing.assert_allclose(build_trellis(lp, tokens, 0), brute_trellis(lp, tokens), 1e-5)


def test_reachable_cells_form_a_staircase() -> None:
    # Token j (with r adjacent repeats before it) cannot be reached before frame j + r.
    rng = np.random.default_rng(5)
    tokens = [1, 1, 2, 3, 3, 3, 4]
    lp = random_emissions(rng, 20, 5)
    tr = build_trellis(lp, tokens, blank=0)
    for j in range(len(tokens)):
        earliest = min_frames_needed(tokens[: j + 1]) - 1
        assert np.all(np.isneginf(tr[:earliest, j]))
        assert np.all(np.isfinite(tr[earliest:, j]))


def test_forced_path_runs_along_finite_cells_and_ends_at_its_score() -> None:
    rng = np.random.default_rng(8)
    for _ in range(20):
        tokens = rng.integers(1, 6, int(rng.integers(1, 15))).tolist()
        T = min_frames_needed(tokens) + int(rng.integers(0, 30))
        lp = random_emissions(rng, T, 7)
        tr = build_trellis(lp, tokens, blank=0)
        path = forced_align(lp, tokens, blank=0)
        assert float(tr[-1, -1]) == pytest.approx(path.score, rel=1e-6, abs=1e-5)
        frames, pos = path_cells(path)
        assert np.array_equal(frames, np.arange(T))
        assert np.all(np.diff(pos) >= 0) and pos[-1] == len(tokens) - 1
        prefix = np.cumsum(path.frame_scores.astype(np.float64))
        on = pos >= 0
        assert np.all(np.isfinite(tr[frames[on], pos[on]]))
        assert np.all(prefix[on] <= tr[frames[on], pos[on]] + 1e-4)


def test_path_cells_of_a_hand_built_path() -> None:
    lp = np.full((7, 4), -20.0, dtype=np.float32)
    for t, lab in enumerate([0, 1, 1, 0, 2, 0, 3]):
        lp[t, lab] = 0.0
    path = forced_align(lp, [1, 2, 3], blank=0)
    _, pos = path_cells(path)
    assert pos.tolist() == [-1, 0, 0, 0, 1, 1, 2]


def test_window_is_a_slice_of_the_whole() -> None:
    rng = np.random.default_rng(2)
    tokens = rng.integers(1, 9, 40).tolist()
    lp = random_emissions(rng, 120, 10)
    whole = build_trellis(lp, tokens, blank=0)
    win = trellis_window(lp, tokens, 0, (30, 75), (5, 22))
    assert win.shape == (45, 17)
    np.testing.assert_array_equal(win, whole[30:75, 5:22])
    assert trellis_window(lp, tokens, 0, (10, 10), (0, 40)).shape == (0, 40)
    with pytest.raises(ValueError, match="outside"):
        trellis_window(lp, tokens, 0, (0, 121), (0, 40))
