"""The review queue's per-word figures from real alignments of synthetic CTC emissions: speech
the transcript leaves out shows as *unclaimed* letters beside where it was."""

from __future__ import annotations

import numpy as np
import pytest

from aligner_gui.core.alignment.pipeline import AlignmentResult, align_emissions
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS as LABELS
from aligner_gui.core.base.timebase import TimeBase
from aligner_gui.core.corpus.database import WordRow
from aligner_gui.core.corpus.word_features import word_rows
from aligner_gui.core.io.audio import Audio
from aligner_gui.core.io.transcript import tokenize

from ctc_synth import Spoken, sentence, speak, vocabulary

TB = TimeBase(16000, 320)


def _rows(spoken: Spoken, transcript: list[str]) -> list[WordRow]:
    tok = tokenize(" ".join(transcript), LABELS)
    duration = spoken.num_frames * TB.frame_seconds
    path, words, chars = align_emissions(spoken.log_probs, tok, LABELS, TB, duration)
    audio = Audio(np.zeros(round(duration * 16000), np.float32), 16000, None, 16000, 1, None)
    result = AlignmentResult(audio, "synthetic", LABELS, TB, spoken.log_probs, tok, path, words,
                             chars, tok.warnings, ())  # fmt: skip
    return word_rows(result, "", 0)


@pytest.mark.parametrize("seed", range(4))
def test_a_deleted_word_leaves_unclaimed_speech_beside_its_place(seed: int) -> None:
    rng = np.random.default_rng(seed)
    vocab = [w for w in vocabulary(np.random.default_rng(0)) if len(w) >= 3]
    said = sentence(rng, vocab, 30)
    assert_deleting_word_15_leaves_unclaimed_speech_there(speak(rng, said), said)


def assert_deleting_word_15_leaves_unclaimed_speech_there(spoken: Spoken, said: list[str]) -> None:
    exact = _rows(spoken, said)
    deleted = _rows(spoken, said[:15] + said[16:])
    gone_start, gone_end = spoken.word_frames[15] * TB.frame_seconds
    worst = max(deleted, key=lambda w: w.unclaimed or 0.0)
    assert worst.unclaimed is not None
    # Far above what the right transcript leaves (the synthetic model's stray confusions) ...
    assert worst.unclaimed > max(10.0, 4 * max(w.unclaimed or 0.0 for w in exact))
    # ... and next to where the word was spoken.
    assert worst.start < gone_end + 0.7 and gone_start - 0.7 < worst.end


def _frame_classifier(rng: np.random.Generator, words: list[str]) -> Spoken:
    """Emissions of a frame classifier (as the built-in phone model): every frame of a sound
    carries its unit, 3-5 frames each; blank is silence, between sentences only."""
    tok = tokenize(" ".join(words), LABELS)
    holds = rng.integers(3, 6, size=len(tok.tokens))
    tokens = np.asarray(tok.tokens)
    holds[tokens == LABELS.delimiter_index] = 1
    frame_labels = np.concatenate([[LABELS.blank] * 10, np.repeat(tokens, holds),
                                   [LABELS.blank] * 10])  # fmt: skip
    ends = 10 + np.cumsum(holds)
    token_frames = np.stack([ends - holds, ends], axis=1)
    word_frames = np.array([(token_frames[np.flatnonzero(np.asarray(tok.token_word) == w)[0], 0],
                             token_frames[np.flatnonzero(np.asarray(tok.token_word) == w)[-1], 1])
                            for w in range(len(tok.words))])  # fmt: skip
    logits = rng.standard_normal((frame_labels.size, len(LABELS))) * 1.0
    logits[np.arange(frame_labels.size), frame_labels] += 8.0
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return Spoken(tok, frame_labels, token_frames, word_frames, log_probs.astype(np.float32))


@pytest.mark.parametrize("seed", range(4))
def test_an_unspoken_word_is_removable_and_denied_in_a_frame_classifier(seed: int) -> None:
    from aligner_gui.core.corpus.signals import denial_scores, is_frame_level

    rng = np.random.default_rng(seed)
    vocab = [w for w in vocabulary(np.random.default_rng(0)) if len(w) >= 3]
    said = sentence(rng, vocab, 30)
    spoken = _frame_classifier(rng, said)
    exact = _rows(spoken, said)
    assert is_frame_level(exact)
    # (Distinct letters: a doubled letter would need a blank between, and blank is silence.)
    extra = next(w for w in vocab if w not in said and len(set(w)) == len(w) >= 4)
    inserted = _rows(spoken, [*said[:15], extra, *said[15:]])
    # Squeezed in, the word takes frames that hold its neighbours' sounds: without it the path
    # gains; every spoken word (here or in the right transcript) would cost to remove.
    assert inserted[15].removable is not None and inserted[15].removable > 10.0
    others = [w.removable or 0.0 for i, w in enumerate(inserted) if i != 15]
    assert max(others + [w.removable or 0.0 for w in exact]) < 0.0
    denials = denial_scores(inserted)
    assert int(np.argmax([d or 0.0 for d in denials])) == 15


@pytest.mark.parametrize("seed", range(4))
def test_a_deleted_word_a_frame_classifier_stretches_over_is_unclaimed(seed: int) -> None:
    rng = np.random.default_rng(seed)
    vocab = [w for w in vocabulary(np.random.default_rng(0)) if len(w) >= 3]
    said = sentence(rng, vocab, 30)
    said[15] = next(w for w in vocab if len(w) >= 7)  # long enough to stretch a sound 5-fold
    assert_deleting_word_15_leaves_unclaimed_speech_there(_frame_classifier(rng, said), said)
