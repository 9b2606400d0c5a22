"""The Tier menu's commands and the boundary commands at the cursor (snap to a zero crossing,
move the nearest boundary to the cursor), as the main window's slots: they ask for names, act on
the tier the keys act on through the document model, and turn refusals into status messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QMenu

from aligner_gui.qt import dialogs

if TYPE_CHECKING:
    from collections.abc import Callable

    from aligner_gui.qt.main_window import MainWindow


class TierCommands:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.model = window.model
        self.model.snap_to_zero_crossings = window.settings.snap_to_zero_crossings

    def _run(self, command: Callable[[], object], done: str | None = None) -> bool:
        try:
            changed = bool(command())
        except ValueError as err:
            self.window.show_status(str(err))
            return False
        if changed and done:
            self.window.show_status(done)
        return changed

    def _tier(self) -> str | None:
        tier = self.model.acting_tier()
        if tier is None:
            self.window.show_status("The document has no tier.")
        return tier

    # -- tiers -----------------------------------------------------------------------------------

    def add_tier(self, point: bool) -> None:
        kind = "point" if point else "interval"
        name = dialogs.ask_text(self.window, f"Add {kind} tier", "Name of the new tier:", "")
        if name is not None:
            self._run(lambda: self.model.add_tier(name, point), f"Added {kind} tier “{name}”.")

    def rename_tier(self) -> None:
        tier = self._tier()
        if tier is None:
            return
        name = dialogs.ask_text(self.window, "Rename tier", f"New name of “{tier}”:", tier)
        if name is not None:
            self._run(lambda: self.model.rename_tier(tier, name))

    def duplicate_tier(self) -> None:
        tier = self._tier()
        if tier is None:
            return
        name = dialogs.ask_text(self.window, "Duplicate tier", f"Name of the copy of “{tier}”:",
                                f"{tier} copy")  # fmt: skip
        if name is not None:
            self._run(lambda: self.model.duplicate_tier(tier, name))

    def delete_tier(self) -> None:
        """Deletes at once (Undo brings it back); the tiers linked to it are kept, unlinked."""
        tier = self._tier()
        doc = self.model.document
        if tier is None or doc is None:
            return
        children = [t.name for t in doc.children(tier)]
        done = f"Deleted tier “{tier}” (Undo brings it back)."
        if children:
            names = ", ".join(f"“{c}”" for c in children)
            done = f"Deleted tier “{tier}”; {names} kept, no longer linked to it (Undo relinks)."
        self._run(lambda: self.model.delete_tier(tier), done)

    def move_tier(self, offset: int) -> None:
        tier = self._tier()
        if tier is not None:
            self._run(lambda: self.model.move_tier(tier, offset))

    def show_tier_menu(self, tier: str, screen_pos: QPointF) -> None:
        """The Tier menu at the tier's name (the model already acts on that tier)."""
        if self.window.tier_menu is not None:
            self.window.tier_menu.deleteLater()  # one menu at a time, not one per right click
        menu = QMenu(self.window)
        for action in self.window.actions_.tier_actions:
            menu.addAction(action)
        menu.popup(screen_pos.toPoint())
        self.window.tier_menu = menu  # kept for tests and so that it is not collected

    # -- boundaries at the cursor ------------------------------------------------------------------

    def snap_to_zero_crossing(self) -> None:
        view = self.window.active_tier_view()
        if view is not None:
            tolerance = view.grab_tolerance()
            self._run(lambda: self.model.snap_to_zero_crossing(tolerance))

    def move_boundary_to_cursor(self) -> None:
        self._run(self.model.move_boundary_to_cursor)

    def move_cursor_to_nearest_boundary(self) -> None:
        self._run(self.model.move_cursor_to_nearest_boundary)

    def set_always_snap(self, on: bool) -> None:
        self.window.settings.snap_to_zero_crossings = on
        self.model.snap_to_zero_crossings = on
