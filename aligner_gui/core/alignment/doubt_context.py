"""What the doubt detectors share: the regions they report, their thresholds, the file's context
(typical character duration, names and times for messages) and regions being assembled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aligner_gui.core.alignment.segments import CharSegment, WordSegment
from aligner_gui.core.base.timebase import TimeBase

KINDS = ("long-word", "low-score", "unspoken-text", "untranscribed-audio")


@dataclass(frozen=True)
class DoubtfulRegion:
    start: float  # seconds, [start, end)
    end: float
    kind: str  # one of KINDS
    words: tuple[int, int]  # word index range [first, last) concerned; empty between two words
    message: str  # one sentence for the user


@dataclass(frozen=True)
class DoubtThresholds:
    long_word_seconds: float = 1.5
    long_word_factor: float = 4.0
    long_char_seconds: float = 1.0
    long_char_factor: float = 8.0
    speech_probability: float = 0.5
    explain_frames: int = 2
    untranscribed_density: float = 0.1
    baseline_factor: float = 2.5
    window_seconds: float = 1.0
    untranscribed_seconds: float = 1.0
    merge_seconds: float = 2.0
    low_probability: float = 0.2
    min_words: int = 3
    squeezed_frames_per_char: float = 1.6
    silent_share: float = 0.7


class DoubtContext:
    def __init__(
        self,
        words: Sequence[WordSegment],
        chars: Sequence[CharSegment],
        timebase: TimeBase,
        th: DoubtThresholds,
        unit: str = "character",
    ) -> None:
        self.unit = unit  # what a word's units are, for messages: "character" or "phone"
        self.words = words
        self.chars = chars
        self.timebase = timebase
        self.th = th
        self.frame = timebase.frame_seconds
        per_char = [
            (w.end - w.start) / (w.char_end - w.char_start)
            for w in words
            if w.aligned and w.char_end > w.char_start
        ]
        typical = float(np.median(per_char)) if per_char else 0.07
        self.typical_char = min(max(typical, self.frame), 0.2)

    def is_long(self, word: WordSegment) -> bool:
        n = word.char_end - word.char_start
        limit = max(self.th.long_word_seconds, self.th.long_word_factor * n * self.typical_char)
        return word.end - word.start > limit

    def name(self, w: int) -> str:
        return f"\u2018{self.words[w].label}\u2019"

    def span(self, start: float, end: float) -> str:
        return f"{clock(start)}\u2013{clock(end)}"

    def frames(self, start: float, end: float) -> slice:
        a = self.timebase.seconds_to_frame(start)
        return slice(a, max(a + 1, self.timebase.seconds_to_frame(end)))


@dataclass
class Draft:
    """A region being assembled; its message is written once its extent is final."""

    kind: str
    start: float
    end: float
    first: int  # word range [first, last)
    last: int
    members: list[int]  # the poor words of a cluster (empty for audio regions)

    def take(self, other: Draft) -> None:
        self.start, self.end = min(self.start, other.start), max(self.end, other.end)
        if other.last > other.first:
            if self.last > self.first:
                self.first, self.last = min(self.first, other.first), max(self.last, other.last)
            else:
                self.first, self.last = other.first, other.last


def clock(seconds: float) -> str:
    """A time for messages: 12.4 -> "0:12.4", 3723.0 -> "1:02:03.0"."""
    tenths = max(0, round(seconds * 10))
    minutes, rest = divmod(tenths, 600)
    hours, minutes = divmod(minutes, 60)
    text = f"{rest // 10:02d}.{rest % 10}"
    return f"{hours}:{minutes:02d}:{text}" if hours else f"{minutes}:{text}"
