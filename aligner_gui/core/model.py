"""CTC acoustic models: torchaudio bundles, our own checkpoints and Hugging Face directories.

Everything ends up as a :class:`LoadedModel` wrapping a plain torchaudio ``Wav2Vec2Model`` plus
the facts the rest of the program needs (alphabet, sample rate, frame geometry). torch and
torchaudio are imported inside functions only: the GUI imports this module at start-up and must
not pay for torch before the user asks for a model.
"""

from __future__ import annotations

import difflib
import io
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from aligner_gui.core.errors import ModelError
from aligner_gui.core.fileio import atomic_write_bytes
from aligner_gui.core.labels import LabelSet
from aligner_gui.core.progress import ProgressFn
from aligner_gui.core.timebase import TimeBase

if TYPE_CHECKING:
    import torch

CHECKPOINT_FORMAT = "aligner-gui/ctc-checkpoint/1"
DEFAULT_MODEL = "WAV2VEC2_ASR_BASE_960H"
# torchaudio's own download location for bundle files given as bare names.
_TORCHAUDIO_MODEL_URL = "https://download.pytorch.org/torchaudio/models/"
_REQUIRED_KEYS = ("format", "config", "state_dict", "labels", "blank", "word_delimiter", "star",
                  "sample_rate", "name")  # fmt: skip


@dataclass(frozen=True)
class BundleSpec:
    name: str  # attribute of torchaudio.pipelines
    description: str  # one line for menus and --help
    download_mb: int  # approximate size of the weights file
    star: bool  # MMS_FA: torchaudio appends a star column to the output


BUNDLES: dict[str, BundleSpec] = {
    spec.name: spec
    for spec in (
        BundleSpec(
            DEFAULT_MODEL, "English, wav2vec 2.0 base fine-tuned on LibriSpeech", 360, False
        ),
        BundleSpec(
            "WAV2VEC2_ASR_LARGE_960H", "English, wav2vec 2.0 large, LibriSpeech", 1200, False
        ),
        BundleSpec(
            "WAV2VEC2_ASR_LARGE_LV60K_960H", "English, wav2vec 2.0 large, Libri-Light", 1200, False
        ),
        BundleSpec("MMS_FA", "Multilingual (romanised text), MMS forced aligner", 1200, True),
    )
}


@dataclass
class LoadedModel:
    """A CTC model ready for :func:`aligner_gui.core.emission.compute_emissions`.

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


def demo_model_path() -> Path:
    """Where the bundled demo checkpoint lives (package data first, then the source checkout).

    Returns the checkout location when neither exists, so callers can say where it is expected.
    """
    package = Path(__file__).resolve().parent.parent
    candidates = (
        package / "resources" / "demo_model.pt",
        package.parent / "resources" / "demo_model.pt",
    )
    return next((path for path in candidates if path.is_file()), candidates[-1])


def load_model(
    name_or_path: str | Path, device: str = "auto", progress: ProgressFn | None = None
) -> LoadedModel:
    """Load a checkpoint file, a Hugging Face directory, ``"demo"`` or a torchaudio bundle name."""
    target = choose_device(device)
    report = progress or (lambda stage, fraction: None)
    report("Loading model", 0.0)
    path = Path(name_or_path)
    text = str(name_or_path)
    if path.is_file():
        model = _load_checkpoint_model(path, target)
    elif path.is_dir():
        model = _load_huggingface_model(path, target)
    elif text == "demo":
        demo = demo_model_path()
        if not demo.is_file():
            raise ModelError(
                f"The demo model is not installed (expected at {demo}); choose another model."
            )
        model = _load_checkpoint_model(demo, target)
    elif (spec := resolve_bundle_name(text)) is not None:
        model = _load_bundle(spec, target, report)
    elif isinstance(name_or_path, Path) or any(c in text for c in "/\\") or path.suffix:
        raise ModelError(f"{text}: no such model file or directory.")
    else:
        raise ModelError(_unknown_name_message(text))
    report("Loading model", 1.0)
    return model


def resolve_bundle_name(name: str) -> BundleSpec | None:
    """The bundle called ``name``, ignoring case; None if there is none."""
    return next((s for key, s in BUNDLES.items() if key.lower() == name.strip().lower()), None)


def _unknown_name_message(name: str) -> str:
    close = difflib.get_close_matches(name.upper(), list(BUNDLES), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}? " if close else ""
    return (
        f"Unknown model {name!r}: {hint}valid names are {', '.join(BUNDLES)} and demo, or give "
        "the path of a checkpoint file or a Hugging Face model directory."
    )


# --- torchaudio bundles -------------------------------------------------------------------------


def bundle_cache_location(spec: BundleSpec) -> tuple[str, Path]:
    """(URL, cached file) of a bundle's weights, exactly where torch.hub looks for them."""
    import torch.hub
    import torchaudio.pipelines

    raw = getattr(torchaudio.pipelines, spec.name)._path
    url = raw if raw.startswith("https") else _TORCHAUDIO_MODEL_URL + raw
    return url, Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(urlparse(url).path)


