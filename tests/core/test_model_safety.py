"""No model file runs code when it is loaded: cached bundle weights, our checkpoints, Hugging Face
folders. A harmless payload (a pickle that creates a marker file when unpickled) stands in for
an attack; the marker must never appear and the refusal must be one clear line."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from aligner_gui.core.base.errors import ModelError
from aligner_gui.core.models.huggingface import read_huggingface_metadata
from aligner_gui.core.models.model import BUNDLES, DEFAULT_MODEL, bundle_cache_location, load_model

REPO = Path(__file__).resolve().parents[2]


class Payload:
    """Unpickling this calls open(marker, "w"): proof that the file ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _plant(path: Path, marker: Path, style: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if style == "torch.save":
        torch.save({"aux.weight": Payload(marker), "aux.bias": torch.zeros(3)}, path)
    else:  # a bare pickle, as torch.load's legacy format
        path.write_bytes(pickle.dumps({"aux.weight": Payload(marker)}, protocol=2))


def _one_line(err: ModelError) -> str:
    message = str(err)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("style", ["torch.save", "pickle"])
def test_a_poisoned_bundle_cache_is_refused_unrun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, style: str
) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    _, cached = bundle_cache_location(BUNDLES[DEFAULT_MODEL])
    marker = tmp_path / "pwned"
    _plant(cached, marker, style)
    with pytest.raises(ModelError) as info:
        load_model(DEFAULT_MODEL, device="cpu")
    assert not marker.exists()
    message = _one_line(info.value)
    assert message.startswith(f"{cached}: the cached weights of {DEFAULT_MODEL}")
    assert "not loaded for safety" in message


def test_a_poisoned_bundle_cache_through_the_command_line(tmp_path: Path) -> None:
    home = tmp_path / "torch-home"
    env = {**os.environ, "TORCH_HOME": str(home), "PYTHONPATH": str(REPO)}
    _, cached = bundle_cache_location(BUNDLES[DEFAULT_MODEL])
    cached = home / "hub" / "checkpoints" / cached.name
    marker = tmp_path / "pwned"
    _plant(cached, marker, "pickle")
    proc = subprocess.run(
        [sys.executable, "-m", "aligner_gui", "align", str(REPO / "resources" / "sample.wav"),
         str(REPO / "resources" / "sample.txt"), "-o", str(tmp_path / "out.json"), "-q",
         "--model", DEFAULT_MODEL, "--device", "cpu"],
        capture_output=True, text=True, timeout=300, check=False, env=env,
    )  # fmt: skip
    assert proc.returncode == 1
    assert not marker.exists()
    lines = proc.stderr.splitlines()  # no traceback, no torch warning: one line
    assert len(lines) == 1, proc.stderr
    assert "not loaded for safety" in lines[0]
    assert not (tmp_path / "out.json").exists()


