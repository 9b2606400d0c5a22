"""Corpus mode: batch throughput, scanning 10,000 files, and resuming a finished corpus.

    python benchmarks/corpus_bench.py                          # modest defaults, a few minutes
    python benchmarks/corpus_bench.py --files 100 --base-files 100 --scan-files 10000

* Throughput: ``--files`` recordings of 5-15 s (held-out espeak-ng voices, some noise) are
  aligned by ``aligner-gui align CORPUS -o OUT`` in a fresh subprocess per run, with the demo
  model and a wav2vec2 base-size model (random weights, as in pipeline_bench.py; emission time
  does not depend on the weights), at ``--jobs 1`` and ``--jobs 2``. Wall-clock time includes
  starting the program, the workers and loading the model: files per minute and real-time
  factor (wall-clock / audio duration). The base-size model runs on the first ``--base-files``.
* Scanning: ``--scan-files`` short recordings with transcripts in 50 speaker folders; time from
  nothing to the file list in the database (scan, pairing, reading every header for its
  duration), in a fresh process with its peak RSS, then again with the database in place.
* Resume: the demo ``--jobs 2`` command run again over its finished output (nothing to do).
* The window: the same ``--scan-files`` corpus opened in the main window (offscreen, a fresh
  process): time from File > Open Corpus to the list shown with every row, and to the
  background rescan done; first with no database (the list comes after the scan), then with it
  in place (the list at once from the database, the rescan after); peak RSS, and the RSS the
  list adds to the empty window.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "corpus_bench"
REPO = HERE.parent
RATE = 16000


def make_corpus(root: Path, files: int, seed: int = 3, *, one_utterance: bool = False) -> float:
    """``files`` recordings in 4 speaker folders, of 5-15 s (several held-out espeak-ng
    utterances) or of ``one_utterance`` each (``ray_bench.py``); returns seconds of audio."""
    from aligner_gui.demo.corpus import load_vocabulary, make_utterances

    marker = root / f".made-{files}"
    if marker.exists():
        return float(marker.read_text())
    shutil.rmtree(root, ignore_errors=True)
    rng = np.random.default_rng(seed)
    count = files if one_utterance else files * 8
    pool = iter(make_utterances("heldout", count, seed, load_vocabulary(), noisy_share=0.5))
    total = 0.0
    for i in range(files):
        if one_utterance:
            utt = next(pool)
            pad = np.zeros(int(0.2 * RATE), np.float32)
            pieces, texts = [pad, _speak(utt, rng), pad], [utt.text]
        else:
            pieces, texts = _several_utterances(pool, rng)
        samples = np.concatenate(pieces)
        folder = root / f"speaker{i % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        sf.write(folder / f"utt{i:04d}.wav", samples, RATE, subtype="PCM_16")
        (folder / f"utt{i:04d}.lab").write_text(" ".join(texts) + "\n", encoding="utf-8")
        total += samples.size / RATE
    marker.write_text(str(total))
    return total


def _speak(utt: Any, rng: np.random.Generator) -> np.ndarray:
    from aligner_gui.demo.corpus import degrade
    from aligner_gui.demo.espeak import synthesize

    synth = synthesize(utt.text, utt.voice, rate=utt.rate, pitch=utt.pitch)
    return degrade(synth.samples, RATE, rng, utt.snr_db, 0.0)


def _several_utterances(
    pool: Iterator[Any], rng: np.random.Generator
) -> tuple[list[np.ndarray], list[str]]:
    """Utterances with 0.3 s pauses until the recording is 5-15 s long."""
    target = rng.uniform(5.0, 15.0)
    pieces: list[np.ndarray] = [np.zeros(int(0.2 * RATE), np.float32)]
    texts: list[str] = []
    length = pieces[0].size
    while length / RATE < target - 1.0:
        utt = next(pool)
        audio = _speak(utt, rng)
        if texts and (length + audio.size) / RATE > 15.0:
            break
        pieces += [audio, np.zeros(int(0.3 * RATE), np.float32)]
        texts.append(utt.text)
        length += audio.size + pieces[-1].size
    return pieces, texts


def base_checkpoint() -> Path:
    sys.path.insert(0, str(HERE))
    from pipeline_bench import base_checkpoint as make

    return make()


def align(
    corpus: Path, out: Path, model: str, jobs: int, *, fresh: bool = True, extra: tuple = ()
) -> float:
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "aligner_gui", "align", str(corpus), "-o", str(out),
         "--model", model, "--jobs", str(jobs), "-q", *extra],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"align failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return seconds


def make_scan_corpus(root: Path, files: int) -> None:
    marker = root / f".made-{files}"
    if marker.exists():
        return
    shutil.rmtree(root, ignore_errors=True)
    tone = (0.1 * np.sin(np.arange(RATE // 2) * 0.1)).astype(np.float32)
    for i in range(files):
        folder = root / f"speaker{i % 50:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        sf.write(folder / f"rec{i:05d}.wav", tone, RATE, subtype="PCM_16")
        (folder / f"rec{i:05d}.lab").write_text("a short line\n", encoding="utf-8")
    marker.write_text("ok")


def scan_child(corpus: Path, out: Path) -> dict:
    from aligner_gui.core.corpus.runner import prepare_corpus

    t0 = time.perf_counter()
    db, entries = prepare_corpus(corpus, out)
    rows = db.files()
    seconds = time.perf_counter() - t0
    db.close()
    return {
        "seconds": seconds,
        "entries": len(entries),
        "rows": len(rows),
        "peak_rss_mb": _peak_rss_mb(),
    }


def window_child(corpus: Path, out: Path) -> dict:
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from aligner_gui.qt.main_window import MainWindow
    from aligner_gui.qt.settings import Settings

    folder = Path(tempfile.mkdtemp())
    settings = Settings(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, recovery_folder=folder / "recovery")
    window.show()
    app.processEvents()
    before = _rss_mb()
    corpus_ui = window.corpus
    t0 = time.perf_counter()
    corpus_ui.open_corpus(corpus, out)
    while corpus_ui.model.file_count() == 0:
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()  # the list painted
    shown = time.perf_counter() - t0
    rows = corpus_ui.model.file_count()
    while corpus_ui._scan is not None and corpus_ui._scan.isRunning():
        app.processEvents()
        time.sleep(0.005)
    app.processEvents()
    scanned = time.perf_counter() - t0
    after = _rss_mb()
    window.close()
    shutil.rmtree(folder, ignore_errors=True)
    return {"shown": shown, "scanned": scanned, "rows": rows, "peak_rss_mb": _peak_rss_mb(),
            "list_rss_mb": after - before}  # fmt: skip


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_rss_mb() -> float:
    """VmHWM: unlike ru_maxrss, not inherited from the parent across fork and exec."""
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scan(corpus: Path, out: Path, child: str = "--scan-child") -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, child, str(corpus), str(out)],
        env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--base-files", type=int, default=20)
    parser.add_argument("--scan-files", type=int, default=10000)
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated: demo, alone (demo without its second opinion), letters, base, "
        "scan, resume, window",
    )
    parser.add_argument("--scan-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--window-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scan_child:
        print(json.dumps(scan_child(Path(args.scan_child[0]), Path(args.scan_child[1]))))
        return
    if args.window_child:
        print(json.dumps(window_child(Path(args.window_child[0]), Path(args.window_child[1]))))
        return
    skip = set(filter(None, args.skip.split(",")))
    print(f"load average: {os.getloadavg()[0]:.2f}; cores: {os.cpu_count()}")
    corpus = OUT / f"corpus{args.files}"
    t0 = time.perf_counter()
    audio = make_corpus(corpus, args.files)
    print(f"corpus: {args.files} files, {audio / 60:.1f} min of audio "
          f"(made in {time.perf_counter() - t0:.0f} s)")  # fmt: skip
    jobs = [int(j) for j in args.jobs.split(",")]
    runs = []
    # The built-in models are each other's second opinion by default: "alone" is without it.
    alone = ("--second-opinion", "none")
    if "demo" not in skip:
        runs.append(("demo", "demo", corpus, audio, args.files, ()))
    if "alone" not in skip:
        runs.append(("demo-alone", "demo", corpus, audio, args.files, alone))
    if "letters" not in skip:
        runs.append(("demo-letters", "demo-letters", corpus, audio, args.files, ()))
    if "base" not in skip and args.base_files > 0:
        base_corpus = OUT / f"corpus{args.base_files}"
        base_audio = make_corpus(base_corpus, args.base_files)
        runs.append(("base", str(base_checkpoint()), base_corpus, base_audio, args.base_files, ()))
    for name, model, source, seconds_of_audio, count, extra in runs:
        for j in jobs:
            wall = align(source, OUT / f"aligned-{name}-{count}-j{j}", model, j, extra=extra)
            print(f"throughput {name:12s} --jobs {j}: {count} files, {seconds_of_audio / 60:.1f} min "
                  f"in {wall:.1f} s = {count / wall * 60:.1f} files/min, "
                  f"RTF {wall / seconds_of_audio:.3f}")  # fmt: skip
    if "resume" not in skip and "demo" not in skip:
        out = OUT / f"aligned-demo-{args.files}-j{jobs[-1]}"
        wall = align(corpus, out, "demo", jobs[-1], fresh=False)
        print(f"resume: second run over the finished {args.files}-file corpus: {wall:.2f} s "
              "(program start, scan, checks, report)")  # fmt: skip
    if "scan" not in skip:
        scan_corpus = OUT / f"scan{args.scan_files}"
        t0 = time.perf_counter()
        make_scan_corpus(scan_corpus, args.scan_files)
        made = time.perf_counter() - t0
        scan_out = OUT / f"scan{args.scan_files}-out"
        shutil.rmtree(scan_out, ignore_errors=True)
        first = scan(scan_corpus, scan_out)
        again = scan(scan_corpus, scan_out)
        print(f"scan: {args.scan_files} recordings (+ transcripts; made in {made:.0f} s): "
              f"first {first['seconds']:.2f} s to {first['rows']} rows in the database, peak RSS "
              f"{first['peak_rss_mb']:.0f} MB; again {again['seconds']:.2f} s, "
              f"{again['peak_rss_mb']:.0f} MB")  # fmt: skip
    if "window" not in skip:
        scan_corpus = OUT / f"scan{args.scan_files}"
        make_scan_corpus(scan_corpus, args.scan_files)
        window_out = OUT / f"window{args.scan_files}-out"
        shutil.rmtree(window_out, ignore_errors=True)
        for when in ("no database yet", "database in place"):
            got = scan(scan_corpus, window_out, "--window-child")
            print(f"window, {args.scan_files}-file corpus, {when}: list shown with {got['rows']} "
                  f"rows in {got['shown']:.2f} s, background rescan done at "
                  f"{got['scanned']:.2f} s; the list adds {got['list_rss_mb']:.0f} MB RSS, "
                  f"peak RSS {got['peak_rss_mb']:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
