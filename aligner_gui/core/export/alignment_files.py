"""Writing an alignment result as a TextGrid, JSON or CSV file (atomically)."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

from aligner_gui.core.alignment.pipeline import AlignmentResult, alignment_to_textgrid
from aligner_gui.core.export.textgrid_export import output_format
from aligner_gui.core.io.fileio import atomic_write_text
from aligner_gui.core.io.textgrid import write_textgrid

ALIGNMENT_FORMATS = ("textgrid", "json", "csv")


def _score(value: float) -> float | None:
    # JSON has no NaN: an unaligned word's unknown score is null.
    return None if math.isnan(value) else float(value)


def alignment_to_json_dict(result: AlignmentResult) -> dict[str, Any]:
    audio_path = result.audio.path
    return {
        "audio": None if audio_path is None else str(audio_path),
        "duration": result.duration,
        "sample_rate": result.audio.source_sample_rate,
        "model": result.model_name,
        "words": [
            {
                "label": w.label,
                "start": w.start,
                "end": w.end,
                "score": _score(w.score),
                "aligned": w.aligned,
            }
            for w in result.words
        ],
        "chars": [
            {"label": c.label, "start": c.start, "end": c.end, "score": _score(c.score)}
            for c in result.chars
        ],
        "doubtful": [
            {
                "start": r.start,
                "end": r.end,
                "kind": r.kind,
                "words": list(r.words),
                "message": r.message,
            }
            for r in result.doubtful
        ],
        "warnings": list(result.warnings),
    }


def alignment_to_csv(result: AlignmentResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["tier", "label", "start", "end", "score", "aligned"])
    for w in result.words:
        writer.writerow(
            ["words", w.label, repr(w.start), repr(w.end), _csv_score(w.score), w.aligned]
        )
    for c in result.chars:
        writer.writerow(["chars", c.label, repr(c.start), repr(c.end), _csv_score(c.score), True])
    for r in result.doubtful:
        writer.writerow(["doubtful", f"{r.kind}: {r.message}", repr(r.start), repr(r.end), "", ""])
    return buffer.getvalue()


def _csv_score(value: float) -> str:
    return "" if math.isnan(value) else repr(float(value))


def write_alignment(result: AlignmentResult, path: str | Path, fmt: str | None = None) -> str:
    """Write ``result`` to ``path`` atomically; returns the format used."""
    chosen = output_format(path, fmt, ALIGNMENT_FORMATS)
    if chosen == "textgrid":
        write_textgrid(alignment_to_textgrid(result), path)
    elif chosen == "json":
        text = json.dumps(alignment_to_json_dict(result), ensure_ascii=False, indent=2)
        atomic_write_text(path, text + "\n")
    else:
        atomic_write_text(path, alignment_to_csv(result))
    return chosen
