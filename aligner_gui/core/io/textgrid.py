"""Praat TextGrids: the data model, Praat's text writers and filling gaps between intervals.

The reader lives in :mod:`aligner_gui.core.io.textgrid_reader`; ``read_textgrid`` and
``parse_textgrid`` are available here too. Both directions are our own rather than praatio's
(see the reader for what praatio gets wrong when reading); when writing, praatio 6.2.2 writes
values within 1e-14 of an integer as that integer, sorts entries and drops intervals shorter
than 1e-8 s, whereas we write exactly what Praat would write for the same grid.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.io.fileio import atomic_write_bytes


@dataclass(frozen=True)
class Interval:
    start: float
    end: float
    label: str


@dataclass(frozen=True)
class Point:
    time: float
    label: str


@dataclass(frozen=True)
class IntervalTier:
    name: str
    xmin: float
    xmax: float
    intervals: tuple[Interval, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "intervals", tuple(self.intervals))


@dataclass(frozen=True)
class PointTier:
    """Praat's "TextTier"."""

    name: str
    xmin: float
    xmax: float
    points: tuple[Point, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", tuple(self.points))


Tier = IntervalTier | PointTier


@dataclass(frozen=True)
class TextGrid:
    xmin: float
    xmax: float
    tiers: tuple[Tier, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "tiers", tuple(self.tiers))

    def tier(self, name: str) -> Tier:
        """The first tier called ``name`` (tier names need not be unique)."""
        for tier in self.tiers:
            if tier.name == name:
                return tier
        names = ", ".join(repr(t.name) for t in self.tiers) or "none"
        raise KeyError(f"no tier named {name!r}; the tiers are: {names}")


# ---------------------------------------------------------------------------------------------
# Reading (the reader builds the dataclasses above, so it imports this module, not vice versa)


def read_textgrid(path: str | Path) -> TextGrid:
    """Read a TextGrid file in any of Praat's text formats and encodings."""
    from aligner_gui.core.io import textgrid_reader

    return textgrid_reader.read_textgrid(path)


def parse_textgrid(text: str, path: str | Path | None = None) -> TextGrid:
    """Parse the text of a long, short or free-format TextGrid (line breaks already LF)."""
    from aligner_gui.core.io import textgrid_reader

    return textgrid_reader.parse_textgrid(text, path)


# ---------------------------------------------------------------------------------------------
# Writing


def praat_number(value: float) -> str:
    """Praat's Melder_double: the shortest of %.15g, %.16g, %.17g that reads back exactly."""
    if not math.isfinite(value):
        raise ValueError(f"cannot write the non-finite time {value!r} to a TextGrid")
    if value == 0.0:
        return "0"  # also for -0.0
    for digits in (15, 16, 17):
        text = f"{value:.{digits}g}"
        if float(text) == value:
            break
    return text


def _quote(label: str) -> str:
    # Praat reads every CR as LF, so writing LF keeps what we write equal to what is read back.
    return '"' + label.replace("\r\n", "\n").replace("\r", "\n").replace('"', '""') + '"'


def _long_lines(tg: TextGrid) -> list[str]:
    lines = [
        f"xmin = {praat_number(tg.xmin)} ",
        f"xmax = {praat_number(tg.xmax)} ",
        "tiers? <exists> ",
    ]
    lines += [f"size = {len(tg.tiers)} ", "item []: " if tg.tiers else "item []: (empty)"]
    for number, tier in enumerate(tg.tiers, 1):
        is_interval = isinstance(tier, IntervalTier)
        lines += [
            f"    item [{number}]:",
            f'        class = "{"IntervalTier" if is_interval else "TextTier"}" ',
            f"        name = {_quote(tier.name)} ",
            f"        xmin = {praat_number(tier.xmin)} ",
            f"        xmax = {praat_number(tier.xmax)} ",
        ]
        if isinstance(tier, IntervalTier):
            lines.append(f"        intervals: size = {len(tier.intervals)} ")
            for k, iv in enumerate(tier.intervals, 1):
                lines += [
                    f"        intervals [{k}]:",
                    f"            xmin = {praat_number(iv.start)} ",
                    f"            xmax = {praat_number(iv.end)} ",
                    f"            text = {_quote(iv.label)} ",
                ]
        else:
            lines.append(f"        points: size = {len(tier.points)} ")
            for k, pt in enumerate(tier.points, 1):
                lines += [
                    f"        points [{k}]:",
                    f"            number = {praat_number(pt.time)} ",
                    f"            mark = {_quote(pt.label)} ",
                ]
    return lines


def _short_lines(tg: TextGrid) -> list[str]:
    lines = [praat_number(tg.xmin), praat_number(tg.xmax), "<exists>", str(len(tg.tiers))]
    for tier in tg.tiers:
        is_interval = isinstance(tier, IntervalTier)
        lines += ['"IntervalTier"' if is_interval else '"TextTier"', _quote(tier.name)]
        lines += [praat_number(tier.xmin), praat_number(tier.xmax)]
        if isinstance(tier, IntervalTier):
            lines.append(str(len(tier.intervals)))
            for iv in tier.intervals:
                lines += [praat_number(iv.start), praat_number(iv.end), _quote(iv.label)]
        else:
            lines.append(str(len(tier.points)))
            for pt in tier.points:
                lines += [praat_number(pt.time), _quote(pt.label)]
    return lines


def _chronological_text(tg: TextGrid) -> str:
    """Praat's TextGrid_writeToChronologicalTextFile: every interval and point after a "! tier:"
    comment, ordered by start time and then by tier number; no final line break.

    Praat picks each next element as the first one after the previous (time, tier), which skips
    an element that starts where another of its tier starts; merging the tiers keeps every one,
    each tier's in its own order, so what we write reads back equal.
    """
    out = ['"Praat chronological TextGrid text file"\n']
    out.append(f"{praat_number(tg.xmin)} {praat_number(tg.xmax)}   ! Time domain.\n")
    out.append(f"{len(tg.tiers)}   ! Number of tiers.")
    for tier in tg.tiers:
        kind = "IntervalTier" if isinstance(tier, IntervalTier) else "TextTier"
        out.append(f"\n{_quote(kind)} {_quote(tier.name)} {praat_number(tier.xmin)} ")
        out.append(praat_number(tier.xmax))
    elements = heapq.merge(*(_timed(tier, k) for k, tier in enumerate(tg.tiers, 1)))
    for _time, number, _index, text in elements:
        # Praat writes the name as it is; a line break in it would end the comment early.
        name = " ".join(tg.tiers[number - 1].name.splitlines())
        out.append(f"\n\n! {name}:\n{number} {text}")
    return "".join(out)


def _timed(tier: Tier, number: int) -> Iterator[tuple[float, int, int, str]]:
    """(start time, tier number, index, text after the tier number) of each element, in order."""
    if isinstance(tier, IntervalTier):
        for k, iv in enumerate(tier.intervals):
            times = f"{praat_number(iv.start)} {praat_number(iv.end)}"
            yield iv.start, number, k, f"{times}\n{_quote(iv.label)}"
    else:
        for k, pt in enumerate(tier.points):
            yield pt.time, number, k, f"{praat_number(pt.time)} \n{_quote(pt.label)}"


def format_textgrid(tg: TextGrid, short: bool = False, *, chronological: bool = False) -> str:
    """The text Praat writes for "Save as text file" (or "short text file", or "chronological
    text file"), with LF endings."""
    if chronological:
        if short:
            raise ValueError("a TextGrid is written either short or chronological, not both")
        return _chronological_text(tg)
    body = _short_lines(tg) if short else _long_lines(tg)
    return "\n".join(['File type = "ooTextFile"', 'Object class = "TextGrid"', "", *body, ""])


def _encode(text: str, encoding: str) -> bytes:
    normalized = encoding.lower().replace("_", "-")
    if normalized in ("utf-8", "utf8"):
        return text.encode("utf-8")
    if normalized in ("utf-16", "utf16", "utf-16-be", "utf-16be"):
        return b"\xfe\xff" + text.encode("utf-16-be")  # Praat writes big-endian with a BOM
    raise ValueError(f"unsupported TextGrid encoding {encoding!r}; use 'utf-8' or 'utf-16'")


def write_textgrid(
    tg: TextGrid,
    path: str | Path,
    short: bool = False,
    encoding: str = "utf-8",
    *,
    chronological: bool = False,
) -> None:
    data = _encode(format_textgrid(tg, short, chronological=chronological), encoding)
    try:
        atomic_write_bytes(path, data)
    except OSError as err:
        raise AlignerError(f"{path}: the TextGrid cannot be written ({err.strerror}).") from err


def fill_gaps(tier: IntervalTier, xmin: float, xmax: float) -> IntervalTier:
    """Add empty intervals so the tier covers [xmin, xmax] without gaps (as Praat requires).

    Intervals are sorted by start time; overlaps are kept as they are; the tier's domain grows if
    an interval lies outside [xmin, xmax].
    """
    intervals = sorted(tier.intervals, key=lambda iv: iv.start)
    if not intervals and not xmin < xmax:
        raise ValueError(f"cannot fill an empty tier over [{xmin}, {xmax}]")
    filled: list[Interval] = []
    cursor = start = min([xmin, *(iv.start for iv in intervals[:1])])
    for iv in intervals:
        if iv.start > cursor:
            filled.append(Interval(cursor, iv.start, ""))
        filled.append(iv)
        cursor = max(cursor, iv.end)
    if cursor < xmax:
        filled.append(Interval(cursor, xmax, ""))
        cursor = xmax
    return IntervalTier(tier.name, start, cursor, tuple(filled))
