"""The review queue's per-word figures, computed from one alignment in the worker (which has the
emissions; the parent and the database keep only these figures).

See :mod:`aligner_gui.core.corpus.suspicion` for how each figure becomes a signal.
"""

from __future__ import annotations

import numpy as np

from aligner_gui.core.alignment.anchors import greedy_labels
from aligner_gui.core.alignment.pipeline import AlignmentResult
from aligner_gui.core.corpus.database import WordRow

STRETCH = 5.0  # a unit held this many times the file's median hold is stretched over speech


def word_rows(
    result: AlignmentResult, tier: str, first_index: int, offset: float = 0.0
) -> list[WordRow]:
    """The review queue's features of each word (times shifted by ``offset`` seconds)."""
    greedy = greedy_labels(result.emissions, result.labels.star)
    labels = result.labels
    skip = {labels.blank, labels.delimiter_index, labels.star}
    timebase = result.timebase
    # Per frame: how much more likely the model's best label is than the one the path emits.
    lost = result.emissions.max(axis=1).astype(np.float64) - result.path.frame_scores
    cumulative = np.concatenate([[0.0], np.cumsum(lost)])
    frames = len(lost)
    nearest = _nearest_units(result)
    holds = ~np.isin(result.path.labels, [s for s in skip if s is not None])
    stretched = stretched_frames(result.path.token_index, greedy, result.path.labels)
    unclaimed_cumulative = np.concatenate(
        [[0.0], np.cumsum(unclaimed_speech(greedy, result.path.labels, lost, skip, stretched))]
    )

    def evidence(first: int, last: int, sums: np.ndarray = cumulative) -> float:
        first, last = min(max(first, 0), frames), min(max(last, 0), frames)
        return float(sums[last] - sums[first]) if last > first else 0.0

    spans = [
        (timebase.seconds_to_frame(w.start), max(timebase.seconds_to_frame(w.end),
                                                 timebase.seconds_to_frame(w.start) + 1))
        for w in result.words
    ]  # fmt: skip
    bounds = list(zip([0, *(s[1] for s in spans)], [*(s[0] for s in spans), frames], strict=True))
    gaps = [evidence(prev_end, start) for prev_end, start in bounds]
    unclaimed_gaps = [evidence(a, b, unclaimed_cumulative) for a, b in bounds]
    rows: list[WordRow] = []
    for i, word in enumerate(result.words):
        expected = result.tokenized.words[i].token_ids if i < len(result.tokenized.words) else ()
        mismatch = None
        if word.aligned and word.end > word.start:
            first = timebase.seconds_to_frame(word.start)
            last = max(first + 1, timebase.seconds_to_frame(word.end))
            heard = _collapse(greedy[first:last], skip)
            target = [t for t in expected if t not in skip]
            mismatch = _edit_distance(heard, target) / max(len(heard), len(target), 1)
        rows.append(
            WordRow(
                idx=first_index + i,
                tier=tier,
                label=word.label,
                start=word.start + offset,
                end=word.end + offset,
                score=None if not word.aligned or np.isnan(word.score) else float(word.score),
                aligned=word.aligned,
                chars=word.char_end - word.char_start,
                mismatch=mismatch,
                excess=evidence(*spans[i]) + max(gaps[i], gaps[i + 1]) if word.aligned else None,
                unclaimed=evidence(*spans[i], unclaimed_cumulative)
                + max(unclaimed_gaps[i], unclaimed_gaps[i + 1])
                if word.aligned
                else None,
                inside=evidence(*spans[i]) if word.aligned else None,
                frames=_clamped_frames(*spans[i], frames) if word.aligned else None,
                held=int(holds[slice(*_clamp(*spans[i], frames))].sum()) if word.aligned else None,
                removable=_removable(result, nearest, *spans[i]) if word.aligned else None,
                doubt="+".join(
                    sorted(
                        {
                            r.kind
                            for r in result.doubtful
                            if r.words[0] <= i < r.words[1]
                            or (r.start < word.end and word.start < r.end)
                        }
                    )
                ),
            )
        )
    return rows


def _clamp(first: int, last: int, frames: int) -> tuple[int, int]:
    first = min(max(first, 0), frames)
    return first, max(first, min(last, frames))


def _clamped_frames(first: int, last: int, frames: int) -> int:
    first, last = _clamp(first, last, frames)
    return last - first


def removable_nats(result: AlignmentResult, first: int, last: int) -> float:
    """Nats the forced path would gain over the word's frames ``[first, last)`` if the word were
    not in the transcript: each frame given instead to the best of blank (and the word
    delimiter) and the units the path emits nearest before and after the word (a neighbour
    stretched over it, or a pause).

    A word that is not spoken (inserted) gains: its frames hold a neighbour's sound or silence,
    which the path had to deny to squeeze the word in. A spoken word, even one the model
    misreads, loses: neither a pause nor a neighbour's sound explains its frames.
    """
    return _removable(result, _nearest_units(result), first, last)


