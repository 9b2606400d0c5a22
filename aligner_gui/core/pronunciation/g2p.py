"""Grapheme-to-phoneme conversion with espeak-ng, offline, for the ~100 languages it speaks.

Two ways to reach espeak-ng, the first that works: the library that the ``espeakng-loader`` wheel
ships for Linux, macOS and Windows (called through ctypes: ``espeak_TextToPhonemes`` in IPA with
``_`` between phones; phonemizer would add a dependency tree for these few calls), else the
system ``espeak-ng`` program, run once per batch of words. Stress marks are removed. The library
is not thread-safe, so calls are serialised.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import threading
from collections.abc import Sequence
from typing import Any

from aligner_gui.core.base.errors import AlignerError

_STRESS = str.maketrans("", "", "ˈˌ")
_TIMEOUT = 60.0


class G2PError(AlignerError):
    pass


_CHARS_UTF8 = 1
_IPA_WITH_SEPARATOR = 0x02 | (ord("_") << 8)  # phonememode: IPA, "_" between phones
_lock = threading.Lock()
_library: Any = None
_library_tried = False


def _load_library() -> Any:
    """The espeak-ng library of the espeakng-loader wheel, initialised; None without it."""
    global _library, _library_tried
    if _library_tried:
        return _library
    _library_tried = True
    try:
        import espeakng_loader

        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_TextToPhonemes.argtypes = [
            ctypes.POINTER(ctypes.c_void_p),
            ctypes.c_int,
            ctypes.c_int,
        ]
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        data_parent = os.path.dirname(espeakng_loader.get_data_path()).encode()
        # AUDIO_OUTPUT_RETRIEVAL (1): no sound device; returns the sample rate, or -1.
        if lib.espeak_Initialize(1, 0, data_parent, 0) <= 0:
            return None
    except (ImportError, OSError, AttributeError):
        return None
    _library = lib
    return lib


def espeak_available(backend: str = "auto") -> bool:
    """Whether ``backend`` ("library", "program" or "auto": either) can be used."""
    with _lock:
        library = backend != "program" and _load_library() is not None
    return library or (backend != "library" and shutil.which("espeak-ng") is not None)


def espeak_phones(words: Sequence[str], voice: str, backend: str = "auto") -> list[tuple[str, ...]]:
    """The IPA phones espeak-ng gives each word (``()`` for a word it gives nothing for).

    ``backend``: "library" (the espeakng-loader wheel), "program" (the system espeak-ng) or
    "auto" (the library when it loads)."""
    if not words:
        return []
    clean = [" ".join(w.split()) for w in words]
    if backend != "program":
        with _lock:
            lib = _load_library()
            if lib is not None:
                return [_split(line) for line in _library_lines(lib, voice, clean)]
        if backend == "library":
            raise G2PError("The espeak-ng library (espeakng-loader) could not be loaded.")
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise G2PError(
            "espeak-ng is not installed, so words missing from the dictionary cannot be given "
            "pronunciations (install the espeak-ng package, or add the words to the dictionary)."
        )
    lines = _run(exe, voice, clean)
    if len(lines) != len(clean):  # espeak joined or split lines: ask word by word
        lines = [" ".join(_run(exe, voice, [w])) for w in clean]
    return [_split(line) for line in lines]


def _split(line: str) -> tuple[str, ...]:
    return tuple(p for p in line.translate(_STRESS).replace(" ", "_").split("_") if p)


def _library_lines(lib: Any, voice: str, words: Sequence[str]) -> list[str]:
    if lib.espeak_SetVoiceByName(voice.encode()) != 0:
        raise G2PError(f"espeak-ng failed for voice {voice!r}: the voice does not exist.")
    lines = []
    for word in words:
        buffer = ctypes.create_string_buffer(word.encode("utf-8"))
        pointer = ctypes.c_void_p(ctypes.addressof(buffer))
        parts = []
        while pointer.value:  # one clause per call; the pointer moves on, NULL at the end
            out = lib.espeak_TextToPhonemes(ctypes.byref(pointer), _CHARS_UTF8, _IPA_WITH_SEPARATOR)
            if out:
                parts.append(out.decode("utf-8", errors="replace"))
        lines.append(" ".join(parts))
    return lines


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
