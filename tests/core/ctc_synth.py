"""Synthetic CTC emissions from a "perfect model" with noise, for alignment tests and benchmarks.

The spoken text is tokenised with the project's own tokenizer, every token gets a duration (1-3
frames, peaky like a real CTC model) with blanks around it and an occasional pause before a word,
and each frame's logits favour its true label by a random margin, with Gaussian noise and rare
confusions with another label. The truth (frame of every token and word) is returned, so tests
know exactly where a correct alignment puts each boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS, LabelSet
from aligner_gui.core.io.transcript import Tokenized, tokenize

LETTERS = "ETAONIHSRDLUMWCFGYPBVK"  # English letters by frequency, most common first
FRAME_SECONDS = 0.02  # 320-sample frames at 16 kHz, as wav2vec2


def vocabulary(rng: np.random.Generator, size: int = 2000) -> list[str]:
    """Pseudo-words of 1-10 letters (frequent letters more often), distinct."""
    weights = 1.0 / np.arange(1, len(LETTERS) + 1) ** 0.8
    weights /= weights.sum()
    words: set[str] = set()
    while len(words) < size:
        n = int(rng.choice([1, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9, 10]))
        words.add("".join(rng.choice(list(LETTERS), size=n, p=weights)))
    return sorted(words)


def sentence(rng: np.random.Generator, vocab: list[str], n_words: int) -> list[str]:
    """``n_words`` words drawn with Zipf-like frequencies, so short common words repeat."""
    ranks = np.arange(1, len(vocab) + 1, dtype=np.float64)
    p = 1.0 / ranks**1.05
    p /= p.sum()
    order = rng.permutation(len(vocab))
    return [vocab[order[i]] for i in rng.choice(len(vocab), size=n_words, p=p)]


@dataclass(frozen=True)
class Spoken:
    tokenized: Tokenized  # the text actually spoken
    frame_labels: np.ndarray  # int64 (T,): the true label of each frame
    token_frames: np.ndarray  # int64 (L, 2): [start, end) frames of each spoken token
    word_frames: np.ndarray  # int64 (n_words, 2): [first char start, last char end) per word
    log_probs: np.ndarray  # float32 (T, C)

    @property
    def num_frames(self) -> int:
        return int(self.frame_labels.size)


def speak(
    rng: np.random.Generator,
    words: list[str],
    labels: LabelSet = ENGLISH_ASR_LABELS,
    *,
    pause_probability: float = 0.05,
    peak: float = 8.0,
    noise: float = 1.0,
    confusion: float = 0.02,
) -> Spoken:
    """Emissions of a model that hears ``words`` spoken at ~14 characters per second."""
    tok = tokenize(" ".join(words), labels)
    tokens = np.asarray(tok.tokens, dtype=np.int64)
    L = tokens.size
    delimiter = labels.delimiter_index
    lead = rng.choice([0, 1, 2, 3], size=L, p=[0.15, 0.3, 0.35, 0.2])
    dur = rng.choice([1, 2, 3], size=L, p=[0.55, 0.35, 0.10])
    if L > 1:  # a repeated label needs a blank between its two occurrences
        lead[1:] = np.where(tokens[1:] == tokens[:-1], np.maximum(lead[1:], 1), lead[1:])
    if delimiter is not None:
        is_delim = tokens == delimiter
        dur[is_delim] = 1
        pauses = is_delim & (rng.random(L) < pause_probability)
        lead[pauses] += rng.integers(10, 50, size=int(pauses.sum()))
    tail = int(rng.integers(5, 20))
    starts = np.cumsum(lead) + np.concatenate(([0], np.cumsum(dur)[:-1]))
    ends = starts + dur
    T = int(ends[-1]) + tail
    frame_labels = np.full(T, labels.blank, dtype=np.int64)
    owner = np.repeat(np.arange(L), dur)
    frames = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
    frame_labels[frames] = tokens[owner]
    token_frames = np.stack([starts, ends], axis=1).astype(np.int64)
    word_frames = _word_frames(tok, token_frames)
    return Spoken(
        tok,
        frame_labels,
        token_frames,
        word_frames,
        emissions(rng, frame_labels, len(labels), labels.blank, peak, noise, confusion),
    )


def _word_frames(tok: Tokenized, token_frames: np.ndarray) -> np.ndarray:
    out = np.zeros((len(tok.words), 2), dtype=np.int64)
    tw = np.asarray(tok.token_word)
    for w in range(len(tok.words)):
        ks = np.flatnonzero(tw == w)
        out[w] = (token_frames[ks[0], 0], token_frames[ks[-1], 1])
    return out


def emissions(
    rng: np.random.Generator,
    frame_labels: np.ndarray,
    num_labels: int,
    blank: int,
    peak: float = 8.0,
    noise: float = 1.0,
    confusion: float = 0.02,
) -> np.ndarray:
    """float32 log-softmax: each frame's true label leads by ~``peak`` nats over Gaussian noise;
    blank keeps some mass on character frames; a ``confusion`` share of frames has a strong
    wrong label too (which sometimes wins)."""
    T = frame_labels.size
    logits = rng.standard_normal((T, num_labels)) * noise
    rows = np.arange(T)
    logits[rows, frame_labels] += peak + rng.standard_normal(T)
    logits[:, blank] += np.where(frame_labels != blank, peak * 0.4, 0.0)
    confused = np.flatnonzero(rng.random(T) < confusion)
    logits[confused, rng.integers(0, num_labels, confused.size)] += peak * rng.uniform(
        0.6, 1.1, confused.size
    )
    logits -= logits.max(axis=1, keepdims=True)
    logits -= np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return logits.astype(np.float32)


def noise_emissions(
    rng: np.random.Generator, T: int, num_labels: int, scale: float = 1.0
) -> np.ndarray:
    """Flat, uninformative emissions (a recording the model cannot read)."""
    logits = rng.standard_normal((T, num_labels)) * scale
    logits -= logits.max(axis=1, keepdims=True)
    logits -= np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return logits.astype(np.float32)
