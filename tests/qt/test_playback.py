"""Player: real PortAudio streams on the ALSA null device, and the paths where sound is missing."""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Iterator
from importlib.abc import MetaPathFinder
from typing import Any

import numpy as np
import pytest

from aligner_gui.qt.playback import Player

RATE = 16_000


@pytest.fixture
def player(qtbot: Any) -> Iterator[Player]:
    p = Player()
    yield p
    p.close()


class Tap:
    """Wraps a Player's callback: records what it wrote and paces it like a real sound card.

    The ALSA null device swallows frames as fast as they come, so without pacing a whole clip
    would be "played" before the first 30 Hz position tick.
    """

    def __init__(self, player: Player, rate: int) -> None:
        self.blocks: list[np.ndarray] = []
        self.calls = 0
        self._inner = player._callback
        self._rate = rate
        player._callback = self  # type: ignore[method-assign,assignment]  # read when the stream is opened

    def __call__(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        self.calls += 1
        try:
            self._inner(outdata, frames, time_info, status)
        finally:
            self.blocks.append(outdata.copy())
            time.sleep(frames / self._rate)

    def written(self) -> np.ndarray:
        return np.concatenate(self.blocks) if self.blocks else np.zeros((0, 1), np.float32)


def _signal(seconds: float, rate: int = RATE, seed: int = 0) -> np.ndarray:
    # Never exactly zero, so written audio is told apart from the callback's zero padding.
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    return (0.05 + 0.9 * rng.random(n)).astype(np.float32) * rng.choice([-1, 1], n)


def test_null_device_is_available(player: Player) -> None:
    assert player.available is True
    assert player.unavailable_reason == ""
    assert player.is_playing() is False
    assert player.position_seconds() is None


def test_play_hands_exactly_the_range_to_the_stream(qtbot: Any, player: Player) -> None:
    samples = _signal(1.0)
    a, b = 1234, 9234  # half a second
    tap = Tap(player, RATE)
    positions: list[float] = []
    player.positionChanged.connect(positions.append)

    with qtbot.waitSignal(player.started, timeout=2000) as started:
        player.play(samples, RATE, a, b)
    assert started.args == [pytest.approx(a / RATE), pytest.approx(b / RATE)]
    assert player.is_playing() is True
    with qtbot.waitSignal(player.stopped, timeout=5000):
        pass

    assert player.is_playing() is False
    written = tap.written()
    assert written.shape[1] == 1
    np.testing.assert_array_equal(written[: b - a, 0], samples[a:b])
    assert not written[b - a :].any()  # only zero padding after the range
    # Positions: monotonic, inside [a, b], ending exactly at b, and many of them (~30 Hz).
    assert len(positions) >= 5
    assert all(x <= y for x, y in itertools.pairwise(positions))
    assert positions[0] >= a / RATE
    assert positions[-1] == pytest.approx(b / RATE)
    assert max(positions) <= b / RATE + 1e-12


def test_stop_midway(qtbot: Any, player: Player) -> None:
    # Long enough that a machine slowed down by other work still stops it midway: the timeouts
    # and bounds below only catch a hang (the stop takes effect within one audio block).
    samples = _signal(30.0)
    tap = Tap(player, RATE)
    positions: list[float] = []
    player.positionChanged.connect(positions.append)
    player.play(samples, RATE, 0, len(samples))
    qtbot.waitUntil(lambda: bool(positions) and positions[-1] > 0.3, timeout=20_000)

    with qtbot.waitSignal(player.stopped, timeout=10_000):
        player.stop()
    assert player.is_playing() is False
    assert player.position_seconds() is None
    calls, emitted = tap.calls, len(positions)
    qtbot.wait(200)
    assert tap.calls == calls  # the stream really stopped
    assert len(positions) == emitted  # and the clock with it
    played = tap.written()
    heard = np.count_nonzero(played)
    assert 0.3 * RATE < heard < len(samples)
    np.testing.assert_array_equal(played[:heard, 0], samples[:heard])


def test_stream_is_reused_and_reopened_only_for_a_new_rate(
    qtbot: Any, player: Player, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sounddevice

    opened: list[int] = []

    class CountingStream(sounddevice.OutputStream):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            opened.append(kwargs["samplerate"])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(sounddevice, "OutputStream", CountingStream)
    clip = _signal(0.05)
    for rate in (RATE, RATE, 22_050, 22_050):
        with qtbot.waitSignal(player.stopped, timeout=3000):
            player.play(clip, rate, 0, len(clip))
    assert opened == [RATE, 22_050]


def test_falls_back_to_stereo_and_duplicates_the_channel(
    qtbot: Any, player: Player, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sounddevice

    class StereoOnly(sounddevice.OutputStream):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if kwargs["channels"] != 2:
                raise sounddevice.PortAudioError("Invalid number of channels")
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(sounddevice, "OutputStream", StereoOnly)
    samples = _signal(0.2)
    tap = Tap(player, RATE * 4)  # pace loosely: only the data matters here
    with qtbot.waitSignal(player.stopped, timeout=3000):
        player.play(samples, RATE, 100, 2100)
    written = tap.written()
    assert written.shape[1] == 2
    np.testing.assert_array_equal(written[:2000, 0], samples[100:2100])
    np.testing.assert_array_equal(written[:2000, 1], samples[100:2100])


def test_empty_or_out_of_range_request_plays_nothing(qtbot: Any, player: Player) -> None:
    started: list[tuple[float, float]] = []
    player.started.connect(lambda s, e: started.append((s, e)))
    samples = _signal(0.1)
    player.play(samples, RATE, 500, 500)
    player.play(samples, RATE, 5000, 9000)  # beyond the end: clamped to nothing
    assert started == []
    assert player.is_playing() is False


class _PortAudioMissing(MetaPathFinder):
    def find_spec(self, name: str, path: Any, target: Any = None) -> None:
        if name == "sounddevice":
            raise OSError("PortAudio library not found")


@pytest.mark.parametrize("how", ["import-error", "oserror"])
def test_unavailable_without_portaudio(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    if how == "import-error":
        monkeypatch.setitem(sys.modules, "sounddevice", None)
    else:
        monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
        monkeypatch.setattr(sys, "meta_path", [_PortAudioMissing(), *sys.meta_path])
    p = Player()
    signals: list[str] = []
    p.started.connect(lambda *_: signals.append("started"))
    p.stopped.connect(lambda: signals.append("stopped"))

    assert p.available is False
    assert "PortAudio" in p.unavailable_reason
    assert "libportaudio2" in p.unavailable_reason
    p.play(_signal(0.1), RATE, 0, 1000)
    qtbot.wait(50)
    assert signals == []
    assert p.is_playing() is False
    assert p.position_seconds() is None


def test_unavailable_without_an_output_device(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import sounddevice

    def no_device(*_args: Any, **_kwargs: Any) -> None:
        raise sounddevice.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sounddevice, "query_devices", no_device)
    p = Player()
    assert p.available is False
    assert (
        p.unavailable_reason == "Audio playback is unavailable: no audio output device was found."
    )
    p.play(_signal(0.1), RATE, 0, 1000)
    assert p.is_playing() is False


def test_loop_repeats_the_range_and_the_clock_wraps(qtbot: Any, player: Player) -> None:
    samples = _signal(1.0)
    a, b = 4000, 6400  # 0.15 s
    tap = Tap(player, RATE)
    positions: list[float] = []
    player.positionChanged.connect(positions.append)
    player.play(samples, RATE, a, b, loop=True)
    assert player.is_looping()
    qtbot.waitUntil(lambda: len(tap.written()) > 3 * (b - a), timeout=5000)
    with qtbot.waitSignal(player.stopped, timeout=1000):
        player.stop()
    assert not player.is_looping()
    written = tap.written()[:, 0]
    turns = len(written) // (b - a)
    np.testing.assert_array_equal(written[: turns * (b - a)], np.tile(samples[a:b], turns))
    # The playhead stays inside the range and goes back to its start at each turn.
    assert all(a / RATE <= p <= b / RATE for p in positions)
    assert any(later < earlier for earlier, later in itertools.pairwise(positions))
