"""Make clean synthetic speech sound like a field recording, keeping every phone time exact.

Each transform takes float32 mono audio and a seeded ``numpy`` generator and returns audio of the
*same length* with the speech at the *same times*, except :func:`speed`, which returns the factor
all times are multiplied by. How each keeps the times:

* speed: soxr resampling by ``factor`` is linear-phase with its delay removed, so input time t
  lands at output time t / factor exactly (pitch and duration change together, as in Kaldi's
  speed perturbation);
* pitch shift and vocal-tract-length warping: each STFT frame is resynthesised with a scaled or
  warped frequency axis, in place (centred frames, same hop), so nothing moves in time;
* filters (telephone band, microphone EQ) are applied as real, zero-phase gains on the spectrum
  of the whole utterance: no delay at all;
* reverberation: a synthetic room impulse response whose direct sound is at lag 0, truncated to
  the input length (what a microphone next to the talker hears);
* codecs: the decoded signal is lined up with the input by cross-correlation (MP3 adds ~1105
  samples of encoder and decoder delay) and cut to the input length;
* noise, babble, clipping and gain are sample-wise.

Everything is numpy plus soxr and soundfile (libsndfile's MP3 and Opus encoders); scipy's filter
design would add a dependency for the two fixed shapes used here.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import soundfile as sf
import soxr

_FRAME, _HOP = 512, 128  # STFT for the spectral warps (32 ms frames at 16 kHz, 75 % overlap)


def speed(x: np.ndarray, rate: int, factor: float) -> tuple[np.ndarray, float]:
    """Play ``factor`` times faster; returns the audio and the factor to multiply times by.

    The input is read as if sampled at ``rate * factor`` and resampled to ``rate``: input sample
    m (time m / rate) becomes time m / (rate * factor), so every time is divided by ``factor``.
    """
    y = soxr.resample(np.asarray(x, dtype=np.float32), rate * factor, rate, quality="HQ")
    return y.astype(np.float32), 1.0 / factor


def _stft(x: np.ndarray) -> tuple[np.ndarray, int]:
    pad = _FRAME // 2
    padded = np.pad(x.astype(np.float64), (pad, pad + _FRAME))
    count = 1 + (len(x) + _FRAME - 1) // _HOP
    index = np.arange(_FRAME)[None, :] + _HOP * np.arange(count)[:, None]
    window = np.hanning(_FRAME + 1)[:-1]
    return np.fft.rfft(padded[index] * window, axis=1), count


def _istft(spec: np.ndarray, length: int) -> np.ndarray:
    window = np.hanning(_FRAME + 1)[:-1]
    frames = np.fft.irfft(spec, _FRAME, axis=1) * window
    out = np.zeros(_HOP * (len(frames) - 1) + _FRAME)
    norm = np.zeros_like(out)
    for i, frame in enumerate(frames):
        out[i * _HOP : i * _HOP + _FRAME] += frame
        norm[i * _HOP : i * _HOP + _FRAME] += window**2
    out /= np.maximum(norm, 1e-8)
    pad = _FRAME // 2
    return out[pad : pad + length].astype(np.float32)


def warp_frequencies(x: np.ndarray, source_of: np.ndarray) -> np.ndarray:
    """Resynthesise ``x`` so that output bin k takes the content of input bin ``source_of[k]``
    (fractional; magnitudes interpolated, phase advanced in proportion so a shifted partial keeps
    a steady frequency across frames)."""
    spec, _ = _stft(x)
    bins = np.arange(spec.shape[1])
    magnitude = np.abs(spec)
    warped_mag = np.stack([np.interp(source_of, bins, m, right=0.0) for m in magnitude])
    ratio = source_of / np.maximum(bins, 1)
    nearest = np.clip(np.round(source_of).astype(int), 0, spec.shape[1] - 1)
    # Phase advance per hop of bin k is 2 pi k hop / N; a partial moved from bin j to k needs
    # k/j times the advance: accumulate it from the source's frame-to-frame phase difference.
    phase = np.angle(spec)[:, nearest]
    delta = np.diff(phase, axis=0, prepend=phase[:1])
    expected = 2 * np.pi * _HOP * nearest / _FRAME
    deviation = np.angle(np.exp(1j * (delta - expected)))
    advance = (expected + deviation) / np.maximum(ratio, 1e-3)
    new_phase = np.cumsum(advance, axis=0)
    return _istft(warped_mag * np.exp(1j * new_phase), len(x))


def pitch_shift(x: np.ndarray, semitones: float) -> np.ndarray:
    """Every frequency times 2**(semitones/12) (harmonics and formants together), same length."""
    factor = 2 ** (semitones / 12)
    bins = np.arange(_FRAME // 2 + 1, dtype=np.float64)
    return warp_frequencies(x, bins / factor)


def vocal_tract_warp(
    x: np.ndarray, rate: int, alpha: float, boundary_hz: float = 4800.0
) -> np.ndarray:
    """Vocal-tract-length perturbation (Jaitly & Hinton 2013): frequencies below the boundary are
    scaled by ``alpha`` (~0.9-1.1), the rest mapped linearly so Nyquist stays put."""
    nyquist = rate / 2
    freqs = np.linspace(0.0, nyquist, _FRAME // 2 + 1)
    knee = boundary_hz * min(alpha, 1.0) / alpha
    source = np.where(
        freqs <= knee,
        freqs / alpha,
        nyquist - (nyquist - freqs) * (nyquist - knee / alpha) / (nyquist - knee),
    )
    return warp_frequencies(x, source / nyquist * (_FRAME // 2))


def _zero_phase(x: np.ndarray, rate: int, gain: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``x`` with its spectrum multiplied by the real ``gain(frequency in Hz)``: no delay."""
    n = len(x)
    size = 1 << int(np.ceil(np.log2(max(2, 2 * n))))
    spec = np.fft.rfft(np.asarray(x, dtype=np.float64), size)
    return np.fft.irfft(spec * gain(np.fft.rfftfreq(size, 1 / rate)), size)[:n].astype(np.float32)


