"""Train the bundled demo model: a tiny wav2vec2 CTC network on synthetic espeak-ng speech.

    nice -n 10 python -m aligner_gui.demo.train --out resources/demo_model.pt

Reproducible: the data are a pure function of ``--seed`` (given the word list and espeak-ng
version, see :mod:`aligner_gui.demo.corpus`), torch and numpy are seeded, and one CPU thread is
used, so the same command gives the same weights on the same software stack. ``--max-minutes`` is
only a safety stop; a run that hits it logs the step it stopped at, and ``--stop-at STEP``
repeats it exactly.

The network is ``torchaudio.models.wav2vec2_model`` with the real wav2vec2 convolutional feature
extractor geometry (kernels 10,3,3,3,3,2,2 and strides 5,2,2,2,2,2,2: 320-sample hop, 400-sample
receptive field at 16 kHz) but narrow channels, and a 4-layer, 192-wide transformer. Its output
alphabet is exactly :data:`ENGLISH_ASR_LABELS` so it exercises the code paths of the real model.
Utterances are cached (clean, 16-bit) under ``--cache`` (default in /tmp), and noise, reverb and
gain are drawn afresh every epoch.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS
from aligner_gui.core.io.transcript import tokenize
from aligner_gui.demo import corpus, espeak
from aligner_gui.demo.espeak import synthesize

log = logging.getLogger("aligner_gui.demo.train")

SAMPLE_RATE = 16000
WAVEFORM_NORM_EPS = 1e-5  # the app normalises each recording to zero mean and unit variance
_WIDE = 128
MODEL_CONFIG: dict = {
    "extractor_mode": "layer_norm",
    # (channels, kernel, stride) per layer: wav2vec2's kernels and strides, fewer channels.
    "extractor_conv_layer_config": [(64, 10, 5), (96, 3, 2)]
    + [(_WIDE, 3, 2)] * 3
    + [(_WIDE, 2, 2)] * 2,
    "extractor_conv_bias": True,
    "encoder_embed_dim": 192,
    "encoder_projection_dropout": 0.05,
    "encoder_pos_conv_kernel": 32,
    "encoder_pos_conv_groups": 8,
    "encoder_num_layers": 4,
    "encoder_num_heads": 4,
    "encoder_attention_dropout": 0.05,
    "encoder_ff_interm_features": 768,
    "encoder_ff_interm_dropout": 0.05,
    "encoder_dropout": 0.05,
    "encoder_layer_norm_first": True,
    "encoder_layer_drop": 0.0,
    "aux_num_out": len(ENGLISH_ASR_LABELS),
}


@dataclass
class Dataset:
    audio: np.ndarray  # int16, all utterances concatenated (clean, 16 kHz)
    offsets: np.ndarray  # int64 (n + 1,)
    utterances: list[corpus.Utterance]
    targets: list[np.ndarray]  # int64 token ids per utterance

    def __len__(self) -> int:
        return len(self.utterances)

    def clean(self, i: int) -> np.ndarray:
        return self.audio[self.offsets[i] : self.offsets[i + 1]].astype(np.float32) / 32768.0


def build_dataset(utterances: Sequence[corpus.Utterance], cache: Path | None) -> Dataset:
    """Synthesize (or load from ``cache``) the clean audio of ``utterances``."""
    # The key covers the synthesis code too, so a changed synthesizer never reuses stale audio.
    recipe = repr(list(utterances)).encode() + Path(espeak.__file__).read_bytes()
    key = hashlib.sha256(recipe).hexdigest()[:16]
    path = None if cache is None else cache / f"espeak-{key}.npz"
    if path is not None and path.is_file():
        stored = np.load(path)
        audio, offsets = stored["audio"], stored["offsets"]
    else:
        pieces = []
        for number, utt in enumerate(utterances):
            synth = synthesize(
                utt.text, utt.voice, rate=utt.rate, pitch=utt.pitch, pitch_range=utt.pitch_range
            )
            pieces.append(np.clip(np.round(synth.samples * 32767), -32768, 32767).astype(np.int16))
            if number % 1000 == 999:
                log.info("synthesized %d/%d utterances", number + 1, len(utterances))
        offsets = np.concatenate([[0], np.cumsum([len(p) for p in pieces])]).astype(np.int64)
        audio = np.concatenate(pieces)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npz")
            np.savez(tmp, audio=audio, offsets=offsets)
            tmp.replace(path)
    targets = [
        np.asarray(tokenize(u.text, ENGLISH_ASR_LABELS).tokens, dtype=np.int64) for u in utterances
    ]
    return Dataset(audio, offsets, list(utterances), targets)


def normalise(x: np.ndarray) -> np.ndarray:
    """What :func:`aligner_gui.core.models.emission.compute_emissions` does for ``waveform_norm_eps``."""
    x64 = x.astype(np.float64)
    centred = x64 - x64.mean()
    return (centred / math.sqrt(float(np.mean(centred**2)) + WAVEFORM_NORM_EPS)).astype(np.float32)


def batches(lengths: np.ndarray, max_samples: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of similar-length utterances whose padded size stays under max_samples."""
    order = np.argsort(lengths + rng.uniform(0, SAMPLE_RATE * 0.3, len(lengths)))
    out: list[np.ndarray] = []
    current: list[int] = []
    for i in order:
        longest = max([lengths[j] for j in current] + [lengths[i]])
        if current and longest * (len(current) + 1) > max_samples:
            out.append(np.asarray(current))
            current = []
        current.append(int(i))
    if current:
        out.append(np.asarray(current))
    rng.shuffle(out)  # type: ignore[arg-type]
    return out


