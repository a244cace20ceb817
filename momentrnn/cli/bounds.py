"""``momentrnn bounds`` and ``momentrnn realize``."""

from __future__ import annotations

import argparse
from fractions import Fraction

from .._format import lower_text, upper_text
from .._limits import MAX_MOMENT_INDEX
from .._output import json_text, restore_non_finite
from .._schema import cli_options, document
from ..errors import InputError
from ..moments import (
    extrapolation_range,
    minimal_realization,
    moment_feasible,
    next_moment_range,
    parse_number_text,
)
from ..moments.bounds_report import BoundsReport
from ..moments.sdp import UNBOUNDED_NEEDS_SDP
from ..precision import MP, Float64
from ._common import EXIT_FAIL, EXIT_OK, Command, dps_arg, read_moments, write_table


def _bounds_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", default="-", help="moments file, or '-' for stdin")
    p.add_argument("--support", default="-1,1", help="a,b with inf allowed, e.g. 0,inf")
    p.add_argument("--tolerance", help="allowed mismatch of each moment (SDP, needs cvxpy), "
                   "read exactly as the moments are: 0.3 and 1/3 are those numbers "
                   "(default: none, the moments exactly)")
    p.add_argument("--order", type=int, help="index q of the moment to bound (SDP; default: "
                   "the next moment, exactly)")
    p.add_argument("--format", default="table", choices=["table", "json"],
                   help="output: an aligned table or JSON")


def _bounds_requires(args: argparse.Namespace) -> list[tuple[str, str]]:
    """cvxpy for a positive tolerance (the SDP), checked before any work; at tolerance 0 or
    with --order alone the exact method may need no SDP, and the run says so if it does."""
    if args.tolerance is not None and _tolerance(args.tolerance):
        return [("cvxpy", f"--tolerance {args.tolerance} (the SDP)")]
    return []


def _realize_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", default="-",
                   help="impulse response file (h_0, h_1, ...), or '-' for stdin")
    p.add_argument("--rank", type=int, help="order of the realisation (default: the Hankel "
                   "rank at the lags' accuracy, with its evidence)")
    p.add_argument("--dps", type=dps_arg,
                   help="mpmath precision (default: exact for exact input)")
    p.add_argument("--float64", action="store_true", help="double precision")
    p.add_argument("--data-digits", type=float,
                   help="normwise accuracy of the lags in digits: every lag within "
                        "10^-D max|h| (e.g. 15 for printed doubles)")
    p.add_argument("--data-error",
                   help="absolute accuracy of every lag (instead of --data-digits), read "
                        "exactly as --tolerance is: 1e-400 and 1/3 are those numbers")
    p.add_argument("--format", default="table", choices=["table", "json"],
                   help="output: an aligned table or JSON")


def _support(text: str):
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        raise InputError(f"--support {text!r}: write a,b such as -1,1 or 0,inf")
    return tuple(parts)


def _tolerance(text: str | None, option: str = "--tolerance") -> Fraction | None:
    """``--tolerance`` (or another absolute accuracy, ``--data-error``) read exactly, by the
    moments files' number reading (never a double): one rule, and one exponent limit, for
    every such quantity."""

    if text is None:
        return None
    real, imag = parse_number_text(text, option)
    if imag != 0 or real < 0:
        raise InputError(f"{option} {text!r} must be a real number >= 0, e.g. 1e-3 or 1/3")
    return real


def _data_error(text: str | None) -> Fraction | None:
    """``--data-error``, read as ``--tolerance`` is; an error is a double's radius, so one
    beyond the double range is refused naming the option."""

    value = _tolerance(text, "--data-error")
    if value is not None and value > Fraction(float.fromhex("0x1.fffffffffffffp+1023")):
        raise InputError(f"--data-error {text!r} is beyond the double range; no moment can be "
                         "known that roughly: give an error within it")
    return value


def run_bounds(args: argparse.Namespace) -> int:
    if args.order is not None and args.order > MAX_MOMENT_INDEX:  # before reading anything
        raise InputError(f"--order {args.order} is more than {MAX_MOMENT_INDEX}, the highest "
                         "moment index bounded; give a lower --order")
    tolerance = _tolerance(args.tolerance)
    moments = read_moments(args.file)
    support = _support(args.support)
    feas = moment_feasible(moments, support=support)

    # with a tolerance the moments need only be near a feasible sequence: the SDP decides,
    # whatever the exact moments' own feasibility
    ranged = (tolerance is not None or args.order is not None) and \
        (feas.feasible or bool(tolerance))
    if ranged:
        try:
            r = extrapolation_range(moments, tolerance=tolerance or 0, support=support,
                                    order=args.order)
        except InputError as exc:
            if str(exc) != UNBOUNDED_NEEDS_SDP:
                raise
            raise InputError(
                f"--support {args.support[:60]} is unbounded: a range with --tolerance or --order "
                "needs the semidefinite program, which runs on a compact support; give a "
                "compact --support (e.g. 0,10), or leave out --tolerance and --order for the "
                "exact range of the next moment") from None
        report = BoundsReport.of(feas, r)
    elif feas.feasible:
        report = BoundsReport.of(feas, next_moment_range(moments, support=support))
    else:
        report = BoundsReport.of(feas)
    out = report.to_dict()
    if args.format == "json":
        print(json_text(document("bounds", out, cli_options(args)), indent=2, default=str))
    else:
        _print_bounds(restore_non_finite(out))  # numbers, "inf" as inf
    if not (feas.feasible or ranged):
        return EXIT_FAIL
    return EXIT_OK if out.get("status", "ok") == "ok" else EXIT_FAIL


