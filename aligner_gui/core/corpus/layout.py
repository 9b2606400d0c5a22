"""Finding the recordings of a corpus and their transcripts, laid out as MFA reads them.

A corpus folder holds recordings, each beside a transcript of the same stem: a ``.lab`` or
``.txt`` text (one utterance), or a TextGrid whose interval tiers are speakers and whose labelled
intervals are utterances (long interviews). Recordings lie directly in the folder (flat) or in
one folder per speaker. Everything else (files deeper down, hidden files, macOS AppleDouble
``._*`` files, recordings without a transcript, transcripts without a recording) is returned as
*ignored*, with the reason, so the report lists it: nothing is left out silently.

Names are compared after Unicode NFC normalisation, because macOS file systems hand back
decomposed (NFD) names: "Zoë.wav" beside "Zoë.lab" typed on another system must still pair.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# In order of preference when a name has several recordings: lossless first.
AUDIO_EXTENSIONS = (".wav", ".flac", ".aiff", ".aif", ".ogg", ".opus", ".mp3")
TEXT_EXTENSIONS = (".lab", ".txt")  # in order of preference when both exist
TEXTGRID_EXTENSION = ".textgrid"

# What a corpus may hold besides recordings and transcripts without it being worth a report line.
_OUTPUT_NAMES = frozenset({"alignment_report.csv"})


@dataclass(frozen=True)
class CorpusEntry:
    """One recording to align; paths are relative to the corpus root, with ``/`` separators."""

    audio: str  # e.g. "speaker1/utt01.wav"
    transcript: str  # e.g. "speaker1/utt01.lab" or "speaker1/utt01.TextGrid"
    speaker: str  # the speaker folder's name; "" for a flat corpus
    kind: str  # "text" (one utterance) or "textgrid" (utterance intervals per speaker tier)
    # Other recordings of the same stem (e.g. "utt01.mp3" beside "utt01.wav"), in order of
    # preference: aligned instead when ``audio`` cannot be read.
    alternates: tuple[str, ...] = ()

    @property
    def output_stem(self) -> str:
        """Where outputs go below the output folder, without extension: mirrors the input."""
        return str(PurePosixPath(self.audio).with_suffix(""))


@dataclass(frozen=True)
class IgnoredFile:
    path: str  # relative to the corpus root, "/" separators
    reason: str


@dataclass(frozen=True)
class CorpusScan:
    root: Path
    entries: tuple[CorpusEntry, ...]  # sorted by audio path
    ignored: tuple[IgnoredFile, ...]  # sorted by path


def _nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name)


def _hidden_reason(name: str) -> str | None:
    if name.startswith("._"):
        return "macOS AppleDouble file (metadata, not a recording)"
    if name.startswith("."):
        return "hidden file"
    return None


def scan_corpus(root: str | Path, *, exclude: Path | None = None) -> CorpusScan:
    """List ``root``'s recordings with their transcripts, and every other file with a reason.

    ``exclude`` is a folder inside ``root`` to report as one line and not descend into (the
    output folder, when the user puts it inside the corpus).
    """
    base = Path(root)
    excluded = exclude.resolve() if exclude is not None else None
    entries: list[CorpusEntry] = []
    ignored: list[IgnoredFile] = []
    top_files, folders = _list_folder(base, "", ignored)
    entries += _pair_folder(top_files, "", "", ignored)
    for folder in folders:
        if excluded is not None and (base / folder).resolve() == excluded:
            ignored.append(IgnoredFile(folder + "/", "the output folder"))
            continue
        files, deeper = _list_folder(base / folder, folder + "/", ignored)
        entries += _pair_folder(files, folder + "/", folder, ignored)
        for sub in deeper:
            for path in _walk_all(base / sub):
                rel = path.relative_to(base).as_posix()
                ignored.append(IgnoredFile(rel, "in a folder below a speaker folder"))
    return CorpusScan(
        base,
        tuple(sorted(entries, key=lambda e: e.audio)),
        tuple(sorted(ignored, key=lambda i: i.path)),
    )


def _list_folder(
    folder: Path, prefix: str, ignored: list[IgnoredFile]
) -> tuple[list[str], list[str]]:
    """Visible file names directly in ``folder`` and visible sub-folders (relative paths)."""
    files: list[str] = []
    folders: list[str] = []
    with os.scandir(folder) as it:
        for item in it:
            reason = _hidden_reason(item.name)
            if item.is_dir(follow_symlinks=True):
                if reason is not None:
                    ignored.append(IgnoredFile(prefix + item.name + "/", "hidden folder"))
                else:
                    folders.append(prefix + item.name)
            elif reason is not None:
                ignored.append(IgnoredFile(prefix + item.name, reason))
            else:
                files.append(item.name)
    return files, sorted(folders)


def _walk_all(folder: Path) -> list[Path]:
    found: list[Path] = []
    for dirpath, _dirs, names in os.walk(folder):
        found += [Path(dirpath) / name for name in names]
    return sorted(found)


def _pair_folder(
    names: list[str], prefix: str, speaker: str, ignored: list[IgnoredFile]
) -> list[CorpusEntry]:
    """Pair the recordings among ``names`` (one folder's files) with their transcripts."""
    by_stem: dict[str, dict[str, str]] = {}
    for name in names:
        stem, ext = os.path.splitext(name)
        by_stem.setdefault(_nfc(stem), {})[ext.lower()] = name
    entries: list[CorpusEntry] = []
    for _stem, files in sorted(by_stem.items()):
        audio = [files[ext] for ext in AUDIO_EXTENSIONS if ext in files]
        texts = [files[ext] for ext in TEXT_EXTENSIONS if ext in files]
        grid = files.get(TEXTGRID_EXTENSION)
        used: set[str] = set()
        if audio and (texts or grid):
            transcript, kind = (texts[0], "text") if texts else (grid or "", "textgrid")
            others = tuple(prefix + extra for extra in audio[1:])
            entries.append(
                CorpusEntry(prefix + audio[0], prefix + transcript, speaker, kind, others)
            )
            used = {audio[0], transcript}
            for extra in others:
                ignored.append(IgnoredFile(extra, f"another recording of {audio[0]}, aligned "
                                                  "only if that one cannot be read"))  # fmt: skip
            for extra in [*texts[1:], *([grid] if grid and texts else [])]:
                ignored.append(IgnoredFile(prefix + extra, f"{transcript} is the transcript used"))
            used |= set(audio) | set(texts) | ({grid} if grid else set())
        for name in sorted(set(files.values()) - used):
            ignored.append(IgnoredFile(prefix + name, _unmatched_reason(name, bool(audio))))
    return entries


def _unmatched_reason(name: str, stem_has_audio: bool) -> str:
    ext = os.path.splitext(name)[1].lower()
    if ext in AUDIO_EXTENSIONS:
        return "recording without a transcript (.lab, .txt or .TextGrid of the same name)"
    if ext in (*TEXT_EXTENSIONS, TEXTGRID_EXTENSION) and not stem_has_audio:
        return "transcript without a recording of the same name"
    if name in _OUTPUT_NAMES:
        return "an alignment report"
    return "not a recording or transcript"
