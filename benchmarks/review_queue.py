"""Does the review queue put planted transcript errors first?

    python benchmarks/review_queue.py                    # 64 files, a third with an error
    python benchmarks/review_queue.py --files 120 --planted-share 0.4 --seed 3

A corpus of ``--files`` recordings (2-3 held-out espeak-ng utterances each, 5-15 s, held-out
voices, some noise; three speaker folders) is written to ``benchmarks/out/review_queue/``. In a
share of the transcripts one error is planted, the four kinds in turn:

* ``substituted`` - a word replaced by another word;
* ``deleted`` - a spoken word left out of the transcript;
* ``inserted`` - a word added that is not spoken;
* ``sentence`` - a whole spoken utterance left out.

The corpus is aligned through the batch runner with ``--model`` (default ``demo``, the built-in
phone model; ``demo-letters`` is the letter CTC model), as ``aligner-gui align CORPUS -o OUT
--model demo``, and the queue is read back from the database. Reported per kind,
with K = the number of planted errors:

* files: the share of planted files among the first K files of the queue (file order);
* first suspect: the share of planted files whose first suspect (where "next suspect" jumps on
  reaching the file) lies on the error: within 0.3 s of the substituted or inserted word's
  place, of the deleted word, or inside the missing utterance; or it is the substituted or
  inserted word itself, or a word right before or after the gap a deleted word or sentence left
  in the transcript (pauses around a sentence are up to 0.8 s, and the transcript has no word at
  the missing speech to point at);
* first K suspects: the share of planted errors hit by any of the first K suspects.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from aligner_gui.core.corpus.database import DATABASE_NAME, CorpusDatabase, WordRow
from aligner_gui.core.corpus.runner import BatchSettings, run_batch
from aligner_gui.core.corpus.suspicion import Suspect, rescore_corpus, review_queue

OUT = Path(__file__).resolve().parent / "out" / "review_queue"
KINDS = ("substituted", "deleted", "inserted", "sentence")
RATE = 16000
TOLERANCE = 0.3  # seconds
MISPLACED = 0.1  # seconds: a clean file's word this far off at either edge is misaligned
# A deleted word spoken for less than this (mostly a function word: "a", "the", "of") leaves
# too little unclaimed speech for its neighbours to look wrong; reported apart, to show
# where the deletions the queue misses come from.
SHORT_WORD = 0.3  # seconds


@dataclass(frozen=True)
class Planted:
    path: str  # relative audio path
    kind: str
    start: float  # where the error is in the audio (seconds)
    end: float
    # Indices (in the planted transcript) of the words the queue may point at for this error:
    # the substituted or inserted word; for speech missing from the transcript (a deleted word,
    # a sentence), the words on either side of the gap, wherever the aligner put them.
    words: tuple[int, ...] = ()


def _strip(word: str) -> str:
    return word.strip(".,?!;:")


def make_corpus(
    root: Path, files: int, planted_share: float, seed: int, noisy_share: float, split: str
) -> tuple[list[Planted], dict[str, list[tuple[str, float, float]]]]:
    """The planted errors, and where each transcript word of the clean files is spoken."""
    from aligner_gui.demo.corpus import degrade, load_vocabulary, make_utterances, split_vocabulary
    from aligner_gui.demo.espeak import synthesize

    rng = np.random.default_rng(seed)
    vocab = load_vocabulary()
    content = split_vocabulary(vocab, split).content  # type: ignore[arg-type]
    utterances = make_utterances(split, files * 3, seed, vocab, noisy_share=noisy_share)  # type: ignore[arg-type]
    planted_count = int(round(files * planted_share))
    planted_files = set(rng.choice(files, size=planted_count, replace=False).tolist())
    planted: list[Planted] = []
    spoken_times: dict[str, list[tuple[str, float, float]]] = {}
    kind_index = 0
    for i in range(files):
        speaker = f"speaker{i % 3}"
        parts = utterances[3 * i : 3 * i + int(rng.integers(2, 4))]
        pieces: list[np.ndarray] = [np.zeros(int(0.3 * RATE), np.float32)]
        spoken: list[tuple[str, float, float, int]] = []  # word, start, end, utterance
        offset = 0.3
        for u, utt in enumerate(parts):
            synth = synthesize(utt.text, utt.voice, rate=utt.rate, pitch=utt.pitch)
            audio = degrade(synth.samples, RATE, rng, utt.snr_db, 0.0)
            spoken += [(w.text, w.start + offset, w.end + offset, u) for w in synth.words]
            pause = np.zeros(int(rng.uniform(0.3, 0.8) * RATE), np.float32)
            pieces += [audio, pause]
            offset += (audio.size + pause.size) / RATE
        words = [w for w, *_ in spoken]
        path = f"{speaker}/rec{i:03d}.wav"
        if i in planted_files:
            kind = KINDS[kind_index % len(KINDS)]
            kind_index += 1
            words, where, near = _plant(kind, spoken, len(parts), rng, content)
            planted.append(Planted(path, kind, *where, words=near))
        else:
            spoken_times[path] = [(word, start, end) for word, start, end, _u in spoken]
        (root / speaker).mkdir(parents=True, exist_ok=True)
        sf.write(root / path, np.concatenate(pieces), RATE, subtype="PCM_16")
        (root / path).with_suffix(".lab").write_text(" ".join(words) + "\n", encoding="utf-8")
    return planted, spoken_times


def _plant(
    kind: str,
    spoken: list[tuple[str, float, float, int]],
    utterances: int,
    rng: np.random.Generator,
    content: tuple[str, ...] | list[str],
) -> tuple[list[str], tuple[float, float], tuple[int, ...]]:
    words = [w for w, *_ in spoken]
    k = int(rng.integers(len(words)))
    other = content[int(rng.integers(len(content)))]
    if kind == "substituted":
        while _strip(other).lower() == _strip(words[k]).lower():
            other = content[int(rng.integers(len(content)))]
        words[k] = other
        return words, (spoken[k][1], spoken[k][2]), (k,)
    if kind == "deleted":
        del words[k]
        return words, (spoken[k][1], spoken[k][2]), _beside(k, len(words))
    if kind == "inserted":
        words.insert(k, other)
        # Between the previous spoken word and word k.
        before = spoken[k - 1][2] if k > 0 else spoken[k][1]
        return words, (before, spoken[k][1]), (k,)
    missing = int(rng.integers(utterances))
    kept = [w for w, _s, _e, u in spoken if u != missing]
    first = next(i for i, (*_, u) in enumerate(spoken) if u == missing)
    times = [(s, e) for _w, s, e, u in spoken if u == missing]
    return kept, (times[0][0], times[-1][1]), _beside(first, len(kept))


def _beside(gap: int, count: int) -> tuple[int, ...]:
    """The words either side of a gap before word ``gap`` of a ``count``-word transcript."""
    return tuple(i for i in (gap - 1, gap) if 0 <= i < count)


def near(error: Planted, start: float, end: float) -> bool:
    """Whether ``[start, end)`` lies within ``TOLERANCE`` of the error's place in the audio."""
    return start < error.end + TOLERANCE and error.start - TOLERANCE < end


