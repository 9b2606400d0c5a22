"""The editable alignment: named tiers of segments, the single source of truth of the editor.

Every interval tier is a contiguous partition of ``[0, duration]`` (``""`` labels are silence), so
boundary ``i`` of a tier is simply ``segments[i].start`` for ``i`` in ``1..n-1``. A child tier
("chars" under "words") keeps its labelled segments inside its parent's labelled segments.
The document is only read here; it is changed exclusively by the edits of
:mod:`aligner_gui.core.document.edits`, which notify the subscribers registered with :meth:`subscribe`.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from aligner_gui.core.base.errors import TextGridError
from aligner_gui.core.document.provenance import Provenance, doubtful_intervals
from aligner_gui.core.document.tier_names import CHAR_TIER, DOUBTFUL_TIER, PHONE_TIER, WORD_TIER

if TYPE_CHECKING:
    from aligner_gui.core.alignment.pipeline import AlignmentResult
    from aligner_gui.core.io.audio import Audio
    from aligner_gui.core.io.textgrid import TextGrid

MIN_SEGMENT = 0.001  # seconds: edits never make a segment shorter than this
TIME_TOLERANCE = 1e-9  # boundaries this close are the same boundary (float rounding)
# Gaps and overlaps this small in imported files are rounding noise of the writing tool
# (e.g. 1372.6225001 vs 1372.6225), not silences: they are closed instead of kept.
SNAP = 1e-6
# Tier names that hold sub-word units and so may be children of a word-like tier.
_CHILD_NAME = re.compile(r"phon|char|segment", re.IGNORECASE)
_WORD_NAME = re.compile(r"word", re.IGNORECASE)


@dataclass
class Segment:
    """One interval of an interval tier, or one point (``start == end``) of a point tier."""

    start: float
    end: float
    label: str
    score: float | None = None  # confidence in [0, 1]; None when unknown (e.g. read from Praat)
    aligned: bool = True  # False: interpolated or flagged by the engine


@dataclass
class Tier:
    name: str
    segments: list[Segment]  # contiguous partition of [0, duration]; "" label = silence / gap
    parent: str | None = None  # labelled segments stay inside the parent's labelled segments
    is_point_tier: bool = False  # Praat TextTier: start == end == time; move and relabel only
    # The name in the file it came from, when it had to be renamed to be unique (Praat allows
    # duplicate tier names, the document does not); written back by to_textgrid.
    source_name: str | None = None


@dataclass(frozen=True)
class DocumentChange:
    """What an edit changed, for subscribers.

    ``kind`` is "boundary" (times only), "label", "structure" (segments added or removed) or
    "reset". ``index`` is the boundary index for "boundary" and the segment index for "label" and
    "structure" when one place is meant, else None (e.g. a child tier that followed its parent).
    """

    tier: str | None  # None = everything changed (reset)
    kind: str
    index: int | None


Subscriber = Callable[[DocumentChange], None]


class AlignmentDocument:
    """Tiers over ``[0, duration]`` plus the audio and engine result they came from (if any)."""

    def __init__(
        self,
        tiers: Sequence[Tier],
        duration: float,
        audio: Audio | None = None,
        result: AlignmentResult | None = None,
        xmin: float = 0.0,
        provenance: Provenance | None = None,
    ) -> None:
        self.duration = float(duration)
        self.audio = audio
        self.result = result
        # What the outputs record beside the tiers (model, audio file, doubt, warnings).
        self.provenance = provenance or Provenance.from_audio(audio)
        self.tiers: list[Tier] = list(tiers)
        # The TextGrid's own xmin when it did not start at 0 (an excerpt of a longer recording):
        # the document always starts at 0, export restores the original start.
        self.xmin = float(xmin)
        self._subscribers: list[Subscriber] = []
        problems = self.structure_problems()
        if problems:
            raise ValueError("invalid document: " + "; ".join(problems[:3]))

    # -- queries ---------------------------------------------------------------------------------

    def tier(self, name: str) -> Tier:
        for tier in self.tiers:
            if tier.name == name:
                return tier
        raise KeyError(f"no tier named {name!r}")

    def tier_names(self) -> list[str]:
        return [tier.name for tier in self.tiers]

    def children(self, name: str) -> list[Tier]:
        """Tiers whose parent is ``name`` (direct children only)."""
        return [tier for tier in self.tiers if tier.parent == name]

    def descendants(self, name: str) -> list[Tier]:
        """Children, grandchildren, ... of ``name``, parents before their children."""
        out: list[Tier] = []
        seen = {name}
        queue = [name]
        while queue:
            for child in self.children(queue.pop(0)):
                if child.name not in seen:  # a (malformed) cycle must not loop forever
                    seen.add(child.name)
                    out.append(child)
                    queue.append(child.name)
        return out

    def boundaries(self, tier_name: str) -> list[float]:
        """Times of the movable boundaries.

        Interval tier: the internal boundaries, ``boundaries(t)[k]`` is boundary index ``k + 1``
        (the start of segment ``k + 1``; index 0 and the end are the fixed tier edges).
        Point tier: every point, ``boundaries(t)[k]`` is point index ``k``.
        """
        tier = self.tier(tier_name)
        if tier.is_point_tier:
            return [seg.start for seg in tier.segments]
        return [seg.start for seg in tier.segments[1:]]

    def segment_at(self, tier_name: str, time: float) -> int | None:
        """Index of the segment with ``start <= time < end`` (the last one also owns ``duration``).

        Point tier: the point nearest to ``time``. None outside ``[0, duration]`` or when empty.
        """
        tier = self.tier(tier_name)
        segs = tier.segments
        if not segs:
            return None
        i = bisect.bisect_right(segs, time, key=lambda s: s.start) - 1
        if tier.is_point_tier:
            candidates = [k for k in (i, i + 1) if 0 <= k < len(segs)]
            return min(candidates, key=lambda k: abs(segs[k].start - time))
        if time < 0.0 or time > self.duration or i < 0:
            return None
        return min(i, len(segs) - 1)

    # -- notification ----------------------------------------------------------------------------

    def subscribe(self, callback: Subscriber) -> None:
        if callback not in self._subscribers:
            self._subscribers.append(callback)

    def unsubscribe(self, callback: Subscriber) -> None:
        if callback in self._subscribers:
            self._subscribers.remove(callback)

    def notify(self, change: DocumentChange) -> None:
        """Tell every subscriber; called by the edits after they changed the document."""
        for callback in list(self._subscribers):  # a callback may unsubscribe itself
            callback(change)

    # -- invariants ------------------------------------------------------------------------------

    def structure_problems(self) -> list[str]:
        """Violations of the partition invariants (empty when the document is well-formed)."""
        problems: list[str] = []
        if not self.duration > 0.0:
            problems.append(f"duration {self.duration} is not positive")
        names = self.tier_names()
        for tier in self.tiers:
            if names.count(tier.name) > 1:
                problems.append(f"tier name {tier.name!r} is not unique")
            if tier.parent is not None and (tier.parent not in names or tier.parent == tier.name):
                problems.append(f"tier {tier.name!r} has an unknown parent {tier.parent!r}")
            problems += _tier_problems(tier, self.duration)
        return problems

    def problems(self) -> list[str]:
        """All invariant violations: the partitions, and every child tier's labelled segments
        lying inside one labelled segment of its parent."""
        problems = self.structure_problems()
        if problems:
            return problems
        for tier in self.tiers:
            if tier.parent is None:
                continue
            parent = self.tier(tier.parent)
            for k, seg in enumerate(tier.segments):
                if seg.label and not inside_labelled(parent, seg.start, seg.end):
                    problems.append(
                        f"{tier.name!r} segment {k} {seg.label!r} [{seg.start}, {seg.end}) is "
                        f"not inside one labelled segment of {parent.name!r}"
                    )
        return problems

    # -- construction and export -----------------------------------------------------------------

    @classmethod
    def from_alignment(cls, result: AlignmentResult) -> AlignmentDocument:
        """Tiers "words" and, nested in them, "phones" (a phone model) or "chars" (a letter model)
        from the engine's output, gaps as ""."""
        duration = float(result.audio.duration)
        words = partition(
            (
                Segment(w.start, w.end, w.label, _score(w.score), bool(w.aligned))
                for w in result.words
            ),
            duration,
        )
        word_tier = Tier(WORD_TIER, words)
        tiers = [word_tier]
        # A phone model gives phones and no chars; a letter model chars and no phones (none are
        # invented from letters).
        name, units = (PHONE_TIER, result.phones) if result.phones else (CHAR_TIER, result.chars)
        child = Tier(
            name,
            partition((Segment(c.start, c.end, c.label, _score(c.score)) for c in units), duration),
        )
        # Units of words flagged as unaligned may be interpolated outside their word; only a
        # consistent pair of tiers is linked, so that edits can rely on the nesting.
        if not _nesting_problems(child, word_tier):
            child.parent = WORD_TIER
        tiers.append(child)
        if result.doubtful:  # regions to review, kept as a tier the user can edit or delete
            doubt = (Segment(i.start, i.end, i.label) for i in doubtful_intervals(result.doubtful))
            tiers.append(Tier(DOUBTFUL_TIER, partition(doubt, duration)))
        provenance = Provenance.from_alignment(result)
        return cls(tiers, duration, audio=result.audio, result=result, provenance=provenance)

    @classmethod
    def from_textgrid(cls, tg: TextGrid, audio: Audio | None = None) -> AlignmentDocument:
        """Every tier of ``tg``; a phone- or char-like tier whose boundaries include all of a
        word-like tier's boundaries becomes that tier's child.

        Times are shifted by nothing: the document spans ``[0, duration]`` with
        ``duration = max(tg.xmax, audio.duration)``; a grid starting after 0 gets a leading ""
        segment and remembers its xmin for export.
        """
        ends = [float(tg.xmax)]
        for src in tg.tiers:
            ends += [float(iv.end) for iv in getattr(src, "intervals", ())]
            ends += [float(p.time) for p in getattr(src, "points", ())]
        if audio is not None:
            ends.append(float(audio.duration))
        duration = max(ends)
        if not duration > 0.0:
            raise TextGridError(None, None, "it has no duration and no audio to give it one")
        tiers: list[Tier] = []
        used: set[str] = set()
        for src in tg.tiers:
            name = unique_name(str(src.name), used)
            used.add(name)
            source_name = None if name == src.name else str(src.name)
            if hasattr(src, "points"):
                points = sorted(
                    (Segment(float(p.time), float(p.time), str(p.label)) for p in src.points),
                    key=lambda s: s.start,
                )
                points = [p for p in points if 0.0 <= p.start <= duration]
                tiers.append(Tier(name, points, is_point_tier=True, source_name=source_name))
            else:
                segs = partition(
                    (
                        Segment(float(iv.start), float(iv.end), str(iv.label))
                        for iv in src.intervals
                    ),
                    duration,
                )
                tiers.append(Tier(name, segs, source_name=source_name))
        _guess_parents(tiers)
        return cls(tiers, duration, audio=audio, result=None, xmin=max(0.0, float(tg.xmin)))

    def to_textgrid(self) -> TextGrid:
        """A Praat TextGrid of every tier, "" segments included (Praat tiers have no gaps)."""
        from aligner_gui.core.io.textgrid import Interval, IntervalTier, Point, PointTier, TextGrid

        xmin = min(self.xmin, self._first_labelled_time())
        xmax = self.duration
        out: list[IntervalTier | PointTier] = []
        for tier in self.tiers:
            name = tier.source_name if tier.source_name is not None else tier.name
            if tier.is_point_tier:
                points = tuple(Point(seg.start, seg.label) for seg in tier.segments)
                out.append(PointTier(name, xmin, xmax, points))
                continue
            intervals = tuple(
                Interval(max(seg.start, xmin), seg.end, seg.label)
                for seg in tier.segments
                if seg.end > xmin
            )
            out.append(IntervalTier(name, xmin, xmax, intervals))
        return TextGrid(xmin, xmax, tuple(out))

    def _first_labelled_time(self) -> float:
        """Earliest labelled time of any tier: export never cuts away a label."""
        first = self.duration
        for tier in self.tiers:
            for seg in tier.segments:
                if seg.label or tier.is_point_tier:
                    first = min(first, seg.start)
                    break
        return first


