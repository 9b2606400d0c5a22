"""Words pronounced by G2P travel with the document: JSON output and recovery files keep them
(and the language), files written before they existed still read, and they can be written as
dictionary lines that a pronunciation dictionary reads back."""

from __future__ import annotations

import json
from pathlib import Path

from aligner_gui.core.document.autosave import (
    DocumentPaths,
    read_recovery,
    take_snapshot,
    write_snapshot,
)
from aligner_gui.core.document.document import AlignmentDocument, Segment, Tier, partition
from aligner_gui.core.document.provenance import GuessedPronunciation, Provenance
from aligner_gui.core.export.document_json import document_to_json, read_document_json
from aligner_gui.core.pronunciation.dictionary import dictionary_lines, parse_dictionary

GUESSED = (
    GuessedPronunciation("Zyxel,", ("z", "aɪ", "k", "s", "ɛ", "l")),
    GuessedPronunciation("church", ("tʃ", "ɝ", "tʃ")),
)


def document() -> AlignmentDocument:
    words = partition([Segment(0.1, 0.6, "Zyxel,"), Segment(0.7, 1.2, "church")], 2.0)
    phones = partition(
        [Segment(0.1, 0.3, "z"), Segment(0.3, 0.6, "aɪ"), Segment(0.7, 0.9, "tʃ"),
         Segment(0.9, 1.0, "ɝ"), Segment(1.0, 1.2, "tʃ")],
        2.0,
    )  # fmt: skip
    provenance = Provenance(model="phones.pt", language="eng", guessed=GUESSED)
    tiers = [Tier("words", words), Tier("phones", phones, parent="words")]
    return AlignmentDocument(tiers, 2.0, provenance=provenance)


def test_json_output_keeps_the_g2p_words_and_language(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    path.write_text(document_to_json(document()), encoding="utf-8")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["language"] == "eng"
    assert data["g2p_words"][1] == {"word": "church", "phones": ["tʃ", "ɝ", "tʃ"]}
    back = read_document_json(path)
    assert back.provenance.guessed == GUESSED and back.provenance.language == "eng"


def test_json_written_before_g2p_words_still_reads(tmp_path: Path) -> None:
    data = json.loads(document_to_json(document()))
    del data["g2p_words"], data["language"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    back = read_document_json(path)
    assert back.provenance.guessed == () and back.provenance.language is None
    assert back.tier("phones").parent == "words"


def test_recovery_files_keep_them_and_older_ones_still_read(tmp_path: Path) -> None:
    snap = take_snapshot(document(), "doc", DocumentPaths(None, None, None), edits=1,
                         modified=True)  # fmt: skip
    path = write_snapshot(tmp_path, snap)
    restored = read_recovery(path).to_document()
    assert restored.provenance.guessed == GUESSED and restored.provenance.language == "eng"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["provenance"]["g2p_words"], data["provenance"]["language"]
    path.write_text(json.dumps(data), encoding="utf-8")
    older = read_recovery(path).to_document()
    assert older.provenance.guessed == () and older.provenance.language is None


def test_dictionary_lines_read_back_as_the_same_pronunciations() -> None:
    text = dictionary_lines((g.word, g.phones) for g in GUESSED)
    assert text == "zyxel\tz aɪ k s ɛ l\nchurch\ttʃ ɝ tʃ\n"
    dictionary = parse_dictionary(text.splitlines())
    for guess in GUESSED:
        assert [v.phones for v in dictionary.lookup(guess.word)] == [guess.phones]


def test_a_g2p_word_aligned_in_two_forms_is_listed_with_both_each_once() -> None:
    """A function word G2P pronounced takes its citation form in one place and its weak form in
    another: the guesses (and the dictionary lines made from them) carry both."""
    from types import SimpleNamespace

    from aligner_gui.core.document.provenance import guessed_pronunciations

    labels = ["the", "cat", "the", "dog", "the"]
    forms = [["ð", "ə"], ["k", "æ", "t"], ["ð", "i"], ["d", "ɑ", "ɡ"], ["ð", "ə"]]
    result = SimpleNamespace(
        words=[SimpleNamespace(label=w) for w in labels],
        phones=[SimpleNamespace(label=p, word_index=i) for i, f in enumerate(forms) for p in f],
        g2p_words=("the", "cat", "the", "dog", "the"),
    )
    got = guessed_pronunciations(result)  # type: ignore[arg-type]
    assert got == (
        GuessedPronunciation("the", ("ð", "ə")),
        GuessedPronunciation("the", ("ð", "i")),
        GuessedPronunciation("cat", ("k", "æ", "t")),
        GuessedPronunciation("dog", ("d", "ɑ", "ɡ")),
    )
    listed = parse_dictionary(dictionary_lines((g.word, g.phones) for g in got).splitlines())
    assert [v.phones for v in listed.lookup("the")] == [("ð", "ə"), ("ð", "i")]
