"""A phone model without word delimiter or silence label (the built-in phone model: a frame
classifier whose blank is silence, every frame of a phone labelled with it) aligns words as the
spans of their phones, leaves pauses to no word, and its pauses are not taken for doubt."""

from __future__ import annotations

import numpy as np

from aligner_gui.core.alignment.doubt import find_doubtful_regions
from aligner_gui.core.alignment.phone_align import align_phone_emissions, separator_of
from aligner_gui.core.alignment.refine import fit_chars_to_words, refine_word_boundaries
from aligner_gui.core.base.timebase import TimeBase
from aligner_gui.core.pronunciation.dictionary import parse_dictionary
from aligner_gui.core.pronunciation.languages import get_language
from aligner_gui.core.pronunciation.lexicon import phone_transcript

from tiny_models import DEMO_PHONE_LABELS as LABELS

TB = TimeBase(16000, 320)
# ARPAbet, as CMUdict writes it: ER0 is the model's ɝ, AH0 its ə.
DICTIONARY = parse_dictionary(
    ["hello\tHH AH0 L OW1", "there\tDH EH1 R", "mother\tM AH1 DH ER0", "either\tIY1 DH ER0"]
)
PAUSE = "-"


def _frames(runs: list[tuple[str, int]], seed: int = 0) -> np.ndarray:
    """Log-probabilities of a frame classifier that clearly hears each (phone or "-", frames)."""
    ids = [LABELS.index(label) for label, n in runs for _ in range(n)]
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 0.5, size=(len(ids), len(LABELS)))
    logits[np.arange(len(ids)), ids] += 7.0
    lp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return lp.astype(np.float32)


RUNS = [
    (PAUSE, 10),
    *[("h", 3), ("ə", 3), ("l", 4), ("oʊ", 8)],
    (PAUSE, 60),  # a 1.2 s pause
    *[("ð", 3), ("ɛ", 5), ("ɹ", 4)],
    *[("m", 4), ("ʌ", 5), ("ð", 3), ("ɝ", 6)],  # no pause: the phones touch
    (PAUSE, 12),
]


def _align():
    lp = _frames(RUNS)
    tx = phone_transcript("Hello, there mother.", LABELS, get_language("eng"), DICTIONARY)
    assert tx.missing_phones == () and all(w.aligned for w in tx.words)
    duration = TB.frame_to_seconds(lp.shape[0])
    return lp, align_phone_emissions(lp, tx, LABELS, TB, duration)


def test_words_are_the_spans_of_their_phones_and_pauses_belong_to_no_word() -> None:
    assert separator_of(LABELS) == (None, False)  # nothing between words but the blank
    _, got = _align()
    assert [p.label for p in got.phones] == ["h", "ə", "l", "oʊ", "ð", "ɛ", "ɹ", "m", "ʌ", "ð", "ɝ"]
    edges = np.cumsum([0, *(n for _, n in RUNS)])
    spoken = [k for k, (label, _) in enumerate(RUNS) if label != PAUSE]
    for phone, k in zip(got.phones, spoken, strict=True):  # every frame of a phone is its own
        assert (phone.start, phone.end) == (
            TB.frame_to_seconds(int(edges[k])),
            TB.frame_to_seconds(int(edges[k + 1])),
        )
    hello, there, mother = got.words
    for word in got.words:
        inside = got.phones[word.char_start : word.char_end]
        assert (word.start, word.end) == (inside[0].start, inside[-1].end)
    assert hello.end == TB.frame_to_seconds(28) and there.start == TB.frame_to_seconds(88)
    assert there.end == mother.start  # touching words share their edge
    assert min(w.score for w in got.words) > 0.9


def test_a_pause_is_not_doubtful_and_refinement_keeps_words_off_it() -> None:
    lp, got = _align()
    audio = np.zeros(TB.frame_to_sample(lp.shape[0]) + 80, dtype=np.float32)
    rng = np.random.default_rng(1)
    for word in got.words:  # speech where the words are, silence in the pause
        a, b = TB.seconds_to_sample(word.start), TB.seconds_to_sample(word.end)
        audio[a:b] = rng.normal(0, 0.3, b - a)
    words = refine_word_boundaries(got.words, got.phones, audio, TB, "energy_edge")
    phones = fit_chars_to_words(words, got.phones)
    pause = (TB.frame_to_seconds(28), TB.frame_to_seconds(88))
    assert all(w.end <= pause[0] + 0.02 or w.start >= pause[1] - 0.02 for w in words)
    assert find_doubtful_regions(words, phones, got.path, lp, LABELS, TB) == []


def test_a_phone_held_too_long_is_called_a_phone() -> None:
    runs = [(PAUSE, 10), ("h", 3), ("ə", 3), ("l", 4), ("oʊ", 60), (PAUSE, 10)]
    runs += [("ð", 3), ("ɛ", 5), ("ɹ", 4), ("m", 4), ("ʌ", 5), ("ð", 3), ("ɝ", 6), (PAUSE, 5)]
    lp = _frames(runs)
    tx = phone_transcript("hello there mother", LABELS, get_language("eng"), DICTIONARY)
    got = align_phone_emissions(lp, tx, LABELS, TB, TB.frame_to_seconds(lp.shape[0]))
    (region,) = find_doubtful_regions(got.words, got.phones, got.path, lp, LABELS, TB)
    assert region.kind == "long-word" and region.words == (0, 1)
    assert region.message.startswith(
        "The phone \u2018oʊ\u2019 of the word \u2018hello\u2019 is held"
    )
