"""What the window remembers per corpus, in the settings file: its output folder, and where the
user was (the last file and its visible time range), so reopening the corpus returns there. The
database lives in the output folder, so the output folder itself cannot be remembered there."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings

RECENT_CORPORA = "corpus/recent"
MAX_RECENT_CORPORA = 10
OUTPUT_SUFFIX = "_aligned"


def _group(corpus: Path) -> str:
    # One settings group per corpus folder; its path hashed, as paths hold "/" and other keys' syntax.
    return "corpus/" + hashlib.sha1(str(corpus).encode("utf-8")).hexdigest()[:16]


def default_output(corpus: Path) -> Path:
    """CORPUS_DIR + "_aligned", beside the corpus folder."""
    return corpus.with_name(corpus.name + OUTPUT_SUFFIX)


def corpus_output(store: QSettings, corpus: Path) -> Path:
    value = store.value(f"{_group(corpus)}/output")
    return Path(value) if isinstance(value, str) and value else default_output(corpus)


def remember_corpus(store: QSettings, corpus: Path, out_dir: Path) -> None:
    """Its output folder, and the corpus first in the recent list."""
    store.setValue(f"{_group(corpus)}/output", str(out_dir))
    recent = [str(corpus), *(p for p in recent_corpora(store) if p != corpus)]
    store.setValue(RECENT_CORPORA, [str(p) for p in recent[:MAX_RECENT_CORPORA]])


def recent_corpora(store: QSettings) -> list[Path]:
    """Most recent first; folders since removed are left out."""
    value = store.value(RECENT_CORPORA, [])
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [Path(v) for v in values if isinstance(v, str) and v and Path(v).is_dir()]


@dataclass(frozen=True)
class CorpusPlace:
    path: str  # the recording, relative to the corpus
    view: tuple[float, float] | None  # the visible time range

    def store(self, store: QSettings, corpus: Path) -> None:
        group = _group(corpus)
        store.setValue(f"{group}/last_file", self.path)
        if self.view is not None:
            store.setValue(f"{group}/view", f"{self.view[0]:.6f} {self.view[1]:.6f}")


def saved_place(store: QSettings, corpus: Path) -> CorpusPlace | None:
    group = _group(corpus)
    path = store.value(f"{group}/last_file")
    if not isinstance(path, str) or not path:
        return None
    view: tuple[float, float] | None = None
    text = store.value(f"{group}/view")
    try:
        start, end = (float(v) for v in str(text).split())
        view = (start, end) if end > start else None
    except ValueError:
        view = None  # never stored, or edited by hand
    return CorpusPlace(path, view)
