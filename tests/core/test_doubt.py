"""Doubtful regions: mismatched audio and transcript are found where they are, clean input is not
flagged, and each threshold decides what its documentation says."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from aligner_gui.core.alignment.doubt import (
    KINDS,
    DoubtfulRegion,
    DoubtThresholds,
    clock,
    find_doubtful_regions,
)
from aligner_gui.core.alignment.pipeline import AlignmentResult, align_audio, align_emissions
from aligner_gui.core.alignment.segments import CharSegment, WordSegment
from aligner_gui.core.alignment.viterbi import ForcedPath
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS as LABELS
from aligner_gui.core.base.timebase import TimeBase
from aligner_gui.core.io.audio import Audio
from aligner_gui.core.io.transcript import tokenize

from ctc_synth import emissions, noise_emissions, sentence, speak, vocabulary

TB = TimeBase(16000, 320)
FRAME = TB.frame_seconds
VOCAB = vocabulary(np.random.default_rng(0))
OTHER = vocabulary(np.random.default_rng(99), 500)  # words the transcript never contains


def align(log_probs: np.ndarray, text: list[str]):
    tok = tokenize(" ".join(text), LABELS)
    path, words, chars = align_emissions(log_probs, tok, LABELS, TB, log_probs.shape[0] * FRAME)
    regions = find_doubtful_regions(words, chars, path, log_probs, LABELS, TB)
    return words, regions


def frames_of(words: list[WordSegment]) -> np.ndarray:
    return np.array([[round(w.start / FRAME), round(w.end / FRAME)] for w in words])


def iou(a: tuple[float, float], b: tuple[float, float]) -> float:
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def flagged_words(regions: list[DoubtfulRegion], n: int) -> np.ndarray:
    inside = np.zeros(n, dtype=bool)
    for r in regions:
        inside[r.words[0] : r.words[1]] = True
    return inside


def test_ten_minutes_of_matching_audio_raise_no_doubt() -> None:
    rng = np.random.default_rng(1)
    text = sentence(rng, VOCAB, 2300)
    sp = speak(rng, text)
    assert sp.num_frames * FRAME > 600
    words, regions = align(sp.log_probs, text)
    assert regions == []
    # ... and the alignment is right, so silence here means no doubt, not no detection.
    assert np.mean(np.abs(frames_of(words) - sp.word_frames).max(axis=1) <= 1) > 0.99


@pytest.mark.parametrize(("seed", "source"), [(2, "other"), (3, "other"), (4, "same")])
def test_speech_missing_from_the_transcript_is_untranscribed_audio(seed: int, source: str) -> None:
    """(a) ~20 s of extra speech in words the transcript never uses; (b) a 40-word paragraph
    spoken but left out of the transcript."""
    rng = np.random.default_rng(seed)
    a, b = sentence(rng, VOCAB, 250), sentence(rng, VOCAB, 250)
    extra = sentence(rng, OTHER if source == "other" else VOCAB, 45 if source == "other" else 40)
    sp = speak(rng, a + extra + b)
    truth = (sp.word_frames[len(a), 0] * FRAME, sp.word_frames[len(a) + len(extra) - 1, 1] * FRAME)
    assert 12 < truth[1] - truth[0] < 30
    reference, _ = align(sp.log_probs, a + extra + b)  # the same audio with its true transcript
    words, regions = align(sp.log_probs, a + b)

    assert [r.kind for r in regions] == ["untranscribed-audio"]
    (region,) = regions
    assert iou((region.start, region.end), truth) > 0.8
    assert region.words[0] <= len(a) <= region.words[1] <= len(a) + 6
    assert "is not in the transcript" in region.message
    # Words outside the region keep the boundaries the true transcript gives them.
    kept = np.concatenate(
        [frames_of(reference[: len(a)]), frames_of(reference[len(a) + len(extra) :])]
    )
    outside = ~flagged_words(regions, len(words))
    assert outside.sum() > 490
    assert np.abs(frames_of(words) - kept)[outside].max() <= 1


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_paragraph_never_spoken_is_unspoken_text(seed: int) -> None:
    """(c) 40 transcript words with no audio. The Viterbi squeezes them in and drags some
    neighbours along (genuinely misaligned, so flagged too): the paragraph is covered, the
    region is at most about twice its size, and nothing that drifted is left unflagged."""
    rng = np.random.default_rng(seed)
    a, b, missing = sentence(rng, VOCAB, 250), sentence(rng, VOCAB, 250), sentence(rng, VOCAB, 40)
    sp = speak(rng, a + b)
    reference, _ = align(sp.log_probs, a + b)
    words, regions = align(sp.log_probs, a + missing + b)

    assert regions and {r.kind for r in regions} == {"unspoken-text"}
    inside = flagged_words(regions, len(words))
    paragraph = np.zeros(len(words), dtype=bool)
    paragraph[len(a) : len(a) + len(missing)] = True
    assert (inside & paragraph).sum() / paragraph.sum() >= 0.9
    assert (inside & paragraph).sum() / (inside | paragraph).sum() >= 0.5
    junction = (reference[len(a) - 1].end + reference[len(a)].start) / 2
    assert any(r.start <= junction <= r.end for r in regions)
    assert all("not to be spoken" in r.message for r in regions)
    expected = np.concatenate(
        [
            frames_of(reference[: len(a)]),
            np.zeros((len(missing), 2), int),
            frames_of(reference[len(a) :]),
        ]
    )
    drift = np.abs(frames_of(words) - expected).max(axis=1) > 1
    assert not (drift & ~inside & ~paragraph).any()


def test_unreadable_audio_absorbed_by_neighbouring_words_is_long_word() -> None:
    rng = np.random.default_rng(8)
    a, b = sentence(rng, VOCAB, 200), sentence(rng, VOCAB, 200)
    first, second = speak(rng, a), speak(rng, b)
    gap = noise_emissions(rng, 1000, len(LABELS), scale=0.5)  # 20 s the model cannot read
    lp = np.concatenate([first.log_probs, gap, second.log_probs])
    truth = (first.num_frames * FRAME, (first.num_frames + 1000) * FRAME)
    words, regions = align(lp, a + b)
    kinds = [r.kind for r in regions]
    assert "long-word" in kinds and set(kinds) <= {"long-word", "low-score"}
    assert all("absorbed by the word" in r.message for r in regions if r.kind == "long-word")
    assert all(r.start > truth[0] - 3 and r.end < truth[1] + 3 for r in regions)
    covered = sum(max(0.0, min(r.end, truth[1]) - max(r.start, truth[0])) for r in regions)
    assert covered / (truth[1] - truth[0]) > 0.4
    # No word takes a second or more of the noise without being flagged.
    inside = flagged_words(regions, len(words))
    for i, w in enumerate(words):
        if min(w.end, truth[1]) - max(w.start, truth[0]) >= 1.0:
            assert inside[i], w


def test_a_weak_model_misreading_everywhere_is_not_taken_for_missing_text() -> None:
    rng = np.random.default_rng(9)
    text = sentence(rng, VOCAB, 700)
    sp = speak(rng, text, noise=3.0, confusion=0.3)  # a third of the frames misread
    tok = tokenize(" ".join(text), LABELS)
    path, words, chars = align_emissions(sp.log_probs, tok, LABELS, TB, sp.num_frames * FRAME)
    regions = find_doubtful_regions(words, chars, path, sp.log_probs, LABELS, TB)
    assert [r for r in regions if r.kind == "untranscribed-audio"] == []
    # Judged against the fixed density alone, the whole file would look untranscribed.
    fixed = DoubtThresholds(baseline_factor=0.0)
    regions = find_doubtful_regions(words, chars, path, sp.log_probs, LABELS, TB, thresholds=fixed)
    flagged = sum(r.end - r.start for r in regions if r.kind == "untranscribed-audio")
    assert flagged > 0.8 * sp.num_frames * FRAME


def test_audio_the_model_cannot_read_at_all_is_one_low_score_region() -> None:
    rng = np.random.default_rng(10)
    text = sentence(rng, VOCAB, 200)
    lp = noise_emissions(rng, 3000, len(LABELS), scale=2.0)
    words, regions = align(lp, text)
    assert [(r.kind, r.words) for r in regions] == [("low-score", (0, 200))]
    assert regions[0].start == words[0].start and regions[0].end == words[-1].end
    assert "fit the audio poorly" in regions[0].message


# --- thresholds on hand-made alignments -----------------------------------------------------------


def hand_made(
    spans: list[tuple[float, float, int]], *, score: float = 0.9, frames: int = 1500
) -> tuple[list[WordSegment], list[CharSegment], ForcedPath, np.ndarray]:
    """Words (start, end, characters) with evenly split characters, over frames the model
    confidently hears as silence, so only the word timing can raise doubts."""
    words, chars = [], []
    for i, (start, end, n) in enumerate(spans):
        first = len(chars)
        step = (end - start) / n
        chars += [
            CharSegment("E", start + k * step, start + (k + 1) * step, score, i) for k in range(n)
        ]
        words.append(WordSegment(f"w{i}", start, end, score, True, first, len(chars)))
    lp = emissions(np.random.default_rng(0), np.zeros(frames, dtype=np.int64), len(LABELS), 0)
    path = ForcedPath(np.zeros(frames, np.int32), np.full(frames, -1, np.int32), lp[:, 0].copy())
    return words, chars, path, lp


def typical(n: int, start: float) -> tuple[float, float, int]:
    return (start, start + 0.07 * n, n)  # 0.07 s per character: the file's typical rate


def test_long_word_thresholds() -> None:
    spans = [typical(4, 0.5 * i) for i in range(20)]  # 20 ordinary words set the typical rate
    spans += [
        (11.0, 13.0, 3),  # 2.0 s for 3 characters: long (over 1.5 s)
        (14.0, 15.4, 3),  # 1.4 s: under the 1.5 s floor
        (16.0, 19.0, 12),  # 3.0 s for 12 characters: under 4 x 12 x 0.07 = 3.36 s
        (20.0, 24.0, 12),  # 4.0 s for 12 characters: long
    ]
    words, chars, path, lp = hand_made(spans)
    # One character held 1.2 s inside an otherwise ordinary-length word of 20 characters.
    w = len(words)
    chars += [CharSegment("A", 26.0 + 0.05 * k, 26.0 + 0.05 * (k + 1), 0.9, w) for k in range(19)]
    chars.append(CharSegment("B", 27.0, 28.2, 0.9, w))
    words.append(WordSegment("held", 26.0, 28.2, 0.9, True, len(chars) - 20, len(chars)))
    regions = find_doubtful_regions(words, chars, path, lp, LABELS, TB)
    assert [(r.kind, r.words) for r in regions] == [
        ("long-word", (20, 21)),
        ("long-word", (23, 24)),
        ("long-word", (24, 25)),
    ]
    assert regions[0].message == "2.0 s absorbed by the word \u2018w20\u2019 (0:11.0\u20130:13.0)."
    assert "character \u2018B\u2019" in regions[2].message and "1.2 s" in regions[2].message
    relaxed = DoubtThresholds(long_word_seconds=2.5, long_char_seconds=2.0)
    regions = find_doubtful_regions(words, chars, path, lp, LABELS, TB, thresholds=relaxed)
    assert [r.words for r in regions] == [(23, 24)]


def test_poor_words_are_unspoken_when_squeezed_or_silent_and_low_score_otherwise() -> None:
    base = [typical(4, 0.5 * i) for i in range(10)]
    squeezed = [(5.0 + 0.1 * k, 5.0 + 0.1 * k + 4 * FRAME, 4) for k in range(4)]  # 1 frame/char
    spoken = [(8.0 + 0.35 * k, 8.0 + 0.35 * k + 0.28, 4) for k in range(4)]  # 3.5 frames/char
    for extra, silent, expected in (
        (squeezed, True, "unspoken-text"),
        (spoken, True, "unspoken-text"),  # the model hears silence where they are placed
        (spoken, False, "low-score"),  # the model hears something else
    ):
        words, chars, path, lp = hand_made(base)
        more, more_chars, _, _ = hand_made(extra, score=0.05)
        offset = len(chars)
        words += [
            WordSegment(
                w.label + "x",
                w.start,
                w.end,
                w.score,
                True,
                w.char_start + offset,
                w.char_end + offset,
            )
            for w in more
        ]
        chars += more_chars
        if not silent:  # confident letters, not blank, under the poor words
            labels = np.where(np.arange(lp.shape[0]) % 2 == 0, 0, 5)
            lp = emissions(np.random.default_rng(1), labels, len(LABELS), 0)
            path = ForcedPath(
                labels.astype(np.int32), path.token_index, lp[np.arange(lp.shape[0]), labels]
            )
        regions = find_doubtful_regions(words, chars, path, lp, LABELS, TB)
        # Unspoken text also takes in the word before it, which the squeeze pushes too.
        first = 9 if expected == "unspoken-text" else 10
        assert [(r.kind, r.words) for r in regions] == [(expected, (first, 14))]
        assert regions[0].start == words[first].start and regions[0].end == extra[-1][1]
    # Two poor words are not enough for a region; the minimum is a threshold.
    words, chars, path, lp = hand_made(base)
    two, two_chars, _, _ = hand_made([(20.0, 20.3, 4), (20.4, 20.7, 4)], score=0.05)
    words += [replace(w, char_start=w.char_start + 40, char_end=w.char_end + 40) for w in two]
    chars += two_chars
    assert find_doubtful_regions(words, chars, path, lp, LABELS, TB) == []
    lenient = DoubtThresholds(min_words=2)
    regions = find_doubtful_regions(words, chars, path, lp, LABELS, TB, thresholds=lenient)
    assert [(r.kind, r.words) for r in regions] == [("unspoken-text", (9, 12))]


def test_untranscribed_density_threshold() -> None:
    """Confident letters the path does not emit, at 1 in 20 frames (under the 0.1 density) and
    at 1 in 4 frames over 3 s, from 10 s on."""
    frames = 1500
    labels = np.zeros(frames, dtype=np.int64)
    labels[100:400:20] = 7  # sparse: 0.05
    labels[500:650:4] = 9  # dense: 0.25 between frames 500 and 650
    lp = emissions(np.random.default_rng(2), labels, len(LABELS), 0)
    words = [
        WordSegment("a", 0.0, 0.1, 0.9, True, 0, 1),
        WordSegment("b", 29.0, 29.1, 0.9, True, 1, 2),
    ]
    chars = [CharSegment("A", 0.0, 0.1, 0.9, 0), CharSegment("B", 29.0, 29.1, 0.9, 1)]
    path = ForcedPath(np.zeros(frames, np.int32), np.full(frames, -1, np.int32), lp[:, 0].copy())
    regions = find_doubtful_regions(words, chars, path, lp, LABELS, TB)
    assert [(r.kind, r.words) for r in regions] == [("untranscribed-audio", (1, 1))]
    assert regions[0].start == pytest.approx(500 * FRAME) and regions[0].end == pytest.approx(
        649 * FRAME
    )
    assert regions[0].message.endswith("(between the words \u2018a\u2019 and \u2018b\u2019).")
    # The path emitting those letters where they are heard explains them: no doubt.
    explained = ForcedPath(labels.astype(np.int32), path.token_index, path.frame_scores)
    assert find_doubtful_regions(words, chars, explained, lp, LABELS, TB) == []
    stricter = DoubtThresholds(untranscribed_density=0.3)
    assert find_doubtful_regions(words, chars, path, lp, LABELS, TB, thresholds=stricter) == []


def test_mismatched_inputs_are_refused() -> None:
    words, chars, path, lp = hand_made([typical(3, 0.0)])
    with pytest.raises(ValueError, match="do not match"):
        find_doubtful_regions(words, chars, path, lp[:-1], LABELS, TB)


def test_clock_format() -> None:
    assert clock(12.44) == "0:12.4"
    assert clock(723.0) == "12:03.0"
    assert clock(3723.06) == "1:02:03.1"
    assert clock(-0.01) == "0:00.0"


def test_align_audio_attaches_the_doubtful_regions(tmp_path) -> None:
    from aligner_gui.core.models.model import load_model

    from tiny_models import make_tiny_checkpoint

    model = load_model(make_tiny_checkpoint(tmp_path / "tiny.pt"), device="cpu")
    samples = (np.random.default_rng(3).standard_normal(16000 * 3) * 0.1).astype(np.float32)
    audio = Audio(samples, 16000, None, 16000, 1, None)
    result = align_audio(audio, "one two three four five six seven", model)
    expected = find_doubtful_regions(
        result.words, result.chars, result.path, result.emissions, result.labels, result.timebase
    )
    assert isinstance(result, AlignmentResult)
    assert result.doubtful == tuple(expected)
    assert all(r.kind in KINDS for r in result.doubtful)
