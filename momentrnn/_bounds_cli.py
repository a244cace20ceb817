"""``momentrnn bounds`` and ``momentrnn realize``."""

from __future__ import annotations

import argparse
import json
import math


def add_parsers(sub) -> None:
    b = sub.add_parser(
        "bounds",
        help="feasibility and the range of the next moment over non-negative measures",
        description=(
            "Read moments m_0..m_N (file or stdin, as for 'recover'), decide whether a "
            "non-negative measure on the support has them, and give the interval of feasible "
            "values of m_{N+1} with the extremal (canonical) measures at its ends, exactly. "
            "With --tolerance the moments need only match within that amount, and the range "
            "(of m_q, --order) comes from a semidefinite program, with proved outer ends (dual "
            "certificates checked over Q) and exactly checked measures at the inner ends."
        ),
    )
    b.add_argument("file", nargs="?", default="-")
    b.add_argument("--support", default="-1,1", help="a,b with inf allowed, e.g. 0,inf")
    b.add_argument("--tolerance", type=float, help="allowed mismatch of each moment (SDP)")
    b.add_argument("--order", type=int, help="index q of the moment to bound (SDP)")
    b.add_argument("--format", default="table", choices=["table", "json"])
    r = sub.add_parser(
        "realize",
        help="a minimal (A, B, C) for an impulse response",
        description=(
            "Read an impulse response h_0, h_1, ... and print a minimal realisation (A, B, C) "
            "with C A^j B = h_j; the order is the Hankel rank, with its evidence."
        ),
    )
    r.add_argument("file", nargs="?", default="-")
    r.add_argument("--rank", type=int)
    r.add_argument("--dps", type=int, help="mpmath precision (default: exact for exact input)")
    r.add_argument("--float64", action="store_true")
    r.add_argument("--format", default="table", choices=["table", "json"])


def _support(text: str):
    from .errors import InputError

    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        raise InputError(f"--support {text!r}: write a,b such as -1,1 or 0,inf")
    return tuple(parts)


def _s(x) -> str:
    if isinstance(x, float) and math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return str(x)


def run_bounds(args: argparse.Namespace, read) -> int:
    from .moments import extrapolation_range, moment_feasible, next_moment_range

    moments = read(args.file)
    support = _support(args.support)
    feas = moment_feasible(moments, support=support)
    out: dict = {"feasible": feas.feasible, "interior": feas.interior,
                 "determinate": feas.determinate, "message": feas.message,
                 "support": [_s(v) for v in feas.support],
                 "matrices": {name: {"size": M.nrows(), "positive": i.positive,
                                     "negative": i.negative, "zero": i.zero}
                              for name, (M, i) in feas.matrices.items()}}
    if not feas.feasible:
        out["failing"] = feas.failing
    elif args.tolerance is not None or args.order is not None:
        r = extrapolation_range(moments, tolerance=args.tolerance or 0.0, support=support,
                                order=args.order)
        d = r.to_dict()
        out.update({"order": r.order, "lower": r.lower, "upper": r.upper,
                    "exact": r.solver == "exact", "accuracy": r.accuracy, "status": r.status,
                    "solver": r.solver, "range_message": r.message,
                    "certified_lower": d["certified_lower"],
                    "certified_upper": d["certified_upper"],
                    "inner_lower": d["inner_lower"], "inner_upper": d["inner_upper"],
                    "gap": d["gap"], "attempts": d["attempts"]})
    else:
        r = next_moment_range(moments, support=support)
        out.update({"order": r.order, "lower": _s(r.lower), "upper": _s(r.upper), "exact": True,
                    "collapsed": r.collapsed,
                    "lower_measure": _measure(r.lower_measure),
                    "upper_measure": _measure(r.upper_measure), "status": "ok"})
    if args.format == "json":
        print(json.dumps(out, indent=2, default=str))
    else:
        print(f"feasible     {out['feasible']}: {out['message']}")
        for name, info in out["matrices"].items():
            print(f"  {name:>24}  size {info['size']}, inertia (+{info['positive']}, "
                  f"-{info['negative']}, 0:{info['zero']})")
        if "lower" in out:
            print(f"m_{out['order']} range  [{out['lower']}, {out['upper']}]"
                  f"{'  (exact)' if out['exact'] else '  (SDP, ' + out['range_message'] + ')'}")
            if out.get("certified_lower"):
                print(f"  proved outer ends  [{out['certified_lower']['float']:.17g}, "
                      f"{out['certified_upper']['float']:.17g}]  (dual certificates over Q); "
                      f"gaps to checked measures {out['gap'][0]:.1e}, {out['gap'][1]:.1e}")
            for end in ("lower", "upper"):
                m = out.get(f"{end}_measure")
                if m:
                    print(f"  {end} end measure: atoms {', '.join(m['atoms'])}; weights "
                          f"{', '.join(m['weights'])}")
    if not feas.feasible:
        return 1
    return 0 if out.get("status", "ok") == "ok" else 1


def _measure(measure) -> dict | None:
    if measure is None:
        return None
    return {"atoms": [str(a) for a in measure.atoms], "weights": [str(w) for w in measure.weights]}


def run_realize(args: argparse.Namespace, read) -> int:
    from .moments import minimal_realization
    from .precision import MP, Float64

    h = read(args.file)
    precision = Float64() if args.float64 else (MP(args.dps) if args.dps else None)
    r = minimal_realization(h, precision=precision, rank=args.rank)
    A, B, C = r.as_arrays()

    def show(x):
        if hasattr(x, "tolist"):
            x = x.tolist()
        if isinstance(x, list):
            return [show(v) for v in x]
        return str(x)

    out = {"order": r.order, "A": show(r.A), "B": show(r.B), "C": show(r.C),
           "residual": r.residual, "precision": repr(r.precision),
           "rank_evidence": {"verdict": r.rank_evidence.verdict,
                             "message": r.rank_evidence.message}}
    if args.format == "json":
        print(json.dumps(out, indent=2))
    else:
        print(f"order      {r.order}  ({r.rank_evidence.verdict}: {r.rank_evidence.message})")
        print(f"residual   {r.residual:.3e}  (max |C A^j B - h_j|)")
        print("A =")
        for row in out["A"]:
            print("   " + "  ".join(str(v) for v in row))
        print("B = " + "  ".join(str(v) for v in (out["B"] if isinstance(out["B"][0], str)
                                                  else sum(out["B"], []))))
        print("C = " + "  ".join(str(v) for v in (out["C"] if isinstance(out["C"][0], str)
                                                  else sum(out["C"], []))))
    del A, B, C
    return 0
