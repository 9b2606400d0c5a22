"""Phone-boundary accuracy against hand-labelled phones.

    python benchmarks/phone_boundaries.py --model MODEL [--corpus DIR] [--tolerance-ms 20]
    python benchmarks/phone_boundaries.py --gold GOLD.TextGrid --gold-tier phone \\
        --predicted OUT.TextGrid [--predicted-tier phones]

The metric (:func:`boundary_metrics`): for every gold phone boundary, the distance to the nearest
boundary the aligner produced (mean, median, share within the tolerance); and precision, recall
and F1 at the tolerance with one-to-one matching, so that a predicted boundary counts for one
gold boundary only and over-segmentation cannot win.

With ``--model`` the three hand-labelled files of the shared corpus (bobby: ARPAbet, mary: IPA,
damon: SAMPA) are aligned through the app's pipeline with an oracle dictionary made from their
gold phones (each word's phones as labelled), so only the placement of the boundaries is
measured. It needs a phone model (labels that are phones); a letter model is refused.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from aligner_gui.core.io.textgrid import IntervalTier, read_textgrid  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
# (name, audio, gold TextGrid with phones, phone tier, TextGrid with words, word tier, notation)
GOLD_SETS = (
    (
        "bobby",
        "speech/praatio/bobby.wav",
        "textgrids/praatio_bobby_phones.TextGrid",
        "phone",
        "textgrids/praatio_bobby_words.TextGrid",
        "word",
        "arpabet",
    ),
    (
        "mary",
        "speech/praatio/mary.wav",
        "textgrids/praatio_mary.TextGrid",
        "phone",
        "textgrids/praatio_mary.TextGrid",
        "word",
        "ipa",
    ),
    (
        "damon",
        "speech/praatio/damon_set_test.wav",
        "textgrids/praatio_damon_set_test.TextGrid",
        "phons",
        "textgrids/praatio_damon_set_test.TextGrid",
        "words",
        "sampa",
    ),
)
# The SAMPA symbols of the damon file (and English SAMPA's others) in IPA.
SAMPA_TO_IPA = {
    "@": "ə",
    "D": "ð",
    "V": "ʌ",
    "eI": "eɪ",
    "aI": "aɪ",
    "OI": "ɔɪ",
    "aU": "aʊ",
    "@U": "oʊ",
    "I": "ɪ",
    "U": "ʊ",
    "{": "æ",
    "A": "ɑ",
    "O": "ɔ",
    "3": "ɜ",
    "E": "ɛ",
    "S": "ʃ",
    "Z": "ʒ",
    "T": "θ",
    "N": "ŋ",
    "tS": "tʃ",
    "dZ": "dʒ",
    "r": "ɹ",
    "i:": "iː",
    "u:": "uː",
}


@dataclass(frozen=True)
class BoundaryMetrics:
    gold: int
    predicted: int
    mean_ms: float  # mean distance from each gold boundary to the nearest predicted one
    median_ms: float
    within: float  # share of gold boundaries with a predicted one within the tolerance
    precision: float  # one-to-one matches / predicted boundaries
    recall: float  # one-to-one matches / gold boundaries
    f1: float


def boundary_metrics(
    gold: Sequence[float], predicted: Sequence[float], tolerance: float = 0.020
) -> BoundaryMetrics:
    """Compare boundary times (seconds). Matching is one-to-one: scanning both sorted lists, a
    gold and a predicted boundary within ``tolerance`` are paired and both used up (for points
    on a line this greedy scan finds a largest matching)."""
    g = np.sort(np.asarray(gold, dtype=np.float64))
    p = np.sort(np.asarray(predicted, dtype=np.float64))
    if g.size == 0:
        raise ValueError("no gold boundaries")
    if p.size:
        idx = np.searchsorted(p, g)
        left = p[np.clip(idx - 1, 0, p.size - 1)]
        right = p[np.clip(idx, 0, p.size - 1)]
        nearest = np.minimum(np.abs(g - left), np.abs(g - right))
    else:
        nearest = np.full(g.size, np.inf)
    matches = 0
    i = j = 0
    while i < g.size and j < p.size:
        if abs(g[i] - p[j]) <= tolerance + 1e-12:
            matches += 1
            i += 1
            j += 1
        elif p[j] < g[i]:
            j += 1
        else:
            i += 1
    precision = matches / p.size if p.size else 0.0
    recall = matches / g.size
    f1 = 2 * precision * recall / (precision + recall) if matches else 0.0
    return BoundaryMetrics(
        gold=int(g.size),
        predicted=int(p.size),
        mean_ms=float(np.mean(nearest) * 1000),
        median_ms=float(np.median(nearest) * 1000),
        within=float(np.mean(nearest <= tolerance + 1e-12)),
        precision=precision,
        recall=recall,
        f1=f1,
    )


def tier_boundaries(tier: IntervalTier, *, merge: float = 0.001) -> list[float]:
    """The edges of the labelled intervals (a boundary between two phones counts once), without
    the tier's own start and end."""
    times = sorted({t for iv in tier.intervals if iv.label.strip() for t in (iv.start, iv.end)})
    out: list[float] = []
    for t in times:
        if t <= tier.xmin + merge or t >= tier.xmax - merge:
            continue
        if not out or t - out[-1] > merge:
            out.append(t)
    return out


