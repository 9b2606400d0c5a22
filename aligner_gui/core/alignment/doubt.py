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
from dataclasses import dataclass

import numpy as np

from aligner_gui.core.alignment.anchors import greedy_labels
from aligner_gui.core.alignment.segments import CharSegment, WordSegment
from aligner_gui.core.alignment.viterbi import ForcedPath
from aligner_gui.core.base.labels import LabelSet
from aligner_gui.core.base.timebase import TimeBase

KINDS = ("long-word", "low-score", "unspoken-text", "untranscribed-audio")


@dataclass(frozen=True)
class DoubtfulRegion:
    start: float  # seconds, [start, end)
    end: float
    kind: str  # one of KINDS
    words: tuple[int, int]  # word index range [first, last) concerned; empty between two words
    message: str  # one sentence for the user


@dataclass(frozen=True)
class DoubtThresholds:
    long_word_seconds: float = 1.5
    long_word_factor: float = 4.0
    long_char_seconds: float = 1.0
    long_char_factor: float = 8.0
    speech_probability: float = 0.5
    explain_frames: int = 2
    untranscribed_density: float = 0.1
    baseline_factor: float = 2.5
    window_seconds: float = 1.0
    untranscribed_seconds: float = 1.0
    merge_seconds: float = 2.0
    low_probability: float = 0.2
    min_words: int = 3
    squeezed_frames_per_char: float = 1.6
    silent_share: float = 0.7


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
    ctx = _Context(words, chars, timebase, th)

    audio = _untranscribed(ctx, path, best, confident & ~is_quiet)
    clusters = _poor_clusters(ctx, confident & is_quiet)
    unspoken = [c for c in clusters if c.kind == "unspoken-text"]
    low = [c for c in clusters if c.kind == "low-score"]
    audio = _absorb(unspoken, audio, th.merge_seconds)
    low = _absorb(audio, low, 0.0)
    for region in unspoken:
        _widen_to_neighbours(ctx, region)
    out = [r.finish(ctx) for r in [*unspoken, *audio]]
    covered = [(r.start, r.end) for r in out if r.kind == "untranscribed-audio"]
    out += [d.finish(ctx) for d in low]
    out += [r for r in _long_words(ctx) if _covered_share(r, covered) <= 0.5]
    return sorted(out, key=lambda r: (r.start, r.end, r.kind))


def _widen_to_neighbours(ctx: _Context, d: _Draft) -> None:
    """Squeezed text borrows its frames from the words on either side, which are then pushed
    too (by a few frames, often with a fair score): take in the nearest aligned word each side."""
    words = ctx.words
    before = next((i for i in range(d.first - 1, -1, -1) if words[i].aligned), None)
    after = next((i for i in range(d.last, len(words)) if words[i].aligned), None)
    if before is not None:
        d.first, d.start = before, min(d.start, words[before].start)
    if after is not None:
        d.last, d.end = after + 1, max(d.end, words[after].end)


class _Context:
    def __init__(
        self,
        words: Sequence[WordSegment],
        chars: Sequence[CharSegment],
        timebase: TimeBase,
        th: DoubtThresholds,
    ) -> None:
        self.words = words
        self.chars = chars
        self.timebase = timebase
        self.th = th
        self.frame = timebase.frame_seconds
        per_char = [
            (w.end - w.start) / (w.char_end - w.char_start)
            for w in words
            if w.aligned and w.char_end > w.char_start
        ]
        typical = float(np.median(per_char)) if per_char else 0.07
        self.typical_char = min(max(typical, self.frame), 0.2)

    def is_long(self, word: WordSegment) -> bool:
        n = word.char_end - word.char_start
        limit = max(self.th.long_word_seconds, self.th.long_word_factor * n * self.typical_char)
        return word.end - word.start > limit

    def name(self, w: int) -> str:
        return f"\u2018{self.words[w].label}\u2019"

    def span(self, start: float, end: float) -> str:
        return f"{clock(start)}\u2013{clock(end)}"

    def frames(self, start: float, end: float) -> slice:
        a = self.timebase.seconds_to_frame(start)
        return slice(a, max(a + 1, self.timebase.seconds_to_frame(end)))


