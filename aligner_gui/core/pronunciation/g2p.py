"""Grapheme-to-phoneme conversion with espeak-ng, offline, for the ~100 languages it speaks.

Two ways to reach espeak-ng, each run once per batch of words in a child process: the system
``espeak-ng`` program (``--ipa`` with ``_`` between phones) where it is installed, else the
library that the ``espeakng-loader`` wheel ships for every platform
(:mod:`aligner_gui.core.pronunciation.espeak_library`, which says why it is a child process).
Stress marks are removed.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence

from aligner_gui.core.base.errors import AlignerError
from aligner_gui.core.pronunciation.espeak_library import EXIT_NO_LIBRARY, EXIT_NO_VOICE

_STRESS = str.maketrans("", "", "ˈˌ")
_LANGUAGE_SWITCH = re.compile(r"\([a-z]{2,3}(?:-[a-z0-9]+)*\)")
_TIMEOUT = 120.0
BACKENDS = ("auto", "program", "library")


class G2PError(AlignerError):
    pass


def espeak_available(backend: str = "auto") -> bool:
    """Whether ``backend`` ("program", "library" or "auto": either) can be used."""
    program = backend != "library" and shutil.which("espeak-ng") is not None
    library = backend != "program" and importlib.util.find_spec("espeakng_loader") is not None
    return program or library


def espeak_phones(words: Sequence[str], voice: str, backend: str = "auto") -> list[tuple[str, ...]]:
    """The IPA phones espeak-ng gives each word (``()`` for a word it gives nothing for).

    ``backend``: "program" (the system espeak-ng), "library" (the espeakng-loader wheel) or
    "auto" (the program when installed, else the library)."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    if not words:
        return []
    clean = [" ".join(w.split()) for w in words]
    exe = shutil.which("espeak-ng") if backend != "library" else None
    if exe is not None:
        lines = _run([exe, "-q", "--ipa", "--sep=_", "-v", voice], voice, clean)
        if len(lines) != len(clean):  # the program joined or split lines: word by word
            lines = [
                " ".join(_run([exe, "-q", "--ipa", "--sep=_", "-v", voice], voice, [w]))
                for w in clean
            ]
    elif backend != "program" and espeak_available("library"):
        module = "aligner_gui.core.pronunciation.espeak_library"
        lines = _run([sys.executable, "-m", module, voice], voice, clean, keep_empty=True)
    else:
        raise G2PError(
            "espeak-ng is not installed, so words missing from the dictionary cannot be given "
            "pronunciations (install the espeak-ng package, or add the words to the dictionary)."
        )
    return [_split(line) for line in lines]


def _split(line: str) -> tuple[str, ...]:
    # "(en)" ... "(ru)": espeak-ng switching voice for a word it takes for English. The markers
    # are not phones; the phones between them are the other voice's reading of the word.
    line = _LANGUAGE_SWITCH.sub("_", line)
    return tuple(p for p in line.translate(_STRESS).replace(" ", "_").split("_") if p)


def _run(
    command: list[str], voice: str, words: Sequence[str], keep_empty: bool = False
) -> list[str]:
    try:
        done = subprocess.run(
            command,
            input="\n".join(words) + "\n",
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise G2PError(f"espeak-ng could not be run: {exc}") from exc
    if done.returncode == EXIT_NO_VOICE and command[0] == sys.executable:
        raise G2PError(f"espeak-ng failed for voice {voice!r}: the voice does not exist.")
    if done.returncode == EXIT_NO_LIBRARY and command[0] == sys.executable:
        raise G2PError("espeak-ng's library (espeakng-loader) could not be loaded.")
    if done.returncode != 0 or "not found" in done.stderr.lower():
        reason = done.stderr.strip().splitlines()[0] if done.stderr.strip() else "no output"
        raise G2PError(f"espeak-ng failed for voice {voice!r}: {reason}")
    lines = [line.strip() for line in done.stdout.splitlines()]
    return lines if keep_empty else [line for line in lines if line]
