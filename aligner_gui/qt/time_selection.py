"""The time selection: one range of seconds shared by every view, as in Praat's editors.

It is what Tab/Space and the selection play bar play and what "Zoom to selection" shows. It is
made by dragging in a view that opts in (the waveform, the spectrogram), extended with
Shift+click, and follows the selected item: selecting a word makes its span the time selection,
and an edit that moves the selected word moves the selection with it. Any TimePlot shows it (see
``TimePlot._update_selection``); a new view only needs ``time_box.drag_selects = True`` to let a
plain drag select.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from aligner_gui.qt.document_model import DocumentModel


class TimeSelection(QObject):
    """``span()`` is ``(start, end)`` with ``start < end`` inside the document, or None."""

    changed = Signal()

    def __init__(self, model: DocumentModel) -> None:
        super().__init__(model)
        self._model = model
        self._span: tuple[float, float] | None = None
        model.selectionChanged.connect(self._follow_item)
        model.tierChanged.connect(self._on_tier_changed)
        model.documentReset.connect(self.clear)

    # -- reading --------------------------------------------------------------------------------

    def span(self) -> tuple[float, float] | None:
        return self._span

    def duration(self) -> float:
        return 0.0 if self._span is None else self._span[1] - self._span[0]

    # -- the user's gestures --------------------------------------------------------------------

    def select(self, start: float, end: float) -> None:
        """Select [start, end] (in either order) as a free range: no item stays selected, so that
        the editing keys never act on a word other than the range the user sees."""
        self._model.select("", -1)
        self._set(start, end)

    def extend_to(self, seconds: float) -> None:
        """Shift+click: move the nearer edge of the selection to ``seconds``; without a selection,
        select from the cursor to ``seconds``."""
        span = self._span
        if span is None:
            anchor = self._model.cursor()
        else:
            start, end = span
            anchor = end if abs(seconds - start) <= abs(seconds - end) else start
        self.select(anchor, seconds)

    def extend_over(self, start: float, end: float) -> None:
        """Shift+click on an interval: the smallest selection holding the current one (or the
        cursor) and all of [start, end]."""
        span = self._span
        if span is None:
            cursor = self._model.cursor()
            span = (cursor, cursor)
        self.select(min(span[0], start), max(span[1], end))

    def clear(self) -> None:
        self._set_span(None)

    # -- internals ------------------------------------------------------------------------------

    def _set(self, start: float, end: float) -> None:
        doc = self._model.document
        if doc is None:
            self._set_span(None)
            return
        lo, hi = sorted((float(start), float(end)))
        lo, hi = max(0.0, lo), min(doc.duration, hi)
        self._set_span((lo, hi) if hi > lo else None)

    def _set_span(self, span: tuple[float, float] | None) -> None:
        if span != self._span:
            self._span = span
            self.changed.emit()

    def _item_span(self) -> tuple[float, float] | None:
        doc = self._model.document
        selection = self._model.selection()
        if doc is None or selection is None:
            return None
        tier, index = selection
        try:
            segments = doc.tier(tier).segments
        except (KeyError, ValueError):
            return None
        if not 0 <= index < len(segments):
            return None
        return segments[index].start, segments[index].end

    def _follow_item(self, _tier: str, _index: int) -> None:
        span = self._item_span()
        if span is None:
            self.clear()  # as in Praat: a click elsewhere drops the selection
        else:
            self._set(*span)

    def _on_tier_changed(self, tier: str, _kind: str, _index: int) -> None:
        selection = self._model.selection()
        if selection is not None and selection[0] == tier:
            span = self._item_span()
            if span is not None:
                self._set(*span)
