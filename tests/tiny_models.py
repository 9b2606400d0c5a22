"""Tiny random wav2vec2 CTC models for tests (shared by every engineer's tests: keep it stable).

The models have the REAL wav2vec2 convolutional feature extractor geometry (7 layers, strides
5,2,2,2,2,2,2 = 320 samples per frame, receptive field 400 samples) but tiny widths, so frame
arithmetic is exactly that of the production models while a forward pass over a minute of audio
takes a fraction of a second on a CPU. Weights are random (seeded, hence reproducible); the
output is not speech recognition, only well-formed log-probabilities.

Typical use::

    from tiny_models import make_tiny_checkpoint  # tests/ is on sys.path (tests/conftest.py)
    from aligner_gui.core.models.model import load_model

    model = load_model(make_tiny_checkpoint(tmp_path / "tiny.pt"), device="cpu")
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS, LabelSet
from aligner_gui.core.models.model import save_checkpoint

# (channels, kernel, stride) per conv layer: wav2vec2's kernels and strides, tiny channel counts.
TINY_CONV_LAYERS = [
    (32, 10, 5),
    (32, 3, 2),
    (32, 3, 2),
    (32, 3, 2),
    (32, 3, 2),
    (32, 2, 2),
    (32, 2, 2),
]
# The built-in phone model's label set: blank ("-", also silence: the model is a frame classifier)
# then the 40 General American IPA phones of aligner_gui/demo/phones.py INVENTORY, one per CMUdict
# phone; no word delimiter, no silence label. tests/demo checks it against the demo's inventory.
DEMO_PHONES = (
    "ɑ", "æ", "ʌ", "ɔ", "aʊ", "ə", "aɪ", "ɛ", "ɝ", "eɪ", "ɪ", "i", "oʊ", "ɔɪ", "ʊ", "u",
    "b", "tʃ", "d", "ð", "f", "ɡ", "h", "dʒ", "k", "l", "m", "n", "ŋ", "p", "ɹ", "s", "ʃ", "t",
    "θ", "v", "w", "j", "z", "ʒ",
)  # fmt: skip
DEMO_PHONE_LABELS = LabelSet(("-", *DEMO_PHONES), blank=0)
FRAME_STRIDE = 320
RECEPTIVE_FIELD = 400


def tiny_config(num_labels: int, *, extractor_mode: str = "group_norm") -> dict[str, Any]:
    """kwargs for ``torchaudio.models.wav2vec2_model``: real conv geometry, tiny widths, no dropout.

    ``extractor_mode="layer_norm"`` gives the large/MMS style (position-local conv extractor,
    pre-norm transformer); the default "group_norm" is the base style.
    """
    if extractor_mode not in ("group_norm", "layer_norm"):
        raise ValueError(f"extractor_mode must be group_norm or layer_norm, not {extractor_mode!r}")
    return {
        "extractor_mode": extractor_mode,
        "extractor_conv_layer_config": [tuple(layer) for layer in TINY_CONV_LAYERS],
        "extractor_conv_bias": extractor_mode == "layer_norm",
        "encoder_embed_dim": 32,
        "encoder_projection_dropout": 0.0,
        "encoder_pos_conv_kernel": 16,
        "encoder_pos_conv_groups": 4,
        "encoder_num_layers": 2,
        "encoder_num_heads": 2,
        "encoder_attention_dropout": 0.0,
        "encoder_ff_interm_features": 64,
        "encoder_ff_interm_dropout": 0.0,
        "encoder_dropout": 0.0,
        "encoder_layer_norm_first": extractor_mode == "layer_norm",
        "encoder_layer_drop": 0.0,
        "aux_num_out": num_labels,
    }


def tiny_state_dict(config: dict[str, Any], *, seed: int = 0) -> dict[str, Any]:
    """Random weights for ``config``, reproducible from ``seed``; the global RNG is left untouched.

    The output layer is scaled up so that log-probabilities vary clearly between frames and
    classes (an untrained head gives nearly uniform distributions, useless for argmax checks).
    """
    import torch
    from torchaudio.models import wav2vec2_model

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = wav2vec2_model(**config)
        with torch.no_grad():
            module.aux.weight.mul_(8.0)
    return module.state_dict()


def make_tiny_checkpoint(
    path: str | Path,
    labels: LabelSet = ENGLISH_ASR_LABELS,
    *,
    seed: int = 0,
    name: str = "tiny-test",
    sample_rate: int = 16000,
    extractor_mode: str = "group_norm",
    waveform_norm_eps: float | None = None,
    label_kind: str | None = None,
) -> Path:
    """Save a random tiny model over ``labels`` in the aligner-gui checkpoint format; return path."""
    config = tiny_config(len(labels), extractor_mode=extractor_mode)
    save_checkpoint(
        path,
        config=config,
        state_dict=tiny_state_dict(config, seed=seed),
        labels=labels.labels,
        blank=labels.blank,
        word_delimiter=labels.word_delimiter,
        star=labels.star,
        sample_rate=sample_rate,
        name=name,
        waveform_norm_eps=waveform_norm_eps,
        label_kind=label_kind,
    )
    return Path(path)
