"""Every voice family the phone model is trained on, and a seeded multi-voice utterance set.

Engines and voices (all Debian main, licences in ``resources/README.md``):

* espeak-ng: the accents and variants of :mod:`.corpus` at random rate and pitch;
* Flite: kal (8 kHz), kal16, awb, rms, slt (:mod:`.flite`);
* Festival: kal and ked diphones, slt HTS, at random ``Duration_Stretch`` (:mod:`.festival`).

Non-free voices (MBROLA's, RHVoice's non-commercial ones) are not supported at all.

:func:`synthesize_set` renders the utterances of :func:`make_requests`, maps every engine's
phones to IPA and checks the times against the signal; an utterance that fails (a phone outside
the tables, times that disagree with the audio, a word the engine did not speak) is dropped and
counted per engine and reason, never repaired.
"""

from __future__ import annotations

import bisect
import collections
import logging
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from aligner_gui.demo import corpus, espeak, festival, flite
from aligner_gui.demo.phones import (
    R_COLOURED_SPLIT,
    PhoneMappingError,
    espeak_to_ipa,
    map_phones,
)
from aligner_gui.demo.timed_speech import (
    TimedSpeech,
    TimedWord,
    check_against_signal,
    word_from_phones,
)

log = logging.getLogger(__name__)
SAMPLE_RATE = 16000
FLITE_VOICES = flite.VOICES
FESTIVAL_VOICES = tuple(festival.VOICES)
# Share of utterances per engine (espeak gets the rest).
ENGINE_SHARES = {"flite": 0.35, "festival": 0.3}
_SONORANTS = (("l",), ("ɹ",), ("m",), ("n",), ("ŋ",))


@dataclass(frozen=True)
class Request:
    engine: str  # "espeak-ng", "flite", "festival"
    voice: str
    text: str
    rate: int = 175  # espeak words per minute
    pitch: int = 50  # espeak 0-100
    stretch: float = 1.0  # festival Duration_Stretch


def available_engines() -> list[str]:
    engines = [name for name, ok in (
        ("espeak-ng", espeak.espeak_available()),
        ("flite", flite.flite_available()),
        ("festival", festival.festival_available("kal")),
    ) if ok]  # fmt: skip
    return engines


def make_requests(
    split: corpus.Split,
    count: int,
    seed: int,
    vocab: corpus.Vocabulary,
    engines: Sequence[str] = ("espeak-ng", "flite", "festival"),
) -> list[Request]:
    """``count`` sentences of ``split``, each with an engine and voice drawn by the seed."""
    rng = np.random.default_rng([seed, 7, 0 if split == "train" else 1])
    words = corpus.split_vocabulary(vocab, split)
    espeak_voices = [
        f"{lang}+{var}" if var else lang
        for lang in (corpus.TRAIN_LANGUAGES if split == "train" else corpus.HELDOUT_LANGUAGES)
        for var in (corpus.TRAIN_VARIANTS if split == "train" else corpus.HELDOUT_VARIANTS)
    ]
    out = []
    for _ in range(count):
        draw = rng.random()
        text = corpus.make_sentence(rng, words)
        if "flite" in engines and draw < ENGINE_SHARES["flite"]:
            voice = FLITE_VOICES[int(rng.integers(len(FLITE_VOICES)))]
            out.append(Request("flite", voice, text))
        elif "festival" in engines and draw < ENGINE_SHARES["flite"] + ENGINE_SHARES["festival"]:
            voice = FESTIVAL_VOICES[int(rng.integers(len(FESTIVAL_VOICES)))]
            out.append(Request("festival", voice, text, stretch=float(rng.uniform(0.8, 1.3))))
        else:
            voice = espeak_voices[int(rng.integers(len(espeak_voices)))]
            rate, pitch = int(rng.integers(120, 231)), int(rng.integers(25, 76))
            out.append(Request("espeak-ng", voice, text, rate=rate, pitch=pitch))
    return out