def greedy_decode(log_probs: np.ndarray) -> str:
    """Argmax per frame, repeats collapsed, blanks dropped, delimiters as spaces."""
    labels = ENGLISH_ASR_LABELS
    best = np.argmax(log_probs, axis=-1)
    keep = np.concatenate([[True], best[1:] != best[:-1]]) & (best != labels.blank)
    text = "".join(labels.labels[i] for i in best[keep])
    return " ".join(text.replace(labels.word_delimiter or "|", " ").split())


def reference_text(text: str) -> str:
    """The transcript as greedy decoding can spell it: upper case, letters and apostrophes."""
    tok = tokenize(text, ENGLISH_ASR_LABELS)
    return " ".join(w.normalized for w in tok.words if w.normalized)


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def character_error_rate(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    errors = sum(edit_distance(h, r) for h, r in zip(hypotheses, references, strict=True))
    return errors / max(1, sum(len(r) for r in references))


def new_model(config: dict, lr: float) -> tuple[Any, Any]:
    """A fresh wav2vec2 model of ``config`` and the AdamW optimiser both recipes train it with."""
    import torch
    from torchaudio.models import wav2vec2_model

    model = wav2vec2_model(**config)
    log.info("model: %d parameters", sum(p.numel() for p in model.parameters()))
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=0.01)
    return model, optimiser


def cosine_lr(step: int, lr: float, warmup: int, steps: int) -> float:
    """Linear warm-up, then a cosine decay to 5 % of ``lr`` at ``steps``."""
    warm = min(1.0, (step + 1) / warmup)
    progress = min(1.0, step / max(1, steps))
    return lr * warm * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))


def forward_batch(
    model: Any, optimiser: Any, inputs: Sequence[np.ndarray], lr: float
) -> tuple[Any, Any]:
    """Set the learning rate and run ``inputs`` (zero-padded into a batch) through ``model``:
    the logits (batch, frames, labels) and each row's valid frame count."""
    import torch

    wave = torch.zeros(len(inputs), max(len(x) for x in inputs))
    for row, x in enumerate(inputs):
        wave[row, : len(x)] = torch.from_numpy(x)
    for group in optimiser.param_groups:
        group["lr"] = lr
    return model(wave, torch.tensor([len(x) for x in inputs]))


def optimise(model: Any, optimiser: Any, loss: Any) -> float:
    """Back-propagate ``loss``, clip the gradient norm to 5 and step; the loss's value."""
    import torch

    optimiser.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    optimiser.step()
    return float(loss.item())


def ctc_step(
    model: Any, optimiser: Any, inputs: Sequence[np.ndarray], targets: Sequence[np.ndarray],
    blank: int, lr: float,
) -> float:  # fmt: skip
    """One optimiser step of CTC loss on ``inputs`` (zero-padded into a batch); the loss."""
    import torch

    labels = [torch.from_numpy(np.asarray(t)) for t in targets]
    logits, out_lengths = forward_batch(model, optimiser, inputs, lr)
    log_probs = torch.log_softmax(logits.float(), -1).transpose(0, 1)
    loss = torch.nn.functional.ctc_loss(
        log_probs,
        torch.cat(labels),
        out_lengths,
        torch.tensor([len(t) for t in labels]),
        blank=blank,
        reduction="mean",
        zero_infinity=True,
    )
    return optimise(model, optimiser, loss)


