"""The editable document: partitions, queries, subscriptions, engine and TextGrid import/export."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from aligner_gui.core.alignment.pipeline import AlignmentResult, align_emissions
from aligner_gui.core.base.errors import TextGridError
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS
from aligner_gui.core.base.timebase import TimeBase
from aligner_gui.core.document.document import (
    AlignmentDocument,
    DocumentChange,
    Segment,
    Tier,
    partition,
)
from aligner_gui.core.io.audio import Audio
from aligner_gui.core.io.textgrid import (
    Interval,
    IntervalTier,
    Point,
    PointTier,
    TextGrid,
    read_textgrid,
)
from aligner_gui.core.io.transcript import tokenize


def seg(start: float, end: float, label: str = "") -> Segment:
    return Segment(start, end, label)


def spans(tier: Tier) -> list[tuple[float, float, str]]:
    return [(s.start, s.end, s.label) for s in tier.segments]


def small_doc() -> AlignmentDocument:
    words = Tier("words", [seg(0.0, 0.2), seg(0.2, 0.5, "hi"), seg(0.5, 0.6), seg(0.6, 1.0, "yo")])
    chars = Tier(
        "chars",
        [seg(0.0, 0.2), seg(0.2, 0.3, "H"), seg(0.3, 0.5, "I"), seg(0.5, 0.7), seg(0.7, 1.0, "Y")],
        parent="words",
    )
    marks = Tier("marks", [seg(0.25, 0.25, "a"), seg(0.8, 0.8, "b")], is_point_tier=True)
    return AlignmentDocument([words, chars, marks], 1.0)


def intervals(tier: IntervalTier | PointTier) -> tuple[Interval, ...]:
    assert isinstance(tier, IntervalTier)
    return tier.intervals


def points(tier: IntervalTier | PointTier) -> tuple[Point, ...]:
    assert isinstance(tier, PointTier)
    return tier.points


def silent_audio(seconds: float, rate: int = 16000) -> Audio:
    return Audio(np.zeros(int(round(seconds * rate)), np.float32), rate, None, rate, 1, None)


# -- queries ---------------------------------------------------------------------------------------


def test_tier_lookup_and_boundaries() -> None:
    doc = small_doc()
    assert doc.tier("chars").parent == "words"
    assert doc.tier_names() == ["words", "chars", "marks"]
    assert [t.name for t in doc.children("words")] == ["chars"]
    assert [t.name for t in doc.descendants("words")] == ["chars"]
    assert doc.boundaries("words") == [0.2, 0.5, 0.6]  # [k] is boundary index k + 1
    assert doc.boundaries("marks") == [0.25, 0.8]  # [k] is point k
    with pytest.raises(KeyError, match="no tier named 'phones'"):
        doc.tier("phones")


def test_segment_at_is_half_open_and_owns_the_end() -> None:
    doc = small_doc()
    assert doc.segment_at("words", 0.0) == 0
    assert doc.segment_at("words", 0.2) == 1  # a boundary belongs to the segment it starts
    assert doc.segment_at("words", 0.4999) == 1
    assert doc.segment_at("words", 1.0) == 3  # the document's end belongs to the last segment
    assert doc.segment_at("words", -0.01) is None
    assert doc.segment_at("words", 1.01) is None
    assert doc.segment_at("marks", 0.0) == 0  # point tier: the nearest point
    assert doc.segment_at("marks", 0.6) == 1
    assert doc.segment_at("marks", 0.5) == 0


def test_subscribers_are_called_until_unsubscribed() -> None:
    doc = small_doc()
    seen: list[DocumentChange] = []
    doc.subscribe(seen.append)
    doc.subscribe(seen.append)  # idempotent
    doc.notify(DocumentChange("words", "label", 1))
    doc.unsubscribe(seen.append)
    doc.notify(DocumentChange("words", "label", 2))
    assert seen == [DocumentChange("words", "label", 1)]


def test_a_malformed_partition_is_refused() -> None:
    gap = Tier("words", [seg(0.0, 0.4, "a"), seg(0.5, 1.0, "b")])
    with pytest.raises(ValueError, match="gap or overlap before segment 1"):
        AlignmentDocument([gap], 1.0)
    short = Tier("words", [seg(0.0, 0.9, "a")])
    with pytest.raises(ValueError, match=r"spans \[0.0, 0.9\], not \[0, 1.0\]"):
        AlignmentDocument([short], 1.0)
    orphan = Tier("chars", [seg(0.0, 1.0)], parent="words")
    with pytest.raises(ValueError, match="unknown parent 'words'"):
        AlignmentDocument([orphan], 1.0)


def test_problems_reports_a_child_outside_its_parent() -> None:
    doc = small_doc()
    doc.tier("chars").segments[3] = seg(0.5, 0.7, "X")  # straddles silence and "yo"
    assert doc.problems() == ["'chars' segment 3 'X' [0.5, 0.7) straddles a boundary of 'words'"]


# -- partition -------------------------------------------------------------------------------------


def test_partition_fills_gaps_sorts_clips_and_snaps_rounding_noise() -> None:
    out = partition(
        [
            seg(0.5, 0.8, "b"),
            seg(0.1000004, 0.3, "a"),
            seg(0.3000001, 0.5000002, "x"),
            seg(0.9, 1.4, "c"),
        ],
        1.2,
    )
    assert [(s.start, s.end, s.label) for s in out] == [
        (0.0, 0.1000004, ""),
        (0.1000004, 0.3, "a"),
        (0.3, 0.5000002, "x"),  # 1e-7 gap closed
        (0.5000002, 0.8, "b"),  # 2e-7 overlap closed in favour of the earlier segment
        (0.8, 0.9, ""),
        (0.9, 1.2, "c"),  # clipped to the duration
    ]


def test_partition_of_nothing_is_one_silence() -> None:
    assert partition([], 2.0) == [Segment(0.0, 2.0, "")]


def test_partition_merges_filled_gaps_into_neighbouring_silence() -> None:
    out = partition([seg(0.2, 0.4), seg(0.4, 0.6, "a"), seg(0.6, 0.7), seg(0.7, 0.8)], 1.0)
    # The gaps [0, 0.2) and [0.8, 1) join the "" around them; the file's own "" | "" stays.
    assert [(s.start, s.end, s.label) for s in out] == [
        (0.0, 0.4, ""),
        (0.4, 0.6, "a"),
        (0.6, 0.7, ""),
        (0.7, 1.0, ""),
    ]


# -- from the engine -------------------------------------------------------------------------------


def engine_result(text: str, frames: int = 150) -> AlignmentResult:
    """A real AlignmentResult: random (seeded) emissions aligned by the engine's Viterbi."""
    labels = ENGLISH_ASR_LABELS
    tb = TimeBase(16000, 320)
    tokenized = tokenize(text, labels)
    rng = np.random.default_rng(7)
    emissions = np.log(rng.dirichlet(np.ones(len(labels)), size=frames)).astype(np.float32)
    audio = silent_audio(frames * tb.frame_seconds)
    path, words, chars = align_emissions(emissions, tokenized, labels, tb, audio.duration)
    return AlignmentResult(audio, "test", labels, tb, emissions, tokenized, path, words, chars, ())