# -- helpers ---------------------------------------------------------------------------------------


def partition(segments: Iterable[Segment], duration: float) -> list[Segment]:
    """Sorted, clipped, gap-free segments over ``[0, duration]``; gaps become "" segments.

    Overlaps are resolved in favour of the earlier segment (a segment wholly covered by an earlier
    one is dropped); gaps and overlaps up to ``SNAP`` are closed. A filled gap next to a ""
    segment is merged into it, so the filling adds no boundary of its own.
    """
    items = sorted((s for s in segments if s.end > s.start), key=lambda s: (s.start, s.end))
    out: list[Segment] = []
    last_is_filler = False

    def put(new: Segment, filler: bool) -> None:
        nonlocal last_is_filler
        if out and not new.label and not out[-1].label and (filler or last_is_filler):
            prev = out[-1]
            out[-1] = (
                replace(new, start=prev.start) if last_is_filler else replace(prev, end=new.end)
            )
            last_is_filler = False
        else:
            out.append(new)
            last_is_filler = filler

    cursor = 0.0
    for seg in items:
        start, end = max(seg.start, 0.0), min(seg.end, duration)
        if end <= cursor + SNAP:
            continue
        if start > cursor + SNAP:
            put(Segment(cursor, start, ""), filler=True)
        else:
            start = cursor
        put(Segment(start, end, seg.label, seg.score, seg.aligned), filler=False)
        cursor = end
    if not out or duration - cursor > SNAP:
        put(Segment(cursor, duration, ""), filler=True)
    else:
        out[-1] = replace(out[-1], end=duration)
    return out


