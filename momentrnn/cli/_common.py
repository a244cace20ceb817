"""What every command of the ``momentrnn`` command line shares: the command record, exit
statuses, reading a moments file, argument types and the one table writer."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .._limits import MAX_INPUT_BYTES  # a moments file longer than this is refused unread
from ..errors import InputError

EXIT_OK, EXIT_FAIL, EXIT_INPUT, EXIT_ERROR = 0, 1, 2, 3


@dataclass(frozen=True)
class Command:
    """One subcommand: its name and texts, a function that adds its arguments to its parser,
    and the function that runs it and returns the exit status."""

    name: str
    help: str
    description: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """Arguments that argparse accepted but that do not go together; reported as usage."""


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


def read_moments(source: str) -> list[str]:
    """The number tokens of a moments file (``-``: standard input), read but not parsed."""
    from ..moments._data import parse_moment_text

    if source == "-":
        name = "stdin"
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
    from .._format import table_lines

    print("\n".join(table_lines(head, rows, markdown=markdown, indent=indent)))
