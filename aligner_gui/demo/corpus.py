"""Synthetic training and held-out utterances: English sentences, espeak voices, noise.

Words come from a real English word list, by default Debian's ``wamerican`` package
(``/usr/share/dict/words``, SCOWL-derived, permissive licence; ``apt-get install wamerican``).
Only its all-ASCII entries are used: lower-case words as content words, capitalised ones as names,
``'s`` forms as possessives. About 175 of the most frequent English words and common
contractions are listed here, because a flat dictionary sample would almost never say "the".

Sentences are word salad with English punctuation (commas, full stops, questions, exclamations,
apostrophes), which is all a CTC acoustic model needs. The held-out split differs from training in
its *sentences* (content words are split by a stable hash: a held-out sentence uses only held-out
content words), its *voices* (accents and variants never used in training) and its seed.

The utterances are a pure function of the seed, and their audio is too when they are synthesized in
order in a fresh process (see `aligner_gui.demo.espeak` on its state), for a given word list and
espeak-ng version.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from aligner_gui.core.base.errors import AlignerError

DEFAULT_WORD_LIST = Path("/usr/share/dict/words")
Split = Literal["train", "heldout"]

# Accent x variant: training and held-out sets share neither the accent nor the variant of a voice
# except through their combination (en-us appears in training only).
TRAIN_LANGUAGES = ("en-us", "en", "en-gb-x-rp", "en-029", "en-gb-x-gbclan")
TRAIN_VARIANTS = ("", "m1", "m2", "m3", "m4", "m5", "f1", "f2", "f3")
HELDOUT_LANGUAGES = ("en-gb-scotland", "en-us-nyc", "en-gb-x-gbcwmd")
HELDOUT_VARIANTS = ("m6", "m7", "f4", "f5")

# Rough relative frequencies of the commonest English words (counts per million, rounded).
FUNCTION_WORDS: dict[str, int] = {
    "the": 560, "of": 300, "and": 280, "to": 250, "a": 230, "in": 180, "is": 100, "it": 100,
    "you": 100, "that": 100, "he": 90, "was": 90, "for": 85, "on": 80, "are": 60, "with": 60,
    "as": 60, "I": 60, "his": 55, "they": 50, "be": 50, "at": 50, "one": 45, "have": 45,
    "this": 45, "from": 40, "or": 40, "had": 40, "by": 40, "not": 35, "but": 35, "what": 35,
    "some": 30, "we": 30, "can": 30, "out": 30, "other": 25, "were": 25, "all": 25, "there": 25,
    "when": 25, "up": 25, "use": 20, "your": 20, "how": 20, "said": 20, "an": 20, "each": 20,
    "she": 20, "which": 20, "do": 20, "their": 20, "time": 18, "if": 18, "will": 18, "way": 15,
    "about": 15, "many": 15, "then": 15, "them": 15, "would": 15, "write": 10, "like": 15,
    "so": 15, "these": 12, "her": 15, "long": 10, "make": 10, "thing": 10, "see": 10, "him": 12,
    "two": 10, "has": 12, "look": 10, "more": 12, "day": 10, "could": 10, "go": 10, "come": 10,
    "did": 10, "number": 8, "sound": 8, "no": 12, "most": 8, "people": 10, "my": 12, "over": 10,
    "know": 10, "water": 8, "than": 10, "call": 6, "first": 8, "who": 10, "may": 8, "down": 8,
    "side": 6, "been": 10, "now": 10, "find": 6, "any": 8, "new": 8, "work": 8, "part": 6,
    "take": 6, "get": 8, "place": 6, "made": 6, "live": 5, "where": 8, "after": 8, "back": 6,
    "little": 6, "only": 8, "round": 4, "man": 6, "year": 6, "came": 5, "show": 5, "every": 5,
    "good": 6, "me": 8, "give": 5, "our": 8, "under": 5, "name": 5, "very": 6, "through": 5,
    "just": 6, "form": 4, "much": 5, "great": 5, "think": 5, "say": 5, "help": 4, "low": 3,
    "line": 4, "before": 5, "turn": 3, "cause": 3, "same": 4, "mean": 3, "differ": 2, "move": 3,
    "right": 5, "boy": 3, "old": 4, "too": 4, "does": 4, "tell": 3, "sentence": 2, "set": 3,
    "three": 4, "want": 4, "air": 3, "well": 5, "also": 5, "play": 3, "small": 3, "end": 3,
    "put": 3, "home": 3, "read": 3, "hand": 3, "large": 3, "add": 2, "even": 4, "here": 4,
    "must": 4, "big": 3, "high": 3, "such": 4, "why": 4, "ask": 2, "men": 3, "went": 3,
}  # fmt: skip
CONTRACTIONS = (
    "don't", "it's", "I'm", "can't", "won't", "they're", "we'll", "you've", "isn't", "didn't",
    "that's", "there's", "I'd", "she'll", "he's", "let's", "wasn't", "aren't", "couldn't",
    "we're", "you're", "o'clock", "doesn't", "I've", "wouldn't", "what's", "haven't",
)  # fmt: skip


class WordListError(AlignerError):
    pass


@dataclass(frozen=True)
class Vocabulary:
    content: tuple[str, ...]
    names: tuple[str, ...]
    possessives: tuple[str, ...]


@dataclass(frozen=True)
class Utterance:
    """One synthetic recording to make: the text and how espeak and the noise should render it."""

    text: str
    voice: str  # espeak voice name with variant, e.g. "en-gb-x-rp+f2"
    rate: int  # words per minute
    pitch: int  # 0-100
    pitch_range: int  # 0-100
    snr_db: float | None  # None: clean
    reverb_seconds: float  # RT60 of a synthetic room, 0 for none
    seed: int  # seeds the noise


def load_vocabulary(path: str | Path = DEFAULT_WORD_LIST) -> Vocabulary:
    """All-ASCII words of a one-word-per-line list, sorted into content words, names, possessives."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8", errors="replace").split()
    except OSError as exc:
        raise WordListError(
            f"Word list {p} could not be read ({exc.strerror}); install it with "
            "'apt-get install wamerican' or pass another list."
        ) from None
    content, names, possessives = set(), set(), set()
    for word in lines:
        if not word.isascii():
            continue
        stem = word[:-2] if word.endswith("'s") else word
        if not stem.isalpha() or not 2 <= len(stem) <= 12:
            continue
        if word.endswith("'s"):
            possessives.add(word)
        elif word.islower():
            content.add(word)
        elif word[0].isupper() and word[1:].islower():
            names.add(word)
    if len(content) < 1000:
        raise WordListError(f"Word list {p} has only {len(content)} usable words; need 1000.")
    return Vocabulary(tuple(sorted(content)), tuple(sorted(names)), tuple(sorted(possessives)))


