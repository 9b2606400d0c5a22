"""The main window's document files: opening (through the background worker), saving, exporting,
recent files and the "unsaved changes" question."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QByteArray

from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.document.document import AlignmentDocument
from aligner_gui.qt import dialogs
from aligner_gui.qt.file_pairs import AlignFiles, TextGridFiles, classify_files
from aligner_gui.qt.worker import AlignmentJob, OpenTextGridJob

if TYPE_CHECKING:
    from aligner_gui.core.alignment.pipeline import AlignmentResult
    from aligner_gui.core.io.audio import Audio
    from aligner_gui.core.io.textgrid import TextGrid
    from aligner_gui.qt.main_window import MainWindow

# Settings has no typed entry for the splitter yet; kept under its own key beside the others.
SPLITTER_KEY = "layout/view_splitter"
TEXTGRID_SAVE_FILTER = "Praat TextGrid (*.TextGrid)"
TEXTGRID_EXPORT_FILTERS = (
    "Praat TextGrid, long format (*.TextGrid);;Praat TextGrid, short format (*.TextGrid);;"
    "JSON with scores (*.json);;CSV table (*.csv)"
)
# The format each export filter writes (aligner_gui.core.export.outputs.FORMATS).
EXPORT_FORMATS = dict(
    zip(
        TEXTGRID_EXPORT_FILTERS.split(";;"),
        ("textgrid", "textgrid-short", "json", "csv"),
        strict=True,
    )
)


def alignment_summary(result: AlignmentResult) -> str:
    """One status-bar line: what was aligned with what, and what to look at."""
    text = f"Aligned {len(result.words)} words with {result.model_name}."
    if result.model_name == "demo":
        text += " " + dialogs.DEMO_MODEL_NOTE
    if result.warnings:
        more = f" (and {len(result.warnings) - 1} more)" if len(result.warnings) > 1 else ""
        text += f" Warning: {result.warnings[0]}{more}"
    return text


class Session:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.document_path: Path | None = None  # where Save writes (a TextGrid)
        self.audio_path: Path | None = None
        self.transcript_path: Path | None = None

    @property
    def settings(self):
        return self.window.settings

    @property
    def model(self):
        return self.window.model

    def display_name(self) -> str:
        if self.document_path is not None:
            return self.document_path.name
        if self.audio_path is not None and self.model.document is not None:
            return f"{self.audio_path.stem} (not saved)"
        return ""

    # -- splitter layout ---------------------------------------------------------------------------

    def splitter_state(self) -> QByteArray | None:
        value = self.settings.store.value(SPLITTER_KEY)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def save_splitter_state(self, state: QByteArray) -> None:
        self.settings.store.setValue(SPLITTER_KEY, state)

    # -- opening -----------------------------------------------------------------------------------

    def maybe_save(self) -> bool:
        """True when it is fine to replace or close the document (saved, discarded, or clean)."""
        if self.model.document is None or not self.model.is_modified():
            return True
        answer = dialogs.ask_save_changes(self.window, self.display_name() or "The alignment")
        if answer == "save":
            return self.save()
        return answer == "discard"

    def ask_open_alignment(self) -> None:
        chosen = dialogs.ask_audio_and_transcript(self.window, self.settings.last_directory)
        if chosen is not None:
            self.open_alignment(*chosen)

    def ask_open_textgrid(self) -> None:
        chosen = dialogs.ask_textgrid_and_audio(self.window, self.settings.last_directory)
        if chosen is not None:
            self.open_textgrid(*chosen)

    def open_files(self, paths: list[Path]) -> None:
        request = classify_files(paths)
        if isinstance(request, AlignFiles):
            self.open_alignment(request.audio, request.transcript)
        elif isinstance(request, TextGridFiles):
            self.open_textgrid(request.textgrid, request.audio)
        else:
            dialogs.show_error(self.window, request)

    def open_alignment(self, audio: Path, transcript: Path, model: str | None = None) -> bool:
        """Start aligning ``transcript`` to ``audio`` in the background; False if not started.

        ``model`` overrides the chosen model for this job only (the demo model offered offline).
        """
        if not self.maybe_save():
            return False
        job = AlignmentJob(
            audio_path=Path(audio),
            transcript_path=Path(transcript),
            model=model or self.settings.model_name,
            device=self.settings.device,
        )
        self._start(job, f"Aligning {Path(audio).name}…")
        return True

    def open_textgrid(self, textgrid: Path, audio: Path | None) -> bool:
        if not self.maybe_save():
            return False
        job = OpenTextGridJob(textgrid_path=Path(textgrid), audio_path=audio and Path(audio))
        self._start(job, f"Opening {Path(textgrid).name}…")
        return True

    def _start(self, job: AlignmentJob | OpenTextGridJob, message: str) -> None:
        self.window.player.stop()
        self.window.set_busy(True)
        self.window.stage_label.setText(message)
        self.controller_start(job)

    def controller_start(self, job: AlignmentJob | OpenTextGridJob) -> None:
        self.window.controller.start(job)

    def realign(self) -> None:
        """Align again (e.g. with another model): the audio and transcript of this document."""
        audio, transcript = self.audio_path, self.transcript_path
        if audio is None:
            audio = dialogs.ask_open_path(self.window, "Audio to align", self.settings.last_directory,
                                          dialogs.AUDIO_FILTER)  # fmt: skip
        if audio is not None and transcript is None:
            transcript = dialogs.ask_open_path(self.window, "Transcript to align", audio.parent,
                                               dialogs.TRANSCRIPT_FILTER)  # fmt: skip
        if audio is not None and transcript is not None:
            self.open_alignment(audio, transcript)

    def on_job_finished(self, result: object) -> None:
        window = self.window
        window.set_busy(False)
        job = window.controller.job()
        try:
            if isinstance(job, AlignmentJob):
                aligned = cast("AlignmentResult", result)
                doc = AlignmentDocument.from_alignment(aligned)
                self._install(doc, None, job.audio_path, job.transcript_path, job.audio_path)
                window.show_status(alignment_summary(aligned), 0 if job.model == "demo" else 20000)
            elif isinstance(job, OpenTextGridJob):
                audio, grid = cast("tuple[Audio | None, TextGrid]", result)
                doc = AlignmentDocument.from_textgrid(grid, audio)
                self._install(doc, job.textgrid_path, job.audio_path, None, job.textgrid_path)
                opened = f"Opened {job.textgrid_path.name}."
                if doc.warnings:  # e.g. a TextGrid that does not fit its audio
                    window.show_status(f"{opened} Warning: {' '.join(doc.warnings)}", 20000)
                else:
                    window.show_status(opened)
        except (AlignerError, ValueError) as err:
            dialogs.show_error(window, str(err))

    def _install(self, doc: AlignmentDocument, document_path: Path | None, audio: Path | None,
                 transcript: Path | None, recent: Path) -> None:  # fmt: skip
        self.document_path = document_path
        self.audio_path = audio
        self.transcript_path = transcript
        self.model.set_document(doc)
        self.settings.add_recent_file(recent)
        self.settings.last_directory = recent.parent
        self.window.update_title()

    # -- saving ------------------------------------------------------------------------------------

    def default_save_path(self) -> Path | None:
        if self.document_path is not None:
            return self.document_path
        if self.audio_path is not None:
            return self.audio_path.with_suffix(".TextGrid")
        return None

    def save(self) -> bool:
        if self.model.document is None:
            return False
        if self.document_path is None:
            return self.save_as()
        return self._save_to(self.document_path)

    def save_as(self) -> bool:
        if self.model.document is None:
            return False
        path = dialogs.ask_save_path(self.window, "Save TextGrid", self.default_save_path(),
                                     TEXTGRID_SAVE_FILTER)  # fmt: skip
        return path is not None and self._save_to(path)

    def _save_to(self, path: Path) -> bool:
        path = with_textgrid_suffix(path)
        if not self.write_textgrid(path):
            return False
        self.document_path = path
        self.model.mark_saved()
        self.settings.add_recent_file(path)
        self.window.update_title()
        self.window.show_status(f"Saved {path}.")
        return True

    def export_textgrid(self) -> None:
        """Write a copy (long or short format); the document keeps its own file and state."""
        if self.model.document is None:
            return
        chosen = dialogs.ask_export_path(self.window, "Export TextGrid", self.default_save_path(),
                                         TEXTGRID_EXPORT_FILTERS)  # fmt: skip
        if chosen is None:
            return
        path, selected_filter = chosen
        fmt = EXPORT_FORMATS.get(selected_filter, "textgrid")
        if self.write_textgrid(path, fmt=fmt):
            self.window.show_status(f"Exported {with_format_suffix(path, fmt)}.")

    def write_textgrid(self, path: Path, short: bool = False, fmt: str | None = None) -> bool:
        """Write the document as ``fmt`` (a TextGrid by default) through the one output path."""
        from aligner_gui.core.export.outputs import write_document

        doc = self.model.document
        if doc is None:
            return False
        fmt = fmt or ("textgrid-short" if short else "textgrid")
        try:
            write_document(doc, with_format_suffix(path, fmt), fmt)
        except AlignerError as err:
            dialogs.show_error(self.window, str(err))
            return False
        return True


def with_textgrid_suffix(path: Path) -> Path:
    """A name typed without extension gets ".TextGrid" (as Praat would save it)."""
    return path if path.suffix else path.with_suffix(".TextGrid")


def with_format_suffix(path: Path, fmt: str) -> Path:
    """A name typed without extension gets the one of the format written."""
    return (
        path
        if path.suffix
        else path.with_suffix({"json": ".json", "csv": ".csv"}.get(fmt, ".TextGrid"))
    )
