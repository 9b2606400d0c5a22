"""A CTC model's output alphabet: which class is blank, which separates words, which is the star."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabelSet:
    labels: tuple[str, ...]
    blank: int
    word_delimiter: str | None = (
        None  # e.g. "|" for wav2vec2 ASR; None when words are not delimited
    )
    star: int | None = None  # index of the unknown/star label ("*" in MMS_FA), or None

    def __post_init__(self) -> None:
        n = len(self.labels)
        if not 0 <= self.blank < n:
            raise ValueError(f"blank index {self.blank} is outside the {n} labels")
        if self.star is not None and not 0 <= self.star < n:
            raise ValueError(f"star index {self.star} is outside the {n} labels")
        if self.word_delimiter is not None and self.word_delimiter not in self.labels:
            raise ValueError(f"word delimiter {self.word_delimiter!r} is not one of the labels")
        if len(set(self.labels)) != n:
            raise ValueError("labels must be unique")

    @property
    def delimiter_index(self) -> int | None:
        return None if self.word_delimiter is None else self.labels.index(self.word_delimiter)

    def index(self, label: str) -> int:
        return self.labels.index(label)

    def __len__(self) -> int:
        return len(self.labels)


# The alphabet of torchaudio's WAV2VEC2_ASR_*_960H bundles (blank "-", word delimiter "|").
ENGLISH_ASR_LABELS = LabelSet(
    labels=tuple("-|ETAONIHSRDLUMWCFGYPBVK'XJQZ"),
    blank=0,
    word_delimiter="|",
    star=None,
)

# The alphabet of torchaudio's MMS_FA bundle with its star token (romanised, lower case, no delimiter).
MMS_FA_LABELS = LabelSet(
    labels=tuple("-aienoutsrmkldghybpwcvjzf'qx*"),
    blank=0,
    word_delimiter=None,
    star=28,
)
