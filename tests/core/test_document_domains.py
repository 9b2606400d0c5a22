"""A TextGrid's own time domains survive opening and saving; a grid that does not fit its audio
gets a warning naming both durations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aligner_gui.core.document import edits
from aligner_gui.core.document.document import AlignmentDocument
from aligner_gui.core.document.domains import textgrid_audio_warnings
from aligner_gui.core.io.audio import Audio, load_audio
from aligner_gui.core.io.textgrid import (
    Interval,
    IntervalTier,
    Point,
    PointTier,
    TextGrid,
    read_textgrid,
    write_textgrid,
)


def silent_audio(samples: int, rate: int) -> Audio:
    return Audio(np.zeros(samples, np.float32), rate, None, rate, 1, None)


# praatio's mary.TextGrid: xmax 1.869687 s, over 89745 samples at 48 kHz = 1.8696875 s of audio.
MARY_AUDIO_SAMPLES = 89745
MARY = TextGrid(
    0.0,
    1.869687,
    (
        IntervalTier(
            "word",
            0.3154201182247563,
            1.5182538944627297,
            (
                Interval(0.3154201182247563, 0.6755499913498981, "mary"),
                Interval(0.6755499913498981, 1.5182538944627297, "rolled"),
            ),
        ),
        IntervalTier("phrase", 0.0, 1.869687, (Interval(0.0, 1.869687, "mary rolled"),)),
        PointTier("pitch", 0.0, 1.869687, (Point(0.5978689404359245, "120"),)),
    ),
)


def test_saving_keeps_the_files_own_domain_over_slightly_longer_audio(tmp_path: Path) -> None:
    doc = AlignmentDocument.from_textgrid(MARY, silent_audio(MARY_AUDIO_SAMPLES, 48000))
    assert doc.duration == 1.8696875  # the document spans the audio...
    path = tmp_path / "mary.TextGrid"
    write_textgrid(doc.to_textgrid(), path)
    saved = read_textgrid(path)
    assert saved == MARY  # ...but the file keeps xmax 1.869687 and every tier's own domain
    assert "xmax = 1.869687 \n" in path.read_text(encoding="utf-8")
    assert doc.warnings == []  # 0.5 µs apart: the same recording


def test_a_label_outside_the_files_domain_grows_it_and_undo_restores_it() -> None:
    doc = AlignmentDocument.from_textgrid(MARY, silent_audio(48000 * 3, 48000))
    assert doc.duration == 3.0
    phrase = doc.tier("phrase")
    assert [(s.start, s.end, s.label) for s in phrase.segments] == [
        (0.0, 1.869687, "mary rolled"),
        (1.869687, 3.0, ""),
    ]
    edit = edits.SetLabel("phrase", 1, "the barrel")
    edit.apply(doc)
    grown = doc.to_textgrid()
    assert (grown.xmin, grown.xmax) == (0.0, 3.0)
    assert grown.tier("phrase") == IntervalTier(
        "phrase",
        0.0,
        3.0,
        (Interval(0.0, 1.869687, "mary rolled"), Interval(1.869687, 3.0, "the barrel")),
    )
    assert grown.tier("word") == MARY.tier("word")  # untouched tiers keep their own domain
    edit.revert(doc)
    assert doc.to_textgrid() == MARY


@pytest.mark.parametrize(
    ("grid_end", "audio", "warned"),
    [
        (1.0, 1.04, False),
        (1.0, 1.06, True),  # beyond 50 ms
        (100.0, 100.9, False),  # within 1 %
        (100.0, 98.9, True),
        (1.869687, 1.8696875, False),
    ],
)
def test_a_grid_warns_when_it_does_not_end_with_its_audio(
    grid_end: float, audio: float, warned: bool
) -> None:
    grid = TextGrid(0.0, grid_end, ())
    assert bool(textgrid_audio_warnings(grid, audio)) == warned
    assert textgrid_audio_warnings(grid, None) == []


def test_the_warning_names_both_durations() -> None:
    grid = TextGrid(0.0, 26.72325, (IntervalTier("words", 0.0, 26.72325, ()),))
    doc = AlignmentDocument.from_textgrid(grid, silent_audio(19114, 16000))
    assert doc.warnings == [
        "The TextGrid lasts 26.723 s but the audio lasts 1.195 s: check that they belong together."
    ]
    excerpt = TextGrid(1358.8925, 1422.5525, ())
    assert textgrid_audio_warnings(excerpt, 2000.0) == [
        "The TextGrid runs from 1358.892 s to 1422.553 s but the audio lasts 2000.000 s:"
        " check that they belong together."
    ]


@pytest.mark.corpus
def test_corpus_grids_saved_over_their_own_recordings_keep_their_domains(
    corpus_dir: Path, tmp_path: Path
) -> None:
    pairs = {
        "praatio_mary.TextGrid": "praatio/mary.wav",
        "praatio_mary_with_constrained_tier_times.TextGrid": "praatio/mary.wav",
        "praatio_bobby_words.TextGrid": "praatio/bobby.wav",
        "mfa_acoustic_corpus.TextGrid": "mfa/acoustic_corpus.wav",
        "mfa_michaelandsickmichael_short_tg.TextGrid": "mfa/michaelandsickmichael.wav",
    }
    for grid_name, audio_name in pairs.items():
        grid = read_textgrid(corpus_dir / "textgrids" / grid_name)
        audio = load_audio(corpus_dir / "speech" / audio_name)
        doc = AlignmentDocument.from_textgrid(grid, audio)
        assert doc.warnings == [], grid_name
        write_textgrid(doc.to_textgrid(), tmp_path / "saved.TextGrid")
        assert read_textgrid(tmp_path / "saved.TextGrid") == grid, grid_name
    mismatched = AlignmentDocument.from_textgrid(
        read_textgrid(corpus_dir / "textgrids" / "mfa_acoustic_corpus.TextGrid"),
        load_audio(corpus_dir / "speech" / "praatio" / "bobby.wav"),
    )
    assert mismatched.warnings == [
        "The TextGrid lasts 26.723 s but the audio lasts 1.195 s: check that they belong together."
    ]