def telephone(
    x: np.ndarray, rate: int, low_hz: float = 300.0, high_hz: float = 3400.0
) -> np.ndarray:
    """The telephone band: smooth zero-phase band-pass (4th-order Butterworth magnitudes)."""

    def gain(f: np.ndarray) -> np.ndarray:
        f = np.maximum(f, 1e-3)
        return 1 / np.sqrt(1 + (low_hz / f) ** 8) / np.sqrt(1 + (f / high_hz) ** 8)

    return _zero_phase(x, rate, gain)


def microphone_eq(x: np.ndarray, rate: int, rng: np.random.Generator) -> np.ndarray:
    """A random microphone/room colour: a tilt of -6..+6 dB per decade and two +-8 dB bumps."""
    tilt = rng.uniform(-6, 6)
    bumps = [(rng.uniform(150, 6000), rng.uniform(-8, 8), rng.uniform(0.3, 1.2)) for _ in range(2)]

    def gain(f: np.ndarray) -> np.ndarray:
        octaves = np.log2(np.maximum(f, 20.0) / 1000.0)
        db = tilt * octaves / 3.32
        for centre, height, width in bumps:
            db = db + height * np.exp(-0.5 * (np.log2(np.maximum(f, 20.0) / centre) / width) ** 2)
        return 10 ** (db / 20)

    return _zero_phase(x, rate, gain)


def reverberate(x: np.ndarray, rate: int, rng: np.random.Generator, rt60: float) -> np.ndarray:
    """A synthetic room: direct sound at lag 0, a few early reflections, then diffuse noise
    decaying by 60 dB over ``rt60`` seconds."""
    n = max(2, int(rt60 * rate))
    t = np.arange(n) / rate
    ir = rng.standard_normal(n) * np.exp(-6.9078 * t / rt60) * rng.uniform(0.1, 0.4)
    ir[: int(0.002 * rate)] = 0.0
    for _ in range(4):
        ir[int(rng.uniform(0.002, 0.03) * rate)] += rng.uniform(0.2, 0.6) * rng.choice([-1, 1])
    ir[0] = 1.0
    size = 1 << int(np.ceil(np.log2(len(x) + n)))
    wet = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(ir, size), size)[: len(x)]
    return wet.astype(np.float32)


