"""Anchors for long alignments: where the greedy CTC reading of the emissions surely matches the
transcript.

k-grams of tokens that occur exactly once in both the transcript and the greedy (argmax) reading
are paired; gaps between matches are searched again with half-length k-grams (unique within the
gap); lone matches are dropped as possible coincidences; and the largest subset one path could pass
through (enough frames for the tokens between any two anchors) is kept. An anchor says "token j
is emitted at about frame f". :mod:`aligner_gui.core.alignment.long_align` runs the Viterbi in a band
around them.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np

_ARGMAX_FRAMES = 1 << 16  # frames per argmax block: bounds the copy made to mask the star
_REFINE_TOKENS = 48  # gaps between anchors longer than this are searched with shorter k-grams
_RUN_TOKENS = 32  # anchors this close (and _RUN_FRAMES) support each other
_RUN_FRAMES = 250


def greedy_labels(log_probs: np.ndarray, star: int | None = None) -> np.ndarray:
    """int64 (T,): each frame's most probable label, never the star."""
    lp = np.asarray(log_probs)
    out = np.empty(lp.shape[0], dtype=np.int64)
    for a in range(0, lp.shape[0], _ARGMAX_FRAMES):
        block = lp[a : a + _ARGMAX_FRAMES]
        if star is not None:
            block = block.copy()
            block[:, star] = -np.inf
        out[a : a + block.shape[0]] = block.argmax(axis=1)
    return out


