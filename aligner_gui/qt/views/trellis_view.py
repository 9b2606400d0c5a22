"""The alignment trellis (frames x transcript tokens) with the Viterbi path drawn over it, and the
document's current character spans drawn as a second, "edited" path that follows every edit.

A short recording's whole trellis is computed once. A long one's is computed only around the view
(see :mod:`aligner_gui.core.display.lazy_trellis`), a few milliseconds at a time on the event loop, and
only when the view is narrow enough for the trellis to mean something; zoomed further out the view
says so instead. Paths are drawn only over the frames of the current window.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent

from aligner_gui.core.display.lazy_trellis import PathIndex, TrellisComputation, WindowPlan
from aligner_gui.core.display.pooling import FramePyramid
from aligner_gui.core.document.tier_names import CHAR_TIER, PHONE_TIER
from aligner_gui.core.pronunciation.phone_sets import is_phone_model
from aligner_gui.qt.views.colors import Theme
from aligner_gui.qt.views.heatmap import HeatmapPlot, to_uint8

if TYPE_CHECKING:
    from aligner_gui.core.alignment.pipeline import AlignmentResult
    from aligner_gui.core.document.document import AlignmentDocument, Segment
    from aligner_gui.qt.document_model import DocumentModel

# Up to this many cells (frames x tokens) the whole trellis is computed at once, when shown.
FULL_TRELLIS_CELLS = 2_000_000
# A long file's trellis is shown for views of at most this many frames (30 s at 50 frames/s)...
MAX_VIEW_FRAMES = 1500
# ... and windows costing at most this many recursion cells.
MAX_WINDOW_CELLS = 8_000_000
COMPUTE_SLICE_SECONDS = 0.004  # recursion work per event-loop turn
# Each frame is shown relative to its best token; this many nats below the best is black.
DYNAMIC_RANGE = 30.0
ROW_MARGIN = 3  # token rows shown above and below the path's rows in view
COMPUTING = "Computing the trellis…"


def normalise_trellis(trellis: np.ndarray) -> np.ndarray:
    """Per-frame relative scores in [0, 1]: 1 at the frame's best token, 0 at -inf or far below."""
    t = np.asarray(trellis, dtype=np.float32)
    with np.errstate(invalid="ignore"):
        best = np.max(t, axis=1, keepdims=True)
        best = np.where(np.isfinite(best), best, 0.0)
        rel = 1.0 + (t - best) / DYNAMIC_RANGE
    return np.clip(np.nan_to_num(rel, nan=0.0, neginf=0.0), 0.0, 1.0)


def trellis_image(trellis: np.ndarray) -> np.ndarray:
    """uint8 display values of trellis rows (each frame relative to its best token)."""
    return to_uint8(normalise_trellis(trellis))


def token_rows(result: AlignmentResult) -> list[str]:
    labels = result.labels.labels
    return [labels[tok] for tok in result.tokenized.tokens]


def viterbi_staircase(result: AlignmentResult) -> tuple[np.ndarray, np.ndarray]:
    """Frame edges (x, seconds) and rows (y) of the forced path for a stepped curve."""
    from aligner_gui.core.alignment.trellis import path_cells

    frames, positions = path_cells(result.path)
    keep = positions >= 0
    if not keep.any():
        return np.zeros(0), np.zeros(0)
    first = int(np.argmax(keep))
    fs = result.timebase.frame_seconds
    edges = np.arange(first, frames.size + 1, dtype=np.float64) * fs
    return edges, positions[first:].astype(np.float64) + 0.5


