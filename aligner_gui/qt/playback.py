"""Audio playback through one persistent sounddevice stream, with a playhead clock for the views.

The stream is opened lazily at the audio's sample rate and kept open (reopened only when the rate
changes): opening a PortAudio stream costs tens of milliseconds and clicks on some systems. It is
started for each play and stops itself (``CallbackStop``) after the last sample, so nothing runs
while the editor is idle. The playhead reads the number of frames the callback has handed to the
device, minus the device's output latency, so it shows what is being heard rather than what was
requested. sounddevice is imported on first use, never at module import: PortAudio may be missing
(the editor must still start) and tests must be able to point ALSA at a null device first.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:
    import sounddevice

log = logging.getLogger(__name__)

POSITION_INTERVAL_MS = 33  # ~30 Hz: smooth enough for a playhead, cheap for the GUI thread
PORTAUDIO_MISSING = (
    "Audio playback is unavailable: the PortAudio library could not be loaded "
    "(on Debian/Ubuntu install the package libportaudio2)."
)


class Player(QObject):
    """Plays ``samples[start:end]``; emits ``started``, ``positionChanged`` (~30 Hz), ``stopped``."""

    started = Signal(float, float)  # start and end of the played range, seconds
    positionChanged = Signal(float)  # seconds in the audio, as heard
    stopped = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sd: Any = None
        self._probed = False
        self._available = False
        self._reason = ""
        self._stream: sounddevice.OutputStream | None = None
        self._stream_key: tuple[int, int] | None = None  # (rate, channels) it was opened with
        # Shared with the PortAudio thread. The callback only reads _buffer and advances _consumed;
        # the GUI thread changes _buffer only while the stream is stopped, so no lock is needed
        # for them. The lock guards the (consumed, end) pair read by position_seconds().
        self._lock = threading.Lock()
        self._buffer = np.zeros(0, dtype=np.float32)
        self._consumed = 0
        self._loop = False
        self._start_s = 0.0
        self._end_s = 0.0
        self._playing = False
        self._last_emitted: float | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POSITION_INTERVAL_MS)
        self._timer.timeout.connect(self._tick)

    # -- availability ------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        self._probe()
        return self._available

    @property
    def unavailable_reason(self) -> str:
        """Why playback is off, as a sentence for the status bar; "" when it is available."""
        self._probe()
        return self._reason

    def _probe(self) -> None:
        if self._probed:
            return
        self._probed = True
        try:
            import sounddevice as sd  # lazy on purpose: see the module docstring
        except (OSError, ImportError) as err:
            log.info("sounddevice unavailable: %s", err)
            self._reason = PORTAUDIO_MISSING
            return
        try:
            sd.query_devices(kind="output")
        except Exception as err:  # PortAudioError or ValueError, depending on the host API
            log.info("no default output device: %s", err)
            self._reason = "Audio playback is unavailable: no audio output device was found."
            return
        self._sd = sd
        self._available = True

    # -- playing ---------------------------------------------------------------------------------

    def play(
        self,
        samples: np.ndarray,
        sample_rate: int,
        start_sample: int,
        end_sample: int,
        loop: bool = False,
    ) -> None:
        """Play ``samples[start_sample:end_sample]`` (mono float32); a no-op when unavailable.
        With ``loop`` the range repeats without a gap until ``stop()``."""
        if self._playing:
            self.stop()
        if not self.available:
            return
        start = max(0, min(int(start_sample), len(samples)))
        end = max(start, min(int(end_sample), len(samples)))
        if end == start:
            return
        stream = self._ensure_stream(int(sample_rate))
        if stream is None:
            return
        self._halt(stream)  # a stream that ended by CallbackStop must be stopped before restarting
        with self._lock:
            self._buffer = np.ascontiguousarray(samples[start:end], dtype=np.float32)
            self._consumed = 0
            self._loop = bool(loop)
        self._start_s = start / sample_rate
        self._end_s = end / sample_rate
        self._last_emitted = None
        try:
            stream.start()
        except Exception as err:
            self._disable(f"Audio playback failed: {err}.")
            return
        self._playing = True
        self._timer.start()
        self.started.emit(self._start_s, self._end_s)

    def stop(self) -> None:
        """Stop at once (does nothing when not playing)."""
        if not self._playing:
            return
        if self._stream is not None:
            self._halt(self._stream)
        self._finish()

    def is_playing(self) -> bool:
        return self._playing

    def position_seconds(self) -> float | None:
        """The position being heard, from the frames the callback consumed; None when not playing."""
        if not self._playing:
            return None
        with self._lock:
            consumed = self._consumed
        stream = self._stream
        latency = 0.0
        if stream is not None:
            try:
                latency = float(stream.latency)
            except Exception:  # a closed or broken stream: report what was handed over
                latency = 0.0
        heard_frames = consumed - latency * self._stream_rate
        if self._loop and heard_frames > 0:
            heard_frames %= len(self._buffer)  # the same range again and again
        heard = self._start_s + heard_frames / self._stream_rate
        return min(max(heard, self._start_s), self._end_s)

    def is_looping(self) -> bool:
        return self._playing and self._loop

    def close(self) -> None:
        """Stop and release the audio device (call when the window closes)."""
        self.stop()
        self._timer.stop()
        if self._stream is not None:
            try:
                self._stream.close(ignore_errors=True)
            finally:
                self._stream = None
                self._stream_key = None

    # -- internals -----------------------------------------------------------------------------------

    @property
    def _stream_rate(self) -> int:
        return self._stream_key[0] if self._stream_key is not None else 1

    def _ensure_stream(self, sample_rate: int) -> sounddevice.OutputStream | None:
        if self._stream is not None and self._stream_key is not None:
            if self._stream_key[0] == sample_rate:
                return self._stream
            self._stream.close(ignore_errors=True)
            self._stream = None
            self._stream_key = None
        sd = self._sd
        last_error: Exception | None = None
        # Mono first; some devices only accept stereo, then the callback duplicates the channel.
        for channels in (1, 2):
            try:
                stream = sd.OutputStream(
                    samplerate=sample_rate,
                    channels=channels,
                    dtype="float32",
                    # PortAudio's default for output is its "high" latency (~0.1-0.2 s of
                    # buffering on ALSA): a click on a word would be heard late. "low" keeps
                    # the device buffer small; see benchmarks/gui.md (click-to-sound).
                    latency="low",
                    callback=self._callback,
                )
            except Exception as err:
                last_error = err
                continue
            self._stream = stream
            self._stream_key = (sample_rate, channels)
            return stream
        self._disable(
            f"Audio playback is unavailable: the output device cannot play {sample_rate} Hz audio "
            f"({last_error})."
        )
        return None

    def _callback(self, outdata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
        # Runs on PortAudio's thread: no Qt calls here, only numpy copies and two integer updates.
        buffer = self._buffer
        done = self._consumed
        if self._loop and len(buffer):
            # Copy whole turns of the range into the block: the loop has no gap or click.
            filled = 0
            while filled < frames:
                at = (done + filled) % len(buffer)
                n = min(frames - filled, len(buffer) - at)
                outdata[filled : filled + n] = buffer[at : at + n, None]
                filled += n
            with self._lock:
                self._consumed = done + frames
            return
        n = min(frames, len(buffer) - done)
        if n > 0:
            outdata[:n] = buffer[done : done + n, None]
        else:
            n = 0
        outdata[n:] = 0.0
        with self._lock:
            self._consumed = done + n
        if done + n >= len(buffer):
            raise self._sd.CallbackStop

    def _tick(self) -> None:
        if not self._playing:
            self._timer.stop()
            return
        stream = self._stream
        ended = stream is None or not stream.active
        position = self._end_s if ended else self.position_seconds()
        if position is not None and position != self._last_emitted:
            self._last_emitted = position
            self.positionChanged.emit(position)
        if ended:
            self._finish()

    def _halt(self, stream: sounddevice.OutputStream) -> None:
        try:
            if not stream.stopped:
                stream.abort(ignore_errors=True)
        except Exception as err:  # the device vanished (unplugged headphones): forget the stream
            log.info("could not stop the audio stream: %s", err)
            self._stream = None
            self._stream_key = None

    def _finish(self) -> None:
        self._timer.stop()
        self._playing = False
        self.stopped.emit()

    def _disable(self, reason: str) -> None:
        log.warning("%s", reason)
        self._available = False
        self._reason = reason
