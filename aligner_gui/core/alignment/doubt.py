"""Doubtful regions of an alignment: where audio and transcript probably do not match.

A forced alignment always succeeds: text with no audio is squeezed in somewhere, audio with no
text is absorbed by a word or a pause, and the neighbouring words drift into the gap. This module
finds those places so the editor can mark them. Four kinds; thresholds in :class:`DoubtThresholds`:

``untranscribed-audio``
    Speech the path does not account for. A frame is *confident speech* when its most probable
    label is a character (not blank, word delimiter or star) with probability at least
    ``speech_probability``; it is *unexplained* when the path does not emit that label within
    ``explain_frames`` frames. Where unexplained confident speech makes up at least
    ``untranscribed_density`` of the frames over ``window_seconds`` (and ``baseline_factor``
    times its rate inside ordinary words, so that a weak model misreading everywhere is not taken
    for missing text), for at least ``untranscribed_seconds`` (fragments less than
    ``merge_seconds`` apart joined), the audio has speech the transcript lacks. Matching audio
    read by a good model has a density near 0.01, unmatched speech 0.2-0.5; a model that misreads
    a third of the frames has ~0.2 everywhere, and then only denser stretches are reported.
    The words the region overlaps are the ones that drifted.
``unspoken-text``
    A cluster of at least ``min_words`` *poor* words (mean frame probability of their characters
    below ``low_probability``; poor words less than ``merge_seconds`` apart cluster) of which at
    least half are squeezed (at most ``squeezed_frames_per_char`` frames per character, where
    speech has about 3.5) or lie where the model hears silence (``silent_share`` of their frames
    confidently blank or delimiter). Audio that is present but untranscribed never squeezes
    words, so such a cluster also takes in the untranscribed-audio it overlaps (the neighbours'
    speech that the squeezed text pushed aside) and the nearest word on each side, which the
    squeeze pushes too.
``low-score``
    A cluster of poor words that is not squeezed or silent: mispronunciation, noise, another
    language, a transcript that only loosely follows the speech. Absorbed by an overlapping
    untranscribed-audio region (of which it is the symptom). It may overlap long words: audio
    the model cannot read (noise, music) is shared out among stretched and misplaced words.
``long-word``
    A word longer than ``max(long_word_seconds, long_word_factor x its characters x the typical
    character duration)``, or holding one character longer than ``max(long_char_seconds,
    long_char_factor x typical)``. The typical duration is the file's median of word duration /
    characters (clipped to [one frame, 0.2 s]), so speakers are judged against themselves.
    Dropped when untranscribed-audio covers most of the word (its message names the word).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from aligner_gui.core.alignment.anchors import greedy_labels
from aligner_gui.core.alignment.doubt_context import (
    KINDS,
    DoubtContext,
    DoubtfulRegion,
    DoubtThresholds,
    Draft,
    clock,
)
from aligner_gui.core.alignment.doubt_detectors import (
    finish,
    long_words,
    poor_clusters,
    untranscribed_audio,
)
from aligner_gui.core.alignment.segments import CharSegment, WordSegment
from aligner_gui.core.alignment.viterbi import ForcedPath
from aligner_gui.core.base.labels import LabelSet
from aligner_gui.core.base.timebase import TimeBase
from aligner_gui.core.pronunciation.phone_sets import is_phone_model

__all__ = ["KINDS", "DoubtThresholds", "DoubtfulRegion", "clock", "find_doubtful_regions"]


def find_doubtful_regions(
    words: Sequence[WordSegment],
    chars: Sequence[CharSegment],
    path: ForcedPath,
    log_probs: np.ndarray,
    labels: LabelSet,
    timebase: TimeBase,
    *,
    thresholds: DoubtThresholds | None = None,
) -> list[DoubtfulRegion]:
    """Every doubtful region, sorted by start time (see the module docstring)."""
    th = thresholds or DoubtThresholds()
    lp = np.asarray(log_probs)
    if lp.ndim != 2 or lp.shape[0] != path.num_frames:
        raise ValueError(f"log_probs {lp.shape} do not match a path of {path.num_frames} frames")
    best = greedy_labels(lp, labels.star)
    prob = np.exp(lp[np.arange(lp.shape[0]), best].astype(np.float64))
    quiet = [labels.blank, *(i for i in (labels.delimiter_index, labels.star) if i is not None)]
    is_quiet = np.isin(best, quiet)
    confident = prob >= th.speech_probability
    unit = "phone" if is_phone_model(labels.labels) else "character"
    ctx = DoubtContext(words, chars, timebase, th, unit)

    audio = untranscribed_audio(ctx, path, best, confident & ~is_quiet)
    clusters = poor_clusters(ctx, confident & is_quiet)
    unspoken = [c for c in clusters if c.kind == "unspoken-text"]
    low = [c for c in clusters if c.kind == "low-score"]
    audio = _absorb(unspoken, audio, th.merge_seconds)
    low = _absorb(audio, low, 0.0)
    for region in unspoken:
        _widen_to_neighbours(ctx, region)
    out = [finish(ctx, r) for r in [*unspoken, *audio]]
    covered = [(r.start, r.end) for r in out if r.kind == "untranscribed-audio"]
    out += [finish(ctx, d) for d in low]
    out += [r for r in long_words(ctx) if _covered_share(r, covered) <= 0.5]
    return sorted(out, key=lambda r: (r.start, r.end, r.kind))


def _widen_to_neighbours(ctx: DoubtContext, d: Draft) -> None:
    """Squeezed text borrows its frames from the words on either side, which are then pushed
    too (by a few frames, often with a fair score): take in the nearest aligned word each side."""
    words = ctx.words
    before = next((i for i in range(d.first - 1, -1, -1) if words[i].aligned), None)
    after = next((i for i in range(d.last, len(words)) if words[i].aligned), None)
    if before is not None:
        d.first, d.start = before, min(d.start, words[before].start)
    if after is not None:
        d.last, d.end = after + 1, max(d.end, words[after].end)


def _absorb(targets: list[Draft], sources: list[Draft], tolerance: float) -> list[Draft]:
    """Merge into each target the sources that overlap it (within ``tolerance`` seconds);
    returns the sources left over."""
    left = []
    for source in sources:
        hit = next(
            (
                t
                for t in targets
                if source.start < t.end + tolerance and t.start < source.end + tolerance
            ),
            None,
        )
        if hit is None:
            left.append(source)
        else:
            hit.take(source)
    return left


def _covered_share(region: DoubtfulRegion, spans: list[tuple[float, float]]) -> float:
    length = region.end - region.start
    if length <= 0:
        return 0.0
    covered = sum(max(0.0, min(b, region.end) - max(a, region.start)) for a, b in spans)
    return covered / length
