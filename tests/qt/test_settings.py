"""Settings: typed values with defaults, a well-behaved recent-files list, isolated ini files."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings

from aligner_gui.core.models.model import DEFAULT_MODEL
from aligner_gui.qt.settings import MAX_RECENT_FILES, Settings


@pytest.fixture
def ini(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def settings(ini: Path) -> Settings:
    return Settings.from_file(ini)


def _files(folder: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        path = folder / f"take{i:02d}.wav"
        path.write_bytes(b"x")
        paths.append(path)
    return paths


def test_defaults_on_a_fresh_file(settings: Settings) -> None:
    assert settings.model_name == DEFAULT_MODEL == "WAV2VEC2_ASR_BASE_960H"
    assert settings.device == "auto"
    assert settings.theme == "system"
    assert settings.recent_files == []
    assert settings.last_directory is None
    assert settings.window_geometry is None
    assert settings.window_state is None
    assert settings.view_visible("emission") is True
    assert settings.view_visible("trellis", default=False) is False


def test_values_survive_a_new_instance_on_the_same_file(ini: Path, tmp_path: Path) -> None:
    first = Settings.from_file(ini)
    first.model_name = "/models/my checkpoint.pt"
    first.device = "cpu"
    first.theme = "dark"
    first.last_directory = tmp_path
    first.window_geometry = QByteArray(b"\x01\x02geometry\x00")
    first.window_state = b"state\xff"
    first.set_view_visible("trellis", False)
    first.set_view_visible("emission", True)
    first.sync()
    assert ini.is_file()

    second = Settings.from_file(ini)
    assert second.model_name == "/models/my checkpoint.pt"
    assert second.device == "cpu"
    assert second.theme == "dark"
    assert second.last_directory == tmp_path
    assert second.window_geometry == QByteArray(b"\x01\x02geometry\x00")
    assert second.window_state == QByteArray(b"state\xff")
    assert second.view_visible("trellis") is False
    assert second.view_visible("emission", default=False) is True


def test_clearing_window_state(settings: Settings) -> None:
    settings.window_state = b"abc"
    settings.window_state = None
    assert settings.window_state is None


def test_recent_files_most_recent_first_and_deduplicated(
    settings: Settings, tmp_path: Path
) -> None:
    a, b, c = _files(tmp_path, 3)
    settings.add_recent_file(a)
    settings.add_recent_file(b)
    settings.add_recent_file(c)
    settings.add_recent_file(a)  # reopened: moves to the front, not listed twice
    assert settings.recent_files == [a, c, b]
    # The same file reached through a different spelling is still one entry.
    settings.add_recent_file(tmp_path / "sub" / ".." / b.name)
    assert settings.recent_files == [b, a, c]


def test_recent_files_keep_only_ten(settings: Settings, tmp_path: Path) -> None:
    paths = _files(tmp_path, 13)
    for path in paths:
        settings.add_recent_file(path)
    assert MAX_RECENT_FILES == 10
    assert settings.recent_files == list(reversed(paths))[:10]


def test_recent_files_prune_missing_files_on_read(ini: Path, tmp_path: Path) -> None:
    settings = Settings.from_file(ini)
    a, b, c = _files(tmp_path, 3)
    for path in (a, b, c):
        settings.add_recent_file(path)
    b.unlink()
    assert settings.recent_files == [c, a]
    settings.sync()
    # The pruned list was written back, not just filtered.
    raw = QSettings(str(ini), QSettings.Format.IniFormat).value("files/recent")
    assert [Path(p) for p in raw] == [c, a]


def test_single_recent_file_reads_back_as_a_list(ini: Path, tmp_path: Path) -> None:
    # INI stores a one-element list as a plain string: it must still read as one path.
    (only,) = _files(tmp_path, 1)
    Settings.from_file(ini).add_recent_file(only)
    assert Settings.from_file(ini).recent_files == [only]


def test_remove_and_clear_recent_files(settings: Settings, tmp_path: Path) -> None:
    a, b = _files(tmp_path, 2)
    settings.add_recent_file(a)
    settings.add_recent_file(b)
    settings.remove_recent_file(a)
    assert settings.recent_files == [b]
    settings.clear_recent_files()
    assert settings.recent_files == []


def test_malformed_values_fall_back_to_defaults(ini: Path) -> None:
    ini.write_text(
        "[alignment]\nmodel=\ndevice=\n[appearance]\ntheme=purple\n[views]\nemission=maybe\n"
        "[files]\nlast_directory=/no/such/folder\n",
        encoding="utf-8",
    )
    settings = Settings.from_file(ini)
    assert settings.model_name == DEFAULT_MODEL
    assert settings.device == "auto"
    assert settings.theme == "system"
    assert settings.view_visible("emission") is True
    assert settings.view_visible("emission", default=False) is False
    assert settings.last_directory is None


def test_unknown_theme_is_refused(settings: Settings) -> None:
    with pytest.raises(ValueError, match="purple"):
        settings.theme = "purple"
    assert settings.theme == "system"
