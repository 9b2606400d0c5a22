"""CTC acoustic models: load a torchaudio bundle, our own checkpoint or a Hugging Face directory.

Everything ends up as a :class:`LoadedModel` wrapping a plain torchaudio ``Wav2Vec2Model`` plus
the facts the rest of the program needs (alphabet, sample rate, frame geometry). Each source has
its own module (:mod:`~aligner_gui.core.models.bundles`, :mod:`~aligner_gui.core.models.checkpoint`,
:mod:`~aligner_gui.core.models.huggingface`); their public names are re-exported here so callers need
only this one. torch and torchaudio are imported inside functions only: the GUI imports this
module at start-up and must not pay for torch before the user asks for a model.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aligner_gui.core.base.errors import ModelError
from aligner_gui.core.base.labels import LabelSet
from aligner_gui.core.base.progress import ProgressFn
from aligner_gui.core.base.resources import resource_path
from aligner_gui.core.base.timebase import TimeBase
from aligner_gui.core.models.bundles import (
    BUNDLES,
    BundleSpec,
    build_bundle_module,
    bundle_cache_location,
    bundle_metadata,
    fetch_bundle_weights,
    resolve_bundle_name,
    unwrap_torchaudio_module,
)
from aligner_gui.core.models.checkpoint import (
    CHECKPOINT_FORMAT,
    build_checkpoint_module,
    checkpoint_labels,
    read_checkpoint,
    save_checkpoint,
)
from aligner_gui.core.models.huggingface import (
    import_huggingface_module,
    labels_from_hf_vocab,
    read_huggingface_metadata,
)

if TYPE_CHECKING:
    import torch

__all__ = [
    "BUNDLES",
    "CHECKPOINT_FORMAT",
    "DEFAULT_MODEL",
    "SHIPPED_MODELS",
    "BundleSpec",
    "LoadedModel",
    "bundle_cache_location",
    "choose_device",
    "demo_model_path",
    "feature_geometry",
    "labels_from_hf_vocab",
    "load_model",
    "read_checkpoint",
    "read_huggingface_metadata",
    "resolve_bundle_name",
    "save_checkpoint",
    "shipped_model_path",
    "unwrap_torchaudio_module",
]

DEFAULT_MODEL = "WAV2VEC2_ASR_BASE_960H"  # must be a key of BUNDLES


@dataclass
class LoadedModel:
    """A CTC model ready for :func:`aligner_gui.core.models.emission.compute_emissions`.

    ``module`` maps a (1, samples) float32 tensor to ((1, frames, classes) logits, None). The
    steps torchaudio's pipeline wrappers add around it are recorded in ``waveform_norm_eps`` and
    ``append_star`` and applied by compute_emissions, which is the way to get log-probabilities.
    """

    module: torch.nn.Module  # a torchaudio Wav2Vec2Model in eval mode, on ``device``
    labels: LabelSet
    sample_rate: int
    name: str
    device: torch.device
    frame_stride: int  # samples per output frame: product of the conv extractor's strides
    receptive_field: int  # samples seen by one output frame
    # None: feed raw samples. Otherwise normalise the whole recording to zero mean and unit
    # variance with this epsilon first (LV60K/MMS bundles and most Hugging Face models).
    waveform_norm_eps: float | None = None
    # MMS_FA convention: the network has no star output; a constant log-probability 0 column is
    # appended after the log-softmax, so the star matches any frame.
    append_star: bool = False

    @property
    def timebase(self) -> TimeBase:
        return TimeBase(self.sample_rate, self.frame_stride)

    def num_frames(self, num_samples: int) -> int:
        """The number of frames the model outputs for ``num_samples`` samples (0 if too short).

        For unpadded strided convolutions the nested ``floor((n - k) / s) + 1`` collapses to this
        closed form whenever every layer gets at least its kernel's worth of input.
        """
        if num_samples < self.receptive_field:
            return 0
        return (num_samples - self.receptive_field) // self.frame_stride + 1


def feature_geometry(module: torch.nn.Module) -> tuple[int, int]:
    """(frame_stride, receptive_field) in samples, from a wav2vec2 conv feature extractor."""
    untyped: Any = module  # torchaudio's submodules are not typed
    try:
        layers = list(untyped.feature_extractor.conv_layers)
        geometry = [(int(layer.kernel_size), int(layer.stride)) for layer in layers]
    except (AttributeError, TypeError) as exc:
        raise ModelError(
            f"The model has no wav2vec2 convolutional feature extractor ({exc})."
        ) from None
    stride, field = 1, 1
    for kernel, layer_stride in geometry:
        field += (kernel - 1) * stride
        stride *= layer_stride
    return stride, field


def choose_device(preference: str = "auto") -> torch.device:
    import torch

    pref = preference.strip().lower()
    if pref == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(pref)
    except RuntimeError:
        raise ModelError(f"Unknown device {preference!r}: use auto, cpu or cuda.") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ModelError(
            f"Device {preference!r} was requested but no CUDA GPU is available; use auto or cpu."
        )
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ModelError(f"Device {preference!r} was requested but Apple MPS is not available.")
    return device


# The models shipped with aligner-gui, by name: "demo", the phone model (words and phones
# tiers), and "demo-letters", the older letter model (words and chars tiers). Both are trained
# on synthetic speech only. Their files are resources, absent from some installs.
SHIPPED_MODELS: dict[str, tuple[str, str]] = {
    "demo": ("demo_phones.pt", "the built-in phone model (words and phones)"),
    "demo-letters": ("demo_model.pt", "the built-in letter model (words and characters)"),
}


def demo_model_path() -> Path:
    """Where the bundled demo checkpoint lives (package data first, then the source checkout)."""
    return shipped_model_path("demo")


def shipped_model_path(name: str) -> Path:
    """Where the shipped model ``name`` (a key of :data:`SHIPPED_MODELS`) lives or would live."""
    return resource_path(SHIPPED_MODELS[name][0])


def load_model(
    name_or_path: str | Path, device: str = "auto", progress: ProgressFn | None = None
) -> LoadedModel:
    """Load a checkpoint file, a Hugging Face directory, a shipped model's name (``"demo"``,
    ``"demo-letters"``) or a torchaudio bundle name."""
    target = choose_device(device)
    report = progress or (lambda stage, fraction: None)
    report("Loading model", 0.0)
    path = Path(name_or_path)
    text = str(name_or_path)
    if path.is_file():
        model = _load_checkpoint_model(path, target)
    elif path.is_dir():
        model = _load_huggingface_model(path, target)
    elif text in SHIPPED_MODELS:
        # "demo" through demo_model_path, the one place tests and callers redirect it.
        shipped = demo_model_path() if text == "demo" else shipped_model_path(text)
        if not shipped.is_file():
            raise ModelError(
                f"The {text} model is not installed (expected at {shipped}); choose another model."
            )
        model = _load_checkpoint_model(shipped, target)
    elif (spec := resolve_bundle_name(text)) is not None:
        model = _load_bundle(spec, target, report)
    elif isinstance(name_or_path, Path) or any(c in text for c in "/\\") or path.suffix:
        raise ModelError(f"{text}: no such model file or directory.")
    else:
        raise ModelError(_unknown_name_message(text))
    report("Loading model", 1.0)
    return model


def _unknown_name_message(name: str) -> str:
    close = difflib.get_close_matches(name.upper(), list(BUNDLES), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}? " if close else ""
    return (
        f"Unknown model {name!r}: {hint}valid names are {', '.join([*BUNDLES, *SHIPPED_MODELS])}, or give "
        "the path of a checkpoint file or a Hugging Face model directory."
    )


def _load_bundle(spec: BundleSpec, device: torch.device, report: ProgressFn) -> LoadedModel:
    cached = fetch_bundle_weights(spec, report)
    module, norm_eps, append_star = build_bundle_module(spec, cached)
    labels, sample_rate = bundle_metadata(spec)
    return _finish(
        module, labels, sample_rate, spec.name, device, str(cached), norm_eps, append_star
    )


def _load_checkpoint_model(path: Path, device: torch.device) -> LoadedModel:
    checkpoint = read_checkpoint(path)
    return _finish(
        build_checkpoint_module(checkpoint, path),
        checkpoint_labels(checkpoint),
        checkpoint["sample_rate"],
        checkpoint["name"],
        device,
        str(path),
        checkpoint.get("waveform_norm_eps"),
    )


def _load_huggingface_model(directory: Path, device: torch.device) -> LoadedModel:
    if not (directory / "config.json").is_file():
        raise ModelError(
            f"{directory}: a directory without config.json is not a Hugging Face model."
        )
    labels, rate, eps = read_huggingface_metadata(directory)
    module = import_huggingface_module(directory)
    return _finish(module, labels, rate, directory.name, device, str(directory), eps)


def _finish(
    module: torch.nn.Module,
    labels: LabelSet,
    sample_rate: int,
    name: str,
    device: torch.device,
    source: str,
    norm_eps: float | None = None,
    append_star: bool = False,
) -> LoadedModel:
    """Check the network's CTC head against the alphabet, then move it to ``device``."""
    stride, field = feature_geometry(module)
    aux = getattr(module, "aux", None)
    if aux is None:
        raise ModelError(f"{source}: the model has no CTC output layer, so it cannot align.")
    outputs = int(aux.out_features) + (1 if append_star else 0)
    if outputs != len(labels):
        raise ModelError(
            f"{source}: the model outputs {outputs} classes but has {len(labels)} labels."
        )
    module.eval()
    module.to(device)
    return LoadedModel(
        module, labels, sample_rate, name, device, stride, field, norm_eps, append_star
    )
