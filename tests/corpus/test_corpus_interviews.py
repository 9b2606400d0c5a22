"""A recording with a TextGrid of utterances per speaker: each utterance aligned in its range."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aligner_gui.cli import main
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS
from aligner_gui.core.io.textgrid import (
    Interval,
    IntervalTier,
    TextGrid,
    read_textgrid,
    write_textgrid,
)

from corpus_maker import RATE, SENTENCES, speech
from tiny_models import make_tiny_checkpoint

UTTERANCES = {
    "interviewer": [(0.2, 0.2, SENTENCES[0]), (6.0, 6.0, SENTENCES[2])],
    "guest": [(3.0, 3.0, SENTENCES[1])],
}


@pytest.fixture(scope="module")
def interview(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("interviews") / "corpus"
    (root / "session1").mkdir(parents=True)
    total = np.zeros(int(9.5 * RATE), dtype=np.float32)
    tiers = []
    for name, utterances in UTTERANCES.items():
        intervals = []
        for at, _start, text in utterances:
            audio = speech(text)
            begin = int(at * RATE)
            total[begin : begin + audio.size] += audio
            intervals.append(Interval(at, at + audio.size / RATE + 0.05, text))
        tiers.append(IntervalTier(name, 0.0, 9.5, tuple(intervals)))
    # An utterance far too short for its text: its words are kept, unaligned, with a warning.
    tiers[1] = IntervalTier("guest", 0.0, 9.5, (*tiers[1].intervals,
                            Interval(9.3, 9.35, "a sentence much too long for fifty ms")))  # fmt: skip
    sf.write(root / "session1" / "talk.wav", total, RATE)
    write_textgrid(TextGrid(0.0, 9.5, tuple(tiers)), root / "session1" / "talk.TextGrid")
    return root


def test_each_speaker_gets_words_and_chars_tiers_inside_their_utterances(
    interview: Path, tmp_path: Path, one_torch_thread
) -> None:
    model = make_tiny_checkpoint(tmp_path / "tiny.pt", ENGLISH_ASR_LABELS)
    out = tmp_path / "out"
    code = main(["align", str(interview), "-o", str(out), "--model", str(model), "--jobs", "1",
                 "--format", "both", "-q"])  # fmt: skip
    assert code == 0
    grid = read_textgrid(out / "session1" / "talk.TextGrid")
    names = [t.name for t in grid.tiers]
    assert [n for n in names if not n.endswith("doubtful")] == [
        "interviewer - words", "interviewer - chars", "guest - words", "guest - chars",
    ]  # fmt: skip
    source = read_textgrid(interview / "session1" / "talk.TextGrid")
    for speaker in source.tiers:
        assert isinstance(speaker, IntervalTier)
        words = next(t for t in grid.tiers if t.name == f"{speaker.name} - words")
        assert isinstance(words, IntervalTier)
        spoken = [iv for iv in words.intervals if iv.label]
        expected = [w for iv in speaker.intervals for w in iv.label.split()]
        assert [iv.label for iv in spoken] == expected
        for iv in spoken:  # every word inside the utterance it belongs to
            assert any(
                u.start - 1e-6 <= iv.start and iv.end <= u.end + 1e-6 for u in speaker.intervals
            )
    data = json.loads((out / "session1" / "talk.json").read_text(encoding="utf-8"))
    # The same JSON as a single-file run (one writer): a words tier per speaker, with flags.
    guest = next(t for t in data["tiers"] if t["name"] == "guest - words")
    assert [w["aligned"] for w in guest["items"] if w["label"]][-8:] == [False] * 8
    assert any("guest 9.30-9.35" in w for w in data["warnings"])
    report = (out / "alignment_report.csv").read_text(encoding="utf-8")
    assert "session1/talk.wav,session1,aligned," in report


def test_an_interview_reports_progress_utterance_by_utterance(
    interview: Path, tmp_path: Path, one_torch_thread
) -> None:
    from aligner_gui.core.corpus.runner import BatchSettings, run_batch

    model = make_tiny_checkpoint(tmp_path / "tiny.pt", ENGLISH_ASR_LABELS)
    seen: list[tuple[str, float]] = []
    run_batch(interview, tmp_path / "out", BatchSettings(str(model), jobs=1),
              on_progress=lambda path, fraction: seen.append((path, fraction)))  # fmt: skip
    fractions = [f for path, f in seen if path == "session1/talk.wav"]
    assert fractions == sorted(fractions) and fractions[0] == 0.0
    # Each utterance reports within its share of the speech (by seconds), in the tiers' order:
    # where each of the three that align ends is reported (the too-short one fails silently).
    grid = read_textgrid(interview / "session1" / "talk.TextGrid")
    spans = [i.end - i.start for t in grid.tiers for i in t.intervals if i.label.strip()]
    ends = np.cumsum(spans) / sum(spans)
    for end in ends[:3]:
        assert min(abs(f - end) for f in fractions) <= 0.01, (end, fractions)


def test_the_second_opinion_hears_an_interview_utterance_by_utterance(
    interview: Path, tmp_path: Path, one_torch_thread
) -> None:
    from aligner_gui.core.corpus.database import DATABASE_NAME, CorpusDatabase
    from aligner_gui.core.corpus.runner import BatchSettings, run_batch

    aligner = make_tiny_checkpoint(tmp_path / "tiny.pt", ENGLISH_ASR_LABELS)
    listener = make_tiny_checkpoint(tmp_path / "other.pt", ENGLISH_ASR_LABELS, seed=3)
    out = tmp_path / "out"
    run_batch(interview, out, BatchSettings(str(aligner), jobs=1, second_opinion=str(listener)))
    with CorpusDatabase(out / DATABASE_NAME) as db:
        (words,) = db.words().values()
        (heard,) = db.second_words().values()
    # Word for word, speaker by speaker; the too-short utterance's words kept, unaligned, by
    # both, and the others heard where the aligner put their utterance.
    assert [(w.idx, w.tier, w.label, w.aligned) for w in heard] == [
        (w.idx, w.tier, w.label, w.aligned) for w in words
    ]
    assert sum(not w.aligned for w in heard) == 8
    for mine, theirs in zip(words, heard, strict=True):
        assert abs(mine.start - theirs.start) < 3.0
