"""Synthetic English speech with known word times, from libespeak-ng through ctypes.

espeak-ng renders at 22050 Hz and reports events through its synthesis callback: ``WORD`` (start
of a word), ``PHONEME`` (start of a phoneme, with its mnemonic) and ``END`` (end of a clause),
each stamped with the exact output sample it precedes. The events are markers in espeak's
wave-generator queue, so they are exact positions in *its* stream of commands, but that order is
not quite the acoustic order:

* a ``WORD`` marker is queued before any pause the word starts with (e.g. a stop's closure), so
  it marks where the previous word's audio ends - except that a nasal or liquid before a vowel
  is rendered as part of that vowel's onset, after the marker (observed: "name is" has the
  marker of "is" 58 ms before its vowel, at the start of the "m");
* a ``PHONEME`` marker is queued after that pause; for a vowel after a nasal or liquid it comes
  after the vowel's onset transition, by espeak's design.

Word times (computed at 22050 Hz, then in seconds) are therefore:

* start = the word's first non-pause phoneme event, moved forward over exact digital silence;
* end = the next event after its last phoneme (the next word's marker, a pause, the clause end),
  or the next word's first phoneme event when no audio lies between its last phoneme's marker
  and the next word's (the nasal/liquid case above); then moved back over digital silence.

Voice variants with espeak's echo effect fill pauses with a delayed copy of the output; the echo
is subtracted exactly before looking for silence. A word-initial vowel after a nasal or liquid
starts at the end of its onset transition, about 10 ms after its rise in energy: between two
sonorants there is no single true boundary, only a 10-40 ms transition. The tests check word
edges at pauses and at the onset of a word-initial /s/ in running speech to within 5 ms.

espeak-ng keeps some state between calls (pitch and voice smoothing, noise generators), so the
same text can come out a few ms different after other speech; each result's times are exact for
its own audio. The library is a process-wide singleton, so every call holds one lock.
"""

from __future__ import annotations

import bisect
import ctypes
import ctypes.util
import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aligner_gui.core.base.errors import AlignerError

ESPEAK_RATE = 22050
_EVENT_WORD = 1
_EVENT_END = 5
_EVENT_PHONEME = 7
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INIT_PHONEME_EVENTS = 0x0001
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
# A no-break space between two words; see `synthesize`.
_GLUE = re.compile(r"(?<=[A-Za-z']) (?=[A-Za-z'])")
_DEFERRED = 11  # samples (0.5 ms): markers closer than this delimit no audio
_PARAM_RATE, _PARAM_VOLUME, _PARAM_PITCH, _PARAM_RANGE, _PARAM_WORDGAP = 1, 2, 3, 4, 7


class EspeakError(AlignerError):
    """libespeak-ng is missing or refused the request."""


class _EventId(ctypes.Union):
    _fields_ = [
        ("number", ctypes.c_int),
        ("name", ctypes.c_char_p),
        ("string", ctypes.c_char * 8),
    ]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_Callback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass(frozen=True)
class Event:
    kind: str  # "word", "phoneme" or "end"
    sample: int  # output sample (at ESPEAK_RATE) the event precedes
    text_position: int  # 0-based character offset into the text
    length: int  # characters of the word (word events), else 0
    symbol: str  # phoneme mnemonic (phoneme events), else ""


@dataclass(frozen=True)
class WordTiming:
    text: str  # the word as written in the input, punctuation excluded
    start: float  # seconds, half-open [start, end)
    end: float
    char_start: int  # 0-based offsets of the word in the input text
    char_end: int


@dataclass(frozen=True)
class Synthesis:
    text: str
    samples: np.ndarray  # float32 mono in [-1, 1] at `sample_rate`
    sample_rate: int
    words: tuple[WordTiming, ...]
    events: tuple[Event, ...]  # raw events, sample positions at ESPEAK_RATE

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


