"""Aligning a corpus on a Ray cluster (the optional ``cluster`` extra).

The core never imports Ray: this package plugs a :class:`~aligner_gui.cluster.ray_executor.
RayExecutor` into the corpus runner, which still writes every output and the database itself.
"""

from __future__ import annotations

from aligner_gui.core.base.errors import AlignerError

RAY_MISSING = (
    'aligning with --ray needs Ray, which is not installed: pip install "aligner-gui[cluster]"'
)


def require_ray() -> None:
    """Fail in one line, before anything is scanned or written, when Ray is not installed."""
    try:
        import ray  # noqa: F401
    except ImportError as err:
        raise AlignerError(RAY_MISSING) from err
