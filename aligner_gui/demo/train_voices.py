"""Train the phone demo model on many voice families: one command, reproducible, 2 CPU cores.

    nice -n 10 python -m aligner_gui.demo.train_voices --out resources/demo_phones.pt

The default output is ``resources/demo_phones.pt``, beside the character model: the app cannot
align plain text with phone labels until the pronunciation pipeline of issue 10 lands, so the
phone model replaces ``demo_model.pt`` only then.

Data: :mod:`.voices` (espeak-ng, Flite, Festival; IPA phones with word boundaries, times checked
against the signal, failures dropped and counted) synthesised once and cached clean under
``--cache``; every epoch each utterance gets a fresh speed factor (0.9-1.1) and a fresh
:func:`aligner_gui.demo.augment.field_recording` chain (pitch, vocal tract length, EQ, room, noise,
babble of other training utterances, telephone band, MP3/Opus, clipping), all drawn from
``(seed, utterance, epoch)``, so a run is a pure function of its arguments on one software stack
(one torch thread). The chain's odds ramp up from zero over ``--augment-ramp`` steps.

Labels: blank ``-`` and the 40 phones of :data:`.phones.INVENTORY` ("aɪ", "tʃ"... are single
labels); no word delimiter. The model is a frame classifier, as Charsiu trains wav2vec2 for
phone alignment: every 20 ms frame is taught, by cross-entropy, the phone the engine says is
sounding at its midpoint, or blank where no phone is (pauses, leading and trailing silence). Why
not CTC: a CTC model learns when to *spike*, not where a phone begins and ends, so its boundaries
land 20-60 ms off, and from scratch it sits on an all-blank plateau for most of a 2-core budget
(the CTC recipe of the previous session: phone error rate 1.0 until step 1000, 0.89 at 3000).
The exact engine timings are what synthetic speech offers that real corpora do not; frame
targets use them directly. The app aligns it as it aligns any CTC model (blank = silence, each
phone a run of frames; words are the spans of their phones), so the checkpoint format
``aligner-gui/ctc-checkpoint/1`` is unchanged, with one extra key, ``label_kind: "phones"``
(see :data:`LABEL_KIND`). There is no character output: the character model stays for
character tiers.

``--targets expected`` teaches each frame the phone the app would align there (the transcript's
G2P pronunciation, :mod:`aligner_gui.demo.canonical`) rather than the one the voice says; measured
and not shipped (``benchmarks/demo-voices.md``), it is there for a corpus whose accent differs
from its dictionary's.

``--max-minutes`` is a safety stop; ``--stop-at STEP`` repeats a run it cut short. The schedule
depends only on ``--steps``, never on the wall clock.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import hashlib
import io
import json
import logging
import math
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aligner_gui.core.base.labels import LabelSet
from aligner_gui.demo import augment, canonical, corpus, espeak, festival, flite, phones, voices
from aligner_gui.demo.timed_speech import TimedWord
from aligner_gui.demo.train import (
    MODEL_CONFIG,
    batches,
    cosine_lr,
    edit_distance,
    forward_batch,
    held_out_log_probs,
    new_model,
    normalise,
    optimise,
    should_stop,
    training_parser,
)

log = logging.getLogger("aligner_gui.demo.train_voices")

SAMPLE_RATE = 16000
WAVEFORM_NORM_EPS = 1e-5
LABEL_KIND = "phones"  # extra checkpoint key: the labels are IPA phones, not letters
PHONE_LABELS = LabelSet(labels=("-", *phones.INVENTORY), blank=0, word_delimiter=None)
# Frame targets are softened a little: the Viterbi then still finds a path through a frame the
# model is sure of (e.g. the blank between two identical phones), and probabilities stay usable
# as confidence scores.
LABEL_SMOOTHING = 0.1
_CACHE_FORMAT = b"phone-spans-2"  # bump when what the cache stores changes
_WIDE = 160
# Wider and deeper than the character demo (3.9 M parameters, ~16 MB): phones from many voices.
PHONE_MODEL_CONFIG: dict = {
    **MODEL_CONFIG,
    "extractor_conv_layer_config": [(64, 10, 5), (128, 3, 2)]
    + [(_WIDE, 3, 2)] * 3
    + [(_WIDE, 2, 2)] * 2,
    "encoder_embed_dim": 224,
    "encoder_num_layers": 6,
    "encoder_num_heads": 4,
    "encoder_ff_interm_features": 896,
    "aux_num_out": len(PHONE_LABELS),
}
# Samples per output frame: the product of the feature extractor's strides (320 = 20 ms).
FRAME_STRIDE = math.prod(
    stride for _, _, stride in PHONE_MODEL_CONFIG["extractor_conv_layer_config"]
)


@dataclass
class PhoneSet:
    audio: np.ndarray  # int16, clean utterances concatenated
    offsets: np.ndarray  # int64 (n + 1,)
    targets: list[np.ndarray]  # label ids of the phones, in order
    spans: list[np.ndarray]  # per utterance (n, 3) float64: phone start s, end s, label id
    names: list[str]  # "engine voice" per utterance
    words: list[list[str]]  # per utterance, its words as written
    word_sizes: list[list[int]]  # per utterance, how many of its phones each word has

    def __len__(self) -> int:
        return len(self.targets)

    def clean(self, i: int) -> np.ndarray:
        return self.audio[self.offsets[i] : self.offsets[i + 1]].astype(np.float32) / 32768.0


def target_ids(word_phones: Sequence[Sequence[str]]) -> np.ndarray:
    """The phones of the words in order (label ids); words are not delimited."""
    return np.asarray([PHONE_LABELS.index(p) for w in word_phones for p in w], dtype=np.int64)


def phone_spans(words: Sequence[TimedWord]) -> np.ndarray:
    rows = [(p.start, p.end, PHONE_LABELS.index(p.phone)) for w in words for p in w.phones]
    return np.asarray(rows, dtype=np.float64).reshape(-1, 3)


def frame_targets(spans: np.ndarray, time_factor: float, frames: int, frame_seconds: float
                  ) -> np.ndarray:  # fmt: skip
    """The label of each of ``frames`` frames: the phone sounding at the frame's midpoint (the
    app's time base puts frame i at ``[i, i + 1) * frame_seconds``), blank elsewhere. Phone times
    are first multiplied by ``time_factor`` (speed perturbation)."""
    out = np.full(frames, PHONE_LABELS.blank, dtype=np.int64)
    mids = (np.arange(frames) + 0.5) * frame_seconds
    for start, end, label in spans:
        out[(mids >= start * time_factor) & (mids < end * time_factor)] = int(label)
    return out


def build_phone_set(requests: Sequence[voices.Request], cache: Path | None) -> PhoneSet:
    """Synthesise (or load from ``cache``) the clean audio and phone targets of ``requests``."""
    sources = b"".join(
        Path(m.__file__).read_bytes()  # type: ignore[arg-type]
        for m in (espeak, flite, festival, phones, voices)
    )
    key = hashlib.sha256(repr(list(requests)).encode() + sources + _CACHE_FORMAT).hexdigest()[:16]
    path = None if cache is None else cache / f"voices-{key}.npz"
    if path is not None and path.is_file():
        stored = np.load(path)
        meta = json.loads(str(stored["meta"]))
        targets = [np.asarray(t, dtype=np.int64) for t in meta["targets"]]
        spans = [np.asarray(t, dtype=np.float64).reshape(-1, 3) for t in meta["spans"]]
        return PhoneSet(
            stored["audio"], stored["offsets"], targets, spans, meta["names"], meta["words"],
            meta["word_sizes"],
        )  # fmt: skip
    speeches, dropped = voices.synthesize_set(requests)
    kept = [s for s in speeches if s is not None]
    log.info(
        "kept %d of %d utterances; dropped: %s",
        len(kept),
        len(requests),
        ", ".join(f"{k} {v}" for k, v in sorted(dropped.items())) or "none",
    )
    pieces = [np.clip(np.round(s.samples * 32767), -32768, 32767).astype(np.int16) for s in kept]
    offsets = np.concatenate([[0], np.cumsum([len(p) for p in pieces])]).astype(np.int64)
    audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)
    targets = [target_ids(voices.words_as_labels(s.words)) for s in kept]
    spans = [phone_spans(s.words) for s in kept]
    names = [f"{s.engine} {s.voice}" for s in kept]
    words = [[w.text for w in s.words] for s in kept]
    word_sizes = [[len(w.phones) for w in s.words] for s in kept]
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = json.dumps(
            {
                "targets": [t.tolist() for t in targets],
                "spans": [t.tolist() for t in spans],
                "names": names,
                "words": words,
                "word_sizes": word_sizes,
            }
        )
        buffer = io.BytesIO()
        np.savez(buffer, audio=audio, offsets=offsets, meta=np.asarray(meta))
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(buffer.getvalue())
        tmp.replace(path)
    return PhoneSet(audio, offsets, targets, spans, names, words, word_sizes)


def with_expected_phones(phone_set: PhoneSet) -> PhoneSet:
    """The set taught the transcript's phones (what the app aligns) at the engine's times; see
    :mod:`aligner_gui.demo.canonical`. A word with no expected pronunciation keeps its engine
    phones."""
    lexicon = canonical.expected_phones([w for ws in phone_set.words for w in ws], PHONE_LABELS)
    targets, spans = [], []
    for utterance_spans, words, sizes in zip(
        phone_set.spans, phone_set.words, phone_set.word_sizes, strict=True
    ):
        edges = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        parts = [
            canonical.expected_spans(utterance_spans[a:b], lexicon.get(word, ()), PHONE_LABELS)
            for word, a, b in zip(words, edges[:-1], edges[1:], strict=True)
        ]
        joined = np.concatenate(parts) if parts else np.zeros((0, 3))
        spans.append(joined)
        targets.append(joined[:, 2].astype(np.int64))
    return dataclasses.replace(phone_set, targets=targets, spans=spans)


def augmented(
    data: PhoneSet, i: int, seed: int, epoch: int, strength: float = 1.0
) -> tuple[np.ndarray, float]:
    """Utterance ``i`` as heard in ``epoch``: speed, then a field-recording chain whose odds are
    scaled by ``strength`` (0-1), normalised; and the factor its phone times are multiplied by."""
    rng = np.random.default_rng([seed, i, epoch])
    x, factor = data.clean(i), 1.0
    if rng.random() < 0.6:
        x, factor = augment.speed(x, SAMPLE_RATE, float(rng.uniform(0.9, 1.1)))
    others = [data.clean(int(j)) for j in rng.integers(len(data), size=3)]
    odds = augment.FieldRecording(*(p * strength for p in astuple(augment.FieldRecording())))
    return normalise(augment.field_recording(x, SAMPLE_RATE, rng, others, odds)), factor


def frame_step(
    model: Any, optimiser: Any, inputs: Sequence[np.ndarray], spans: Sequence[np.ndarray],
    factors: Sequence[float], lr: float,
) -> tuple[float, float]:  # fmt: skip
    """One optimiser step of frame-level cross-entropy; the loss and the frame accuracy."""
    import torch

    logits, out_lengths = forward_batch(model, optimiser, inputs, lr)
    frame_seconds = FRAME_STRIDE / SAMPLE_RATE
    target = torch.full(logits.shape[:2], -100, dtype=torch.long)  # -100: padding, ignored
    for row, (s, f, n) in enumerate(zip(spans, factors, out_lengths.tolist(), strict=True)):
        target[row, :n] = torch.from_numpy(frame_targets(s, f, n, frame_seconds))
    loss = torch.nn.functional.cross_entropy(
        logits.float().transpose(1, 2), target, ignore_index=-100, label_smoothing=LABEL_SMOOTHING
    )
    value = optimise(model, optimiser, loss)
    valid = target >= 0
    accuracy = (logits.argmax(-1)[valid] == target[valid]).float().mean()
    return value, float(accuracy.item())


def greedy_phones(log_probs: np.ndarray, labels: LabelSet = PHONE_LABELS) -> list[str]:
    """Argmax per frame, repeats collapsed, blanks dropped (a delimiter, if any, kept)."""
    best = np.argmax(log_probs, axis=-1)
    keep = np.concatenate([[True], best[1:] != best[:-1]]) & (best != labels.blank)
    return [labels.labels[i] for i in best[keep]]


def phone_error_rate(
    hypotheses: Sequence[Sequence[str]], references: Sequence[Sequence[str]]
) -> float:
    """Edit distance over phones (word boundaries ignored) / reference phones."""
    errors = total = 0
    for hyp, ref in zip(hypotheses, references, strict=True):
        h = [p for p in hyp if p != "|"]
        r = [p for p in ref if p != "|"]
        errors += edit_distance(h, r)  # type: ignore[arg-type]
        total += len(r)
    return errors / max(1, total)


def save_phone_checkpoint(path: Path, state_dict: dict) -> None:
    """An ``aligner-gui/ctc-checkpoint/1`` file with phone labels and ``label_kind``."""
    from aligner_gui.core.models.checkpoint import save_checkpoint

    save_checkpoint(
        path,
        config=PHONE_MODEL_CONFIG,
        state_dict=state_dict,
        labels=PHONE_LABELS.labels,
        blank=PHONE_LABELS.blank,
        word_delimiter=PHONE_LABELS.word_delimiter,
        star=None,
        sample_rate=SAMPLE_RATE,
        name="demo",
        waveform_norm_eps=WAVEFORM_NORM_EPS,
        label_kind=LABEL_KIND,
    )


def train(args: argparse.Namespace) -> dict[str, float]:
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    vocab = corpus.load_vocabulary(args.word_list)
    engines = voices.available_engines()
    log.info("engines: %s", ", ".join(engines))
    started = time.monotonic()
    train_set = build_phone_set(
        voices.make_requests("train", args.utterances, args.seed, vocab, engines), args.cache
    )
    dev_set = build_phone_set(
        voices.make_requests("heldout", args.dev_utterances, args.seed, vocab, engines), args.cache
    )
    if args.targets == "expected":
        train_set, dev_set = with_expected_phones(train_set), with_expected_phones(dev_set)
    log.info(
        "data: %d training utterances (%.2f h: %s), %d held out; ready after %.0f s",
        len(train_set),
        len(train_set.audio) / SAMPLE_RATE / 3600,
        dict(collections.Counter(n.split()[0] for n in train_set.names)),
        len(dev_set),
        time.monotonic() - started,
    )
    model, optimiser = new_model(PHONE_MODEL_CONFIG, args.lr)

    def lr_at(step: int) -> float:
        return cosine_lr(step, args.lr, args.warmup, args.steps)

    dev_inputs = [augmented(dev_set, i, args.seed + 1000, 0)[0] for i in range(len(dev_set))]
    dev_refs = [[PHONE_LABELS.labels[t] for t in target] for target in dev_set.targets]

    def evaluate() -> float:
        hyps = [greedy_phones(lp) for lp in held_out_log_probs(model, dev_inputs)]
        return phone_error_rate(hyps, dev_refs)

    lengths = np.diff(train_set.offsets)

    def strength(step: int) -> float:
        # Clean-ish speech first, full field-recording odds after --augment-ramp steps: a CTC
        # model leaves its all-blank plateau sooner on easy input (curriculum).
        return min(1.0, (step + 1) / args.augment_ramp) if args.augment_ramp > 0 else 1.0

    def epoch_batches(
        epoch: int, first_step: int
    ) -> Iterator[tuple[np.ndarray, list[tuple[np.ndarray, float]]]]:
        """This epoch's batches with their augmented audio; the next batch is prepared in a
        thread while the model trains on the current one (numpy's FFTs and soxr release the
        GIL, so the augmentation uses the second core). Each utterance has its own seed, so
        the result does not depend on the overlap."""
        order = batches(lengths, int(args.batch_seconds * SAMPLE_RATE), rng)

        def prepare(batch: np.ndarray, step: int) -> list[tuple[np.ndarray, float]]:
            return [augmented(train_set, int(i), args.seed, epoch, strength(step)) for i in batch]

        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(prepare, order[0], first_step)
            for k, batch in enumerate(order):
                inputs = pending.result()
                if k + 1 < len(order):
                    pending = pool.submit(prepare, order[k + 1], first_step + k + 1)
                yield batch, inputs

    step, epoch, train_started, running, accuracy = 0, 0, time.monotonic(), 0.0, 0.0
    model.train()
    while step < args.steps:
        for batch, inputs in epoch_batches(epoch, step):
            elapsed = (time.monotonic() - train_started) / 60
            if should_stop(args, step, elapsed):
                args.steps = step
                break
            value, hit = frame_step(
                model, optimiser, [x for x, _ in inputs], [train_set.spans[i] for i in batch],
                [f for _, f in inputs], lr_at(step),
            )  # fmt: skip
            running = 0.98 * running + 0.02 * value if step else value
            accuracy = 0.98 * accuracy + 0.02 * hit if step else hit
            step += 1
            if step % 25 == 0:
                log.info("step %d epoch %d loss %.3f frames right %.1f%% lr %.2e %.1f min", step,
                         epoch, running, 100 * accuracy, lr_at(step), elapsed)  # fmt: skip
            if step % args.eval_every == 0:
                log.info("step %d: held-out phone error rate %.3f", step, evaluate())
                save_phone_checkpoint(args.out, model.state_dict())
        epoch += 1
    per = evaluate()
    save_phone_checkpoint(args.out, model.state_dict())
    minutes = (time.monotonic() - train_started) / 60
    log.info("done: %d steps in %.1f min, held-out phone error rate %.3f, saved %s", step,
             minutes, per, args.out)  # fmt: skip
    return {
        "steps": step,
        "minutes": minutes,
        "phone_error_rate": per,
        "loss": running,
        "frame_accuracy": accuracy,
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = training_parser(
        "python -m aligner_gui.demo.train_voices",
        __doc__.split("\n")[0],
        out=Path("resources/demo_phones.pt"),
        utterances=9000,
        steps=4500,
        lr=1.5e-3,
        eval_every=250,
        max_minutes=100.0,
    )
    parser.add_argument("--dev-utterances", type=int, default=60)
    parser.add_argument(
        "--targets", choices=("expected", "engine"), default="engine",
        help="teach each frame the transcript's phone (what the app aligns) or the phone the "
        "engine's voice says (see aligner_gui.demo.canonical)",
    )  # fmt: skip
    parser.add_argument(
        "--augment-ramp", type=int, default=600, help="steps until full augmentation odds"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    train(parse_args(argv))


if __name__ == "__main__":
    main()
