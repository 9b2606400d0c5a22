"""One interval (or point) tier as a row of labelled, confidence-tinted intervals whose boundaries
can be dragged, and whose intervals can be selected, heard, relabelled, split, merged and deleted.

Every change goes to the document as a core Edit through DocumentModel.push; the view redraws from
the document when the model reports the change, so what is shown is always what the core
accepted (a dragged boundary snaps to the clamped time the core kept).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from aligner_gui.core.document import editing, edits
from aligner_gui.qt import dialogs, ipa_picker
from aligner_gui.qt.views.base import LEFT_AXIS_WIDTH, TimePlot
from aligner_gui.qt.views.colors import Theme
from aligner_gui.qt.views.guessed_marks import guessed_notes, marked_intervals
from aligner_gui.qt.views.intervals_item import IntervalsItem, TierData
from aligner_gui.qt.views.ipa_font import ipa_font
from aligner_gui.qt.views.tier_name_axis import TierNameAxis

if TYPE_CHECKING:
    from aligner_gui.core.document.document import AlignmentDocument, Tier
    from aligner_gui.qt.document_model import DocumentModel

# Boundaries in view can be dragged only when they are at most this many and at least
# MIN_HANDLE_SPACING pixels apart on average: otherwise zoom in to edit.
MAX_HANDLES = 1000
MIN_HANDLE_SPACING = 2.0
BOUNDARY_GRAB_PIXELS = 6  # "remove boundary" acts on a boundary this close to the click
FOLLOW_SLACK = 1e-6  # seconds: margin around a parent's moved span when re-reading a child tier


class BoundaryHandle:
    """A draggable boundary in view: ``index`` is the document's boundary (or point) index.

    Boundaries are drawn and dragged by the tier's IntervalsItem; this is the handle's public
    face (what is shown for that boundary), not a graphics item.
    """

    def __init__(self, view: TierView, index: int) -> None:
        self.view = view
        self.index = index

    def value(self) -> float:
        """Where the boundary is drawn: the document's time for it."""
        return self.view._doc_time(self.index)

    def isVisible(self) -> bool:
        return True


