"""A phone model's alignment: the dictionary's variants and optional silences chosen on
emissions where the spoken ones are known; phones nested in words; the linear fast path when
there is nothing to choose."""

from __future__ import annotations

import numpy as np
import pytest

from aligner_gui.core.alignment.phone_align import align_phone_emissions, separator_of
from aligner_gui.core.alignment.windowed_variants import windowed_graph_align
from aligner_gui.core.base.labels import LabelSet
from aligner_gui.core.base.timebase import TimeBase
from aligner_gui.core.pronunciation.dictionary import parse_dictionary
from aligner_gui.core.pronunciation.languages import get_language
from aligner_gui.core.pronunciation.lexicon import phone_transcript

LABELS = LabelSet(
    ("<pad>", "sil", "h", "aɪ", "i", "ð", "ɚ", "t", "ə", "m", "eɪ", "oʊ", "ɑ", "s"), blank=0
)
TB = TimeBase(16000, 320)
DICTIONARY = parse_dictionary(
    [
        "either\ti ð ɚ",
        "either\taɪ ð ɚ",
        "tomato\tt ə m eɪ t oʊ",
        "tomato\tt ə m ɑ t oʊ",
        "hi\th aɪ",
    ]
)


def _spoken(phones: list[str], seed: int = 0) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Log-probabilities that clearly hear ``phones`` (3 frames each, one blank between) and the
    [start, end) frames of each."""
    rng = np.random.default_rng(seed)
    frames = [0] * 4
    spans = []
    for phone in phones:
        start = len(frames)
        frames += [LABELS.index(phone)] * 3
        spans.append((start, start + 3))
        frames.append(0)
    frames += [0] * 4
    logits = rng.normal(0, 0.5, size=(len(frames), len(LABELS)))
    logits[np.arange(len(frames)), frames] += 6.0
    logits -= logits.max(axis=1, keepdims=True)
    lp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return lp.astype(np.float32), spans


def _align(text: str, spoken: list[str]):
    lp, spans = _spoken(spoken)
    tx = phone_transcript(text, LABELS, get_language("eng"), DICTIONARY)
    duration = TB.frame_to_seconds(lp.shape[0])
    return align_phone_emissions(lp, tx, LABELS, TB, duration), spans


def test_the_spoken_variants_are_chosen_and_said() -> None:
    assert separator_of(LABELS) == (1, True)  # "sil", optional
    got, spans = _align("either tomato", ["aɪ", "ð", "ɚ", "sil", "t", "ə", "m", "ɑ", "t", "oʊ"])
    assert got.variants == (1, 1)
    assert [p.label for p in got.phones] == ["aɪ", "ð", "ɚ", "t", "ə", "m", "ɑ", "t", "oʊ"]
    assert [p.word_index for p in got.phones] == [0, 0, 0, 1, 1, 1, 1, 1, 1]
    # The silence is a token of the path but no phone of any word.
    assert got.tokenized.tokens.count(LABELS.index("sil")) == 1
    assert [w.label for w in got.words] == ["either", "tomato"]
    assert got.words[0].end <= got.words[1].start
    phone_spans = [s for k, s in enumerate(spans) if k != 3]
    for phone, (start, end) in zip(got.phones, phone_spans, strict=True):
        assert (phone.start, phone.end) == (TB.frame_to_seconds(start), TB.frame_to_seconds(end))
    (note,) = got.notes
    assert "\u201ceither\u201d as aɪ ð ɚ (variant 2 of 2)" in note
    assert "\u201ctomato\u201d as t ə m ɑ t oʊ (variant 2 of 2)" in note


def test_the_other_variants_without_a_pause() -> None:
    got, _ = _align("either tomato", ["i", "ð", "ɚ", "t", "ə", "m", "eɪ", "t", "oʊ"])
    assert got.variants == (0, 0)
    assert LABELS.index("sil") not in got.tokenized.tokens


def test_words_without_variants_take_the_linear_path() -> None:
    labels = LabelSet(tuple(lab for lab in LABELS.labels if lab != "sil"), blank=0)
    assert separator_of(labels) == (None, False)
    lp, _ = _spoken(["h", "aɪ", "h", "aɪ"])
    lp = np.delete(lp, 1, axis=1)  # no silence label in this model
    tx = phone_transcript("hi hi", labels, get_language("eng"), DICTIONARY)
    got = align_phone_emissions(lp, tx, labels, TB, TB.frame_to_seconds(lp.shape[0]))
    assert got.variants == (0, 0)
    assert [p.label for p in got.phones] == ["h", "aɪ", "h", "aɪ"]
    assert got.notes == ()


def test_a_word_without_usable_pronunciation_is_interpolated_between_its_neighbours() -> None:
    dictionary = parse_dictionary(["hi\th aɪ", "uh-oh\tʌ ʔ oʊ"])  # no ʔ in the model
    lp, _ = _spoken(["h", "aɪ", "sil", "h", "aɪ"])
    tx = phone_transcript("hi uh-oh hi", LABELS, get_language("eng"), dictionary)
    got = align_phone_emissions(lp, tx, LABELS, TB, TB.frame_to_seconds(lp.shape[0]))
    assert got.variants == (0, -1, 0)
    first, middle, last = got.words
    assert not middle.aligned and first.end <= middle.start < middle.end <= last.start
    assert [p.word_index for p in got.phones] == [0, 0, 2, 2]
    assert any("\u201cuh-oh\u201d" in w for w in got.tokenized.warnings)


def test_dictionary_probabilities_weigh_the_choice() -> None:
    lp, _ = _spoken(["i", "ð", "ɚ"])
    even = parse_dictionary(["either\t1.0\ti ð ɚ", "either\t1.0\taɪ ð ɚ"])
    # An (absurdly) improbable first variant loses although the audio says it.
    skewed = parse_dictionary(["either\t1e-90\ti ð ɚ", "either\t1.0\taɪ ð ɚ"])
    duration = TB.frame_to_seconds(lp.shape[0])
    chosen = []
    for dictionary in (even, skewed):
        tx = phone_transcript("either", LABELS, get_language("eng"), dictionary)
        chosen.append(align_phone_emissions(lp, tx, LABELS, TB, duration).variants)
    assert chosen == [(0,), (1,)]
    tx = phone_transcript("either", LABELS, get_language("eng"), skewed)
    assert tx.words[0].priors == (pytest.approx(-90 * np.log(10)), 0.0)


def test_past_the_graph_cap_the_variants_are_still_chosen_in_windows(monkeypatch) -> None:
    import aligner_gui.core.alignment.phone_align as phone_align

    calls = []
    monkeypatch.setattr(phone_align, "MAX_GRAPH_CELLS", 10)
    monkeypatch.setattr(
        phone_align, "windowed_graph_align",
        lambda *a, **k: calls.append(k) or windowed_graph_align(*a, **k),
    )  # fmt: skip
    got, _ = _align("either tomato", ["aɪ", "ð", "ɚ", "sil", "t", "ə", "m", "ɑ", "t", "oʊ"])
    assert len(calls) == 1  # the windowed search ran, not the single one
    assert got.variants == (1, 1)
    assert [p.label for p in got.phones][:3] == ["aɪ", "ð", "ɚ"]
    assert not any("too long" in n for n in got.notes)


def test_the_variant_note_names_each_word_and_form_once_most_frequent_first_and_is_bounded() -> (
    None
):
    from aligner_gui.core.alignment.phone_align import variant_note
    from aligner_gui.core.pronunciation.lexicon import PhoneWord

    def word(text: str) -> PhoneWord:
        return PhoneWord(text, ((1,), (2,)), (("a",), ("b",)), "g2p", (0.0, 0.0))

    words = [word(f"w{i % 20}") for i in range(100)] + [
        word("rare"),
        PhoneWord("one", ((3,),), (("c",),), "g2p"),
    ]
    chosen = [i % 2 for i in range(100)] + [1, 0]
    note = variant_note(words, chosen)
    assert note.startswith(
        "Pronunciations chosen by the aligner: \u201cw0\u201d as a (variant 1 of 2) \u00d75;"
    )
    assert note.count("(variant") == 12  # bounded however long the recording
    assert note.endswith("; and 9 more words and forms.")  # 20 + "rare" = 21 word forms
    assert "\u201cone\u201d" not in note  # one pronunciation: nothing was chosen
    assert (
        variant_note([word("x")], [1])
        == "Pronunciations chosen by the aligner: \u201cx\u201d as b (variant 2 of 2)."
    )
    assert variant_note([], []) == ""
