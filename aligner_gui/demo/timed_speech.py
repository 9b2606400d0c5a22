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
# down. How far a phone edge may lie from it depends on the phone (measured over 300 sentences of
# each engine): a stop or affricate begins with a silent closure and may end with a faint release,
# and /h f θ ð v/ stay under the level for tens of ms, so such a first (last) phone may start
# before the onset (end after the offset) by up to SILENT_EDGE, though never by more than its own
# length; any other phone by FADE. On the other side - sound before the first phone or after the
# last one - only FADE is allowed: that is a shifted, truncated or misattributed utterance.
EDGE_LEVEL_DB = -35.0
FADE = 0.050
SILENT_EDGE = 0.150
QUIET_PHONES = frozenset({"p", "t", "k", "b", "d", "ɡ", "tʃ", "dʒ", "h", "f", "θ", "ð", "v"})


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


def check_against_signal(speech: TimedSpeech) -> str | None:
    """Why the engine's times disagree with the audio ("kind: detail"), or None if they agree.

    Checked: phones tile each word (no gap, no overlap, positive durations), words are in order
    inside the audio, and the first phone starts / the last phone ends at the signal's energy
    edges as far as that phone allows (see :data:`QUIET_PHONES`).
    """
    if not speech.words:
        return "no timed words"
    previous_end = 0.0
    for word in speech.words:
        if not word.phones:
            return f"word without phones: {word.text!r}"
        if word.start < previous_end - 1e-6:
            return f"overlapping words: {word.text!r}"
        ends = [word.start] + [p.end for p in word.phones]
        starts = [p.start for p in word.phones] + [word.end]
        if any(abs(a - b) > 1e-6 for a, b in zip(ends, starts, strict=True)):
            return f"phones do not tile the word: {word.text!r}"
        if any(p.end - p.start <= 0 for p in word.phones):
            return f"phone without duration: {word.text!r}"
        previous_end = word.end
    if speech.words[-1].end > speech.duration + FADE:
        return "last word ends after the audio: truncated"
    edges = speech_edges(speech.samples, speech.sample_rate)
    if edges is None:
        return "silent audio"
    onset, offset = edges
    head, tail = speech.words[0].phones[0], speech.words[-1].phones[-1]

    def slack(phone: TimedPhone) -> float:
        quiet = SILENT_EDGE if phone.phone in QUIET_PHONES else FADE
        return min(quiet, max(FADE, phone.end - phone.start))

    first, last = head.start, tail.end
    if not -slack(head) <= first - onset <= FADE:
        return f"first phone off the onset: {first:.3f} s, sound from {onset:.3f} s"
    if not -FADE <= last - offset <= slack(tail):
        return f"last phone off the offset: {last:.3f} s, sound until {offset:.3f} s"
    return None
