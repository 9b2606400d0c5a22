"""`aligner-gui align CORPUS --dictionary D --language L`: every file of the corpus is aligned
with the dictionary's phones; changing the dictionary realigns the corpus; a bad code or
dictionary is one line before any work; the words G2P pronounced are written as a dictionary to
review and feed back."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

from aligner_gui.cli import main
from aligner_gui.core.corpus.g2p_words import G2P_DICTIONARY_NAME
from aligner_gui.core.io.textgrid import IntervalTier, read_textgrid
from aligner_gui.core.pronunciation.dictionary import read_dictionary
from aligner_gui.core.pronunciation.g2p import espeak_available

from sample_pronunciations import IPA_PHONES, SAMPLE_CMUDICT
from tiny_models import make_tiny_checkpoint

REPO = Path(__file__).resolve().parents[2]
PHONES = IPA_PHONES
DICTIONARY = SAMPLE_CMUDICT  # one pronunciation a word, so the phones written are its own


LEFT_OUT = ("warm", "cloak")
needs_espeak = pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")


@pytest.fixture(scope="module")
def phone_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_checkpoint(tmp_path_factory.mktemp("model") / "phones.pt", PHONES)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for speaker in ("anna", "ben"):
        (root / speaker).mkdir(parents=True)
        shutil.copy(REPO / "resources" / "sample.wav", root / speaker / f"{speaker}1.wav")
        shutil.copy(REPO / "resources" / "sample.txt", root / speaker / f"{speaker}1.txt")
    return root


def _align(corpus: Path, out: Path, model: Path, *extra: str) -> int:
    args = ["align", str(corpus), "-o", str(out), "--model", str(model), "--jobs", "1", "-q"]
    return main([*args, *extra])


def _phones_of(grid_path: Path, word: str) -> list[str]:
    grid = read_textgrid(grid_path)
    words, phones = grid.tiers[0], grid.tiers[1]
    assert isinstance(words, IntervalTier) and isinstance(phones, IntervalTier)
    (spoken,) = [iv for iv in words.intervals if iv.label == word]
    return [
        iv.label
        for iv in phones.intervals
        if iv.label and spoken.start <= iv.start and iv.end <= spoken.end
    ]


def _report(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "alignment_report.csv", encoding="utf-8", newline="") as f:
        return {row["file"]: row for row in csv.DictReader(f)}


def test_every_file_is_aligned_with_the_dictionary_and_a_new_one_realigns(
    corpus: Path, phone_model: Path, tmp_path: Path
) -> None:
    dictionary = tmp_path / "english.dict"
    dictionary.write_text(DICTIONARY, encoding="utf-8")
    out = tmp_path / "out"
    assert (
        _align(corpus, out, phone_model, "--dictionary", str(dictionary), "--language", "eng") == 0
    )
    for speaker in ("anna", "ben"):
        grid = out / speaker / f"{speaker}1.TextGrid"
        assert [t.name for t in read_textgrid(grid).tiers][:2] == ["words", "phones"]
        assert _phones_of(grid, "North") == ["n", "ɔ", "ɹ", "θ"]
        assert _phones_of(grid, "which") == ["w", "ɪ", "tʃ"]
    report = _report(out)
    assert {row["status"] for row in report.values()} == {"aligned"}
    # Every word came from the dictionary: no word was left to espeak-ng.
    assert not any("espeak-ng" in row["message"] for row in report.values())
    before = (out / "anna" / "anna1.TextGrid").stat().st_mtime_ns

    # The same settings: nothing to do.
    assert (
        _align(corpus, out, phone_model, "--dictionary", str(dictionary), "--language", "eng") == 0
    )
    assert (out / "anna" / "anna1.TextGrid").stat().st_mtime_ns == before

    # A changed dictionary is other settings: every file is aligned again, with its phones.
    dictionary.write_text(DICTIONARY.replace("N AO1 R TH", "N AA1 R TH"), encoding="utf-8")
    stat = dictionary.stat()
    os.utime(dictionary, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert (
        _align(corpus, out, phone_model, "--dictionary", str(dictionary), "--language", "eng") == 0
    )
    assert _phones_of(out / "anna" / "anna1.TextGrid", "North") == ["n", "ɑ", "ɹ", "θ"]
    assert _phones_of(out / "ben" / "ben1.TextGrid", "North") == ["n", "ɑ", "ɹ", "θ"]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--language", "xx", "Unknown language code 'xx'"),
        ("--dictionary", "missing.dict", "does not exist"),
    ],
)
def test_a_bad_language_or_dictionary_is_one_line_before_any_work(
    corpus: Path, phone_model: Path, tmp_path: Path, capsys, option: str, value: str, message: str
) -> None:
    if option == "--dictionary":
        value = str(tmp_path / value)
    out = tmp_path / "out"
    assert _align(corpus, out, phone_model, option, value) != 0
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not out.exists()


@needs_espeak
def test_words_g2p_pronounced_are_listed_as_a_dictionary_to_review_and_feed_back(
    corpus: Path, phone_model: Path, tmp_path: Path, capsys
) -> None:
    lacking = "".join(
        line + "\n" for line in DICTIONARY.splitlines() if line.split("\t")[0] not in LEFT_OUT
    )
    dictionary = tmp_path / "english.dict"
    dictionary.write_text(lacking, encoding="utf-8")
    out = tmp_path / "out"
    assert _align(corpus, out, phone_model, "--dictionary", str(dictionary)) == 0
    guessed_file = out / G2P_DICTIONARY_NAME
    assert f"2 words pronounced by G2P: {G2P_DICTIONARY_NAME}" in capsys.readouterr().err
    text = guessed_file.read_text(encoding="utf-8")
    assert text.count(";;; said 2 times in 2 files\n") == 2  # each said once in each file
    guessed = read_dictionary(guessed_file)
    assert set(guessed.entries) == set(LEFT_OUT)
    phones = {w: [v.phones for v in guessed.lookup(w)] for w in LEFT_OUT}
    # The lines are the phones the words were aligned with, in the model's labels.
    assert phones["cloak"] == [tuple(_phones_of(out / "anna" / "anna1.TextGrid", "cloak."))]
    assert all(p in PHONES.labels for forms in phones.values() for form in forms for p in form)

    # Fed back: the words come from the dictionary now, and the list is gone.
    with dictionary.open("a", encoding="utf-8") as f:
        f.write(text)
    assert _align(corpus, out, phone_model, "--dictionary", str(dictionary)) == 0
    assert not guessed_file.exists()
    assert "pronounced by G2P" not in capsys.readouterr().err
    assert [tuple(_phones_of(out / "ben" / "ben1.TextGrid", "cloak."))] == phones["cloak"]
