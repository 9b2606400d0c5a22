"""Progress within one corpus file: one fraction per file, from the pipeline's stages, thinned.

An hour-long interview takes minutes to align; the batch's bar only moves when a file ends. The
single-file pipeline already reports ``(stage, fraction)``; here those become one fraction of the
file, and a :class:`FileProgressSender` passes on only each new whole step (1 %) of it. Steps,
not a clock, thin the stream: at most ``STEPS`` messages per file however fast the machine, so a
corpus of 10,000 short files does not flood the parent, and a test can count on what arrives.
"""

from __future__ import annotations

from collections.abc import Callable

from aligner_gui.core.base.progress import ProgressFn

# (relative audio path, fraction of that file done in [0, 1]).
FileProgressFn = Callable[[str, float], None]

STEPS = 100
# Shares of a file's time on a CPU: the network's forward pass dominates, the Viterbi follows.
_STAGE_SPANS = {
    "Computing emissions": (0.0, 0.8),
    "Aligning": (0.8, 1.0),
}


def file_fraction(stage: str, fraction: float) -> float:
    """Where ``fraction`` of ``stage`` stands in the whole file (unknown stages: unchanged)."""
    low, high = _STAGE_SPANS.get(stage, (0.0, 1.0))
    return low + (high - low) * min(max(fraction, 0.0), 1.0)


class FileProgressSender:
    """A pipeline ``ProgressFn`` for one file that calls ``send(path, fraction)`` once per new
    step: never backwards (a later utterance's emissions restart at 0 within their share)."""

    def __init__(self, path: str, send: FileProgressFn) -> None:
        self.path = path
        self._send = send
        self._step = -1

    def fraction(self, fraction: float) -> None:
        """The file's overall fraction."""
        step = int(min(max(fraction, 0.0), 1.0) * STEPS)
        if step > self._step:
            self._step = step
            self._send(self.path, step / STEPS)

    def __call__(self, stage: str, fraction: float) -> None:
        self.fraction(file_fraction(stage, fraction))

    def span(self, low: float, share: float) -> FileProgressSender:
        """A sender for a stretch of the file's work (one of two models hearing it) that starts
        at fraction ``low`` and takes ``share`` of the file; its steps pass through this one's."""
        return FileProgressSender(self.path, lambda _path, f: self.fraction(low + share * f))

    def part(self, done: float, share: float) -> ProgressFn:
        """A ``ProgressFn`` for a piece of the file (an interview's utterance) that starts at
        fraction ``done`` and takes ``share`` of the file."""

        def report(stage: str, fraction: float) -> None:
            self.fraction(done + share * file_fraction(stage, fraction))

        return report
