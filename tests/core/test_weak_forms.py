"""English function words pronounced by G2P also get their weak forms as variants (the aligner
chooses per token); a dictionary's words and other languages are left as they are."""

from __future__ import annotations

import numpy as np
import pytest

from aligner_gui.core.alignment.phone_align import align_phone_emissions
from aligner_gui.core.base.timebase import TimeBase
from aligner_gui.core.pronunciation.dictionary import parse_dictionary
from aligner_gui.core.pronunciation.g2p import espeak_available
from aligner_gui.core.pronunciation.languages import get_language
from aligner_gui.core.pronunciation.lexicon import phone_transcript
from aligner_gui.core.pronunciation.phone_sets import PhoneInventory
from aligner_gui.core.pronunciation.weak_forms import WEAK_FORMS, weak_forms

from tiny_models import DEMO_PHONE_LABELS, DEMO_PHONES

needs_espeak = pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")
ENGLISH = get_language("eng")


def test_every_weak_form_maps_into_the_built_in_phones() -> None:
    inventory = PhoneInventory(DEMO_PHONES)
    for word, forms in WEAK_FORMS.items():
        for form in forms:
            mapped = inventory.map_phones(form, word)
            assert not mapped.missing and mapped.labels, (word, form)


def test_only_english_function_words_have_weak_forms_whatever_their_case() -> None:
    assert weak_forms("The", "eng") == (("ð", "ə"), ("ð", "i"))
    assert weak_forms("to", "eng") == (("t", "ə"),)
    assert weak_forms("cat", "eng") == ()
    assert weak_forms("the", "deu") == ()


@needs_espeak
def test_g2p_words_offer_citation_then_weak_forms_and_dictionary_words_only_their_own() -> None:
    got = phone_transcript("A cat to the dog", DEMO_PHONE_LABELS, ENGLISH)
    a, cat, to, the, _dog = got.words
    assert a.phones == (("eɪ",), ("ə",))  # the citation form first
    assert to.phones == (("t", "u"), ("t", "ə")) and the.phones == (("ð", "ə"), ("ð", "i"))
    assert cat.phones == (("k", "æ", "t"),) and a.priors == (0.0, 0.0)
    mine = parse_dictionary(["to\tt u"])
    listed = phone_transcript("to the", DEMO_PHONE_LABELS, ENGLISH, mine)
    assert listed.words[0].phones == (("t", "u"),)  # the user's dictionary is not second-guessed
    assert listed.words[1].phones == (("ð", "ə"), ("ð", "i"))


@needs_espeak
@pytest.mark.parametrize(("said", "variant"), [("ə", 1), ("eɪ", 0)])
def test_the_alignment_takes_the_form_that_was_said(said: str, variant: int) -> None:
    """A frame classifier that hears "cat a dog" with a reduced or a full "a"."""
    runs = [("-", 5), ("k", 4), ("æ", 6), ("t", 3), ("-", 2), (said, 5), ("-", 2)]
    runs += [("d", 4), ("ɑ", 6), ("ɡ", 3), ("-", 5)]
    ids = [DEMO_PHONE_LABELS.index(label) for label, n in runs for _ in range(n)]
    logits = np.random.default_rng(0).normal(0, 0.5, size=(len(ids), len(DEMO_PHONE_LABELS)))
    logits[np.arange(len(ids)), ids] += 7.0
    log_probs = (logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))).astype(np.float32)
    transcript = phone_transcript("cat a dog", DEMO_PHONE_LABELS, ENGLISH)
    timebase = TimeBase(16000, 320)
    got = align_phone_emissions(
        log_probs, transcript, DEMO_PHONE_LABELS, timebase, timebase.frame_to_seconds(len(ids))
    )
    assert got.variants[1] == variant
    assert [p.label for p in got.phones if p.word_index == 1] == [said]