class TierView(TimePlot):
    view_name = "tiers"
    playRequested = Signal(float, float)  # seconds: play exactly this span
    editRefused = Signal(str)  # the core's reason why an edit is impossible, for the status bar
    tierMenuRequested = Signal(str, QPointF)  # tier name, global screen position

    def __init__(self, model: DocumentModel, tier_name: str, parent=None) -> None:
        self.tier_name = tier_name
        self.title = tier_name
        self.item = IntervalsItem()
        self.data = TierData.empty()
        self._handle_range = (0, 0)  # boundary indices [lo, hi) draggable in view
        self._drag_id: int | None = None
        # A parent's moved boundary span [left, right]: the only place where this tier's
        # boundaries can have followed it (see edits.MoveBoundary), so the only part to re-read.
        self._follow_span: tuple[float, float] | None = None
        self.shown_title = tier_name  # the name as drawn (for tests)
        self._guess_notes: dict[str, str] = {}  # word -> note: words G2P pronounced
        super().__init__(model, parent)
        plot = self.getPlotItem()
        plot.addItem(self.item)
        if ipa_picker.is_phone_tier(tier_name):
            self.item.label_font = ipa_font()  # phones such as "ʃ" or "tʃ" must not be boxes
        # The intervals are painted opaque: the selection band goes on top of them.
        self.selection_region.setZValue(5)
        self.item.on_click = self._on_item_click
        self.item.on_shift_click = self._on_item_shift_click
        self.item.on_context_menu = self.show_context_menu
        self.item.on_drag = self._on_drag
        self._connect(model.activeTierChanged, self._update_title)
        self.time_box.sigTimeContextMenu.connect(self.show_context_menu)
        self.time_box.setYRange(0.0, 1.0, padding=0.0)
        self.time_box.disableAutoRange()
        self.time_box.sigXRangeChanged.connect(self._update_handles)
        # After the box applied the new range to its transform (TimeViewBox._apply_range).
        self.time_box.sigRangeChanged.connect(self.item.view_range_changed)
        self.time_box.sigResized.connect(self._update_handles)
        self.setMinimumHeight(36)
        plot.setAxisItems({"left": TierNameAxis(self._on_name_click, self._on_name_menu)})
        plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
        plot.getAxis("left").setStyle(tickLength=0)
        self.apply_theme(self.theme)
        self.refresh()

    # -- data from the document ------------------------------------------------------------------

    def _tier(self) -> Tier | None:
        doc = self.document
        if doc is None:
            return None
        try:
            return doc.tier(self.tier_name)
        except (KeyError, ValueError):
            return None

    def refresh(self) -> None:
        tier = self._tier()
        doc = self.document
        if tier is None or doc is None:
            self.data = TierData.empty()
            self.item.set_data(self.data, 0.0)
        else:
            self.data = TierData.from_segments(tier.segments, tier.is_point_tier)
            self.item.set_data(self.data, doc.duration)
        self._guess_notes = guessed_notes(doc, self.tier_name)
        self.item.notes = marked_intervals(self.data.labels, self._guess_notes)
        self._update_title()
        self._update_selected()
        self._update_handles()

    def _update_title(self, *_args) -> None:
        """The tier's name; a mark before it when the editing keys act on this tier."""
        name = self.tier_name if len(self.tier_name) <= 12 else self.tier_name[:11] + "…"
        active = self.model.acting_tier() == self.tier_name and len(self.data) > 0
        self.shown_title = f"▸ {name}" if active else name
        self.getPlotItem().getAxis("left").setTicks([[(0.5, self.shown_title)]])

    def on_tier_changed(self, tier: str, kind: str, index: int) -> None:
        # The core reports every tier an edit touched, the edited tier first (with the index
        # of what changed) and then the tiers that followed it (without one). A drag step
        # re-reads only the few segments it moved, never the whole tier.
        if tier not in ("", self.tier_name):
            if kind != "boundary":
                self._follow_span = None
            elif index >= 0:
                self._follow_span = self._moved_span(tier, index)
            return
        span, self._follow_span = self._follow_span, None
        tier_obj = self._tier()
        if tier_obj is None or len(tier_obj.segments) != len(self.data) or not tier:
            self.refresh()
        elif kind == "boundary" and index >= 0:
            first = index if tier_obj.is_point_tier else index - 1
            self._reread(tier_obj, first, index + 1)
        elif kind == "boundary" and span is not None and not tier_obj.is_point_tier:
            d = self.data
            lo = max(0, int(np.searchsorted(d.starts, span[0] - FOLLOW_SLACK, "left")) - 1)
            hi = min(len(d), int(np.searchsorted(d.starts, span[1] + FOLLOW_SLACK, "right")) + 1)
            self._reread(tier_obj, lo, hi)
        elif kind == "label" and index >= 0:
            self._reread(tier_obj, index, index + 1)
        else:
            self.refresh()

    def _moved_span(self, tier: str, index: int) -> tuple[float, float] | None:
        """[left, right] around boundary ``index`` of interval tier ``tier``: the segments on
        either side of it, whose outer edges a move of that boundary leaves in place."""
        doc = self.document
        try:
            moved = None if doc is None else doc.tier(tier)
        except (KeyError, ValueError):
            moved = None
        if moved is None or moved.is_point_tier or not 1 <= index < len(moved.segments):
            return None
        return (moved.segments[index - 1].start, moved.segments[index].end)

    def _reread(self, tier: Tier, lo: int, hi: int) -> None:
        """Take segments [lo, hi) from the document again; a full refresh if that leaves the
        arrays inconsistent (never expected: a safety net, not a code path)."""
        segs = tier.segments
        lo, hi = max(0, lo), min(len(segs), hi)
        for i in range(lo, hi):
            self.data.set_segment(i, segs[i])
            self._update_note(i)
        d = self.data
        if not tier.is_point_tier:
            for i in (lo, hi):
                if 0 < i < len(d) and d.ends[i - 1] != d.starts[i]:
                    self.refresh()
                    return
        self.item.update()
        self._update_selected()
        self._update_handles()

    def _update_note(self, i: int) -> None:
        note = self._guess_notes.get(self.data.labels[i])
        if note is None:
            self.item.notes.pop(i, None)
        else:
            self.item.notes[i] = note

    def _on_selection_changed(self, tier: str, index: int) -> None:
        super()._on_selection_changed(tier, index)
        self._update_selected()

    def _update_selected(self) -> None:
        selection = self.model.selection()
        if selection is not None and selection[0] == self.tier_name:
            self.item.set_selected(selection[1])
        else:
            self.item.set_selected(None)

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.item.set_theme(theme)

    # -- queries (also used by tests) --------------------------------------------------------------

    def intervals(self) -> list[tuple[float, float, str]]:
        d = self.data
        return [(float(d.starts[i]), float(d.ends[i]), d.labels[i]) for i in range(len(d))]

    def boundary_times(self) -> list[tuple[int, float]]:
        """(index, seconds) of every editable boundary: the internal ones, or every point."""
        d = self.data
        if d.is_points:
            return [(i, float(d.starts[i])) for i in range(len(d))]
        return [(i, float(d.starts[i])) for i in range(1, len(d))]

    def visible_handles(self) -> list[BoundaryHandle]:
        """The boundaries in view that can be dragged (none when too many are in view)."""
        return [BoundaryHandle(self, i) for i in range(*self._handle_range)]

    def handle_for(self, index: int) -> BoundaryHandle | None:
        lo, hi = self._handle_range
        return BoundaryHandle(self, index) if lo <= index < hi else None

    # -- dragging boundaries -----------------------------------------------------------------------

    def _update_handles(self, *_args) -> None:
        """Allow drags when the boundaries in view are few and far enough apart to aim at."""
        d = self.data
        t0, t1 = self.x_range()
        first = 0 if d.is_points else 1
        lo, hi = d.visible_range(t0, t1)
        lo = max(lo, first)
        count = max(0, hi - lo)
        usable = count <= MAX_HANDLES and count * MIN_HANDLE_SPACING <= self.plot_width_pixels()
        if self.item.dragged is None:  # never take the boundary from under the user's mouse
            self.item.editable = usable
        self._handle_range = (lo, hi) if usable and count else (0, 0)

    def _on_drag(self, index: int, seconds: float, phase: str) -> None:
        if phase == "start":
            self._drag_id = edits.new_drag_id()
            return
        alone = self.item.drag_alone
        if abs(seconds - self._doc_time(index)) > 1e-12:
            self.push(edits.MoveBoundary(self.tier_name, index, seconds, drag_id=self._drag_id,
                                         alone=alone))  # fmt: skip
        if phase == "finish":
            doc = self.document
            if self.model.snap_to_zero_crossings and doc is not None:
                self._snap_after_drag(doc, index, alone)
            self._drag_id = None
            self._update_handles()

    def _snap_after_drag(self, doc: AlignmentDocument, index: int, alone: bool) -> None:
        """The last step of the same drag (one undo step puts the boundary back): onto the
        nearest zero crossing, if the audio has one there (none in digital silence)."""
        try:
            edit = editing.snap_boundary(doc, self.tier_name, index, self._drag_id, alone=alone)
        except editing.Refusal:
            return
        self.push(edit)

    def _doc_time(self, index: int) -> float:
        return float(self.data.starts[index]) if 0 <= index < len(self.data) else float("nan")

    # -- clicks ----------------------------------------------------------------------------------

    def _on_item_click(self, seconds: float, double: bool) -> None:
        index = self.index_at(seconds)
        self.model.set_active_tier(self.tier_name)  # the keys now act on this tier
        self.model.set_cursor(seconds)
        if index is None:
            self.model.clear_selection()  # nothing here: the tier alone is what the user chose
            return
        if double:
            self.edit_label(index)
        else:
            self.select(index, play=True)

    def _on_item_shift_click(self, seconds: float) -> None:
        """Shift+click in a tier extends the time selection over the whole interval clicked (a
        run of words is selected word by word); on a point or outside any item, to the click."""
        index = self.index_at(seconds)
        if index is None or self.data.is_points:
            self.model.time_selection.extend_to(seconds)
        else:
            self.model.time_selection.extend_over(
                float(self.data.starts[index]), float(self.data.ends[index])
            )

    def _on_time_clicked(self, seconds: float) -> None:
        super()._on_time_clicked(seconds)
        self.model.set_active_tier(self.tier_name)

    def _on_name_click(self) -> None:
        self.model.set_active_tier(self.tier_name)

    def _on_name_menu(self, screen_pos: QPointF) -> None:
        self.model.set_active_tier(self.tier_name)  # the Tier menu's actions act on this tier
        self.tierMenuRequested.emit(self.tier_name, screen_pos)

    def index_at(self, seconds: float) -> int | None:
        tolerance = 4 * self.time_box.viewPixelSize()[0] if self.data.is_points else 0.0
        return self.data.index_at(seconds, tolerance)

    def select(self, index: int, play: bool = False) -> None:
        """Select interval ``index``; with ``play``, ask for exactly its span to be played."""
        self.model.select(self.tier_name, index)
        if play and not self.data.is_points:
            self.playRequested.emit(float(self.data.starts[index]), float(self.data.ends[index]))

    # -- editing ---------------------------------------------------------------------------------
    # The rules (which edit, where) are Qt-free, in core.document.editing; the view only turns
    # pixels into seconds and asks for text.

    def edit_label(self, index: int) -> bool:
        """Ask for a new label of item ``index``; True if one was set."""
        if not 0 <= index < len(self.data):
            return False
        # Phones get a field in an IPA font and a picker of IPA symbols.
        ask = ipa_picker.ask_phone_label if ipa_picker.is_phone_tier(self.tier_name) else None
        text = (ask or dialogs.ask_text)(self, "Edit label", f"Label in tier “{self.tier_name}”:",
                                         self.data.labels[index])  # fmt: skip
        if text is None or text == self.data.labels[index]:
            return False
        return self._try(lambda: self.model.relabel(self.tier_name, index, text))

    def push(self, edit: edits.Edit) -> bool:
        """Apply ``edit`` through the model; an impossible edit is reported, not raised."""
        return self._try(lambda: self.model.push(edit))

    def _try(self, command: Callable[[], bool]) -> bool:
        try:
            return command()
        except ValueError as err:
            self.editRefused.emit(str(err))
            return False

    def insert_boundary_at(self, seconds: float) -> bool:
        """Split at ``seconds`` (or add a point there, in a point tier)."""
        doc = self.document
        if doc is None:
            return False
        snap = self.model.snap_to_zero_crossings
        return self._try(
            lambda: self.model.push(editing.insert_at(doc, self.tier_name, seconds, snap))
        )

    def grab_tolerance(self, max_pixels: float = BOUNDARY_GRAB_PIXELS) -> float:
        """Seconds within which a boundary counts as "at" a time: a few pixels at this zoom."""
        return max_pixels * self.time_box.viewPixelSize()[0]

    def nearest_boundary(
        self, seconds: float, max_pixels: float = BOUNDARY_GRAB_PIXELS
    ) -> int | None:
        return self.data.boundary_near(seconds, self.grab_tolerance(max_pixels))

    def remove_boundary_at(self, seconds: float) -> bool:
        """Remove the boundary (or point) within a few pixels of ``seconds``."""
        doc = self.document
        if doc is None:
            return False
        tolerance = self.grab_tolerance()
        return self._try(
            lambda: self.model.push(editing.remove_at(doc, self.tier_name, seconds, tolerance))
        )

    def delete_segment(self, index: int) -> bool:
        doc = self.document
        if doc is None:
            return False
        return self._try(lambda: self.model.push(editing.delete_item(doc, self.tier_name, index)))

    def insert_word_at(self, seconds: float, label: str | None = None) -> bool:
        """Insert a word in the silence at ``seconds`` (asking for it unless ``label`` is given)."""
        index = self.index_at(seconds)
        if index is None or self.data.labels[index] or self.data.is_points:
            return False
        if label is None:
            label = dialogs.ask_text(self, "Insert word", "New word:", "")
        if not label:
            return False
        return self._try(lambda: self.model.insert_word(self.tier_name, seconds, label))

    def context_actions(self, seconds: float) -> list[QAction]:
        """The actions the context menu offers at ``seconds`` (built fresh each time)."""
        actions: list[QAction] = []
        index = self.index_at(seconds)
        boundary = self.nearest_boundary(seconds)

        def add(text: str, slot, enabled: bool = True) -> None:
            action = QAction(text, self)
            action.setEnabled(enabled)
            action.triggered.connect(slot)
            actions.append(action)

        points = self.data.is_points
        if index is not None:
            i = index
            has_label = bool(self.data.labels[i])
            if not points:
                add("Play", lambda: self.select(i, play=True))
            add("Edit label…", lambda: self.edit_label(i))
        if points:
            add("Add point here", lambda: self.insert_boundary_at(seconds))
            add("Remove point", lambda: self.remove_boundary_at(seconds), boundary is not None)
            return actions
        add("Insert boundary here", lambda: self.insert_boundary_at(seconds))
        add("Remove boundary", lambda: self.remove_boundary_at(seconds), boundary is not None)
        if index is not None:
            add("Delete word", lambda: self.delete_segment(i), has_label)
            add("Insert word here…", lambda: self.insert_word_at(seconds), not has_label)
        return actions

    def show_context_menu(self, seconds: float, screen_pos: QPointF) -> None:
        menu = QMenu(self)
        for action in self.context_actions(seconds):
            menu.addAction(action)
        menu.popup(screen_pos.toPoint())
