"""Time domains: a TextGrid's own xmin/xmax kept through editing, and whether it fits its audio.

The document always spans ``[0, duration]`` (the longer of the grid and the audio), but a file
written back should keep the domain it was read with: Praat users compare and merge TextGrids by
their domains, and a grid that silently grew from 1.869687 s to 1.8696875 s no longer matches its
siblings. A domain grows only as far as labelled content now lies outside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aligner_gui.core.io.textgrid import TextGrid

Domain = tuple[float, float]

# A grid and its audio "belong together" when their ends are this close: max(50 ms, 1 %).
MISMATCH_SECONDS = 0.05
MISMATCH_FRACTION = 0.01


def kept_domain(own: Domain, content: Domain | None, snap: float) -> Domain:
    """``own`` widened to cover ``content`` (first and last labelled time, or None when nothing
    is labelled); content within ``snap`` outside ``own`` is rounding, not a reason to grow."""
    lo, hi = own
    if content is not None:
        first, last = content
        if first < lo - snap:
            lo = first
        if last > hi + snap:
            hi = last
    return lo, hi


def span(times: Iterable[tuple[float, float]]) -> Domain | None:
    """(earliest start, latest end) of ``times``, or None when there are none."""
    pairs = list(times)
    if not pairs:
        return None
    return min(start for start, _ in pairs), max(end for _, end in pairs)


def textgrid_audio_warnings(grid: TextGrid, audio_duration: float | None) -> list[str]:
    """A warning when ``grid`` does not end where the audio does (within max(50 ms, 1 %)): the
    wrong recording, or a grid made for a longer or shorter cut of it. Nothing without audio."""
    if audio_duration is None:
        return []
    tolerance = max(MISMATCH_SECONDS, MISMATCH_FRACTION * audio_duration)
    if abs(grid.xmax - audio_duration) <= tolerance:
        return []
    if grid.xmin == 0.0:
        extent = f"lasts {grid.xmax:.3f} s"
    else:
        extent = f"runs from {grid.xmin:.3f} s to {grid.xmax:.3f} s"
    return [
        f"The TextGrid {extent} but the audio lasts {audio_duration:.3f} s:"
        " check that they belong together."
    ]