def match_chars_to_tokens(
    result: AlignmentResult, segments: list[Segment]
) -> tuple[np.ndarray, np.ndarray]:
    """(segment indices, token positions) of the labelled character segments that still match
    the transcript's tokens, matched in order by label (delimiters have no character); segments
    that no longer match a token (relabelled, deleted) are skipped."""
    labels = result.labels.labels
    tokens = [
        (k, labels[tok].casefold())
        for k, (tok, word) in enumerate(
            zip(result.tokenized.tokens, result.tokenized.token_word, strict=True)
        )
        if word != -1
    ]
    seg_index: list[int] = []
    token_index: list[int] = []
    j = 0
    for i, seg in enumerate(segments):
        if not seg.label:
            continue
        label = seg.label.casefold()
        while j < len(tokens) and tokens[j][1] != label:
            j += 1
        if j == len(tokens):
            break
        seg_index.append(i)
        token_index.append(tokens[j][0])
        j += 1
    return np.asarray(seg_index, dtype=np.int64), np.asarray(token_index, dtype=np.int64)


def staircase_of(
    segments: list[Segment], seg_index: np.ndarray, token_index: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each matched character as a level step over its own span; the slanted links between steps
    cross the blank frames, so both edges of every character show."""
    if seg_index.size == 0:
        return np.zeros(0), np.zeros(0)
    xs = np.empty(2 * seg_index.size, dtype=np.float64)
    for n, i in enumerate(seg_index.tolist()):
        seg = segments[i]
        xs[2 * n] = seg.start
        xs[2 * n + 1] = seg.end
    return xs, np.repeat(token_index.astype(np.float64) + 0.5, 2)


def unit_tier(result: AlignmentResult) -> str:
    """The tier whose intervals are the model's tokens: a phone model's phones, else chars."""
    return PHONE_TIER if is_phone_model(result.labels.labels) else CHAR_TIER


def edited_staircase(
    result: AlignmentResult, doc: AlignmentDocument
) -> tuple[np.ndarray, np.ndarray]:
    """The document's character (or phone) spans as a path: each token's row over its current
    [start, end).

    Segments are matched to the transcript's tokens in order by label (delimiters have no
    segment); segments that no longer match a token (relabelled, deleted) are skipped.
    """
    try:
        segments = doc.tier(unit_tier(result)).segments
    except (KeyError, ValueError):
        return np.zeros(0), np.zeros(0)
    return staircase_of(segments, *match_chars_to_tokens(result, segments))


def merged_steps(edges: np.ndarray, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same staircase with one step per run of equal levels instead of one per frame: a
    token lasts several frames, and each step is a segment painted on every frame of a pan."""
    if levels.size == 0:
        return edges, levels
    starts = np.flatnonzero(np.r_[True, levels[1:] != levels[:-1]])
    return np.r_[edges[starts], edges[-1]], levels[starts]


