"""Grapheme-to-phoneme conversion with espeak-ng, offline, for the ~100 languages it speaks.

The system ``espeak-ng`` program is run once per batch of words (one word per line, ``--ipa``
with ``_`` between phones); stress marks are removed. espeak-ng's Python wrappers on PyPI either
need the same system library or ship one for some platforms only, and the command line is stable
across its versions, so the program is called directly.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

from aligner_gui.core.base.errors import AlignerError

_STRESS = str.maketrans("", "", "ˈˌ")
_TIMEOUT = 60.0


class G2PError(AlignerError):
    pass


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def espeak_phones(words: Sequence[str], voice: str) -> list[tuple[str, ...]]:
    """The IPA phones espeak-ng gives each word (``()`` for a word it gives nothing for)."""
    if not words:
        return []
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise G2PError(
            "espeak-ng is not installed, so words missing from the dictionary cannot be given "
            "pronunciations (install the espeak-ng package, or add the words to the dictionary)."
        )
    clean = [" ".join(w.split()) for w in words]
    lines = _run(exe, voice, clean)
    if len(lines) != len(clean):  # espeak joined or split lines: ask word by word
        lines = [" ".join(_run(exe, voice, [w])) for w in clean]
    return [
        tuple(p for p in line.translate(_STRESS).replace(" ", "_").split("_") if p)
        for line in lines
    ]


def _run(exe: str, voice: str, words: Sequence[str]) -> list[str]:
    try:
        done = subprocess.run(
            [exe, "-q", "--ipa", "--sep=_", "-v", voice],
            input="\n".join(words) + "\n",
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise G2PError(f"espeak-ng could not be run: {exc}") from exc
    if done.returncode != 0 or "not found" in done.stderr.lower():
        reason = done.stderr.strip().splitlines()[0] if done.stderr.strip() else "no output"
        raise G2PError(f"espeak-ng failed for voice {voice!r}: {reason}")
    return [line.strip() for line in done.stdout.splitlines() if line.strip()]
