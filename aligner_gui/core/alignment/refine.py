"""Word boundaries finer than a CTC frame, placed in the blank gaps between words.

A CTC model emits each character as a short spike and fills the rest with blanks, so a word's raw
span (its first character's frame to its last character's) usually starts late and ends early;
its true edges lie in the blank gaps around it. The methods move edges into those gaps using
only the gaps' extent and the signal's short-time energy, at 1 ms resolution:

``"none"``
    the raw frame-span boundaries.
``"gap_middle"``
    a word ends in the middle of the gap that follows it; the next word starts there too.
``"energy_minimum"``
    as ``gap_middle`` but at the quietest 10 ms of the gap.
``"energy_edge"``
    a word ends where the signal falls below a silence threshold after its last character and
    the next word starts where it rises above it before its first character; a gap with no
    silence is split at its quietest point.

Only aligned words move; interpolated (unaligned) ones keep their times. benchmarks/demo-model.md
gives the measured effect of each method.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import Literal

import numpy as np

from aligner_gui.core.alignment.segments import CharSegment, WordSegment
from aligner_gui.core.base.timebase import TimeBase

RefineMethod = Literal["none", "gap_middle", "energy_minimum", "energy_edge"]
REFINE_METHODS: tuple[str, ...] = ("none", "gap_middle", "energy_minimum", "energy_edge")

_HOP_SECONDS = 0.001
_WINDOW_SECONDS = 0.010
# Silence: this far below the word's loud part, but never below the recording's floor + margin.
_BELOW_SPEECH_DB = 30.0
_ABOVE_FLOOR_DB = 6.0
_MIN_DEPTH_DB = 12.0
# How far past the last word (and before the first) an edge may move, in seconds.
_OUTER_REACH = 0.3
_ENERGY_CHUNK_BLOCKS = 1 << 16  # 1 ms blocks summed per chunk (~65 s of audio)


def refine_word_boundaries(
    words: Sequence[WordSegment],
    chars: Sequence[CharSegment],
    audio: np.ndarray,
    timebase: TimeBase,
    method: RefineMethod | str = "energy_edge",
) -> list[WordSegment]:
    """Words with edges moved into the blank gaps around them (see the module docstring).

    ``audio`` is the mono signal the words were aligned on, at ``timebase.sample_rate``.
    ``chars`` is accepted for symmetry with the alignment result; boundaries are word-level.
    The result keeps the words' order, never overlaps and stays within the recording.
    """
    del chars  # the word spans already are their characters' outer edges
    if method not in REFINE_METHODS:
        raise ValueError(
            f"unknown refinement {method!r}; choose one of {', '.join(REFINE_METHODS)}"
        )
    out = list(words)
    if method == "none":
        return out
    aligned = [i for i, w in enumerate(out) if w.aligned and w.end > w.start]
    if not aligned:
        return out
    duration = len(audio) / timebase.sample_rate
    level = _energy_db(np.asarray(audio, dtype=np.float32), timebase.sample_rate)
    floor = float(np.percentile(level, 5)) if level.size else -120.0
    starts = {i: out[i].start for i in aligned}
    ends = {i: out[i].end for i in aligned}
    # The outer edges: before the first word and after the last.
    first, last = aligned[0], aligned[-1]
    if method == "energy_edge":
        # Only where the signal does fall silent; otherwise the edge stays put.
        before = max(0.0, out[first].start - _OUTER_REACH)
        rise = _rise(level, before, out[first].start, _threshold(level, out[first], floor))
        starts[first] = out[first].start if rise is None else rise
        after = min(duration, out[last].end + _OUTER_REACH)
        fall = _fall(level, out[last].end, after, _threshold(level, out[last], floor))
        ends[last] = out[last].end if fall is None else fall
    for i, j in itertools.pairwise(aligned):
        left, right = out[i].end, out[j].start
        if right <= left:
            continue
        if method == "gap_middle":
            ends[i] = starts[j] = 0.5 * (left + right)
        elif method == "energy_minimum":
            ends[i] = starts[j] = _quietest(level, left, right)
        else:
            t_end = _fall(level, left, right, _threshold(level, out[i], floor))
            t_start = (
                None
                if t_end is None
                else _rise(level, t_end, right, _threshold(level, out[j], floor))
            )
            if t_end is None or t_start is None:  # no silence in the gap
                ends[i] = starts[j] = _quietest(level, left, right)
            else:
                ends[i], starts[j] = t_end, t_start
    # Interpolated (unaligned) words keep their place: an aligned neighbour may not move into them.
    fixed = [not (w.aligned and w.end > w.start) for w in out]
    for i in aligned:
        if i > 0 and fixed[i - 1]:
            starts[i] = max(starts[i], out[i - 1].end)
        if i + 1 < len(out) and fixed[i + 1]:
            ends[i] = min(ends[i], out[i + 1].start)
    for i in aligned:
        out[i] = dataclasses.replace(out[i], start=starts[i], end=max(starts[i], ends[i]))
    return out


def fit_chars_to_words(
    words: Sequence[WordSegment], chars: Sequence[CharSegment]
) -> list[CharSegment]:
    """Characters whose outer edges follow their refined word: a word's first character starts
    with it and its last one ends with it, so the two tiers share those boundaries."""
    out = list(chars)
    for w in words:
        if w.aligned and w.char_end > w.char_start:
            first, last = w.char_start, w.char_end - 1
            out[first] = dataclasses.replace(out[first], start=min(out[first].start, w.start))
            out[last] = dataclasses.replace(out[last], end=max(out[last].end, w.end))
    return out


def _energy_db(x: np.ndarray, rate: int) -> np.ndarray:
    """Level in dB of a centred 10 ms window every 1 ms (index k is time k ms).

    Summed per 1 ms block first, in chunks: an hour at 16 kHz then needs 3.6 M block sums
    (29 MB) rather than a float64 running sum over 57.6 M samples (460 MB, plus its square).
    """
    hop = max(1, int(round(_HOP_SECONDS * rate)))
    half_blocks = max(1, int(round(_WINDOW_SECONDS * rate / 2 / hop)))
    if x.size == 0:
        return np.zeros(0)
    blocks = -(-x.size // hop)
    block_power = np.empty(blocks, dtype=np.float64)
    step = _ENERGY_CHUNK_BLOCKS * hop
    for a in range(0, x.size, step):
        chunk = np.asarray(x[a : a + step], dtype=np.float64)
        if chunk.size % hop:  # the last partial block, zero-padded
            chunk = np.concatenate([chunk, np.zeros(hop - chunk.size % hop)])
        block_power[a // hop : a // hop + chunk.size // hop] = (
            (chunk * chunk).reshape(-1, hop).sum(1)
        )
    power = np.concatenate([[0.0], np.cumsum(block_power)])
    centres = np.arange(blocks)
    lo = np.clip(centres - half_blocks, 0, blocks)
    hi = np.clip(centres + half_blocks, 0, blocks)
    samples = np.minimum(hi * hop, x.size) - lo * hop
    mean = (power[hi] - power[lo]) / np.maximum(samples, 1)
    return 10.0 * np.log10(mean + 1e-12)


def _index(level: np.ndarray, t: float) -> int:
    return int(np.clip(round(t / _HOP_SECONDS), 0, max(0, level.size - 1)))


def _threshold(level: np.ndarray, word: WordSegment, floor: float) -> float:
    inside = level[_index(level, word.start) : _index(level, word.end) + 1]
    loud = float(np.percentile(inside, 90)) if inside.size else floor
    # Capped so that a recording without any pause (floor = speech) finds no silence at all.
    return min(max(loud - _BELOW_SPEECH_DB, floor + _ABOVE_FLOOR_DB), loud - _MIN_DEPTH_DB)


def _fall(level: np.ndarray, t0: float, t1: float, threshold: float) -> float | None:
    """First time in [t0, t1) where the level is below ``threshold``; None if there is none."""
    a, b = _index(level, t0), _index(level, t1)
    below = np.flatnonzero(level[a:b] < threshold)
    return None if below.size == 0 else (a + int(below[0])) * _HOP_SECONDS


def _rise(level: np.ndarray, t0: float, t1: float, threshold: float) -> float | None:
    """Just after the last time in [t0, t1) below ``threshold``; None if there is none."""
    a, b = _index(level, t0), _index(level, t1)
    below = np.flatnonzero(level[a:b] < threshold)
    return None if below.size == 0 else (a + int(below[-1]) + 1) * _HOP_SECONDS


def _quietest(level: np.ndarray, t0: float, t1: float) -> float:
    a, b = _index(level, t0), _index(level, t1)
    if b <= a:
        return t0
    return (a + int(np.argmin(level[a:b]))) * _HOP_SECONDS