def in_split(word: str, split: Split, held_out_share: float = 0.1) -> bool:
    """Stable assignment of a content word to one split (crc32, so no PYTHONHASHSEED effect)."""
    held = (zlib.crc32(word.lower().encode()) % 1000) < held_out_share * 1000
    return held if split == "heldout" else not held


def split_vocabulary(vocab: Vocabulary, split: Split) -> Vocabulary:
    def keep(words: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(w for w in words if in_split(w.removesuffix("'s"), split))

    return Vocabulary(keep(vocab.content), keep(vocab.names), keep(vocab.possessives))


def make_sentence(rng: np.random.Generator, vocab: Vocabulary, max_words: int = 14) -> str:
    """One or two sentences of English-looking word salad, 3 to ``max_words`` words in all."""
    fw = list(FUNCTION_WORDS)
    weights = np.array([FUNCTION_WORDS[w] for w in fw], dtype=np.float64)
    weights /= weights.sum()
    total = int(rng.integers(3, max_words + 1))
    words: list[str] = []
    pieces: list[str] = []
    sentence_start = True
    for i in range(total):
        kind = rng.random()
        if kind < 0.45:
            word = fw[int(rng.choice(len(fw), p=weights))]
        elif kind < 0.85:
            word = vocab.content[int(rng.integers(len(vocab.content)))]
        elif kind < 0.90 and vocab.names:
            word = vocab.names[int(rng.integers(len(vocab.names)))]
        elif kind < 0.95 and vocab.possessives:
            word = vocab.possessives[int(rng.integers(len(vocab.possessives)))]
        else:
            word = CONTRACTIONS[int(rng.integers(len(CONTRACTIONS)))]
        if sentence_start:
            word = word[0].upper() + word[1:]
            sentence_start = False
        words.append(word)
        last = i == total - 1
        if last or (i >= 2 and rng.random() < 0.06):
            mark = str(rng.choice([".", ".", ".", "?", "!"]))
            sentence_start = True
        elif rng.random() < 0.08:
            mark = ","
        else:
            mark = ""
        pieces.append(word + mark)
    return " ".join(pieces)


def make_utterances(
    split: Split, count: int, seed: int, vocab: Vocabulary, *, noisy_share: float = 0.7
) -> list[Utterance]:
    """``count`` utterances of ``split`` (see the module docstring for what differs between them)."""
    rng = np.random.default_rng([seed, 0 if split == "train" else 1])
    words = split_vocabulary(vocab, split)
    languages = TRAIN_LANGUAGES if split == "train" else HELDOUT_LANGUAGES
    variants = TRAIN_VARIANTS if split == "train" else HELDOUT_VARIANTS
    out = []
    for _ in range(count):
        language = languages[int(rng.integers(len(languages)))]
        variant = variants[int(rng.integers(len(variants)))]
        noisy = rng.random() < noisy_share
        out.append(
            Utterance(
                text=make_sentence(rng, words),
                voice=f"{language}+{variant}" if variant else language,
                rate=int(rng.integers(120, 231)),
                pitch=int(rng.integers(25, 76)),
                pitch_range=int(rng.integers(20, 91)),
                snr_db=float(rng.uniform(5.0, 40.0)) if noisy else None,
                reverb_seconds=float(rng.uniform(0.1, 0.5)) if rng.random() < 0.3 else 0.0,
                seed=int(rng.integers(2**31)),
            )
        )
    return out


def degrade(
    samples: np.ndarray,
    sample_rate: int,
    rng: np.random.Generator,
    snr_db: float | None,
    reverb_seconds: float = 0.0,
) -> np.ndarray:
    """Room reverberation (if any), then coloured noise at ``snr_db`` and a random gain.

    The reverb's impulse response starts with the direct sound at lag 0, so word times do not move.
    """
    x = np.asarray(samples, dtype=np.float32)
    if x.size == 0:
        return x.copy()
    if reverb_seconds > 0:
        n = max(1, int(reverb_seconds * sample_rate))
        t = np.arange(n) / sample_rate
        # RT60: amplitude falls by 60 dB (factor 1000) over reverb_seconds.
        ir = rng.standard_normal(n) * np.exp(-6.9078 * t / reverb_seconds) * 0.3
        ir[0] = 1.0
        size = 1 << int(np.ceil(np.log2(x.size + n)))
        wet = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(ir, size), size)[: x.size]
        x = wet.astype(np.float32)
    if snr_db is not None:
        noise = _coloured_noise(rng, x.size, float(rng.uniform(0.0, 2.0)))
        signal_power = float(np.mean(x.astype(np.float64) ** 2)) + 1e-12
        noise_power = float(np.mean(noise.astype(np.float64) ** 2)) + 1e-12
        scale = np.float32(np.sqrt(signal_power / noise_power / 10 ** (snr_db / 10)))
        x = (x + noise * scale).astype(np.float32, copy=False)
    peak = float(np.max(np.abs(x))) + 1e-9
    return (x * np.float32(rng.uniform(0.05, 0.95) / peak)).astype(np.float32)


def _coloured_noise(rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
    """Noise with power spectrum ~ 1/f**exponent (0 white, 1 pink, 2 brown)."""
    spectrum = rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)
    freqs = np.arange(n // 2 + 1, dtype=np.float64)
    freqs[0] = 1.0
    spectrum /= freqs ** (exponent / 2)
    return np.fft.irfft(spectrum, n).astype(np.float32)
