"""The alignment trellis for display: how well each token can have been reached by each frame.

``trellis[t, j]`` is the best log-score of a CTC path over frames ``0..t`` (the same topology and
recursion as :mod:`aligner_gui.core.alignment.viterbi`) whose state at frame ``t`` is token ``j`` or the
blank right after it, i.e. whose last emitted token at or before ``t`` is ``tokens[j]``. It is
``-inf`` where no path prefix can be there (e.g. token ``j`` before frame ``j``). Only the past
constrains it: the need to emit the remaining tokens in the remaining frames is not applied.

Consequences the views rely on: ``trellis[T - 1, L - 1]`` is the forced path's score, and the
forced path's cell at frame ``t`` (see :func:`path_cells`) is always finite, with the path's own
prefix score at most the cell's value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from aligner_gui.core.alignment.viterbi import CtcTopology, ForcedPath


def build_trellis(log_probs: np.ndarray, tokens: Sequence[int], blank: int) -> np.ndarray:
    """float32 (T, L), as defined in the module docstring. Memory is ``4 * T * L`` bytes; use
    :func:`trellis_window` for the visible part of a long file."""
    lp = np.asarray(log_probs)
    return trellis_window(lp, tokens, blank, (0, lp.shape[0]), (0, len(tokens)))


def trellis_window(
    log_probs: np.ndarray,
    tokens: Sequence[int],
    blank: int,
    frame_range: tuple[int, int],
    token_range: tuple[int, int],
) -> np.ndarray:
    """float32 (f1 - f0, j1 - j0): ``build_trellis(...)[f0:f1, j0:j1]`` without building the rest.

    Runs the recursion over frames ``0..f1`` (time O(f1 * L)) but keeps only the window.
    """
    topo = CtcTopology(log_probs, tokens, blank)
    f0, f1 = frame_range
    j0, j1 = token_range
    if not (0 <= f0 <= f1 <= topo.num_frames and 0 <= j0 <= j1 <= topo.num_tokens):
        raise ValueError(
            f"window {frame_range} x {token_range} is outside {topo.num_frames} frames "
            f"x {topo.num_tokens} tokens"
        )
    out = np.empty((f1 - f0, j1 - j0), dtype=np.float32)
    if f1 == f0 or j1 == j0:
        return out
    # Token j's own state is 2j + 1, the blank after it 2j + 2.
    tok_states = slice(2 * j0 + 1, 2 * j1 + 1, 2)
    blank_states = slice(2 * j0 + 2, 2 * j1 + 2, 2)
    alpha = topo.initial()
    if f0 > 0:
        alpha = topo.run(alpha, 0, f0)
    nxt = np.empty_like(alpha)
    for c0 in range(f0, f1, topo.chunk_frames):
        c1 = min(f1, c0 + topo.chunk_frames)
        emit = topo.emissions(c0, c1)
        for i in range(c1 - c0):
            topo.step(alpha, emit[i], nxt, None)
            alpha, nxt = nxt, alpha
            np.maximum(alpha[tok_states], alpha[blank_states], out=out[c0 - f0 + i])
    return out


def path_cells(path: ForcedPath) -> tuple[np.ndarray, np.ndarray]:
    """(frames, token positions) of the path over the trellis: for each frame, the index of the
    last token emitted at or before it, -1 before the first token."""
    frames = np.arange(path.num_frames, dtype=np.int64)
    # Token indices only grow along a path, so a running maximum is "last emitted so far".
    positions = np.maximum.accumulate(path.token_index.astype(np.int64))
    return frames, positions
