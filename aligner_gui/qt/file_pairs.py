"""What to do with a set of files given at once (dropped on the window, a recent file, argv):
align an audio file with its transcript, or open a TextGrid (with its audio) for correction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aligner_gui.qt.dialogs import (
    AUDIO_SUFFIXES,
    TEXTGRID_SUFFIXES,
    TRANSCRIPT_SUFFIXES,
    sibling_with_suffix,
)


@dataclass(frozen=True)
class AlignFiles:
    audio: Path
    transcript: Path


@dataclass(frozen=True)
class TextGridFiles:
    textgrid: Path
    audio: Path | None


FileRequest = AlignFiles | TextGridFiles


def _kind(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in AUDIO_SUFFIXES:
        return "audio"
    if suffix in TRANSCRIPT_SUFFIXES:
        return "transcript"
    if suffix in TEXTGRID_SUFFIXES:
        return "textgrid"
    return None


def classify_files(paths: list[Path]) -> FileRequest | str:
    """The request the files make, or a sentence saying why they make none.

    A lone file is completed with a same-named companion beside it: a transcript (preferred) or a
    TextGrid for audio, audio for a TextGrid.
    """
    by_kind: dict[str, list[Path]] = {}
    for path in paths:
        kind = _kind(path)
        if kind is None:
            return f"{path.name}: not an audio file, a transcript (.txt, .lab) or a TextGrid."
        by_kind.setdefault(kind, []).append(path)
    audio = by_kind.get("audio", [])
    transcripts = by_kind.get("transcript", [])
    grids = by_kind.get("textgrid", [])
    if len(audio) > 1 or len(transcripts) > 1 or len(grids) > 1:
        return "Give one audio file with one transcript or one TextGrid at a time."
    if transcripts and grids:
        return "Give either a transcript (to align) or a TextGrid (to correct), not both."
    if audio and transcripts:
        return AlignFiles(audio[0], transcripts[0])
    if grids:
        companion = audio[0] if audio else sibling_with_suffix(grids[0], AUDIO_SUFFIXES)
        return TextGridFiles(grids[0], companion)
    if audio:
        transcript = sibling_with_suffix(audio[0], TRANSCRIPT_SUFFIXES)
        if transcript is not None:
            return AlignFiles(audio[0], transcript)
        grid = sibling_with_suffix(audio[0], TEXTGRID_SUFFIXES)
        if grid is not None:
            return TextGridFiles(grid, audio[0])
        return (
            f"{audio[0].name}: give its transcript (.txt or .lab) or TextGrid too; none with the "
            "same name was found beside it."
        )
    if transcripts:
        found = sibling_with_suffix(transcripts[0], AUDIO_SUFFIXES)
        if found is not None:
            return AlignFiles(found, transcripts[0])
        return f"{transcripts[0].name}: give the audio file it transcribes too."
    return "No files were given."