def test_a_poisoned_checkpoint_is_refused_unrun(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "model.pt"
    torch.save({"format": "aligner-gui/ctc-checkpoint/1", "config": Payload(marker)}, path)
    with pytest.raises(ModelError) as info:
        load_model(path, device="cpu")
    assert not marker.exists()
    assert "not loaded for safety" in _one_line(info.value)


def _hf_folder(root: Path, features: dict | None = None) -> Path:
    root.mkdir()
    config = {"model_type": "wav2vec2", "vocab_size": 5, "pad_token_id": 0}
    (root / "config.json").write_text(json.dumps(config), encoding="utf-8")
    vocab = {"<pad>": 0, "<unk>": 1, "|": 2, "A": 3, "B": 4}
    (root / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    if features is not None:
        (root / "preprocessor_config.json").write_text(json.dumps(features), encoding="utf-8")
    return root


@pytest.mark.parametrize("style", ["torch.save", "pickle"])
def test_a_poisoned_hugging_face_bin_is_refused_unrun(tmp_path: Path, style: str) -> None:
    pytest.importorskip("transformers")
    folder = _hf_folder(tmp_path / "hf")
    marker = tmp_path / "pwned"
    _plant(folder / "pytorch_model.bin", marker, style)
    with pytest.raises(ModelError) as info:
        load_model(folder, device="cpu")
    assert not marker.exists()
    message = _one_line(info.value)
    assert message.startswith(f"{folder / 'pytorch_model.bin'}: ")
    assert "not loaded for safety" in message


@pytest.mark.parametrize(
    "rate", ["sixteen thousand", "16000", None, True, -16000, 0, 1e300, 16000.5]
)
def test_an_unusable_sampling_rate_is_one_clear_line(tmp_path: Path, rate: object) -> None:
    folder = _hf_folder(tmp_path / "hf", {"sampling_rate": rate})
    with pytest.raises(ModelError) as info:
        read_huggingface_metadata(folder)
    message = _one_line(info.value)
    assert message.startswith(f"{folder / 'preprocessor_config.json'}: 'sampling_rate' is ")
    assert "not a sample rate in Hz" in message


def test_a_whole_sampling_rate_written_as_a_float_is_accepted(tmp_path: Path) -> None:
    folder = _hf_folder(tmp_path / "hf", {"sampling_rate": 16000.0})
    assert read_huggingface_metadata(folder)[1] == 16000


# --- the safe loader gives exactly what torchaudio's own get_model() gives ----------------------


@pytest.mark.parametrize(
    "name", ["WAV2VEC2_ASR_BASE_960H", "WAV2VEC2_ASR_LARGE_LV60K_960H", "MMS_FA"]
)
def test_bundle_weights_load_as_torchaudio_loads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # The bundle's architecture shrunk to tiny widths (same kind, same head, same extras), so
    # that both loaders can read one small cached file offline.
    import dataclasses

    import numpy as np
    import torchaudio.pipelines
    from torchaudio.models import wav2vec2_model

    from aligner_gui.core.models.emission import compute_emissions

    from tiny_models import tiny_config

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    original = getattr(torchaudio.pipelines, name)
    outputs = original._params["aux_num_out"]
    params = tiny_config(outputs, extractor_mode=original._params["extractor_mode"])
    tiny = dataclasses.replace(original, _params=params)
    monkeypatch.setattr(torchaudio.pipelines, name, tiny)
    unused = tuple(getattr(original, "_remove_aux_axis", ()))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1)
        raw = wav2vec2_model(**{**params, "aux_num_out": outputs + len(unused)})
        with torch.no_grad():
            raw.aux.weight.mul_(8.0)
    _, cached = bundle_cache_location(BUNDLES[name])
    cached.parent.mkdir(parents=True)
    torch.save(raw.state_dict(), cached)

    ours = load_model(name, device="cpu")
    theirs = tiny.get_model(with_star=True) if name == "MMS_FA" else tiny.get_model()
    x = (np.random.default_rng(0).standard_normal(24000) * 0.1).astype(np.float32)
    with torch.inference_mode():
        out = theirs(torch.from_numpy(x)[None])[0][0]
    # torchaudio's MMS_FA wrapper applies the log-softmax and appends the star column itself.
    expected = out if name == "MMS_FA" else torch.log_softmax(out, dim=-1)
    assert ours.append_star == (name == "MMS_FA")
    np.testing.assert_allclose(compute_emissions(ours, x), expected.numpy(), atol=1e-4)


# transformers' own deprecation notices (version-dependent) are not what this test is about.
@pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")
def test_files_transformers_never_loads_do_not_block_a_folder(tmp_path: Path) -> None:
    transformers = pytest.importorskip("transformers")
    config = transformers.Wav2Vec2Config(
        vocab_size=5, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, conv_dim=(32,) * 7, num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=4, pad_token_id=0, feat_extract_norm="group",
        do_stable_layer_norm=False,
    )  # fmt: skip
    folder = tmp_path / "hf"
    transformers.Wav2Vec2ForCTC(config).save_pretrained(str(folder))  # model.safetensors
    vocab = {"<pad>": 0, "<unk>": 1, "|": 2, "A": 3, "B": 4}
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    marker = tmp_path / "pwned"
    _plant(folder / "training_args.bin", marker, "torch.save")  # a Trainer's pickle, unread
    loaded = load_model(folder, device="cpu")
    assert loaded.labels.labels == ("<pad>", "<unk>", "|", "A", "B")
    assert not marker.exists()