def _hits(suspect: Suspect, error: Planted) -> bool:
    """The suspect leads the user to the error: it lies within ``TOLERANCE`` of it, or it is
    one of the words the error is about (:attr:`Planted.words`)."""
    return suspect.path == error.path and (
        near(error, suspect.start, suspect.end) or suspect.idx in error.words
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=64)
    parser.add_argument("--planted-share", type=float, default=1 / 3)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--noisy-share", type=float, default=0.5,
        help="share of utterances with noise at 5-40 dB SNR (the rest clean)",
    )  # fmt: skip
    parser.add_argument(
        "--split", choices=("train", "heldout"), default="heldout",
        help="the demo model's training voices and words, or held-out ones (harder)",
    )  # fmt: skip
    parser.add_argument("--model", default="demo")
    parser.add_argument(
        "--second-opinion", default="auto",
        help="the model heard beside --model for the queue ('none' for the aligner alone)",
    )  # fmt: skip
    parser.add_argument(
        "--rescore", action="store_true",
        help="only score the queue again over the last run's alignments (to tune suspicion)",
    )  # fmt: skip
    args = parser.parse_args()
    corpus, out = OUT / "corpus", OUT / "aligned"
    if args.rescore:
        planted = [
            Planted(**{**p, "words": tuple(p.get("words", ()))})
            for p in json.loads((OUT / "planted.json").read_text())
        ]
        spoken_file = OUT / "spoken.json"
        spoken_times = json.loads(spoken_file.read_text()) if spoken_file.exists() else {}
    else:
        shutil.rmtree(OUT, ignore_errors=True)
        t0 = time.perf_counter()
        planted, spoken_times = make_corpus(
            corpus, args.files, args.planted_share, args.seed, args.noisy_share, args.split
        )
        (OUT / "planted.json").write_text(json.dumps([p.__dict__ for p in planted]))
        (OUT / "spoken.json").write_text(json.dumps(spoken_times))
        made = time.perf_counter() - t0
        t0 = time.perf_counter()
        summary = run_batch(
            corpus,
            out,
            BatchSettings(model=args.model, jobs=args.jobs, second_opinion=args.second_opinion),
        )
        print(f"corpus: {args.files} files, {summary.audio_seconds / 60:.1f} min, made in "
              f"{made:.0f} s; aligned in {time.perf_counter() - t0:.0f} s "
              f"({summary.failed} failed)")  # fmt: skip
    with CorpusDatabase(out / DATABASE_NAME) as db:
        rescore_corpus(db)
        queue = review_queue(db)
        file_order = [r.path for r in db.files(order_by="suspicion") if r.suspicion is not None]
        clean_words = db.words() if spoken_times else {}
    k = len(planted)
    top_files = set(file_order[:k])
    first_k = queue[:k]
    first_in_file: dict[str, Suspect] = {}
    for suspect in queue:
        first_in_file.setdefault(suspect.path, suspect)
    print(f"planted errors: {k} (K); suspects in the queue: {len(queue)}")
    print(f"{'kind':24s} {'n':>3s} {'files in first K':>17s} {'first suspect on it':>20s} "
          f"{'hit by first K suspects':>24s}")  # fmt: skip
    rows = [(kind, [p for p in planted if p.kind == kind]) for kind in KINDS]
    deleted = rows[KINDS.index("deleted")][1]
    rows.append(("all", planted))
    rows.append((f"deleted, spoken < {SHORT_WORD:g} s", [p for p in deleted if _short(p)]))
    rows.append((f"deleted, spoken >= {SHORT_WORD:g} s", [p for p in deleted if not _short(p)]))
    for kind, errors in rows:
        n = len(errors)
        if n == 0:
            continue
        in_files = sum(e.path in top_files for e in errors)
        first = sum(e.path in first_in_file and _hits(first_in_file[e.path], e) for e in errors)
        hit = sum(any(_hits(s, e) for s in first_k) for e in errors)
        print(f"{kind:24s} {n:3d} {in_files / n:16.0%} {first / n:19.0%} {hit / n:23.0%}")
    _report_other_suspects(first_k, planted, spoken_times)
    _report_misplaced(clean_words, spoken_times)


