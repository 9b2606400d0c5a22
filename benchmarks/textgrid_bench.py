"""TextGrid reader and writers: time to read and write big grids in each layout, and to refuse
absurdly long numbers (that refusal must not grow with the square of the number's length).

    .venv/bin/python benchmarks/textgrid_bench.py [--intervals 100000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import TypeVar

from aligner_gui.core.base.errors import TextGridError
from aligner_gui.core.io.textgrid import (
    Interval,
    IntervalTier,
    Point,
    PointTier,
    TextGrid,
    format_textgrid,
    parse_textgrid,
)

T = TypeVar("T")
HEADER = 'File type = "ooTextFile"\nObject class = "TextGrid"\n\n'


def big_grid(intervals: int) -> TextGrid:
    step = 0.01
    words = tuple(Interval(k * step, (k + 1) * step, f"w{k}") for k in range(intervals))
    points = tuple(Point((k + 0.5) * step * 10, f"p{k}") for k in range(intervals // 10))
    end = intervals * step
    return TextGrid(
        0.0, end, (IntervalTier("words", 0.0, end, words), PointTier("p", 0, end, points))
    )


def timed(action: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--intervals", type=int, default=100_000)
    args = parser.parse_args()
    grid = big_grid(args.intervals)
    print(f"grid: {args.intervals} intervals + {args.intervals // 10} points")
    layouts: dict[str, dict[str, bool]] = {
        "long": {},
        "short": {"short": True},
        "chronological": {"chronological": True},
    }
    for layout, options in layouts.items():
        text, written = timed(lambda options=options: format_textgrid(grid, **options))
        _, read = timed(lambda text=text: parse_textgrid(text))
        size = len(text) / 1e6
        print(f"{layout:>14}: {size:6.2f} MB, write {written:6.3f} s, read {read:6.3f} s")
    for digits in (5_000, 50_000, 500_000, 5_000_000):
        huge = f"{HEADER}0\n1\n{'9' * digits}\n"
        _, refused = timed(lambda huge=huge: _refused(huge))
        print(f"refusing a {digits:>9,}-digit tier count: {refused * 1000:8.3f} ms")


def _refused(text: str) -> None:
    try:
        parse_textgrid(text)
    except TextGridError:
        return
    raise AssertionError("a huge tier count was accepted")


if __name__ == "__main__":
    main()
