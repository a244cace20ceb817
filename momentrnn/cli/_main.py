"""The ``momentrnn`` command line: one parser, one subcommand per registered command.

Each module named in :data:`COMMAND_MODULES` holds a tuple ``COMMANDS`` of
:class:`~momentrnn.cli._common.Command` records; a new command is one new module and one
entry there.

Shell completion: when ``argcomplete`` is installed (``pip install 'momentrnn[completion]'``),
``eval "$(register-python-argcomplete momentrnn)"`` completes commands and options; without
it nothing changes.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import re
import sys
import warnings
from collections.abc import Sequence

from .. import __version__
from .._output import json_text
from .._schema import CommandError, cli_options, document
from .._validate import non_ascii_number
from ..errors import MissingDependencyError, MomentRNNError
from ._common import (
    EXIT_ERROR,
    EXIT_FAIL,
    EXIT_INPUT,
    EXIT_MISSING,
    EXIT_STATUSES,
    Command,
    HelpFormatter,
    UsageError,
    brief,
    require,
)

# the order of the commands in ``momentrnn --help``
COMMAND_MODULES = ("recover", "flow", "prove", "certify", "bounds", "sweep", "check")


def commands() -> list[Command]:
    """Every registered command, in help order."""
    found: list[Command] = []
    for name in COMMAND_MODULES:
        found.extend(importlib.import_module(f"{__package__}.{name}").COMMANDS)
    return found


class _Parser(argparse.ArgumentParser):
    """argparse with negative numbers as option values (``--support -1,1``) and short
    error lines; a usage error shows the command's own usage (also for an unrecognised
    argument), and with ``--format json`` is also a JSON object of kind ``"error"`` on
    stdout, as every refusal is."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
        # each command's record and parser, by name (filled by build_parser)
        self.commands: dict[str, tuple[Command, argparse.ArgumentParser]] = {}
        # values such as -1,1 or -inf,0 are arguments, not options
        self._negative_number_matcher = re.compile(r"^-(\d|\.\d|inf\b|nan\b)")

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        """As argparse's, but arguments that no option takes are refused by the command's
        own parser (its usage), not the top-level one."""
        self.argv = list(sys.argv[1:] if args is None else args)
        parsed, extras = self.parse_known_args(self.argv, namespace)
        if extras:
            _, usage = self.commands.get(getattr(parsed, "command", None), (None, self))
            usage.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    def error(self, message: str):  # type: ignore[override]
        if _wants_json(self):
            _json_usage_error(self, message)
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"{self.prog}: error: {brief(message)}\n")


def _wants_json(parser: argparse.ArgumentParser) -> bool:
    """Whether the command line asks for ``--format json`` of a command that takes it."""
    takes = any("--format" in a.option_strings and "json" in (a.choices or ())
                for a in parser._actions)
    argv = getattr(getattr(parser, "root", parser), "argv", None)
    if not takes or argv is None:
        return False
    return "--format=json" in argv or any(a == "--format" and b == "json"
                                          for a, b in zip(argv, argv[1:]))


def _json_usage_error(parser: argparse.ArgumentParser, message: str) -> None:
    """A usage error as ``--format json`` writes a refusal: kind ``"error"`` on stdout (the
    usage and the message on stderr as always); its options are the arguments as given."""

    argv = getattr(getattr(parser, "root", parser), "argv", [])
    try:
        print(json_text(document("error", CommandError("UsageError", brief(message),
                                                       EXIT_INPUT).to_dict(),
                                 {"argv": list(argv)}), indent=2), flush=True)
    except (OSError, ValueError):
        pass


def _exit_epilog() -> str:
    import textwrap

    return "exit status:\n" + "\n".join(
        textwrap.fill(text, 78, initial_indent=f"  {code:<4} ", subsequent_indent=" " * 7)
        for code, text in EXIT_STATUSES)


def _ascii_numbers(parser: argparse.ArgumentParser) -> None:
    """Every typed option (all are numbers: int, float and the package's argparse types)
    reads ASCII text only: Python's int() and float() read any Unicode decimal digit, so
    ``--dps ５０`` was 50."""
    for action in parser._actions:
        if action.type is not None and action.type is not str:
            action.type = _ascii_type(action.type)