def _nearest_units(result: AlignmentResult) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: the unit the path emits last before it, and first at or after it (-1: none),
    looking past blank and the word delimiter."""
    labels = result.path.labels
    between = [x for x in (result.labels.blank, result.labels.delimiter_index) if x is not None]
    is_unit = ~np.isin(labels, between)
    frames = np.arange(len(labels))
    last_unit = np.maximum.accumulate(np.where(is_unit, frames, -1))
    next_unit = np.minimum.accumulate(np.where(is_unit, frames, len(labels))[::-1])[::-1]
    before = np.full(len(labels), -1)
    before[1:] = np.where(last_unit[:-1] >= 0, labels[np.maximum(last_unit[:-1], 0)], -1)
    after = np.full(len(labels), -1)
    found = next_unit < len(labels)
    after[found] = labels[next_unit[found]]
    return before, after


def _removable(
    result: AlignmentResult, nearest: tuple[np.ndarray, np.ndarray], first: int, last: int
) -> float:
    frames = result.emissions.shape[0]
    first, last = _clamp(first, last, frames)
    if last <= first:
        return 0.0
    between = {x for x in (result.labels.blank, result.labels.delimiter_index) if x is not None}
    before = int(nearest[0][first])  # strictly before the word
    after = int(nearest[1][last]) if last < frames else -1  # at or after its end
    instead = {*between, *(x for x in (before, after) if x >= 0)}
    best_instead = result.emissions[first:last][:, sorted(instead)].max(axis=1)
    return float(np.sum(best_instead - result.path.frame_scores[first:last], dtype=np.float64))


def stretched_frames(
    token_index: np.ndarray, greedy: np.ndarray, path_labels: np.ndarray
) -> np.ndarray:
    """Per frame: whether the forced path holds one unit there for more than ``STRETCH`` times
    the file's median hold while the model hears another unit.

    A frame classifier (a phone model) gives every frame of a sound its unit, so over a word the
    transcript lacks the path does not park in blank as a CTC model's does: it holds a neighbour's
    phone across it. A CTC model holds its spikes a frame or two, so this rarely fires there.
    """
    out = np.zeros(len(token_index), dtype=bool)
    if len(token_index) == 0:
        return out
    starts = np.flatnonzero(np.concatenate([[True], token_index[1:] != token_index[:-1]]))
    ends = np.concatenate([starts[1:], [len(token_index)]])
    held = [(a, b) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
            if token_index[a] >= 0]  # fmt: skip
    if not held:
        return out
    typical = float(np.median([b - a for a, b in held]))
    for a, b in held:
        if b - a > STRETCH * max(typical, 1.0):
            out[a:b] = greedy[a:b] != path_labels[a:b]
    return out


def unclaimed_speech(
    greedy: np.ndarray,
    path_labels: np.ndarray,
    lost: np.ndarray,
    skip: set[int | None],
    stretched: np.ndarray | None = None,
) -> np.ndarray:
    """Per frame: the nats lost over each run of a unit the model hears where the forced path
    emits none (blank or word delimiter) within a frame either side, or holds a unit stretched
    far beyond its usual length (``stretched``, see :func:`stretched_frames`), at the run's first
    frame.

    Speech the transcript does not cover (a deleted word, a missing sentence) is such runs: the
    path parks in blank or stretches a neighbour over units the model hears. A misread word is
    not: there the path emits its own units on the same frames, which only the evidence counts.
    """
    frames = len(greedy)
    out = np.zeros(frames, dtype=np.float64)
    if frames == 0:
        return out
    path_letter = ~np.isin(path_labels, [s for s in skip if s is not None])
    # A frame's path letter "claims" the frames beside it too (spikes drift by a frame).
    claimed = path_letter.copy()
    claimed[1:] |= path_letter[:-1]
    claimed[:-1] |= path_letter[1:]
    if stretched is not None:
        claimed &= ~stretched
    starts = np.flatnonzero(np.concatenate([[True], greedy[1:] != greedy[:-1]]))
    ends = np.concatenate([starts[1:], [frames]])
    for first, last in zip(starts.tolist(), ends.tolist(), strict=True):
        if int(greedy[first]) in skip or claimed[first:last].any():
            continue
        out[first] = float(lost[first:last].sum())
    return out


def _collapse(frames: np.ndarray, skip: set[int | None]) -> list[int]:
    out: list[int] = []
    previous = -1
    for label in frames.tolist():
        if label != previous and label not in skip:
            out.append(label)
        previous = label
    return out


def _edit_distance(a: list[int], b: list[int]) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        diagonal, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (x != y))
    return row[-1]
