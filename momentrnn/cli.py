"""The ``momentrnn`` command line: ``recover`` and ``check``."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import warnings
from collections.abc import Sequence

from ._sweep_cli import positive_int
from .errors import MomentRNNError

EXIT_OK, EXIT_FAIL, EXIT_INPUT, EXIT_ERROR = 0, 1, 2, 3
MAX_INPUT_BYTES = 256 * 2**20  # a moments file longer than this is refused unread


def _read_moments(source: str) -> list[str]:
    from .errors import InputError
    from .moments._data import parse_moment_text

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
    from .errors import InputError

    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"moments {name!r} is not text (byte {exc.object[exc.start]:#04x} "
                         f"at offset {exc.start} is not UTF-8); save the moments as UTF-8 "
                         "text") from None


def _recover(args: argparse.Namespace) -> int:
    from ._format import format_number
    from .moments import recover_measure
    from .precision import MP, Ball, Exact, Float64

    moments = _read_moments(args.file)
    if sum(bool(x) for x in (args.exact, args.float64, args.certify)) > 1:
        raise _usage("choose at most one of --exact, --float64, --certify")
    if args.exact:
        precision = Exact()
    elif args.float64:
        precision = Float64()
    elif args.certify:
        precision = Ball(args.dps) if args.dps else None
    elif args.dps:
        precision = MP(args.dps)
    else:
        precision = None
    result = recover_measure(
        moments,
        rank=args.rank,
        method=args.method,
        precision=precision,
        digits=args.digits,
        data_digits=args.data_digits,
        data_error=args.data_error,
        basis=args.basis,
        throw=False,
        progress=_stage_printer("momentrnn recover"),
    )
    shown = result.digits
    atoms_s, weights_s = [], []
    if result.measure is not None:
        from .moments._scalars import to_float

        a_scale = max(abs(to_float(a)) for a in result.atoms) or 1.0
        w_scale = max(abs(to_float(w)) for w in result.weights) or 1.0
        atoms_s = [format_number(a, shown, a_scale) for a in result.atoms]
        weights_s = [format_number(w, shown, w_scale) for w in result.weights]
    ev = result.rank_evidence
    if args.format == "json":
        out = {
            "status": result.status,
            "message": result.message,
            "rank": result.rank,
            "digits": None if math.isinf(shown) else shown,
            "exact": math.isinf(shown),
            "method": result.method,
            "precision": repr(result.precision),
            "cond": result.cond,
            "predicted_loss": result.predicted_loss,
            "residual": str(result.residual),
            "data_digits": None if math.isinf(result.data_digits) else result.data_digits,
            "atoms": atoms_s,
            "weights": weights_s,
            "atom_digits": _digit_list(result.atom_digits),
            "weight_digits": _digit_list(result.weight_digits),
            "decimals_look_rounded": _rounded_count(moments),
            "rank_evidence": None
            if ev is None
            else {
                "rank": ev.rank,
                "verdict": ev.verdict,
                "size": ev.size,
                "rank_range": list(ev.rank_range),
                "singular_values": [str(_short(v)) for v in ev.singular_values],
                "noise_floor": str(_short(ev.noise_floor)),
                "gap": None if math.isinf(ev.gap) else ev.gap,
                "message": ev.message,
            },
        }
        print(json.dumps(out, indent=2))
    else:
        print(f"status     {result.status}: {result.message}")
        print(f"rank       {result.rank}" + (f"  ({ev.verdict}: {ev.message})" if ev else ""))
        print(f"digits     {'exact' if math.isinf(shown) else int(shown)}")
        print(f"method     {result.method} at {result.precision!r}")
        print(f"cond(H)    {result.cond:.3e}  (predicted loss {result.predicted_loss:.1f} digits)")
        print(f"residual   {_short(result.residual)}")
        if atoms_s:
            width = max(len(s) for s in atoms_s + ["atom"])
            wwidth = max(len(s) for s in weights_s + ["weight"])
            ad = _digit_list(result.atom_digits) or [None] * len(atoms_s)
            wd = _digit_list(result.weight_digits) or [None] * len(atoms_s)
            print(f"\n{'atom':<{width}}  {'weight':<{wwidth}}  digits (atom, weight)")
            for a, w, da, dw in zip(atoms_s, weights_s, ad, wd):
                print(f"{a:<{width}}  {w:<{wwidth}}  {_digit_text(da)}, {_digit_text(dw)}")
    return EXIT_OK if result.ok else EXIT_FAIL


def _stage_printer(prefix: str, after: float = 2.0):
    """A progress callback printing each stage to stderr once a call has run ``after`` s."""
    import time

    start = time.monotonic()

    def show(stage: str) -> None:
        elapsed = time.monotonic() - start
        if elapsed >= after:
            print(f"{prefix}: {stage} ({elapsed:.0f} s)", file=sys.stderr, flush=True)

    return show


def _digit_list(values) -> list | None:
    """Per-component digits for output: ints, ``"exact"`` for infinite, ``None`` if absent."""
    if values is None:
        return None
    return ["exact" if math.isinf(v) else int(v) for v in values]


def _digit_text(value) -> str:
    return "-" if value is None else str(value)


def _rounded_count(tokens: list[str]) -> int:
    from .moments._data import looks_like_double

    return sum(1 for t in tokens if looks_like_double(t))


def _short(value: object) -> str:
    import mpmath

    try:
        return mpmath.nstr(value, 6)
    except Exception:  # noqa: BLE001 - any non-mpmath value is shown as text
        return str(value)


class _UsageError(Exception):
    pass


def _usage(message: str) -> _UsageError:
    return _UsageError(message)


def _check(args: argparse.Namespace) -> int:
    from .checks_runner import run_checks

    if args.only is not None and not [x for x in args.only.split(",") if x.strip()]:
        raise _usage(f"--only {args.only[:40]!r} names no claim; give labels such as M1,R8 "
                     "(--list shows them)")

    return run_checks(
        quick=args.quick,
        only=args.only,
        list_only=args.list,
        fmt=args.format,
        seed=args.seed,
        jobs=args.jobs,
        allow_skip=args.allow_skip,
    )


def _brief(text: str, limit: int = 300) -> str:
    """One line of at most about ``limit`` characters (a 100 000-digit value is cut)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    return f"{text[: limit - 60]}... [{len(text)} characters] ...{text[-40:]}"