@dataclass
class _Draft:
    """A region being assembled; its message is written once its extent is final."""

    kind: str
    start: float
    end: float
    first: int  # word range [first, last)
    last: int
    members: list[int]  # the poor words of a cluster (empty for audio regions)

    def take(self, other: _Draft) -> None:
        self.start, self.end = min(self.start, other.start), max(self.end, other.end)
        if other.last > other.first:
            if self.last > self.first:
                self.first, self.last = min(self.first, other.first), max(self.last, other.last)
            else:
                self.first, self.last = other.first, other.last

    def finish(self, ctx: _Context) -> DoubtfulRegion:
        if self.kind == "untranscribed-audio":
            return _audio_region(ctx, self)
        return _cluster_region(ctx, self)


def _absorb(targets: list[_Draft], sources: list[_Draft], tolerance: float) -> list[_Draft]:
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


# --- untranscribed audio -------------------------------------------------------------------------


def _untranscribed(
    ctx: _Context, path: ForcedPath, best: np.ndarray, speech: np.ndarray
) -> list[_Draft]:
    """Regions dense in confident speech frames whose label the path does not emit nearby."""
    th = ctx.th
    T = best.size
    explained = np.zeros(T, dtype=bool)
    labels = path.labels
    for d in range(-th.explain_frames, th.explain_frames + 1):
        a, b = max(0, d), min(T, T + d)  # frame t against the path at frame t - d
        explained[a:b] |= labels[a - d : b - d] == best[a:b]
    unexplained = speech & ~explained
    window = max(1, round(th.window_seconds / ctx.frame))
    density = np.convolve(unexplained.astype(np.float64), np.ones(window) / window, mode="same")
    # A weak model misreads everywhere: judge density against its rate inside ordinary words.
    in_words = np.zeros(T, dtype=bool)
    for w in ctx.words:
        if w.aligned and w.char_end > w.char_start and not ctx.is_long(w):
            in_words[ctx.frames(w.start, w.end)] = True
    baseline = float(unexplained[in_words].mean()) if in_words.any() else 0.0
    threshold = max(th.untranscribed_density, th.baseline_factor * baseline)
    merge = round(th.merge_seconds / ctx.frame)
    spans: list[list[int]] = []
    for a, b in _runs(density >= threshold):
        hits = np.flatnonzero(unexplained[a:b])
        if hits.size == 0:
            continue
        a, b = a + int(hits[0]), a + int(hits[-1]) + 1
        if spans and a - spans[-1][1] <= merge:
            spans[-1][1] = b
        else:
            spans.append([a, b])
    minimum = th.untranscribed_seconds / ctx.frame
    out = []
    for a, b in spans:
        if b - a < minimum:
            continue
        start, end = ctx.timebase.frame_to_seconds(a), ctx.timebase.frame_to_seconds(b)
        touched = [i for i, w in enumerate(ctx.words) if min(w.end, end) > max(w.start, start)]
        if touched:
            first, last = touched[0], touched[-1] + 1
        else:
            first = last = next(
                (i for i, w in enumerate(ctx.words) if w.start >= end), len(ctx.words)
            )
        out.append(_Draft("untranscribed-audio", start, end, first, last, []))
    return out


def _audio_region(ctx: _Context, d: _Draft) -> DoubtfulRegion:
    words = ctx.words
    text = (
        f"About {d.end - d.start:.1f} s of speech ({ctx.span(d.start, d.end)}) "
        "is not in the transcript"
    )
    if d.last > d.first:
        share, holder = max(
            (min(words[i].end, d.end) - max(words[i].start, d.start), i)
            for i in range(d.first, d.last)
        )
        if share > 0.5 * (d.end - d.start):
            text += f"; the alignment stretches the word {ctx.name(holder)} over it."
        elif d.last - d.first == 1:
            text += f"; the word {ctx.name(d.first)} drifts into it."
        else:
            text += f"; the words {ctx.name(d.first)} to {ctx.name(d.last - 1)} drift into it."
    elif d.first == 0:
        text += " (before the first word)."
    elif d.first == len(words):
        text += " (after the last word)."
    else:
        text += f" (between the words {ctx.name(d.first - 1)} and {ctx.name(d.first)})."
    return DoubtfulRegion(d.start, d.end, d.kind, (d.first, d.last), text)


# --- poorly fitting words ------------------------------------------------------------------------


