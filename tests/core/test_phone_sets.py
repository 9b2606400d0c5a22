"""Phone models are told from letter models; dictionary phones are spelled in a model's phones."""

from __future__ import annotations

from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS, MMS_FA_LABELS
from aligner_gui.core.pronunciation.phone_sets import PhoneInventory, is_phone_model, split_ipa

_IPA = "<pad> <s> </s> <unk> a aɪ b d ð ə ɚ i iː k l n oʊ s t tʃ ʃ ɜː ː h ɹ w eɪ m"
IPA_MODEL = tuple(_IPA.split(" "))
_ARPABET = "<blk> AA AE AH AY B CH D DH ER HH IY K L N OW S T W"
ARPABET_MODEL = tuple(_ARPABET.split(" "))


def test_phone_models_are_told_from_letter_models() -> None:
    assert is_phone_model(IPA_MODEL)
    assert is_phone_model(ARPABET_MODEL)
    assert not is_phone_model(ENGLISH_ASR_LABELS.labels)
    assert not is_phone_model(MMS_FA_LABELS.labels)
    assert not is_phone_model(("-", "|", *"абвгдежзийклмнопрстуфхцчшщъыьэюя"))
    assert not is_phone_model(("<pad>", "<unk>", "|"))


def test_arpabet_dictionary_phones_in_an_ipa_model() -> None:
    inv = PhoneInventory(IPA_MODEL)
    got = inv.map_phones(["HH", "AH0", "L", "OW1"])  # "hello": AH -> ʌ, absent -> ə
    assert got.labels == ("h", "ə", "l", "oʊ") and got.missing == ()
    assert inv.map_phones(["CH", "ER1", "CH"]).labels == ("tʃ", "ɜː", "tʃ")  # ɝ -> ɜː
    assert inv.map_phones(["AY1"]).labels == ("aɪ",)


def test_ipa_phones_with_stress_and_longest_match() -> None:
    inv = PhoneInventory(IPA_MODEL)
    assert inv.map_phones(["ˈaɪ", "tʃ"]).labels == ("aɪ", "tʃ")
    # Not a label as a whole: the longest labels from the left ("tʃ" + "ː").
    assert inv.map_phones(["tʃː"]).labels == ("tʃ", "ː")
    assert split_ipa("ˈtʃaɪld", inv)[:2] == ["tʃ", "aɪ"]


def test_a_phone_the_model_lacks_is_reported_not_dropped() -> None:
    inv = PhoneInventory(IPA_MODEL)
    got = inv.map_phones(["h", "ʁ", "oʊ"])  # a uvular r: no label, no equivalent
    assert got.missing == ("ʁ",)
    assert got.labels == ("h", "oʊ")  # callers set such a variant aside (see lexicon)
    assert inv.map_phones(["ʔ"]).labels == ("t",)  # an equivalent is not a missing phone


def test_ipa_dictionary_phones_in_an_arpabet_model() -> None:
    inv = PhoneInventory(ARPABET_MODEL)
    # ARPAbet AX is not in this model: CMUdict writes the schwa AH0.
    assert inv.map_phones(["ð", "ə"]).labels == ("DH", "AH")
    assert inv.map_phones(["ð", "ʁ"]).missing == ("ʁ",)
    assert inv.map_phones(["ð", "ʌ"]).labels == ("DH", "AH")
    assert inv.map_phones(["tʃ", "ɝ", "tʃ"]).labels == ("CH", "ER", "CH")
    assert inv.map_phones(["HH", "AY1"]).labels == ("HH", "AY")
