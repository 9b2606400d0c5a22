"""Header facts that libsndfile accepts but a recording cannot have: absurd rates, cut WAVs."""

from __future__ import annotations

import struct
from pathlib import Path

from aligner_gui.core.base.errors import AudioError

__all__ = ["MAX_SAMPLE_RATE", "MIN_SAMPLE_RATE", "check_rate", "check_wav_complete"]

# Sample rates a speech recording can have. A rate outside is a wrong header or a typo in
# --raw-rate: 1 Hz would resample every sample into 16000, 10^12 Hz overflows libsndfile.
MIN_SAMPLE_RATE = 1000
MAX_SAMPLE_RATE = 1_536_000


def check_rate(p: Path, rate: int, source: str) -> None:
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise AudioError(
            f"Audio file {p} cannot be read at {rate} Hz ({source}): a recording's sample rate "
            f"is between {MIN_SAMPLE_RATE} and {MAX_SAMPLE_RATE} Hz."
        )


def check_wav_complete(p: Path) -> None:
    """Refuse a WAV whose data chunk is cut short: libsndfile would quietly load only the rest."""
    with p.open("rb") as stream:
        header = stream.read(12)
        if len(header) < 12 or header[:4] not in (b"RIFF", b"RIFX") or header[8:12] != b"WAVE":
            return  # RF64 and exotic variants: leave the judgement to libsndfile
        order = "<" if header[:4] == b"RIFF" else ">"
        file_size = p.stat().st_size
        position, block_align = 12, 0
        for _ in range(1000):  # a bound, in case of garbage chunk sizes
            chunk = stream.read(8)
            if len(chunk) < 8:
                return
            (chunk_size,) = struct.unpack(order + "I", chunk[4:])
            if chunk[:4] == b"fmt ":
                fmt = stream.read(min(chunk_size, 16))
                if len(fmt) >= 14:
                    (block_align,) = struct.unpack(order + "H", fmt[12:14])
            elif chunk[:4] == b"data":
                present = file_size - position - 8
                # 0 and 0xFFFFFFFF are placeholders written by streaming recorders, not lengths.
                if 0 < chunk_size < 0xFFFFFFFF and chunk_size > present and block_align > 0:
                    raise AudioError(
                        f"Audio file {p} is truncated: its header announces "
                        f"{chunk_size // block_align} sample frames but only "
                        f"{present // block_align} are present."
                    )
                return
            position += 8 + chunk_size + (chunk_size & 1)
            stream.seek(position)