def _ascii_type(convert):
    def read(text: str):
        why = non_ascii_number(text) if isinstance(text, str) else None
        if why is not None:
            shown = text if len(text) <= 40 else f"{text[:30]}... ({len(text)} characters)"
            raise argparse.ArgumentTypeError(f"{shown!r} {why}")
        return convert(text)

    read.__name__ = getattr(convert, "__name__", "number")  # argparse names the type by it
    return read


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="momentrnn",
        description=(
            "Moment problems and overparameterized linear RNNs: recover discrete measures from "
            "their moments with vouched accuracy, and run numeric checks of the theory."
        ),
        epilog=_exit_epilog(),
    )
    parser.add_argument("--version", action="version", version=f"momentrnn {__version__}",
                        help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in commands():
        p = sub.add_parser(command.name, help=command.help, description=command.description)
        command.arguments(p)
        _ascii_numbers(p)
        p.set_defaults(func=command.run)
        p.root = parser  # where the command line is kept (for a usage error's format)
        parser.commands[command.name] = (command, p)
    return parser


def _complete(parser: argparse.ArgumentParser) -> None:
    """Shell completion by argcomplete, only where it is installed (an optional extra)."""
    try:
        import argcomplete
    except ImportError:
        return
    argcomplete.autocomplete(parser)


def main(argv: Sequence[str] | None = None) -> int:
    with _unencodable_escaped():
        try:  # the commands' modules load here: a Ctrl-C meanwhile stops in one line too
            parser = build_parser()
            _complete(parser)
        except KeyboardInterrupt:
            try:
                print("momentrnn: interrupted", file=sys.stderr, flush=True)
            except (OSError, ValueError, AttributeError):
                pass
            return 130
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_INPUT
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            code = _run(parser, args)
        for w in caught:
            _say(args.command, f"warning: {w.message}")
        return code


def _debug() -> bool:
    """Whether MOMENTRNN_DEBUG asks for tracebacks: ``1``, ``true`` or ``yes`` (any case);
    ``0``, ``false``, ``no``, empty or unset do not."""
    return os.environ.get("MOMENTRNN_DEBUG", "").strip().lower() in ("1", "true", "yes")


@contextlib.contextmanager
def _unencodable_escaped():
    """While a command runs, characters that stdout or stderr cannot encode (a file name with
    a non-ASCII letter under PYTHONIOENCODING=ascii) are written as backslash escapes instead
    of raising UnicodeEncodeError; each stream's own error handler is restored after."""
    changed = []
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
                changed.append(stream)
            except (OSError, ValueError, AttributeError):
                pass
    try:
        yield
    finally:
        for stream in changed:
            try:
                stream.reconfigure(errors="strict")
            except (OSError, ValueError, AttributeError):
                pass


def _say(command: str, message: str) -> None:
    try:
        print(f"momentrnn {command}: {brief(message, 1000)}", file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):
        pass


def _quiet_stdout() -> None:
    """Point stdout at /dev/null: the interpreter's last flush must not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM stops as cleanly as Ctrl-C


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    import signal
    import threading

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _call(parser, args)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _exit_code(exc: MomentRNNError) -> int:
    """The exit status of one of the package's errors, by its place in the exception tree:
    a computation that could not reach the accuracy asked for (IllConditionedError and its
    subclasses, all ArithmeticError) is a failed result (1); bad input (InputError,
    PrecisionMismatchError: ValueError, TypeError) is 2; a missing optional dependency
    (MissingDependencyError) is 4; anything else (a solver or integration that failed, an
    output error) is 3."""
    if isinstance(exc, MissingDependencyError):
        return EXIT_MISSING
    if isinstance(exc, ArithmeticError):
        return EXIT_FAIL
    if isinstance(exc, (ValueError, TypeError)):
        return EXIT_INPUT
    return EXIT_ERROR


def _json_refusal(args: argparse.Namespace, exc: MomentRNNError, code: int) -> None:
    """With ``--format json``, the refusal as a JSON object of kind ``"error"`` on stdout (the
    message is on stderr as always), so a reader of the JSON sees why there is no result."""

    try:
        print(json_text(document("error", CommandError(type(exc).__name__, str(exc),
                                                       code).to_dict(), cli_options(args)),
                        indent=2, default=str))
    except (OSError, ValueError):
        pass


def _call(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    command = args.command
    record, usage = getattr(parser, "commands", {}).get(command, (None, parser))
    try:
        if record is not None and record.requires is not None:
            require(record.requires(args))  # before any work
        code = int(args.func(args))
        if sys.stdout is not None:
            sys.stdout.flush()
        return code
    except UsageError as exc:
        usage.error(str(exc))  # with the command's own usage
    except KeyboardInterrupt as exc:
        _say(command, getattr(exc, "message", None) or "interrupted")
        return 130
    except BrokenPipeError:
        _quiet_stdout()
        _say(command, "error: the output was closed before it was all written (broken pipe)")
        return EXIT_ERROR
    except RecursionError:
        _say(command, "error: the input is nested too deeply to read; give a flat list")
        return EXIT_INPUT
    except MemoryError:
        _say(command, "error: out of memory; ask for smaller sizes (lengths, dimensions, "
                      "numbers of runs)")
        return EXIT_ERROR
    except MomentRNNError as exc:
        _say(command, f"error: {exc}")
        code = _exit_code(exc)
        if getattr(args, "format", None) == "json":
            _json_refusal(args, exc, code)
        return code
    except OSError as exc:  # not ours: an operating-system error reading or writing a file
        where = exc.filename if exc.filename is not None else "standard output"
        if where == "standard output":
            _quiet_stdout()
        _say(command, f"error: cannot write {where}: {exc.strerror or exc}")
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - a bug: one line, the traceback on request
        if _debug():
            raise
        _say(command, f"internal error: {type(exc).__name__}: {exc} (a bug in momentrnn; "
                      "set MOMENTRNN_DEBUG=1 to see the traceback, and please report it)")
        return EXIT_ERROR
    return EXIT_ERROR  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
