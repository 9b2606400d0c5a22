"""Writing one corpus file's outputs (TextGrid and/or JSON), atomically, mirroring the input.

Every output of a corpus goes through :func:`write_outputs` and from there through the one writer
of single-file runs and the editor (:mod:`aligner_gui.core.export.outputs`), so the files are the
same. An interview (a TextGrid of utterances per speaker) becomes one document with a words and a
chars tier per speaker, named "speaker - words" and "speaker - chars" (the style MFA uses), plus
"speaker - doubtful" where doubts were found.
"""

from __future__ import annotations

from pathlib import Path

from aligner_gui.core.corpus.align_file import FileOutcome, restore_samples
from aligner_gui.core.document.conversion import alignment_tiers
from aligner_gui.core.document.document import AlignmentDocument, Tier
from aligner_gui.core.document.provenance import Provenance
from aligner_gui.core.export.outputs import write_alignment, write_document
from aligner_gui.core.io.fileio import remove_stale_temporaries as remove_stale_in_folder

# --format choice -> the files written, as (format, extension).
OUTPUT_CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "textgrid": (("textgrid", ".TextGrid"),),
    "json": (("json", ".json"),),
    "both": (("textgrid", ".TextGrid"), ("json", ".json")),
}


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
        else:
            write_document(interview_document(outcome), path, fmt)
        newest = max(newest, path.stat().st_mtime)
    return newest


def remove_stale_temporaries(out_dir: Path) -> int:
    """Delete temporary files a killed run left behind (a SIGKILL cannot clean up)."""
    folders = [out_dir, *(p for p in out_dir.rglob("*") if p.is_dir())]
    return sum(len(remove_stale_in_folder(folder)) for folder in folders)


def interview_document(outcome: FileOutcome) -> AlignmentDocument:
    """One document for a whole interview: words, chars (nested) and doubt per speaker."""
    duration = outcome.duration or 0.0
    tiers: list[Tier] = []
    for speaker in outcome.speakers:
        tiers += alignment_tiers(
            speaker.words, speaker.chars, speaker.doubtful, duration, prefix=f"{speaker.name} - "
        )
    regions = tuple(r for speaker in outcome.speakers for r in speaker.doubtful)
    warnings = tuple(w for w in outcome.message.split("; ") if w)
    provenance = Provenance(model=outcome.model_name, doubtful=regions, warnings=warnings)
    return AlignmentDocument(tiers, duration, provenance=provenance)
