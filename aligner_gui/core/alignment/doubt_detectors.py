"""The doubt detectors: untranscribed audio, clusters of poorly fitting words (unspoken text or
low scores) and long words, each with its message (see :mod:`aligner_gui.core.alignment.doubt`)."""

from __future__ import annotations

import numpy as np

from aligner_gui.core.alignment.doubt_context import DoubtContext, DoubtfulRegion, Draft
from aligner_gui.core.alignment.viterbi import ForcedPath


def finish(ctx: DoubtContext, d: Draft) -> DoubtfulRegion:
    """The region ``d`` with its message, written once its extent is final."""
    if d.kind == "untranscribed-audio":
        return audio_region(ctx, d)
    return cluster_region(ctx, d)


# --- untranscribed audio -------------------------------------------------------------------------


def untranscribed_audio(
    ctx: DoubtContext, path: ForcedPath, best: np.ndarray, speech: np.ndarray
) -> list[Draft]:
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
    for a, b in runs(density >= threshold):
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
        out.append(Draft("untranscribed-audio", start, end, first, last, []))
    return out


def audio_region(ctx: DoubtContext, d: Draft) -> DoubtfulRegion:
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


def poor_clusters(ctx: DoubtContext, quiet: np.ndarray) -> list[Draft]:
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
        out.append(Draft(kind, words[first].start, words[last - 1].end, first, last, members))
    return out


def _looks_unspoken(ctx: DoubtContext, quiet: np.ndarray, w: int) -> bool:
    word = ctx.words[w]
    frames_per_char = (word.end - word.start) / ctx.frame / (word.char_end - word.char_start)
    if frames_per_char <= ctx.th.squeezed_frames_per_char:
        return True
    window = quiet[ctx.frames(word.start, word.end)]
    return window.size > 0 and float(window.mean()) >= ctx.th.silent_share


def cluster_region(ctx: DoubtContext, d: Draft) -> DoubtfulRegion:
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


def long_words(ctx: DoubtContext) -> list[DoubtfulRegion]:
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
                f"The {ctx.unit} \u2018{chars[longest].label}\u2019 of the word {ctx.name(w)} "
                f"is held for {held:.1f} s {span}."
            )
        out.append(DoubtfulRegion(word.start, word.end, "long-word", (w, w + 1), message))
    return out


# --- helpers -------------------------------------------------------------------------------------


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
