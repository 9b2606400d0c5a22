"""Zero crossings of the audio, where Praat's "Move to nearest zero crossing" puts a boundary.

A zero crossing lies between two successive samples ``x[j]`` and ``x[j + 1]`` whose signs differ
(a sample of exactly 0 counts as positive: 0 followed by a negative sample is a crossing, 0
followed by a positive one is not). Its time is where the straight line between the two samples
crosses zero, as Praat interpolates it, so it always lies in ``[t_j, t_{j+1})``: the sample pair
around the boundary has a sign change. A boundary that lands exactly on a sample of 0 is on that
sample.
"""

from __future__ import annotations

import numpy as np

from aligner_gui.core.base.timebase import sample_to_seconds, seconds_to_sample

__all__ = ["crossings_between", "nearest_zero_crossing"]

# Samples searched on each side of the time at first; doubled until a crossing is found, so an
# hour of audio is never scanned for a boundary in ordinary speech (crossings every few ms).
FIRST_WINDOW = 1024


def crossings_between(samples: np.ndarray, first: int, last: int) -> np.ndarray:
    """Fractional sample positions of the zero crossings between samples ``first`` and ``last``
    (inclusive, clipped to the signal), sorted."""
    first, last = max(0, first), min(len(samples) - 1, last)
    if last <= first:
        return np.empty(0)
    x = np.asarray(samples[first : last + 1], dtype=np.float64)
    positive = x >= 0.0
    j = np.flatnonzero(positive[:-1] != positive[1:])
    a, b = x[j], x[j + 1]
    return first + j + a / (a - b)  # a != b wherever their signs differ


def nearest_zero_crossing(
    samples: np.ndarray, sample_rate: int, seconds: float, lo: float = 0.0, hi: float | None = None
) -> float | None:
    """The time of the zero crossing nearest ``seconds`` within ``[lo, hi]`` (seconds; ``hi``
    defaults to the end of the audio), or None when the signal has none there."""
    n = len(samples)
    if n < 2:
        return None
    end = sample_to_seconds(n - 1, sample_rate)
    lo, hi = max(lo, 0.0), end if hi is None else min(hi, end)
    if hi < lo:
        return None
    first, last = seconds_to_sample(lo, sample_rate) - 1, seconds_to_sample(hi, sample_rate) + 1
    centre = seconds_to_sample(min(max(seconds, lo), hi), sample_rate)
    window = FIRST_WINDOW
    while True:
        a, b = max(first, centre - window), min(last, centre + window)
        times = np.array(
            [sample_to_seconds(p, sample_rate) for p in crossings_between(samples, a, b)]
        )
        times = times[(times >= lo) & (times <= hi)]
        if times.size:
            return float(times[np.argmin(np.abs(times - seconds))])
        if a <= first and b >= last:
            return None
        window *= 2