def _print_bounds(out: dict) -> None:
    print(f"feasible     {out['feasible']}: {out['message']}")
    write_table(["matrix", "size", "inertia (+, -, 0)"],
                [[name, info["size"], f"{info['positive']}, {info['negative']}, {info['zero']}"]
                 for name, info in out["matrices"].items()], indent="  ")
    if "lower" in out:
        head = f"m_{out['order']} range  "
        if out.get("certified_lower") and not out["exact"]:
            # the headline is what is proved: the outer ends, rounded outward
            print(f"{head}[{_proved(out['certified_lower'], lower_text)}, "
                  f"{_proved(out['certified_upper'], upper_text)}]  (proved outer ends; "
                  f"{out['range_message']})")
            print(f"  solver's doubles  [{_end(out, 'lower')}, {_end(out, 'upper')}]  (not "
                  f"proved); gaps to checked measures {out['gap'][0]:.1e}, "
                  f"{out['gap'][1]:.1e}")
        else:
            how = "exact" if out["exact"] else f"SDP, not proved: {out['range_message']}"
            print(f"{head}[{_end(out, 'lower')}, {_end(out, 'upper')}]  ({how})")
        for end in ("lower", "upper"):
            m = out.get(f"{end}_measure")
            if m:
                print(f"  {end} end measure: atoms {', '.join(m['atoms'])}; weights "
                      f"{', '.join(m['weights'])}")


def _end(out: dict, end: str) -> str:
    """An end of the range: its exact value where the report has one, else its double."""
    exact = out.get(f"{end}_exact")
    return exact["exact"] if exact and exact["exact"] is not None else str(out[end])


def _proved(end: dict, rounded) -> str:
    """A proved end with 17 significant digits rounded outward (``rounded`` is
    :func:`~momentrnn._format.lower_text` or :func:`~momentrnn._format.upper_text`), from the
    exact value, or from the outward-rounded double when the exact text is absent."""
    import flint

    exact = end.get("exact")
    if exact is None:
        return rounded(end["float"], 17)
    q = flint.fmpq(exact)  # also beyond Python's int-string limit, where Fraction(text) raises
    return rounded(Fraction(int(q.p), int(q.q)), 17)


def run_realize(args: argparse.Namespace) -> int:
    h = read_moments(args.file)
    precision = Float64() if args.float64 else (MP(args.dps) if args.dps is not None else None)
    r = minimal_realization(h, precision=precision, rank=args.rank,
                            data_digits=args.data_digits,
                            data_error=_data_error(args.data_error))
    out = r.to_dict()
    code = EXIT_OK if r.ok else EXIT_FAIL
    if args.format == "json":
        print(json_text(document("realization", out, cli_options(args)), indent=2))
        return code
    print(f"status     {r.status}: {r.message}")
    print(f"order      {r.order}  ({r.rank_evidence.verdict}: {r.rank_evidence.message})")
    print(f"residual   {r.residual:.3e}  (max |C A^j B - h_j|)")
    print("A =")
    for row in out["A"]:
        print("   " + "  ".join(row))
    print("B = " + "  ".join(out["B"]))
    print("C = " + "  ".join(out["C"]))
    return code


COMMANDS = (
    Command(
        name="bounds",
        help="feasibility and the range of the next moment over non-negative measures",
        description=(
            "Read moments m_0..m_N (file or stdin, as for 'recover'), decide whether a "
            "non-negative measure on the support has them, and give the interval of feasible "
            "values of m_{N+1} with the extremal (canonical) measures at its ends, exactly. "
            "With --tolerance the moments need only match within that amount, and the range "
            "(of m_q, --order) comes from a semidefinite program, with proved outer ends (dual "
            "certificates checked over Q) and exactly checked measures at the inner ends."
        ),
        arguments=_bounds_arguments,
        run=run_bounds,
        requires=_bounds_requires,
    ),
    Command(
        name="realize",
        help="a minimal (A, B, C) for an impulse response",
        description=(
            "Read an impulse response h_0, h_1, ... and print a minimal realisation (A, B, C) "
            "with C A^j B = h_j; the order is the Hankel rank at the lags' accuracy "
            "(--data-digits, --data-error; decimals are read exactly), with its evidence. "
            "The exit status is non-zero when the order is not decided."
        ),
        arguments=_realize_arguments,
        run=run_realize,
    ),
)