def train(args: argparse.Namespace) -> None:
    import torch

    from aligner_gui.core.models.model import save_checkpoint

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    vocab = corpus.load_vocabulary(args.word_list)
    started = time.monotonic()
    train_set = build_dataset(
        corpus.make_utterances("train", args.utterances, args.seed, vocab), args.cache
    )
    dev_set = build_dataset(corpus.make_utterances("heldout", 48, args.seed, vocab), args.cache)
    hours = len(train_set.audio) / SAMPLE_RATE / 3600
    log.info(
        "data: %d utterances, %.2f h, ready after %.0f s",
        len(train_set),
        hours,
        time.monotonic() - started,
    )

    model, optimiser = new_model(MODEL_CONFIG, args.lr)

    def lr_at(step: int) -> float:
        return cosine_lr(step, args.lr, args.warmup, args.steps)

    def save(step: int) -> None:
        save_checkpoint(
            args.out,
            config=MODEL_CONFIG,
            state_dict=model.state_dict(),
            labels=ENGLISH_ASR_LABELS.labels,
            blank=ENGLISH_ASR_LABELS.blank,
            word_delimiter=ENGLISH_ASR_LABELS.word_delimiter,
            star=ENGLISH_ASR_LABELS.star,
            sample_rate=SAMPLE_RATE,
            name="demo",
            waveform_norm_eps=WAVEFORM_NORM_EPS,
        )
        log.info("step %d: saved %s", step, args.out)

    dev_inputs = []
    for i, utt in enumerate(dev_set.utterances):
        noisy = corpus.degrade(
            dev_set.clean(i),
            SAMPLE_RATE,
            np.random.default_rng(utt.seed),
            utt.snr_db,
            utt.reverb_seconds,
        )
        dev_inputs.append(normalise(noisy))
    dev_refs = [reference_text(u.text) for u in dev_set.utterances]

    def evaluate() -> float:
        hyps = [greedy_decode(lp) for lp in held_out_log_probs(model, dev_inputs)]
        return character_error_rate(hyps, dev_refs)

    lengths = np.diff(train_set.offsets)
    step, epoch, train_started = 0, 0, time.monotonic()
    running = 0.0
    model.train()
    while step < args.steps:
        for batch in batches(lengths, int(args.batch_seconds * SAMPLE_RATE), rng):
            elapsed = (time.monotonic() - train_started) / 60
            if should_stop(args, step, elapsed):
                args.steps = step
                break
            inputs = []
            for i in batch:
                utt = train_set.utterances[i]
                noise_rng = np.random.default_rng([utt.seed, epoch])
                snr = utt.snr_db if utt.snr_db is None else float(noise_rng.uniform(5.0, 40.0))
                inputs.append(
                    normalise(
                        corpus.degrade(
                            train_set.clean(i), SAMPLE_RATE, noise_rng, snr, utt.reverb_seconds
                        )
                    )
                )
            targets = [train_set.targets[i] for i in batch]
            value = ctc_step(
                model, optimiser, inputs, targets, ENGLISH_ASR_LABELS.blank, lr_at(step)
            )
            running = 0.98 * running + 0.02 * value if step else value
            step += 1
            if step % 50 == 0:
                log.info(
                    "step %d epoch %d loss %.3f lr %.2e %.1f min",
                    step,
                    epoch,
                    running,
                    lr_at(step),
                    elapsed,
                )
            if step % args.eval_every == 0:
                log.info("step %d: held-out CER %.3f", step, evaluate())
                save(step)
        epoch += 1
    log.info("final held-out CER %.3f", evaluate())
    save(step)
    log.info("done: %d steps in %.1f min", step, (time.monotonic() - train_started) / 60)


def held_out_log_probs(model: Any, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The model's log-probabilities (frames x labels) for each held-out input, in evaluation
    mode (no dropout), leaving the model in training mode."""
    import torch

    model.eval()
    out = []
    with torch.inference_mode():
        for x in inputs:
            logits, _ = model(torch.from_numpy(x)[None])
            out.append(torch.log_softmax(logits[0], -1).numpy())
    model.train()
    return out


def should_stop(args: argparse.Namespace, step: int, elapsed_minutes: float) -> bool:
    """Whether a run ends before ``step``: its ``--steps``, ``--stop-at`` or the
    ``--max-minutes`` safety stop (logged: the step it stopped at repeats the run)."""
    if step >= args.steps:
        return True
    if args.stop_at is not None and step >= args.stop_at:
        log.info("stopping at step %d as asked (--stop-at)", step)
        return True
    if elapsed_minutes > args.max_minutes:
        log.warning("stopping at step %d: --max-minutes %.0f reached", step, args.max_minutes)
        return True
    return False


def training_parser(
    prog: str,
    description: str,
    *,
    out: Path,
    utterances: int,
    steps: int,
    lr: float,
    eval_every: int,
    max_minutes: float,
) -> argparse.ArgumentParser:
    """The options every demo recipe takes, with that recipe's defaults."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--out", type=Path, default=out)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--utterances", type=int, default=utterances, help="training utterances")
    parser.add_argument("--steps", type=int, default=steps)
    parser.add_argument("--batch-seconds", type=float, default=16.0, help="padded audio per batch")
    parser.add_argument("--lr", type=float, default=lr)
    parser.add_argument("--warmup", type=int, default=250)
    parser.add_argument("--eval-every", type=int, default=eval_every)
    parser.add_argument(
        "--max-minutes",
        type=float,
        default=max_minutes,
        help="safety stop (see the module docstring)",
    )
    parser.add_argument(
        "--stop-at",
        type=int,
        default=None,
        help="end after this many steps, keeping the learning-rate schedule of --steps "
        "(repeats a run that --max-minutes cut short)",
    )
    parser.add_argument("--word-list", type=Path, default=corpus.DEFAULT_WORD_LIST)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/aligner_gui_demo_cache"))
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = training_parser(
        "python -m aligner_gui.demo.train",
        __doc__.split("\n")[0],
        out=Path("resources/demo_model.pt"),
        utterances=6000,
        steps=3200,
        lr=2e-3,
        eval_every=200,
        max_minutes=40.0,
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    train(parse_args(argv))


if __name__ == "__main__":
    main()