def test_from_alignment_builds_nested_word_and_char_tiers() -> None:
    result = engine_result("hello, wonderful world")
    doc = AlignmentDocument.from_alignment(result)
    assert doc.duration == pytest.approx(3.0)
    assert doc.result is result and doc.audio is result.audio
    assert doc.problems() == []
    words, chars = doc.tier("words"), doc.tier("chars")
    assert chars.parent == "words" and words.parent is None
    labelled = [s for s in words.segments if s.label]
    assert [s.label for s in labelled] == ["hello,", "wonderful", "world"]
    assert [(s.start, s.end) for s in labelled] == [(w.start, w.end) for w in result.words]
    assert [s.label for s in chars.segments if s.label] == list("HELLOWONDERFULWORLD")
    assert [(s.start, s.end) for s in chars.segments if s.label] == [
        (c.start, c.end) for c in result.chars
    ]
    assert all(s.score is not None and 0.0 <= s.score <= 1.0 for s in labelled)
    assert all(s.score is None for s in words.segments if not s.label)


def test_from_alignment_keeps_unaligned_words_flagged_with_unknown_score() -> None:
    result = engine_result("good 42 day")  # digits have no label in the English alphabet
    assert [w.aligned for w in result.words] == [True, False, True]
    doc = AlignmentDocument.from_alignment(result)
    words = [s for s in doc.tier("words").segments if s.label]
    assert [(s.label, s.aligned) for s in words] == [("good", True), ("42", False), ("day", True)]
    assert words[1].score is None  # the engine's NaN becomes "unknown"
    assert words[1].end > words[1].start
    assert doc.problems() == []


# -- TextGrids -------------------------------------------------------------------------------------


def test_from_textgrid_links_phones_to_words_and_snaps_rounding() -> None:
    tg = TextGrid(
        0.0,
        1.0,
        (
            IntervalTier(
                "phones",
                0.0,
                1.0,
                (
                    Interval(0.0, 0.2, ""),
                    Interval(0.2, 0.3000001, "k"),
                    Interval(0.3000001, 0.5000003, "a"),
                    Interval(0.5000003, 1.0, ""),
                ),
            ),
            IntervalTier(
                "words",
                0.0,
                1.0,
                (Interval(0.0, 0.2, ""), Interval(0.2, 0.5, "ka"), Interval(0.5, 1.0, "")),
            ),
        ),
    )
    doc = AlignmentDocument.from_textgrid(tg)
    assert doc.tier("phones").parent == "words"
    assert spans(doc.tier("phones")) == [
        (0.0, 0.2, ""),
        (0.2, 0.3000001, "k"),
        (0.3000001, 0.5, "a"),
        (0.5, 1.0, ""),
    ]
    assert doc.problems() == []
    assert doc.result is None


