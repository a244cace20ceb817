"""What every command of the ``momentrnn`` command line shares: the command record, exit
statuses, the help layout, the check of optional dependencies, reading a moments file,
argument types and the one table writer."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .._format import table_lines
from .._limits import (
    MAX_DPS,
    MAX_INPUT_BYTES,  # a moments file longer than this is refused unread
    MAX_RECOVERY_DIGITS,
)
from ..errors import InputError, MissingDependencyError
from ..moments import parse_moment_text

EXIT_OK, EXIT_FAIL, EXIT_INPUT, EXIT_ERROR, EXIT_MISSING = 0, 1, 2, 3, 4
# what each exit status means, for ``momentrnn --help`` and the docs (one table, kept here)
EXIT_STATUSES = (
    (EXIT_OK, "success: the result is what was asked for (check: every claim passes)"),
    (EXIT_FAIL, "a result that did not reach what was asked (not recovered, not certified, "
                "order undecided; check: a claim failed)"),
    (EXIT_INPUT, "bad input or usage (the message names the value and the fix)"),
    (EXIT_ERROR, "an error: a solver or integration that failed, a file that could not be "
                 "written, a bug (check: a check raised)"),
    (EXIT_MISSING, "an optional dependency is missing (the message names the extra to "
                   "install); checked before any work where the options say it is needed "
                   "(check: a claim needs it, unless --allow-skip)"),
    (130, "interrupted (Ctrl-C or SIGTERM)"),
)
# the extra of pyproject.toml that installs each optional module
EXTRAS = {"matplotlib": "plot", "torch": "torch", "cvxpy": "sdp", "distributed": "dask",
          "argcomplete": "completion"}


@dataclass(frozen=True)
class Command:
    """One subcommand: its name and texts, a function that adds its arguments to its parser,
    and the function that runs it and returns the exit status."""

    name: str
    help: str
    description: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    # the optional modules that the parsed options need, as (module, what needs it) pairs:
    # checked before ``run`` starts any work (exit 4 when one is missing)
    requires: Callable[[argparse.Namespace], Iterable[tuple[str, str]]] | None = None


class UsageError(Exception):
    """Arguments that argparse accepted but that do not go together; reported as usage."""


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help with each option's default: ``(default: X)`` is added to the help of
    an option whose default is a value (not None, False or empty) unless the help already
    says what the default is. A description or epilog written in several lines (a table)
    keeps its lines; one written as a single line is wrapped."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (default is None or default is False or default == argparse.SUPPRESS
                or default == []
                or not action.option_strings and action.nargs not in ("?", "*")
                or "default" in text.lower()):
            return text
        return f"{text} (default: %(default)s)" if text else "(default: %(default)s)"


def module_available(name: str) -> bool:
    """Whether the module ``name`` can be imported (found, without importing it)."""
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def require(needs: Iterable[tuple[str, str]]) -> None:
    """Raise :class:`~momentrnn.errors.MissingDependencyError` (exit 4) when a module of
    ``needs``, (module, what needs it) pairs, is not installed: called before any work."""
    missing = [(module, why) for module, why in needs if not module_available(module)]
    if not missing:
        return
    what = "; ".join(f"{why} needs {module}" for module, why in missing)
    extras = ",".join(dict.fromkeys(EXTRAS.get(module, module) for module, _ in missing))
    raise MissingDependencyError(
        f"{what}, which is not installed; install it with pip install 'momentrnn[{extras}]' "
        "(nothing was run)")


def positive_int(text: str) -> int:
    """An argparse type: a positive integer, the value quoted briefly when refused."""
    shown = text if len(text) <= 40 else f"{text[:30]}... ({len(text)} characters)"
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{shown} must be a positive integer")
    return value


def dps_arg(text: str) -> int:
    """An argparse type: digits of working precision, 5 to ``MAX_DPS``, refused naming the
    option's value and the limit (not the ``MP(dps=...)`` made from it)."""

    value = positive_int(text)
    if not 5 <= value <= MAX_DPS:
        shown = text if len(text) <= 40 else f"{text[:30]}... ({len(text)} characters)"
        raise argparse.ArgumentTypeError(f"{shown} is outside 5 to {MAX_DPS}, the digits of "
                                         "working precision this package computes with")
    return value


def digits_arg(text: str) -> float:
    """An argparse type: correct digits asked for, positive and at most
    ``MAX_RECOVERY_DIGITS``, refused naming the option's value and the limit."""
    import math

    shown = text if len(text) <= 40 else f"{text[:30]}... ({len(text)} characters)"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown!r} is not a number") from None
    if not (math.isfinite(value) and 0 < value <= MAX_RECOVERY_DIGITS):
        raise argparse.ArgumentTypeError(f"{shown} must be a number of digits above 0 and at "
                                         f"most {MAX_RECOVERY_DIGITS}, the most this package "
                                         "computes")
    return value


def read_moments(source: str) -> list[str]:
    """The number tokens of a moments file (``-``: standard input), read but not parsed."""

    if source == "-":
        name = "stdin"
        if _is_terminal(sys.stdin):
            print("momentrnn: reading moments from standard input: type them one per line "
                  "(or a JSON list), then Ctrl-D (Ctrl-Z Enter on Windows); or give a FILE "
                  "(--help shows the options)", file=sys.stderr, flush=True)
        stream = getattr(sys.stdin, "buffer", None) if sys.stdin is not None else None
        try:
            data = stream.read(MAX_INPUT_BYTES + 1) if stream is not None else (
                sys.stdin.read(MAX_INPUT_BYTES + 1).encode("utf-8")
                if sys.stdin is not None else None)
        except (OSError, ValueError):
            data = None
        if data is None:
            raise InputError("standard input is closed: give a moments FILE, or pipe the "
                             "moments in")
    else:
        name = source
        try:
            with open(source, "rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            raise InputError(f"cannot read moments file {source!r}: "
                             f"{exc.strerror or exc}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"moments {name!r} are longer than {MAX_INPUT_BYTES // 2**20} MiB; "
                         "give a file of moments, not a stream without end")
    return parse_moment_text(_decode(data, name), name)


def _is_terminal(stream) -> bool:
    try:
        return stream is not None and bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


def _decode(data: bytes, name: str) -> str:
    """Text of a moments file: UTF-8 (a byte-order mark is dropped) or UTF-16 with its mark."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"moments {name!r} is not text (byte {exc.object[exc.start]:#04x} "
                         f"at offset {exc.start} is not UTF-8); save the moments as UTF-8 "
                         "text") from None


def brief(text: str, limit: int = 300) -> str:
    """One line of at most about ``limit`` characters (a 100 000-digit value is cut)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    return f"{text[: limit - 60]}... [{len(text)} characters] ...{text[-40:]}"


def digit_text(value) -> str:
    """Vouched digits as printed: ``-`` when absent."""
    return "-" if value is None else str(value)


def stage_printer(prefix: str, after: float = 2.0):
    """A progress callback printing each stage to stderr once a call has run ``after`` s."""
    import time

    start = time.monotonic()

    def show(stage: str) -> None:
        elapsed = time.monotonic() - start
        if elapsed >= after:
            print(f"{prefix}: {stage} ({elapsed:.0f} s)", file=sys.stderr, flush=True)

    return show


def write_table(head: Sequence[str], rows: Sequence[Sequence[object]], *,
                markdown: bool = False, indent: str = "") -> None:
    """Print ``rows`` under ``head`` in aligned columns, or as a Markdown table."""

    print("\n".join(table_lines(head, rows, markdown=markdown, indent=indent)))
