"""Shared fixtures: headless Qt, an ALSA null sound device, and the shared real-world corpus."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

# Must be set before any Qt import anywhere in the test session.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session", autouse=True)
def null_sound_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A silent ALSA sound card for the whole session (CI machines have none).

    ALSA reads ``$HOME/.asoundrc`` when PortAudio initialises, i.e. when sounddevice is first
    imported; ``aligner_gui.qt.playback`` imports it lazily, so pointing HOME here before the
    first test is early enough, whichever test module runs first. The null device is not paced
    by a clock: a test that needs playback to take real time paces the callback itself.
    """
    home = tmp_path_factory.getbasetemp() / "null-sound-home"
    home.mkdir(exist_ok=True)
    (home / ".asoundrc").write_text("pcm.!default { type null }\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        yield home


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared real-world corpus beside the checkout; tests using it skip when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present beside this checkout")
    return CORPUS


@pytest.fixture(scope="module")
def one_torch_thread() -> Iterator[None]:
    """Tiny models gain nothing from threads, and on a busy 2-core machine OpenMP threads that
    wait for each other make them several times slower."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture
def offline_torch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty torch hub cache on a machine without internet; skips where the model host
    resolves, because the test would then really download hundreds of MB."""
    try:
        socket.getaddrinfo("download.pytorch.org", 443)
    except OSError:
        home = tmp_path / "torch-home"
        monkeypatch.setenv("TORCH_HOME", str(home))
        return home
    pytest.skip("download.pytorch.org resolves: this test would download a real model")
