"""Scanning a corpus folder as MFA reads it; nothing is ignored without a line saying why."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from aligner_gui.core.corpus.layout import CorpusEntry, scan_corpus

from corpus_maker import MESSY_FILES, MESSY_IGNORED, make_messy_corpus


def _touch(path: Path, text: str = "x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_speaker_folders_pair_recordings_and_list_everything_else(tmp_path: Path) -> None:
    scan = scan_corpus(make_messy_corpus(tmp_path / "corpus"))
    assert {e.audio: e.speaker for e in scan.entries} == {
        path: speaker for path, (speaker, _status) in MESSY_FILES.items()
    }
    assert {i.path: i.reason for i in scan.ignored} == MESSY_IGNORED
    by_audio = {e.audio: e for e in scan.entries}
    assert by_audio["alice/a02.flac"].transcript == "alice/a02.txt"
    assert by_audio["bob/zoë ñandú.wav"].output_stem == "bob/zoë ñandú"


def test_flat_corpus_prefers_lab_and_reports_the_other_transcript(tmp_path: Path) -> None:
    for name in ("one.wav", "one.lab", "one.txt", "two.OGG", "two.TXT", "three.opus"):
        _touch(tmp_path / name)
    scan = scan_corpus(tmp_path)
    assert scan.entries == (
        CorpusEntry("one.wav", "one.lab", "", "text"),
        CorpusEntry("two.OGG", "two.TXT", "", "text"),
    )
    assert [(i.path, i.reason) for i in scan.ignored] == [
        ("one.txt", "one.lab is the transcript used"),
        ("three.opus", "recording without a transcript (.lab, .txt or .TextGrid of the same name)"),
    ]


def test_textgrid_transcripts_are_interviews(tmp_path: Path) -> None:
    _touch(tmp_path / "s1" / "interview.aiff")
    _touch(tmp_path / "s1" / "interview.TextGrid")
    scan = scan_corpus(tmp_path)
    assert scan.entries == (
        CorpusEntry("s1/interview.aiff", "s1/interview.TextGrid", "s1", "textgrid"),
    )
    assert scan.ignored == ()


def test_decomposed_unicode_names_pair_with_composed_ones(tmp_path: Path) -> None:
    # macOS hands back NFD names; a transcript typed elsewhere is NFC.
    _touch(tmp_path / unicodedata.normalize("NFD", "Zoë.wav"))
    _touch(tmp_path / unicodedata.normalize("NFC", "Zoë.lab"))
    scan = scan_corpus(tmp_path)
    assert len(scan.entries) == 1 and scan.ignored == ()


def test_output_folder_inside_the_corpus_is_one_line(tmp_path: Path) -> None:
    _touch(tmp_path / "a.wav")
    _touch(tmp_path / "a.lab")
    _touch(tmp_path / "aligned" / "a.TextGrid")
    scan = scan_corpus(tmp_path, exclude=tmp_path / "aligned")
    assert [(i.path, i.reason) for i in scan.ignored] == [("aligned/", "the output folder")]


def test_several_recordings_of_a_name_are_one_entry_lossless_first(tmp_path: Path) -> None:
    for name in ("p001.mp3", "p001.ogg", "p001.aiff", "p001.flac", "p001.txt"):
        _touch(tmp_path / name)
    (entry,) = scan_corpus(tmp_path).entries
    assert entry.audio == "p001.flac"
    assert entry.alternates == ("p001.aiff", "p001.ogg", "p001.mp3")
    assert {i.path: i.reason for i in scan_corpus(tmp_path).ignored} == {
        other: "another recording of p001.flac, aligned only if that one cannot be read"
        for other in entry.alternates
    }
