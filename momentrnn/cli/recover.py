"""``momentrnn recover``: atoms and weights from moments, only vouched digits printed."""

from __future__ import annotations

import argparse
import dataclasses

from .._output import json_text
from .._schema import cli_options, document
from ..moments import looks_like_double, recover_measure
from ..moments.hankel import short_text
from ..moments.methods import METHODS
from ..precision import MP, Ball, Exact, Float64
from ._common import (
    EXIT_FAIL,
    EXIT_OK,
    Command,
    UsageError,
    digit_text,
    digits_arg,
    dps_arg,
    read_moments,
    stage_printer,
    write_table,
)
from .bounds import _data_error


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", default="-", help="moments file, or '-' for stdin (on a "
                   "terminal, type the moments and end with Ctrl-D)")
    p.add_argument("--rank", type=int, help="number of atoms (default: the Hankel rank at the "
                   "data's accuracy, with its evidence)")
    p.add_argument("--method", default="auto", choices=["auto", *METHODS],
                   help="recovery method; auto is Prony, the SVD pencil in double precision, "
                   "and the Gauss rule for rounded Chebyshev moments; "
                   + "; ".join(f"{m.name}: {m.summary}" for m in METHODS.values())
                   .replace("%", "%%"))
    p.add_argument("--digits", type=digits_arg, help="target correct digits (automatic precision; "
                   "default: the digits the data's accuracy determines)")
    p.add_argument("--dps", type=dps_arg, help="working precision in digits (mpmath, or "
                   "balls with --certify; default: chosen from the predicted loss of digits)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--certify", action="store_true", help="certified ball arithmetic")
    how.add_argument("--exact", action="store_true", help="exact rational/algebraic answer")
    how.add_argument("--float64", action="store_true", help="double precision")
    p.add_argument("--data-digits", type=float,
                   help="normwise accuracy of the moments in digits: every moment within "
                        "10^-D max|m| (e.g. 15 for printed doubles)")
    p.add_argument("--data-error",
                   help="absolute accuracy of every moment (instead of --data-digits), read "
                        "exactly as bounds --tolerance is: 1e-400 and 1/3 are those numbers")
    p.add_argument("--basis", default="monomial", choices=["monomial", "chebyshev"],
                   help="power moments or Chebyshev-T moments on [-1, 1]")
    p.add_argument("--format", default="table", choices=["table", "json"],
                   help="output: an aligned table or JSON")


def _precision(args: argparse.Namespace):
    if sum(bool(x) for x in (args.exact, args.float64, args.certify)) > 1:
        raise UsageError("choose at most one of --exact, --float64, --certify")
    if args.exact:
        return Exact()
    if args.float64:
        return Float64()
    if args.certify:
        return Ball(args.dps) if args.dps else None
    return MP(args.dps) if args.dps else None


def run(args: argparse.Namespace) -> int:
    moments = read_moments(args.file)
    result = recover_measure(
        moments,
        rank=args.rank,
        method=args.method,
        precision=_precision(args),
        digits=args.digits,
        data_digits=args.data_digits,
        data_error=_data_error(args.data_error),
        basis=args.basis,
        throw=False,
        progress=stage_printer("momentrnn recover"),
    )
    if args.format == "json":
        result = dataclasses.replace(result, decimals_look_rounded=sum(
            1 for t in moments if looks_like_double(t)))
    out = result.to_dict()
    if args.format == "json":
        print(json_text(document("recovery", out, cli_options(args)), indent=2))
    else:
        _print_table(result, out)
    return EXIT_OK if result.ok or _short_of_no_request(args, result) else EXIT_FAIL


# the statuses that say only that fewer digits came out than a target: without --digits that
# target is the package's default, not the user's, and the digits the data determine are the
# answer (printed, '?' where none); a rank not decided, inconsistent data or a working
# precision too low to confirm a digit stay failures
_ACCURACY_ONLY = ("data_limited", "precision_exhausted")


def _short_of_no_request(args: argparse.Namespace, result) -> bool:
    """A recovery short only of an accuracy that no ``--digits`` asked for."""
    return args.digits is None and str(result.status) in _ACCURACY_ONLY


def _print_table(result, out: dict) -> None:
    ev = result.rank_evidence
    print(f"status     {result.status}: {result.message}")
    print(f"rank       {result.rank}" + (f"  ({ev.verdict}: {ev.message})" if ev else ""))
    print(f"digits     {'exact' if out['exact'] else int(result.digits)}")
    print(f"method     {result.method} at {result.precision!r}")
    print(f"cond(H)    {result.cond:.3e}  (predicted loss {result.predicted_loss:.1f} digits)")
    exact_zero = out["exact"] and result.residual == 0
    print(f"residual   {'0 (exact)' if exact_zero else short_text(result.residual)}")
    if out["atoms"]:
        n = len(out["atoms"])
        ad = _digits_shown(out["atom_digits"], out["atom_exact"], n)
        wd = _digits_shown(out["weight_digits"], out["weight_exact"], n)
        print()
        write_table(["atom", "weight", "digits (atom, weight)"],
                    [[a, w, f"{digit_text(da)}, {digit_text(dw)}"]
                     for a, w, da, dw in zip(out["atoms"], out["weights"], ad, wd)])


def _digits_shown(digits, exact, n: int) -> list:
    """Per-component digits for the table: ``"exact"`` where exact, ``None`` where absent."""
    if digits is None:
        return [None] * n
    return ["exact" if flag else d for d, flag in zip(digits, exact)]


COMMANDS = (
    Command(
        name="recover",
        help="recover atoms and weights from moments",
        description=(
            "Recover a discrete measure sum_i w_i delta_{x_i} from its moments m_0..m_{2N-1}. "
            "Moments come from FILE (or stdin with '-'): a JSON list or one number per line; "
            "decimals (0.25, 1e-3), fractions (1/3) and complex numbers (0.5+2j) are read "
            "exactly. Only vouched digits are printed."
        ),
        arguments=_arguments,
        run=run,
    ),
)
