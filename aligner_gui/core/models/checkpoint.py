"""Our own CTC checkpoint format: writing, reading, validating and rebuilding its network.

A checkpoint is a plain dict (format tag, ``wav2vec2_model`` config, state dict, alphabet,
sample rate, name) saved with ``torch.save`` and loaded with ``weights_only=True``, so opening
one never runs code. Every fault becomes a :class:`ModelError` naming the file. torch is
imported inside functions only (see :mod:`aligner_gui.core.models.model`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aligner_gui.core.base.errors import ModelError
from aligner_gui.core.base.labels import LabelSet
from aligner_gui.core.io.fileio import atomic_write_bytes

if TYPE_CHECKING:
    import torch

__all__ = [
    "CHECKPOINT_FORMAT",
    "build_checkpoint_module",
    "checkpoint_labels",
    "read_checkpoint",
    "save_checkpoint",
]

CHECKPOINT_FORMAT = "aligner-gui/ctc-checkpoint/1"
LABEL_KINDS = ("phones", "letters")  # the optional key "label_kind"
_REQUIRED_KEYS = ("format", "config", "state_dict", "labels", "blank", "word_delimiter", "star",
                  "sample_rate", "name")  # fmt: skip


def save_checkpoint(
    path: str | Path,
    *,
    config: dict,
    state_dict: Mapping[str, Any],
    labels: Sequence[str],
    blank: int,
    word_delimiter: str | None,
    star: int | None,
    sample_rate: int,
    name: str,
    waveform_norm_eps: float | None = None,
    label_kind: str | None = None,
) -> None:
    """Write a checkpoint atomically; it is validated first so we never write one we can't read.

    ``label_kind`` ("phones" or "letters", optional) says what the labels are; readers that
    predate it ignore it, and phone models are also recognised from their labels."""
    import torch

    checkpoint = {
        "format": CHECKPOINT_FORMAT,
        "config": dict(config),
        "state_dict": {key: value.detach().cpu() for key, value in state_dict.items()},
        "labels": list(labels),
        "blank": blank,
        "word_delimiter": word_delimiter,
        "star": star,
        "sample_rate": sample_rate,
        "name": name,
        "waveform_norm_eps": waveform_norm_eps,
    }
    if label_kind is not None:
        checkpoint["label_kind"] = label_kind
    _validate_checkpoint(checkpoint, str(path))
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def read_checkpoint(path: str | Path) -> dict:
    """Load and validate a checkpoint dict (tensors on the CPU); every fault is a ModelError."""
    import pickle
    import warnings

    import torch

    where = str(path)
    if not Path(path).is_file():
        raise ModelError(f"{where}: no such checkpoint file.")
    try:
        # weights_only: a checkpoint is plain data (tensors, str, int, float, lists, tuples,
        # dicts), so nothing in it may run code when loaded.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's pickle-protocol notes before a refusal
            checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        if "weights only" in str(exc).lower():
            raise ModelError(
                f"{where}: the file holds Python objects besides plain tensors and values, so it "
                "is not an aligner-gui checkpoint and is not loaded for safety."
            ) from None
        raise ModelError(f"{where}: not a PyTorch checkpoint file ({exc}).") from None
    except Exception as exc:
        raise ModelError(f"{where}: not a PyTorch checkpoint file ({exc}).") from None
    _validate_checkpoint(checkpoint, where)
    return checkpoint


def checkpoint_labels(checkpoint: Mapping[str, Any]) -> LabelSet:
    """The alphabet of a checkpoint dict (raises ValueError if its indices are inconsistent)."""
    return LabelSet(
        labels=tuple(checkpoint["labels"]),
        blank=checkpoint["blank"],
        word_delimiter=checkpoint["word_delimiter"],
        star=checkpoint["star"],
    )


def build_checkpoint_module(checkpoint: Mapping[str, Any], path: str | Path) -> torch.nn.Module:
    """The Wav2Vec2Model described by a validated checkpoint, with its weights loaded."""
    from torchaudio.models import wav2vec2_model

    try:
        module = wav2vec2_model(**checkpoint["config"])
    except Exception as exc:
        raise ModelError(f"{path}: its 'config' is not valid for wav2vec2_model ({exc}).") from None
    try:
        result = module.load_state_dict(checkpoint["state_dict"], strict=False)
    except RuntimeError as exc:
        detail = " ".join(str(exc).split())[:300]
        raise ModelError(f"{path}: its weights do not fit its configuration ({detail}).") from None
    if result.missing_keys or result.unexpected_keys:
        raise ModelError(
            f"{path}: its weights do not match its configuration (missing: "
            f"{_few(result.missing_keys)}; unexpected: {_few(result.unexpected_keys)})."
        )
    return module


def _validate_checkpoint(checkpoint: object, where: str) -> None:
    import torch

    def fail(reason: str) -> ModelError:
        return ModelError(f"{where}: {reason}.")

    def is_int(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    if not isinstance(checkpoint, dict):
        raise fail(f"not an aligner-gui checkpoint (it holds a {type(checkpoint).__name__})")
    if checkpoint.get("format") != CHECKPOINT_FORMAT:
        raise fail(
            f"not an aligner-gui checkpoint (format {checkpoint.get('format')!r}, "
            f"expected {CHECKPOINT_FORMAT!r})"
        )
    missing = [key for key in _REQUIRED_KEYS if key not in checkpoint]
    if missing:
        raise fail(f"the checkpoint lacks the key(s) {', '.join(missing)}")
    config, state, labels = checkpoint["config"], checkpoint["state_dict"], checkpoint["labels"]
    if not isinstance(config, dict) or not all(isinstance(key, str) for key in config):
        raise fail("'config' is not a dictionary of wav2vec2_model arguments")
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise fail("'state_dict' is not a dictionary of tensors")
    if not isinstance(labels, (list, tuple)) or not labels:
        raise fail("'labels' is not a non-empty list of strings")
    if not all(isinstance(label, str) for label in labels):
        raise fail("'labels' is not a non-empty list of strings")
    if not is_int(checkpoint["blank"]):
        raise fail("'blank' is not a label index")
    if checkpoint["star"] is not None and not is_int(checkpoint["star"]):
        raise fail("'star' is neither None nor a label index")
    delimiter = checkpoint["word_delimiter"]
    if delimiter is not None and not isinstance(delimiter, str):
        raise fail("'word_delimiter' is neither None nor a label")
    if not is_int(checkpoint["sample_rate"]) or checkpoint["sample_rate"] <= 0:
        raise fail("'sample_rate' is not a positive whole number of Hz")
    if not isinstance(checkpoint["name"], str):
        raise fail("'name' is not a string")
    eps = checkpoint.get("waveform_norm_eps")
    if eps is not None and (not isinstance(eps, (int, float)) or isinstance(eps, bool) or eps <= 0):
        raise fail("'waveform_norm_eps' is neither None nor a positive number")
    if checkpoint.get("label_kind", "phones") not in LABEL_KINDS:
        raise fail(f"'label_kind' is neither {' nor '.join(map(repr, LABEL_KINDS))}")
    try:
        checkpoint_labels(checkpoint)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if config.get("aux_num_out") != len(labels):
        raise fail(
            f"it has {len(labels)} labels but its model outputs "
            f"{config.get('aux_num_out')} classes (config 'aux_num_out')"
        )


def _few(keys: Sequence[str], limit: int = 3) -> str:
    if not keys:
        return "none"
    shown = ", ".join(keys[:limit])
    return shown if len(keys) <= limit else f"{shown} and {len(keys) - limit} more"
