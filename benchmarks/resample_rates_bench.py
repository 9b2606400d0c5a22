"""Loading recordings at odd sample rates: time and peak memory of load_audio resampling to 16 kHz.

Each file is loaded in a fresh subprocess so that its peak RSS is its own. Prints one row per
rate: seconds of audio, load time, real-time factor, peak RSS growth over the idle process, and
that growth as a multiple of the 16 kHz output array.

    .venv/bin/python benchmarks/resample_rates_bench.py [--minutes 10]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

CHILD = """
import resource, sys, time
import numpy as np
from aligner_gui.core.io.audio import load_audio, resample
resample(np.zeros(1000, np.float32), 44101, 16000)  # libraries loaded before the baseline
idle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
audio = load_audio(sys.argv[1], target_rate=16000)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(elapsed, (peak - idle) * 1024, audio.samples.nbytes)
"""

RATES = (16000, 16001, 22050, 44100, 44101, 48000)


def measure(path: Path) -> tuple[float, int, int]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True
    )
    elapsed, grown, output = out.stdout.split()
    return float(elapsed), int(grown), int(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    seconds = args.minutes * 60
    print(f"{'rate':>7} {'audio s':>8} {'load s':>7} {'RTF':>7} {'peak +MB':>9} {'x output':>9}")
    with tempfile.TemporaryDirectory() as folder:
        for rate in RATES:
            path = Path(folder) / f"noise_{rate}.wav"
            rng = np.random.default_rng(0)
            with sf.SoundFile(path, "w", rate, 1, subtype="PCM_16") as handle:
                for _ in range(int(seconds // 10)):
                    handle.write((0.1 * rng.standard_normal(rate * 10)).astype(np.float32))
            elapsed, grown, output = measure(path)
            print(
                f"{rate:>7} {seconds:>8.0f} {elapsed:>7.2f} {elapsed / seconds:>7.4f} "
                f"{grown / 1e6:>9.1f} {grown / output:>9.2f}"
            )


if __name__ == "__main__":
    main()
