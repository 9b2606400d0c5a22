"""Hugging Face CTC model directories: their alphabet and audio settings, and their network.

The metadata (``config.json``, ``vocab.json``, tokenizer and preprocessor configs) is read
here without transformers; only building the network needs the optional transformers package,
whose model torchaudio converts into a plain ``Wav2Vec2Model``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aligner_gui.core.base.errors import ModelError
from aligner_gui.core.base.labels import LabelSet

if TYPE_CHECKING:
    import torch

__all__ = ["import_huggingface_module", "labels_from_hf_vocab", "read_huggingface_metadata"]

# model_type in config.json -> the transformers CTC class torchaudio can convert.
_CTC_CLASSES = {"wav2vec2": "Wav2Vec2ForCTC", "wavlm": "WavLMForCTC"}


def labels_from_hf_vocab(
    vocab: Mapping[str, Any],
    *,
    pad_token_id: int | None = None,
    word_delimiter: str | None = "|",
    unk_token: str | None = "<unk>",
    num_outputs: int | None = None,
    source: str = "vocab.json",
) -> LabelSet:
    """A LabelSet from a Hugging Face CTC tokenizer vocabulary (token -> id).

    The pad token is CTC's blank, "|" separates words and "<unk>" means "some unknown sound",
    which is exactly our star. Output classes beyond the vocabulary (HF pads ``vocab_size``
    sometimes) get placeholder labels that no transcript can produce.
    """
    if not vocab:
        raise ModelError(f"{source}: the vocabulary is empty.")
    if any(isinstance(v, Mapping) for v in vocab.values()):
        raise ModelError(
            f"{source}: the vocabulary holds several languages ({', '.join(list(vocab)[:5])}); "
            "only single-language models are supported."
        )
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in vocab.values()):
        raise ModelError(f"{source}: the vocabulary's ids are not all whole numbers.")
    by_id = {int(v): k for k, v in vocab.items()}
    size = len(vocab) if num_outputs is None else num_outputs
    if len(by_id) != len(vocab) or min(by_id) < 0 or max(by_id) >= size:
        raise ModelError(
            f"{source}: the vocabulary's ids are not distinct and within 0..{size - 1}."
        )
    labels = tuple(by_id.get(i, f"<unused-{i}>") for i in range(size))
    if pad_token_id is None:
        if "<pad>" not in vocab:
            raise ModelError(
                f"{source}: there is no <pad> token and no pad_token_id to use as blank."
            )
        pad_token_id = int(vocab["<pad>"])
    if not 0 <= pad_token_id < size:
        raise ModelError(f"{source}: the pad token id {pad_token_id} is outside the vocabulary.")
    star = None if unk_token is None else vocab.get(unk_token)
    return LabelSet(
        labels=labels,
        blank=pad_token_id,
        word_delimiter=word_delimiter if word_delimiter in vocab else None,
        star=None if star is None or star == pad_token_id else int(star),
    )


def read_huggingface_metadata(directory: str | Path) -> tuple[LabelSet, int, float | None]:
    """(labels, sample rate, waveform norm eps) from a Hugging Face model directory's JSON files."""
    root = Path(directory)

    def read_json(name: str, required: bool) -> dict:
        path = root / name
        if not path.is_file():
            if required:
                raise ModelError(
                    f"{path}: missing, so {root} is not a Hugging Face CTC model directory."
                )
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(f"{path}: not readable JSON ({exc}).") from None
        if not isinstance(data, dict):
            raise ModelError(f"{path}: expected a JSON object.")
        return data

    config = read_json("config.json", True)
    vocab = read_json("vocab.json", True)
    tokenizer = read_json("tokenizer_config.json", False)
    features = read_json("preprocessor_config.json", False)
    pad = config.get("pad_token_id")
    unk = tokenizer.get("unk_token", "<unk>")
    delimiter = tokenizer.get("word_delimiter_token", "|")
    size = config.get("vocab_size")
    labels = labels_from_hf_vocab(
        vocab,
        pad_token_id=pad if isinstance(pad, int) else None,
        word_delimiter=delimiter if isinstance(delimiter, str) else "|",
        unk_token=unk if isinstance(unk, str) else "<unk>",
        num_outputs=size if isinstance(size, int) else None,
        source=str(root / "vocab.json"),
    )
    rate = _sampling_rate(features.get("sampling_rate", 16000), root / "preprocessor_config.json")
    # Wav2Vec2FeatureExtractor normalises by default, with its own epsilon of 1e-7.
    eps = 1e-7 if features.get("do_normalize", True) else None
    return labels, rate, eps


def _sampling_rate(value: object, source: Path) -> int:
    """A positive whole number of Hz (JSON may spell 16000 as 16000.0); anything else is refused."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= 10**7:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "…"
        raise ModelError(
            f"{source}: 'sampling_rate' is {shown}, not a sample rate in Hz (such as 16000)."
        )
    return value


def import_huggingface_module(directory: Path) -> torch.nn.Module:
    """The directory's transformers CTC model, converted to a torchaudio Wav2Vec2Model."""
    try:
        import transformers
    except ImportError:
        raise ModelError(
            f"{directory}: loading Hugging Face models needs the transformers package; install it "
            'with pip install "aligner-gui[transformers]".'
        ) from None
    from torchaudio.models.wav2vec2.utils import import_huggingface_model

    from aligner_gui.core.models.bundles import load_weights_file

    # transformers unpickles pytorch_model.bin files, with weights_only=False in older versions;
    # read each one as plain tensors first, so a planted pickle is refused before it runs.
    # (safetensors files hold no code and need no check.)
    # Only the weights transformers loads: a Trainer's training_args.bin is a pickle by design
    # and is never read.
    for weights in sorted(directory.glob("pytorch_model*.bin")):
        load_weights_file(
            weights,
            "the weights",
            "use a copy saved as safetensors or from a trusted source",
            mmap=True,
        )

    model_type = json.loads((directory / "config.json").read_text(encoding="utf-8")).get(
        "model_type"
    )
    if model_type not in _CTC_CLASSES:
        raise ModelError(
            f"{directory}: model type {model_type!r} is not supported (only wav2vec2 and wavlm)."
        )
    try:
        original = getattr(transformers, _CTC_CLASSES[model_type]).from_pretrained(str(directory))
        return import_huggingface_model(original)
    except Exception as exc:
        raise ModelError(
            f"{directory}: the Hugging Face model could not be loaded ({exc})."
        ) from None
