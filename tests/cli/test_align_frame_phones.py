"""`aligner-gui align` with a model of the built-in phone model's labels (blank, then 40 IPA
phones; no word delimiter, no silence label) writes words and phones tiers, each word the span
of its phones; JSON names each phone's word. ARPAbet dictionaries and espeak-ng's English both
map into its inventory without a word left to interpolation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aligner_gui.cli import main
from aligner_gui.core.io.textgrid import IntervalTier, read_textgrid
from aligner_gui.core.models import model as model_module
from aligner_gui.core.models.checkpoint import read_checkpoint
from aligner_gui.core.pronunciation.g2p import espeak_available

from sample_pronunciations import SAMPLE_CMUDICT
from tiny_models import DEMO_PHONE_LABELS, make_tiny_checkpoint

REPO = Path(__file__).resolve().parents[2]
SAMPLE_WAV = REPO / "resources" / "sample.wav"
SAMPLE_TXT = REPO / "resources" / "sample.txt"
WORDS = SAMPLE_TXT.read_text(encoding="utf-8").split()


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "phones.pt"
    return make_tiny_checkpoint(path, DEMO_PHONE_LABELS, label_kind="phones")


def _align(model: Path, out: Path, *extra: str) -> int:
    args = ["align", str(SAMPLE_WAV), str(SAMPLE_TXT), "-o", str(out), "--model", str(model)]
    return main([*args, *extra])


def _with_dictionary(out: Path) -> list[str]:
    dictionary = out.parent / "cmudict.dict"
    dictionary.write_text(SAMPLE_CMUDICT, encoding="utf-8")
    return ["--dictionary", str(dictionary), "--language", "eng"]


def test_the_checkpoint_says_its_labels_are_phones(model: Path) -> None:
    checkpoint = read_checkpoint(model)
    assert checkpoint["label_kind"] == "phones" and checkpoint["word_delimiter"] is None


def test_words_are_the_spans_of_their_phones(model: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out.TextGrid"
    assert _align(model, out, *_with_dictionary(out)) == 0
    err = capsys.readouterr().err
    assert "interpolation" not in err and "does not have" not in err
    grid = read_textgrid(out)
    assert [tier.name for tier in grid.tiers][:2] == ["words", "phones"]
    assert "chars" not in [tier.name for tier in grid.tiers]
    words, phones = grid.tiers[0], grid.tiers[1]
    assert isinstance(words, IntervalTier) and isinstance(phones, IntervalTier)
    spoken = [iv for iv in words.intervals if iv.label]
    assert [iv.label for iv in spoken] == WORDS
    labelled = [iv for iv in phones.intervals if iv.label]
    assert {iv.label for iv in labelled} <= set(DEMO_PHONE_LABELS.labels[1:])
    for word in spoken:
        inside = [iv for iv in labelled if word.start <= iv.start < word.end]
        assert inside and inside[0].start == word.start and inside[-1].end == word.end
        assert all(iv.end <= word.end for iv in inside)
    # The gaps between words (pauses) have no phone.
    for gap in (iv for iv in words.intervals if not iv.label):
        assert not [iv for iv in labelled if gap.start <= iv.start < gap.end]
    north = next(w for w in spoken if w.label == "North")
    assert [iv.label for iv in labelled if north.start <= iv.start < north.end] == [
        "n", "ɔ", "ɹ", "θ"
    ]  # fmt: skip
    stronger = next(w for w in spoken if w.label == "stronger,")
    assert [iv.label for iv in labelled if stronger.start <= iv.start < stronger.end][-1] == "ɝ"


def test_json_gives_each_phone_its_word(model: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert _align(model, out, *_with_dictionary(out), "-q") == 0
    tiers = {t["name"]: t for t in json.loads(out.read_text(encoding="utf-8"))["tiers"]}
    words, phones = tiers["words"]["items"], tiers["phones"]["items"]
    assert tiers["phones"]["parent"] == "words"
    labelled = [p for p in phones if p["label"]]
    assert [words[p["parent_item"]]["label"] for p in labelled][:4] == [
        "The",
        "The",
        "North",
        "North",
    ]
    for p in labelled:
        word = words[p["parent_item"]]
        assert word["label"] and word["start"] <= p["start"] and p["end"] <= word["end"]
    assert all("parent_item" not in w for w in words)


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")
def test_without_a_dictionary_espeak_pronounces_every_word_in_the_inventory(
    model: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "out.TextGrid"
    assert _align(model, out) == 0
    err = capsys.readouterr().err
    assert "pronounced by espeak-ng" in err
    assert "interpolation" not in err and "does not have" not in err
    grid = read_textgrid(out)
    assert [iv.label for iv in grid.tiers[0].intervals if iv.label] == WORDS
    assert grid.tiers[1].name == "phones"


def test_model_demo_is_the_shipped_phone_model(
    model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    resources = tmp_path / "resources"
    resources.mkdir()
    monkeypatch.setattr(model_module, "resource_path", lambda name: resources / name)
    out = tmp_path / "out.TextGrid"
    assert _align_named("demo", out) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        f"aligner-gui align: error: The demo model is not installed (expected at "
        f"{resources / 'demo_phones.pt'}); choose another model."
    )
    assert not out.exists()
    shutil.copy(model, resources / "demo_phones.pt")
    assert _align_named("demo", out, *_with_dictionary(out)) == 0
    assert [tier.name for tier in read_textgrid(out).tiers][:2] == ["words", "phones"]


def _align_named(name: str, out: Path, *extra: str) -> int:
    args = ["align", str(SAMPLE_WAV), str(SAMPLE_TXT), "-o", str(out), "--model", name, "-q"]
    return main([*args, *extra])
