"""Real-time factor and peak memory of the emission stage on CPU (not a test).

wav2vec2 models of the real sizes with random weights (the cost of a forward pass does not
depend on the weights' values): "base" (95M parameters, group-norm extractor, the size of
WAV2VEC2_ASR_BASE_960H) and "large" (317M, layer-norm extractor and waveform normalisation, the
size of WAV2VEC2_ASR_LARGE_LV60K_960H and of MMS-300M / MMS_FA), each wrapped in a LoadedModel
and run through ``aligner_gui.core.models.emission.compute_emissions`` with its default 30 s windows
and 2 s of context, on ``--seconds`` of noise, with 2 torch threads. Each model runs in its own
subprocess, so each peak RSS is its own.

    .venv/bin/python benchmarks/emission_bench.py                 # both models, 60 s of audio
    .venv/bin/python benchmarks/emission_bench.py --models base --seconds 180

The machine is shared: the load average is printed before and after each run; compare runs made
at similar load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(name: str, seconds: float, threads: int) -> dict[str, object]:
    import numpy as np
    import torch
    from torchaudio.models import wav2vec2_base, wav2vec2_large_lv60k

    from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS
    from aligner_gui.core.models.emission import compute_emissions
    from aligner_gui.core.models.model import LoadedModel, feature_geometry

    torch.set_num_threads(threads)
    before_model = rss_mb()
    torch.manual_seed(0)
    if name == "base":
        module, norm_eps = wav2vec2_base(aux_num_out=len(ENGLISH_ASR_LABELS)), None
    elif name == "large":
        module, norm_eps = wav2vec2_large_lv60k(aux_num_out=len(ENGLISH_ASR_LABELS)), 1e-5
    else:
        raise SystemExit(f"unknown model {name}")
    module.eval()
    stride, field = feature_geometry(module)
    model = LoadedModel(
        module, ENGLISH_ASR_LABELS, 16000, name, torch.device("cpu"), stride, field, norm_eps
    )
    parameters = sum(p.numel() for p in module.parameters())
    after_model = rss_mb()
    rng = np.random.default_rng(0)
    compute_emissions(model, (rng.standard_normal(32000) * 0.1).astype(np.float32))  # warm-up
    samples = (rng.standard_normal(round(seconds * 16000)) * 0.1).astype(np.float32)
    before = rss_mb()
    load = os.getloadavg()[0]
    start = time.perf_counter()
    out = compute_emissions(model, samples)
    elapsed = time.perf_counter() - start
    return {
        "model": name,
        "parameters_m": round(parameters / 1e6, 1),
        "audio_s": seconds,
        "frames": int(out.shape[0]),
        "compute_s": round(elapsed, 2),
        "rtf": round(elapsed / seconds, 3),
        "baseline_mb": round(before_model, 0),  # python + numpy + torch + torchaudio
        "model_mb": round(after_model - before_model, 0),
        "compute_growth_mb": round(rss_mb() - before, 0),
        "peak_rss_mb": round(rss_mb(), 0),
        "load_before": round(load, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "threads": threads,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="base,large")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.seconds, args.threads)))
        return
    header = (
        f"{'model':<6} {'params':>7} {'audio s':>7} {'compute s':>9} {'RTF':>6} "
        f"{'imports MB':>10} {'model MB':>8} {'+MB run':>7} {'peak RSS MB':>11} {'load':>11}"
    )
    print(header)
    print("-" * len(header))
    for name in args.models.split(","):
        command = [sys.executable, __file__, "--child", name]
        command += ["--seconds", str(args.seconds), "--threads", str(args.threads)]
        out = subprocess.run(command, capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['model']:<6} {r['parameters_m']:>6}M {r['audio_s']:>7.0f} {r['compute_s']:>9.2f} "
            f"{r['rtf']:>6.3f} {r['baseline_mb']:>10.0f} {r['model_mb']:>8.0f} {r['compute_growth_mb']:>7.0f} "
            f"{r['peak_rss_mb']:>11.0f} {r['load_before']:>5.2f}->{r['load_after']:<5.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
