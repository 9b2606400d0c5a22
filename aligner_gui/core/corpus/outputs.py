"""Writing one corpus file's outputs (TextGrid and/or JSON), atomically, mirroring the input.

Every output of a corpus goes through :func:`write_outputs`; a one-utterance file is written by
the same ``write_alignment`` as a single-file run, so the tiers are the same. An interview (a
TextGrid of utterances per speaker) gets a words and a chars tier per speaker, named
"speaker - words" and "speaker - chars" (the style MFA uses), plus "speaker - doubtful" where
doubts were found.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from aligner_gui.core.alignment.pipeline import doubtful_intervals
from aligner_gui.core.corpus.align_file import FileOutcome, SpeakerAlignment, restore_samples
from aligner_gui.core.export.alignment_files import write_alignment
from aligner_gui.core.io.fileio import atomic_write_text
from aligner_gui.core.io.textgrid import Interval, IntervalTier, TextGrid, fill_gaps, write_textgrid

# --format choice -> the files written, as (format, extension).
OUTPUT_CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "textgrid": (("textgrid", ".TextGrid"),),
    "json": (("json", ".json"),),
    "both": (("textgrid", ".TextGrid"), ("json", ".json")),
}

# atomic_write's temporary names: "." + target name + "." + mkstemp's 8 random characters + ".tmp".
_TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def output_paths(out_dir: Path, output_stem: str, choice: str) -> list[Path]:
    return [out_dir / (output_stem + ext) for _fmt, ext in OUTPUT_CHOICES[choice]]


def write_outputs(outcome: FileOutcome, out_dir: Path, output_stem: str, choice: str) -> float:
    """Write a successful outcome's files; returns the newest output's modification time."""
    newest = 0.0
    for (fmt, _ext), path in zip(
        OUTPUT_CHOICES[choice], output_paths(out_dir, output_stem, choice), strict=True
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        if outcome.result is not None:
            write_alignment(restore_samples(outcome.result, outcome.num_samples), path, fmt)
        elif fmt == "textgrid":
            write_textgrid(interview_textgrid(outcome), path)
        else:
            text = json.dumps(interview_json(outcome), ensure_ascii=False, indent=2)
            atomic_write_text(path, text + "\n")
        newest = max(newest, path.stat().st_mtime)
    return newest


def remove_stale_temporaries(out_dir: Path) -> int:
    """Delete temporary files a killed run left behind (a SIGKILL cannot clean up)."""
    removed = 0
    for path in out_dir.rglob(".*.tmp"):
        if _TEMPORARY.match(path.name) and path.is_file():
            path.unlink()
            removed += 1
    return removed


def interview_textgrid(outcome: FileOutcome) -> TextGrid:
    duration = outcome.duration or 0.0
    tiers: list[IntervalTier] = []
    for speaker in outcome.speakers:
        words = tuple(Interval(w.start, w.end, w.label) for w in speaker.words if w.end > w.start)
        chars = tuple(Interval(c.start, c.end, c.label) for c in speaker.chars if c.end > c.start)
        tiers.append(
            _cover(IntervalTier(f"{speaker.name} - words", 0.0, duration, words), duration)
        )
        tiers.append(
            _cover(IntervalTier(f"{speaker.name} - chars", 0.0, duration, chars), duration)
        )
        if speaker.doubtful:
            doubt = tuple(doubtful_intervals(speaker.doubtful))
            tiers.append(
                _cover(IntervalTier(f"{speaker.name} - doubtful", 0.0, duration, doubt), duration)
            )
    return TextGrid(0.0, duration, tuple(tiers))


def _cover(tier: IntervalTier, duration: float) -> IntervalTier:
    return fill_gaps(tier, 0.0, duration)


def interview_json(outcome: FileOutcome) -> dict[str, Any]:
    return {
        "duration": outcome.duration,
        "model": outcome.model_name,
        "speakers": [_speaker_json(s) for s in outcome.speakers],
        "warnings": [w for w in outcome.message.split("; ") if w],
    }


def _speaker_json(speaker: SpeakerAlignment) -> dict[str, Any]:
    def score(value: float) -> float | None:
        return None if math.isnan(value) else float(value)

    return {
        "name": speaker.name,
        "words": [
            {
                "label": w.label,
                "start": w.start,
                "end": w.end,
                "score": score(w.score),
                "aligned": w.aligned,
            }
            for w in speaker.words
        ],
        "chars": [
            {"label": c.label, "start": c.start, "end": c.end, "score": score(c.score)}
            for c in speaker.chars
        ],
        "doubtful": [
            {"start": r.start, "end": r.end, "kind": r.kind, "message": r.message}
            for r in speaker.doubtful
        ],
    }