class TrellisView(HeatmapPlot):
    view_name = "trellis"
    title = "Trellis"
    colorbar_label = "rel."

    def __init__(self, model: DocumentModel, parent=None) -> None:
        self.path_curve = pg.PlotCurveItem()
        self.edited_curve = pg.PlotCurveItem()
        self._dirty = True
        self._lazy = False  # True: a long file, computed around the view
        self._path_index: PathIndex | None = None
        self._staircase: tuple[np.ndarray, np.ndarray] | None = None
        self._rows: tuple[str, ...] = ()
        self._plan: WindowPlan | None = None  # the window shown (lazy mode)
        self._job: TrellisComputation | None = None  # the window being computed
        self._match: tuple[np.ndarray, np.ndarray] | None = None  # chars -> tokens, cached
        super().__init__(model, parent)
        self._compute_timer = QTimer(self)
        self._compute_timer.setInterval(0)
        self._compute_timer.timeout.connect(self._compute_slice)
        item = self.getPlotItem()
        item.getAxis("left").setLabel("Token")
        item.addItem(self.path_curve, ignoreBounds=True)
        item.addItem(self.edited_curve, ignoreBounds=True)
        # A pan moves the rows too (_follow_rows): the heat map is redrawn once, after both, not
        # once for the new times and again for the new rows.
        self.time_box.sigXRangeChanged.disconnect(self._on_range_changed)
        self.time_box.sigXRangeChanged.connect(self._on_x_range)
        self.time_box.sigResized.connect(self._follow_view)
        self.refresh()

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.path_curve.setPen(pg.mkPen(theme.path, width=1.5))
        self.edited_curve.setPen(pg.mkPen(theme.edited_path, width=2, style=Qt.PenStyle.DashLine))

    def refresh(self) -> None:
        # Building the trellis is the costliest drawing in the editor: only when it can be seen.
        self._dirty = True
        self._match = None
        self._stop_job()
        if self.isVisible():
            self._rebuild()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self._rebuild()
        else:
            self._follow_view()  # a long file's window may have been left behind while hidden

    def detach(self) -> None:
        self._stop_job()
        super().detach()

    def _stop_job(self) -> None:
        self._job = None
        if hasattr(self, "_compute_timer"):
            self._compute_timer.stop()

    def _result(self) -> AlignmentResult | None:
        doc = self.document
        return None if doc is None else doc.result

    def _rebuild(self) -> None:
        self._dirty = False
        self._plan = None
        self._path_index = None
        self._staircase = None
        doc = self.document
        result = self._result()
        self._clear_curves()
        if doc is None or result is None:
            restored = "No trellis: this document was opened from a file or restored"
            msg = restored if doc is not None else ""
            self.clear_heatmap(msg)
            return
        frames = int(result.emissions.shape[0])
        n_tokens = len(result.tokenized.tokens)
        self._rows = tuple(token_rows(result))
        self._staircase = viterbi_staircase(result)
        self._lazy = frames * n_tokens > FULL_TRELLIS_CELLS
        if self._lazy:
            self._path_index = PathIndex(result.path.token_index, n_tokens)
            self.clear_heatmap("")
            self._follow_view()
            return
        from aligner_gui.core.alignment.trellis import build_trellis

        trellis = build_trellis(result.emissions, result.tokenized.tokens, result.labels.blank)
        self._plan = WindowPlan(0, (0, frames), (0, n_tokens))
        self.set_heatmap(
            to_uint8(normalise_trellis(trellis)), result.timebase.frame_seconds, self._rows
        )
        self._draw_paths()

    # -- the window of a long file ---------------------------------------------------------------

    def _view_frames(self, result: AlignmentResult) -> tuple[int, int]:
        fs = result.timebase.frame_seconds
        t0, t1 = self.x_range()
        frames = int(result.emissions.shape[0])
        return max(0, int(t0 / fs)), min(frames, int(np.ceil(t1 / fs)))

    def _on_x_range(self, *_args) -> None:
        rows = self.time_box.viewRange()[1]
        self._follow_view()
        if self.time_box.viewRange()[1] == rows:  # else redrawn already, by the change of rows
            self._on_range_changed()

    def _follow_view(self, *_args) -> None:
        """Follow the path's rows and compute the window in view when it is not shown yet."""
        result = self._result()
        if not self._lazy or self._dirty or result is None or self._path_index is None:
            return
        if not self.isVisible():
            return  # nothing is computed for a hidden panel
        f0, f1 = self._view_frames(result)
        if f1 - f0 > MAX_VIEW_FRAMES:
            self._too_wide(result, f1 - f0, MAX_VIEW_FRAMES)
            return
        if f1 <= f0:
            return
        tokens = self._path_index.tokens_in(f0, f1)
        self._follow_rows(tokens)
        if self._plan is not None and self._plan.covers((f0, f1), tokens):
            return
        if self._job is not None and self._job.plan.covers((f0, f1), tokens):
            return
        plan = self._path_index.plan(f0, f1)
        if plan.cells > MAX_WINDOW_CELLS:  # a dense transcript: fewer seconds fit the budget
            self._too_wide(result, f1 - f0, (f1 - f0) * MAX_WINDOW_CELLS // plan.cells)
            return
        self._job = TrellisComputation(
            result.emissions, result.tokenized.tokens, result.labels.blank, plan, trellis_image
        )
        if self._plan is None:
            self.clear_heatmap(COMPUTING)
        self._compute_timer.start()

    def _too_wide(self, result: AlignmentResult, frames: int, limit: int) -> None:
        """Say how far to zoom in instead of computing a trellis nobody could read."""
        self._stop_job()
        self._plan = None
        self._clear_curves()
        fs = result.timebase.frame_seconds
        self.clear_heatmap(
            f"Zoom in to {max(1.0, limit * fs):.0f} s or less to see the trellis of this long "
            f"recording ({frames * fs:.0f} s in view)"
        )

    def _follow_rows(self, tokens: tuple[int, int]) -> None:
        """Keep the rows of the tokens the path visits in view (vertical scroll follows time)."""
        if self._plan is None:
            return
        lo, hi = tokens
        self.time_box.setYRange(
            max(0, lo - ROW_MARGIN), min(len(self._rows), hi + ROW_MARGIN), padding=0
        )

    def _compute_slice(self) -> None:
        job = self._job
        result = self._result()
        if job is None or result is None:
            self._stop_job()
            return
        if not job.advance(COMPUTE_SLICE_SECONDS):
            return
        self._stop_job()
        plan = job.plan
        self._plan = plan
        assert job.result is not None
        f0, f1 = self._view_frames(result)
        if self._path_index is not None and f1 > f0:
            self._follow_rows(self._path_index.tokens_in(f0, f1))
        self.set_source(
            FramePyramid(job.result),
            result.timebase.frame_seconds,
            self._rows,
            frame0=plan.frames[0],
            row0=plan.tokens[0],
        )
        self._draw_paths()
        self._follow_view()  # the view may have moved on while this window was computed

    def is_computing(self) -> bool:
        return self._job is not None

    # -- paths -----------------------------------------------------------------------------------

    def _clear_curves(self) -> None:
        self.path_curve.setData(np.zeros(0), np.zeros(0), stepMode=None)
        self.edited_curve.setData(np.zeros(0), np.zeros(0))

    def _draw_paths(self) -> None:
        plan, stairs, result = self._plan, self._staircase, self._result()
        if plan is None or stairs is None or result is None:
            self._clear_curves()
            return
        x, y = stairs
        if y.size:
            # Steps over the window's frames: edges [a, b] around rows [a, b).
            first = int(round(x[0] / result.timebase.frame_seconds))
            a = max(0, plan.frames[0] - first)
            b = max(a, min(y.size, plan.frames[1] - first))
            if b > a:
                self.path_curve.setData(*merged_steps(x[a : b + 1], y[a:b]), stepMode="center")
            else:
                self.path_curve.setData(np.zeros(0), np.zeros(0), stepMode=None)
        self.update_edited_path()

    def on_tier_changed(self, tier: str, kind: str, index: int) -> None:
        result = self._result()
        units = CHAR_TIER if result is None else unit_tier(result)
        if tier in ("", units) and kind != "boundary":
            self._match = None  # labels or segments changed: match the characters again
        if not self._dirty and tier in ("", units):
            self.update_edited_path()

    def update_edited_path(self) -> None:
        doc = self.document
        result = self._result()
        plan = self._plan
        if doc is None or result is None or plan is None:
            self.edited_curve.setData(np.zeros(0), np.zeros(0))
            return
        try:
            segments = doc.tier(unit_tier(result)).segments
        except (KeyError, ValueError):
            self.edited_curve.setData(np.zeros(0), np.zeros(0))
            return
        if self._match is None:
            self._match = match_chars_to_tokens(result, segments)
        seg_index, token_index = self._match
        # Only the characters overlapping the window's time span.
        fs = result.timebase.frame_seconds
        t0, t1 = plan.frames[0] * fs, plan.frames[1] * fs
        s0 = max(0, bisect.bisect_right(segments, t0, key=_start) - 1)
        s1 = bisect.bisect_left(segments, t1, key=_start)
        m0, m1 = np.searchsorted(seg_index, [s0, s1])
        x, y = staircase_of(segments, seg_index[m0:m1], token_index[m0:m1])
        self.edited_curve.setData(x, y)

    def edited_path(self) -> tuple[np.ndarray, np.ndarray]:
        x, y = self.edited_curve.getData()
        return (np.zeros(0), np.zeros(0)) if x is None else (np.asarray(x), np.asarray(y))


def _start(seg: Segment) -> float:
    return seg.start
