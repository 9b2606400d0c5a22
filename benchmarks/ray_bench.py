"""Corpus alignment on Ray against local worker processes: Ray's overhead, fixed and per file.

    python benchmarks/ray_bench.py                    # 100 short files, both modes, 3 times
    python benchmarks/ray_bench.py --files 100 --model demo --repeat 3

``--files`` short recordings (one espeak-ng utterance each, about 2-6 s, held-out voices) are
aligned with the demo model in a fresh process per run: locally with 2 worker processes (what
``--jobs 2`` does), and on a Ray started by that process on this machine with 2 CPUs (what
``--ray`` does here: two actors of one CPU each). Each run reports its wall-clock time (from
before the scan to the report written: program start-up aside, as ``aligner-gui align`` would
take), the start-up (to the first file's outcome: workers or Ray started, model loaded) and the
steady rate after it (seconds per file between the first outcome and the last). The runs are
repeated ``--repeat`` times, the modes interleaved (the machine is shared), and the medians kept.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "ray_bench"
REPO = HERE.parent
RATE = 16000


def make_corpus(root: Path, files: int, seed: int = 5) -> float:
    """``files`` one-utterance recordings in 4 speaker folders; returns seconds of audio."""
    sys.path.insert(0, str(HERE))
    from corpus_bench import make_corpus as make

    return make(root, files, seed, one_utterance=True)


def align(corpus: Path, out: Path, model: str, mode: str) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(corpus), str(out), "--model", model],
        env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"align failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child(mode: str, corpus: Path, out: Path, model: str) -> dict[str, float]:
    """One run, as ``aligner-gui align CORPUS -o OUT --jobs 2`` or ``--ray`` runs it."""
    from aligner_gui.core.corpus.runner import BatchSettings, FileExecutor, run_batch

    executor: FileExecutor | None = None
    if mode == "ray":
        from aligner_gui.cluster.ray_executor import RayExecutor

        executor = RayExecutor(num_cpus=2)
    stamps: list[float] = []
    t0 = time.perf_counter()
    summary = run_batch(corpus, out, BatchSettings(model=model, jobs=2), executor=executor,
                        on_file=lambda *_: stamps.append(time.perf_counter()))  # fmt: skip
    total = time.perf_counter() - t0
    assert summary.aligned == summary.total, summary
    return {
        "total": total,
        "start": stamps[0] - t0,
        "per_file": (stamps[-1] - stamps[0]) / max(1, len(stamps) - 1),
    }


def identical(a: Path, b: Path) -> bool:
    names = sorted(p.relative_to(a) for p in a.rglob("*.TextGrid"))
    return names == sorted(p.relative_to(b) for p in b.rglob("*.TextGrid")) and all(
        (a / n).read_bytes() == (b / n).read_bytes() for n in names
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--model", default="demo")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "CORPUS", "OUT"))
    args = parser.parse_args()
    if args.child:
        mode, corpus_dir, out_dir = args.child
        print(json.dumps(child(mode, Path(corpus_dir), Path(out_dir), args.model)))
        return

    t0 = time.perf_counter()
    corpus = OUT / "corpus"
    audio = make_corpus(corpus, args.files)
    print(f"corpus: {args.files} files, {audio:.0f} s of audio "
          f"({audio / args.files:.1f} s each; made in {time.perf_counter() - t0:.0f} s)")  # fmt: skip
    print(f"load average: {os.getloadavg()[0]:.2f}; cores: {len(os.sched_getaffinity(0))}; "
          f"model: {args.model}; runs: {args.repeat}")  # fmt: skip

    modes = {"local": "local --jobs 2", "ray": "--ray, 2 CPUs"}
    runs: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    for _ in range(args.repeat):
        for mode in modes:
            runs[mode].append(align(corpus, OUT / f"out-{mode}", args.model, mode))
    for mode, name in modes.items():
        total, start, per_file = (
            statistics.median(r[key] for r in runs[mode]) for key in ("total", "start", "per_file")
        )
        spread = ", ".join(f"{r['total']:.1f}" for r in runs[mode])
        print(f"{name:15s} {total:5.1f} s ({spread}) = {60 * args.files / total:4.0f} files/min, "
              f"RTF {total / audio:.3f} | start-up {start:.1f} s, then {1000 * per_file:.0f} ms "
              f"per file")  # fmt: skip
    same = identical(OUT / "out-local", OUT / "out-ray")
    print(f"TextGrids of the two runs identical: {same}")


if __name__ == "__main__":
    main()
