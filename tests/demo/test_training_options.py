"""The two demo recipes share their options and when a run stops, each with its own defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from aligner_gui.demo import train, train_voices


def test_each_recipe_keeps_its_own_defaults_and_the_phone_recipe_its_extra_options() -> None:
    letters = train.parse_args([])
    phones = train_voices.parse_args([])
    assert (letters.out, letters.steps, letters.lr) == (Path("resources/demo_model.pt"), 3200, 2e-3)
    assert (phones.out, phones.steps, phones.lr) == (Path("resources/demo_phones.pt"), 4500, 1.5e-3)
    assert (letters.max_minutes, phones.max_minutes) == (40.0, 100.0)
    assert (phones.dev_utterances, phones.augment_ramp) == (60, 600)
    assert not hasattr(letters, "augment_ramp")
    assert train_voices.parse_args(["--stop-at", "7"]).stop_at == 7


@pytest.mark.parametrize(
    ("options", "step", "minutes", "stops", "logged"),
    [
        ([], 10, 1.0, False, ""),
        (["--steps", "10"], 10, 1.0, True, ""),
        (["--stop-at", "5"], 5, 1.0, True, "as asked (--stop-at)"),
        (["--stop-at", "5"], 4, 1.0, False, ""),
        (["--max-minutes", "2"], 3, 2.5, True, "--max-minutes 2 reached"),
    ],
)
def test_a_run_stops_at_its_steps_its_stop_at_or_its_safety_stop_and_says_which(
    options: list[str],
    step: int,
    minutes: float,
    stops: bool,
    logged: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    args = train.parse_args(options)
    with caplog.at_level("INFO", logger="aligner_gui.demo.train"):
        assert train.should_stop(args, step, minutes) is stops
    assert (logged in caplog.text) if logged else not caplog.text


def test_held_out_reading_is_deterministic_log_probabilities_and_training_resumes() -> None:
    import numpy as np

    model, _ = train.new_model(train.MODEL_CONFIG, 1e-3)
    model.train()
    audio = [np.random.default_rng(0).standard_normal(16000).astype(np.float32)]
    first = train.held_out_log_probs(model, audio)
    again = train.held_out_log_probs(model, audio)
    assert model.training  # left as the training loop needs it
    np.testing.assert_array_equal(first[0], again[0])  # no dropout while reading
    np.testing.assert_allclose(np.exp(first[0]).sum(axis=1), 1.0, rtol=1e-4)
