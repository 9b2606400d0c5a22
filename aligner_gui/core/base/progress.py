"""Progress reporting and cooperative cancellation for long computations.

The editor's worker thread passes a callback and a ``threading.Event``; the command line passes a
text progress bar. Cancellation is checked between chunks because nothing can interrupt a running
torch call from outside.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from aligner_gui.core.base.errors import Cancelled

# (stage, fraction in [0, 1]); stage is a short human label such as "Computing emissions".
ProgressFn = Callable[[str, float], None]


def no_progress(stage: str, fraction: float) -> None:
    """A progress callback that ignores everything."""


def check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled()
