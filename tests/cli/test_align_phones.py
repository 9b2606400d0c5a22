"""`aligner-gui align --dictionary D` with a phone model writes words and phones tiers (MFA's
names and order), phones nested in words, which read back; a letter model makes no phones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aligner_gui.cli import main
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS, MMS_FA_LABELS
from aligner_gui.core.export.outputs import read_document
from aligner_gui.core.io.textgrid import IntervalTier, read_textgrid
from aligner_gui.core.pronunciation.dictionary import read_dictionary
from aligner_gui.core.pronunciation.g2p import espeak_available
from aligner_gui.core.pronunciation.phone_sets import PhoneInventory, is_phone_model

from sample_pronunciations import IPA_PHONES
from tiny_models import make_tiny_checkpoint

REPO = Path(__file__).resolve().parents[2]
SAMPLE_WAV = REPO / "resources" / "sample.wav"
SAMPLE_TXT = REPO / "resources" / "sample.txt"
PHONES = IPA_PHONES
# CMUdict-style ARPAbet, with variants, for every word of the sample.
DICTIONARY = """\
;;; the sample's words
the\tDH AH0
the\tDH IY0
north\tN AO1 R TH
wind\tW IH1 N D
wind\tW AY1 N D
and\tAE1 N D
and\tAH0 N D
sun\tS AH1 N
were\tW ER1
disputing\tD IH0 S P Y UW1 T IH0 NG
which\tW IH1 CH
was\tW AA1 Z
was\tW AH0 Z
stronger\tS T R AO1 NG G ER0
when\tW EH1 N
a\tAH0
a\tEY1
traveller\tT R AE1 V AH0 L ER0
came\tK EY1 M
along\tAH0 L AO1 NG
wrapped\tR AE1 P T
in\tIH0 N
warm\tW AO1 R M
cloak\tK L OW1 K
"""


@pytest.fixture(scope="module")
def phone_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert is_phone_model(PHONES.labels)
    return make_tiny_checkpoint(tmp_path_factory.mktemp("model") / "phones.pt", PHONES)


def _align(model: Path, out: Path, dictionary: str, *extra: str) -> int:
    dict_path = out.parent / "english.dict"
    dict_path.write_text(dictionary, encoding="utf-8")
    args = ["align", str(SAMPLE_WAV), str(SAMPLE_TXT), "-o", str(out), "--model", str(model)]
    return main([*args, "--dictionary", str(dict_path), "--language", "eng", *extra])


def test_phone_model_writes_words_and_phones_nested(phone_model: Path, tmp_path: Path, capsys):
    out = tmp_path / "out.TextGrid"
    assert _align(phone_model, out, DICTIONARY) == 0
    grid = read_textgrid(out)
    names = [tier.name for tier in grid.tiers]
    assert names[:2] == ["words", "phones"] and "chars" not in names
    words, phones = grid.tiers[0], grid.tiers[1]
    assert isinstance(words, IntervalTier) and isinstance(phones, IntervalTier)
    spoken = [iv for iv in words.intervals if iv.label]
    assert [iv.label for iv in spoken] == SAMPLE_TXT.read_text(encoding="utf-8").split()
    dictionary = read_dictionary(tmp_path / "english.dict")
    inventory = PhoneInventory(PHONES.labels)
    for word in spoken:
        inside = [
            iv.label for iv in phones.intervals if iv.label and word.start <= iv.start < word.end
        ]
        assert all(
            word.start <= iv.start and iv.end <= word.end
            for iv in phones.intervals
            if iv.label and word.start <= iv.start < word.end
        )
        variants = [inventory.map_phones(v.phones).labels for v in dictionary.lookup(word.label)]
        assert tuple(inside) in variants, (word.label, inside, variants)
    # Every labelled phone lies inside a labelled word.
    for iv in phones.intervals:
        if iv.label:
            assert any(w.start <= iv.start and iv.end <= w.end for w in spoken), iv
    assert "tʃ" in [iv.label for iv in phones.intervals]  # "which": a two-character phone
    err = capsys.readouterr().err
    assert "note: Pronunciations chosen by the aligner:" in err
    # Read back as a document: phones are the words' children.
    doc = read_document(out)
    assert doc.tier("phones").parent == "words"
    assert not doc.problems()


def test_json_carries_phones_with_their_parent(phone_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert _align(phone_model, out, DICTIONARY, "-q") == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    tiers = {tier["name"]: tier for tier in data["tiers"]}
    assert tiers["phones"]["parent"] == "words"
    assert "chars" not in tiers
    labelled = [i["label"] for i in tiers["phones"]["items"] if i["label"]]
    assert labelled[0] == "ð" and labelled[1] in ("ə", "i")  # "The": either variant


def test_a_latin_letter_model_aligns_romanised_russian(tmp_path: Path, capsys) -> None:
    model = make_tiny_checkpoint(tmp_path / "mms.pt", MMS_FA_LABELS)
    text = tmp_path / "ru.txt"
    text.write_text("Северный ветер и Солнце спорили, кто из них сильнее, в 1984 году.\n", "utf-8")
    out = tmp_path / "ru.TextGrid"
    args = ["align", str(SAMPLE_WAV), str(text), "-o", str(out), "--model", str(model)]
    assert main([*args, "--language", "rus"]) == 0
    grid = read_textgrid(out)
    words = [iv.label for iv in grid.tiers[0].intervals if iv.label]
    assert words == text.read_text(encoding="utf-8").split()  # the original spelling
    chars = "".join(iv.label for iv in grid.tiers[1].intervals)
    assert chars.startswith("severnyy") and "*" not in chars  # romanised, never starred
    err = capsys.readouterr().err
    assert "romanised" in err and "\u201c1984\u201d" in err


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")
def test_words_missing_from_the_dictionary_are_pronounced_and_listed(
    phone_model: Path, tmp_path: Path, capsys
) -> None:
    partial = "\n".join(line for line in DICTIONARY.splitlines() if not line.startswith("cloak"))
    out = tmp_path / "out.TextGrid"
    assert _align(phone_model, out, partial) == 0
    err = capsys.readouterr().err
    assert "pronounced by espeak-ng (English)" in err and "\u201ccloak.\u201d" in err
    grid = read_textgrid(out)
    last_word = [iv for iv in grid.tiers[0].intervals if iv.label][-1]
    inside = [
        iv.label
        for iv in grid.tiers[1].intervals
        if iv.label and last_word.start <= iv.start < last_word.end
    ]
    assert inside == ["k", "l", "oʊ", "k"]


def test_a_letter_model_gives_no_phones_and_says_so(tmp_path: Path, capsys) -> None:
    model = make_tiny_checkpoint(tmp_path / "letters.pt", ENGLISH_ASR_LABELS)
    out = tmp_path / "out.TextGrid"
    assert _align(model, out, DICTIONARY) == 0
    names = [tier.name for tier in read_textgrid(out).tiers]
    assert names[:2] == ["words", "chars"] and "phones" not in names
    err = capsys.readouterr().err
    assert "aligns letters, not phones" in err


def test_a_bad_dictionary_or_language_is_one_line_and_writes_nothing(
    phone_model: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "out.TextGrid"
    assert _align(phone_model, out, "the\tDH AH0\nbroken\n") == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "line 2:" in err and "Traceback" not in err
    assert _align(phone_model, out, DICTIONARY, "--language", "xx") == 1
    assert "Unknown language code" in capsys.readouterr().err
    assert not out.exists()
