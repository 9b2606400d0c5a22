"""G2P and dictionary spellings reach a model's inventory through the documented equivalences:
espeak-ng's en-us phones and CMUdict's ARPAbet both map entirely into the built-in phone
model's 40 General American phones (no word interpolated), and the table is used only when the
model lacks the phone itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from english_words import COMMON_WORDS

from aligner_gui.core.pronunciation.g2p import espeak_available, espeak_phones
from aligner_gui.core.pronunciation.languages import get_language
from aligner_gui.core.pronunciation.lexicon import phone_transcript
from aligner_gui.core.pronunciation.phone_equivalents import (
    DROPPABLE_MARKS,
    EQUIVALENCES,
    stop_letters,
)
from aligner_gui.core.pronunciation.phone_sets import ARPABET_TO_IPA, PhoneInventory

from tiny_models import DEMO_PHONE_LABELS, DEMO_PHONES

SAMPLE_TXT = Path(__file__).resolve().parents[2] / "resources" / "sample.txt"
DEMO = PhoneInventory(DEMO_PHONES)
BACKENDS = [b for b in ("program", "library") if espeak_available(b)]


@pytest.mark.parametrize(
    ("word", "espeak", "expected"),
    [
        ("north", "n ɔːɹ θ", "n ɔ ɹ θ"),
        ("warm", "w ɔːɹ m", "w ɔ ɹ m"),
        ("were", "w ɜː", "w ɝ"),
        ("bird", "b ɜːɹ d", "b ɝ d"),
        ("disputing", "d ɪ s p j uː ɾ ɪ ŋ", "d ɪ s p j u t ɪ ŋ"),
        ("along", "ɐ l ɔ ŋ", "ə l ɔ ŋ"),
        ("before", "b ᵻ f oːɹ", "b ɪ f ɔ ɹ"),
        ("button", "b ʌ ʔ n̩", "b ʌ t n"),
        ("fire", "f aɪɚ", "f aɪ ɝ"),  # a two-phone G2P unit, the second through the table
        ("water", "w ɔː ɾ ɚ", "w ɔ t ɝ"),
        ("ladder", "l æ ɾ ɚ", "l æ d ɝ"),  # the flap of a d spelling is d
        ("editor", "ɛ d ɪ ɾ ɚ", "ɛ d ɪ t ɝ"),  # ... of the t, not the earlier d
        ("little", "l ɪ ɾ əl", "l ɪ t ə l"),
        ("party", "p ɑːɹ ɾ i", "p ɑ ɹ t i"),
        ("people", "p iː p əl", "p i p ə l"),
        ("their", "ð ɛɹ", "ð ɛ ɹ"),
        ("loch", "l ɑː x", "l ɑ k"),
        ("full", "f ʊ ɫ", "f ʊ l"),
        ("red", "r ɛ d", "ɹ ɛ d"),
        ("big", "b ɪ g", "b ɪ ɡ"),  # Latin g is IPA ɡ
        ("church", "t͡ʃ ɝ t͡ʃ", "tʃ ɝ tʃ"),  # tie bars
        ("top", "tʰ ˈɑ p", "t ɑ p"),  # aspiration and stress
        ("barrel", "b œ r l", "b ɛ ɹ l"),  # praatio's hand labels of "mary": a rounded vowel
        ("über", "y b ɚ", "i b ɝ"),
    ],
)
def test_known_spellings_map_into_the_demo_inventory(word: str, espeak: str, expected: str):
    got = DEMO.map_phones(espeak.split(), word)
    assert got.missing == ()
    assert got.labels == tuple(expected.split())


def test_a_model_with_the_phone_itself_keeps_it() -> None:
    inventory = PhoneInventory(("ɚ", "ɾ", "ʔ", "iː", "i", "ɔːɹ", "ə", "l", "n̩", "w", "ɔ"))
    spelled = ["ɚ", "ɾ", "ʔ", "iː", "ɔːɹ", "əl", "n̩"]
    assert inventory.map_phones(spelled).labels == ("ɚ", "ɾ", "ʔ", "iː", "ɔːɹ", "ə", "l", "n̩")
    # Without ɝ, ɚ is schwa + r (when the model has them).
    assert PhoneInventory(("ə", "ɹ")).map_phones(["ɚ"]).labels == ("ə", "ɹ")


def test_a_phone_without_label_or_equivalent_is_still_reported() -> None:
    got = DEMO.map_phones(["ʁ", "ɛ", "ç", "ɯ"], "rêche")  # ç -> h, but no row for ʁ or ɯ
    assert got.missing == ("ʁ", "ɯ")
    assert PhoneInventory(("a", "b")).map_phones(["ʔ"]).missing == ("ʔ",)  # no t to go to


def test_stop_letters_follow_the_spelling() -> None:
    assert stop_letters(["w", "ɔː", "ɾ", "ɚ"], "water") == [None, None, "t", None]
    assert stop_letters(["l", "æ", "ɾ", "ɚ"], "ladder")[2] == "d"
    assert stop_letters(["ɛ", "d", "ɪ", "ɾ", "ɚ"], "editor")[3] == "t"
    assert stop_letters(["ɾ", "ɪ", "ɾ"], "") == ["t", None, "t"]  # no spelling: /t/, the usual
    assert stop_letters(["w", "ɪ", "ɾ̃", "ɚ"], "winter") == [None] * 4  # the nasal flap is n
    assert stop_letters(["b", "ʌ", "ʔ", "n̩"], "button")[2] == "t"
    assert stop_letters(["ʌ", "ʔ", "oʊ"], "uh-oh")[1] == ""  # a glottal stop, not a t
    # Each phone its own: a model with ɾ but no ʔ still reads the glottal stop of "button".
    mixed = PhoneInventory(("b", "ʌ", "ɾ", "t", "n", "ɪ"))
    assert mixed.map_phones(["b", "ɪ", "ɾ", "ʌ", "ʔ", "n̩"], "bitbutton").labels == (
        "b", "ɪ", "ɾ", "ʌ", "t", "n"
    )  # fmt: skip


def test_a_glottal_stop_is_t_only_where_the_spelling_has_one() -> None:
    assert DEMO.map_phones(["b", "ʌ", "ʔ", "n̩"], "button").labels == ("b", "ʌ", "t", "n")
    got = DEMO.map_phones(["ʌ", "ʔ", "oʊ"], "uh-oh")
    assert got.missing == ("ʔ",) and got.labels == ("ʌ", "oʊ")


def test_the_table_documents_every_row() -> None:
    assert all(eq.why and eq.targets and all(eq.targets) for eq in EQUIVALENCES)
    assert len({eq.source for eq in EQUIVALENCES}) == len(EQUIVALENCES)
    assert all(DROPPABLE_MARKS.values())


def test_every_arpabet_phone_with_stress_maps_into_the_demo_inventory() -> None:
    """A CMUdict dictionary (39 phones, stress digits on vowels) maps one to one."""
    cmudict = [p for p in ARPABET_TO_IPA if len(ARPABET_TO_IPA[p]) and p not in _NOT_CMUDICT]
    assert len(cmudict) == 39
    for phone in cmudict:
        for stress in ("", "0", "1", "2") if phone[0] in "AEIOU" else ("",):
            got = DEMO.map_phones([phone + stress])
            assert got.missing == () and len(got.labels) == 1, phone + stress
    assert DEMO.map_phones(["AH0", "AH1", "ER0", "ER1"]).labels == ("ə", "ʌ", "ɝ", "ɝ")
    # Every inventory phone is reached from its CMUdict phone.
    reached = {DEMO.map_phones([p + "1" if p[0] in "AEIOU" else p]).labels[0] for p in cmudict}
    assert reached | {"ə"} == set(DEMO_PHONES)
    # TIMIT's extra phones have equivalents too.
    extra = DEMO.map_phones(["AX", "AXR", "IX", "UX", "DX", "NX", "EL", "EM", "EN", "Q", "WH"])
    assert extra.missing == ()


_NOT_CMUDICT = {"AX", "AXR", "IX", "UX", "DX", "EL", "EM", "EN", "NX", "Q", "WH"}


@pytest.mark.skipif(not BACKENDS, reason="espeak-ng is not installed")
@pytest.mark.parametrize("backend", BACKENDS)
def test_espeak_english_maps_entirely_into_the_demo_inventory(backend: str) -> None:
    """Every word of the sample and of a few hundred common words is aligned by phones, with no
    phone reported missing and no word left to interpolation."""

    def g2p(words, voice):
        return espeak_phones(words, voice, backend)

    text = SAMPLE_TXT.read_text(encoding="utf-8") + " " + " ".join(COMMON_WORDS)
    got = phone_transcript(text, DEMO_PHONE_LABELS, get_language("eng"), g2p=g2p)
    assert got.missing_phones == ()
    assert [w.original for w in got.words if not w.aligned] == []
    assert not [w for w in got.warnings if "interpolation" in w or "does not have" in w]
    sample = {w.original: w.phones[0] for w in got.words[:21]}
    assert sample["North"] == ("n", "ɔ", "ɹ", "θ")
    assert sample["were"] == ("w", "ɝ")
    assert sample["disputing"] == ("d", "ɪ", "s", "p", "j", "u", "t", "ɪ", "ŋ")
    assert sample["along"][0] == "ə"
