"""A silent ALSA sound card for tests that construct a ``Player`` (CI machines have no sound card).

ALSA reads ``$HOME/.asoundrc`` when PortAudio initialises, i.e. when sounddevice is first
imported, so HOME must point at a folder holding a null-device ``.asoundrc`` before that happens.
``aligner_gui.qt.playback`` imports sounddevice lazily (on the first ``Player.available`` or
``play()``), so a session fixture set up before any test touches a Player is early enough.

Use it in a test module like this (every module that may create a Player, so whichever runs
first sets the device up)::

    from sound import null_sound_home  # tests/qt is on sys.path for its own test modules

    @pytest.fixture(scope="session", autouse=True)
    def _null_sound(tmp_path_factory):
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("HOME", str(null_sound_home(tmp_path_factory)))
            yield

The folder is the same for the whole session, so several modules doing this agree. HOME is
restored after the session; PortAudio keeps the device list it read at import, which is fine.

Note: the ALSA null device is not paced by a clock: it accepts frames as fast as the callback
produces them. A test that needs playback to take real time must pace the callback itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ASOUNDRC = "pcm.!default { type null }\n"


def null_sound_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder (same one all session) whose ``.asoundrc`` makes ALSA's default device a null sink."""
    home = tmp_path_factory.getbasetemp() / "null-sound-home"
    home.mkdir(exist_ok=True)
    rc = home / ".asoundrc"
    if not rc.is_file():
        rc.write_text(ASOUNDRC, encoding="utf-8")
    return home
