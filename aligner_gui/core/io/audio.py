"""Loading speech audio: any file libsndfile reads, reduced to mono, resampled for a model.

The file is decoded block by block and, when a target rate is asked for, resampled as it streams in,
so peak memory is two to three times the mono *output* array (the blocks collected, then joined)
plus a few blocks: an hour of 44.1 kHz stereo loaded at 16 kHz peaks near 0.6 GB (measured: 100 MB
for 10 minutes), not the 1.3 GB of a whole-file decode. Resampling is torchaudio's band-limited
sinc interpolation (Kaiser window, librosa's "kaiser_best" settings), applied in chunks that
reproduce the whole-signal result.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from aligner_gui.core.base.errors import AudioError
from aligner_gui.core.base.progress import ProgressFn, check_cancel
from aligner_gui.core.io.audio_header import (
    check_rate,
    check_wav_complete,
)
from aligner_gui.core.io.mpeg_noise import mpeg_noise_silenced

RAW_EXTENSIONS = frozenset({".raw", ".pcm"})

_BLOCK_FRAMES = 1 << 16  # frames decoded per read: ~1.5 s at 44.1 kHz
_RESAMPLE_CHUNK = 1 << 17  # input samples per resampling call
# libsndfile only estimates an MP3's length (from the Xing header or the bit rate), so a short
# decode is not evidence of damage there; every other format states its length exactly.
_ESTIMATED_LENGTH_FORMATS = frozenset({"MP3"})
_RAW_BYTES_PER_SAMPLE = {
    "PCM_S8": 1, "PCM_U8": 1, "ULAW": 1, "ALAW": 1,
    "PCM_16": 2, "PCM_24": 3, "PCM_32": 4, "FLOAT": 4, "DOUBLE": 8,
}  # fmt: skip


@dataclass(frozen=True)
class AudioInfo:
    path: Path
    sample_rate: int
    channels: int
    frames: int  # per channel; an estimate for MP3
    format: str  # libsndfile's major format, e.g. "WAV", "FLAC", "MP3"
    subtype: str  # e.g. "PCM_16", "FLOAT", "VORBIS"
    description: str  # human-readable, e.g. "WAV (Microsoft), Signed 16 bit PCM"

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate


# eq=False: comparing numpy arrays with == does not give a bool.
@dataclass(frozen=True, eq=False)
class Audio:
    samples: np.ndarray  # float32, mono, 1-D, at sample_rate
    sample_rate: int
    path: Path | None
    source_sample_rate: int
    source_channels: int
    channel: int | None  # None = all channels mixed down to mono; else the 0-based channel picked

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    @property
    def num_samples(self) -> int:
        return len(self.samples)


def audio_info(
    path: str | Path,
    *,
    raw_sample_rate: int | None = None,
    raw_channels: int = 1,
    raw_subtype: str = "PCM_16",
    raw_endian: str = "FILE",
) -> AudioInfo:
    """Read only the header (cheap); raises AudioError when the file cannot be opened."""
    p = Path(path)
    with (
        mpeg_noise_silenced(p),
        _open(p, raw_sample_rate, raw_channels, raw_subtype, raw_endian) as handle,
    ):
        return _info(p, handle)


def check_audio(
    path: str | Path,
    *,
    channel: int | None = None,
    raw_sample_rate: int | None = None,
    raw_channels: int = 1,
    raw_subtype: str = "PCM_16",
    raw_endian: str = "FILE",
) -> AudioInfo:
    """Refuse a file :func:`load_audio` would refuse for its header or its first seconds, fast.

    Opens it, checks the header (rate, channel, a WAV's announced length) and decodes the first
    block, so that a bad recording is refused before a model is loaded, not minutes later.
    """
    p = Path(path)
    with (
        mpeg_noise_silenced(p),
        _open(p, raw_sample_rate, raw_channels, raw_subtype, raw_endian) as handle,
    ):
        info = _info(p, handle)
        _check_header(p, info, channel)
        block = _read_block(p, handle, info, 0)
        if len(block) == 0:
            raise AudioError(f"Audio file {p} contains no audio samples.")
        if not np.isfinite(block).all():
            raise AudioError(
                f"Audio file {p} contains invalid sample values (NaN or infinity) near 0.00 s."
            )
        if info.frames > 2 * _BLOCK_FRAMES and handle.seekable():
            # The end too: a damaged stream (a FLAC that loses sync) usually fails there.
            tail = info.frames - _BLOCK_FRAMES
            try:
                handle.seek(tail)
            except RuntimeError as exc:
                raise AudioError(
                    f"Audio file {p} is corrupt or truncated: its end cannot be reached "
                    f"({_reason(exc)})."
                ) from exc
            _read_block(p, handle, info, tail)
    return info


def load_audio(
    path: str | Path,
    *,
    target_rate: int | None = None,
    channel: int | None = None,
    raw_sample_rate: int | None = None,
    raw_channels: int = 1,
    raw_subtype: str = "PCM_16",
    raw_endian: str = "FILE",
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> Audio:
    """Decode ``path`` to mono float32 (channels averaged, or ``channel`` picked), optionally resampled.

    Files named *.raw / *.pcm, or any file when ``raw_sample_rate`` is given, are read as
    headerless PCM described by the ``raw_*`` arguments.
    """
    if target_rate is not None and target_rate <= 0:
        raise ValueError(f"target_rate must be positive, not {target_rate}")
    p = Path(path)
    with (
        mpeg_noise_silenced(p),
        _open(p, raw_sample_rate, raw_channels, raw_subtype, raw_endian) as handle,
    ):
        info = _info(p, handle)
        _check_header(p, info, channel)
        rate = info.sample_rate
        resampler = None
        if target_rate is not None and target_rate != rate:
            resampler = _StreamResampler(rate, target_rate)
        pieces: list[np.ndarray] = []
        decoded = 0
        source_sound = mono_sound = False
        while True:
            check_cancel(cancel)
            block = _read_block(p, handle, info, decoded)
            if len(block) == 0:
                break
            used = block if channel is None else block[:, channel : channel + 1]
            if not np.isfinite(used).all():
                raise AudioError(
                    f"Audio file {p} contains invalid sample values (NaN or infinity) "
                    f"near {decoded / rate:.2f} s."
                )
            source_sound = source_sound or bool(used.any())
            mono = used[:, 0].copy() if used.shape[1] == 1 else used.mean(axis=1, dtype=np.float32)
            mono_sound = mono_sound or bool(mono.any())
            decoded += len(block)
            pieces.append(mono if resampler is None else resampler.push(mono))
            if progress is not None:
                progress("Loading audio", min(1.0, decoded / max(info.frames, 1)))
    if decoded < info.frames and info.format not in _ESTIMATED_LENGTH_FORMATS:
        raise AudioError(
            f"Audio file {p} is corrupt or truncated: its header announces {info.duration:.2f} s "
            f"but only {decoded / rate:.2f} s could be decoded."
        )
    if decoded == 0:
        raise AudioError(f"Audio file {p} contains no audio samples.")
    if not source_sound:
        which = "" if channel is None or info.channels == 1 else f" in channel {channel}"
        raise AudioError(f"Audio file {p} is silent: every sample{which} is zero.")
    if not mono_sound:
        raise AudioError(
            f"Audio file {p} becomes silent when its channels are mixed to mono "
            "(they cancel each other out); pick a single channel instead."
        )
    if resampler is not None:
        pieces.append(resampler.finish())
    samples = np.concatenate(pieces) if len(pieces) != 1 else pieces[0]
    if progress is not None:
        progress("Loading audio", 1.0)
    return Audio(
        samples=samples,
        sample_rate=rate if target_rate is None else target_rate,
        path=p,
        source_sample_rate=rate,
        source_channels=info.channels,
        channel=channel,
    )


def resample(
    samples: np.ndarray,
    source_rate: int,
    target_rate: int,
    *,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> np.ndarray:
    """Band-limited resampling of a 1-D signal; returns float32 of length ceil(n * target / source)."""
    signal = np.asarray(samples, dtype=np.float32)
    if signal.ndim != 1:
        raise ValueError(f"resample expects a 1-D signal, got shape {signal.shape}")
    if source_rate <= 0 or target_rate <= 0:
        raise ValueError(f"invalid sample rates {source_rate} -> {target_rate}")
    if source_rate == target_rate:
        return signal.copy()
    resampler = _StreamResampler(source_rate, target_rate)
    pieces = []
    for start in range(0, len(signal), _RESAMPLE_CHUNK):
        check_cancel(cancel)
        pieces.append(resampler.push(signal[start : start + _RESAMPLE_CHUNK]))
        if progress is not None:
            progress("Resampling audio", min(1.0, (start + _RESAMPLE_CHUNK) / len(signal)))
    pieces.append(resampler.finish())
    return np.concatenate(pieces)


class _StreamResampler:
    """Resamples a signal pushed in pieces with libsoxr, in memory proportional to the pieces.

    soxr handles any rate ratio (16001 -> 16000 Hz, 1 Hz headers) with a constant-size filter, where
    a polyphase sinc kernel built from the reduced ratio grows with it (a 16001 Hz file once took
    4.8 GB). The total output is trimmed or padded to ``ceil(n * target / source)`` samples so the
    length of a resampled file is a function of its length alone.
    """

    def __init__(self, source_rate: int, target_rate: int) -> None:
        import soxr

        self._source, self._target = source_rate, target_rate
        self._stream = soxr.ResampleStream(
            source_rate, target_rate, 1, dtype="float32", quality="VHQ"
        )
        self._consumed = 0
        self._produced = 0

    def push(self, samples: np.ndarray) -> np.ndarray:
        block = np.ascontiguousarray(samples, dtype=np.float32)
        self._consumed += len(block)
        out = self._stream.resample_chunk(block, last=False)
        self._produced += len(out)
        return np.asarray(out, dtype=np.float32)

    def finish(self) -> np.ndarray:
        out = np.asarray(
            self._stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True),
            dtype=np.float32,
        )
        wanted = -(-self._consumed * self._target // self._source) - self._produced
        if len(out) >= wanted:
            return out[: max(wanted, 0)].copy()
        return np.concatenate([out, np.zeros(wanted - len(out), dtype=np.float32)])


def _open(
    p: Path, raw_rate: int | None, raw_channels: int, raw_subtype: str, raw_endian: str
) -> sf.SoundFile:
    if not p.exists():
        raise AudioError(f"Audio file {p} does not exist.")
    if p.is_dir():
        raise AudioError(f"Audio file {p} is a folder, not an audio file.")
    size = p.stat().st_size
    if size == 0:
        raise AudioError(f"Audio file {p} is empty (0 bytes).")
    raw = raw_rate is not None or p.suffix.lower() in RAW_EXTENSIONS
    try:
        if not raw:
            return sf.SoundFile(p)
        if raw_rate is None:
            raise AudioError(
                f"Audio file {p} is headerless raw PCM, so its sample rate must be given."
            )
        check_rate(p, raw_rate, "the raw sample rate given")
        if raw_channels <= 0:
            raise AudioError(
                f"Audio file {p} cannot be read as raw PCM at {raw_rate} Hz "
                f"with {raw_channels} channel(s)."
            )
        if not sf.check_format("RAW", raw_subtype, raw_endian):
            raise AudioError(
                f"Audio file {p} cannot be read as raw PCM: {raw_subtype!r} with endianness "
                f"{raw_endian!r} is not a raw encoding libsndfile knows."
            )
        frame_bytes = _RAW_BYTES_PER_SAMPLE.get(raw_subtype.upper(), 1) * raw_channels
        if size % frame_bytes:
            raise AudioError(
                f"Audio file {p} holds {size} bytes, not a whole number of {raw_subtype} frames "
                f"with {_channels(raw_channels)}; check the raw format settings."
            )
        return sf.SoundFile(
            p,
            samplerate=raw_rate,
            channels=raw_channels,
            subtype=raw_subtype,
            endian=raw_endian,
            format="RAW",
        )
    except (RuntimeError, ValueError, TypeError, OverflowError) as exc:
        reason = _reason(exc)
        if "does not exist or is not a regular file" in reason:
            # libsndfile's words when no decoder accepts the bytes of a file that does exist.
            reason = "its contents are not in an audio format that can be read (or are damaged)"
        raise AudioError(f"Audio file {p} could not be opened: {reason}.") from exc


def _info(p: Path, handle: sf.SoundFile) -> AudioInfo:
    return AudioInfo(
        path=p,
        sample_rate=int(handle.samplerate),
        channels=int(handle.channels),
        frames=int(handle.frames),
        format=str(handle.format),
        subtype=str(handle.subtype),
        description=f"{handle.format_info}, {handle.subtype_info}",
    )


def _check_header(p: Path, info: AudioInfo, channel: int | None) -> None:
    if channel is not None and not 0 <= channel < info.channels:
        raise AudioError(
            f"Audio file {p} has {_channels(info.channels)} (numbered from 0), "
            f"so channel {channel} does not exist."
        )
    check_rate(p, info.sample_rate, "its header says")
    if info.format in ("WAV", "WAVEX"):
        check_wav_complete(p)


def _read_block(p: Path, handle: sf.SoundFile, info: AudioInfo, decoded: int) -> np.ndarray:
    try:
        return handle.read(_BLOCK_FRAMES, dtype="float32", always_2d=True)
    except RuntimeError as exc:  # libsndfile loses sync in damaged FLAC/MP3 streams
        raise AudioError(
            f"Audio file {p} is corrupt or truncated: decoding failed after "
            f"{decoded / info.sample_rate:.2f} s ({_reason(exc)})."
        ) from exc


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "error_string", None) or exc).strip()
    text = text.removeprefix("Error : ").removeprefix("Error: ").strip().rstrip(".")
    return text or type(exc).__name__


def _channels(n: int) -> str:
    return "1 channel" if n == 1 else f"{n} channels"
