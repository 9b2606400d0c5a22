"""The second opinion: a second model's hearing of each file, averaged into the review queue."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from aligner_gui.cli import main
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS
from aligner_gui.core.corpus.database import DATABASE_NAME, CorpusDatabase, WordRow
from aligner_gui.core.corpus.runner import BatchSettings, run_batch
from aligner_gui.core.corpus.second_opinion import (
    average_opinions,
    match_second,
    resolve_second_opinion,
)
from aligner_gui.core.corpus.signals import (
    CorpusNorms,
)
from aligner_gui.core.corpus.suspicion import (
    score_words,
)

from corpus_maker import SENTENCES, write_pair
from tiny_models import make_tiny_checkpoint

NORMS = CorpusNorms(median_score=0.9, median_mismatch=0.0)


def test_the_built_in_models_are_each_others_second_opinion_and_others_have_none() -> None:
    assert resolve_second_opinion("demo") == "demo-letters"
    assert resolve_second_opinion("demo-letters") == "demo"
    assert resolve_second_opinion("MMS_FA") is None  # an English listener would only add noise
    assert resolve_second_opinion("MMS_FA", "demo") == "demo"  # unless asked for
    assert resolve_second_opinion("demo", "none") is None
    assert resolve_second_opinion("demo", "demo") is None  # hearing twice tells nothing new
    assert resolve_second_opinion("demo", "/models/mine.pt") == "/models/mine.pt"


def _word(i: int, excess: float = 5.0) -> WordRow:
    return WordRow(i, "", f"w{i}", i * 0.5, i * 0.5 + 0.4, 0.9, True, 4, 0.0, "", excess=excess)


def test_a_word_both_models_doubt_keeps_its_rank_and_one_only_one_doubts_falls_to_half() -> None:
    words = [_word(i) for i in range(5)]
    mine = [{}, {"evidence": 0.8}, {"unclaimed": 0.6}, {}, {"denial": 0.6}]
    theirs = [{}, {"evidence": 0.8}, {}, {"score": 0.5}, {"unclaimed": 0.6}]
    averaged = average_opinions(mine, match_second(words, mine, words, theirs)[1])
    assert averaged[0] == (0.0, "")
    assert averaged[1] == pytest.approx((0.8, "evidence"))  # both: unchanged
    assert averaged[2] == pytest.approx((0.3, "unclaimed"))  # the aligner alone: half
    assert averaged[3] == pytest.approx((0.25, "score"))  # the second alone: half, its reason
    # The word itself (denial) and speech beside it (unclaimed) are two questions: each is
    # averaged over the models, then they combine as independent evidence.
    assert averaged[4][0] == pytest.approx(1 - 0.7 * 0.7)
    # A word the second model never heard (one the user inserted since) keeps the aligner's.
    rows, partly = match_second(words, mine, words[:2], theirs[:2])
    assert rows[:3] == [words[0], words[1], None]
    assert average_opinions(mine, partly)[2] == (0.6, "unclaimed")


def test_score_words_averages_in_the_second_opinion_against_its_own_norms() -> None:
    words = [_word(i, excess={4: 60.0}.get(i, 5.0)) for i in range(9)]
    alone, _ = score_words(words, NORMS)
    agreeing, _ = score_words(words, NORMS, words, NORMS)
    deaf = [dataclasses.replace(w, excess=5.0) for w in words]
    disagreeing, file_suspicion = score_words(words, NORMS, deaf, NORMS)
    assert agreeing[4] == alone[4] and alone[4][0] > 0.5
    assert disagreeing[4][0] == pytest.approx(alone[4][0] / 2)
    assert file_suspicion is not None and file_suspicion < alone[4][0]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("models")
    return (
        make_tiny_checkpoint(folder / "aligner.pt", ENGLISH_ASR_LABELS, seed=1),
        make_tiny_checkpoint(folder / "listener.pt", ENGLISH_ASR_LABELS, seed=2, name="listener"),
    )


def test_a_batch_records_the_second_opinions_words_word_for_word_and_none_turns_it_off(
    tmp_path: Path, models: tuple[Path, Path], one_torch_thread
) -> None:
    aligner, listener = models
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    write_pair(corpus / "ann", "one", SENTENCES[0])
    write_pair(corpus / "bob", "two", SENTENCES[1])
    seen: list[tuple[str, float]] = []
    settings = BatchSettings(str(aligner), jobs=1, second_opinion=str(listener))
    run_batch(corpus, out, settings, on_progress=lambda path, f: seen.append((path, f)))
    with CorpusDatabase(out / DATABASE_NAME) as db:
        words, second = db.words(), db.second_words()
        suspicions = {w.label: w.suspicion for ws in words.values() for w in ws}
    assert set(second) == {"ann/one.wav", "bob/two.wav"}
    for path, rows in words.items():
        assert [(w.idx, w.tier, w.label) for w in second[path]] == [
            (w.idx, w.tier, w.label) for w in rows
        ]
        assert [w.score for w in second[path]] != [w.score for w in rows]  # another model
    # Each file's progress runs through both hearings once, never backwards, to the end.
    for path in words:
        fractions = [f for p, f in seen if p == path]
        assert fractions == sorted(fractions) and fractions[-1] == 1.0
        assert any(0.5 < f < 1.0 for f in fractions)  # the second hearing's half reports too
    assert settings.settings_hash() != BatchSettings(str(aligner)).settings_hash()

    # From the command line, "none": the settings changed, so each file is heard again, by the
    # aligner alone, and no second opinion is left over from the last run.
    code = main(["align", str(corpus), "-o", str(out), "--model", str(aligner), "--jobs", "1",
                 "--second-opinion", "none", "-q"])  # fmt: skip
    assert code == 0
    with CorpusDatabase(out / DATABASE_NAME) as db:
        assert db.second_words() == {}
        alone = {w.label: w.suspicion for ws in db.words().values() for w in ws}
    assert alone.keys() == suspicions.keys()


def test_a_second_opinion_that_does_not_exist_stops_the_batch_before_it_starts(
    tmp_path: Path, models: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    aligner, _listener = models
    write_pair(tmp_path / "corpus", "one", SENTENCES[0])
    code = main(["align", str(tmp_path / "corpus"), "-o", str(tmp_path / "out"), "--model",
                 str(aligner), "--second-opinion", "no-such-model", "-q"])  # fmt: skip
    assert code != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("aligner-gui align: error: no-such-model: no such model")
    assert not (tmp_path / "out" / "one.TextGrid").exists()
