"""What every voice family produces: 16 kHz audio with each word's and phone's engine times.

Each engine (:mod:`.espeak`, :mod:`.flite`, :mod:`.festival`) reports its own phone times; they are
mapped to the IPA inventory of :mod:`.phones` and grouped by the written word they belong to. The
times are then checked against the signal (:func:`check_against_signal`): an utterance whose first
phone does not start at the sound's onset, or whose last phone does not end at its offset, within
a tolerance, is dropped by the caller and counted. Nothing here ever looks at a model's output.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from aligner_gui.demo.phones import TimedPhone

# A speech onset or offset is where the 5 ms moving power crosses this level relative to the
# utterance's loudest 5 ms. Not lower: flite's and festival's pauses hold breath noise 45-55 dB
# down. Weak sounds (/h/, /f/, /θ/, a final /s/) stay under it for up to ~50 ms, so a phone may
# start that much before the measured onset (or end after the offset), but not after it (before
# it): a wrong utterance - shifted, truncated, a misattributed pause - is off by far more.
EDGE_LEVEL_DB = -35.0
WEAK_EDGE = 0.060  # seconds a first phone may start before the onset / a last one end after
EDGE_TOLERANCE = 0.030  # seconds it may start after the onset / end before the offset


@dataclass(frozen=True)
class TimedWord:
    text: str  # as written in the sentence, punctuation stripped
    start: float  # seconds, [start, end)
    end: float
    phones: tuple[TimedPhone, ...]  # inside [start, end), in order


@dataclass(frozen=True)
class TimedSpeech:
    text: str
    samples: np.ndarray  # float32 mono in [-1, 1]
    sample_rate: int
    words: tuple[TimedWord, ...]
    engine: str  # "espeak-ng", "flite", "festival"
    voice: str

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    def phones(self) -> list[TimedPhone]:
        return [p for w in self.words for p in w.phones]


def word_from_phones(text: str, phones: list[TimedPhone]) -> TimedWord:
    return TimedWord(text, phones[0].start, phones[-1].end, tuple(phones))


def scale_times(speech: TimedSpeech, factor: float, samples: np.ndarray) -> TimedSpeech:
    """The same utterance with every time multiplied by ``factor`` and new ``samples``."""

    def phone(p: TimedPhone) -> TimedPhone:
        return TimedPhone(p.phone, p.start * factor, p.end * factor)

    words = tuple(
        TimedWord(w.text, w.start * factor, w.end * factor, tuple(phone(p) for p in w.phones))
        for w in speech.words
    )
    return replace(speech, samples=samples, words=words)


def speech_edges(samples: np.ndarray, rate: int) -> tuple[float, float] | None:
    """(onset, offset) in seconds of the sound relative to its loudest part, None if silent."""
    x = np.asarray(samples, dtype=np.float64)
    n = max(1, int(0.005 * rate))
    power = np.convolve(x**2, np.ones(n) / n, mode="same")
    peak = float(power.max()) if power.size else 0.0
    if peak <= 0:
        return None
    loud = np.flatnonzero(power > peak * 10 ** (EDGE_LEVEL_DB / 10))
    return float(loud[0]) / rate, float(loud[-1] + 1) / rate


def check_against_signal(speech: TimedSpeech, tolerance: float = EDGE_TOLERANCE) -> str | None:
    """Why the engine's times disagree with the audio, or None when they agree.

    Checked: phones tile each word (no gap, no overlap, positive durations), words are in order
    inside the audio, and the first phone starts / the last phone ends at the signal's energy
    edges: no later than ``tolerance`` after the onset (before the offset), and no more than
    :data:`WEAK_EDGE` before it (after it).
    """
    if not speech.words:
        return "no timed words"
    previous_end = 0.0
    for word in speech.words:
        if not word.phones:
            return f"word {word.text!r} has no phones"
        if word.start < previous_end - 1e-6:
            return f"word {word.text!r} overlaps the previous one"
        edges = [word.start] + [p.end for p in word.phones]
        starts = [p.start for p in word.phones] + [word.end]
        if any(abs(a - b) > 1e-6 for a, b in zip(edges, starts, strict=True)):
            return f"phones of {word.text!r} do not tile it"
        if any(p.end - p.start <= 0 for p in word.phones):
            return f"a phone of {word.text!r} has no duration"
        previous_end = word.end
    if speech.words[-1].end > speech.duration + tolerance:
        return "the last word ends after the audio"
    edges = speech_edges(speech.samples, speech.sample_rate)
    if edges is None:
        return "silent audio"
    onset, offset = edges
    first, last = speech.words[0].start, speech.words[-1].end
    if not -WEAK_EDGE <= first - onset <= tolerance:
        return f"first phone at {first:.3f} s but the sound starts at {onset:.3f} s"
    if not -tolerance <= last - offset <= WEAK_EDGE:
        return f"last phone ends at {last:.3f} s but the sound ends at {offset:.3f} s"
    return None
