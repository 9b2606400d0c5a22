"""The one typed wrapper around QSettings: every persisted preference of the editor lives here.

It is constructed once (in app.py) and passed to whoever needs it, so keys, types and defaults are
defined in a single place. QSettings' INI backend stores everything as strings and returns a bare
string for a one-element list, so every read below normalises the type and falls back to the
default on anything malformed: a hand-edited or corrupt settings file must never crash the editor.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from aligner_gui.core.display.prosody import ProsodySettings
from aligner_gui.core.display.spectrogram import BROADBAND, SpectrogramSettings
from aligner_gui.core.models.model import (
    DEFAULT_MODEL,
)  # a light import: torch loads only on demand

ORGANIZATION = "aligner-gui"
APPLICATION = "aligner-gui"

DEFAULT_DEVICE = "auto"
THEMES = ("system", "light", "dark")
DEFAULT_THEME = "system"
MAX_RECENT_FILES = 10

_MODEL = "alignment/model"
_DEVICE = "alignment/device"
_DICTIONARY = "alignment/dictionary"
_LANGUAGE = "alignment/language"
_SECOND_OPINION = "corpus/second_opinion"
_RECENT = "files/recent"
_LAST_DIR = "files/last_directory"
_RECOVERY_DIR = "files/recovery_folder"
_GEOMETRY = "window/geometry"
_STATE = "window/state"
_THEME = "appearance/theme"
_VIEWS = "views"
_SPECTROGRAM = "spectrogram"
SPECTROGRAM_COLOUR_MAPS = ("grey", "viridis", "inferno", "magma")
# Persisted spectrogram fields: settings key -> (dataclass, field).
_SPECTROGRAM_FIELDS = {
    "window_length": SpectrogramSettings,
    "max_frequency": SpectrogramSettings,
    "dynamic_range": SpectrogramSettings,
    "pre_emphasis": SpectrogramSettings,
    "pitch_floor": ProsodySettings,
    "pitch_ceiling": ProsodySettings,
}


class Settings:
    """Typed properties over a QSettings store; writes are immediate, ``sync()`` flushes to disk."""

    def __init__(self, store: QSettings | None = None) -> None:
        self._store = store if store is not None else QSettings(ORGANIZATION, APPLICATION)

    @classmethod
    def from_file(cls, path: str | Path) -> Settings:
        """Settings kept in an INI file of their own (tests, portable installs)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    @property
    def store(self) -> QSettings:
        return self._store

    def sync(self) -> None:
        self._store.sync()

    # -- alignment ------------------------------------------------------------------------------

    @property
    def model_name(self) -> str:
        """A bundle name or the path of a local checkpoint."""
        return self._get_str(_MODEL, DEFAULT_MODEL)

    @model_name.setter
    def model_name(self, value: str) -> None:
        self._store.setValue(_MODEL, str(value))

    @property
    def second_opinion(self) -> bool:
        """Whether a corpus batch also hears each file with the model's default second opinion
        (core/corpus/second_opinion.py), for the review queue."""
        return self._get_bool(_SECOND_OPINION, True)

    @second_opinion.setter
    def second_opinion(self, value: bool) -> None:
        self._store.setValue(_SECOND_OPINION, bool(value))

    @property
    def device(self) -> str:
        """One of auto, cpu, cuda, or a torch device string such as cuda:1."""
        return self._get_str(_DEVICE, DEFAULT_DEVICE)

    @device.setter
    def device(self, value: str) -> None:
        self._store.setValue(_DEVICE, str(value))

    @property
    def dictionary_path(self) -> Path | None:
        """The pronunciation dictionary (MFA's format) phone models align with; None: G2P only."""
        value = self._get_str(_DICTIONARY, "")
        return Path(value) if value else None

    @dictionary_path.setter
    def dictionary_path(self, value: str | Path | None) -> None:
        if value is None:
            self._store.remove(_DICTIONARY)
        else:
            self._store.setValue(_DICTIONARY, str(value))

    @property
    def language(self) -> str | None:
        """ISO 639-3 code of the transcripts' language (G2P, numbers, romanisation); None: not
        set (the engine's defaults)."""
        return self._get_str(_LANGUAGE, "") or None

    @language.setter
    def language(self, value: str | None) -> None:
        if value is None:
            self._store.remove(_LANGUAGE)
        else:
            self._store.setValue(_LANGUAGE, value)

    # -- files ----------------------------------------------------------------------------------

    @property
    def recent_files(self) -> list[Path]:
        """Most recent first, at most 10; files that no longer exist are dropped (and forgotten)."""
        stored = self._get_str_list(_RECENT)
        kept = _dedupe([Path(p) for p in stored if p and Path(p).is_file()])[:MAX_RECENT_FILES]
        if [str(p) for p in kept] != stored:
            self._set_str_list(_RECENT, [str(p) for p in kept])
        return kept

    def add_recent_file(self, path: str | Path) -> None:
        """Put ``path`` first in the list, removing its older entry and the overflow."""
        entry = _absolute(Path(path))
        current = [_absolute(Path(p)) for p in self._get_str_list(_RECENT) if p]
        updated = _dedupe([entry, *current])[:MAX_RECENT_FILES]
        self._set_str_list(_RECENT, [str(p) for p in updated])

    def remove_recent_file(self, path: str | Path) -> None:
        entry = _absolute(Path(path))
        current = [Path(p) for p in self._get_str_list(_RECENT) if p]
        self._set_str_list(_RECENT, [str(p) for p in current if _absolute(p) != entry])

    def clear_recent_files(self) -> None:
        self._store.remove(_RECENT)

    @property
    def last_directory(self) -> Path | None:
        """The folder the last file dialog ended in, or None when unknown or since deleted."""
        value = self._get_str(_LAST_DIR, "")
        return Path(value) if value and Path(value).is_dir() else None

    @last_directory.setter
    def last_directory(self, value: str | Path | None) -> None:
        if value is None:
            self._store.remove(_LAST_DIR)
        else:
            self._store.setValue(_LAST_DIR, str(value))

    @property
    def recovery_folder(self) -> Path | None:
        """Where autosaves go when not in the standard data folder (tests, portable installs)."""
        value = self._get_str(_RECOVERY_DIR, "")
        return Path(value) if value else None

    @recovery_folder.setter
    def recovery_folder(self, value: str | Path | None) -> None:
        if value is None:
            self._store.remove(_RECOVERY_DIR)
        else:
            self._store.setValue(_RECOVERY_DIR, str(value))

    # -- window and views ------------------------------------------------------------------------

    @property
    def window_geometry(self) -> QByteArray | None:
        """``QMainWindow.saveGeometry()`` of the last session, or None."""
        return self._get_bytes(_GEOMETRY)

    @window_geometry.setter
    def window_geometry(self, value: QByteArray | bytes | None) -> None:
        self._set_bytes(_GEOMETRY, value)

    @property
    def window_state(self) -> QByteArray | None:
        """``QMainWindow.saveState()`` (docks and toolbars) of the last session, or None."""
        return self._get_bytes(_STATE)

    @window_state.setter
    def window_state(self, value: QByteArray | bytes | None) -> None:
        self._set_bytes(_STATE, value)

    def view_visible(self, name: str, default: bool = True) -> bool:
        """Whether the view called ``name`` (e.g. "emission", "trellis") was shown last time."""
        return self._get_bool(f"{_VIEWS}/{name}", default)

    def set_view_visible(self, name: str, visible: bool) -> None:
        self._store.setValue(f"{_VIEWS}/{name}", bool(visible))

    @property
    def theme(self) -> str:
        """One of THEMES; an unknown stored value reads as the default."""
        value = self._get_str(_THEME, DEFAULT_THEME)
        return value if value in THEMES else DEFAULT_THEME

    @theme.setter
    def theme(self, value: str) -> None:
        if value not in THEMES:
            raise ValueError(f"unknown theme {value!r}; expected one of {', '.join(THEMES)}")
        self._store.setValue(_THEME, value)

    # -- spectrogram -------------------------------------------------------------------------------

    @property
    def spectrogram(self) -> SpectrogramSettings:
        """The spectrogram's analysis settings (Praat's broadband defaults when unset or bad)."""
        return self._read_fields(SpectrogramSettings, BROADBAND)

    @spectrogram.setter
    def spectrogram(self, value: SpectrogramSettings) -> None:
        self._write_fields(SpectrogramSettings, value)

    @property
    def prosody(self) -> ProsodySettings:
        """The pitch range of the pitch curve (and the intensity window that follows it)."""
        return self._read_fields(ProsodySettings, ProsodySettings())

    @prosody.setter
    def prosody(self, value: ProsodySettings) -> None:
        self._write_fields(ProsodySettings, value)

    @property
    def spectrogram_colours(self) -> str:
        value = self._get_str(f"{_SPECTROGRAM}/colours", "grey")
        return value if value in SPECTROGRAM_COLOUR_MAPS else "grey"

    @spectrogram_colours.setter
    def spectrogram_colours(self, value: str) -> None:
        if value not in SPECTROGRAM_COLOUR_MAPS:
            raise ValueError(f"unknown colour map {value!r}")
        self._store.setValue(f"{_SPECTROGRAM}/colours", value)

    def curve_visible(self, kind: str) -> bool:
        """Whether the "pitch" or "intensity" curve is shown (pitch by default, as in Praat)."""
        return self._get_bool(f"{_SPECTROGRAM}/show_{kind}", kind == "pitch")

    def set_curve_visible(self, kind: str, visible: bool) -> None:
        self._store.setValue(f"{_SPECTROGRAM}/show_{kind}", bool(visible))

    def _read_fields(self, cls, default):
        values = {}
        for name, owner in _SPECTROGRAM_FIELDS.items():
            if owner is cls:
                raw = self._store.value(f"{_SPECTROGRAM}/{name}", getattr(default, name))
                try:
                    values[name] = float(raw)  # type: ignore[arg-type]
                except (TypeError, ValueError):
                    values[name] = getattr(default, name)
        try:
            return replace(default, **values)
        except ValueError:  # a hand-edited file with an impossible combination
            return default

    def _write_fields(self, cls, value) -> None:
        for name, owner in _SPECTROGRAM_FIELDS.items():
            if owner is cls:
                self._store.setValue(f"{_SPECTROGRAM}/{name}", float(getattr(value, name)))

    @property
    def snap_to_zero_crossings(self) -> bool:
        """Put every inserted or dragged boundary on the nearest zero crossing of the audio."""
        return self._get_bool("editing/snap_to_zero_crossings", False)

    @snap_to_zero_crossings.setter
    def snap_to_zero_crossings(self, value: bool) -> None:
        self._store.setValue("editing/snap_to_zero_crossings", bool(value))

    # -- typed access ------------------------------------------------------------------------------

    def _get_str(self, key: str, default: str) -> str:
        value = self._store.value(key, default)
        return value if isinstance(value, str) and value else default

    def _get_bool(self, key: str, default: bool) -> bool:
        value = self._store.value(key, default)
        if isinstance(value, bool):
            return value
        if isinstance(value, str):  # the INI backend hands booleans back as "true"/"false"
            lowered = value.strip().lower()
            if lowered in ("true", "1", "yes"):
                return True
            if lowered in ("false", "0", "no"):
                return False
        if isinstance(value, int):
            return value != 0
        return default

    def _get_str_list(self, key: str) -> list[str]:
        value = self._store.value(key, [])
        if value is None:
            return []
        if isinstance(value, str):  # INI stores a one-element list as a plain string
            return [value]
        if isinstance(value, (list, tuple)):
            return [str(v) for v in value if isinstance(v, str)]
        return []

    def _set_str_list(self, key: str, values: list[str]) -> None:
        if values:
            self._store.setValue(key, values)
        else:
            self._store.remove(key)

    def _get_bytes(self, key: str) -> QByteArray | None:
        value = self._store.value(key)
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        if isinstance(value, (bytes, bytearray)) and value:
            return QByteArray(bytes(value))
        return None

    def _set_bytes(self, key: str, value: QByteArray | bytes | None) -> None:
        if value is None:
            self._store.remove(key)
        else:
            self._store.setValue(key, value if isinstance(value, QByteArray) else QByteArray(value))


def _absolute(path: Path) -> Path:
    # abspath, not resolve(): a file reached through a symlinked folder keeps the name the user saw.
    return Path(os.path.abspath(path.expanduser()))


def _dedupe(paths: list[Path]) -> list[Path]:
    seen: set[Path] = set()
    unique: list[Path] = []
    for path in paths:
        key = _absolute(path)
        if key not in seen:
            seen.add(key)
            unique.append(key)
    return unique
