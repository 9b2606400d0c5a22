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

Labels: blank ``-``, word delimiter ``|`` and the 40 phones of :data:`.phones.INVENTORY`
("aɪ", "tʃ"... are single labels). The CTC target is each word's phones joined by ``|``, exactly
as the app builds targets from a transcript, so the model gives ``words`` (between delimiters)
and ``phones`` tiers. There is no character output: a second head would need a new checkpoint
format, and the app keeps the character model for character tiers until the phone pipeline of
issue 10 lands. The phone labels are stored as the checkpoint's label set (format
``aligner-gui/ctc-checkpoint/1`` unchanged) with one extra key, ``label_kind: "phones"``, which
today's loader ignores and the phone pipeline can read (see :data:`LABEL_KIND`).

``--max-minutes`` is a safety stop; ``--stop-at STEP`` repeats a run it cut short. The schedule
depends only on ``--steps``, never on the wall clock.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import io
import json
import logging
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass
from pathlib import Path

import numpy as np

from aligner_gui.core.base.labels import LabelSet
from aligner_gui.demo import augment, corpus, espeak, festival, flite, phones, voices
from aligner_gui.demo.train import (
    MODEL_CONFIG,
    batches,
    cosine_lr,
    ctc_step,
    edit_distance,
    new_model,
    normalise,
)

log = logging.getLogger("aligner_gui.demo.train_voices")

SAMPLE_RATE = 16000
WAVEFORM_NORM_EPS = 1e-5
LABEL_KIND = "phones"  # extra checkpoint key: the labels are IPA phones, not letters
PHONE_LABELS = LabelSet(labels=("-", "|", *phones.INVENTORY), blank=0, word_delimiter="|")
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


@dataclass
class PhoneSet:
    audio: np.ndarray  # int16, clean utterances concatenated
    offsets: np.ndarray  # int64 (n + 1,)
    targets: list[np.ndarray]  # label ids: word phones joined by the delimiter
    names: list[str]  # "engine voice" per utterance

    def __len__(self) -> int:
        return len(self.targets)

    def clean(self, i: int) -> np.ndarray:
        return self.audio[self.offsets[i] : self.offsets[i + 1]].astype(np.float32) / 32768.0


def target_ids(word_phones: Sequence[Sequence[str]]) -> np.ndarray:
    ids: list[int] = []
    for word in word_phones:
        if ids:
            ids.append(PHONE_LABELS.index("|"))
        ids.extend(PHONE_LABELS.index(p) for p in word)
    return np.asarray(ids, dtype=np.int64)


def build_phone_set(requests: Sequence[voices.Request], cache: Path | None) -> PhoneSet:
    """Synthesise (or load from ``cache``) the clean audio and phone targets of ``requests``."""
    sources = b"".join(
        Path(m.__file__).read_bytes()  # type: ignore[arg-type]
        for m in (espeak, flite, festival, phones, voices)
    )
    key = hashlib.sha256(repr(list(requests)).encode() + sources).hexdigest()[:16]
    path = None if cache is None else cache / f"voices-{key}.npz"
    if path is not None and path.is_file():
        stored = np.load(path)
        meta = json.loads(str(stored["meta"]))
        targets = [np.asarray(t, dtype=np.int64) for t in meta["targets"]]
        return PhoneSet(stored["audio"], stored["offsets"], targets, meta["names"])
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
    names = [f"{s.engine} {s.voice}" for s in kept]
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = json.dumps({"targets": [t.tolist() for t in targets], "names": names})
        buffer = io.BytesIO()
        np.savez(buffer, audio=audio, offsets=offsets, meta=np.asarray(meta))
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(buffer.getvalue())
        tmp.replace(path)
    return PhoneSet(audio, offsets, targets, names)


def augmented(data: PhoneSet, i: int, seed: int, epoch: int, strength: float = 1.0) -> np.ndarray:
    """Utterance ``i`` as heard in ``epoch``: speed, then a field-recording chain whose odds are
    scaled by ``strength`` (0-1), normalised."""
    rng = np.random.default_rng([seed, i, epoch])
    x = data.clean(i)
    if rng.random() < 0.6:
        x, _ = augment.speed(x, SAMPLE_RATE, float(rng.uniform(0.9, 1.1)))
    others = [data.clean(int(j)) for j in rng.integers(len(data), size=3)]
    odds = augment.FieldRecording(*(p * strength for p in astuple(augment.FieldRecording())))
    return normalise(augment.field_recording(x, SAMPLE_RATE, rng, others, odds))


