"""Write the bundled sample: espeak-ng speech with its true word times.

    python -m aligner_gui.demo.make_sample [--out-dir resources]

writes ``sample.wav`` (16 kHz mono 16-bit), ``sample.txt`` (the transcript) and
``sample_words.json`` (each word's true start and end in seconds, from
:func:`aligner_gui.demo.espeak.synthesize`). The same espeak-ng version gives the same files.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import soundfile as sf

from aligner_gui.core.io.fileio import atomic_write_bytes, atomic_write_text
from aligner_gui.demo.espeak import EspeakError, Synthesis, synthesize

log = logging.getLogger("aligner_gui.demo.make_sample")

SAMPLE_TEXT = (
    "The North Wind and the Sun were disputing which was the stronger, when a traveller came "
    "along wrapped in a warm cloak."
)
SAMPLE_VOICE = "en-us"
SAMPLE_RATE_WPM = 150


def make_sample(
    text: str = SAMPLE_TEXT, voice: str = SAMPLE_VOICE, rate: int = SAMPLE_RATE_WPM
) -> Synthesis:
    synth = synthesize(text, voice, rate=rate)
    spoken = [w.text for w in synth.words]
    if spoken != text.split() and spoken != [w.strip(',.?!;:"') for w in text.split()]:
        raise EspeakError(
            f"espeak-ng did not speak the sample word by word (it gave {spoken}); choose a text "
            "without numbers or abbreviations."
        )
    return synth


def write_sample(synth: Synthesis, out_dir: Path, voice: str, rate: int) -> None:
    pcm = np.clip(np.round(synth.samples * 32767), -32768, 32767).astype(np.int16)
    buffer = io.BytesIO()
    sf.write(buffer, pcm, synth.sample_rate, subtype="PCM_16", format="WAV")
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out_dir / "sample.wav", buffer.getvalue())
    atomic_write_text(out_dir / "sample.txt", synth.text + "\n")
    words = {
        "source": "python -m aligner_gui.demo.make_sample",
        "voice": voice,
        "rate_wpm": rate,
        "sample_rate": synth.sample_rate,
        "duration": round(synth.duration, 6),
        "words": [
            {"word": w.text, "start": round(w.start, 6), "end": round(w.end, 6)}
            for w in synth.words
        ],
    }
    atomic_write_text(out_dir / "sample_words.json", json.dumps(words, indent=1) + "\n")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m aligner_gui.demo.make_sample", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out-dir", type=Path, default=Path("resources"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    synth = make_sample()
    write_sample(synth, args.out_dir, SAMPLE_VOICE, SAMPLE_RATE_WPM)
    log.info(
        "wrote %s/sample.{wav,txt} and sample_words.json (%.2f s, %d words)",
        args.out_dir,
        synth.duration,
        len(synth.words),
    )


if __name__ == "__main__":
    main()
