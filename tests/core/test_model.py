"""Model loading: our checkpoints, their validation, bundles (offline), Hugging Face metadata."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from torchaudio.models import wav2vec2_model

from aligner_gui.core.base.errors import ModelError
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS, MMS_FA_LABELS, LabelSet
from aligner_gui.core.models import model as model_module
from aligner_gui.core.models.emission import compute_emissions
from aligner_gui.core.models.model import (
    BUNDLES,
    CHECKPOINT_FORMAT,
    DEFAULT_MODEL,
    bundle_cache_location,
    choose_device,
    feature_geometry,
    labels_from_hf_vocab,
    load_model,
    read_checkpoint,
    read_huggingface_metadata,
    resolve_bundle_name,
    save_checkpoint,
    unwrap_torchaudio_module,
)

from tiny_models import DEMO_PHONE_LABELS, make_tiny_checkpoint, tiny_config, tiny_state_dict

CPU = torch.device("cpu")


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def tiny_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_checkpoint(tmp_path_factory.mktemp("tiny") / "tiny.pt", seed=3, name="tiny")


@pytest.fixture
def raw(tiny_path: Path) -> dict:
    """A fresh, mutable copy of a valid checkpoint dict."""
    return torch.load(tiny_path, weights_only=True)


def _noise(seconds: float, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(int(seconds * 16000)) * 0.1).astype(
        np.float32
    )


# --- import cost and round trip -----------------------------------------------------------------


def test_importing_model_and_emission_does_not_import_torch() -> None:
    code = (
        "import sys, aligner_gui.core.models.model, aligner_gui.core.models.emission;"
        "print(sorted(m for m in ('torch', 'torchaudio') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_checkpoint_round_trip_gives_identical_outputs(tiny_path: Path) -> None:
    loaded = load_model(tiny_path, device="cpu")
    assert loaded.name == "tiny"
    assert loaded.labels == ENGLISH_ASR_LABELS
    assert loaded.sample_rate == 16000
    assert loaded.device == CPU
    assert (loaded.frame_stride, loaded.receptive_field) == (320, 400)
    assert loaded.timebase.frame_seconds == pytest.approx(0.02)
    assert loaded.waveform_norm_eps is None and loaded.append_star is False
    assert not loaded.module.training

    config = tiny_config(len(ENGLISH_ASR_LABELS))
    reference = wav2vec2_model(**config)
    reference.load_state_dict(tiny_state_dict(config, seed=3))
    reference.eval()
    x = torch.from_numpy(_noise(1.3))[None]
    with torch.inference_mode():
        expected = reference(x)[0]
        got = loaded.module(x)[0]
        again = load_model(tiny_path, device="cpu").module(x)[0]
    assert expected.shape == (1, 64, 29)
    assert torch.equal(got, expected)
    assert torch.equal(again, expected)


def test_save_checkpoint_keeps_star_delimiter_and_norm(tmp_path: Path) -> None:
    path = make_tiny_checkpoint(
        tmp_path / "mms.pt", MMS_FA_LABELS, name="mms-like", sample_rate=8000,
        extractor_mode="layer_norm", waveform_norm_eps=1e-5,
    )  # fmt: skip
    checkpoint = read_checkpoint(path)
    assert checkpoint["format"] == CHECKPOINT_FORMAT
    assert checkpoint["star"] == 28 and checkpoint["word_delimiter"] is None
    loaded = load_model(path, device="cpu")
    assert loaded.labels == MMS_FA_LABELS
    assert (loaded.sample_rate, loaded.name, loaded.waveform_norm_eps) == (8000, "mms-like", 1e-5)
    assert loaded.timebase.frame_seconds == pytest.approx(0.04)


def test_tiny_checkpoints_are_reproducible_and_seeded(tmp_path: Path) -> None:
    a = read_checkpoint(make_tiny_checkpoint(tmp_path / "a.pt", seed=1))["state_dict"]
    b = read_checkpoint(make_tiny_checkpoint(tmp_path / "b.pt", seed=1))["state_dict"]
    c = read_checkpoint(make_tiny_checkpoint(tmp_path / "c.pt", seed=2))["state_dict"]
    assert all(torch.equal(a[key], b[key]) for key in a)
    assert not torch.equal(a["aux.weight"], c["aux.weight"])


# --- frame geometry -----------------------------------------------------------------------------


@pytest.mark.parametrize("extractor_mode", ["group_norm", "layer_norm"])
def test_num_frames_matches_the_real_output_length(tmp_path: Path, extractor_mode: str) -> None:
    path = make_tiny_checkpoint(tmp_path / "t.pt", extractor_mode=extractor_mode)
    loaded = load_model(path, device="cpu")
    lengths = [400, 401, 719, 720, 721, 1039, 1040, 16000, 16319, 16320, 16321, 48000]
    with torch.inference_mode():
        real = [loaded.module(torch.zeros(1, n))[0].shape[1] for n in lengths]
    assert [loaded.num_frames(n) for n in lengths] == real
    assert real[:6] == [1, 1, 1, 2, 2, 2]
    assert [loaded.num_frames(n) for n in (0, 1, 399)] == [0, 0, 0]


def test_frame_geometry_is_derived_from_the_conv_layers(tmp_path: Path) -> None:
    config = tiny_config(4) | {"extractor_conv_layer_config": [(8, 4, 2), (8, 3, 3), (8, 2, 1)]}
    module = wav2vec2_model(**config)
    # stride 2*3*1; field 4 + (3-1)*2 + (2-1)*6
    assert feature_geometry(module) == (6, 14)
    labels = LabelSet(("-", "a", "b", "|"), blank=0, word_delimiter="|")
    path = tmp_path / "odd.pt"
    save_checkpoint(path, config=config, state_dict=module.state_dict(), labels=labels.labels,
                    blank=0, word_delimiter="|", star=None, sample_rate=600, name="odd")  # fmt: skip
    loaded = load_model(path, device="cpu")
    lengths = [*range(14, 60), 1000, 1001, 1005]
    with torch.inference_mode():
        real = [loaded.module(torch.zeros(1, n))[0].shape[1] for n in lengths]
    assert [loaded.num_frames(n) for n in lengths] == real
    assert loaded.timebase.frame_seconds == pytest.approx(0.01)


def test_feature_geometry_rejects_a_module_without_conv_extractor() -> None:
    with pytest.raises(ModelError, match="no wav2vec2 convolutional feature extractor"):
        feature_geometry(torch.nn.Linear(2, 2))


# --- malformed checkpoints ----------------------------------------------------------------------


class _Evil:
    """Not a plain value: weights_only loading must refuse it."""


def _save_raw(path: Path, obj: object) -> Path:
    torch.save(obj, path)
    return path


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (
            lambda c: c.update(format="aligner-gui/ctc-checkpoint/0"),
            "not an aligner-gui checkpoint",
        ),
        (lambda c: c.pop("format"), "format None"),
        (lambda c: c.pop("labels"), "lacks the key(s) labels"),
        (lambda c: (c.pop("sample_rate"), c.pop("name")), "lacks the key(s) sample_rate, name"),
        (lambda c: c.update(labels=c["labels"][:-1]), "28 labels but its model outputs 29"),
        (lambda c: c.update(blank=29), "blank index 29 is outside the 29 labels"),
        (lambda c: c.update(blank=-1), "blank index -1 is outside"),
        (lambda c: c.update(star=40), "star index 40 is outside the 29 labels"),
        (lambda c: c.update(word_delimiter="#"), "word delimiter '#' is not one of the labels"),
        (lambda c: c.update(labels=["a"] * 28 + ["|"]), "labels must be unique"),
        (lambda c: c.update(blank=True), "'blank' is not a label index"),
        (lambda c: c.update(sample_rate=0), "'sample_rate' is not a positive"),
        (lambda c: c.update(labels="abc"), "'labels' is not a non-empty list"),
        (lambda c: c.update(state_dict=[1, 2]), "'state_dict' is not a dictionary of tensors"),
        (lambda c: c.update(config=None), "'config' is not a dictionary"),
        (lambda c: c.update(waveform_norm_eps=-1.0), "'waveform_norm_eps' is neither"),
    ],
)
def test_malformed_checkpoint_dicts_are_named(raw: dict, tmp_path: Path, mutate, reason) -> None:
    mutate(raw)
    path = _save_raw(tmp_path / "bad.pt", raw)
    with pytest.raises(ModelError) as info:
        load_model(path, device="cpu")
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert reason in message


def test_not_a_file_and_not_a_torch_file(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.pt"
    with pytest.raises(ModelError, match="no such model file or directory"):
        load_model(missing, device="cpu")
    with pytest.raises(ModelError, match="no such checkpoint file"):
        read_checkpoint(tmp_path)
    text = tmp_path / "notes.pt"
    text.write_text("these are not weights\n", encoding="utf-8")
    with pytest.raises(ModelError, match=r"notes\.pt: not a PyTorch checkpoint file"):
        load_model(text, device="cpu")
    empty = tmp_path / "empty.pt"
    empty.write_bytes(b"")
    with pytest.raises(ModelError, match=r"empty\.pt: not a PyTorch checkpoint file"):
        read_checkpoint(empty)


def test_non_dict_and_unsafe_pickles_are_refused(tmp_path: Path) -> None:
    listed = _save_raw(tmp_path / "list.pt", [1, 2, 3])
    with pytest.raises(
        ModelError, match=r"list\.pt: not an aligner-gui checkpoint \(it holds a list\)"
    ):
        read_checkpoint(listed)
    unsafe = _save_raw(tmp_path / "evil.pt", {"format": CHECKPOINT_FORMAT, "x": _Evil()})
    with pytest.raises(ModelError, match=r"evil\.pt: the file holds Python objects"):
        read_checkpoint(unsafe)


def test_state_dict_mismatches_are_reported_briefly(raw: dict, tmp_path: Path) -> None:
    missing = dict(raw, state_dict={k: v for k, v in raw["state_dict"].items() if k != "aux.bias"})
    with pytest.raises(ModelError, match=r"missing: aux\.bias; unexpected: none"):
        load_model(_save_raw(tmp_path / "m.pt", missing), device="cpu")

    extra = dict(
        raw, state_dict=raw["state_dict"] | {f"junk.{i}": torch.zeros(1) for i in range(5)}
    )
    with pytest.raises(ModelError) as info:
        load_model(_save_raw(tmp_path / "u.pt", extra), device="cpu")
    assert "unexpected: junk.0, junk.1, junk.2 and 2 more" in str(info.value)
    assert str(info.value).startswith(f"{tmp_path / 'u.pt'}: its weights do not match")

    shaped = dict(raw, state_dict=raw["state_dict"] | {"aux.bias": torch.zeros(7)})
    with pytest.raises(ModelError, match=r"its weights do not fit its configuration \(.*aux\.bias"):
        load_model(_save_raw(tmp_path / "s.pt", shaped), device="cpu")


def test_invalid_config_is_reported(raw: dict, tmp_path: Path) -> None:
    raw["config"] = raw["config"] | {"encoder_colour": "blue"}
    path = _save_raw(tmp_path / "cfg.pt", raw)
    with pytest.raises(ModelError, match=r"cfg\.pt: its 'config' is not valid for wav2vec2_model"):
        load_model(path, device="cpu")


def test_a_model_without_ctc_head_is_refused(raw: dict, tmp_path: Path) -> None:
    raw["config"] = raw["config"] | {"aux_num_out": None}
    with pytest.raises(ModelError, match="29 labels but its model outputs None classes"):
        read_checkpoint(_save_raw(tmp_path / "nohead.pt", raw))


def test_save_checkpoint_validates_before_writing(tmp_path: Path, raw: dict) -> None:
    path = tmp_path / "keep.pt"
    path.write_bytes(b"previous")
    kwargs = {key: raw[key] for key in ("config", "state_dict", "labels", "word_delimiter", "star",
                                        "sample_rate", "name")}  # fmt: skip
    with pytest.raises(ModelError, match=r"keep\.pt: blank index 99 is outside"):
        save_checkpoint(path, blank=99, **kwargs)
    assert path.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.pt"]
    save_checkpoint(path, blank=0, **kwargs)
    assert read_checkpoint(path)["labels"] == list(ENGLISH_ASR_LABELS.labels)


# --- devices, names, demo -----------------------------------------------------------------------


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_choose_device_without_cuda() -> None:
    assert choose_device("auto") == CPU
    assert choose_device() == CPU
    assert choose_device(" CPU ") == CPU
    with pytest.raises(ModelError, match="'cuda' was requested but no CUDA GPU is available"):
        choose_device("cuda")
    with pytest.raises(ModelError, match="no CUDA GPU"):
        load_model("MMS_FA", device="cuda:0")
    with pytest.raises(ModelError, match="Unknown device 'gpu please'"):
        choose_device("gpu please")


def test_bundle_names() -> None:
    assert list(BUNDLES) == [
        "WAV2VEC2_ASR_BASE_960H", "WAV2VEC2_ASR_LARGE_960H", "WAV2VEC2_ASR_LARGE_LV60K_960H", "MMS_FA",
    ]  # fmt: skip
    assert DEFAULT_MODEL == "WAV2VEC2_ASR_BASE_960H"
    assert resolve_bundle_name("wav2vec2_asr_large_960h") is BUNDLES["WAV2VEC2_ASR_LARGE_960H"]
    assert resolve_bundle_name("mms_fa") is BUNDLES["MMS_FA"]
    assert resolve_bundle_name("WAV2VEC2_BASE") is None
    assert BUNDLES["MMS_FA"].star and not BUNDLES[DEFAULT_MODEL].star


def test_unknown_names_list_the_valid_ones() -> None:
    with pytest.raises(ModelError) as info:
        load_model("wav2vec2_asr_base_96h", device="cpu")
    message = str(info.value)
    assert "did you mean WAV2VEC2_ASR_BASE_960H?" in message
    assert all(name in message for name in BUNDLES) and "demo, demo-letters" in message
    with pytest.raises(ModelError) as info:
        load_model("french", device="cpu")
    assert "did you mean" not in str(info.value)
    assert str(info.value).startswith("Unknown model 'french': valid names are")


def test_demo_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tiny_path: Path) -> None:
    monkeypatch.setattr(model_module, "demo_model_path", lambda: tmp_path / "absent.pt")
    with pytest.raises(
        ModelError, match=r"The demo model is not installed \(expected at .*absent\.pt\)"
    ):
        load_model("demo", device="cpu")
    monkeypatch.setattr(model_module, "demo_model_path", lambda: tiny_path)
    assert load_model("demo", device="cpu").name == "tiny"


def test_each_shipped_name_resolves_to_its_own_file_and_says_when_it_is_absent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(model_module, "resource_path", lambda name: tmp_path / name)
    for name, file in (("demo", "demo_phones.pt"), ("demo-letters", "demo_model.pt")):
        with pytest.raises(ModelError) as info:
            load_model(name, device="cpu")
        assert str(info.value) == (
            f"The {name} model is not installed (expected at {tmp_path / file}); "
            "choose another model."
        )
    make_tiny_checkpoint(tmp_path / "demo_phones.pt", DEMO_PHONE_LABELS, name="demo",
                         label_kind="phones")  # fmt: skip
    loaded = load_model("demo", device="cpu")
    assert loaded.name == "demo" and loaded.labels == DEMO_PHONE_LABELS
    with pytest.raises(ModelError, match="demo-letters model is not installed"):
        load_model("demo-letters", device="cpu")  # its own file, still absent


def test_demo_model_path_points_into_resources() -> None:
    path = model_module.demo_model_path()
    assert path.name == "demo_phones.pt" and path.parent.name == "resources"
    letters = model_module.shipped_model_path("demo-letters")
    assert letters.name == "demo_model.pt" and letters.parent.name == "resources"


# --- bundles (offline) --------------------------------------------------------------------------


def test_bundle_download_failure_explains_what_to_do(offline_torch_home: Path) -> None:
    tmp_path = offline_torch_home
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(5.0)  # a firewall that drops packets must not hang the test
    try:
        started = time.monotonic()
        with pytest.raises(ModelError) as info:
            load_model("wav2vec2_asr_base_960h", device="cpu")
        elapsed = time.monotonic() - started
    finally:
        socket.setdefaulttimeout(previous)
    url, cached = bundle_cache_location(BUNDLES[DEFAULT_MODEL])
    assert url == (
        "https://download.pytorch.org/torchaudio/models/wav2vec2_fairseq_base_ls960_asr_ls960.pth"
    )
    assert cached == tmp_path / "hub" / "checkpoints" / "wav2vec2_fairseq_base_ls960_asr_ls960.pth"
    message = str(info.value)
    assert message.startswith("Could not download the model WAV2VEC2_ASR_BASE_960H (")
    assert url in message and str(cached) in message
    assert "place it there" in message and "--model PATH" in message
    assert "Hugging Face model directory" in message
    assert not cached.exists() and list(cached.parent.iterdir()) == []  # no partial file left
    assert elapsed < 20


def test_mms_fa_cache_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    url, cached = bundle_cache_location(BUNDLES["MMS_FA"])
    assert (
        url == "https://dl.fbaipublicfiles.com/mms/torchaudio/ctc_alignment_mling_uroman/model.pt"
    )
    assert cached == tmp_path / "hub" / "checkpoints" / "model.pt"


def test_damaged_cached_bundle_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Builds the real base architecture (~1 s, ~0.5 GB) before torch.load fails on the file.
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    _, cached = bundle_cache_location(BUNDLES[DEFAULT_MODEL])
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"half a download")
    with pytest.raises(ModelError) as info:
        load_model(DEFAULT_MODEL, device="cpu")
    message = str(info.value)
    assert message.startswith(f"{cached}: the cached weights of WAV2VEC2_ASR_BASE_960H")
    assert message.endswith("delete the file so that it is downloaded again.")


def test_unwrap_torchaudio_pipeline_wrapper() -> None:
    from torchaudio.pipelines._wav2vec2.utils import _extend_model

    inner = wav2vec2_model(**tiny_config(28))
    wrapped = _extend_model(
        inner, normalize_waveform=True, apply_log_softmax=True, append_star=True
    )
    assert unwrap_torchaudio_module(wrapped) == (inner, 1e-5, True)
    plain = _extend_model(inner, normalize_waveform=False)
    assert unwrap_torchaudio_module(plain) == (inner, None, False)
    assert unwrap_torchaudio_module(inner) == (inner, None, False)


# --- Hugging Face -------------------------------------------------------------------------------

HF_VOCAB = {"<pad>": 0, "<s>": 1, "</s>": 2, "<unk>": 3, "|": 4, "E": 5, "T": 6, "A": 7, "'": 8}


def test_labels_from_hf_vocab_typical() -> None:
    shuffled = dict(reversed(list(HF_VOCAB.items())))
    labels = labels_from_hf_vocab(shuffled, pad_token_id=0)
    assert labels.labels == ("<pad>", "<s>", "</s>", "<unk>", "|", "E", "T", "A", "'")
    assert (labels.blank, labels.word_delimiter, labels.star) == (0, "|", 3)
    assert labels.delimiter_index == 4


def test_labels_from_hf_vocab_variants() -> None:
    no_extras = {"a": 1, "b": 2, "<pad>": 0}
    labels = labels_from_hf_vocab(no_extras)
    assert (labels.labels, labels.blank, labels.word_delimiter, labels.star) == (
        ("<pad>", "a", "b"), 0, None, None,
    )  # fmt: skip
    padded = labels_from_hf_vocab(HF_VOCAB, pad_token_id=0, num_outputs=11)
    assert padded.labels[-3:] == ("'", "<unused-9>", "<unused-10>") and len(padded) == 11
    custom = labels_from_hf_vocab({"_": 2, "x": 0, "y": 1}, pad_token_id=2, word_delimiter="y")
    assert (custom.blank, custom.word_delimiter) == (2, "y")


@pytest.mark.parametrize(
    ("vocab", "kwargs", "reason"),
    [
        ({}, {}, "the vocabulary is empty"),
        ({"eng": {"<pad>": 0}, "fra": {"<pad>": 0}}, {}, "holds several languages (eng, fra)"),
        ({"a": 0, "b": 0}, {"pad_token_id": 0}, "ids are not distinct"),
        ({"a": 0, "b": 5}, {"pad_token_id": 0}, "ids are not distinct and within 0..1"),
        ({"a": 0, "b": "1"}, {"pad_token_id": 0}, "ids are not all whole numbers"),
        ({"a": 0, "b": 1}, {}, "there is no <pad> token"),
        ({"a": 0, "b": 1}, {"pad_token_id": 7}, "pad token id 7 is outside"),
        (HF_VOCAB, {"num_outputs": 5}, "within 0..4"),
    ],
)
def test_labels_from_hf_vocab_errors(vocab: dict, kwargs: dict, reason: str) -> None:
    with pytest.raises(ModelError) as info:
        labels_from_hf_vocab(vocab, source="/m/vocab.json", **kwargs)
    assert str(info.value).startswith("/m/vocab.json: ")
    assert reason in str(info.value)


def _fake_hf_dir(root: Path, *, vocab_size: int = 9, features: dict | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    config = {"model_type": "wav2vec2", "pad_token_id": 0, "vocab_size": vocab_size}
    (root / "config.json").write_text(json.dumps(config), encoding="utf-8")
    (root / "vocab.json").write_text(json.dumps(HF_VOCAB), encoding="utf-8")
    if features is not None:
        (root / "preprocessor_config.json").write_text(json.dumps(features), encoding="utf-8")
    return root


def test_read_huggingface_metadata(tmp_path: Path) -> None:
    plain = _fake_hf_dir(tmp_path / "plain")
    labels, rate, eps = read_huggingface_metadata(plain)
    assert (labels.blank, labels.star, labels.word_delimiter, len(labels)) == (0, 3, "|", 9)
    assert (rate, eps) == (16000, 1e-7)  # HF feature extractor defaults
    raw = _fake_hf_dir(tmp_path / "raw", vocab_size=10,
                       features={"sampling_rate": 8000, "do_normalize": False})  # fmt: skip
    labels, rate, eps = read_huggingface_metadata(raw)
    assert (len(labels), labels.labels[-1], rate, eps) == (10, "<unused-9>", 8000, None)


def test_huggingface_directory_faults(tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    with pytest.raises(ModelError, match=r"a directory without config\.json is not a Hugging Face"):
        load_model(bare, device="cpu")
    broken = _fake_hf_dir(tmp_path / "broken")
    (broken / "vocab.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match=r"broken/vocab\.json: not readable JSON"):
        load_model(broken, device="cpu")
    novocab = _fake_hf_dir(tmp_path / "novocab")
    (novocab / "vocab.json").unlink()
    with pytest.raises(ModelError, match=r"novocab/vocab\.json: missing"):
        load_model(novocab, device="cpu")


def test_huggingface_without_transformers_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)  # as if it were not installed
    directory = _fake_hf_dir(tmp_path / "hf")
    with pytest.raises(ModelError) as info:
        load_model(directory, device="cpu")
    assert str(info.value).startswith(f"{directory}: loading Hugging Face models needs")
    assert 'pip install "aligner-gui[transformers]"' in str(info.value)


# transformers' own deprecation notices (version-dependent) are not what this test is about.
@pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")
def test_huggingface_directory_round_trip(tmp_path: Path) -> None:
    transformers = pytest.importorskip("transformers")
    config = transformers.Wav2Vec2Config(
        vocab_size=len(HF_VOCAB), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, conv_dim=(32,) * 7, num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=4, pad_token_id=0, feat_extract_norm="group",
        do_stable_layer_norm=False,
    )  # fmt: skip
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        original = transformers.Wav2Vec2ForCTC(config).eval()
    directory = tmp_path / "hf-tiny"
    original.save_pretrained(str(directory))
    (directory / "vocab.json").write_text(json.dumps(HF_VOCAB), encoding="utf-8")
    features = {"sampling_rate": 16000, "do_normalize": False}
    (directory / "preprocessor_config.json").write_text(json.dumps(features), encoding="utf-8")
    loaded = load_model(directory, device="cpu")
    assert (loaded.name, loaded.labels.star, loaded.frame_stride) == ("hf-tiny", 3, 320)
    x = _noise(2.0)
    with torch.inference_mode():
        logits = original(torch.from_numpy(x)[None]).logits[0]
    expected = torch.log_softmax(logits, dim=-1).numpy()
    np.testing.assert_allclose(compute_emissions(loaded, x), expected, atol=1e-4)
