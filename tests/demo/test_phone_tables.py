"""Every phone each engine emits for a fixed sentence set has an IPA entry in the inventory."""

from __future__ import annotations

import pytest

from aligner_gui.demo import corpus, espeak, festival, flite, phones, voices
from aligner_gui.demo.phone_eval import gold_phone
from aligner_gui.demo.phones import INVENTORY, PhoneMappingError, map_phones

# Pangrams and phonetically rich sentences (Harvard lists), with contractions, names and numbers.
SENTENCES = (
    "The quick brown fox jumps over the lazy dog.",
    "Pack my box with five dozen liquor jugs!",
    "The birch canoe slid on the smooth planks.",
    "Glue the sheet to the dark blue background.",
    "It's easy to tell the depth of a well, isn't it?",
    "These days a chicken leg is a rare dish.",
    "Rice is often served in round bowls.",
    "The juice of lemons makes fine punch.",
    "Four hours of steady work faced us, John.",
    "A large size in stockings is hard to sell; there's measure and pleasure here.",
    "Where were you, Mary? I'd hear the choir sing near your door, poor Ruth.",
)


def test_the_inventory_is_forty_distinct_phones_with_multi_letter_ones() -> None:
    assert len(INVENTORY) == len(set(INVENTORY)) == 40
    assert {"aɪ", "aʊ", "eɪ", "oʊ", "ɔɪ", "tʃ", "dʒ"} <= set(INVENTORY)
    for table in (phones.ARPABET_TO_IPA, phones.ESPEAK_TO_IPA, phones.ESPEAK_RHOTIC):
        assert all(p in INVENTORY for mapped in table.values() for p in mapped)
    assert {p for m in phones.ARPABET_TO_IPA.values() for p in m} == set(INVENTORY)


@pytest.mark.skipif(not espeak.espeak_available(), reason="libespeak-ng is not installed")
@pytest.mark.parametrize("language", corpus.TRAIN_LANGUAGES + corpus.HELDOUT_LANGUAGES)
def test_every_espeak_phoneme_of_each_accent_maps_to_ipa(language: str) -> None:
    seen = set()
    for text in SENTENCES:
        for event in espeak.synthesize(text, language).events:
            if event.kind == "phoneme":
                seen.add(event.symbol)
                mapped = phones.espeak_to_ipa(event.symbol, language)
                assert all(p in INVENTORY for p in mapped), event.symbol
    assert len(seen) > 30


@pytest.mark.skipif(not espeak.espeak_available(), reason="libespeak-ng is not installed")
def test_rhotic_and_non_rhotic_accents_differ_where_espeak_says_they_do() -> None:
    def said(voice: str) -> list[str]:
        speech = voices.espeak_speech(voices.Request("espeak-ng", voice, "far"))
        return [p.phone for p in speech.words[0].phones]

    assert said("en-us") == ["f", "ɑ", "ɹ"]
    assert said("en-gb-x-rp") == ["f", "ɑ"]


@pytest.mark.skipif(not espeak.espeak_available(), reason="libespeak-ng is not installed")
def test_a_liquid_espeak_renders_inside_its_vowel_still_gets_a_share_of_the_time() -> None:
    """espeak's event for the /l/ of "sales" comes where the vowel+l unit ends; the unit is
    split, so no phone label is left without time."""
    speech = voices.espeak_speech(voices.Request("espeak-ng", "en-us", "The sales were full."))
    got = {w.text: [p.phone for p in w.phones] for w in speech.words}
    assert got["sales"] == ["s", "eɪ", "l", "z"] and got["full"] == ["f", "ʊ", "l"]
    assert all(p.end - p.start > 0.02 for p in speech.phones())


@pytest.mark.skipif(not flite.flite_available(), reason="libflite is not installed")
def test_every_flite_phone_maps_to_ipa() -> None:
    for text in SENTENCES:
        speech = flite.synthesize(text, "kal16")
        assert all(p.phone in INVENTORY for p in speech.phones())
        assert len(speech.words) == len(text.split())


@pytest.mark.skipif(not festival.festival_available("kal"), reason="festival is not installed")
def test_every_festival_phone_maps_to_ipa() -> None:
    installed = [v for v in festival.VOICES if festival.festival_available(v)]
    requests = [festival.FestivalRequest(t, v) for v in installed for t in SENTENCES]
    for request, speech in zip(requests, festival.synthesize_many(requests), strict=True):
        assert not isinstance(speech, str), (request, speech)
        assert all(p.phone in INVENTORY for p in speech.phones())
        assert len(speech.words) == len(request.text.split()), request


def test_unknown_phones_are_errors_not_silently_dropped() -> None:
    with pytest.raises(PhoneMappingError):
        phones.espeak_to_ipa("Q!", "en-us")
    with pytest.raises(PhoneMappingError):
        phones.arpabet_to_ipa("xx")
    assert phones.arpabet_to_ipa("AH0") == ("ʌ",)


def test_map_phones_gives_modifier_time_to_a_neighbour_and_splits_r_coloured_vowels() -> None:
    mapped = map_phones([((), 0.0, 0.1), (("k",), 0.1, 0.2), ((), 0.2, 0.25),
                         (("ɑ", "ɹ"), 0.25, 0.45)])  # fmt: skip
    assert [(p.phone, round(p.start, 3), round(p.end, 3)) for p in mapped] == [
        ("k", 0.0, 0.25), ("ɑ", 0.25, 0.37), ("ɹ", 0.37, 0.45),
    ]  # fmt: skip


def test_gold_labels_of_the_three_notations_reach_the_inventory() -> None:
    assert [gold_phone(p, "arpabet") for p in ("B", "AA1", "ER0", "PT")] == ["b", "ɑ", "ɝ", ""]
    assert [gold_phone(p, "ipa") for p in ("m", "ə", "r", "θ", "o")] == ["m", "ə", "ɹ", "θ", "oʊ"]
    assert [gold_phone(p, "sampa") for p in ("eI", "@", "D", "V", "A", "aI")] == [
        "eɪ", "ə", "ð", "ʌ", "ɑ", "aɪ",
    ]  # fmt: skip
