"""torchaudio's pretrained CTC bundles: which ones we offer, where their weights live, fetching.

Weights are downloaded into torch.hub's cache (where torchaudio itself looks) before the network
is built, so an offline machine fails fast with instructions instead of a traceback. torch and
torchaudio are imported inside functions only (see :mod:`aligner_gui.core.models.model`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from aligner_gui.core.base.errors import ModelError, ModelUnavailableError
from aligner_gui.core.base.labels import LabelSet
from aligner_gui.core.base.progress import ProgressFn

if TYPE_CHECKING:
    import torch

__all__ = [
    "BUNDLES",
    "BundleSpec",
    "build_bundle_module",
    "bundle_cache_location",
    "bundle_metadata",
    "fetch_bundle_weights",
    "load_weights_file",
    "resolve_bundle_name",
    "unwrap_torchaudio_module",
]

# torchaudio's own download location for bundle files given as bare names.
_TORCHAUDIO_MODEL_URL = "https://download.pytorch.org/torchaudio/models/"
_REDOWNLOAD = "delete the file so that it is downloaded again"


@dataclass(frozen=True)
class BundleSpec:
    name: str  # attribute of torchaudio.pipelines
    description: str  # one line for menus and --help
    download_mb: int  # approximate size of the weights file
    star: bool  # MMS_FA: torchaudio appends a star column to the output


BUNDLES: dict[str, BundleSpec] = {
    spec.name: spec
    for spec in (
        # The first one is aligner_gui.core.models.model.DEFAULT_MODEL.
        BundleSpec(
            "WAV2VEC2_ASR_BASE_960H",
            "English, wav2vec 2.0 base fine-tuned on LibriSpeech",
            360,
            False,
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


def resolve_bundle_name(name: str) -> BundleSpec | None:
    """The bundle called ``name``, ignoring case; None if there is none."""
    return next((s for key, s in BUNDLES.items() if key.lower() == name.strip().lower()), None)


def bundle_cache_location(spec: BundleSpec) -> tuple[str, Path]:
    """(URL, cached file) of a bundle's weights, exactly where torch.hub looks for them."""
    import torch.hub
    import torchaudio.pipelines

    raw = getattr(torchaudio.pipelines, spec.name)._path
    url = raw if raw.startswith("https") else _TORCHAUDIO_MODEL_URL + raw
    return url, Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(urlparse(url).path)


def fetch_bundle_weights(spec: BundleSpec, report: ProgressFn) -> Path:
    """The cached weights file of a bundle, downloaded first if it is not there yet."""
    import torch.hub

    url, cached = bundle_cache_location(spec)
    if not cached.is_file():
        # Fetch before get_model() builds the full-size network, so being offline fails fast.
        # The file lands where torchaudio's own loader (torch.hub) will find it.
        report(f"Downloading {spec.name} (about {spec.download_mb} MB)", 0.0)
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            torch.hub.download_url_to_file(url, str(cached), progress=True)
        except Exception as exc:
            raise ModelUnavailableError(
                f"Could not download the model {spec.name} ({exc}). Its weights file {url} is not "
                f"in torchaudio's cache at {cached}: download it on a computer with internet "
                f"access and place it there, or load a local checkpoint with --model PATH "
                f"(an aligner-gui .pt checkpoint or a Hugging Face model directory)."
            ) from None
    return cached