def _poor_clusters(ctx: _Context, quiet: np.ndarray) -> list[_Draft]:
    """Clusters of poor words, classified as unspoken-text or low-score."""
    th = ctx.th
    words = ctx.words
    poor = [
        i
        for i, w in enumerate(words)
        if w.aligned and w.char_end > w.char_start and w.score < th.low_probability
    ]
    groups: list[list[int]] = []
    for i in poor:
        if groups and words[i].start - words[groups[-1][-1]].end <= th.merge_seconds:
            groups[-1].append(i)
        else:
            groups.append([i])
    out = []
    for members in groups:
        if len(members) < th.min_words:
            continue
        unspoken = sum(_looks_unspoken(ctx, quiet, w) for w in members)
        kind = "unspoken-text" if 2 * unspoken >= len(members) else "low-score"
        first, last = members[0], members[-1] + 1
        out.append(_Draft(kind, words[first].start, words[last - 1].end, first, last, members))
    return out


def _looks_unspoken(ctx: _Context, quiet: np.ndarray, w: int) -> bool:
    word = ctx.words[w]
    frames_per_char = (word.end - word.start) / ctx.frame / (word.char_end - word.char_start)
    if frames_per_char <= ctx.th.squeezed_frames_per_char:
        return True
    window = quiet[ctx.frames(word.start, word.end)]
    return window.size > 0 and float(window.mean()) >= ctx.th.silent_share


def _cluster_region(ctx: _Context, d: _Draft) -> DoubtfulRegion:
    n = d.last - d.first
    names = (
        f"The word {ctx.name(d.first)}"
        if n == 1
        else f"{n} words from {ctx.name(d.first)} to {ctx.name(d.last - 1)}"
    )
    span = ctx.span(d.start, d.end)
    if d.kind == "unspoken-text":
        verb = "seems" if n == 1 else "seem"
        message = (
            f"{names} {verb} not to be spoken ({span}): {len(d.members)} of them are squeezed "
            "into too little time or placed where the model hears silence."
        )
    else:
        probability = float(np.mean([ctx.words[w].score for w in d.members]))
        verb = "fits" if n == 1 else "fit"
        message = f"{names} ({span}) {verb} the audio poorly (mean probability {probability:.2f})."
    return DoubtfulRegion(d.start, d.end, d.kind, (d.first, d.last), message)


# --- long words ----------------------------------------------------------------------------------


def _long_words(ctx: _Context) -> list[DoubtfulRegion]:
    th = ctx.th
    chars = ctx.chars
    char_limit = max(th.long_char_seconds, th.long_char_factor * ctx.typical_char)
    out = []
    for w, word in enumerate(ctx.words):
        n = word.char_end - word.char_start
        if not word.aligned or n == 0:
            continue
        duration = word.end - word.start
        span = f"({ctx.span(word.start, word.end)})"
        if ctx.is_long(word):
            message = f"{duration:.1f} s absorbed by the word {ctx.name(w)} {span}."
        else:
            longest = max(
                range(word.char_start, word.char_end), key=lambda c: chars[c].end - chars[c].start
            )
            held = chars[longest].end - chars[longest].start
            if held <= char_limit:
                continue
            message = (
                f"The character \u2018{chars[longest].label}\u2019 of the word {ctx.name(w)} "
                f"is held for {held:.1f} s {span}."
            )
        out.append(DoubtfulRegion(word.start, word.end, "long-word", (w, w + 1), message))
    return out


# --- helpers -------------------------------------------------------------------------------------


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _covered_share(region: DoubtfulRegion, spans: list[tuple[float, float]]) -> float:
    length = region.end - region.start
    if length <= 0:
        return 0.0
    covered = sum(max(0.0, min(b, region.end) - max(a, region.start)) for a, b in spans)
    return covered / length


def clock(seconds: float) -> str:
    """A time for messages: 12.4 -> "0:12.4", 3723.0 -> "1:02:03.0"."""
    tenths = max(0, round(seconds * 10))
    minutes, rest = divmod(tenths, 600)
    hours, minutes = divmod(minutes, 60)
    text = f"{rest // 10:02d}.{rest % 10}"
    return f"{hours}:{minutes:02d}:{text}" if hours else f"{minutes}:{text}"