def greedy_phones(log_probs: np.ndarray, labels: LabelSet = PHONE_LABELS) -> list[str]:
    """Argmax per frame, repeats collapsed, blanks dropped; "|" kept as a word boundary."""
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
    import torch

    from aligner_gui.core.io.fileio import atomic_write_bytes
    from aligner_gui.core.models.checkpoint import read_checkpoint, save_checkpoint

    save_checkpoint(
        path,
        config=PHONE_MODEL_CONFIG,
        state_dict=state_dict,
        labels=PHONE_LABELS.labels,
        blank=PHONE_LABELS.blank,
        word_delimiter=PHONE_LABELS.word_delimiter,
        star=None,
        sample_rate=SAMPLE_RATE,
        name="demo-phones",
        waveform_norm_eps=WAVEFORM_NORM_EPS,
    )
    checkpoint = read_checkpoint(path)
    checkpoint["label_kind"] = LABEL_KIND
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    atomic_write_bytes(path, buffer.getvalue())


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

    dev_inputs = [augmented(dev_set, i, args.seed + 1000, 0) for i in range(len(dev_set))]
    dev_refs = [[PHONE_LABELS.labels[t] for t in target] for target in dev_set.targets]

    def evaluate() -> float:
        model.eval()
        hyps = []
        with torch.inference_mode():
            for x in dev_inputs:
                logits, _ = model(torch.from_numpy(x)[None])
                hyps.append(greedy_phones(torch.log_softmax(logits[0], -1).numpy()))
        model.train()
        return phone_error_rate(hyps, dev_refs)

    lengths = np.diff(train_set.offsets)

    def strength(step: int) -> float:
        # Clean-ish speech first, full field-recording odds after --augment-ramp steps: a CTC
        # model leaves its all-blank plateau sooner on easy input (curriculum).
        return min(1.0, (step + 1) / args.augment_ramp) if args.augment_ramp > 0 else 1.0

    def epoch_batches(epoch: int, first_step: int) -> Iterator[tuple[np.ndarray, list[np.ndarray]]]:
        """This epoch's batches with their augmented audio; the next batch is prepared in a
        thread while the model trains on the current one (numpy's FFTs and soxr release the
        GIL, so the augmentation uses the second core). Each utterance has its own seed, so
        the result does not depend on the overlap."""
        order = batches(lengths, int(args.batch_seconds * SAMPLE_RATE), rng)

        def prepare(batch: np.ndarray, step: int) -> list[np.ndarray]:
            return [augmented(train_set, int(i), args.seed, epoch, strength(step)) for i in batch]

        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(prepare, order[0], first_step)
            for k, batch in enumerate(order):
                inputs = pending.result()
                if k + 1 < len(order):
                    pending = pool.submit(prepare, order[k + 1], first_step + k + 1)
                yield batch, inputs

    step, epoch, train_started, running = 0, 0, time.monotonic(), 0.0
    model.train()
    while step < args.steps:
        for batch, inputs in epoch_batches(epoch, step):
            elapsed = (time.monotonic() - train_started) / 60
            if step >= args.steps or (args.stop_at is not None and step >= args.stop_at):
                args.steps = step
                break
            if elapsed > args.max_minutes:
                log.warning(
                    "stopping at step %d: --max-minutes %.0f reached", step, args.max_minutes
                )
                args.steps = step
                break
            targets = [train_set.targets[i] for i in batch]
            value = ctc_step(model, optimiser, inputs, targets, PHONE_LABELS.blank, lr_at(step))
            running = 0.98 * running + 0.02 * value if step else value
            step += 1
            if step % 25 == 0:
                log.info("step %d epoch %d loss %.3f lr %.2e %.1f min", step, epoch, running,
                         lr_at(step), elapsed)  # fmt: skip
            if step % args.eval_every == 0:
                log.info("step %d: held-out phone error rate %.3f", step, evaluate())
                save_phone_checkpoint(args.out, model.state_dict())
        epoch += 1
    per = evaluate()
    save_phone_checkpoint(args.out, model.state_dict())
    minutes = (time.monotonic() - train_started) / 60
    log.info("done: %d steps in %.1f min, held-out phone error rate %.3f, saved %s", step,
             minutes, per, args.out)  # fmt: skip
    return {"steps": step, "minutes": minutes, "phone_error_rate": per, "loss": running}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m aligner_gui.demo.train_voices", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=Path("resources/demo_phones.pt"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--utterances", type=int, default=9000, help="training utterances")
    parser.add_argument("--dev-utterances", type=int, default=60)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--batch-seconds", type=float, default=16.0, help="padded audio per batch")
    parser.add_argument("--lr", type=float, default=1.5e-3)
    parser.add_argument("--warmup", type=int, default=250)
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument(
        "--augment-ramp", type=int, default=600, help="steps until full augmentation odds"
    )
    parser.add_argument("--max-minutes", type=float, default=100.0, help="safety stop")
    parser.add_argument("--stop-at", type=int, default=None)
    parser.add_argument("--word-list", type=Path, default=corpus.DEFAULT_WORD_LIST)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/aligner_gui_demo_cache"))
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    train(parse_args(argv))


if __name__ == "__main__":
    main()
