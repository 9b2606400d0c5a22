"""The forced CTC path: exact hand-built cases, brute force, torchaudio agreement, bounded memory."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
import torchaudio.functional as taf

from aligner_gui.core.alignment.viterbi import (
    ForcedPath,
    bounded_forced_align,
    forced_align,
    min_frames_needed,
)
from aligner_gui.core.base.errors import AlignmentError, Cancelled


def peaked(frame_labels: list[int], num_labels: int, low: float = -20.0) -> np.ndarray:
    """Emissions where frame t is almost surely ``frame_labels[t]`` (others at ``low`` logits)."""
    logits = np.full((len(frame_labels), num_labels), low, dtype=np.float64)
    logits[np.arange(len(frame_labels)), frame_labels] = 0.0
    return torch.log_softmax(torch.from_numpy(logits), dim=-1).numpy().astype(np.float32)


def random_emissions(rng: np.random.Generator, T: int, C: int) -> np.ndarray:
    logits = rng.standard_normal((T, C)) * rng.uniform(0.5, 4.0)
    return torch.log_softmax(torch.from_numpy(logits), dim=-1).numpy().astype(np.float32)


def path_score(log_probs: np.ndarray, labels: np.ndarray) -> float:
    return float(log_probs[np.arange(len(labels)), labels].astype(np.float64).sum())


def all_paths(T: int, tokens: list[int]) -> list[list[int]]:
    """Every complete CTC state sequence of T frames (brute force, tiny inputs only)."""
    S = 2 * len(tokens) + 1
    ext = [0 if s % 2 == 0 else tokens[s // 2] for s in range(S)]
    out: list[list[int]] = []

    def extend(seq: list[int]) -> None:
        if len(seq) == T:
            if seq[-1] >= S - 2:
                out.append(seq)
            return
        s = seq[-1]
        nxt = [s, s + 1]
        if s + 2 < S and (s + 2) % 2 == 1 and ext[s + 2] != ext[s]:
            nxt.append(s + 2)
        for n in nxt:
            if n < S:
                extend([*seq, n])

    for first in (0, 1):
        extend([first])
    return out


def test_min_frames_needed_counts_adjacent_repeats() -> None:
    assert min_frames_needed([]) == 0
    assert min_frames_needed([5]) == 1
    assert min_frames_needed([1, 2, 1]) == 3
    assert min_frames_needed([3, 3]) == 3
    assert min_frames_needed([1, 1, 1, 2, 2]) == 8


def test_hand_built_alignment_is_exact() -> None:
    frames = [0, 1, 1, 0, 2, 3, 3, 0]
    lp = peaked(frames, num_labels=5)
    path = forced_align(lp, [1, 2, 3], blank=0)
    assert isinstance(path, ForcedPath)
    assert path.labels.dtype == np.int32 and path.token_index.dtype == np.int32
    assert path.frame_scores.dtype == np.float32
    assert path.labels.tolist() == frames
    assert path.token_index.tolist() == [-1, 0, 0, -1, 1, 2, 2, -1]
    np.testing.assert_allclose(path.frame_scores, lp[np.arange(8), frames])
    assert path.score == pytest.approx(path_score(lp, np.array(frames)), abs=1e-9)
    assert path.score > -1e-5


def test_repeated_characters_are_separated_by_a_blank() -> None:
    # The emissions say "L" four times; CTC cannot read that as "LL" without a blank.
    lp = peaked([3, 3, 3, 3], num_labels=5)
    path = forced_align(lp, [3, 3], blank=0)
    idx = path.token_index.tolist()
    assert idx in ([0, -1, 1, 1], [0, 0, -1, 1])
    assert path.labels.tolist().count(0) == 1
    assert path.score == pytest.approx(-20.0, abs=1e-3)


def test_exactly_enough_frames_is_feasible_and_one_fewer_raises() -> None:
    tokens = [3, 3, 4]
    n = min_frames_needed(tokens)
    assert n == 4
    lp = peaked([1] * n, num_labels=5)  # emissions that agree with nothing
    path = forced_align(lp, tokens, blank=0)
    assert path.labels.tolist() == [3, 0, 3, 4]
    assert path.token_index.tolist() == [0, -1, 1, 2]
    with pytest.raises(AlignmentError, match=r"at least 4 frames.*only 3"):
        forced_align(lp[:3], tokens, blank=0)
    with pytest.raises(AlignmentError, match=r"at least 4 frames.*only 3"):
        bounded_forced_align(lp[:3], tokens, blank=0, max_cells=1)


def test_empty_transcript_raises() -> None:
    with pytest.raises(AlignmentError, match="no characters"):
        forced_align(peaked([0, 0], 3), [], blank=0)


def test_impossible_and_invalid_emissions_raise() -> None:
    lp = peaked([0, 1, 0], num_labels=4)
    lp[:, 2] = -np.inf  # token 2 can never be emitted
    with pytest.raises(AlignmentError, match="zero probability"):
        forced_align(lp, [1, 2], blank=0)
    lp = peaked([0, 1, 0], num_labels=4)
    lp[1, 3] = np.nan
    with pytest.raises(AlignmentError, match="NaN"):
        forced_align(lp, [1], blank=0)


def test_bad_tokens_are_programming_errors() -> None:
    lp = peaked([0, 1, 0], num_labels=4)
    with pytest.raises(ValueError, match="blank"):
        forced_align(lp, [1, 0], blank=0)
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        forced_align(lp, [4], blank=0)


def test_matches_brute_force_on_tiny_inputs() -> None:
    rng = np.random.default_rng(7)
    for _ in range(40):
        L = int(rng.integers(1, 4))
        tokens = rng.integers(1, 3, L).tolist()
        T = min_frames_needed(tokens) + int(rng.integers(0, 3))
        lp = random_emissions(rng, T, 3)
        ext = [0 if s % 2 == 0 else tokens[s // 2] for s in range(2 * L + 1)]
        best = max(path_score(lp, np.array([ext[s] for s in seq])) for seq in all_paths(T, tokens))
        path = forced_align(lp, tokens, blank=0)
        assert path.score == pytest.approx(best, abs=1e-6)


def test_agrees_with_torchaudio_on_random_emissions() -> None:
    rng = np.random.default_rng(20240611)
    same_labels = 0
    for case in range(240):
        C = int(rng.integers(3, 12))
        L = int(rng.integers(1, 30))
        # A small alphabet per case makes adjacent repeats common.
        tokens = rng.integers(1, min(C, int(rng.integers(2, 6))), L).tolist()
        need = min_frames_needed(tokens)
        T = need + (0 if case % 10 == 0 else int(rng.integers(0, 3 * L + 5)))
        lp = random_emissions(rng, T, C)
        ours = forced_align(lp, tokens, blank=0)
        ref, _ = taf.forced_align(
            torch.from_numpy(lp)[None], torch.tensor([tokens], dtype=torch.int32), blank=0
        )
        ref_labels = ref[0].numpy()
        # Our path is a valid CTC path for `tokens` ...
        occupied = ours.token_index >= 0
        assert np.array_equal(ours.labels[occupied], np.array(tokens)[ours.token_index[occupied]])
        assert np.all(ours.labels[~occupied] == 0)
        assert np.all(np.diff(np.maximum.accumulate(ours.token_index)) >= 0)
        # ... and as good as torchaudio's, identical unless the two are tied.
        if np.array_equal(ours.labels, ref_labels):
            same_labels += 1
        else:
            assert ours.score == pytest.approx(path_score(lp, ref_labels), abs=1e-4)
        assert ours.score >= path_score(lp, ref_labels) - 1e-4
    assert same_labels >= 230


@pytest.mark.parametrize("max_cells", [1, 7, 40, 333])
def test_bounded_equals_full_path(max_cells: int) -> None:
    rng = np.random.default_rng(max_cells)
    for _ in range(25):
        C = int(rng.integers(3, 9))
        L = int(rng.integers(1, 25))
        tokens = rng.integers(1, min(C, 4), L).tolist()
        T = min_frames_needed(tokens) + int(rng.integers(0, 60))
        lp = random_emissions(rng, T, C)
        full = forced_align(lp, tokens, blank=0)
        bounded = bounded_forced_align(lp, tokens, blank=0, max_cells=max_cells)
        assert np.array_equal(full.labels, bounded.labels)
        assert np.array_equal(full.token_index, bounded.token_index)
        assert bounded.score == full.score


def test_bounded_on_a_longer_input_reports_progress_per_block() -> None:
    rng = np.random.default_rng(3)
    tokens = rng.integers(1, 29, 300).tolist()
    lp = random_emissions(rng, 1500, 29)
    reports: list[tuple[str, float]] = []
    S = 2 * len(tokens) + 1
    bounded = bounded_forced_align(
        lp, tokens, blank=0, max_cells=50 * S, progress=lambda s, f: reports.append((s, f))
    )
    full = forced_align(lp, tokens, blank=0)
    assert np.array_equal(full.labels, bounded.labels)
    # Blocks of min(isqrt(8 * 1500), 50) = 50 frames: 30 forward and 30 backward reports.
    assert len(reports) == 60
    fractions = [f for _, f in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert {s for s, _ in reports} == {"Aligning"}


def test_bounded_honours_cancel() -> None:
    rng = np.random.default_rng(4)
    lp = random_emissions(rng, 200, 6)
    cancel = threading.Event()
    calls: list[float] = []

    def progress(stage: str, fraction: float) -> None:
        calls.append(fraction)
        if len(calls) == 3:
            cancel.set()

    with pytest.raises(Cancelled):
        bounded_forced_align(lp, [1, 2, 3], 0, max_cells=70, progress=progress, cancel=cancel)
    assert len(calls) == 3
    cancel.set()
    with pytest.raises(Cancelled):
        bounded_forced_align(lp, [1, 2, 3], 0, cancel=cancel)  # small: the one-pass route
