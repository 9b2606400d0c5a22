"""Long-file alignment: the banded path equals the full Viterbi, widens when it must, and stays
within its band, progress and cancel contracts."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from aligner_gui.core.alignment import long_align
from aligner_gui.core.alignment.anchors import find_anchors, greedy_labels
from aligner_gui.core.alignment.long_align import long_forced_align, long_forced_align_report
from aligner_gui.core.alignment.viterbi import ForcedPath, forced_align
from aligner_gui.core.base.errors import AlignmentError, Cancelled
from aligner_gui.core.base.labels import MMS_FA_LABELS

from ctc_synth import noise_emissions, sentence, speak, vocabulary

VOCAB = vocabulary(np.random.default_rng(0))


def spoken(seed: int, n_words: int, **kwargs: float):
    rng = np.random.default_rng(seed)
    return speak(rng, sentence(rng, VOCAB, n_words), **kwargs)


def assert_valid_path(path: ForcedPath, tokens: list[int] | tuple[int, ...], blank: int) -> None:
    occupied = path.token_index >= 0
    assert np.array_equal(path.labels[occupied], np.asarray(tokens)[path.token_index[occupied]])
    assert np.all(path.labels[~occupied] == blank)
    seen = np.unique(path.token_index[occupied])
    assert np.array_equal(seen, np.arange(len(tokens)))
    assert np.all(np.diff(path.token_index[occupied]) >= 0)


def assert_same_as_full(path: ForcedPath, full: ForcedPath) -> None:
    if np.array_equal(path.labels, full.labels):
        assert np.array_equal(path.token_index, full.token_index)
    else:  # a tie: another path of exactly the same score
        assert path.score == pytest.approx(full.score, abs=1e-9)


@pytest.mark.parametrize(
    ("seed", "n_words"),
    [
        (1, 150),
        (2, 400),
        (3, 400),
        (4, 900),
        (
            5,
            900,
        ),
    ],
)
def test_banded_path_equals_full_viterbi_on_peaky_emissions(seed: int, n_words: int) -> None:
    sp = spoken(seed, n_words, noise=1.0 + seed % 2, confusion=0.02 * seed)
    tokens = sp.tokenized.tokens
    path, report = long_forced_align_report(sp.log_probs, tokens, 0, exact_states=0)
    full = forced_align(sp.log_probs, tokens, 0)
    assert report.method == "banded"
    assert report.anchors > len(tokens) // 10
    # The band is a thin strip of the lattice, which is what makes an hour affordable.
    assert report.band_cells < 0.2 * sp.num_frames * (2 * len(tokens) + 1)
    assert report.unverified == ()
    assert np.array_equal(path.labels, full.labels)
    assert np.array_equal(path.token_index, full.token_index)
    assert path.score == full.score  # bit-identical float64 sums
    assert np.array_equal(path.frame_scores, full.frame_scores)


@pytest.mark.parametrize("seed", [6, 7, 8])
def test_band_widens_where_it_binds_and_still_finds_the_full_path(seed: int) -> None:
    sp = spoken(seed, 300, noise=2.0, confusion=0.1)
    tokens = sp.tokenized.tokens
    path, report = long_forced_align_report(
        sp.log_probs, tokens, 0, exact_states=0, margin_frames=0, margin_tokens=0, guard=2
    )
    assert report.passes >= 2  # no margins: the first band binds somewhere
    assert report.unverified == ()
    assert_same_as_full(path, forced_align(sp.log_probs, tokens, 0))


@pytest.mark.parametrize("shift", [150, 400, 800])
def test_misleading_anchors_are_caught_and_corrected(
    monkeypatch: pytest.MonkeyPatch, shift: int
) -> None:
    sp = spoken(9, 400)
    tokens = sp.tokenized.tokens
    frames, positions = find_anchors(sp.log_probs, tokens, 0)
    # Warp the middle third of the anchors up to `shift` frames late: still increasing, so a
    # plausible guide, but it drags the band far off the true path.
    a, b = frames[len(frames) // 3], frames[2 * len(frames) // 3]
    inside = (frames > a) & (frames < b)
    bump = np.sin(np.pi * (frames[inside] - a) / (b - a))
    warped = frames.copy()
    warped[inside] += np.round(shift * bump).astype(np.int64)
    assert np.all(np.diff(warped) >= 0)
    monkeypatch.setattr(long_align, "find_anchors", lambda *args, **kw: (warped, positions))
    path, report = long_forced_align_report(sp.log_probs, tokens, 0, exact_states=0)
    assert report.passes >= 2
    assert report.unverified == ()
    assert_same_as_full(path, forced_align(sp.log_probs, tokens, 0))


def test_without_stored_backpointers_the_path_is_the_same() -> None:
    sp = spoken(10, 300)
    tokens = sp.tokenized.tokens
    stored = long_forced_align(sp.log_probs, tokens, 0, exact_states=0)
    recomputed = long_forced_align(sp.log_probs, tokens, 0, exact_states=0, max_cells=1000)
    assert np.array_equal(stored.labels, recomputed.labels)
    assert stored.score == recomputed.score


def test_noise_emissions_exact_with_a_full_band_and_flagged_when_capped() -> None:
    """Flat emissions carry no anchors; the band then follows the diagonal. Measured (recorded in
    benchmarks/engine.md): capped at 256 of 1,401 states, 1 of 30 such inputs ends 1.0 nat
    below the optimum, and every capped run on noise is reported unverified."""
    for seed in range(3):
        rng = np.random.default_rng(100 + seed)
        tokens = rng.integers(1, 29, 700).tolist()
        for scale in (0.5, 5.0):
            lp = noise_emissions(rng, 3000, 29, scale)
            full = forced_align(lp, tokens, 0)
            wide, report = long_forced_align_report(lp, tokens, 0, exact_states=0)
            assert report.anchors == 0
            assert report.max_width == 2 * len(tokens) + 1  # the cap exceeds S: the whole lattice
            assert_same_as_full(wide, full)
            capped, report = long_forced_align_report(lp, tokens, 0, exact_states=0, max_band=256)
            assert report.max_width <= 256 + 3
            assert_valid_path(capped, tokens, 0)
            assert capped.score <= full.score + 1e-9
            assert report.unverified, "a capped band on noise must not pass as verified"


def test_small_inputs_take_the_exact_route() -> None:
    sp = spoken(11, 20)
    tokens = sp.tokenized.tokens
    path, report = long_forced_align_report(sp.log_probs, tokens, 0)
    assert report.method == "exact"
    assert report.band_cells == sp.num_frames * (2 * len(tokens) + 1)
    assert np.array_equal(path.labels, forced_align(sp.log_probs, tokens, 0).labels)


def test_errors_are_those_of_the_full_viterbi() -> None:
    sp = spoken(12, 200)
    tokens = list(sp.tokenized.tokens)
    lp = sp.log_probs
    with pytest.raises(AlignmentError, match=r"at least \d+ frames.*only 100"):
        long_forced_align(lp[:100], tokens, 0, exact_states=0)
    with pytest.raises(AlignmentError, match="no characters"):
        long_forced_align(lp, [], 0)
    bad = lp.copy()
    bad[5, 3] = np.nan
    with pytest.raises(AlignmentError, match="NaN"):
        long_forced_align(bad, tokens, 0, exact_states=0)
    impossible = lp.copy()
    impossible[:, tokens[len(tokens) // 2]] = -np.inf  # one letter can never be emitted
    with pytest.raises(AlignmentError, match="zero probability"):
        long_forced_align(impossible, tokens, 0, exact_states=0, max_passes=3)


def test_a_band_that_holds_no_path_falls_back_to_the_exact_viterbi() -> None:
    rng = np.random.default_rng(17)
    tokens = rng.integers(1, 28, 700).tolist()
    tokens[600] = 28  # the only token with label 28 ...
    lp = noise_emissions(rng, 3000, 29, 1.0)
    lp[:, 28] = -np.inf
    lp[650, 28] = -0.1  # ... can only be emitted at frame 650, far before the diagonal's ~2,570
    path, report = long_forced_align_report(lp, tokens, 0, exact_states=0, max_band=64)
    assert report.method == "exact" and report.passes >= 2
    assert path.token_index[650] == 600
    assert_same_as_full(path, forced_align(lp, tokens, 0))


def test_progress_is_monotone_and_cancel_stops_between_chunks() -> None:
    sp = spoken(13, 800)
    tokens = sp.tokenized.tokens
    reports: list[tuple[str, float]] = []
    long_forced_align(
        sp.log_probs, tokens, 0, exact_states=0, progress=lambda s, f: reports.append((s, f))
    )
    fractions = [f for _, f in reports]
    assert {s for s, _ in reports} == {"Aligning"}
    assert len(fractions) >= 5
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and fractions[0] < 0.5

    cancel = threading.Event()
    seen: list[float] = []

    def stop_early(stage: str, fraction: float) -> None:
        seen.append(fraction)
        cancel.set()

    with pytest.raises(Cancelled):
        long_forced_align(
            sp.log_probs, tokens, 0, exact_states=0, progress=stop_early, cancel=cancel
        )
    assert len(seen) == 1 and seen[0] < 0.5


def test_anchors_sit_on_the_true_token_frames() -> None:
    sp = spoken(14, 600)
    tokens = sp.tokenized.tokens
    frames, positions = find_anchors(sp.log_probs, tokens, 0)
    assert frames.size > len(tokens) // 2
    assert np.all(np.diff(frames) > 0) and np.all(np.diff(positions) > 0)
    true_start = sp.token_frames[positions, 0]
    assert np.mean(frames == true_start) > 0.98


def test_greedy_reading_ignores_the_star_column() -> None:
    # MMS_FA appends a log-probability 0 star column, which would win every frame's argmax.
    rng = np.random.default_rng(15)
    words = [
        "".join(rng.choice(list("aeinotusr"), size=int(rng.integers(2, 7)))) for _ in range(200)
    ]
    sp = speak(rng, words, MMS_FA_LABELS)
    lp = sp.log_probs.copy()
    lp[:, MMS_FA_LABELS.star] = 0.0
    assert np.all(greedy_labels(lp) == MMS_FA_LABELS.star)
    without_star = np.argmax(sp.log_probs[:, : MMS_FA_LABELS.star], axis=1)
    assert np.array_equal(greedy_labels(lp, MMS_FA_LABELS.star), without_star)
    tokens = sp.tokenized.tokens
    with_star, report = long_forced_align_report(
        lp, tokens, 0, star=MMS_FA_LABELS.star, exact_states=0
    )
    assert report.anchors > len(tokens) // 4
    assert np.array_equal(with_star.labels, forced_align(lp, tokens, 0).labels)


def test_ten_minutes_in_a_narrow_band_put_every_token_where_it_was_spoken() -> None:
    sp = spoken(16, 2300)  # ~10 minutes of frames at ~14 characters per second
    tokens = sp.tokenized.tokens
    assert sp.num_frames > 30_000
    path, report = long_forced_align_report(sp.log_probs, tokens, 0)
    assert report.method == "banded" and report.passes == 1
    assert report.band_cells / sp.num_frames < 300  # states per frame, of ~2 * 8,000
    occupied = np.flatnonzero(path.token_index >= 0)
    first = np.full(len(tokens), -1)
    first[path.token_index[occupied][::-1]] = occupied[::-1]
    assert np.mean(first == sp.token_frames[:, 0]) > 0.99
    assert np.max(np.abs(first - sp.token_frames[:, 0])) <= 3
