"""From a forced path to timed characters and words, in seconds on the half-open convention.

A token's span is the run of frames its state occupies; the blank frames around it belong to no
token. A word runs from its first character's start to its last character's end, so the blanks
and the word-delimiter token between words are left out of both neighbours.

Words without alignable tokens (``aligned=False``: nothing in them is in the model's alphabet)
are given interpolated boundaries so that every word still gets an interval:

* a run of consecutive unaligned words shares the gap between the previous aligned word's end
  (0 at the start of the file) and the next aligned word's start (``duration`` at its end),
  split into equal parts;
* when that gap is narrower than one frame per unaligned word, the missing width is borrowed
  half from each aligned neighbour (all of it from one neighbour at the file's edge), taking at
  most a third of the neighbour's edge character, whose boundary (and its word's) moves with it;
  the run then shares the widened gap equally. The result may still be narrower than a frame
  per word, but has positive width whenever a neighbour has;
* when no word is aligned, all words share [0, duration] equally.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from aligner_gui.core.alignment.viterbi import ForcedPath
from aligner_gui.core.base.timebase import TimeBase

# Share of an aligned neighbour's edge character that unaligned words may borrow (from each side).
_MAX_BORROW = 1.0 / 3.0


@dataclass(frozen=True)
class TokenSpan:
    token_index: int  # position in the token sequence
    label: int  # label index
    start_frame: int  # inclusive
    end_frame: int  # exclusive
    score: float  # mean frame probability (exp of log-prob) over the span's frames


@dataclass(frozen=True)
class CharSegment:
    label: str  # the character as in the model's labels (or the star)
    start: float  # seconds, [start, end)
    end: float
    score: float
    word_index: int


@dataclass(frozen=True)
class WordSegment:
    label: str  # the user's original spelling
    start: float
    end: float
    score: float  # mean frame probability over the word's token frames (NaN if unaligned)
    aligned: bool  # False: no alignable tokens; boundaries interpolated between neighbours
    char_start: int  # index of its first CharSegment in the chars list
    char_end: int  # exclusive


class WordLike(Protocol):
    @property
    def original(self) -> str: ...

    @property
    def aligned(self) -> bool: ...


def token_spans(path: ForcedPath, num_tokens: int) -> list[TokenSpan]:
    """One span per token, in token order: the consecutive frames the path spends on it."""
    idx = path.token_index
    probs = np.exp(path.frame_scores.astype(np.float64))
    frames = np.flatnonzero(idx >= 0)
    occupied = idx[frames]
    # Boundaries of runs of equal token_index among the non-blank frames.
    breaks = np.flatnonzero(np.diff(occupied) != 0) + 1
    starts = np.concatenate(([0], breaks)) if frames.size else np.zeros(0, dtype=np.int64)
    ends = np.concatenate((breaks, [frames.size])) if frames.size else np.zeros(0, dtype=np.int64)
    if starts.size != num_tokens or not np.array_equal(occupied[starts], np.arange(num_tokens)):
        raise ValueError(f"the path does not visit tokens 0..{num_tokens - 1} once each, in order")
    spans: list[TokenSpan] = []
    for k, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        first, last = int(frames[a]), int(frames[b - 1])
        if last - first + 1 != b - a:
            raise ValueError(f"token {k} does not occupy consecutive frames")
        spans.append(
            TokenSpan(
                token_index=k,
                label=int(path.labels[first]),
                start_frame=first,
                end_frame=last + 1,
                score=float(probs[first : last + 1].mean()),
            )
        )
    return spans


def build_segments(
    spans: Sequence[TokenSpan],
    token_word: Sequence[int],
    words: Sequence[WordLike],
    labels: Sequence[str],
    timebase: TimeBase,
    duration: float,
) -> tuple[list[WordSegment], list[CharSegment]]:
    """Timed words and characters. ``token_word[k]`` is token k's word index, -1 for a word
    delimiter (which yields no character). A word is aligned exactly when it has tokens, which
    must agree with its ``aligned`` flag. Times are clamped to [0, duration]."""
    if len(token_word) != len(spans):
        raise ValueError(f"token_word has {len(token_word)} entries for {len(spans)} spans")
    n_words = len(words)
    word_tokens: list[list[int]] = [[] for _ in range(n_words)]
    last_word = -1
    for k, w in enumerate(token_word):
        if w == -1:
            continue
        if not 0 <= w < n_words:
            raise ValueError(f"token {k} maps to word {w}, outside the {n_words} words")
        if w < last_word or (w == last_word and word_tokens[w][-1] != k - 1):
            raise ValueError(f"the tokens of word {w} are not consecutive and in word order")
        word_tokens[w].append(k)
        last_word = w
    for w, word in enumerate(words):
        if bool(word_tokens[w]) != bool(word.aligned):
            raise ValueError(
                f"word {w} ({word.original!r}) is marked aligned={word.aligned} "
                f"but has {len(word_tokens[w])} tokens"
            )

    def seconds(frame: int) -> float:
        return min(max(timebase.frame_to_seconds(frame), 0.0), duration)

    chars: list[CharSegment] = []
    result: list[WordSegment] = []
    for w, word in enumerate(words):
        first_char = len(chars)
        frames = 0
        weighted = 0.0
        for k in word_tokens[w]:
            sp = spans[k]
            chars.append(
                CharSegment(
                    label=labels[sp.label],
                    start=seconds(sp.start_frame),
                    end=seconds(sp.end_frame),
                    score=sp.score,
                    word_index=w,
                )
            )
            n = sp.end_frame - sp.start_frame
            frames += n
            weighted += sp.score * n
        if word_tokens[w]:
            result.append(
                WordSegment(
                    label=word.original,
                    start=chars[first_char].start,
                    end=chars[-1].end,
                    score=weighted / frames if frames else math.nan,
                    aligned=True,
                    char_start=first_char,
                    char_end=len(chars),
                )
            )
        else:
            result.append(
                WordSegment(word.original, 0.0, 0.0, math.nan, False, first_char, first_char)
            )
    _interpolate_unaligned(result, chars, timebase.frame_seconds, duration)
    return result, chars


def _interpolate_unaligned(
    words: list[WordSegment], chars: list[CharSegment], min_width: float, duration: float
) -> None:
    """Give unaligned words boundaries in place (see the module docstring)."""
    n = len(words)
    if n == 0:
        return
    if not any(w.aligned for w in words):
        _spread(words, range(n), 0.0, duration)
        return
    # Original widths of the edge characters, so each side lends at most a third of them.
    lendable = {i: (c.end - c.start) * _MAX_BORROW for i, c in enumerate(chars)}
    i = 0
    while i < n:
        if words[i].aligned:
            i += 1
            continue
        j = i
        while j < n and not words[j].aligned:
            j += 1
        run = range(i, j)  # unaligned words i..j-1; neighbours i-1 and j (when they exist)
        left = words[i - 1].end if i > 0 else 0.0
        right = words[j].start if j < n else duration
        need = len(run) * min_width - (right - left)
        if need > 0:
            has_left, has_right = i > 0, j < n
            share = need / 2 if has_left and has_right else need
            if has_left:
                left -= _borrow(words, chars, lendable, i - 1, share, from_end=True)
            if has_right:
                right += _borrow(words, chars, lendable, j, share, from_end=False)
        _spread(words, run, left, max(left, right))
        i = j


def _borrow(
    words: list[WordSegment],
    chars: list[CharSegment],
    lendable: dict[int, float],
    w: int,
    amount: float,
    *,
    from_end: bool,
) -> float:
    """Shrink aligned word ``w`` at one edge by up to ``amount`` seconds; returns what it gave."""
    word = words[w]
    c = word.char_end - 1 if from_end else word.char_start
    given = min(amount, lendable[c])
    if given <= 0:
        return 0.0
    ch = chars[c]
    if from_end:
        chars[c] = replace(ch, end=ch.end - given)
        words[w] = replace(word, end=word.end - given)
    else:
        chars[c] = replace(ch, start=ch.start + given)
        words[w] = replace(word, start=word.start + given)
    return given


def _spread(words: list[WordSegment], run: range, left: float, right: float) -> None:
    width = (right - left) / len(run)
    for k, w in enumerate(run):
        end = right if k == len(run) - 1 else left + (k + 1) * width
        words[w] = replace(words[w], start=left + k * width, end=end)
