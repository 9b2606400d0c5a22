"""A second model's hearing of a corpus, averaged into the review queue.

Why: one model's doubts mix two things, errors in the transcript and its own deafness. The
built-in phone model mishears whole accents it was not trained on (a Scottish vowel is not the
en-us phone the transcript is aligned to), and such a word looks to it exactly like a
substituted one; the letter CTC model, trained differently on the same voices, mishears other
words. A wrong transcript is wrong for both. So each file is also aligned by a second model,
the same signals are computed from that model's emissions (judged against its own corpus norms),
and the two models' evidence is averaged: a word both find odd keeps its rank, one only a single
model mishears falls to half. The averaging is done separately for the two questions the signals
answer, whether the word is what was said and whether speech beside it is left uncovered (the
phone model hears a missing sentence far better than the letter model; averaged together with
the other signals, its alarm was diluted by the letter model's calm about the word itself).
Measured on the review benchmark's tuning corpora (seeds 101, 102, 103; benchmarks/README.md, "A
second opinion"), the share of planted errors among the first K suspects rose from 64 / 71 / 56 %
(phone model alone) and 68 / 80 / 61 % (letter model alone) to 78 / 82 / 60 % with the two
suspicions averaged, and to 81 / 86 / 64 % with the two questions averaged apart; every signal
averaged on its own did worse (78 / 84 / 61 %), and no weighting of the two models is tuned.

For the two built-in models (one frame classifier, one CTC model) the average is one of the
inputs of a fitted ranker (:mod:`aligner_gui.core.corpus.queue_model`), which weighs the two
hearings' signals together as the averaging cannot.

The second opinion only ranks: boundaries, outputs and the words the user sees are the
aligner's. The two built-in models, both English, are each other's default second opinion; a
model of another language has none unless asked for (an English listener would only add noise).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from aligner_gui.core.alignment.pipeline import AlignOptions, align_with_options
from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.corpus.database import WordRow
from aligner_gui.core.corpus.file_progress import FileProgressSender
from aligner_gui.core.corpus.utterances import UtteranceAligner, interview_tiers, unaligned_rows
from aligner_gui.core.corpus.word_features import word_rows
from aligner_gui.core.io.audio import Audio, load_audio
from aligner_gui.core.io.textgrid import TextGrid

if TYPE_CHECKING:
    from aligner_gui.core.models.model import LoadedModel

# The aligner's model -> the one heard beside it by default.
DEFAULT_SECOND_OPINIONS = {"demo": "demo-letters", "demo-letters": "demo"}
NONE = "none"  # asks for no second opinion
AUTO = "auto"


def resolve_second_opinion(model: str, asked: str | None = AUTO) -> str | None:
    """The second model to hear the corpus with: ``asked`` (a model name or path), the default
    for ``model`` when ``asked`` is ``auto`` (or None), nothing for ``none`` or the aligner's own
    model (hearing twice with one model only doubles the time)."""
    if asked in (None, AUTO):
        return DEFAULT_SECOND_OPINIONS.get(model)
    if asked in (NONE, model):
        return None
    return asked


# Signals of speech the transcript leaves uncovered (a deleted word, a missing sentence); every
# other signal says whether the word itself is what was said.
UNCOVERED = frozenset({"unclaimed"})


def either(signals: Iterable[float]) -> float:
    """Independent evidence: the chance that at least one signal is right, ``1 - prod(1 - s)``."""
    keep = 1.0
    for value in signals:
        keep *= 1.0 - value
    return 1.0 - keep


def match_second(
    words: Sequence[WordRow],
    signals: Sequence[dict[str, float]],
    second_words: Sequence[WordRow],
    second_heard: Sequence[dict[str, float]],
) -> tuple[list[WordRow | None], list[dict[str, float]]]:
    """The second model's words and signals (``second_heard``, one per ``second_words``) matched
    to the aligner's ``words`` by ``idx``. A word the second model did not hear (one the user
    inserted since) has no second row (None) and is judged by the aligner's own ``signals``."""
    heard = {w.idx: (w, h) for w, h in zip(second_words, second_heard, strict=True)}
    matched = [heard.get(word.idx) for word in words]
    rows = [None if m is None else m[0] for m in matched]
    theirs = [mine if m is None else m[1] for m, mine in zip(matched, signals, strict=True)]
    return rows, theirs


def average_opinions(
    signals: Sequence[dict[str, float]], second: Sequence[dict[str, float]]
) -> list[tuple[float, str]]:
    """Each word's (suspicion, reason) from both models' signals (``second`` matched to the
    aligner's words by :func:`match_second`): for each of the two questions (is the word what was said;
    is speech beside it uncovered) the two models' evidence is averaged, and the two answers
    combine as independent evidence. The reason is the strongest signal of either model."""
    out = []
    for mine, theirs in zip(signals, second, strict=True):
        answers = [
            (either(v for k, v in mine.items() if (k in UNCOVERED) == uncovered)
             + either(v for k, v in theirs.items() if (k in UNCOVERED) == uncovered)) / 2
            for uncovered in (True, False)
        ]  # fmt: skip
        suspicion = either(answers)
        both = [*mine.items(), *theirs.items()]
        strongest = max(both, key=lambda kv: kv[1], default=("", 0.0))[0]
        out.append((suspicion, strongest if suspicion > 0 else ""))
    return out


def hear(
    transcript: str | TextGrid,
    audio: Audio,
    audio_path: Path,
    second: LoadedModel,
    options: AlignOptions,
    progress: FileProgressSender | None = None,
) -> list[WordRow]:
    """The words of ``transcript`` (a text, or an interview's TextGrid of utterances) as
    ``second`` hears them, numbered as the aligner's (``audio``: the recording as the aligner
    loaded it; loaded again from ``audio_path`` only for another sample rate)."""
    if second.sample_rate != audio.sample_rate:
        audio = load_audio(audio_path, target_rate=second.sample_rate)
    if isinstance(transcript, str):
        heard = align_with_options(audio, transcript, second, options, progress)
        return word_rows(heard, "", 0)
    aligner = UtteranceAligner(transcript, audio, second, options, progress)
    rows: list[WordRow] = []
    for tier in interview_tiers(transcript):
        for utterance, result in aligner.tier(tier):
            if isinstance(result, AlignerError):
                rows += unaligned_rows(utterance, len(rows))  # as the aligner keeps them
            else:
                rows += word_rows(result, tier.name, len(rows), utterance.offset)
    return rows
