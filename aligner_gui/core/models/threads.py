"""Torch's intra-op thread count, for callers that must not import torch themselves."""

from __future__ import annotations


def set_torch_threads(threads: int) -> None:
    """Use ``threads`` CPU threads per process (batch workers share the cores between them)."""
    import torch

    torch.set_num_threads(max(1, int(threads)))
