"""A saved corpus file's words, back into the corpus database.

The database's ``words`` rows are what Find across the corpus and the review queue read; after the
user corrects a file in the window they must be the saved words, not the aligned ones. Each
labelled segment of a word tier (``words``, or ``<speaker> - words`` in an interview) becomes a
row. A word whose label and boundaries are as recorded keeps its recorded features (score,
evidence, doubt, suspicion); any other word was relabelled, moved or inserted by the user: it
keeps a score only where the document still has one, loses the alignment's features, and is
marked corrected (see :mod:`aligner_gui.core.corpus.suspicion`), so it leaves the review queue.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from aligner_gui.core.corpus.database import CorpusDatabase, WordRow
from aligner_gui.core.corpus.suspicion import EDITED_REASON, file_suspicion
from aligner_gui.core.document.document import WORD_TIER, AlignmentDocument, Segment

_WORD_TIER_SUFFIX = f" - {WORD_TIER}"
# A TextGrid written and read back gives times within float printing precision of the recorded
# ones (TIME_TOLERANCE is for boundaries of one document, far tighter); a user's drag moves a
# boundary by milliseconds at the least.
_SAME_TIME = 1e-6


def speaker_of(tier_name: str) -> str | None:
    """The database's speaker tier for a document tier of words ("" alone); None: not words."""
    if tier_name == WORD_TIER:
        return ""
    if tier_name.endswith(_WORD_TIER_SUFFIX):
        return tier_name[: -len(_WORD_TIER_SUFFIX)]
    return None


def document_word_rows(doc: AlignmentDocument, recorded: Sequence[WordRow]) -> list[WordRow]:
    """The document's words as database rows, numbered in tier then time order."""
    return [row for row, _was in _matched_rows(doc, recorded)]


def _matched_rows(
    doc: AlignmentDocument, recorded: Sequence[WordRow]
) -> list[tuple[WordRow, int | None]]:
    """Each document word's row, with the recorded index of the word it keeps (None: corrected)."""
    unused: dict[tuple[str, str], list[WordRow]] = {}
    for row in recorded:
        unused.setdefault((row.tier, row.label), []).append(row)
    rows: list[tuple[WordRow, int | None]] = []
    for tier in doc.tiers:
        speaker = speaker_of(tier.name)
        if speaker is None or tier.is_point_tier:
            continue
        for segment in tier.segments:
            if not segment.label.strip():
                continue
            same = _take_same(unused.get((speaker, segment.label), []), segment)
            if same is not None:
                rows.append((dataclasses.replace(same, idx=len(rows)), same.idx))
            else:
                rows.append((_corrected(len(rows), speaker, segment), None))
    return rows


def record_saved_document(db: CorpusDatabase, path: str, doc: AlignmentDocument) -> None:
    """Replace ``path``'s words in the database by the document's, in one transaction. The
    second opinion's hearing of the words kept moves with them to their new numbers."""
    recorded = db.words(path).get(path, [])
    heard = {w.idx: w for w in db.second_words(path).get(path, [])}
    matched = _matched_rows(doc, recorded)
    rows = [row for row, _was in matched]
    second = [
        dataclasses.replace(heard[was], idx=row.idx)
        for row, was in matched
        if was is not None and was in heard
    ]
    db.replace_words(path, rows, file_suspicion([w.suspicion for w in rows]), second)


def _take_same(candidates: list[WordRow], segment: Segment) -> WordRow | None:
    for i, row in enumerate(candidates):
        if (
            abs(row.start - segment.start) <= _SAME_TIME
            and abs(row.end - segment.end) <= _SAME_TIME
        ):
            return candidates.pop(i)  # each recorded word stands for one segment at most
    return None


def _corrected(idx: int, speaker: str, segment: Segment) -> WordRow:
    return WordRow(
        idx=idx,
        tier=speaker,
        label=segment.label,
        start=segment.start,
        end=segment.end,
        score=segment.score,
        # The user placed it: its times are not interpolated, whatever the alignment said.
        aligned=True,
        chars=len(segment.label.replace(" ", "")),
        mismatch=None,
        doubt="",
        suspicion=0.0,
        reason=EDITED_REASON,
    )
