"""Training targets in the transcript's pronunciation at the engine's times (demo.canonical)."""

from __future__ import annotations

import numpy as np
import pytest

from aligner_gui.core.pronunciation.g2p import espeak_available
from aligner_gui.demo import canonical, train_voices
from aligner_gui.demo.train_voices import PHONE_LABELS

ids = PHONE_LABELS.index


def spans(*rows: tuple[float, float, str]) -> np.ndarray:
    return np.asarray([(a, b, ids(p)) for a, b, p in rows], dtype=np.float64)


def labels(table: np.ndarray) -> list[str]:
    return [PHONE_LABELS.labels[int(x)] for x in table[:, 2]]


def test_an_accent_vowel_takes_the_expected_vowel_at_its_own_time() -> None:
    # "work" said with an open vowel and an r: w ɛ ɹ k, expected w ɝ k.
    engine = spans((0.0, 0.05, "w"), (0.05, 0.15, "ɛ"), (0.15, 0.2, "ɹ"), (0.2, 0.3, "k"))
    out = canonical.expected_spans(engine, [ids("w"), ids("ɝ"), ids("k")], PHONE_LABELS)
    assert labels(out) == ["w", "ɝ", "k"]
    # The extra r goes to the vowel before it; the times stay the engine's.
    np.testing.assert_allclose(out[:, :2], [[0.0, 0.05], [0.05, 0.2], [0.2, 0.3]])


def test_an_expected_phone_the_voice_drops_shares_its_neighbours_time() -> None:
    engine = spans((0.0, 0.1, "æ"), (0.1, 0.2, "n"))  # "and" said without its d
    out = canonical.expected_spans(engine, [ids("æ"), ids("n"), ids("d")], PHONE_LABELS)
    assert labels(out) == ["æ", "n", "d"]
    np.testing.assert_allclose(out[:, :2], [[0.0, 0.1], [0.1, 0.15], [0.15, 0.2]])
    first = canonical.expected_spans(spans((0.0, 0.2, "v")), [ids("ʌ"), ids("v")], PHONE_LABELS)
    np.testing.assert_allclose(first[:, :2], [[0.0, 0.1], [0.1, 0.2]])  # "of" as a bare v


def test_extra_engine_phones_before_any_match_join_the_first_expected_phone() -> None:
    engine = spans((0.0, 0.05, "h"), (0.05, 0.1, "ɪ"), (0.1, 0.2, "t"))  # "it" with an h
    out = canonical.expected_spans(engine, [ids("ɪ"), ids("t")], PHONE_LABELS)
    assert labels(out) == ["ɪ", "t"]
    np.testing.assert_allclose(out[:, :2], [[0.0, 0.1], [0.1, 0.2]])


@pytest.mark.parametrize(
    ("engine", "expected"),
    [("w ɛ ɹ k", "w ɝ k"), ("ð ə", "ð ə"), ("ə", "eɪ"), ("t ə", "t u"), ("s ɑ p l n ə s", "s ʌ p ə l n ə s"),
     ("ɹ", "ɑ ɹ"), ("m ɪ n ə f l ɑ p i z", "m ɪ n ɪ f l ɑ p ɪ z")],
)  # fmt: skip
def test_every_expected_phone_gets_time_in_order_and_the_word_keeps_its_span(
    engine: str, expected: str
) -> None:
    phones = engine.split()
    times = np.linspace(0.3, 0.3 + 0.07 * len(phones), len(phones) + 1)
    table = spans(*((times[i], times[i + 1], p) for i, p in enumerate(phones)))
    out = canonical.expected_spans(table, [ids(p) for p in expected.split()], PHONE_LABELS)
    assert labels(out) == expected.split()
    assert np.all(out[:, 1] > out[:, 0])  # no empty phone
    np.testing.assert_allclose(out[1:, 0], out[:-1, 1])  # back to back, in order
    assert (out[0, 0], out[-1, 1]) == pytest.approx((times[0], times[-1]))


def test_a_word_without_an_expected_pronunciation_keeps_the_engines_phones() -> None:
    engine = spans((0.0, 0.1, "ɑ"), (0.1, 0.2, "v"))
    assert canonical.expected_spans(engine, (), PHONE_LABELS) is engine


@pytest.mark.skipif(not espeak_available(), reason="needs espeak-ng")
def test_the_set_is_taught_what_the_app_would_align() -> None:
    from aligner_gui.core.pronunciation.languages import get_language
    from aligner_gui.core.pronunciation.lexicon import phone_transcript

    words = ["Work", "of", "the", "doesn't"]
    app = phone_transcript(" ".join(words), PHONE_LABELS, get_language("eng"))
    table = canonical.expected_phones(words, PHONE_LABELS)
    assert [table[w] for w in words] == [w.variants[0] for w in app.words]

    engine = [["w", "ɛ", "ɹ", "k"], ["ɑ", "v"], ["ð", "i"], ["d", "ʌ", "z", "n", "t"]]
    flat = [p for word in engine for p in word]
    times = np.arange(len(flat) + 1) * 0.06
    phone_set = train_voices.PhoneSet(
        np.zeros(16000, np.int16), np.array([0, 16000]),
        [np.array([ids(p) for p in flat])],
        [spans(*((times[i], times[i + 1], p) for i, p in enumerate(flat)))],
        ["espeak-ng en-gb-scotland"], [words], [[len(w) for w in engine]],
    )  # fmt: skip
    taught = train_voices.with_expected_phones(phone_set)
    assert taught.targets[0].tolist() == [t for w in app.words for t in w.variants[0]]
    assert taught.spans[0][0, 0] == 0.0 and taught.spans[0][-1, 1] == pytest.approx(times[-1])
    assert phone_set.targets[0].tolist() == [ids(p) for p in flat]  # the engine set is untouched


@pytest.mark.skipif(not espeak_available(), reason="needs espeak-ng")
def test_words_the_app_splits_or_cannot_pronounce_are_pronounced_one_by_one_or_left_out() -> None:
    # "--" is punctuation only: the app drops it, so the batch is pronounced word by word.
    table = canonical.expected_phones(["the", "--", "cat"], PHONE_LABELS)
    assert set(table) == {"the", "cat"}
    assert table["cat"] == canonical.expected_phones(["cat"], PHONE_LABELS)["cat"]
