"""Festival voices (kal, ked diphones; slt HTS) with their own phone and word times.

One ``festival --batch`` process synthesizes a whole list of sentences from a generated Scheme
script (starting Festival costs ~0.2 s, a sentence ~0.05 s). For each sentence the script saves
the wave and prints the utterance's structure, the same information ``utt.save.segs`` and
``utt.save.words`` give but with the links between them: each top-level ``Token`` (a written
word), then the ``Segment`` items of its words (through ``SylStructure``: word > syllable >
segment) with their ``end`` times in seconds; a segment starts where the previous one in the
``Segment`` relation ends (that relation also holds the pauses).

``Duration_Stretch`` varies the speaking rate (the times are the stretched ones the waveform
generator used). Diphone voices place diphones at these times by pitch-synchronous overlap-add
(within a pitch period); HTS renders 5 ms frames per state for them. Every utterance is still
checked against its audio by the caller.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from aligner_gui.core.base.errors import AlignerError
from aligner_gui.demo.phones import PhoneMappingError, arpabet_to_ipa, map_phones
from aligner_gui.demo.timed_speech import TimedSpeech, word_from_phones

# voice name -> Scheme function that selects it (Debian main: festvox-kallpc16k, -kdlpc16k,
# -us-slt-hts)
VOICES = {
    "kal": "voice_kal_diphone",
    "ked": "voice_ked_diphone",
    "slt-hts": "voice_cmu_us_slt_arctic_hts",
}

_SCRIPT_HEAD = """
(define (aligner_dump n utt)
  (let ((tok (utt.relation.first utt 'Token)))
    (while tok
      (format t "TOKEN %d %s\\n" n (item.name tok))
      (mapcar (lambda (w)
                (mapcar (lambda (syl)
                          (mapcar (lambda (seg)
                                    (format t "SEG %d %s %f\\n" n (item.name seg)
                                            (item.feat seg "end")))
                                  (item.daughters syl)))
                        (item.daughters (item.relation w 'SylStructure))))
              (item.daughters tok))
      (set! tok (item.next tok))))
  (mapcar (lambda (seg) (format t "END %d %f %s\\n" n (item.feat seg "end") (item.name seg)))
          (utt.relation.items utt 'Segment)))
"""


_PAUSES = ("pau", "h#", "brth")


class FestivalError(AlignerError):
    """Festival or a voice is missing, or it failed."""


@dataclass(frozen=True)
class FestivalRequest:
    text: str
    voice: str  # a key of VOICES
    stretch: float = 1.0  # Duration_Stretch: > 1 slower


def festival_available(voice: str = "kal") -> bool:
    if shutil.which("festival") is None:
        return False
    folder = {"kal": "english/kal_diphone", "ked": "english/ked_diphone",
              "slt-hts": "us/cmu_us_slt_arctic_hts"}[voice]  # fmt: skip
    return Path("/usr/share/festival/voices", folder).is_dir()


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def synthesize_many(
    requests: Sequence[FestivalRequest], *, sample_rate: int = 16000, timeout: float = 600.0
) -> list[TimedSpeech | str]:
    """Each request's speech, or a one-line reason it has none (a phone outside the tables)."""
    if shutil.which("festival") is None:
        raise FestivalError(
            "festival is not installed (apt-get install festival festvox-kallpc16k)"
        )
    with tempfile.TemporaryDirectory(prefix="aligner-festival-") as tmp:
        folder = Path(tmp)
        lines = [_SCRIPT_HEAD]
        for n, request in enumerate(requests):
            if request.voice not in VOICES:
                raise FestivalError(f"unknown festival voice {request.voice!r}")
            wav = folder / f"{n}.wav"
            lines.append(
                f"({VOICES[request.voice]})\n"
                f"(Parameter.set 'Duration_Stretch {request.stretch:.4f})\n"
                f"(set! utt (SynthText {_quote(request.text)}))\n"
                f'(utt.save.wave utt "{wav}" \'riff)\n'
                f"(aligner_dump {n} utt)\n"
            )
        script = folder / "run.scm"
        script.write_text("".join(lines), encoding="utf-8")
        done = subprocess.run(
            ["festival", "--batch", str(script)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise FestivalError(f"festival failed ({reason})")
        parsed = _parse(done.stdout, len(requests))
        out: list[TimedSpeech | str] = []
        for n, request in enumerate(requests):
            wav = folder / f"{n}.wav"
            if not wav.is_file():
                out.append("festival wrote no audio")
                continue
            audio, rate = sf.read(wav, dtype="float32", always_2d=False)
            if rate != sample_rate:
                audio = soxr.resample(audio, rate, sample_rate, quality="VHQ").astype(np.float32)
            tokens, ends = parsed[n]
            try:
                out.append(_speech(request, audio, sample_rate, tokens, ends))
            except PhoneMappingError as exc:
                out.append(str(exc))
    return out


def synthesize(text: str, voice: str = "kal", *, stretch: float = 1.0) -> TimedSpeech:
    result = synthesize_many([FestivalRequest(text, voice, stretch)])[0]
    if isinstance(result, str):
        raise FestivalError(result)
    return result


_Tokens = list[tuple[str, list[tuple[str, float]]]]
_Segments = list[tuple[float, str]]


def _parse(stdout: str, count: int) -> list[tuple[_Tokens, _Segments]]:
    parsed: list[tuple[_Tokens, _Segments]] = [([], []) for _ in range(count)]
    for line in stdout.splitlines():
        kind, _, rest = line.partition(" ")
        if kind not in ("TOKEN", "SEG", "END"):
            continue
        number, _, rest = rest.partition(" ")
        tokens, ends = parsed[int(number)]
        if kind == "TOKEN":
            tokens.append((rest, []))
        elif kind == "SEG" and tokens:
            name, end = rest.rsplit(" ", 1)
            tokens[-1][1].append((name, float(end)))
        elif kind == "END":
            end, _, name = rest.partition(" ")
            ends.append((float(end), name))
    return parsed


def _speech(
    request: FestivalRequest, audio: np.ndarray, rate: int, tokens: _Tokens, segments: _Segments
) -> TimedSpeech:
    """Words from their syllables' segments. A segment in no syllable that is not a pause (the
    ked voice's post-lexical rule adds an ``r`` after ``er``) extends the segment before it."""
    ends = np.asarray([end for end, _ in segments])
    # Index (in the Segment relation) of every segment that belongs to a word's syllable.
    owned = {int(np.argmin(np.abs(ends - end))) for _, mine in tokens for _, end in mine}
    words = []
    for name, mine in tokens:
        spans = []
        for phone, end in mine:
            i = int(np.argmin(np.abs(ends - end)))
            last = i  # extended over the orphan segments that follow
            while (
                last + 1 < len(segments)
                and last + 1 not in owned
                and segments[last + 1][1] not in _PAUSES
            ):
                last += 1
            start = float(ends[i - 1]) if i > 0 else 0.0
            spans.append((arpabet_to_ipa(phone), start, float(ends[last])))
        phones = map_phones(spans)
        text = name.strip('.,;:!?"()')
        if phones and text:
            words.append(word_from_phones(text, phones))
    return TimedSpeech(request.text, audio, rate, tuple(words), "festival", request.voice)