class _Engine:
    """The loaded library plus the buffers its callback fills during one `espeak_Synth` call."""

    def __init__(self) -> None:
        name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        try:
            self.lib = ctypes.CDLL(name)
        except OSError as exc:
            raise EspeakError(
                f"libespeak-ng could not be loaded ({exc}); install the espeak-ng package "
                "(Debian: apt-get install libespeak-ng1)."
            ) from None
        rate = self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, None, _INIT_PHONEME_EVENTS)
        if rate != ESPEAK_RATE:
            raise EspeakError(f"libespeak-ng initialised at {rate} Hz, expected {ESPEAK_RATE} Hz.")
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
            ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]  # fmt: skip
        self.data_path: Path | None = None
        self.chunks: list[np.ndarray] = []
        self.events: list[Event] = []
        self._callback = _Callback(self._on_audio)  # kept referenced for the library's lifetime
        self.lib.espeak_SetSynthCallback(self._callback)

    def _on_audio(self, wav: ctypes.Array, count: int, events: ctypes.Array) -> int:
        if wav and count > 0:
            self.chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        i = 0
        while events[i].type != 0:
            ev = events[i]
            kind = {_EVENT_WORD: "word", _EVENT_END: "end", _EVENT_PHONEME: "phoneme"}.get(ev.type)
            if kind is not None:
                symbol = ev.id.string.decode("latin-1") if ev.type == _EVENT_PHONEME else ""
                # espeak counts characters from 1.
                self.events.append(
                    Event(kind, int(ev.sample), int(ev.text_position) - 1, int(ev.length), symbol)
                )
            i += 1
        return 0

    def echo(self, voice: str) -> tuple[int, int]:
        """(delay in samples, gain in 1/256ths) of the echo a voice variant adds, (0, 0) if none.

        Only variants (``!v/<name>``) set an echo; espeak-ng offers no API to read it back.
        """
        if "+" not in voice:
            return 0, 0
        if self.data_path is None:
            path = ctypes.c_char_p()
            self.lib.espeak_Info.restype = ctypes.c_char_p
            self.lib.espeak_Info(ctypes.byref(path))
            self.data_path = Path((path.value or b"").decode())
        variant = self.data_path / "voices" / "!v" / voice.split("+", 1)[1]
        try:
            lines = variant.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return 0, 0
        for line in lines:
            fields = line.split("//")[0].split()
            if len(fields) >= 3 and fields[0] == "echo":
                return int(fields[1]) * ESPEAK_RATE // 1000, int(fields[2])
        return 0, 0

    def synth(
        self, text: str, voice: str, rate: int, pitch: int, pitch_range: int, word_gap: int
    ) -> tuple[np.ndarray, list[Event]]:
        if self.lib.espeak_SetVoiceByName(voice.encode("utf-8")) != 0:
            raise EspeakError(f"espeak-ng has no voice {voice!r}.")
        for param, value in (
            (_PARAM_RATE, rate),
            (_PARAM_PITCH, pitch),
            (_PARAM_RANGE, pitch_range),
            (_PARAM_WORDGAP, word_gap),
            (_PARAM_VOLUME, 100),
        ):
            self.lib.espeak_SetParameter(param, int(value), 0)
        self.chunks, self.events = [], []
        data = text.encode("utf-8") + b"\0"
        buffer = ctypes.create_string_buffer(data, len(data))
        status = self.lib.espeak_Synth(
            buffer, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
        )
        if status != 0:
            raise EspeakError(f"espeak-ng could not synthesize the text (error {status}).")
        self.lib.espeak_Synchronize()
        audio = np.concatenate(self.chunks) if self.chunks else np.zeros(0, dtype=np.int16)
        return audio, list(self.events)


_LOCK = threading.Lock()
_ENGINE: _Engine | None = None


def _engine() -> _Engine:
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = _Engine()
    return _ENGINE


def espeak_available() -> bool:
    """True when libespeak-ng loads and initialises."""
    with _LOCK:
        try:
            _engine()
        except EspeakError:
            return False
    return True


def synthesize(
    text: str,
    voice: str = "en-us",
    *,
    rate: int = 175,
    pitch: int = 50,
    pitch_range: int = 50,
    word_gap: int = 0,
    sample_rate: int = 16000,
    keep_words_apart: bool = True,
) -> Synthesis:
    """Speak ``text`` and return float32 audio at ``sample_rate`` with every word's times.

    ``voice`` is an espeak-ng voice name with an optional variant, e.g. ``"en-gb+f3"``; ``rate``
    is in words per minute (80-450), ``pitch`` and ``pitch_range`` 0-100, ``word_gap`` an extra
    pause between words in units of 10 ms.

    ``keep_words_apart`` joins adjacent words with no-break spaces (same length, so character
    offsets are unchanged), which stops espeak from speaking dictionary phrases such as "was the"
    as one word whose parts cannot be timed; it changes little else.
    """
    with _LOCK:
        engine = _engine()
        spoken = _GLUE.sub("\u00a0", text) if keep_words_apart else text
        raw, events = engine.synth(spoken, voice, rate, pitch, pitch_range, word_gap)
        delay, amount = engine.echo(voice)
    direct = _remove_echo(raw, delay, amount)
    words = tuple(
        WordTiming(text[c0:c1], s0 / ESPEAK_RATE, s1 / ESPEAK_RATE, c0, c1)
        for c0, c1, s0, s1 in _word_spans(text, direct, events)
    )
    samples = raw.astype(np.float32) / 32768.0
    if sample_rate != ESPEAK_RATE:
        samples = resample(samples, ESPEAK_RATE, sample_rate)
    return Synthesis(text, samples, sample_rate, words, tuple(events))


