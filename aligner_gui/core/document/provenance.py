"""Where a document's alignment came from, and what the engine said about it: the model, the audio
file, the regions of doubt and the warnings. JSON output records it beside the tiers and reading
that JSON back restores it, so nothing the engine found is lost by a save."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aligner_gui.core.alignment.doubt import DoubtfulRegion
from aligner_gui.core.io.textgrid import Interval

if TYPE_CHECKING:
    from aligner_gui.core.alignment.pipeline import AlignmentResult
    from aligner_gui.core.io.audio import Audio


@dataclass(frozen=True)
class GuessedPronunciation:
    """A word the dictionary lacked, pronounced by G2P: what the editor marks and lists so that
    the user can add it to their dictionary."""

    word: str  # as written in the transcript: the label of its interval in the words tier
    phones: tuple[str, ...]  # the guess as aligned, in the model's phones


@dataclass(frozen=True)
class Provenance:
    model: str | None = None  # the model's name, None when the tiers were not aligned here
    audio_path: Path | None = None
    sample_rate: int | None = None  # of the audio file itself, before resampling for the model
    doubtful: tuple[DoubtfulRegion, ...] = ()
    warnings: tuple[str, ...] = ()
    language: str | None = None  # ISO 639-3 code of the G2P voice, numbers and romanisation
    guessed: tuple[GuessedPronunciation, ...] = ()  # words pronounced by G2P, in order

    @classmethod
    def from_alignment(cls, result: AlignmentResult) -> Provenance:
        return cls(
            model=result.model_name,
            audio_path=result.audio.path,
            sample_rate=result.audio.source_sample_rate,
            doubtful=tuple(result.doubtful),
            warnings=tuple(result.warnings),
            language=result.language,
            guessed=guessed_pronunciations(result),
        )

    @classmethod
    def from_audio(cls, audio: Audio | None) -> Provenance:
        if audio is None:
            return cls()
        return cls(audio_path=audio.path, sample_rate=audio.source_sample_rate)


def guessed_pronunciations(result: AlignmentResult) -> tuple[GuessedPronunciation, ...]:
    """Each G2P word with every form it was aligned with, each form once: most words have one;
    an English function word may have its citation and weak forms
    (:mod:`aligner_gui.core.pronunciation.weak_forms`), as a dictionary lists variants. Words in
    the order G2P listed them, a word's forms in the order they first occur."""
    order = {w: i for i, w in enumerate(dict.fromkeys(result.g2p_words))}
    found: dict[tuple[str, tuple[str, ...]], GuessedPronunciation] = {}
    for word, phones in g2p_word_phones(result):
        found.setdefault((word, phones), GuessedPronunciation(word, phones))
    return tuple(sorted(found.values(), key=lambda g: order[g.word]))


def g2p_word_phones(result: AlignmentResult) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Each word of ``result`` that G2P pronounced, in order, with the phones it was aligned
    with (a word left without phones is skipped)."""
    guessed = set(result.g2p_words)
    phones_of: dict[int, list[str]] = {}
    for phone in result.phones:
        phones_of.setdefault(phone.word_index, []).append(phone.label)
    for index, word in enumerate(result.words):
        phones = tuple(phones_of.get(index, ()))
        if word.label in guessed and phones:
            yield word.label, phones


def doubtful_intervals(
    regions: tuple[DoubtfulRegion, ...] | list[DoubtfulRegion],
) -> list[Interval]:
    """Doubtful regions as non-overlapping intervals (a TextGrid tier cannot overlap): regions
    that overlap are merged, and the merged interval is labelled with all their kinds."""
    merged: list[tuple[float, float, list[str]]] = []
    for region in sorted(regions, key=lambda r: (r.start, r.end)):
        if region.end <= region.start:
            continue
        if merged and region.start < merged[-1][1]:
            start, end, kinds = merged[-1]
            if region.kind not in kinds:
                kinds.append(region.kind)
            merged[-1] = (start, max(end, region.end), kinds)
        else:
            merged.append((region.start, region.end, [region.kind]))
    return [Interval(start, end, "+".join(kinds)) for start, end, kinds in merged]
