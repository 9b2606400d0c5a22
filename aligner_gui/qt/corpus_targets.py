"""Finding, in the open document, the word the database or a search names.

The database knows a word by its file, speaker tier, times and label as aligned; the document may
have been edited since (boundaries moved, words split). The word is the segment of the tier with
the same label nearest in time, else the segment under the word's middle.
"""

from __future__ import annotations

from aligner_gui.core.document.document import WORD_TIER, AlignmentDocument


def word_tier_name(speaker_tier: str) -> str:
    """The document tier holding a speaker's words ("" is a one-speaker transcript)."""
    return f"{speaker_tier} - {WORD_TIER}" if speaker_tier else WORD_TIER


def find_segment(
    doc: AlignmentDocument, tier: str, start: float, end: float, label: str
) -> tuple[str, int] | None:
    names = doc.tier_names()
    if tier not in names:
        if not names:
            return None
        tier = names[0]
    segments = doc.tier(tier).segments
    middle = (start + end) / 2

    def distance(i: int) -> float:
        return abs((segments[i].start + segments[i].end) / 2 - middle)

    same = [i for i, s in enumerate(segments) if s.label == label]
    if same:
        return tier, min(same, key=distance)
    under = doc.segment_at(tier, middle)
    return None if under is None else (tier, under)