def _short(error: Planted) -> bool:
    return error.end - error.start < SHORT_WORD


def _misplaced(start: float, end: float, spoken: tuple[str, float, float]) -> bool:
    """Whether a word aligned to ``[start, end)`` is more than ``MISPLACED`` off at either edge
    from where it is spoken (``spoken``: label, start, end)."""
    return max(abs(start - spoken[1]), abs(end - spoken[2])) > MISPLACED


def _report_misplaced(
    aligned: dict[str, list[WordRow]], spoken: dict[str, list[tuple[str, float, float]]]
) -> None:
    """How many words of the clean files the aligner put far from where they are spoken."""
    words = misplaced = 0
    for path, truth in spoken.items():
        rows = aligned.get(path, [])
        if len(rows) != len(truth):
            continue
        words += len(rows)
        misplaced += sum(_misplaced(w.start, w.end, t) for w, t in zip(rows, truth, strict=True))
    print(f"clean files' words aligned more than {MISPLACED * 1000:.0f} ms from where they are "
          f"spoken: {misplaced} of {words}")  # fmt: skip


def _report_other_suspects(
    first_k: list[Suspect],
    planted: list[Planted],
    spoken: dict[str, list[tuple[str, float, float]]],
) -> None:
    """What the first K suspects that are on no planted error point at: a word of a clean file
    the aligner put far from where it is spoken needs the user as much as a transcript error."""
    planted_files = {p.path for p in planted}
    others = [s for s in first_k if not any(_hits(s, p) for p in planted)]
    clean = [s for s in others if s.path not in planted_files]
    misplaced = [
        s
        for s in clean
        if s.path in spoken
        and s.idx < len(spoken[s.path])
        and spoken[s.path][s.idx][0] == s.label
        and _misplaced(s.start, s.end, spoken[s.path][s.idx])
    ]
    print(
        f"first K suspects on no planted error: {len(others)} ({len(others) - len(clean)} "
        f"elsewhere in planted files, {len(clean)} in clean files, of which {len(misplaced)} on "
        f"a word aligned more than {MISPLACED * 1000:.0f} ms from where it is spoken)"
    )


if __name__ == "__main__":
    main()