def espeak_speech(request: Request) -> TimedSpeech:
    """espeak-ng's word times (:mod:`.espeak`) with phones between its phoneme events."""
    synth = espeak.synthesize(request.text, request.voice, rate=request.rate, pitch=request.pitch)
    tokens = [m.start() for m in re.finditer(r"\S+", request.text)]
    per_token: dict[int, list[espeak.Event]] = collections.defaultdict(list)
    for ev in synth.events:
        if ev.kind == "phoneme" and not ev.symbol.startswith("_"):
            k = max(0, bisect.bisect_right(tokens, ev.text_position) - 1)
            per_token[k].append(ev)
    words = []
    for word in synth.words:
        k = bisect.bisect_right(tokens, word.char_start) - 1
        events = per_token.get(k, [])
        if not events:
            raise PhoneMappingError(f"no phoneme events for {word.text!r}")
        # Phone i runs from its event to the next one, inside the word's own (trimmed) span.
        bounds = [word.start] + [ev.sample / espeak.ESPEAK_RATE for ev in events[1:]] + [word.end]
        bounds = [float(b) for b in np.clip(bounds, word.start, word.end)]
        spans = [
            (espeak_to_ipa(ev.symbol, request.voice), bounds[i], bounds[i + 1])
            for i, ev in enumerate(events)
        ]
        for n in range(1, len(spans)):
            (v_phones, v_start, v_end), (c_phones, c_start, c_end) = spans[n - 1], spans[n]
            if c_end <= c_start and c_phones in _SONORANTS and v_end > v_start:
                # A liquid or nasal after a vowel ("full", "sales") is rendered inside the vowel;
                # its event comes where the vowel ends. Like an r-coloured vowel, the unit is
                # split 60:40 (no acoustic boundary exists inside it).
                middle = v_start + (v_end - v_start) * R_COLOURED_SPLIT
                spans[n - 1 : n + 1] = [(v_phones, v_start, middle), (c_phones, middle, v_end)]
        spans = [s for s in spans if s[0] or s[2] > s[1]]  # an empty modifier has no time to give
        if any(end <= start for _, start, end in spans):
            # A phoneme event outside the word's audio: its label would have no time.
            raise PhoneMappingError(f"a phoneme of {word.text!r} lies outside its audio")
        phones = map_phones(spans)
        words.append(word_from_phones(word.text, phones))
    return TimedSpeech(
        request.text, synth.samples, synth.sample_rate, tuple(words), "espeak-ng", request.voice
    )


def _expected_words(text: str) -> list[str]:
    return [w.strip(',.?!;:"') for w in text.split()]


def synthesize_set(
    requests: Sequence[Request],
) -> tuple[list[TimedSpeech | None], collections.Counter[str]]:
    """Speech per request (None where dropped) and the drop counts ("engine: reason").

    Festival runs as a subprocess in a helper thread while espeak-ng and Flite synthesise here,
    so the two cores both work; the results do not depend on the overlap.
    """
    out: list[TimedSpeech | str | None] = [None] * len(requests)
    festival_jobs = [i for i, r in enumerate(requests) if r.engine == "festival"]

    def run_festival() -> None:
        for start in range(0, len(festival_jobs), 200):
            chunk = festival_jobs[start : start + 200]
            results = festival.synthesize_many(
                [
                    festival.FestivalRequest(
                        requests[i].text, requests[i].voice, requests[i].stretch
                    )
                    for i in chunk
                ]
            )
            for i, result in zip(chunk, results, strict=True):
                out[i] = result

    with ThreadPoolExecutor(max_workers=1) as pool:
        festival_done = pool.submit(run_festival)
        for i, request in enumerate(requests):
            try:
                if request.engine == "espeak-ng":
                    out[i] = espeak_speech(request)
                elif request.engine == "flite":
                    out[i] = flite.synthesize(request.text, request.voice)
            except PhoneMappingError as exc:
                out[i] = str(exc)
            if i % 500 == 499:
                log.info("synthesized %d/%d utterances", i + 1, len(requests))
        festival_done.result()
    kept: list[TimedSpeech | None] = []
    dropped: collections.Counter[str] = collections.Counter()
    for request, speech in zip(requests, out, strict=True):
        reason: str | None
        if speech is None or isinstance(speech, str):
            reason = "unmapped phone or no audio"
            log.debug("dropped %r: %s", request.text, speech)
        elif [w.text for w in speech.words] != _expected_words(request.text):
            reason = "words not spoken one by one"
        else:
            problem = check_against_signal(speech)
            reason = None if problem is None else problem.split(":")[0]
        if reason is not None:
            dropped[f"{request.engine}: {reason}"] += 1
        kept.append(speech if reason is None and isinstance(speech, TimedSpeech) else None)
    return kept, dropped


def words_as_labels(words: Sequence[TimedWord]) -> list[list[str]]:
    return [[p.phone for p in w.phones] for w in words]