def build_bundle_module(
    spec: BundleSpec, cached: Path
) -> tuple[torch.nn.Module, float | None, bool]:
    """(Wav2Vec2Model, waveform norm eps, append_star) of a bundle whose weights are cached.

    torchaudio's own ``bundle.get_model()`` unpickles the cached file with ``weights_only=False``,
    so a file planted in the cache (as the offline message tells users to do) could run code.
    The network is built here from the bundle's published architecture instead, and the file
    is read as plain tensors only.
    """
    import torchaudio.pipelines

    bundle = getattr(torchaudio.pipelines, spec.name)
    state_dict = load_weights_file(cached, f"the cached weights of {spec.name}")
    # The fairseq ASR heads carry unused dictionary rows (<s>, <pad>, </s>...) that torchaudio
    # drops at load time; so do we, with the indices the bundle declares.
    unused = set(getattr(bundle, "_remove_aux_axis", ()) or ())
    for key in ("aux.weight", "aux.bias"):
        matrix = state_dict.get(key)
        if unused and matrix is not None:
            keep = [i for i in range(matrix.shape[0]) if i not in unused]
            state_dict[key] = matrix[keep]
    module = _bundle_architecture(bundle, spec)
    try:
        module.load_state_dict(state_dict)
    except Exception as exc:
        detail = " ".join(str(exc).split())[:200]
        raise ModelError(
            f"{cached}: the cached weights of {spec.name} do not fit the model ({detail}); delete "
            "the file so that it is downloaded again."
        ) from None
    module.eval()
    eps = 1e-5 if getattr(bundle, "_normalize_waveform", False) else None  # F.layer_norm default
    return module, eps, spec.star


def load_weights_file(
    path: Path, what: str, remedy: str = _REDOWNLOAD, *, mmap: bool = False
) -> dict[str, torch.Tensor]:
    """A state dict read with ``weights_only=True``: anything but plain data is refused unread.

    ``mmap`` maps a zip-format file instead of reading it (cheap when only checking a file).
    """
    import pickle
    import warnings

    import torch

    try:
        with warnings.catch_warnings():
            # torch warns about unusual pickle protocols just before refusing such a file;
            # the refusal below says all there is to say.
            warnings.simplefilter("ignore")
            # weights_only: never run code from a downloaded or copied file.
            try:
                loaded = torch.load(path, map_location="cpu", weights_only=True, mmap=mmap)
            except RuntimeError as exc:
                if not mmap or "mmap" not in str(exc):
                    raise
                loaded = torch.load(path, map_location="cpu", weights_only=True)  # legacy format
    except pickle.UnpicklingError as exc:
        if "weights only" in str(exc).lower() or "weights_only" in str(exc).lower():
            raise ModelError(
                f"{path}: {what} hold Python objects besides plain tensors, so the file is "
                f"not loaded for safety; {remedy}."
            ) from None
        raise ModelError(
            f"{path}: {what} could not be loaded ({_first_line(exc)}); {remedy}."
        ) from None
    except Exception as exc:
        raise ModelError(
            f"{path}: {what} could not be loaded ({_first_line(exc)}); {remedy}."
        ) from None
    if isinstance(loaded, dict) and isinstance(loaded.get("state_dict"), dict):
        loaded = loaded["state_dict"]
    if not isinstance(loaded, dict) or not all(
        isinstance(value, torch.Tensor) for value in loaded.values()
    ):
        raise ModelError(f"{path}: {what} are not a dictionary of tensors; {remedy}.")
    return dict(loaded)


def _bundle_architecture(bundle: object, spec: BundleSpec) -> torch.nn.Module:
    from torchaudio.models import wav2vec2_model, wavlm_model

    factories = {"Wav2Vec2": wav2vec2_model, "WavLM": wavlm_model}
    model_type = getattr(bundle, "_model_type", "Wav2Vec2")
    params = getattr(bundle, "_params", None)
    if model_type not in factories or not isinstance(params, dict):
        raise ModelError(f"{spec.name}: this torchaudio version describes the model differently.")
    return factories[model_type](**params)


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split("\n")[0].split())
    return text[:200] or type(exc).__name__


def bundle_metadata(spec: BundleSpec) -> tuple[LabelSet, int]:
    """(labels, sample rate) of a bundle."""
    import torchaudio.pipelines

    bundle = getattr(torchaudio.pipelines, spec.name)
    raw_labels = bundle.get_labels(star="*") if spec.star else bundle.get_labels()
    labels = LabelSet(
        labels=tuple(raw_labels),
        blank=0,
        word_delimiter=None if spec.star else "|",
        star=len(raw_labels) - 1 if spec.star else None,
    )
    return labels, int(bundle.sample_rate)


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
