"""The one place where frames, samples and seconds are converted.

Intervals are half-open, ``[start, end)``, in seconds. Frame ``i`` of a CTC model with a hop of
``frame_stride`` samples starts at sample ``i * frame_stride``; its span is
``[i * stride, (i + 1) * stride)`` samples. The stride is derived from the model's convolutional
feature extractor (320 samples at 16 kHz for wav2vec2), never hard-coded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TimeBase:
    sample_rate: int
    frame_stride: int  # samples per emission frame

    def __post_init__(self) -> None:
        if self.sample_rate <= 0 or self.frame_stride <= 0:
            raise ValueError(f"invalid time base {self.sample_rate} Hz / {self.frame_stride}")

    @property
    def frame_seconds(self) -> float:
        return self.frame_stride / self.sample_rate

    def frame_to_seconds(self, frame: float) -> float:
        return float(frame) * self.frame_stride / self.sample_rate

    def frames_to_seconds(self, frames: np.ndarray) -> np.ndarray:
        return np.asarray(frames, dtype=np.float64) * (self.frame_stride / self.sample_rate)

    def seconds_to_frame(self, seconds: float) -> int:
        """The frame that contains time ``seconds`` (floor)."""
        return int(math.floor(seconds * self.sample_rate / self.frame_stride + 1e-9))

    def sample_to_seconds(self, sample: float) -> float:
        return float(sample) / self.sample_rate

    def seconds_to_sample(self, seconds: float) -> int:
        return int(round(seconds * self.sample_rate))

    def frame_to_sample(self, frame: int) -> int:
        return int(frame) * self.frame_stride

    def sample_to_frame(self, sample: int) -> int:
        return int(sample) // self.frame_stride


def seconds_to_sample(seconds: float, sample_rate: int) -> int:
    """Sample index nearest to ``seconds`` at ``sample_rate`` (for audio not tied to a model)."""
    return int(round(seconds * sample_rate))


def sample_to_seconds(sample: float, sample_rate: int) -> float:
    """The time of (possibly fractional) sample position ``sample`` at ``sample_rate``."""
    return float(sample) / sample_rate
