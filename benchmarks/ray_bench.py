"""Corpus alignment on Ray against local worker processes: Ray's overhead, fixed and per file.

    python benchmarks/ray_bench.py                    # 100 short files and 20, both modes
    python benchmarks/ray_bench.py --files 100 --small 20 --model demo

``--files`` short recordings (one espeak-ng utterance each, about 1.5-4 s, held-out voices) are
aligned by ``aligner-gui align CORPUS -o OUT -q`` in a fresh subprocess per run, with the demo
model: locally with ``--jobs 2``, and with ``--ray`` (a Ray started by the command on this
machine's cores: 2 here, so two actors of one CPU each). Wall-clock time includes starting the
program, Ray, the workers and loading the model. The same runs on the first ``--small`` files
split each mode's time into a fixed part (start-up) and a part per file:
per file = (T(files) - T(small)) / (files - small); fixed = T(files) - files * per file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "ray_bench"
REPO = HERE.parent
RATE = 16000


def make_corpus(root: Path, files: int, seed: int = 5) -> float:
    """``files`` one-utterance recordings in 4 speaker folders; returns seconds of audio."""
    from aligner_gui.demo.corpus import degrade, load_vocabulary, make_utterances
    from aligner_gui.demo.espeak import synthesize

    marker = root / f".made-{files}"
    if marker.exists():
        return float(marker.read_text())
    shutil.rmtree(root, ignore_errors=True)
    rng = np.random.default_rng(seed)
    total = 0.0
    for i, utt in enumerate(make_utterances("heldout", files, seed, load_vocabulary(),
                                            noisy_share=0.5)):  # fmt: skip
        synth = synthesize(utt.text, utt.voice, rate=utt.rate, pitch=utt.pitch)
        audio = degrade(synth.samples, RATE, rng, utt.snr_db, 0.0)
        pad = np.zeros(int(0.2 * RATE), np.float32)
        samples = np.concatenate([pad, audio, pad])
        folder = root / f"speaker{i % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        sf.write(folder / f"utt{i:04d}.wav", samples, RATE, subtype="PCM_16")
        (folder / f"utt{i:04d}.lab").write_text(utt.text + "\n", encoding="utf-8")
        total += samples.size / RATE
    marker.write_text(str(total))
    return total


def first_files(source: Path, target: Path, count: int) -> None:
    """The first ``count`` recordings (and transcripts) of ``source``, linked into ``target``."""
    if (target / f".made-{count}").exists():
        return
    shutil.rmtree(target, ignore_errors=True)
    for wav in sorted(source.rglob("*.wav"))[:count]:
        for path in (wav, wav.with_suffix(".lab")):
            linked = target / path.relative_to(source)
            linked.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, linked)
    (target / f".made-{count}").write_text("ok")


def align(corpus: Path, out: Path, model: str, mode: list[str]) -> float:
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "aligner_gui", "align", str(corpus), "-o", str(out),
         "--model", model, "-q", *mode],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"align failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return seconds


def identical(a: Path, b: Path) -> bool:
    names = sorted(p.relative_to(a) for p in a.rglob("*.TextGrid"))
    return names == sorted(p.relative_to(b) for p in b.rglob("*.TextGrid")) and all(
        (a / n).read_bytes() == (b / n).read_bytes() for n in names
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--small", type=int, default=20)
    parser.add_argument("--model", default="demo")
    args = parser.parse_args()

    t0 = time.perf_counter()
    corpus = OUT / "corpus"
    audio = make_corpus(corpus, args.files)
    small = OUT / "small"
    first_files(corpus, small, args.small)
    print(f"corpus: {args.files} files, {audio:.0f} s of audio "
          f"({audio / args.files:.1f} s each; made in {time.perf_counter() - t0:.0f} s)")  # fmt: skip
    print(f"cores: {len(os.sched_getaffinity(0))}, model: {args.model}")

    modes = {"local --jobs 2": ["--jobs", "2"], "--ray (2 CPUs)": ["--ray"]}
    for name, mode in modes.items():
        key = name.split()[0].strip("-")
        whole = align(corpus, OUT / f"out-{key}", args.model, mode)
        part = align(small, OUT / f"small-{key}", args.model, mode)
        per_file = (whole - part) / (args.files - args.small)
        fixed = whole - args.files * per_file
        print(f"{name:15s} {args.files} files: {whole:6.1f} s = {60 * args.files / whole:5.1f} "
              f"files/min, RTF {whole / audio:.3f} | {args.small} files: {part:5.1f} s | "
              f"per file {per_file:.3f} s, fixed {fixed:.1f} s")  # fmt: skip
    same = identical(OUT / "out-local", OUT / "out-ray")
    print(f"TextGrids of the two {args.files}-file runs identical: {same}")


if __name__ == "__main__":
    main()
