# PYTHON_ARGCOMPLETE_OK (argcomplete, where installed, completes the momentrnn command)
"""The ``momentrnn`` command line (``momentrnn --help``); :func:`main` is its entry point."""

from ._main import build_parser, main

__all__ = ["build_parser", "main"]