def _score(value: float | None) -> float | None:
    # The engine scores unaligned words NaN; None keeps "unknown" explicit and comparisons sane.
    if value is None or math.isnan(value):
        return None
    return float(value)


def unique_name(name: str, used: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)``... when it is taken (tier names must be unique)."""
    if name not in used:
        return name
    k = 2
    while f"{name} ({k})" in used:
        k += 1
    return f"{name} ({k})"


def _tier_problems(tier: Tier, duration: float) -> list[str]:
    segs = tier.segments
    name = tier.name
    if tier.is_point_tier:
        times = [s.start for s in segs]
        if any(s.start != s.end for s in segs):
            return [f"point tier {name!r} has a segment with start != end"]
        if times != sorted(times) or any(t < 0.0 or t > duration for t in times):
            return [f"point tier {name!r} has unsorted points or points outside [0, {duration}]"]
        return []
    if not segs:
        return [f"interval tier {name!r} has no segments"]
    problems: list[str] = []
    if segs[0].start != 0.0 or segs[-1].end != duration:
        problems.append(
            f"tier {name!r} spans [{segs[0].start}, {segs[-1].end}], not [0, {duration}]"
        )
    for k, seg in enumerate(segs):
        if not seg.end > seg.start:
            problems.append(f"tier {name!r} segment {k} [{seg.start}, {seg.end}) is empty")
        if k and segs[k - 1].end != seg.start:
            problems.append(f"tier {name!r} has a gap or overlap before segment {k}")
    return problems


def inside_labelled(parent: Tier, start: float, end: float) -> bool:
    """Whether [start, end) lies inside one labelled segment of ``parent``."""
    segs = parent.segments
    i = bisect.bisect_right(segs, start + TIME_TOLERANCE, key=lambda s: s.start) - 1
    if i < 0:
        return False
    seg = segs[i]
    return bool(seg.label) and end <= seg.end + TIME_TOLERANCE


def _nesting_problems(child: Tier, parent: Tier) -> bool:
    return any(s.label and not inside_labelled(parent, s.start, s.end) for s in child.segments)


def _guess_parents(tiers: list[Tier]) -> None:
    """Link each phone/char-like tier to the word-like tier whose boundaries it contains."""
    interval = [t for t in tiers if not t.is_point_tier]
    for child in interval:
        if not _CHILD_NAME.search(child.name):
            continue
        child_bounds = [s.start for s in child.segments[1:]]
        candidates = [
            t
            for t in interval
            if t is not child
            and not _CHILD_NAME.search(t.name)
            and any(s.label for s in t.segments)
            and len(t.segments) <= len(child.segments)
            and all(_near(child_bounds, s.start) for s in t.segments[1:])
        ]
        # Prefer a tier called "words"; otherwise the finest candidate.
        candidates.sort(key=lambda t: (not _WORD_NAME.search(t.name), -len(t.segments)))
        for parent in candidates:
            snapped = _snap_to(child.segments, [s.start for s in parent.segments[1:]])
            trial = Tier(child.name, snapped)
            duration = child.segments[-1].end
            if not _tier_problems(trial, duration) and not _nesting_problems(trial, parent):
                child.segments = snapped
                child.parent = parent.name
                break


def _near(sorted_times: list[float], t: float) -> bool:
    i = bisect.bisect_left(sorted_times, t - SNAP)
    return i < len(sorted_times) and abs(sorted_times[i] - t) <= SNAP


def _snap_to(segments: list[Segment], times: list[float]) -> list[Segment]:
    """Copy of ``segments`` with boundaries within SNAP of ``times`` moved exactly onto them, so
    that a parent's boundary and its child's coincide to the bit."""
    out = [replace(s) for s in segments]
    starts = [s.start for s in out]
    for t in times:
        k = bisect.bisect_left(starts, t - SNAP)
        if 0 < k < len(out) and abs(starts[k] - t) <= SNAP:
            out[k].start = t
            out[k - 1].end = t
    return out
