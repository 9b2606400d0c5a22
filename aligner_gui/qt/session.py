"""The one owner of a document's life: open (through the background worker), replace with a new
alignment, save, export, autosave, recover after a crash, close, and every "save first?" question.

The session knows the document model, the worker's controller, the settings and a widget to parent
its dialogs; it never touches the window's other widgets. The window listens to its signals
(busy, status, title) and wires menus to its methods.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.document.autosave import DocumentPaths, Recovery, Snapshot, take_snapshot
from aligner_gui.core.document.document import AlignmentDocument
from aligner_gui.core.document.undo_history import HistoryStep, history_of
from aligner_gui.core.models.model import SHIPPED_MODELS
from aligner_gui.qt import dialogs
from aligner_gui.qt.autosave import Autosaver, orphaned_recoveries, recovery_summary
from aligner_gui.qt.document_model import DocumentModel
from aligner_gui.qt.file_pairs import AlignFiles, TextGridFiles, classify_files
from aligner_gui.qt.settings import Settings
from aligner_gui.qt.worker import AlignmentController, AlignmentJob, LoadAudioJob, OpenTextGridJob

if TYPE_CHECKING:
    from aligner_gui.core.alignment.pipeline import AlignmentResult
    from aligner_gui.core.io.audio import Audio
    from aligner_gui.core.io.textgrid import TextGrid

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
    if result.model_name in SHIPPED_MODELS:
        text += " " + dialogs.DEMO_MODEL_NOTE
    if not result.phones:  # e.g. "a letter model gives no phones tier": said, not just absent
        text += "".join(f" {note}" for note in result.notes)
    elif result.g2p_words:
        count = len(set(result.g2p_words))
        text += f" {count} words pronounced by G2P: see Alignment > Words not in the dictionary."
    if result.warnings:
        more = f" (and {len(result.warnings) - 1} more)" if len(result.warnings) > 1 else ""
        text += f" Warning: {result.warnings[0]}{more}"
    return text


class Session(QObject):
    """The open document's paths, its recovery id and autosaver, and every step of its life."""

    busyChanged = Signal(bool)
    statusMessage = Signal(str, int)  # text, timeout in ms (0: until replaced)
    titleChanged = Signal()  # the display name or the modified state changed
    documentRestored = Signal()  # a recovery file became the open document
    saved = Signal(Path)  # the document was written to its own file (not an export copy)

    def __init__(
        self,
        settings: Settings,
        model: DocumentModel,
        controller: AlignmentController,
        dialog_parent: QWidget,
        recovery_folder: Path,
    ) -> None:
        super().__init__(dialog_parent)
        self.settings = settings
        self.model = model
        self.controller = controller
        self.parent_widget = dialog_parent
        self.paths = DocumentPaths()
        self.doc_id: str | None = None
        self.autosaver = Autosaver(recovery_folder, self)
        self.autosaver.failed.connect(lambda message: self.statusMessage.emit(message, 0))
        self._changes = 0  # every edit, undo and redo; tells what happened while a job ran
        self._changes_at_start = 0
        self._recovering: Recovery | None = None
        model.tierChanged.connect(self._on_changed)
        model.modifiedChanged.connect(lambda _modified: self.titleChanged.emit())
        controller.finished.connect(self._on_job_finished)
        controller.failed.connect(self._on_job_failed)
        controller.modelUnavailable.connect(self._on_model_unavailable)
        controller.cancelled.connect(self._on_job_cancelled)

    def display_name(self) -> str:
        if self.paths.document is not None:
            return self.paths.document.name
        if self.paths.audio is not None and self.model.document is not None:
            return f"{self.paths.audio.stem} (not saved)"
        return ""

    # -- questions ---------------------------------------------------------------------------------

    def maybe_save(self) -> bool:
        """True when it is fine to replace or close the document (saved, discarded, or clean)."""
        if self.model.document is None or not self.model.is_modified():
            return True
        answer = dialogs.ask_save_changes(
            self.parent_widget, self.display_name() or "The alignment"
        )
        return self._act_on(answer)

    def _act_on(self, answer: str) -> bool:
        """Carry out a "save first?" answer; True when the old document may go ("cancel" or a
        failed save keep it; "discard" removes its recovery file: the user said so)."""
        if answer == "save":
            return self.save()
        if answer == "discard":
            self.autosaver.discard()
            return True
        return False

    def close(self) -> bool:
        """Ask about unsaved work; True when the window may close (the recovery file is removed
        unless the user cancelled)."""
        if not self.maybe_save():
            return False
        self.controller.shutdown()
        self.autosaver.discard()  # clean, saved or discarded: nothing is left to recover
        self.autosaver.shutdown()
        return True

    # -- opening -----------------------------------------------------------------------------------

    def ask_open_alignment(self) -> None:
        chosen = dialogs.ask_audio_and_transcript(self.parent_widget, self.settings.last_directory)
        if chosen is not None:
            self.open_alignment(*chosen)

    def ask_open_textgrid(self) -> None:
        chosen = dialogs.ask_textgrid_and_audio(self.parent_widget, self.settings.last_directory)
        if chosen is not None:
            self.open_textgrid(*chosen)

    def open_files(self, paths: list[Path]) -> None:
        request = classify_files(paths)
        if isinstance(request, AlignFiles):
            self.open_alignment(request.audio, request.transcript)
        elif isinstance(request, TextGridFiles):
            self.open_textgrid(request.textgrid, request.audio)
        else:
            dialogs.show_error(self.parent_widget, request)

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
            dictionary=self.settings.dictionary_path,
            language=self.settings.language,
        )
        self._start(job, f"Aligning {Path(audio).name}…")
        return True

    def open_textgrid(self, textgrid: Path, audio: Path | None, json: Path | None = None) -> bool:
        """Open ``textgrid`` (read from ``json`` instead when given: it keeps the scores)."""
        if not self.maybe_save():
            return False
        job = OpenTextGridJob(textgrid_path=Path(textgrid), audio_path=audio and Path(audio),
                              json_path=json)  # fmt: skip
        self._start(job, f"Opening {Path(textgrid).name}…")
        return True

    def realign(self) -> None:
        """Align again (e.g. with another model): the audio and transcript of this document."""
        audio, transcript = self.paths.audio, self.paths.transcript
        parent = self.parent_widget
        if audio is None:
            audio = dialogs.ask_open_path(
                parent, "Audio to align", self.settings.last_directory, dialogs.AUDIO_FILTER
            )
        if audio is not None and transcript is None:
            transcript = dialogs.ask_open_path(
                parent, "Transcript to align", audio.parent, dialogs.TRANSCRIPT_FILTER
            )
        if audio is not None and transcript is not None:
            self.open_alignment(audio, transcript)

    def _start(self, job: AlignmentJob | OpenTextGridJob | LoadAudioJob, message: str) -> None:
        self._changes_at_start = self._changes
        self.busyChanged.emit(True)
        self.statusMessage.emit(message, 0)
        self.controller.start(job)

    def _on_job_finished(self, result: object) -> None:
        self.busyChanged.emit(False)
        job = self.controller.job()
        try:
            if isinstance(job, LoadAudioJob):
                self._finish_restore(cast("Audio", result))
                return
            if not self._may_replace():
                self.statusMessage.emit("The new result was not used: your edits are kept.", 0)
                return
            if isinstance(job, AlignmentJob):
                aligned = cast("AlignmentResult", result)
                doc = AlignmentDocument.from_alignment(aligned)
                paths = DocumentPaths(job.audio_path, job.transcript_path, None)
                # A fresh alignment exists nowhere on disk: it is unsaved work from the start.
                self._install(doc, paths, job.audio_path, unsaved=True)
                self.statusMessage.emit(
                    alignment_summary(aligned), 0 if job.model in SHIPPED_MODELS else 20000
                )
            elif isinstance(job, OpenTextGridJob):
                audio, grid = cast("tuple[Audio | None, TextGrid | AlignmentDocument]", result)
                if isinstance(grid, AlignmentDocument):  # read from a JSON output
                    doc = grid
                else:
                    doc = AlignmentDocument.from_textgrid(grid, audio)
                paths = DocumentPaths(job.audio_path, None, job.textgrid_path)
                self._install(doc, paths, job.textgrid_path, unsaved=False)
                opened = f"Opened {job.textgrid_path.name}."
                if doc.warnings:  # e.g. a TextGrid that does not fit its audio
                    self.statusMessage.emit(f"{opened} Warning: {' '.join(doc.warnings)}", 20000)
                else:
                    self.statusMessage.emit(opened, 8000)
        except (AlignerError, ValueError) as err:
            dialogs.show_error(self.parent_widget, str(err))

    def _may_replace(self) -> bool:
        """Edits made while the job ran are the user's work: ask before a result replaces them."""
        if self._changes == self._changes_at_start or not self.model.is_modified():
            return True
        answer = dialogs.ask_replace_edited(
            self.parent_widget, self.display_name() or "The document"
        )
        return self._act_on(answer)

    def _on_job_failed(self, message: str) -> None:
        self.busyChanged.emit(False)
        self.statusMessage.emit("Failed.", 8000)
        dialogs.show_error(self.parent_widget, message)
        if self._recovering is not None:  # the recording is unreadable: the work is not lost
            self._finish_restore(None)

    def _on_model_unavailable(self, message: str) -> None:
        """Offline: say so, and offer the demo model explicitly; never switch to it silently."""
        self.busyChanged.emit(False)
        self.statusMessage.emit("Model not available.", 8000)
        job = self.controller.job()
        if isinstance(job, AlignmentJob) and dialogs.offer_demo_model(self.parent_widget, message):
            self.open_alignment(job.audio_path, job.transcript_path, model="demo")

    def _on_job_cancelled(self) -> None:
        self.busyChanged.emit(False)
        self._recovering = None
        self.statusMessage.emit("Cancelled.", 8000)

    def replace(
        self, doc: AlignmentDocument, paths: DocumentPaths, *, unsaved: bool = True
    ) -> bool:
        """Put ``doc`` (made elsewhere, e.g. a result computed by a script) in place of the open
        document, after the "save first?" question; False when the user kept the old one."""
        if not self.maybe_save():
            return False
        self._install(doc, paths, None, unsaved=unsaved)
        return True

    def _install(
        self,
        doc: AlignmentDocument,
        paths: DocumentPaths,
        recent: Path | None,
        *,
        unsaved: bool,
        doc_id: str | None = None,
        history: Sequence[HistoryStep] = (),
    ) -> None:
        """Make ``doc`` the open document, with a recovery file of its own from now on
        (``history``: the undo steps that led to it, for a restored document)."""
        self.paths = paths
        self.doc_id = doc_id or uuid.uuid4().hex
        if not self.autosaver.set_source(self.doc_id, self._snapshot):
            self.statusMessage.emit("Another window is editing this document: no autosave.", 0)
        self.model.set_document(doc)
        self.model.restore_history(history)
        if unsaved:
            self.model.mark_unsaved()
            self.autosaver.changed()
        if recent is not None:
            self.settings.add_recent_file(recent)
            self.settings.last_directory = recent.parent
        self.titleChanged.emit()

    # -- autosave and recovery ---------------------------------------------------------------------

    def _on_changed(self, *_args: object) -> None:
        self._changes += 1
        self.autosaver.changed()

    def _snapshot(self) -> Snapshot | None:
        doc, doc_id = self.model.document, self.doc_id
        if doc is None or doc_id is None:
            return None
        stack = self.model.undo_stack
        return take_snapshot(
            doc, doc_id, self.paths, edits=stack.index(), modified=self.model.is_modified(),
            history=history_of(self.model.applied_edits()),
        )  # fmt: skip

    def offer_recovery(self) -> bool:
        """At start-up: offer each document a crashed editor left behind, newest first, until one
        is restored (the others stay for next time). True when a restore was started."""
        orphans, problems = orphaned_recoveries(self.autosaver.folder)
        for problem in problems:
            self.statusMessage.emit(problem, 0)
        for recovery in orphans:
            answer = dialogs.ask_restore(self.parent_widget, recovery_summary(recovery))
            if answer == "restore":
                return self.restore(recovery)
            if answer == "discard":
                recovery.path.unlink(missing_ok=True)
        return False

    def restore(self, recovery: Recovery) -> bool:
        """Read the recording again in the background, then install the recovered document."""
        if not self.maybe_save():
            return False
        audio = recovery.paths.audio
        if audio is None or not audio.is_file():
            self._recovering = recovery
            self._finish_restore(None)
            return True
        self._recovering = recovery
        job = LoadAudioJob(audio, target_rate=recovery.audio_rate, channel=recovery.audio_channel)
        self._start(job, f"Restoring {audio.name}…")
        return True

    def _finish_restore(self, audio: Audio | None) -> None:
        recovery, self._recovering = self._recovering, None
        if recovery is None:
            return
        doc = recovery.to_document(audio)
        recent = recovery.paths.document or recovery.paths.audio
        self._install(doc, recovery.paths, recent, unsaved=True, doc_id=recovery.doc_id,
                      history=recovery.history)  # fmt: skip
        missing = "" if audio is not None else " The recording was not found: no audio."
        undoable = len(recovery.history)
        self.statusMessage.emit(
            f"Restored {self.display_name()} ({recovery.edits} edits, {undoable} of them can be "
            f"undone).{missing}",
            0,
        )
        self.documentRestored.emit()

    # -- saving ------------------------------------------------------------------------------------

    def default_save_path(self) -> Path | None:
        if self.paths.document is not None:
            return self.paths.document
        if self.paths.audio is not None:
            return self.paths.audio.with_suffix(".TextGrid")
        return None

    def save(self) -> bool:
        if self.model.document is None:
            return False
        if self.paths.document is None:
            return self.save_as()
        return self._save_to(self.paths.document)

    def save_as(self) -> bool:
        if self.model.document is None:
            return False
        path = dialogs.ask_save_path(
            self.parent_widget, "Save TextGrid", self.default_save_path(), TEXTGRID_SAVE_FILTER
        )
        return path is not None and self._save_to(path)

    def _save_to(self, path: Path) -> bool:
        path = with_textgrid_suffix(path)
        if not self.write_textgrid(path):
            return False
        self.paths = DocumentPaths(self.paths.audio, self.paths.transcript, path)
        self.model.mark_saved()
        self.autosaver.discard()  # the work is on disk now
        self.settings.add_recent_file(path)
        self.titleChanged.emit()
        self.statusMessage.emit(f"Saved {path}.", 8000)
        self.saved.emit(path)
        return True

    def export_textgrid(self) -> None:
        """Write a copy (long or short format); the document keeps its own file and state."""
        if self.model.document is None:
            return
        chosen = dialogs.ask_export_path(
            self.parent_widget, "Export TextGrid", self.default_save_path(), TEXTGRID_EXPORT_FILTERS
        )
        if chosen is None:
            return
        path, selected_filter = chosen
        fmt = EXPORT_FORMATS.get(selected_filter, "textgrid")
        if self.write_textgrid(path, fmt=fmt):
            self.statusMessage.emit(f"Exported {with_format_suffix(path, fmt)}.", 8000)

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
            dialogs.show_error(self.parent_widget, str(err))
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
