"""Flite voices (kal, kal16, awb, rms, slt) with their own phone and word times, through ctypes.

Debian's ``flite`` command prints phones with ``-psdur`` ("name:end" per segment, ends in seconds)
and words with ``-pw``, but not which phones belong to which word, and it splits "cat's" into two
words. The library itself (``libflite1``) has the whole utterance structure, so this module calls
``flite_synth_text`` and walks it: each ``Token`` (a written word) has ``Word`` daughters, each
word's ``SylStructure`` item has syllables with the word's ``Segment`` items, and every segment
has an ``end`` in seconds. A segment's start is the previous segment's end.

Segment ends are the times the waveform generator was given: clustergen voices (awb, rms, slt)
render frame by frame at those times; the diphone voices (kal, kal16) place diphones at them by
pitch-synchronous overlap-add, within a pitch period. Every utterance is still checked against
its audio (:func:`aligner_gui.demo.timed_speech.check_against_signal`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading

import numpy as np
import soxr

from aligner_gui.core.base.errors import AlignerError
from aligner_gui.demo.phones import arpabet_to_ipa, map_phones
from aligner_gui.demo.timed_speech import TimedSpeech, word_from_phones

VOICES = ("kal", "kal16", "awb", "rms", "slt")
_LIBRARY = {"kal": "cmu_us_kal", "kal16": "cmu_us_kal16", "awb": "cmu_us_awb",
            "rms": "cmu_us_rms", "slt": "cmu_us_slt"}  # fmt: skip


class FliteError(AlignerError):
    """libflite or one of its voices is missing."""


class _Wave(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_char_p),
        ("sample_rate", ctypes.c_int),
        ("num_samples", ctypes.c_int),
        ("num_channels", ctypes.c_int),
        ("samples", ctypes.POINTER(ctypes.c_short)),
    ]


class _Flite:
    def __init__(self) -> None:
        try:
            self.lib = ctypes.CDLL("libflite.so.1", mode=ctypes.RTLD_GLOBAL)
        except OSError as exc:
            raise FliteError(
                f"libflite could not be loaded ({exc}); apt-get install flite"
            ) from None
        lib, p = self.lib, ctypes.c_void_p
        lib.flite_init()
        for name, restype, argtypes in (
            ("flite_synth_text", p, [ctypes.c_char_p, p]),
            ("utt_wave", ctypes.POINTER(_Wave), [p]),
            ("utt_relation", p, [p, ctypes.c_char_p]),
            ("relation_head", p, [p]),
            ("item_next", p, [p]),
            ("item_daughter", p, [p]),
            ("item_as", p, [p, ctypes.c_char_p]),
            ("item_feat_string", ctypes.c_char_p, [p, ctypes.c_char_p]),
            ("item_feat_float", ctypes.c_float, [p, ctypes.c_char_p]),
            ("delete_utterance", None, [p]),
        ):
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, argtypes
        self.voices: dict[str, int] = {}

    def voice(self, name: str) -> int:
        if name not in self.voices:
            if name not in _LIBRARY:
                raise FliteError(f"unknown flite voice {name!r}; known: {', '.join(VOICES)}")
            try:
                vox = ctypes.CDLL(f"libflite_{_LIBRARY[name]}.so.1", mode=ctypes.RTLD_GLOBAL)
            except OSError as exc:
                raise FliteError(f"flite voice {name} could not be loaded ({exc})") from None
            register = getattr(vox, f"register_{_LIBRARY[name]}")
            register.restype, register.argtypes = ctypes.c_void_p, [ctypes.c_char_p]
            self.voices[name] = int(register(None))
        return self.voices[name]

    def children(self, item: int | None) -> list[int]:
        out = []
        child = self.lib.item_daughter(item) if item else None
        while child:
            out.append(child)
            child = self.lib.item_next(child)
        return out


_LOCK = threading.Lock()
_FLITE: _Flite | None = None


def _flite() -> _Flite:
    global _FLITE
    if _FLITE is None:
        _FLITE = _Flite()
    return _FLITE


def flite_available() -> bool:
    with _LOCK:
        try:
            _flite().voice("slt")
        except FliteError:
            return False
    return True


def synthesize(text: str, voice: str = "slt", *, sample_rate: int = 16000) -> TimedSpeech:
    """Speak ``text`` with a flite voice; words are the text's whitespace-separated tokens."""
    with _LOCK:
        fl = _flite()
        lib = fl.lib
        utt = lib.flite_synth_text(text.encode("utf-8"), fl.voice(voice))
        if not utt:
            raise FliteError(f"flite could not synthesize {text!r}")
        try:
            wave = lib.utt_wave(utt).contents
            rate = wave.sample_rate
            audio = np.ctypeslib.as_array(wave.samples, shape=(wave.num_samples,)).copy()
            # (token, [(engine phone, end)]) per written token, in order.
            tokens: list[tuple[str, list[tuple[str, float]]]] = []
            token = lib.relation_head(lib.utt_relation(utt, b"Token"))
            while token:
                name = (lib.item_feat_string(token, b"name") or b"").decode("utf-8", "replace")
                segments = []
                for word in fl.children(token):
                    for syllable in fl.children(lib.item_as(word, b"SylStructure")):
                        for seg in fl.children(syllable):
                            phone = (lib.item_feat_string(seg, b"name") or b"").decode()
                            segments.append((phone, float(lib.item_feat_float(seg, b"end"))))
                tokens.append((name, segments))
                token = lib.item_next(token)
            # Every segment's start: the end of the segment before it in the Segment relation.
            ends = []
            seg = lib.relation_head(lib.utt_relation(utt, b"Segment"))
            while seg:
                ends.append(float(lib.item_feat_float(seg, b"end")))
                seg = lib.item_next(seg)
        finally:
            lib.delete_utterance(utt)
    samples = audio.astype(np.float32) / 32768.0
    if rate != sample_rate:
        samples = soxr.resample(samples, rate, sample_rate, quality="VHQ").astype(np.float32)
    words = []
    for name, segments in tokens:
        spans = []
        for phone, end in segments:
            i = ends.index(end)  # the same float, read from the same item
            spans.append((arpabet_to_ipa(phone), ends[i - 1] if i > 0 else 0.0, end))
        phones = map_phones(spans)
        written = name.strip('.,;:!?"()')
        if phones and written:
            words.append(word_from_phones(written, phones))
    return TimedSpeech(text, samples, sample_rate, tuple(words), "flite", voice)
