"""A document as JSON (every tier, each interval with its score and ``aligned`` flag, and where the
alignment came from) and that JSON read back into a document, so a save loses nothing.

Schema (times in seconds, intervals half-open)::

    {"format": "aligner-gui alignment", "version": 1, "xmin": 0.0, "xmax": 12.3,
     "audio": "/path/rec.wav" | null, "sample_rate": 44100 | null, "model": "MMS_FA" | null,
     "tiers": [{"name": "words", "class": "IntervalTier", "xmin": 0.0, "xmax": 12.3,
                "parent": null, "items": [{"start", "end", "label", "score", "aligned"}]},
               {"name": "phones", ..., "parent": "words", "items": [{..., "parent_item"}]},
               {"name": "pitch marks", "class": "TextTier", ..., "items": [{"time", "label"}]}],
     "doubtful": [{"start", "end", "kind", "words": [first, last), "message"}],
     "warnings": ["..."]}

``score`` is the mean frame probability in [0, 1], null when unknown (an unaligned word, a tier
read from Praat). A labelled item of a nested tier (phones or chars in words) has
``parent_item``: the index of its word among the parent tier's items. The tiers are those of
the TextGrid the same document saves.
"""

from __future__ import annotations

import bisect
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aligner_gui.core.alignment.doubt import DoubtfulRegion
from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.document.document import (
    AlignmentDocument,
    Segment,
    Tier,
    inside_one_segment,
    partition,
    unique_name,
)
from aligner_gui.core.document.provenance import GuessedPronunciation, Provenance
from aligner_gui.core.io.textgrid import IntervalTier

if TYPE_CHECKING:
    from aligner_gui.core.io.audio import Audio

FORMAT_NAME = "aligner-gui alignment"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class ExportedTier:
    """One tier as every output writes it: the TextGrid's name, domain and times (clipped to an
    excerpt's start), with the document segment each item came from (for score and flag)."""

    name: str
    is_point_tier: bool
    xmin: float
    xmax: float
    parent: str | None
    items: tuple[tuple[float, float, str, Segment], ...]  # start, end (= start for points), label


def export_tiers(document: AlignmentDocument) -> list[ExportedTier]:
    """The tiers of ``document.to_textgrid()``, each item paired with its segment."""
    grid = document.to_textgrid()
    pairs = list(zip(document.tiers, grid.tiers, strict=True))
    written = {tier.name: grid_tier.name for tier, grid_tier in pairs}
    out = []
    for tier, grid_tier in pairs:
        if isinstance(grid_tier, IntervalTier):
            # to_textgrid keeps, in order, the segments that overlap the tier's own domain.
            kept = [
                seg
                for seg in tier.segments
                if seg.end > grid_tier.xmin and seg.start < grid_tier.xmax
            ]
            spans = [(iv.start, iv.end, iv.label) for iv in grid_tier.intervals]
        else:
            kept = list(tier.segments)
            spans = [(pt.time, pt.time, pt.label) for pt in grid_tier.points]
        items = tuple((*span, seg) for span, seg in zip(spans, kept, strict=True))
        parent = None if tier.parent is None else written[tier.parent]
        out.append(
            ExportedTier(
                grid_tier.name,
                not isinstance(grid_tier, IntervalTier),
                grid.xmin,
                grid.xmax,
                parent,
                items,
            )
        )
    return out


def document_to_json_dict(document: AlignmentDocument) -> dict[str, Any]:
    tiers = export_tiers(document)
    info = document.provenance
    xmin = tiers[0].xmin if tiers else document.xmin
    xmax = tiers[0].xmax if tiers else document.xmax
    data: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "xmin": xmin,
        "xmax": xmax,
        "audio": None if info.audio_path is None else str(info.audio_path),
        "sample_rate": info.sample_rate,
        "model": info.model,
        "tiers": [_tier_dict(tier, tiers) for tier in tiers],
        "doubtful": [
            {
                "start": r.start,
                "end": r.end,
                "kind": r.kind,
                "words": list(r.words),
                "message": r.message,
            }
            for r in info.doubtful
        ],
        "warnings": list(info.warnings),
    }
    # Only what there is: a letter model's output stays as it was before phones existed.
    if info.language is not None:
        data["language"] = info.language
    if info.guessed:  # words pronounced by G2P, not the dictionary: the editor marks them
        data["g2p_words"] = [{"word": g.word, "phones": list(g.phones)} for g in info.guessed]
    return data


def _tier_dict(tier: ExportedTier, tiers: list[ExportedTier]) -> dict[str, Any]:
    items: list[dict[str, Any]]
    if tier.is_point_tier:
        items = [{"time": start, "label": label} for start, _, label, _ in tier.items]
    else:
        items = [
            {"start": start, "end": end, "label": label, "score": seg.score, "aligned": seg.aligned}
            for start, end, label, seg in tier.items
        ]
        parent = next((t for t in tiers if t.name == tier.parent), None)
        if parent is not None:  # each labelled phone or character names its word
            starts = [start for start, *_ in parent.items]
            for item in items:
                if item["label"]:
                    item["parent_item"] = max(0, bisect.bisect_right(starts, item["start"]) - 1)
    return {
        "name": tier.name,
        "class": "TextTier" if tier.is_point_tier else "IntervalTier",
        "xmin": tier.xmin,
        "xmax": tier.xmax,
        "parent": tier.parent,
        "items": items,
    }


