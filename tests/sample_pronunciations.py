"""Pronunciations of the bundled sample's words, for tests that align it with a dictionary."""

from __future__ import annotations

from aligner_gui.core.base.labels import LabelSet

# A tiny phone model's labels: espeak-style IPA phones (several of more than one character), an
# optional silence, and every phone of the sample's words.
IPA_PHONES = LabelSet(
    tuple(
        [
            "<pad>",
            "sil",
            "ð",
            "ə",
            "i",
            "n",
            "ɔ",
            "ɹ",
            "θ",
            "w",
            "ɪ",
            "d",
            "aɪ",
            "æ",
            "s",
            "ʌ",
            "ɝ",
            "ɚ",
            "p",
            "j",
            "u",
            "t",
            "ŋ",
            "tʃ",
            "ɑ",
            "z",
            "ɡ",
            "ɛ",
            "eɪ",
            "v",
            "l",
            "k",
            "m",
            "oʊ",
        ]
    ),
    blank=0,
)

# CMUdict's pronunciations of resources/sample.txt (stress digits, ER0, AH0 and all), one per word.
SAMPLE_CMUDICT = """\
the\tDH AH0
north\tN AO1 R TH
wind\tW IH1 N D
and\tAH0 N D
sun\tS AH1 N
were\tW ER0
disputing\tD IH0 S P Y UW1 T IH0 NG
which\tW IH1 CH
was\tW AA1 Z
stronger\tS T R AO1 NG G ER0
when\tW EH1 N
a\tAH0
traveller\tT R AE1 V AH0 L ER0
came\tK EY1 M
along\tAH0 L AO1 NG
wrapped\tR AE1 P T
in\tIH0 N
warm\tW AO1 R M
cloak\tK L OW1 K
"""
