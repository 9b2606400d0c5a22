"""The review queue's per-word figures from real alignments of synthetic CTC emissions: speech
the transcript leaves out shows as *unclaimed* letters beside where it was."""

from __future__ import annotations

import numpy as np
import pytest

from aligner_gui.core.alignment.pipeline import AlignmentResult, align_emissions
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS as LABELS
from aligner_gui.core.base.timebase import TimeBase
from aligner_gui.core.corpus.align_file import word_rows
from aligner_gui.core.corpus.database import WordRow
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
    spoken = speak(rng, said)
    exact = _rows(spoken, said)
    deleted = _rows(spoken, said[:15] + said[16:])
    gone_start, gone_end = spoken.word_frames[15] * TB.frame_seconds
    worst = max(deleted, key=lambda w: w.unclaimed or 0.0)
    assert worst.unclaimed is not None
    # Far above what the right transcript leaves (the synthetic model's stray confusions) ...
    assert worst.unclaimed > max(10.0, 4 * max(w.unclaimed or 0.0 for w in exact))
    # ... and next to where the word was spoken.
    assert worst.start < gone_end + 0.7 and gone_start - 0.7 < worst.end