def test_from_textgrid_misaligned_phones_get_no_parent() -> None:
    tg = TextGrid(
        0.0,
        1.0,
        (
            IntervalTier("phones", 0.0, 1.0, (Interval(0.0, 0.25, "k"), Interval(0.25, 1.0, "a"))),
            IntervalTier("words", 0.0, 1.0, (Interval(0.0, 0.5, "ka"), Interval(0.5, 1.0, ""))),
        ),
    )
    assert AlignmentDocument.from_textgrid(tg).tier("phones").parent is None


def test_from_textgrid_duplicate_names_points_offset_and_longer_audio_round_trip() -> None:
    tg = TextGrid(
        10.0,
        11.0,
        (
            IntervalTier("spk", 10.0, 11.0, (Interval(10.0, 10.5, "a"), Interval(10.5, 11.0, ""))),
            IntervalTier("spk", 10.0, 11.0, (Interval(10.0, 11.0, "b"),)),
            PointTier("bell", 10.0, 11.0, (Point(10.7, "ding"), Point(10.2, "dong"))),
        ),
    )
    doc = AlignmentDocument.from_textgrid(tg, silent_audio(12.0))
    assert doc.duration == 12.0  # the audio is longer than the grid
    assert doc.tier_names() == ["spk", "spk (2)", "bell"]
    assert spans(doc.tier("spk")) == [(0.0, 10.0, ""), (10.0, 10.5, "a"), (10.5, 12.0, "")]
    assert spans(doc.tier("spk (2)")) == [(0.0, 10.0, ""), (10.0, 11.0, "b"), (11.0, 12.0, "")]
    assert spans(doc.tier("bell")) == [(10.2, 10.2, "dong"), (10.7, 10.7, "ding")]
    assert doc.tier("bell").is_point_tier
    out = doc.to_textgrid()
    assert (out.xmin, out.xmax) == (10.0, 11.0)  # the file's own domain, not the audio's
    assert [t.name for t in out.tiers] == ["spk", "spk", "bell"]
    assert intervals(out.tiers[0]) == (Interval(10.0, 10.5, "a"), Interval(10.5, 11.0, ""))
    assert intervals(out.tiers[1]) == (Interval(10.0, 11.0, "b"),)
    assert points(out.tiers[2]) == (Point(10.2, "dong"), Point(10.7, "ding"))


def test_a_textgrid_of_zero_length_without_audio_is_refused() -> None:
    tg = TextGrid(0.0, 0.0, (IntervalTier("words", 0.0, 0.0, ()),))
    with pytest.raises(TextGridError, match="no duration"):
        AlignmentDocument.from_textgrid(tg)


@pytest.mark.corpus
def test_every_corpus_textgrid_opens_as_a_valid_document(corpus_dir: Path) -> None:
    paths = sorted((corpus_dir / "textgrids").glob("*.TextGrid"))
    assert len(paths) >= 30
    for path in paths:
        tg = read_textgrid(path)
        doc = AlignmentDocument.from_textgrid(tg)
        assert doc.problems() == [], path.name
        out = doc.to_textgrid()
        assert (out.xmin, out.xmax) == (tg.xmin, tg.xmax), path.name
        for src, dst in zip(tg.tiers, out.tiers, strict=True):
            assert dst.name == src.name, path.name
            assert (dst.xmin, dst.xmax) == (src.xmin, src.xmax), (path.name, src.name)
            if isinstance(src, PointTier):
                assert points(dst) == src.points, path.name
            else:  # labels survive in order; times within the 1e-6 s rounding snap
                kept = [(iv.label, iv.start, iv.end) for iv in src.intervals if iv.label]
                got = [(iv.label, iv.start, iv.end) for iv in intervals(dst) if iv.label]
                assert [k[0] for k in got] == [k[0] for k in kept], (path.name, src.name)
                if kept:
                    np.testing.assert_allclose(
                        [k[1:] for k in got], [k[1:] for k in kept], atol=1e-6, err_msg=path.name
                    )


@pytest.mark.corpus
def test_corpus_phone_tiers_become_children_of_word_tiers(corpus_dir: Path) -> None:
    def parents(name: str) -> dict[str, str | None]:
        doc = AlignmentDocument.from_textgrid(read_textgrid(corpus_dir / "textgrids" / name))
        return {t.name: t.parent for t in doc.tiers}

    assert parents("mfa_acoustic_corpus.TextGrid") == {"words": None, "phones": "words"}
    assert parents("praatio_mary.TextGrid")["phone"] == "word"
    assert parents("praatio_mary_misaligned.TextGrid")["phone"] is None
    kbg = AlignmentDocument.from_textgrid(
        read_textgrid(corpus_dir / "textgrids" / "kbg_long_format.TextGrid")
    )
    assert kbg.tier("phone").parent == "word"
    assert kbg.tier("word").segments[0] == Segment(0.0, 1358.8925, "")  # before the excerpt
    assert kbg.to_textgrid().xmin == 1358.8925
    assert math.isclose(kbg.duration, 1422.5525)