def _load_bundle(spec: BundleSpec, device: torch.device, report: ProgressFn) -> LoadedModel:
    import torch.hub
    import torchaudio.pipelines

    bundle = getattr(torchaudio.pipelines, spec.name)
    url, cached = bundle_cache_location(spec)
    if not cached.is_file():
        # Fetch before get_model() builds the full-size network, so being offline fails fast.
        # The file lands where torchaudio's own loader (torch.hub) will find it.
        report(f"Downloading {spec.name} (about {spec.download_mb} MB)", 0.0)
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            torch.hub.download_url_to_file(url, str(cached), progress=True)
        except Exception as exc:
            raise ModelError(
                f"Could not download the model {spec.name} ({exc}). Its weights file {url} is not "
                f"in torchaudio's cache at {cached}: download it on a computer with internet "
                f"access and place it there, or load a local checkpoint with --model PATH "
                f"(an aligner-gui .pt checkpoint or a Hugging Face model directory)."
            ) from None
    try:
        wrapped = bundle.get_model(with_star=True) if spec.star else bundle.get_model()
    except Exception as exc:
        raise ModelError(
            f"{cached}: the cached weights of {spec.name} could not be loaded ({exc}); delete "
            "the file so that it is downloaded again."
        ) from None
    module, norm_eps, append_star = unwrap_torchaudio_module(wrapped)
    raw_labels = bundle.get_labels(star="*") if spec.star else bundle.get_labels()
    labels = LabelSet(
        labels=tuple(raw_labels),
        blank=0,
        word_delimiter=None if spec.star else "|",
        star=len(raw_labels) - 1 if spec.star else None,
    )
    return _finish(
        module,
        labels,
        int(bundle.sample_rate),
        spec.name,
        device,
        str(cached),
        norm_eps,
        append_star,
    )


def unwrap_torchaudio_module(module: torch.nn.Module) -> tuple[torch.nn.Module, float | None, bool]:
    """Split torchaudio's pipeline wrapper into (Wav2Vec2Model, waveform norm eps, append_star).

    Some bundles return a private wrapper that layer-normalises the whole input, applies
    log-softmax and appends the star column. We redo those steps ourselves per window (with
    whole-recording statistics), so the wrapper is taken apart by its public attributes.
    """
    inner = getattr(module, "model", None)
    if inner is None or not hasattr(inner, "feature_extractor"):
        return module, None, False
    eps = 1e-5 if getattr(module, "normalize_waveform", False) else None  # F.layer_norm default
    return inner, eps, bool(getattr(module, "append_star", False))


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


# --- our checkpoint format ----------------------------------------------------------------------


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
) -> None:
    """Write a checkpoint atomically; it is validated first so we never write one we can't read."""
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
    _validate_checkpoint(checkpoint, str(path))
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def read_checkpoint(path: str | Path) -> dict:
    """Load and validate a checkpoint dict (tensors on the CPU); every fault is a ModelError."""
    import pickle

    import torch

    where = str(path)
    if not Path(path).is_file():
        raise ModelError(f"{where}: no such checkpoint file.")
    try:
        # weights_only: a checkpoint is plain data (tensors, str, int, float, lists, tuples,
        # dicts), so nothing in it may run code when loaded.
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
    try:
        _label_set(checkpoint)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if config.get("aux_num_out") != len(labels):
        raise fail(
            f"it has {len(labels)} labels but its model outputs "
            f"{config.get('aux_num_out')} classes (config 'aux_num_out')"
        )


def _label_set(checkpoint: Mapping[str, Any]) -> LabelSet:
    return LabelSet(
        labels=tuple(checkpoint["labels"]),
        blank=checkpoint["blank"],
        word_delimiter=checkpoint["word_delimiter"],
        star=checkpoint["star"],
    )


def _load_checkpoint_model(path: Path, device: torch.device) -> LoadedModel:
    from torchaudio.models import wav2vec2_model

    checkpoint = read_checkpoint(path)
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
    return _finish(
        module,
        _label_set(checkpoint),
        checkpoint["sample_rate"],
        checkpoint["name"],
        device,
        str(path),
        checkpoint.get("waveform_norm_eps"),
    )


def _few(keys: Sequence[str], limit: int = 3) -> str:
    if not keys:
        return "none"
    shown = ", ".join(keys[:limit])
    return shown if len(keys) <= limit else f"{shown} and {len(keys) - limit} more"


# --- Hugging Face directories -------------------------------------------------------------------


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
    rate = features.get("sampling_rate", 16000)
    # Wav2Vec2FeatureExtractor normalises by default, with its own epsilon of 1e-7.
    eps = 1e-7 if features.get("do_normalize", True) else None
    return labels, int(rate), eps


def _load_huggingface_model(directory: Path, device: torch.device) -> LoadedModel:
    if not (directory / "config.json").is_file():
        raise ModelError(
            f"{directory}: a directory without config.json is not a Hugging Face model."
        )
    labels, rate, eps = read_huggingface_metadata(directory)
    try:
        import transformers
    except ImportError:
        raise ModelError(
            f"{directory}: loading Hugging Face models needs the transformers package; install it "
            'with pip install "aligner-gui[transformers]".'
        ) from None
    from torchaudio.models.wav2vec2.utils import import_huggingface_model

    model_type = json.loads((directory / "config.json").read_text(encoding="utf-8")).get(
        "model_type"
    )
    classes = {"wav2vec2": "Wav2Vec2ForCTC", "wavlm": "WavLMForCTC"}
    if model_type not in classes:
        raise ModelError(
            f"{directory}: model type {model_type!r} is not supported (only wav2vec2 and wavlm)."
        )
    try:
        original = getattr(transformers, classes[model_type]).from_pretrained(str(directory))
        module = import_huggingface_model(original)
    except Exception as exc:
        raise ModelError(
            f"{directory}: the Hugging Face model could not be loaded ({exc})."
        ) from None
    return _finish(module, labels, rate, directory.name, device, str(directory), eps)
