"""The multi-voice phone recipe runs end to end on a handful of utterances, and its scoring."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aligner_gui.core.alignment.pipeline import align_audio
from aligner_gui.core.io.audio import Audio
from aligner_gui.core.models.model import load_model, read_checkpoint
from aligner_gui.core.pronunciation.phone_sets import is_phone_model
from aligner_gui.demo import espeak, flite, phone_eval, train_voices, voices
from aligner_gui.demo.phone_eval import BoundaryScore, score_boundaries

needs_engines = pytest.mark.skipif(
    not (espeak.espeak_available() and flite.flite_available()),
    reason="needs libespeak-ng and libflite",
)


@needs_engines
def test_a_few_training_steps_write_a_loadable_phone_checkpoint(
    tmp_path: Path, one_torch_thread: None
) -> None:
    out = tmp_path / "phones.pt"
    args = train_voices.parse_args(
        ["--out", str(out), "--utterances", "8", "--dev-utterances", "2", "--steps", "2",
         "--batch-seconds", "5", "--cache", str(tmp_path / "cache")]
    )  # fmt: skip
    figures = train_voices.train(args)
    assert figures["steps"] == 2 and np.isfinite(figures["loss"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "phones.pt"]  # no temp files
    assert read_checkpoint(out)["label_kind"] == "phones"
    model = load_model(out, "cpu")
    assert model.labels == train_voices.PHONE_LABELS and is_phone_model(model.labels.labels)
    assert model.frame_stride == 320
    assert out.stat().st_size < 20e6

    # The benchmark's path: the app's pipeline with a dictionary of Flite's pronunciations gives
    # words and phones tiers (an untrained model: the phones, not their times, are checked).
    speech = flite.synthesize("Mary rolled the barrel.", "slt")
    audio = Audio(speech.samples, 16000, None, 16000, 1, None)
    words = [w.text for w in speech.words]
    result = align_audio(
        audio, " ".join(words), model, dictionary=phone_eval.flite_dictionary(words)
    )
    assert [w.label for w in result.words] == ["Mary", "rolled", "the", "barrel"]
    assert [p.label for p in result.phones] == [p.phone for p in speech.phones()]


@needs_engines
def test_a_cached_set_is_reused_and_identical(tmp_path: Path) -> None:
    from aligner_gui.demo import corpus

    requests = voices.make_requests("train", 5, 3, corpus.load_vocabulary(), ("espeak-ng", "flite"))
    first = train_voices.build_phone_set(requests, tmp_path)
    again = train_voices.build_phone_set(requests, tmp_path)
    assert len(list(tmp_path.iterdir())) == 1
    assert np.array_equal(first.audio, again.audio) and first.names == again.names
    assert (first.words, first.word_sizes) == (again.words, again.word_sizes)
    assert [sum(sizes) for sizes in first.word_sizes] == [len(t) for t in first.targets]
    assert all(np.array_equal(a, b) for a, b in zip(first.targets, again.targets, strict=True))


def test_targets_are_the_phones_in_order_without_a_delimiter() -> None:
    ids = train_voices.target_ids([["h", "aɪ"], ["j", "u"]])
    labels = train_voices.PHONE_LABELS.labels
    assert [labels[i] for i in ids] == ["h", "aɪ", "j", "u"]
    assert train_voices.PHONE_LABELS.word_delimiter is None


def test_each_frame_is_taught_the_phone_at_its_midpoint_and_blank_in_pauses() -> None:
    index = train_voices.PHONE_LABELS.index
    # "hi" then a pause then "you": frames of 20 ms, midpoints 10, 30, 50... ms.
    spans = np.array([[0.02, 0.06, index("h")], [0.06, 0.12, index("aɪ")],
                      [0.16, 0.20, index("j")], [0.20, 0.25, index("u")]])  # fmt: skip
    labels = train_voices.PHONE_LABELS.labels
    got = [labels[i] for i in train_voices.frame_targets(spans, 1.0, 14, 0.02)]
    assert got == ["-", "h", "h", "aɪ", "aɪ", "aɪ", "-", "-", "j", "j", "u", "u", "-", "-"]
    # Played 2x faster (times x 0.5): the same phones in half the frames.
    fast = [labels[i] for i in train_voices.frame_targets(spans, 0.5, 7, 0.02)]
    assert fast == ["h", "aɪ", "aɪ", "-", "j", "u", "-"]


def test_over_segmenting_raises_recall_but_not_f1() -> None:
    gold = np.array([0.10, 0.25, 0.40, 0.62])
    exact = score_boundaries(gold, gold + 0.005)
    assert (exact.precision, exact.recall, exact.f1) == (1.0, 1.0, 1.0)
    dense = score_boundaries(gold, np.arange(0.0, 0.7, 0.01))
    assert dense.recall == 1.0 and dense.precision < 0.1 and dense.f1 < 0.15
    assert np.allclose(dense.distances, 0.0)
    shifted = score_boundaries(gold, gold + 0.03)
    assert shifted.matched == 0 and np.allclose(shifted.distances, 0.03)
    assert BoundaryScore(np.zeros(0), 0, 0, 0).f1 == 0.0


def test_closing_gaps_inside_words_keeps_word_edges() -> None:
    spans = [(0.10, 0.15, 0), (0.19, 0.30, 0), (0.40, 0.50, 1), (0.52, 0.60, 1)]
    closed = np.asarray(phone_eval.closed_spans(spans))
    assert np.allclose(closed, [(0.10, 0.17), (0.17, 0.30), (0.40, 0.51), (0.51, 0.60)])
