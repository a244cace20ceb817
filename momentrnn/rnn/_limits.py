"""Bounds on the work and memory an input may ask for, checked before the work starts."""

from __future__ import annotations

import os

from ..errors import InputError

__all__ = ["physical_memory", "check_memory", "format_bytes", "MAX_LAGS"]

# Lags fitted: each loss evaluation costs O(k d) and an integration thousands of them, so a
# larger k asks for hours; no claim of the theory needs more.
MAX_LAGS = 10_000


def physical_memory() -> int:
    """Bytes of physical memory (16 GiB when the system does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return 16 * 2**30


def format_bytes(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} EiB"  # pragma: no cover


def check_memory(nbytes: float, what: str, fix: str) -> None:
    """Refuse work whose arrays alone would need more than half the physical memory."""
    limit = physical_memory() // 2
    if nbytes > limit:
        raise InputError(f"{what} needs {format_bytes(nbytes)} of memory, more than the "
                         f"{format_bytes(limit)} allowed (half of this machine's memory); {fix}")