def document_to_json(document: AlignmentDocument) -> str:
    # json writes floats with repr, which reads back exactly.
    return json.dumps(document_to_json_dict(document), ensure_ascii=False, indent=2) + "\n"


# -- reading ---------------------------------------------------------------------------------------


class _Malformed(Exception):
    pass


def read_document_json(path: str | Path, audio: Audio | None = None) -> AlignmentDocument:
    """The document a JSON output of aligner-gui describes; an AlignerError (one line) when the
    file cannot be read or is not such a file."""
    source = Path(path)
    try:
        data = json.loads(source.read_bytes().decode("utf-8-sig"))
    except OSError as err:
        raise AlignerError(f"{source}: cannot be read ({err.strerror or err}).") from err
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise AlignerError(f"{source}: not a JSON file ({err}).") from err
    try:
        return document_from_json_dict(data, audio)
    except (_Malformed, ValueError, TypeError, KeyError) as err:
        raise AlignerError(
            f"{source}: not an alignment JSON written by aligner-gui ({err})."
        ) from err


def document_from_json_dict(data: Any, audio: Audio | None = None) -> AlignmentDocument:
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise _Malformed(f'no "format": "{FORMAT_NAME}"')
    if data.get("version") != FORMAT_VERSION:
        raise _Malformed(f"version {data.get('version')!r}, not {FORMAT_VERSION}")
    raw_tiers = _list(data, "tiers")
    ends = [_time(data, "xmax")]
    for raw in raw_tiers:
        for item in _list(raw, "items"):
            ends.append(_time(item, "time" if raw.get("class") == "TextTier" else "end"))
    if audio is not None:
        ends.append(float(audio.duration))
    duration = max(ends)
    tiers: list[Tier] = []
    parents: list[object] = []
    used: set[str] = set()
    for raw in raw_tiers:
        source = str(raw.get("name", ""))
        name = unique_name(source, used)
        used.add(name)
        tier = _read_tier(raw, name, duration)
        tier.source_name = None if name == source else source
        tiers.append(tier)
        parents.append(raw.get("parent"))
    _link_parents(tiers, parents)
    provenance = Provenance(
        model=_optional(data, "model", str),
        audio_path=None if data.get("audio") is None else Path(str(data["audio"])),
        sample_rate=_optional(data, "sample_rate", int),
        doubtful=tuple(_doubtful(raw) for raw in _list(data, "doubtful")),
        warnings=tuple(str(w) for w in _list(data, "warnings")),
        language=_optional(data, "language", str),  # absent from older files
        guessed=tuple(_guessed(raw) for raw in _list(data, "g2p_words")),
    )
    xmin = max(0.0, _time(data, "xmin"))
    return AlignmentDocument(
        tiers, duration, audio=audio, xmin=xmin, xmax=ends[0], provenance=provenance
    )


def _read_tier(raw: dict[str, Any], name: str, duration: float) -> Tier:
    kind = raw.get("class")
    items = _list(raw, "items")
    if kind == "TextTier":
        points = sorted(
            (Segment(_time(p, "time"), _time(p, "time"), str(p.get("label", ""))) for p in items),
            key=lambda s: s.start,
        )
        return Tier(name, [p for p in points if 0.0 <= p.start <= duration], is_point_tier=True)
    if kind != "IntervalTier":
        raise _Malformed(f"tier {name!r} has the class {kind!r}")
    segments = (
        Segment(
            _time(iv, "start"),
            _time(iv, "end"),
            str(iv.get("label", "")),
            _score(iv.get("score")),
            bool(iv.get("aligned", True)),
        )
        for iv in items
    )
    return Tier(name, partition(segments, duration))


def _link_parents(tiers: list[Tier], parents: list[object]) -> None:
    """Restore each written parent link whose nesting still holds (a hand-edited file may not)."""
    by_name = {t.source_name if t.source_name is not None else t.name: t for t in tiers}
    for tier, parent_name in zip(tiers, parents, strict=True):
        parent = by_name.get(str(parent_name)) if parent_name is not None else None
        if parent is None or parent is tier or tier.is_point_tier or parent.is_point_tier:
            continue
        if all(
            not seg.label or inside_one_segment(parent, seg.start, seg.end) for seg in tier.segments
        ):
            tier.parent = parent.name


def _list(data: Any, key: str) -> list[Any]:
    value = data.get(key, []) if isinstance(data, dict) else None
    if not isinstance(value, list):
        raise _Malformed(f'"{key}" is not a list')
    return value


def _time(data: Any, key: str) -> float:
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Malformed(f'"{key}" is {value!r}, not a time in seconds')
    return float(value)


def _score(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Malformed(f"the score {value!r} is not a number")
    return float(value)


def _optional(data: dict[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, kind)):
        raise _Malformed(f'"{key}" is {value!r}')
    return value


def _guessed(raw: Any) -> GuessedPronunciation:
    phones = _list(raw, "phones")
    if not isinstance(raw.get("word"), str) or not all(isinstance(p, str) for p in phones):
        raise _Malformed(f"a G2P word is {raw!r}, not a word and its phones")
    return GuessedPronunciation(raw["word"], tuple(phones))


def _doubtful(raw: Any) -> DoubtfulRegion:
    words = _list(raw, "words")
    if len(words) != 2 or not all(isinstance(w, int) for w in words):
        raise _Malformed(f"a doubtful region's words are {words!r}, not [first, last]")
    start, end = _time(raw, "start"), _time(raw, "end")
    return DoubtfulRegion(start, end, str(raw["kind"]), (words[0], words[1]), str(raw["message"]))
