"""Crash-recovery files: an immutable snapshot of a document, written as versioned JSON and read back.

One file per open document, ``<id>.json`` in a recovery folder, where ``id`` is a stable random
name given to the document when it is opened (so several windows never write the same file).
Which files belong to a live editor is the caller's business (the Qt side holds a lock per id);
this module only snapshots, writes, lists, reads and removes.

A snapshot is cheap to take on the GUI thread: the edits never change a ``Segment`` in place (they
put new ones in the tier's list), so copying each tier's list of segments freezes the document as
it is now, whatever is edited later. Serialising (the expensive part) then runs on a worker thread.
JSON holds every float exactly (``repr`` round-trips), so a restore is bit for bit.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aligner_gui.core.alignment.doubt_context import DoubtfulRegion
from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.document.document import WORD_TIER, AlignmentDocument, Segment, Tier
from aligner_gui.core.document.provenance import GuessedPronunciation, Provenance
from aligner_gui.core.document.undo_history import (
    HistoryStep,
    decode_history,
    encode_history,
    leads_to,
    segment_from_row,
    segment_row,
)
from aligner_gui.core.io.fileio import atomic_write

FORMAT = "aligner-gui-recovery"
VERSION = 2  # 2: with the undo history; version 1 files (without) are read as well
READABLE_VERSIONS = (1, 2)
SUFFIX = ".json"
# Rows per json.dumps call while writing: the C encoder holds the GIL for a whole call, so an
# hour of segments is encoded in slices of well under a millisecond, and the writer hands the
# interpreter over after each (see write_snapshot). One call for 120,000 segments would stall the
# GUI thread for tens of milliseconds (benchmarks/autosave_bench.py).
ROWS_PER_CHUNK = 250
HISTORY_STEPS_PER_CHUNK = 50  # an undo step is a few segments: a slice of the same cost


class RecoveryError(AlignerError):
    """A recovery file that cannot be read (truncated, foreign, or of a newer version)."""


@dataclass(frozen=True)
class TierSnapshot:
    name: str
    parent: str | None
    is_point_tier: bool
    source_name: str | None
    segments: tuple[Segment, ...]  # never mutated: the edits replace segments, not change them
    source_domain: tuple[float, float] | None = None  # the tier's own domain in its file


@dataclass(frozen=True)
class DocumentPaths:
    """The files a document comes from and goes to."""

    audio: Path | None = None
    transcript: Path | None = None
    document: Path | None = None  # where Save writes (a TextGrid); None until first saved


@dataclass(frozen=True)
class Snapshot:
    """Everything a recovery file holds, frozen at one moment."""

    doc_id: str
    tiers: tuple[TierSnapshot, ...]
    duration: float
    xmin: float
    paths: DocumentPaths
    audio_rate: int | None  # the rate the audio was loaded at (the model's, for an alignment)
    audio_channel: int | None  # the channel picked, None when all were mixed down
    edits: int  # undo steps since the document was opened or aligned
    modified: bool  # unsaved changes (a fresh alignment counts as one)
    saved_at: float  # time.time() of the snapshot
    xmax: float | None = None  # the file's own end, when it differs from the audio's
    provenance: Provenance = field(
        default_factory=Provenance
    )  # model, audio file, doubtful regions, warnings
    history: tuple[HistoryStep, ...] = ()  # the undo steps that lead to these tiers

    @property
    def words(self) -> int:
        return _count_words(self.tiers)


def take_snapshot(
    doc: AlignmentDocument,
    doc_id: str,
    paths: DocumentPaths,
    *,
    edits: int,
    modified: bool,
    history: tuple[HistoryStep, ...] = (),
) -> Snapshot:
    """Freeze ``doc`` now: O(segments) pointer copies, no per-segment work."""
    tiers = tuple(
        TierSnapshot(
            t.name, t.parent, t.is_point_tier, t.source_name, tuple(t.segments), t.source_domain
        )
        for t in doc.tiers
    )
    rate = doc.audio.sample_rate if doc.audio is not None else None
    channel = doc.audio.channel if doc.audio is not None else None
    return Snapshot(
        doc_id, tiers, doc.duration, doc.xmin, paths, rate, channel, edits, modified, time.time(),
        xmax=doc.xmax, provenance=doc.provenance, history=history,
    )  # fmt: skip


# -- writing ----------------------------------------------------------------------------------------


def recovery_path(folder: Path, doc_id: str) -> Path:
    return folder / f"{doc_id}{SUFFIX}"


def write_snapshot(folder: Path, snap: Snapshot) -> Path:
    """Write ``snap`` atomically to its file in ``folder`` (created if needed); returns the path."""
    return RecoveryWriter().write(folder, snap)


class RecoveryWriter:
    """Writes successive snapshots of one document, re-encoding only the slices that changed.

    An edit changes a few segments; the other slices of 250 hold the very same Segment objects as
    in the previous snapshot, which a tuple comparison confirms at C speed (identity first), so
    their JSON text is reused. Encoding is the only part of a write that holds the GIL for long:
    an hour takes a few hundred ms to encode from scratch and a few ms after one edit. Use one
    writer per thread (the cache is not locked).
    """

    def __init__(self) -> None:
        self._cache: dict[str, list[tuple[tuple[Segment, ...], str]]] = {}

    def write(self, folder: Path, snap: Snapshot) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = recovery_path(folder, snap.doc_id)
        with atomic_write(path) as handle:
            for piece in self._encode(snap):
                handle.write(piece)
        return path

    def _encode(self, snap: Snapshot) -> Iterator[str]:
        header = {
            "format": FORMAT,
            "version": VERSION,
            "id": snap.doc_id,
            "saved_at": snap.saved_at,
            "audio_path": _str(snap.paths.audio),
            "transcript_path": _str(snap.paths.transcript),
            "document_path": _str(snap.paths.document),
            "audio_rate": snap.audio_rate,
            "audio_channel": snap.audio_channel,
            "duration": snap.duration,
            "xmin": snap.xmin,
            "xmax": snap.xmax,
            "provenance": _provenance_dict(snap.provenance),
            "edits": snap.edits,
            "modified": snap.modified,
            "words": snap.words,
        }
        yield json.dumps(header, ensure_ascii=False)[:-1] + ', "tiers": ['
        cache: dict[str, list[tuple[tuple[Segment, ...], str]]] = {}
        for k, tier in enumerate(snap.tiers):
            meta = {
                "name": tier.name,
                "parent": tier.parent,
                "point_tier": tier.is_point_tier,
                "source_name": tier.source_name,
                "source_domain": tier.source_domain,
            }
            yield ("," if k else "") + "\n" + json.dumps(meta, ensure_ascii=False)[:-1]
            yield ', "segments": ['
            previous = self._cache.get(tier.name, [])
            slices = cache[tier.name] = []
            segs = tier.segments
            for n, i in enumerate(range(0, len(segs), ROWS_PER_CHUNK)):
                chunk = segs[i : i + ROWS_PER_CHUNK]
                if n < len(previous) and previous[n][0] == chunk:
                    text = previous[n][1]
                else:
                    text = _encode_rows(chunk)
                    # Release the GIL now rather than when the interpreter's 5 ms switch
                    # interval forces it: a GUI thread waiting for it gets it within a slice.
                    time.sleep(0)
                slices.append((chunk, text))
                yield ("," if i else "") + text
            yield "]}"
        self._cache = cache
        # The undo history, a slice of steps per call for the same reason as the segments.
        yield '\n], "history": ['
        steps = snap.history
        for i in range(0, len(steps), HISTORY_STEPS_PER_CHUNK):
            rows = encode_history(steps[i : i + HISTORY_STEPS_PER_CHUNK])
            yield ("," if i else "") + json.dumps(rows, ensure_ascii=False)[1:-1]
            time.sleep(0)
        yield "]}\n"


def _encode_rows(chunk: tuple[Segment, ...]) -> str:
    rows = [segment_row(s) for s in chunk]
    return json.dumps(rows, ensure_ascii=False)[1:-1]


def _provenance_dict(info: Provenance) -> dict[str, Any]:
    return {
        "model": info.model,
        "audio_path": _str(info.audio_path),
        "sample_rate": info.sample_rate,
        "doubtful": [[r.start, r.end, r.kind, list(r.words), r.message] for r in info.doubtful],
        "warnings": list(info.warnings),
        "language": info.language,
        "g2p_words": [[g.word, list(g.phones)] for g in info.guessed],
    }


def _provenance(data: Any) -> Provenance:
    if data is None:
        return Provenance()
    regions = tuple(
        DoubtfulRegion(float(a), float(b), str(kind), (int(w[0]), int(w[1])), str(message))
        for a, b, kind, w, message in data["doubtful"]
    )
    return Provenance(
        model=None if data["model"] is None else str(data["model"]),
        audio_path=_path(data["audio_path"]),
        sample_rate=None if data["sample_rate"] is None else int(data["sample_rate"]),
        doubtful=regions,
        warnings=tuple(str(w) for w in data["warnings"]),
        # Recovery files written before phones lack these two.
        language=None if data.get("language") is None else str(data["language"]),
        guessed=tuple(
            GuessedPronunciation(str(word), tuple(str(p) for p in phones))
            for word, phones in data.get("g2p_words", [])
        ),
    )


def _str(path: Path | None) -> str | None:
    return None if path is None else str(path)


# -- reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recovery:
    """A recovery file read back: its summary and the tiers to rebuild the document from."""

    path: Path
    doc_id: str
    saved_at: float
    paths: DocumentPaths
    audio_rate: int | None
    audio_channel: int | None
    duration: float
    xmin: float
    edits: int
    modified: bool
    tiers: tuple[Tier, ...]
    xmax: float | None = None
    provenance: Provenance = field(default_factory=Provenance)
    # The undo steps that lead to ``tiers``, checked (see undo_history.leads_to); () when the
    # file had none (version 1) or a damaged one.
    history: tuple[HistoryStep, ...] = ()

    @property
    def words(self) -> int:
        return _count_words(self.tiers)

    def to_document(self, audio: Any = None) -> AlignmentDocument:
        """The document as it was (``audio`` re-read from ``paths.audio`` by the caller).

        Tiers are copied so that two documents made from one recovery never share a list."""
        tiers = [
            Tier(
                t.name, list(t.segments), t.parent, t.is_point_tier, t.source_name,
                t.source_domain,
            )
            for t in self.tiers
        ]  # fmt: skip
        return AlignmentDocument(
            tiers, self.duration, audio=audio, xmin=self.xmin, xmax=self.xmax,
            provenance=self.provenance,
        )  # fmt: skip


def read_recovery(path: Path) -> Recovery:
    """Read a recovery file; RecoveryError (one line) when it is not a readable one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise RecoveryError(f"Cannot read the recovery file {path}: {err.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RecoveryError(f"The recovery file {path} is damaged or incomplete.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RecoveryError(f"{path} is not an aligner-gui recovery file")
    if data.get("version") not in READABLE_VERSIONS:
        raise RecoveryError(
            f"{path} is a recovery file of version {data.get('version')!r}; this aligner-gui "
            f"reads versions {READABLE_VERSIONS[0]} to {VERSION}"
        )
    try:
        tiers = tuple(_tier(t) for t in data["tiers"])
        recovery = Recovery(
            path=Path(path),
            doc_id=str(data["id"]),
            saved_at=float(data["saved_at"]),
            paths=DocumentPaths(
                _path(data["audio_path"]),
                _path(data["transcript_path"]),
                _path(data["document_path"]),
            ),
            audio_rate=None if data["audio_rate"] is None else int(data["audio_rate"]),
            audio_channel=None if data["audio_channel"] is None else int(data["audio_channel"]),
            duration=float(data["duration"]),
            xmin=float(data["xmin"]),
            edits=int(data["edits"]),
            modified=bool(data["modified"]),
            tiers=tiers,
            xmax=None if data["xmax"] is None else float(data["xmax"]),
            provenance=_provenance(data["provenance"]),
        )
        recovery.to_document()  # the invariants hold, or the file is not used
    except (KeyError, TypeError, ValueError) as err:
        raise RecoveryError(f"The recovery file {path} is damaged ({err})") from None
    return dataclasses.replace(recovery, history=_checked_history(data, recovery))


def _checked_history(data: dict, recovery: Recovery) -> tuple[HistoryStep, ...]:
    """The file's undo history when it leads to its tiers; else none (the tiers still count)."""
    try:
        steps = decode_history(data.get("history", []))
    except (KeyError, TypeError, ValueError):
        return ()
    if not steps:  # nothing to undo: the tiers' invariants were checked by read_recovery
        return ()
    document = {"duration": recovery.duration, "xmin": recovery.xmin, "xmax": recovery.xmax}
    return steps if leads_to(steps, recovery.tiers, **document) else ()


def _tier(data: dict) -> Tier:
    segments = [segment_from_row(row) for row in data["segments"]]
    domain = data["source_domain"]
    return Tier(
        str(data["name"]), segments, data["parent"], bool(data["point_tier"]), data["source_name"],
        None if domain is None else (float(domain[0]), float(domain[1])),
    )  # fmt: skip


def _path(value: Any) -> Path | None:
    return None if value is None else Path(str(value))


def list_recoveries(folder: Path) -> tuple[list[Recovery], list[str]]:
    """Every readable recovery file in ``folder``, newest first, and one line per unreadable
    one (left where it is: a file we cannot read is still somebody's work)."""
    found: list[Recovery] = []
    problems: list[str] = []
    for path in recovery_files(folder):
        try:
            found.append(read_recovery(path))
        except RecoveryError as err:
            problems.append(str(err))
    found.sort(key=lambda r: r.saved_at, reverse=True)
    return found, problems


def recovery_files(folder: Path) -> list[Path]:
    """The recovery files in ``folder`` (none when it does not exist), by name."""
    return sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []


def remove_recovery(folder: Path, doc_id: str) -> None:
    recovery_path(folder, doc_id).unlink(missing_ok=True)


def _count_words(tiers: tuple[TierSnapshot, ...] | tuple[Tier, ...]) -> int:
    for tier in tiers:
        if tier.name == WORD_TIER:
            return sum(1 for s in tier.segments if s.label)
    # A Praat file's tiers may have other names: the first interval tier stands for the words.
    for tier in tiers:
        if not tier.is_point_tier:
            return sum(1 for s in tier.segments if s.label)
    return 0
