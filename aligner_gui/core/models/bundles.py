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
    "resolve_bundle_name",
    "unwrap_torchaudio_module",
]

# torchaudio's own download location for bundle files given as bare names.
_TORCHAUDIO_MODEL_URL = "https://download.pytorch.org/torchaudio/models/"


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
    """(Wav2Vec2Model, waveform norm eps, append_star) of a bundle whose weights are cached."""
    import torchaudio.pipelines

    bundle = getattr(torchaudio.pipelines, spec.name)
    try:
        wrapped = bundle.get_model(with_star=True) if spec.star else bundle.get_model()
    except Exception as exc:
        raise ModelError(
            f"{cached}: the cached weights of {spec.name} could not be loaded ({exc}); delete "
            "the file so that it is downloaded again."
        ) from None
    return unwrap_torchaudio_module(wrapped)


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
