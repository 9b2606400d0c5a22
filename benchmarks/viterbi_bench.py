"""Time and peak memory of the forced-alignment step on synthetic emissions (not a test).

The parent builds the emissions once per size (a "perfect model" with noise, ~14 characters per
second including word delimiters, 50 frames per second: tests/core/ctc_synth.py) and saves them.
Each case runs in a fresh subprocess so that its peak RSS is its own: the child loads them, notes
its high-water RSS, times one run of the aligner and the growth of the high-water mark, then runs
it again under tracemalloc (numpy reports its buffers there) for the peak of traced allocations,
and prints JSON. The parent prints a table.

    .venv/bin/python benchmarks/viterbi_bench.py            # the table in README-engine.md
    .venv/bin/python benchmarks/viterbi_bench.py --quick    # 10 minutes only
    .venv/bin/python benchmarks/viterbi_bench.py --no-trace  # faster: no tracemalloc re-run
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS_PER_MINUTE = 140  # pseudo-words of ~5 letters: ~14 characters per second with delimiters

# (method, minutes, model): the full Viterbi only where its T x S bytes of backpointers fit.
# "poor" emissions come from a weak model (a third of the frames misread): few anchors, so the
# band is wide; the realistic worst case short of pure noise.
CASES = [
    ("full", 10, "good"),
    ("bounded", 10, "good"),
    ("long", 10, "good"),
    ("pipeline", 10, "good"),
    ("long", 60, "good"),
    ("pipeline", 60, "good"),
    ("long", 10, "poor"),
    ("long", 60, "poor"),
]
POOR = {"noise": 3.0, "confusion": 0.3}


def make_input(minutes: float, model: str, cache: Path) -> Path:
    """Emissions and transcript for ``minutes`` of speech, saved once per size and model."""
    target = cache / f"speech_{minutes:g}min_{model}.npz"
    if not target.exists():
        sys.path.insert(0, str(ROOT / "tests" / "core"))
        import numpy as np

        from ctc_synth import sentence, speak, vocabulary

        rng = np.random.default_rng(2024)
        words = sentence(rng, vocabulary(rng), round(minutes * WORDS_PER_MINUTE))
        sp = speak(rng, words, **(POOR if model == "poor" else {}))
        cache.mkdir(parents=True, exist_ok=True)
        np.savez(target, log_probs=sp.log_probs, text=np.array(" ".join(words)))
    return target


def child(method: str, data: Path, traced: bool) -> dict[str, object]:
    import numpy as np

    from aligner_gui.core.alignment.doubt import find_doubtful_regions
    from aligner_gui.core.alignment.long_align import long_forced_align_report
    from aligner_gui.core.alignment.pipeline import align_emissions
    from aligner_gui.core.alignment.viterbi import bounded_forced_align, forced_align
    from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS
    from aligner_gui.core.base.timebase import TimeBase
    from aligner_gui.core.io.transcript import tokenize

    with np.load(data) as archive:
        lp = archive["log_probs"]
        tokenized = tokenize(str(archive["text"]), ENGLISH_ASR_LABELS)
    tokens = tokenized.tokens
    T, L = lp.shape[0], len(tokens)
    timebase = TimeBase(16000, 320)
    extra: dict[str, object] = {}

    def run() -> None:
        if method == "full":
            forced_align(lp, tokens, 0)
        elif method == "bounded":
            bounded_forced_align(lp, tokens, 0)
        elif method == "long":
            _, report = long_forced_align_report(lp, tokens, 0)
            extra.update(
                anchors=report.anchors,
                passes=report.passes,
                band=round(report.band_cells / T),
                max_width=report.max_width,
            )
        elif method == "pipeline":  # Viterbi + words and characters + doubtful regions
            duration = T * timebase.frame_seconds
            path, words, chars = align_emissions(
                lp, tokenized, ENGLISH_ASR_LABELS, timebase, duration
            )
            regions = find_doubtful_regions(words, chars, path, lp, ENGLISH_ASR_LABELS, timebase)
            extra.update(doubtful=len(regions))
        else:
            raise SystemExit(f"unknown method {method}")

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    traced_peak = None
    if traced:  # a second run: tracemalloc slows numpy-heavy loops several times over
        tracemalloc.start()
        run()
        traced_peak = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    return {
        "method": method,
        "minutes": round(T / 50 / 60, 1),
        "frames": T,
        "tokens": L,
        "states": 2 * L + 1,
        "seconds": round(seconds, 3),
        "rss_growth_mb": round((after - before) / 1024, 1),  # ru_maxrss is in KiB on Linux
        "rss_peak_mb": round(after / 1024, 1),
        "traced_peak_mb": traced_peak,
        **extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", help="method:path-to-npz, run in this process, print JSON")
    parser.add_argument("--quick", action="store_true", help="10-minute cases only")
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc re-run")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/aligner_gui_viterbi_bench"))
    args = parser.parse_args()
    if args.case:
        method, data = args.case.split(":", 1)
        print(json.dumps(child(method, Path(data), not args.no_trace)))
        return
    print(f"load average before: {os.getloadavg()[0]:.2f} (2-core machine)")
    header = (
        f"{'method':<9} {'model':<5} {'audio':>6} {'frames':>7} {'states':>7} {'time s':>7} "
        f"{'x realtime':>10} {'RSS +MB':>8} {'traced MB':>9}  notes"
    )
    print(header)
    print("-" * len(header))
    for method, minutes, model in CASES:
        if args.quick and minutes > 10:
            continue
        data = make_input(minutes, model, args.cache)
        command = [sys.executable, __file__, "--case", f"{method}:{data}"]
        out = subprocess.run(
            command + (["--no-trace"] if args.no_trace else []),
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        notes = ", ".join(
            f"{k}={r[k]}" for k in ("anchors", "passes", "band", "max_width", "doubtful") if k in r
        )
        print(
            f"{r['method']:<9} {model:<5} {r['minutes']:>4.0f}m {r['frames']:>7} {r['states']:>7} "
            f"{r['seconds']:>7.2f} {r['minutes'] * 60 / r['seconds']:>10.0f} "
            f"{r['rss_growth_mb']:>8.1f} {r['traced_peak_mb'] or 0:>9.1f}  {notes}",
            flush=True,
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