def resample(
    samples: np.ndarray, source_rate: int, target_rate: int, half_width: int = 24
) -> np.ndarray:
    """Band-limited polyphase resampling without delay (a centred Kaiser-windowed sinc).

    Output sample ``n`` lies at input time ``n * source_rate / target_rate`` exactly, so event
    times carry over unchanged. ``half_width`` is the filter's half-length in input samples.
    """
    x = np.asarray(samples, dtype=np.float64)
    g = math.gcd(source_rate, target_rate)
    up, down = target_rate // g, source_rate // g
    n_out = -(-len(x) * up // down)  # ceil
    # Cut off a little below the lower Nyquist frequency, relative to the input's Nyquist.
    cutoff = 0.94 * min(1.0, target_rate / source_rate)
    taps = np.arange(-half_width + 1, half_width + 1)
    offsets = taps[None, :] - (np.arange(up) / up)[:, None]  # (phase, tap) in input samples
    kernel = (
        cutoff
        * np.sinc(cutoff * offsets)
        * np.kaiser(2 * half_width + 1, 8.0)[
            np.clip(np.round(offsets + half_width).astype(int), 0, 2 * half_width)
        ]
    )
    kernel /= kernel.sum(axis=1, keepdims=True)
    padded = np.concatenate([np.zeros(half_width), x, np.zeros(2 * half_width)])
    out = np.empty(n_out, dtype=np.float32)
    block = 32768
    for b0 in range(0, n_out, block):
        n = np.arange(b0, min(n_out, b0 + block))
        base, phase = np.divmod(n * down, up)
        idx = base[:, None] + taps[None, :] + half_width
        out[b0 : b0 + len(n)] = np.einsum("ij,ij->i", padded[idx], kernel[phase])
    return out


def _remove_echo(raw: np.ndarray, delay: int, amount: int) -> np.ndarray:
    """The direct sound of a voice with echo: espeak adds ``(y[n - delay] * amount) >> 8`` of its
    own output to each sample, so subtracting the same integer term recovers the pauses' exact
    zeros (bar the rare samples where its overflow guard rescaled the sum)."""
    if delay <= 0 or amount == 0 or len(raw) <= delay:
        return raw
    y = raw.astype(np.int64)
    direct = y.copy()
    direct[delay:] -= (y[:-delay] * amount) >> 8
    return direct


def _is_pause(event: Event) -> bool:
    return event.kind == "phoneme" and event.symbol.startswith("_")


def _word_spans(
    text: str, audio: np.ndarray, events: list[Event], *, trim: bool = True
) -> list[tuple[int, int, int, int]]:
    """(char start, char end, first sample, end sample) per spoken word, samples at ESPEAK_RATE.

    Phonemes are attributed to the whitespace-delimited token that contains their text position
    (espeak's word markers also fire on some punctuation, and its own word length stops at an
    apostrophe). A token espeak did not speak on its own has no span.
    """
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    starts = [c0 for c0, _ in tokens]
    owner: dict[int, list[int]] = {}
    for i, ev in enumerate(events):
        if ev.kind == "phoneme" and not _is_pause(ev):
            k = bisect.bisect_right(starts, ev.text_position) - 1
            owner.setdefault(max(k, 0), []).append(i)
    phoneme_events = sorted(i for mine in owner.values() for i in mine)
    spans: list[tuple[int, int, int, int]] = []
    for k, mine in sorted(owner.items()):
        first, last = mine[0], mine[-1]
        start = events[first].sample
        following = next(
            (ev for ev in events[last + 1 :] if ev.kind in ("word", "phoneme", "end")), None
        )
        if following is None:
            end = len(audio)
        elif following.kind == "word" and following.sample - events[last].sample < _DEFERRED:
            # Nothing was rendered between our last phoneme's marker and the next word's: espeak
            # renders that phoneme (a nasal or liquid before a vowel) as the onset of the next
            # word's vowel, whose own event comes after it. End where that vowel's event is.
            later = [i for i in phoneme_events if i > last]
            end = events[later[0]].sample if later else following.sample
        else:
            end = following.sample
        if trim:
            start, end = _trim_silence(audio, start, end)
        if end > start:
            c0, c1 = tokens[k]
            c0, c1 = _strip_punctuation(text, c0, c1)
            if c1 > c0:
                spans.append((c0, c1, start, end))
    return spans


def _trim_silence(audio: np.ndarray, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past leading and trailing exact zeros (espeak's pauses)."""
    segment = audio[start:end]
    nonzero = np.flatnonzero(segment)
    if nonzero.size == 0:
        return start, start
    return start + int(nonzero[0]), start + int(nonzero[-1]) + 1


def _strip_punctuation(text: str, c0: int, c1: int) -> tuple[int, int]:
    """The word inside a token: no surrounding punctuation, no quote-like apostrophes."""
    while c0 < c1 and not text[c0].isalnum():
        c0 += 1
    while c1 > c0 and not (text[c1 - 1].isalnum() or text[c1 - 1] == "'"):
        c1 -= 1
    while c1 > c0 + 1 and text[c1 - 1] == "'" and not text[c0:c1].endswith("s'"):
        c1 -= 1
    return c0, c1