def coloured_noise(rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
    """Noise with power spectrum ~ 1/f**exponent (0 white, 1 pink, 2 brown)."""
    spectrum = rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)
    freqs = np.arange(n // 2 + 1, dtype=np.float64)
    freqs[0] = 1.0
    spectrum /= freqs ** (exponent / 2)
    return np.fft.irfft(spectrum, n).astype(np.float32)


def babble(
    rng: np.random.Generator, n: int, others: Sequence[np.ndarray], talkers: int
) -> np.ndarray:
    """Several other utterances, at random offsets and looped, summed: a crowd of talkers."""
    out = np.zeros(n, dtype=np.float64)
    for _ in range(talkers):
        other = np.asarray(others[int(rng.integers(len(others)))], dtype=np.float64)
        if other.size == 0:
            continue
        reps = -(-(n + other.size) // other.size)
        looped = np.tile(other, reps)
        start = int(rng.integers(other.size))
        out += looped[start : start + n] / (np.std(other) + 1e-9)
    return out.astype(np.float32)


def add_noise(x: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    signal_power = float(np.mean(np.asarray(x, np.float64) ** 2)) + 1e-12
    noise_power = float(np.mean(np.asarray(noise, np.float64) ** 2)) + 1e-12
    scale = np.sqrt(signal_power / noise_power / 10 ** (snr_db / 10))
    return (x + noise * np.float32(scale)).astype(np.float32)


def codec(x: np.ndarray, rate: int, kind: str, quality: float) -> np.ndarray:
    """Encode with MP3 or Opus (``quality`` 0 best .. 1 worst, libsndfile's compression level)
    and decode, lined up with the input and of the same length."""
    fmt, subtype = {"mp3": ("MP3", "MPEG_LAYER_III"), "opus": ("OGG", "OPUS")}[kind]
    peak = float(np.max(np.abs(x))) + 1e-9
    buffer = io.BytesIO()
    sf.write(buffer, x / peak * 0.9, rate, format=fmt, subtype=subtype, compression_level=quality)
    buffer.seek(0)
    decoded, _ = sf.read(buffer, dtype="float32")
    delay = _delay(x, decoded)
    decoded = decoded[delay : delay + len(x)]
    if len(decoded) < len(x):
        decoded = np.pad(decoded, (0, len(x) - len(decoded)))
    return (decoded * np.float32(peak / 0.9)).astype(np.float32)


def _delay(reference: np.ndarray, delayed: np.ndarray, max_lag: int = 4096) -> int:
    """Lag (>= 0 samples) at which ``delayed`` best matches ``reference`` (FFT cross-correlation)."""
    n = min(len(reference), len(delayed))
    size = 1 << int(np.ceil(np.log2(2 * n + max_lag)))
    corr = np.fft.irfft(
        np.fft.rfft(delayed[: n + max_lag], size) * np.conj(np.fft.rfft(reference[:n], size)), size
    )
    return int(np.argmax(corr[: max_lag + 1]))


def clip(x: np.ndarray, share: float) -> np.ndarray:
    """Clip the loudest ``share`` of samples (an overdriven input stage)."""
    level = float(np.quantile(np.abs(x), 1 - share)) if x.size else 0.0
    return np.clip(x, -level, level).astype(np.float32) if level > 0 else x.astype(np.float32)


@dataclass(frozen=True)
class FieldRecording:
    """How often each transform is applied by :func:`field_recording`."""

    pitch: float = 0.3
    vtlp: float = 0.4
    eq: float = 0.5
    reverb: float = 0.35
    noise: float = 0.7
    babble: float = 0.25
    telephone: float = 0.12
    codec: float = 0.15
    clip: float = 0.08


def field_recording(
    x: np.ndarray,
    rate: int,
    rng: np.random.Generator,
    others: Sequence[np.ndarray] = (),
    odds: FieldRecording = FieldRecording(),
) -> np.ndarray:
    """A random chain of the transforms above (not speed: that changes the times), same length."""
    y = np.asarray(x, dtype=np.float32)
    if rng.random() < odds.pitch:
        y = pitch_shift(y, float(rng.uniform(-3, 3)))
    if rng.random() < odds.vtlp:
        y = vocal_tract_warp(y, rate, float(rng.uniform(0.88, 1.12)))
    if rng.random() < odds.eq:
        y = microphone_eq(y, rate, rng)
    if rng.random() < odds.reverb:
        y = reverberate(y, rate, rng, float(rng.uniform(0.15, 0.7)))
    if rng.random() < odds.noise:
        noise = coloured_noise(rng, len(y), float(rng.uniform(0.0, 2.0)))
        y = add_noise(y, noise, float(rng.uniform(0.0, 35.0)))
    if others and rng.random() < odds.babble:
        y = add_noise(y, babble(rng, len(y), others, int(rng.integers(3, 8))), rng.uniform(5, 25))
    if rng.random() < odds.telephone:
        y = telephone(y, rate)
    if rng.random() < odds.codec:
        y = codec(y, rate, str(rng.choice(["mp3", "opus"])), float(rng.uniform(0.6, 1.0)))
    if rng.random() < odds.clip:
        y = clip(y, float(rng.uniform(0.001, 0.02)))
    peak = float(np.max(np.abs(y))) + 1e-9 if y.size else 1.0
    return (y * np.float32(rng.uniform(0.05, 0.95) / peak)).astype(np.float32)
