"""Where the bundled files (demo model, sample, icon) are: package data in a wheel, else the checkout.

``resources/`` at the top of the repository is the source of truth; a wheel build copies it into
``aligner_gui/resources/`` (see ``setup.py``), so an installed package finds its own copy first.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[2]  # aligner_gui/


def resource_path(name: str) -> Path:
    """The bundled file ``name``; the checkout location when neither copy exists, for messages."""
    candidates = (_PACKAGE / "resources" / name, _PACKAGE.parent / "resources" / name)
    return next((path for path in candidates if path.is_file()), candidates[-1])
