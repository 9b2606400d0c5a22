"""Frame-wise CTC log-probabilities for recordings of any length, computed in overlapping windows.

A wav2vec2 transformer attends over its whole input, so memory and time grow quadratically with
length; we run it on windows of ``window_seconds`` of core audio plus ``context_seconds`` on each
side and keep only each window's core frames. Windows start on multiples of the frame stride, so
every window's frames fall exactly on the unwindowed frame grid and the pieces tile it.

Normalisations that span the whole input (waveform normalisation, the group norm of wav2vec2
"base" extractors) use whole-recording statistics, so the only difference from one unwindowed
pass is the attention's limited view: small, and largest near seams. Audio that fits in one
window is computed in one pass over exactly the same samples, so it is identical.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from aligner_gui.core.base.errors import AlignmentError
from aligner_gui.core.base.progress import ProgressFn, check_cancel

if TYPE_CHECKING:
    import torch

    from aligner_gui.core.models.model import LoadedModel

STAGE = "Computing emissions"
_MOMENT_CHUNK = 1 << 18  # samples per chunk for whole-recording mean and variance (2 MB)
_GROUP_NORM_CHUNK = 1 << 16  # first-layer conv positions per chunk (128 MB at 512 channels)


def plan_windows(
    total_frames: int, core_frames: int, context_frames: int
) -> list[tuple[int, int, int, int]]:
    """Windows as (first input frame, core start, core end, input end) in frames, end exclusive.

    The core frames are split as evenly as possible so the last window is never a tiny sliver
    with little attention context.
    """
    count = max(1, math.ceil(total_frames / max(1, core_frames)))
    bounds = [round(i * total_frames / count) for i in range(count + 1)]
    return [
        (max(0, start - context_frames), start, end, min(total_frames, end + context_frames))
        for start, end in itertools.pairwise(bounds)
    ]


def compute_emissions(
    model: LoadedModel,
    samples: np.ndarray,
    *,
    window_seconds: float = 30.0,
    context_seconds: float = 2.0,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> np.ndarray:
    """Log-softmax emissions, float32 of shape (model.num_frames(len(samples)), len(model.labels)).

    ``samples`` is mono audio already at ``model.sample_rate`` (the caller resamples: a bare
    array carries no rate to check). Raises AlignmentError for audio shorter than one frame's
    receptive field and Cancelled when ``cancel`` is set (checked before each window).
    Do not run two calls on the same model at once: for group-norm models a forward hook is
    installed on the model for the duration of the call.
    """
    import torch

    if window_seconds <= 0 or context_seconds < 0:
        raise ValueError(f"invalid window {window_seconds} s / context {context_seconds} s")
    samples = np.asarray(samples)
    if samples.ndim != 1:
        raise AlignmentError(
            f"Expected mono audio (one channel), got an array of shape {samples.shape}."
        )
    if not np.issubdtype(samples.dtype, np.floating):
        raise AlignmentError(
            f"Expected floating-point samples in [-1, 1], got {samples.dtype} (convert on loading)."
        )
    rate, stride, field = model.sample_rate, model.frame_stride, model.receptive_field
    total = model.num_frames(len(samples))
    if total <= 0:
        raise AlignmentError(
            f"The audio is too short for the model {model.name}: {len(samples)} samples "
            f"({len(samples) / rate:.3f} s) but one frame needs {field} ({field / rate:.3f} s)."
        )
    core = max(1, round(window_seconds * rate / stride))
    context = math.ceil(context_seconds * rate / stride)
    windows = plan_windows(total, core, context)
    norm = _normalisation(samples, model.waveform_norm_eps)
    out = np.empty((total, len(model.labels)), dtype=np.float32)
    if progress is not None:
        progress(STAGE, 0.0)
    with torch.inference_mode(), _whole_recording_group_norm(model, samples, norm, windows, cancel):
        for number, (first, start, end, last) in enumerate(windows, 1):
            check_cancel(cancel)
            # The final window runs to the very end so a single window equals the unwindowed input.
            stop = len(samples) if last == total else (last - 1) * stride + field
            log_probs = _window_log_probs(model, _read(samples, first * stride, stop, rate, norm))
            if log_probs.shape[0] != last - first:
                raise AlignmentError(
                    f"The model {model.name} returned {log_probs.shape[0]} frames for a window "
                    f"that should give {last - first}; its frame geometry is not supported."
                )
            out[start:end] = log_probs[start - first : end - first]
            if progress is not None:
                progress(STAGE, number / len(windows))
    return out


def _read(
    samples: np.ndarray, begin: int, stop: int, rate: int, norm: tuple[float, float] | None
) -> torch.Tensor:
    """Samples [begin, stop) as a float32 tensor, checked and normalised."""
    import torch

    chunk = np.asarray(samples[begin:stop], dtype=np.float32)
    if not np.isfinite(chunk).all():
        raise AlignmentError(
            f"The audio contains invalid (NaN or infinite) samples between "
            f"{begin / rate:.2f} s and {stop / rate:.2f} s."
        )
    if norm is not None:
        chunk = (chunk - norm[0]) * norm[1]
    return torch.from_numpy(chunk)


def _window_log_probs(model: LoadedModel, chunk: torch.Tensor) -> np.ndarray:
    import torch

    logits, _ = model.module(chunk.to(model.device).unsqueeze(0))
    log_probs = torch.log_softmax(logits[0].float(), dim=-1)
    if model.append_star:
        log_probs = torch.cat([log_probs, log_probs.new_zeros((log_probs.shape[0], 1))], dim=-1)
    return log_probs.cpu().numpy()


def _normalisation(samples: np.ndarray, eps: float | None) -> tuple[float, float] | None:
    """Whole-recording (mean, 1/std) in float64 chunks, so no full-size temporary is made.

    Whole-recording (not per-window) statistics keep windowing from changing the input scale.
    """
    if eps is None:
        return None
    total = np.float64(0.0)
    for i in range(0, len(samples), _MOMENT_CHUNK):
        total += np.sum(samples[i : i + _MOMENT_CHUNK], dtype=np.float64)
    mean = total / len(samples)
    squares = np.float64(0.0)
    for i in range(0, len(samples), _MOMENT_CHUNK):
        centred = np.asarray(samples[i : i + _MOMENT_CHUNK], dtype=np.float64)
        centred -= mean
        squares += np.dot(centred, centred)
    return float(mean), float(1.0 / math.sqrt(squares / len(samples) + eps))


@contextlib.contextmanager
def _whole_recording_group_norm(
    model: LoadedModel,
    samples: np.ndarray,
    norm: tuple[float, float] | None,
    windows: list[tuple[int, int, int, int]],
    cancel: threading.Event | None,
) -> Iterator[None]:
    """Make a group-norm extractor normalise with whole-recording statistics while windowing.

    wav2vec2 "base" models normalise each channel of the first conv layer over the entire
    input. Per-window statistics would shift every frame of a window with its content (on
    speech, by several nats), with jumps at the seams; statistics from one cheap pass of that
    single layer over the whole recording make the conv features identical to an unwindowed
    pass, leaving only the attention context to differ. Not needed for a single window.
    """
    import torch

    untyped: Any = model.module  # torchaudio's submodules are not typed
    block = untyped.feature_extractor.conv_layers[0]
    layer = getattr(block, "layer_norm", None)
    if len(windows) == 1 or not (
        isinstance(layer, torch.nn.GroupNorm) and layer.num_groups == layer.num_channels
    ):
        yield
        return
    kernel, step = int(block.conv.kernel_size[0]), int(block.conv.stride[0])
    positions = (len(samples) - kernel) // step + 1
    count, mean, m2 = 0, None, None
    for p0 in range(0, positions, _GROUP_NORM_CHUNK):
        check_cancel(cancel)
        p1 = min(positions, p0 + _GROUP_NORM_CHUNK)
        chunk = _read(samples, p0 * step, (p1 - 1) * step + kernel, model.sample_rate, norm)
        conv = block.conv(chunk.to(model.device)[None, None])[0]
        var_c, mean_c = torch.var_mean(conv, dim=1, correction=0)
        var_c, mean_c, n = var_c.double(), mean_c.double(), p1 - p0
        if mean is None or m2 is None:
            mean, m2 = mean_c, var_c * n
        else:  # Chan et al.'s pairwise combination of mean and sum of squared deviations
            delta = mean_c - mean
            mean = mean + delta * (n / (count + n))
            m2 = m2 + var_c * n + delta**2 * (count * n / (count + n))
        count += n
    if mean is None or m2 is None:  # unreachable: there is at least one frame, hence positions
        raise AlignmentError("The audio is too short for the model's first layer.")
    shift = mean.float()[:, None]
    inv_std = torch.rsqrt((m2 / count).float() + layer.eps)[:, None]
    weight = layer.weight[:, None] if layer.affine else None
    bias = layer.bias[:, None] if layer.affine else None

    def fixed_statistics(
        module: torch.nn.Module, inputs: tuple, output: torch.Tensor
    ) -> torch.Tensor:
        normed = (inputs[0] - shift) * inv_std
        return normed if weight is None else normed * weight + bias

    handle = layer.register_forward_hook(fixed_statistics)
    try:
        yield
    finally:
        handle.remove()
