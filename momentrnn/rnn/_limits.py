"""Bounds on the work and memory an input may ask for: the table is :mod:`momentrnn._limits`
(each bound declared once, with its reason); this module keeps the names the RNN code uses."""

from __future__ import annotations

from .._limits import MAX_LAGS, check_memory, format_bytes, physical_memory

__all__ = ["physical_memory", "check_memory", "format_bytes", "MAX_LAGS"]
