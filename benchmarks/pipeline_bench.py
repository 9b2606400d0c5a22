"""End-to-end alignment of a long recording: time per stage and peak RSS.

    python benchmarks/pipeline_bench.py --minutes 60              # demo model + base-size model
    python benchmarks/pipeline_bench.py --minutes 10 --models demo

A recording of ``--minutes`` of varied synthetic English (espeak-ng, held-out voices, rates and
noise from ``aligner_gui.demo.corpus``; sentences separated by short pauses) is written to
``benchmarks/out/`` with its transcript, once. Each model then aligns it in a fresh subprocess,
through the same ``align_audio`` the editor and the command line use, and the subprocess reports:
seconds per stage (reading audio, emissions, Viterbi + segments + doubt), the real-time factor
of the emissions, and its peak resident memory (``ru_maxrss``).

Models:
* ``demo`` — the bundled demo model: peaky emissions on speech it was trained for, so the
  alignment step is measured on realistic input.
* ``base`` — a wav2vec2 *base*-size network (95 M parameters, the size of
  WAV2VEC2_ASR_BASE_960H) with random weights, saved in the project's checkpoint format. Its
  emission time and memory are those of the real model (they do not depend on the weights); its
  alignment step runs on meaningless emissions and is not representative (reported anyway).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

OUT = Path(__file__).resolve().parent / "out"


def make_recording(minutes: float, seed: int = 7) -> tuple[Path, Path]:
    from aligner_gui.demo.corpus import degrade, load_vocabulary, make_utterances
    from aligner_gui.demo.espeak import synthesize

    wav = OUT / f"speech_{minutes:g}min.wav"
    txt = wav.with_suffix(".txt")
    if wav.exists() and txt.exists():
        return wav, txt
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    vocab = load_vocabulary()
    target = int(minutes * 60 * 16000)
    pieces: list[np.ndarray] = []
    texts: list[str] = []
    total = 0
    batch = 0
    while total < target:
        for utt in make_utterances("heldout", 50, seed + batch, vocab):
            synth = synthesize(utt.text, utt.voice, rate=utt.rate, pitch=utt.pitch)
            audio = degrade(synth.samples, 16000, rng, utt.snr_db, 0.0)
            pause = np.zeros(int(rng.uniform(0.2, 1.0) * 16000), dtype=np.float32)
            pieces += [audio, pause]
            texts.append(utt.text)
            total += audio.size + pause.size
            if total >= target:
                break
        batch += 1
    samples = np.concatenate(pieces)[:target]
    # An utterance cut off at the end would be text without audio: keep only whole ones.
    ends = np.cumsum([a.size + p.size for a, p in zip(pieces[0::2], pieces[1::2], strict=True)])
    audio_ends = ends - np.array([p.size for p in pieces[1::2]])
    kept = [text for text, end in zip(texts, audio_ends, strict=True) if end <= target]
    sf.write(wav, samples, 16000, subtype="PCM_16")
    txt.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return wav, txt


def base_checkpoint() -> Path:
    import torch
    import torchaudio

    from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS
    from aligner_gui.core.models.model import save_checkpoint

    path = OUT / "base_random.pt"
    if path.exists():
        return path
    config = dict(
        extractor_mode="group_norm", extractor_conv_layer_config=None, extractor_conv_bias=False,
        encoder_embed_dim=768, encoder_projection_dropout=0.0, encoder_pos_conv_kernel=128,
        encoder_pos_conv_groups=16, encoder_num_layers=12, encoder_num_heads=12,
        encoder_attention_dropout=0.0, encoder_ff_interm_features=3072,
        encoder_ff_interm_dropout=0.0, encoder_dropout=0.0, encoder_layer_norm_first=False,
        encoder_layer_drop=0.0, aux_num_out=len(ENGLISH_ASR_LABELS),
    )  # fmt: skip
    torch.manual_seed(0)
    model = torchaudio.models.wav2vec2_model(**config)
    save_checkpoint(path, config=config, state_dict=model.state_dict(),
                    labels=list(ENGLISH_ASR_LABELS.labels), blank=0, word_delimiter="|", star=None,
                    sample_rate=16000, name="wav2vec2-base-size (random weights)")  # fmt: skip
    return path


def run_one(model: str, wav: Path, txt: Path, threads: int) -> dict:
    """In this (sub)process: align and report stage times and peak memory."""
    import torch

    from aligner_gui.core.alignment.pipeline import align_audio
    from aligner_gui.core.io.audio import load_audio
    from aligner_gui.core.io.transcript import read_transcript
    from aligner_gui.core.models.model import load_model

    torch.set_num_threads(threads)
    stages: dict[str, float] = {}
    current = {"name": None, "since": time.perf_counter()}

    def progress(stage: str, fraction: float) -> None:
        if stage != current["name"]:
            now = time.perf_counter()
            if current["name"] is not None:
                stages[current["name"]] = stages.get(current["name"], 0.0) + now - current["since"]
            current.update(name=stage, since=now)

    t0 = time.perf_counter()
    loaded = load_model(model, device="cpu")
    t_model = time.perf_counter() - t0
    t0 = time.perf_counter()
    audio = load_audio(wav, target_rate=loaded.sample_rate)
    t_audio = time.perf_counter() - t0
    text = read_transcript(txt)
    current["since"] = time.perf_counter()
    result = align_audio(audio, text, loaded, progress=progress)
    progress("done", 1.0)
    emission_s = stages.get("Computing emissions", 0.0)
    return {
        "model": loaded.name,
        "audio_seconds": audio.duration,
        "words": len(result.words),
        "load_model_s": t_model,
        "read_audio_s": t_audio,
        "emissions_s": emission_s,
        "emission_rtf": emission_s / audio.duration,
        "align_s": stages.get("Aligning", 0.0),
        "doubtful_regions": len(result.doubtful),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--models", default="demo,base")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--child", nargs=3, metavar=("MODEL", "WAV", "TXT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        model, wav, txt = args.child
        print(json.dumps(run_one(model, Path(wav), Path(txt), args.threads)))
        return
    t0 = time.perf_counter()
    wav, txt = make_recording(args.minutes)
    print(f"recording: {wav.name} ({sf.info(str(wav)).duration / 60:.1f} min), "
          f"{len(txt.read_text().split())} words, made in {time.perf_counter() - t0:.0f} s")  # fmt: skip
    print(f"load average: {os.getloadavg()[0]:.2f}; threads: {args.threads}")
    for name in args.models.split(","):
        model = str(base_checkpoint()) if name == "base" else name
        proc = subprocess.run(
            [sys.executable, __file__, "--threads", str(args.threads), "--child", model, str(wav), str(txt)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            print(f"{name}: failed\n{proc.stderr[-2000:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"{name:5s} {r['model']}: {r['audio_seconds'] / 60:.1f} min, {r['words']} words | "
            f"load model {r['load_model_s']:.1f} s, read audio {r['read_audio_s']:.1f} s, "
            f"emissions {r['emissions_s']:.1f} s (RTF {r['emission_rtf']:.3f}), "
            f"align {r['align_s']:.2f} s, doubtful regions {r['doubtful_regions']} | "
            f"peak RSS {r['peak_rss_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
