"""The one path from an alignment to a file: a document written as a TextGrid, JSON or CSV.

The command line (``align``, ``convert``) and the editor (save, export) all write through
:func:`write_document`, so a file says the same whichever wrote it. One error policy: a format
that cannot be told or a file that cannot be written raises :class:`ExportError` with one line
naming the file; the write is atomic, so an existing file is either replaced whole or left as it
was, and no temporary file stays behind.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from aligner_gui.core.base.errors import ExportError
from aligner_gui.core.document.document import AlignmentDocument
from aligner_gui.core.export.document_json import (
    document_to_json,
    export_tiers,
    read_document_json,
)
from aligner_gui.core.io.fileio import atomic_write_bytes
from aligner_gui.core.io.textgrid import format_textgrid, read_textgrid

if TYPE_CHECKING:
    from aligner_gui.core.alignment.pipeline import AlignmentResult
    from aligner_gui.core.io.audio import Audio

FORMATS = ("textgrid", "textgrid-short", "json", "csv", "textgrid-chronological")
_BY_EXTENSION = {".textgrid": "textgrid", ".json": "json", ".csv": "csv"}
_DESCRIPTIONS = {
    "textgrid": "TextGrid",
    "textgrid-short": "TextGrid",
    "textgrid-chronological": "TextGrid",
    "json": "JSON",
    "csv": "CSV",
}
CSV_HEADER = ("tier", "class", "start", "end", "label", "score", "aligned")


def output_format(path: str | Path, fmt: str | None = None) -> str:
    """The explicit ``fmt``, else the one ``path``'s extension names; ExportError otherwise."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise ExportError(
                f"{path}: unknown output format {fmt!r}; the formats are {', '.join(FORMATS)}."
            )
        return fmt
    suffix = Path(path).suffix
    found = _BY_EXTENSION.get(suffix.lower())
    if found is None:
        raise ExportError(
            f"{path}: cannot tell the output format from the extension {suffix or '(none)'!r};"
            " name the file .TextGrid, .json or .csv, or choose one with --format: "
            f"{', '.join(FORMATS)}."
        )
    return found


def write_document(document: AlignmentDocument, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``document`` to ``path`` as ``fmt`` (by default from the extension), atomically."""
    target = Path(path)
    chosen = output_format(target, fmt)
    data = render_document(document, chosen).encode("utf-8")
    try:
        atomic_write_bytes(target, data)
    except OSError as err:
        raise ExportError(
            f"{target}: the {_DESCRIPTIONS[chosen]} file cannot be written ({err.strerror or err})."
        ) from err
    return target


def write_alignment(result: AlignmentResult, path: str | Path, fmt: str | None = None) -> Path:
    """The engine's result as the editor would open and save it: ``write_document`` of
    ``AlignmentDocument.from_alignment(result)``."""
    return write_document(AlignmentDocument.from_alignment(result), path, fmt)


def render_document(document: AlignmentDocument, fmt: str) -> str:
    if fmt.startswith("textgrid"):
        return format_textgrid(
            document.to_textgrid(),
            short=fmt == "textgrid-short",
            chronological=fmt == "textgrid-chronological",
        )
    if fmt == "json":
        return document_to_json(document)
    if fmt == "csv":
        return document_to_csv(document)
    raise ExportError(f"unknown output format {fmt!r}; the formats are {', '.join(FORMATS)}.")


def document_to_csv(document: AlignmentDocument) -> str:
    """One row per interval or point: tier,class,start,end,label,score,aligned (a point has
    start = end and no score or flag; an unknown score is empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180 line ends and quoting
    writer.writerow(CSV_HEADER)
    for tier in export_tiers(document):
        kind = "TextTier" if tier.is_point_tier else "IntervalTier"
        for start, end, label, seg in tier.items:
            if tier.is_point_tier:
                writer.writerow([tier.name, kind, _num(start), _num(end), label, "", ""])
                continue
            score = "" if seg.score is None else _num(seg.score)
            aligned = "true" if seg.aligned else "false"
            writer.writerow([tier.name, kind, _num(start), _num(end), label, score, aligned])
    return out.getvalue()


def _num(value: float) -> str:
    return repr(float(value))  # shortest text that reads back exactly


def read_document(path: str | Path, audio: Audio | None = None) -> AlignmentDocument:
    """A TextGrid (any dialect Praat reads) or a JSON output of aligner-gui, as a document."""
    if Path(path).suffix.lower() == ".json":
        return read_document_json(path, audio)
    return AlignmentDocument.from_textgrid(read_textgrid(path), audio)


def convert_file(src: str | Path, dst: str | Path, fmt: str | None = None) -> AlignmentDocument:
    """Read ``src`` (TextGrid or JSON) and write it to ``dst`` as ``fmt`` (by default from dst's
    extension), through the document the editor would open.

    The format is checked and the source read completely before anything is written, so a bad
    name, a malformed source or a failed write leaves an existing ``dst`` as it was.
    """
    chosen = output_format(dst, fmt)
    document = read_document(src)
    write_document(document, dst, chosen)
    return document
