"""Windowed emissions: exactness on the frame grid, seam tolerance, progress, cancel, memory."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import threading
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import torch

from aligner_gui.core.base.errors import AlignmentError, Cancelled
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS, LabelSet
from aligner_gui.core.models import emission as emission_module
from aligner_gui.core.models.emission import STAGE, compute_emissions, plan_windows
from aligner_gui.core.models.model import LoadedModel, load_model, save_checkpoint

from tiny_models import make_tiny_checkpoint, tiny_config, tiny_state_dict

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> LoadedModel:
    path = make_tiny_checkpoint(tmp_path_factory.mktemp("emission") / "tiny.pt", seed=5)
    return load_model(path, device="cpu")


@pytest.fixture(scope="module", params=["group_norm", "layer_norm"])
def local(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> LoadedModel:
    """No transformer layers: every frame depends only on samples within the conv receptive
    field plus 8 frames either side (positional conv, kernel 16) and, for group norm, on
    whole-recording statistics; so windows with enough context must reproduce the unwindowed
    pass exactly."""
    config = tiny_config(len(ENGLISH_ASR_LABELS), extractor_mode=request.param)
    config["encoder_num_layers"] = 0
    path = tmp_path_factory.mktemp("local") / "local.pt"
    save_checkpoint(path, config=config, state_dict=tiny_state_dict(config, seed=7),
                    labels=ENGLISH_ASR_LABELS.labels, blank=0, word_delimiter="|", star=None,
                    sample_rate=16000, name="local")  # fmt: skip
    return load_model(path, device="cpu")


def _noise(seconds: float, seed: int = 0, extra: int = 0) -> np.ndarray:
    count = int(seconds * 16000) + extra
    return (np.random.default_rng(seed).standard_normal(count) * 0.1).astype(np.float32)


def _unwindowed(model: LoadedModel, samples: np.ndarray) -> np.ndarray:
    with torch.inference_mode():
        logits = model.module(torch.from_numpy(samples)[None])[0][0]
    return torch.log_softmax(logits, dim=-1).numpy()


def test_short_audio_equals_the_unwindowed_pass(tiny: LoadedModel) -> None:
    x = _noise(4.0, extra=77)
    got = compute_emissions(tiny, x)
    assert got.dtype == np.float32
    assert got.shape == (tiny.num_frames(len(x)), 29) == (199, 29)
    np.testing.assert_allclose(got, _unwindowed(tiny, x), atol=1e-5, rtol=0)
    np.testing.assert_allclose(np.exp(got).sum(axis=1), 1.0, atol=1e-5)


def test_frames_tile_the_unwindowed_grid_exactly(
    local: LoadedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Loud and near-silent stretches, as in speech, so per-window statistics would differ; 30 s
    # also makes the group-norm statistics pass combine two chunks.
    x = _noise(30.0, seed=1, extra=123)
    x *= np.where(np.arange(len(x)) // 27_000 % 3 == 0, 2.0, 0.05).astype(np.float32)
    reference = _unwindowed(local, x)
    got = compute_emissions(local, x, window_seconds=3.0, context_seconds=0.2)  # 10 windows
    assert got.shape == reference.shape == (1500, 29)
    assert np.abs(got - reference).max() < 1e-4
    # Sensitivity checks: 5 frames of context are fewer than the positional conv's reach of 8,
    # and group norm needs whole-recording statistics.
    starved = compute_emissions(local, x, window_seconds=3.0, context_seconds=0.1)
    assert np.abs(starved - reference).max() > 0.01
    if local.module.feature_extractor.conv_layers[0].layer_norm.__class__ is torch.nn.GroupNorm:
        monkeypatch.setattr(
            emission_module, "_whole_recording_group_norm", lambda *a: contextlib.nullcontext()
        )
        per_window = compute_emissions(local, x, window_seconds=3.0, context_seconds=0.2)
        assert np.abs(per_window - reference).max() > 0.1


def test_seams_stay_within_a_small_tolerance(tiny: LoadedModel) -> None:
    # 75 s of noise in three windows of 25 s core + 2 s context. The random transformer attends
    # everywhere, so differences spread over all frames; measured: max |diff| 0.15, mean 0.07,
    # argmax agreement 99.0 % (stationary noise: per-window group-norm statistics do as well).
    x = _noise(75.0, seed=2)
    reference = _unwindowed(tiny, x)
    got = compute_emissions(tiny, x, window_seconds=30.0, context_seconds=2.0)
    assert got.shape == reference.shape == (3749, 29)
    difference = np.abs(got - reference)
    agreement = float(np.mean(got.argmax(axis=1) == reference.argmax(axis=1)))
    assert difference.max() < 0.3
    assert difference.mean() < 0.1
    assert agreement > 0.97


def test_whole_recording_normalisation(tiny: LoadedModel) -> None:
    normed = dataclasses.replace(tiny, waveform_norm_eps=1e-5)
    x = _noise(3.0, seed=3) * 0.2 + 0.05  # off-centre and quiet: normalisation matters
    expected = _unwindowed(tiny, ((x - x.mean()) / np.sqrt(x.var() + 1e-5)).astype(np.float32))
    got = compute_emissions(normed, x)
    np.testing.assert_allclose(got, expected, atol=1e-4, rtol=0)
    assert np.abs(got - compute_emissions(tiny, x)).max() > 0.1


def test_append_star_adds_a_zero_log_probability_column(tiny: LoadedModel) -> None:
    labels = LabelSet((*ENGLISH_ASR_LABELS.labels, "*"), blank=0, word_delimiter="|", star=29)
    starred = dataclasses.replace(tiny, labels=labels, append_star=True)
    x = _noise(1.0, seed=4)
    got = compute_emissions(starred, x)
    assert got.shape == (49, 30)
    assert np.all(got[:, 29] == 0.0)
    np.testing.assert_allclose(got[:, :29], compute_emissions(tiny, x), atol=1e-6)


def test_progress_is_monotone_and_reaches_one(tiny: LoadedModel) -> None:
    calls: list[tuple[str, float]] = []
    compute_emissions(tiny, _noise(10.0), window_seconds=2.0, context_seconds=0.5,
                      progress=lambda stage, fraction: calls.append((stage, fraction)))  # fmt: skip
    fractions = [fraction for _, fraction in calls]
    assert {stage for stage, _ in calls} == {STAGE} == {"Computing emissions"}
    assert len(fractions) == 1 + 5  # the start, then one per window
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(a < b for a, b in itertools.pairwise(fractions))


def test_cancel_stops_after_the_current_window(tiny: LoadedModel) -> None:
    cancel = threading.Event()
    fractions: list[float] = []

    def progress(stage: str, fraction: float) -> None:
        fractions.append(fraction)
        if len(fractions) == 3:  # the start and two windows are done
            cancel.set()

    with pytest.raises(Cancelled):
        compute_emissions(tiny, _noise(10.0), window_seconds=2.0, progress=progress, cancel=cancel)
    assert fractions == [0.0, 0.2, 0.4]

    fractions.clear()
    with pytest.raises(Cancelled):
        compute_emissions(
            tiny, _noise(1.0), progress=lambda s, f: fractions.append(f), cancel=cancel
        )
    assert fractions == [0.0]  # already cancelled: no window runs


def test_too_short_and_malformed_audio(tiny: LoadedModel) -> None:
    with pytest.raises(AlignmentError, match=r"too short for the model tiny-test: 399 samples"):
        compute_emissions(tiny, np.zeros(399, dtype=np.float32))
    assert compute_emissions(tiny, np.zeros(400, dtype=np.float32)).shape == (1, 29)
    with pytest.raises(AlignmentError, match=r"Expected mono audio .* shape \(2, 16000\)"):
        compute_emissions(tiny, np.zeros((2, 16000), dtype=np.float32))
    bad = _noise(2.0)
    bad[20000] = np.nan
    with pytest.raises(
        AlignmentError, match=r"invalid \(NaN or infinite\) samples between 0\.00 s"
    ):
        compute_emissions(tiny, bad)
    with pytest.raises(AlignmentError, match="floating-point samples"):
        compute_emissions(tiny, np.zeros(16000, dtype=np.int16))


def test_plan_windows_partition_the_frames() -> None:
    windows = plan_windows(3749, 1500, 100)
    assert windows == [(0, 0, 1250, 1350), (1150, 1250, 2499, 2599), (2399, 2499, 3749, 3749)]
    for total, core, context in [(1, 1500, 100), (1500, 1500, 0), (1501, 1500, 3), (10, 3, 50)]:
        windows = plan_windows(total, core, context)
        cores = [(start, end) for _, start, end, _ in windows]
        assert cores[0][0] == 0 and cores[-1][1] == total
        assert all(a[1] == b[0] for a, b in itertools.pairwise(cores))
        assert all(end - start <= core for start, end in cores)
        assert all(max(0, s - context) == f and min(total, e + context) == la
                   for f, s, e, la in windows)  # fmt: skip


def test_memory_does_not_grow_with_a_copy_of_the_recording(tiny: LoadedModel) -> None:
    # numpy allocations are traced (torch's are not); a full-length copy of these 150 s would
    # take 9.2 MB in float32. Measured: 0.5 MB beyond the output, 4.6 MB with normalisation.
    x = _noise(150.0, seed=6)
    normed = dataclasses.replace(tiny, waveform_norm_eps=1e-5)
    tracemalloc.start()
    try:
        out = compute_emissions(normed, x, window_seconds=30.0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.shape == (7499, 29)
    assert peak - out.nbytes < 7 * 2**20


@pytest.mark.corpus
def test_windowed_emissions_on_real_speech(
    corpus_dir: Path, tiny: LoadedModel, local: LoadedModel
) -> None:
    import soundfile

    # 26.7 s of spontaneous speech, 16 kHz mono 16-bit.
    samples, rate = soundfile.read(
        corpus_dir / "speech" / "mfa" / "acoustic_corpus.wav", dtype="float32"
    )
    assert (rate, samples.ndim) == (16000, 1)
    exact = compute_emissions(local, samples, window_seconds=5.0, context_seconds=0.5)
    assert np.abs(exact - _unwindowed(local, samples)).max() < 1e-4
    # Measured with 10 s windows: max |diff| 0.56, mean 0.23, argmax agreement 98.1 %; with
    # per-window group-norm statistics it was 6.0 / 1.36 / 88.5 %.
    reference = _unwindowed(tiny, samples)
    got = compute_emissions(tiny, samples, window_seconds=10.0, context_seconds=2.0)
    assert got.shape == reference.shape == (tiny.num_frames(len(samples)), 29) == (1335, 29)
    difference = np.abs(got - reference)
    assert difference.max() < 1.0
    assert difference.mean() < 0.35
    assert np.mean(got.argmax(axis=1) == reference.argmax(axis=1)) > 0.95
