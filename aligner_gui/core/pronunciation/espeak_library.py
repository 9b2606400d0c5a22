"""espeak-ng's phonemizer from the library the ``espeakng-loader`` wheel ships (Linux, macOS,
Windows), run as a child process by :mod:`aligner_gui.core.pronunciation.g2p`:

    python -m aligner_gui.core.pronunciation.espeak_library VOICE  < words  > phones

One word per line in, its IPA with ``_`` between phones per line out (exit 3: no such voice,
exit 4: no library). A child process because two copies of libespeak-ng in one process (this
wheel's and the system's, which the demo model's training code loads) share global symbols and
crash it, and because the library keeps global state and is not thread-safe. Called through
ctypes: phonemizer would add a dependency tree for these three functions.
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import Any

_CHARS_UTF8 = 1
_IPA_WITH_SEPARATOR = 0x02 | (ord("_") << 8)  # phonememode: IPA, "_" between phones
EXIT_NO_VOICE = 3
EXIT_NO_LIBRARY = 4


def load() -> Any:
    """The initialised library, or None without the wheel."""
    try:
        import espeakng_loader

        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        data_parent = os.path.dirname(espeakng_loader.get_data_path()).encode()
    except (ImportError, OSError, AttributeError):
        return None
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
    # AUDIO_OUTPUT_RETRIEVAL (1): no sound device; returns the sample rate, or -1.
    if lib.espeak_Initialize(1, 0, data_parent, 0) <= 0:
        return None
    return lib


def phonemize(lib: Any, word: str) -> str:
    buffer = ctypes.create_string_buffer(word.encode("utf-8"))
    pointer = ctypes.c_void_p(ctypes.addressof(buffer))
    parts = []
    while pointer.value:  # one clause per call; the pointer moves on, NULL at the end
        out = lib.espeak_TextToPhonemes(ctypes.byref(pointer), _CHARS_UTF8, _IPA_WITH_SEPARATOR)
        if out:
            parts.append(out.decode("utf-8", errors="replace"))
    return " ".join(parts)


def main(argv: list[str]) -> int:
    lib = load()
    if lib is None:
        return EXIT_NO_LIBRARY
    if len(argv) != 1 or lib.espeak_SetVoiceByName(argv[0].encode()) != 0:
        return EXIT_NO_VOICE
    # UTF-8 whatever the platform's locale (Windows' console code page is not).
    with (
        open(sys.stdin.fileno(), encoding="utf-8", closefd=False) as stdin,
        open(sys.stdout.fileno(), "w", encoding="utf-8", closefd=False) as stdout,
    ):
        for line in stdin:
            stdout.write(phonemize(lib, line.strip()).replace("\n", " ") + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