def _tier(path: Path, name: str) -> IntervalTier:
    for tier in read_textgrid(path).tiers:
        if tier.name == name and isinstance(tier, IntervalTier):
            return tier
    raise SystemExit(f"{path} has no interval tier {name!r}")


def _gold_phone(label: str, notation: str) -> list[str]:
    if notation == "sampa":
        return [SAMPA_TO_IPA.get(label, label)]
    from aligner_gui.core.pronunciation.phone_sets import is_arpabet

    if notation == "arpabet" and not is_arpabet(label) and all(is_arpabet(c) for c in label):
        return list(label)  # bobby's "PT" (the released /p/ of "ripped" with its /t/)
    return [label]


def oracle_dictionary(phones: IntervalTier, words: IntervalTier, notation: str) -> list[str]:
    """MFA dictionary lines: each gold word with the gold phones inside it."""
    lines = []
    for word in words.intervals:
        if not word.label.strip():
            continue
        inside = [
            p
            for iv in phones.intervals
            if iv.label.strip() and word.start - 0.001 <= iv.start < word.end - 0.001
            for p in _gold_phone(iv.label.strip(), notation)
        ]
        if inside:
            lines.append(f"{word.label.strip()}\t{' '.join(inside)}")
    return lines


def measure_model(model_name: str, corpus: Path, tolerance: float) -> int:
    from aligner_gui.core.alignment.pipeline import align_audio
    from aligner_gui.core.document.document import AlignmentDocument
    from aligner_gui.core.document.tier_names import PHONE_TIER
    from aligner_gui.core.io.audio import load_audio
    from aligner_gui.core.models.model import load_model
    from aligner_gui.core.pronunciation.dictionary import parse_dictionary
    from aligner_gui.core.pronunciation.phone_sets import is_phone_model

    model = load_model(model_name, device="cpu")
    if not is_phone_model(model.labels.labels):
        print(f"{model_name}: the model's labels are letters, not phones; a phone model is needed.")
        return 2
    rows = []
    all_gold: list[float] = []
    all_pred: list[float] = []
    for name, audio_rel, phones_rel, phone_tier, words_rel, word_tier, notation in GOLD_SETS:
        gold_phones = _tier(corpus / phones_rel, phone_tier)
        gold_words = _tier(corpus / words_rel, word_tier)
        dictionary = parse_dictionary(oracle_dictionary(gold_phones, gold_words, notation))
        text = " ".join(iv.label for iv in gold_words.intervals if iv.label.strip())
        audio = load_audio(corpus / audio_rel, target_rate=model.sample_rate)
        result = align_audio(audio, text, model, dictionary=dictionary, language="eng")
        doc = AlignmentDocument.from_alignment(result)
        predicted_tier = doc.to_textgrid().tiers[doc.tier_names().index(PHONE_TIER)]
        assert isinstance(predicted_tier, IntervalTier)
        gold = tier_boundaries(gold_phones)
        pred = tier_boundaries(predicted_tier)
        rows.append((name, boundary_metrics(gold, pred, tolerance)))
        # Pool with an offset so that files do not mix.
        offset = 1000.0 * len(rows)
        all_gold += [t + offset for t in gold]
        all_pred += [t + offset for t in pred]
    rows.append(("all", boundary_metrics(all_gold, all_pred, tolerance)))
    _print_table(rows, tolerance)
    return 0


def _print_table(rows: list[tuple[str, BoundaryMetrics]], tolerance: float) -> None:
    ms = round(tolerance * 1000)
    print(f"| file | gold | predicted | mean ms | median ms | within {ms} ms | P | R | F1 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, m in rows:
        print(
            f"| {name} | {m.gold} | {m.predicted} | {m.mean_ms:.1f} | {m.median_ms:.1f} | "
            f"{m.within:.0%} | {m.precision:.2f} | {m.recall:.2f} | {m.f1:.2f} |"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a phone model: align the corpus's hand-labelled files")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--gold", type=Path, help="a TextGrid with hand-labelled phones")
    parser.add_argument("--gold-tier", default="phone")
    parser.add_argument("--predicted", type=Path, help="the aligner's TextGrid")
    parser.add_argument("--predicted-tier", default="phones")
    parser.add_argument("--tolerance-ms", type=float, default=20.0)
    args = parser.parse_args(argv)
    tolerance = args.tolerance_ms / 1000
    if args.gold and args.predicted:
        metrics = boundary_metrics(
            tier_boundaries(_tier(args.gold, args.gold_tier)),
            tier_boundaries(_tier(args.predicted, args.predicted_tier)),
            tolerance,
        )
        _print_table([(args.predicted.name, metrics)], tolerance)
        return 0
    if args.model:
        return measure_model(args.model, args.corpus, tolerance)
    parser.error("give --model, or --gold and --predicted")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
