"""Token spans and timed characters and words, including interpolated unaligned words."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from aligner_gui.core.alignment.segments import (
    CharSegment,
    TokenSpan,
    WordSegment,
    build_segments,
    token_spans,
)
from aligner_gui.core.alignment.viterbi import ForcedPath, forced_align
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS, MMS_FA_LABELS
from aligner_gui.core.base.timebase import TimeBase

TB = TimeBase(16000, 320)  # 20 ms frames


@dataclass(frozen=True)
class Word:
    original: str
    aligned: bool = True


def make_path(token_index: list[int], labels: list[int], probs: list[float]) -> ForcedPath:
    return ForcedPath(
        labels=np.array(labels, dtype=np.int32),
        token_index=np.array(token_index, dtype=np.int32),
        frame_scores=np.log(np.array(probs, dtype=np.float64)).astype(np.float32),
    )


def assert_times(items: list, expected: list[tuple[float, float]]) -> None:
    """The (start, end) of each segment, to within float rounding."""
    got = [(x.start, x.end) for x in items]
    np.testing.assert_allclose(
        np.array(got).reshape(-1, 2), np.array(expected).reshape(-1, 2), rtol=0, atol=1e-9
    )


def span(k: int, label: int, a: int, b: int, score: float = 1.0) -> TokenSpan:
    return TokenSpan(token_index=k, label=label, start_frame=a, end_frame=b, score=score)


def test_token_spans_merge_frames_and_average_probabilities() -> None:
    path = make_path(
        token_index=[-1, 0, 0, 0, -1, 1, 2, 2, -1],
        labels=[0, 5, 5, 5, 0, 5, 7, 7, 0],
        probs=[0.9, 0.5, 1.0, 0.6, 0.9, 0.25, 0.8, 0.4, 0.7],
    )
    spans = token_spans(path, 3)
    assert [(s.token_index, s.label, s.start_frame, s.end_frame) for s in spans] == [
        (0, 5, 1, 4),
        (1, 5, 5, 6),
        (2, 7, 6, 8),
    ]
    assert [s.score for s in spans] == pytest.approx([0.7, 0.25, 0.6], rel=1e-6)


def test_token_spans_reject_a_path_for_other_tokens() -> None:
    path = make_path([0, -1, 1], [3, 0, 4], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"tokens 0\.\.2"):
        token_spans(path, 3)


def test_words_with_delimiters_from_a_real_path() -> None:
    lab = ENGLISH_ASR_LABELS
    text = "HI|YO"
    tokens = [lab.index(c) for c in text]
    # Frames: - H H I | | Y - O O -
    frame_labels = [0, *tokens[:1], tokens[0], tokens[1], tokens[2], tokens[2], tokens[3], 0]
    frame_labels += [tokens[4], tokens[4], 0]
    lp = np.full((len(frame_labels), len(lab)), -20.0, dtype=np.float32)
    lp[np.arange(len(frame_labels)), frame_labels] = 0.0
    path = forced_align(lp, tokens, lab.blank)
    spans = token_spans(path, len(tokens))
    words, chars = build_segments(
        spans, [0, 0, -1, 1, 1], [Word("hi,"), Word("yo!")], lab.labels, TB, duration=0.22
    )
    assert [c.label for c in chars] == ["H", "I", "Y", "O"]
    assert_times(chars, [(0.02, 0.06), (0.06, 0.08), (0.12, 0.14), (0.16, 0.20)])
    assert [c.word_index for c in chars] == [0, 0, 1, 1]
    assert_times(words, [(0.02, 0.08), (0.12, 0.20)])
    assert [(w.label, w.aligned, w.char_start, w.char_end) for w in words] == [
        ("hi,", True, 0, 2),
        ("yo!", True, 2, 4),
    ]
    assert [w.score for w in words] == pytest.approx([1.0, 1.0], abs=1e-6)
    assert all(isinstance(w, WordSegment) for w in words)


def test_word_score_is_the_mean_over_its_frames() -> None:
    spans = [span(0, 1, 0, 3, score=0.9), span(1, 2, 3, 4, score=0.1), span(2, 3, 5, 6, 0.5)]
    words, chars = build_segments(
        spans, [0, 0, 1], [Word("ab"), Word("c")], MMS_FA_LABELS.labels, TB, duration=1.0
    )
    assert words[0].score == pytest.approx((0.9 * 3 + 0.1) / 4)
    assert words[1].score == pytest.approx(0.5)
    assert [c.score for c in chars] == [0.9, 0.1, 0.5]
    assert [c.label for c in chars] == ["a", "i", "e"]


def test_words_without_delimiter_mms_style() -> None:
    lab = MMS_FA_LABELS
    spans = [span(0, lab.index("h"), 2, 4), span(1, lab.index("i"), 4, 5)]
    spans += [span(2, lab.index("y"), 5, 6), span(3, lab.index("o"), 8, 10)]
    words, chars = build_segments(
        spans, [0, 0, 1, 1], [Word("Hi"), Word("yo")], lab.labels, TB, duration=0.5
    )
    assert [w.label for w in words] == ["Hi", "yo"]
    assert_times(words, [(0.04, 0.10), (0.10, 0.20)])
    assert [(w.char_start, w.char_end) for w in words] == [(0, 2), (2, 4)]
    assert len(chars) == 4


def test_times_are_clamped_to_the_duration() -> None:
    words, chars = build_segments(
        [span(0, 1, 3, 9)], [0], [Word("a")], MMS_FA_LABELS.labels, TB, duration=0.15
    )
    assert (chars[0].start, chars[0].end) == pytest.approx((0.06, 0.15))
    assert (words[0].start, words[0].end) == pytest.approx((0.06, 0.15))


def test_unaligned_words_split_the_gap_between_neighbours() -> None:
    spans = [span(0, 1, 0, 5), span(1, 2, 20, 25)]
    ws = [Word("a"), Word("123", False), Word("456", False), Word("b")]
    words, chars = build_segments(spans, [0, 3], ws, MMS_FA_LABELS.labels, TB, duration=1.0)
    assert_times(words, [(0.0, 0.1), (0.1, 0.25), (0.25, 0.4), (0.4, 0.5)])
    assert [w.aligned for w in words] == [True, False, False, True]
    assert math.isnan(words[1].score) and math.isnan(words[2].score)
    assert [(w.char_start, w.char_end) for w in words] == [(0, 1), (1, 1), (1, 1), (1, 2)]
    assert len(chars) == 2


def test_unaligned_words_at_the_edges_use_the_file_bounds() -> None:
    spans = [span(0, 1, 10, 20)]
    ws = [Word("1", False), Word("a"), Word("2", False), Word("3", False)]
    words, _ = build_segments(spans, [1], ws, MMS_FA_LABELS.labels, TB, duration=1.0)
    assert_times(words, [(0.0, 0.2), (0.2, 0.4), (0.4, 0.7), (0.7, 1.0)])


def test_all_unaligned_words_share_the_file() -> None:
    ws = [Word("1", False), Word("2", False), Word("3", False), Word("4", False)]
    words, chars = build_segments([], [], ws, MMS_FA_LABELS.labels, TB, duration=2.0)
    assert chars == []
    assert_times(words, [(0.0, 0.5), (0.5, 1.0), (1.0, 1.5), (1.5, 2.0)])


def test_no_gap_borrows_from_the_neighbours_edge_characters() -> None:
    # "a" ends at frame 6 where "b" starts: no room for the two unaligned words between.
    spans = [span(0, 1, 0, 6), span(1, 2, 6, 12)]
    ws = [Word("a"), Word("1", False), Word("2", False), Word("b")]
    words, chars = build_segments(spans, [0, 3], ws, MMS_FA_LABELS.labels, TB, duration=1.0)
    # Two frames (0.04 s) are needed: 0.02 s from the end of "a", 0.02 s from the start of "b".
    assert_times(words, [(0.0, 0.10), (0.10, 0.12), (0.12, 0.14), (0.14, 0.24)])
    assert_times(chars, [(0.0, 0.10), (0.14, 0.24)])


def test_borrowing_is_limited_to_a_third_of_the_edge_character() -> None:
    # One-frame characters on both sides lend at most a third of a frame each.
    spans = [span(0, 1, 4, 5), span(1, 2, 5, 6)]
    ws = [Word("a"), Word("1", False), Word("b")]
    words, chars = build_segments(spans, [0, 2], ws, MMS_FA_LABELS.labels, TB, duration=1.0)
    third = 0.02 / 3
    assert (words[1].start, words[1].end) == pytest.approx((0.10 - third, 0.10 + third))
    assert (chars[0].end, chars[1].start) == pytest.approx((0.10 - third, 0.10 + third))
    assert (words[0].end, words[2].start) == pytest.approx((0.10 - third, 0.10 + third))
    # At the start of the file only the right neighbour can lend.
    ws = [Word("1", False), Word("a"), Word("b")]
    spans = [span(0, 1, 0, 3), span(1, 2, 3, 5)]
    words, _ = build_segments(spans, [1, 2], ws, MMS_FA_LABELS.labels, TB, duration=1.0)
    assert (words[0].start, words[0].end) == pytest.approx((0.0, 0.02))
    assert words[1].start == pytest.approx(0.02)


def test_inconsistent_inputs_are_rejected() -> None:
    labels = MMS_FA_LABELS.labels
    with pytest.raises(ValueError, match="marked aligned"):
        build_segments([span(0, 1, 0, 2)], [0], [Word("a"), Word("b")], labels, TB, 1.0)
    with pytest.raises(ValueError, match="entries"):
        build_segments([span(0, 1, 0, 2)], [0, 0], [Word("a")], labels, TB, 1.0)
    with pytest.raises(ValueError, match="not consecutive"):
        spans = [span(0, 1, 0, 2), span(1, 2, 2, 3), span(2, 3, 3, 4)]
        build_segments(spans, [0, 1, 0], [Word("a"), Word("b")], labels, TB, 1.0)


def test_segment_types_are_plain_frozen_records() -> None:
    c = CharSegment("a", 0.0, 0.02, 1.0, 0)
    with pytest.raises(AttributeError):
        c.start = 1.0  # type: ignore[misc]
    assert c == CharSegment("a", 0.0, 0.02, 1.0, 0)