def find_anchors(
    log_probs: np.ndarray,
    tokens: Sequence[int] | np.ndarray,
    blank: int,
    *,
    star: int | None = None,
    kgram: int = 10,
) -> tuple[np.ndarray, np.ndarray]:
    """(frames, token positions), both int64 and strictly increasing: where the greedy reading of
    the emissions and the transcript agree on a k-gram that each contains exactly once.

    Each matched k-gram gives one anchor, its middle token at the frame where the greedy reading
    starts that token. The anchors kept are the largest set one path can pass through: between
    anchors (f_a, j_a) and (f_b, j_b) there must be at least the frames that the tokens j_a..j_b
    need (one each, plus a blank between adjacent repeats), and the same before the first and
    after the last.
    """
    toks = np.asarray(tokens, dtype=np.int64)
    empty = np.zeros(0, dtype=np.int64)
    best = greedy_labels(log_probs, star)
    T = best.size
    starts = np.ones(T, dtype=bool)
    starts[1:] = best[1:] != best[:-1]
    starts &= best != blank
    hyp_frames = np.flatnonzero(starts)
    hyp = best[hyp_frames]
    if hyp.size == 0:
        return empty, empty
    # key[j]: the earliest frame at which token j can be emitted; a set of anchors is passable
    # exactly when frame - key[token] is non-decreasing and within [0, T - 1 - key[L - 1]].
    repeats = np.zeros(toks.size, dtype=np.int64)
    repeats[1:] = toks[1:] == toks[:-1]
    key = np.arange(toks.size, dtype=np.int64) + np.cumsum(repeats)
    latest = T - 1 - int(key[-1])

    def passable(tok: np.ndarray, frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(tok, kind="stable")
        tok, frame = tok[order], frame[order]
        slack = frame - key[tok]
        ok = (slack >= 0) & (slack <= latest)
        chain = _longest_non_decreasing(slack[ok])
        return frame[ok][chain], tok[ok][chain]

    k = kgram
    p, q = _unique_common_kgrams(toks, hyp, k)
    frames, positions = passable(p + k // 2, hyp_frames[q + k // 2])
    # Gaps between anchors (a poor model, a stretch of mismatch) are searched again with shorter
    # k-grams, which are unique within the gap though not within the whole transcript.
    small = max(3, kgram // 2)
    if small < kgram:
        extra_tok, extra_frame = [], []
        bounds_f = np.concatenate(([-1], frames, [T]))
        bounds_j = np.concatenate(([-1], positions, [toks.size]))
        for i in np.flatnonzero(np.diff(bounds_j) > _REFINE_TOKENS).tolist():
            j0, j1 = int(bounds_j[i]) + 1, int(bounds_j[i + 1])
            h0, h1 = np.searchsorted(hyp_frames, [bounds_f[i] + 1, bounds_f[i + 1]])
            if j1 - j0 < small or h1 - h0 < small:
                continue
            p, q = _unique_common_kgrams(toks[j0:j1], hyp[h0:h1], small)
            extra_tok.append(p + j0 + small // 2)
            extra_frame.append(hyp_frames[q + h0 + small // 2])
        if extra_tok:
            frames, positions = passable(
                np.concatenate([positions, *extra_tok]), np.concatenate([frames, *extra_frame])
            )
    # A lone short match can be a coincidence that drags the band off the path: keep anchors in
    # runs that span at least `small` tokens (two separate matches, or one long match).
    keep = _in_long_runs(frames, positions, small)
    frames, positions = passable(positions[keep], frames[keep])
    return frames.astype(np.int64), positions.astype(np.int64)


def _in_long_runs(frames: np.ndarray, positions: np.ndarray, span: int) -> np.ndarray:
    """Mask of anchors in runs (neighbours at most _RUN_TOKENS tokens and _RUN_FRAMES frames
    apart) whose first and last tokens are at least ``span`` apart."""
    if positions.size == 0:
        return np.zeros(0, dtype=bool)
    breaks = (np.diff(positions) > _RUN_TOKENS) | (np.diff(frames) > _RUN_FRAMES)
    run = np.concatenate(([0], np.cumsum(breaks)))
    first = np.full(run[-1] + 1, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(run[-1] + 1, -1, dtype=np.int64)
    np.minimum.at(first, run, positions)
    np.maximum.at(last, run, positions)
    return (last - first)[run] >= span


def _kgram_hashes(x: np.ndarray, k: int) -> np.ndarray:
    """uint64 polynomial hash of every k-gram (wrapping arithmetic; matches are re-checked)."""
    n = x.size - k + 1
    h = np.zeros(n, dtype=np.uint64)
    base = np.uint64(1_000_003)
    vals = x.astype(np.uint64) + np.uint64(1)
    for m in range(k):
        h *= base
        h += vals[m : m + n]
    return h


def _unique_common_kgrams(a: np.ndarray, b: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Start positions (in a, in b) of k-grams that occur exactly once in each."""
    if a.size < k or b.size < k:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ha, hb = _kgram_hashes(a, k), _kgram_hashes(b, k)
    ua, ia, ca = np.unique(ha, return_index=True, return_counts=True)
    ub, ib, cb = np.unique(hb, return_index=True, return_counts=True)
    ua, ia = ua[ca == 1], ia[ca == 1]
    ub, ib = ub[cb == 1], ib[cb == 1]
    _, xa, xb = np.intersect1d(ua, ub, assume_unique=True, return_indices=True)
    p, q = ia[xa], ib[xb]
    wa = np.lib.stride_tricks.sliding_window_view(a, k)
    wb = np.lib.stride_tricks.sliding_window_view(b, k)
    same = np.all(wa[p] == wb[q], axis=1)
    return p[same].astype(np.int64), q[same].astype(np.int64)


def _longest_non_decreasing(values: np.ndarray) -> np.ndarray:
    """Indices of a longest non-decreasing subsequence (patience sorting, O(n log n))."""
    tails: list[int] = []  # smallest tail value of a subsequence of each length
    tail_index: list[int] = []
    parent = np.full(values.size, -1, dtype=np.int64)
    for i, v in enumerate(values.tolist()):
        pos = bisect.bisect_right(tails, v)
        if pos > 0:
            parent[i] = tail_index[pos - 1]
        if pos == len(tails):
            tails.append(v)
            tail_index.append(i)
        else:
            tails[pos] = v
            tail_index[pos] = i
    out: list[int] = []
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        out.append(i)
        i = int(parent[i])
    return np.array(out[::-1], dtype=np.int64)