class _Parser(argparse.ArgumentParser):
    """argparse with negative numbers as option values (``--support -1,1``) and short
    error lines."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # values such as -1,1 or -inf,0 are arguments, not options
        self._negative_number_matcher = re.compile(r"^-(\d|\.\d|inf\b|nan\b)")

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"{self.prog}: error: {_brief(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="momentrnn",
        description=(
            "Moment problems and overparameterized linear RNNs: recover discrete measures from "
            "their moments with vouched accuracy, and run numeric checks of the theory."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    rec = sub.add_parser(
        "recover",
        help="recover atoms and weights from moments",
        description=(
            "Recover a discrete measure sum_i w_i delta_{x_i} from its moments m_0..m_{2N-1}. "
            "Moments come from FILE (or stdin with '-'): a JSON list or one number per line; "
            "decimals (0.25, 1e-3), fractions (1/3) and complex numbers (0.5+2j) are read "
            "exactly. Only vouched digits are printed."
        ),
    )
    rec.add_argument("file", nargs="?", default="-", help="moments file, or '-' for stdin")
    rec.add_argument("--rank", type=int, help="number of atoms (default: Hankel rank)")
    from .moments.methods import METHODS

    rec.add_argument("--method", default="auto", choices=["auto", *METHODS])
    rec.add_argument("--digits", type=float, help="target correct digits (automatic precision)")
    rec.add_argument("--dps", type=positive_int, help="working precision in digits (mpmath, or "
                     "balls with --certify)")
    rec.add_argument("--certify", action="store_true", help="certified ball arithmetic")
    rec.add_argument("--exact", action="store_true", help="exact rational/algebraic answer")
    rec.add_argument("--float64", action="store_true", help="double precision")
    rec.add_argument("--data-digits", type=float,
                     help="normwise accuracy of the moments in digits: every moment within "
                          "10^-D max|m| (e.g. 15 for printed doubles)")
    rec.add_argument("--data-error", type=float,
                     help="absolute accuracy of every moment (instead of --data-digits)")
    rec.add_argument("--basis", default="monomial", choices=["monomial", "chebyshev"],
                     help="power moments or Chebyshev-T moments on [-1, 1]")
    rec.add_argument("--format", default="table", choices=["table", "json"])
    rec.set_defaults(func=_recover)

    from ._bounds_cli import add_parsers, run_bounds, run_realize
    from ._flow_cli import add_flow_parser, run_flow

    add_flow_parser(sub)
    sub.choices["flow"].set_defaults(func=run_flow)
    from ._certify_cli import add_certify_parser, run_certify

    add_certify_parser(sub)
    sub.choices["certify"].set_defaults(func=run_certify)
    add_parsers(sub)
    from ._sweep_cli import add_parsers as add_sweep_parsers
    from ._sweep_cli import run_plot_cli, run_sweep_cli

    add_sweep_parsers(sub)
    sub.choices["sweep"].set_defaults(func=run_sweep_cli)
    sub.choices["plot"].set_defaults(func=run_plot_cli)
    sub.choices["bounds"].set_defaults(func=lambda a: run_bounds(a, _read_moments))
    sub.choices["realize"].set_defaults(func=lambda a: run_realize(a, _read_moments))

    chk = sub.add_parser(
        "check",
        help="run the numeric checks of the theory's claims",
        description=(
            "Run the checks of the claims of THEORY (R1-R14, M1-M7): each claim is tried on a "
            "grid of cases and must also fail when a hypothesis is dropped (negative control). "
            "Exit 0 when every claim passes, 1 when a claim fails (FAIL, VACUOUS, PRECISION "
            "INSUFFICIENT), 3 when a check raised (ERROR), 4 when a claim was SKIPPED (unless "
            "--allow-skip)."
        ),
    )
    chk.add_argument("--quick", action="store_true", help="the small grid (under a minute)")
    chk.add_argument("--only", help="comma-separated labels, e.g. M1,M3")
    chk.add_argument("--list", action="store_true", help="list the claims and exit")
    chk.add_argument("--format", default="table", choices=["table", "markdown", "json"])
    chk.add_argument("--seed", type=int, default=0, help="seed of the random cases")
    chk.add_argument("--jobs", type=positive_int, default=1, help="parallel processes")
    chk.add_argument("--allow-skip", action="store_true",
                     help="exit 0 even when a claim is SKIPPED (an optional dependency missing)")
    chk.set_defaults(func=_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
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


def _say(command: str, message: str) -> None:
    try:
        print(f"momentrnn {command}: {_brief(message, 1000)}", file=sys.stderr, flush=True)
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


def _call(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    command = args.command
    try:
        code = int(args.func(args))
        if sys.stdout is not None:
            sys.stdout.flush()
        return code
    except _UsageError as exc:
        parser.error(str(exc))
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
    except ArithmeticError as exc:
        # the computation could not reach the accuracy asked for (IllConditionedError,
        # DataAccuracyError, PrecisionExhaustedError): a failed result, not bad input
        _say(command, f"error: {exc}")
        return EXIT_FAIL
    except (MomentRNNError, ValueError, TypeError) as exc:
        _say(command, f"error: {exc}")
        return EXIT_INPUT if isinstance(exc, (ValueError, TypeError)) else EXIT_ERROR
    except OSError as exc:
        where = exc.filename if exc.filename is not None else "standard output"
        if where == "standard output":
            _quiet_stdout()
        _say(command, f"error: cannot write {where}: {exc.strerror or exc}")
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - a bug: one line, the traceback on request
        if os.environ.get("MOMENTRNN_DEBUG"):
            raise
        _say(command, f"internal error: {type(exc).__name__}: {exc} (a bug in momentrnn; "
                      "set MOMENTRNN_DEBUG=1 to see the traceback, and please report it)")
        return EXIT_ERROR
    return EXIT_ERROR  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
