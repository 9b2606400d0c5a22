"""TextGrids as JSON and CSV, and converting a TextGrid file from one format to another."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.io.fileio import atomic_write_text
from aligner_gui.core.io.textgrid import (
    IntervalTier,
    TextGrid,
    read_textgrid,
    write_textgrid,
)

FORMATS = ("textgrid", "textgrid-short", "json", "csv", "textgrid-chronological")
_BY_EXTENSION = {".textgrid": "textgrid", ".json": "json", ".csv": "csv"}


def textgrid_to_json_dict(tg: TextGrid) -> dict[str, Any]:
    """A plain-data view of the grid; "class" uses Praat's names (IntervalTier / TextTier)."""
    tiers: list[dict[str, Any]] = []
    for tier in tg.tiers:
        items: list[dict[str, Any]]
        if isinstance(tier, IntervalTier):
            items = [
                {"start": float(iv.start), "end": float(iv.end), "label": iv.label}
                for iv in tier.intervals
            ]
        else:
            items = [{"time": float(pt.time), "label": pt.label} for pt in tier.points]
        tiers.append(
            {
                "name": tier.name,
                "class": "IntervalTier" if isinstance(tier, IntervalTier) else "TextTier",
                "xmin": float(tier.xmin),
                "xmax": float(tier.xmax),
                "items": items,
            }
        )
    return {"xmin": float(tg.xmin), "xmax": float(tg.xmax), "tiers": tiers}


def textgrid_to_json(tg: TextGrid) -> str:
    # json writes floats with repr, which reads back exactly.
    return json.dumps(textgrid_to_json_dict(tg), ensure_ascii=False, indent=2) + "\n"


def textgrid_to_csv(tg: TextGrid) -> str:
    """One row per interval or point: tier,class,start,end,label (a point has start = end)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180 line ends and quoting
    writer.writerow(["tier", "class", "start", "end", "label"])
    for tier in tg.tiers:
        if isinstance(tier, IntervalTier):
            for iv in tier.intervals:
                writer.writerow([tier.name, "IntervalTier", _num(iv.start), _num(iv.end), iv.label])
        else:
            for pt in tier.points:
                writer.writerow([tier.name, "TextTier", _num(pt.time), _num(pt.time), pt.label])
    return out.getvalue()


def _num(value: float) -> str:
    return repr(float(value))  # shortest text that reads back exactly


def output_format(dst: str | Path, fmt: str | None, allowed: tuple[str, ...] = FORMATS) -> str:
    """The explicit ``fmt``, else the one ``dst``'s extension names; a clear error otherwise.
    Shared by ``convert`` (``FORMATS``) and ``align`` (its own subset)."""
    if fmt is not None:
        if fmt not in allowed:
            raise AlignerError(
                f"{dst}: unknown output format {fmt!r}; the formats are {', '.join(allowed)}."
            )
        return fmt
    suffix = Path(dst).suffix
    found = _BY_EXTENSION.get(suffix.lower())
    if found is None or found not in allowed:
        raise AlignerError(
            f"{dst}: cannot tell the output format from the extension {suffix or '(none)'!r};"
            " name the file .TextGrid, .json or .csv, or choose one with --format: "
            f"{', '.join(allowed)}."
        )
    return found


def convert_textgrid(src: str | Path, dst: str | Path, fmt: str | None = None) -> TextGrid:
    """Read ``src`` and write it to ``dst`` as ``fmt`` (by default from dst's extension).

    The source is read completely before anything is written, and the write is atomic, so a
    malformed source or a failed write leaves an existing ``dst`` as it was.
    """
    target = Path(dst)
    chosen = output_format(target, fmt)
    tg = read_textgrid(src)
    if chosen.startswith("textgrid"):
        short, chronological = chosen == "textgrid-short", chosen == "textgrid-chronological"
        write_textgrid(tg, target, short=short, chronological=chronological)
        return tg
    text = textgrid_to_json(tg) if chosen == "json" else textgrid_to_csv(tg)
    try:
        atomic_write_text(target, text)
    except OSError as err:
        raise AlignerError(
            f"{target}: the {chosen} file cannot be written ({err.strerror})."
        ) from err
    return tg
