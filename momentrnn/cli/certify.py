"""``momentrnn certify``: a proved bound on how far a trained student extrapolates.

The student is a diagonal linear RNN (a, b, c) read exactly (its double parameters at their
binary value); its impulse response is the moment sequence of the signed measure
mu = sum_i b_i c_i delta_{a_i}. With mu = mu_+ - mu_- (the units of positive and of negative
weight) and eps_j = |m_j(mu_+) - h_hat_j| measured exactly on the lags j < N, every q has

    |h_q - h_hat_q| <= B_q + |m_q(mu_-)|,

where B_q bounds |m_q(nu) - h_hat_q| over every non-negative nu on [-1, 1] within eps_j of the
teacher's moments: the R11 bound with per-moment errors, computed over Q (sup |s_q| from
certified critical points, or the 1-norm of s_q for long q), and the SDP's proved outer ends
(dual certificates checked over Q) where that is tighter. A balanced student has mu_- = 0.
"""

from __future__ import annotations

import argparse
import json
import math
import os
from fractions import Fraction

from .._output import check_writable, write_output
from ..errors import InputError, MomentRNNError, SolverError
from ._common import Command, positive_int

ROOTS_MAX = 80  # beyond this order sup|s_q| is bounded by the 1-norm (cheap, still proved)


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("student", help="flow report (.json), model (.json) or .npz file")
    p.add_argument("--teacher", help="named teacher (as for 'flow')")
    p.add_argument("--teacher-atoms", help="comma-separated teacher atoms, e.g. 9/10,-1/2")
    p.add_argument("--teacher-weights", help="comma-separated teacher weights")
    p.add_argument("--teacher-moments", help="file with the teacher's h_0..h_{Q-1} (one per "
                   "line or a JSON list), read exactly")
    p.add_argument("--length", type=positive_int, help="certify every q < LENGTH (default: the "
                   "flow report's extrapolation length, else 100)")
    p.add_argument("--lags", type=positive_int, help="number of lags whose errors are measured "
                   "(default: the flow report's k, else 2 * teacher atoms + 1)")
    p.add_argument("--sdp-max-order", type=int, default=24, help="use the SDP for q up to this "
                   "order (0: R11 only; each order is one SDP, about 0.1-3 s)")
    p.add_argument("--json", help="write the certificate table to this JSON file")
    p.add_argument("--format", default="table", choices=["table", "json"])


# ----------------------------------------------------------------------------------------
# reading


def _exact(value: object, where: str) -> Fraction:
    from ..moments._data import parse_number_text

    if isinstance(value, bool) or value is None:
        raise InputError(f"{where} = {value!r} is not a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"{where} = {value!r} is not finite")
        return Fraction(value)
    if isinstance(value, str):
        re, im = parse_number_text(value, where)
        if im:
            raise InputError(f"{where} = {value!r} is complex; certify needs real parameters")
        return re
    raise InputError(f"{where} = {str(value)[:60]!r} is not a number")


def _vector(values: object, name: str, path: str) -> list[Fraction]:
    if not isinstance(values, list) or not values:
        raise InputError(f"student {path!r}: {name} must be a non-empty list of numbers")
    return [_exact(v, f"student {path!r} {name}[{i}]") for i, v in enumerate(values)]


def read_student(path: str) -> tuple[list, list, list, dict]:
    """``(a, b, c, report)`` exactly, from a flow report, a JSON model or an .npz file."""
    if not os.path.isfile(path):
        raise InputError(f"student {path!r} is not a file; give the JSON written by "
                         "'momentrnn flow --json' or a model file")
    if path.lower().endswith(".npz"):
        import numpy as np

        try:
            with np.load(path, allow_pickle=False) as z:
                data = {k: np.asarray(z[k]).ravel().tolist() for k in ("a", "b", "c")
                        if k in z.files}
        except (OSError, ValueError) as exc:
            raise InputError(f"student {path!r} is not a readable .npz file ({exc})") from None
        report: dict = {}
    else:
        try:
            with open(path, encoding="utf-8") as handle:
                report = json.load(handle)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"student {path!r} is not a JSON file ({exc})") from None
        if not isinstance(report, dict):
            raise InputError(f"student {path!r}: expected a JSON object with the student")
        data = report.get("student", report)
        if "status" in report and "student" not in report:
            raise InputError(f"student {path!r} is a flow report without the trained "
                             "parameters; rerun 'momentrnn flow --json' to record them")
    if not isinstance(data, dict) or any(k not in data for k in ("a", "b", "c")):
        raise InputError(f"student {path!r} has no arrays a, b and c (a diagonal student)")
    a, b, c = (_vector(data[k], k, path) for k in ("a", "b", "c"))
    if not len(a) == len(b) == len(c):
        raise InputError(f"student {path!r}: a, b and c have lengths {len(a)}, {len(b)}, "
                         f"{len(c)}; they must be equal")
    return a, b, c, report


def read_teacher(args: argparse.Namespace, report: dict) -> tuple[list | None, list | None,
                                                                   list | None, str]:
    """``(atoms, weights, moments, description)``; moments when given as a response."""
    given = [bool(args.teacher), bool(args.teacher_atoms or args.teacher_weights),
             bool(args.teacher_moments)]
    if sum(given) > 1:
        raise InputError("give one teacher: --teacher NAME, --teacher-atoms with "
                         "--teacher-weights, or --teacher-moments FILE")
    if args.teacher:
        from ..rnn import named_teacher

        mu = named_teacher(args.teacher).measure()
        return ([_exact(float(x), "teacher atom") for x in mu.atoms],
                [_exact(float(w), "teacher weight") for w in mu.weights], None,
                f"named teacher {args.teacher}")
    if args.teacher_moments:
        from ._common import read_moments

        tokens = read_moments(args.teacher_moments)
        return None, None, [_exact(t, f"--teacher-moments entry {i + 1}")
                            for i, t in enumerate(tokens)], f"moments {args.teacher_moments}"
    if args.teacher_atoms or args.teacher_weights:
        if not (args.teacher_atoms and args.teacher_weights):
            raise InputError("give both --teacher-atoms and --teacher-weights")
        atoms = [_exact(t, f"--teacher-atoms entry {i + 1}")
                 for i, t in enumerate(args.teacher_atoms.split(","))]
        weights = [_exact(t, f"--teacher-weights entry {i + 1}")
                   for i, t in enumerate(args.teacher_weights.split(","))]
        if len(atoms) != len(weights):
            raise InputError(f"{len(atoms)} teacher atoms but {len(weights)} weights")
        return atoms, weights, None, "atoms and weights"
    if "teacher_atoms" in report and "teacher_weights" in report:
        atoms = [_exact(t, "flow report teacher atom") for t in report["teacher_atoms"]]
        weights = [_exact(t, "flow report teacher weight") for t in report["teacher_weights"]]
        return atoms, weights, None, "the teacher of the flow report"
    raise InputError("no teacher: give --teacher NAME, --teacher-atoms with "
                     "--teacher-weights, or --teacher-moments FILE")


# ----------------------------------------------------------------------------------------
# the bounds


def _moments(atoms: list, weights: list, count: int) -> list[Fraction]:
    out = [Fraction(0)] * count
    for x, w in zip(atoms, weights):
        power = w
        for j in range(count):
            out[j] += power
            power *= x
    return out


def _up(value: Fraction) -> float:
    f = float(value)
    if Fraction(f) < value:
        f = math.nextafter(f, math.inf)
    return f


def _sup_abs(s, bits: int = 256) -> Fraction:
    """A proved upper bound of max |s| on [-1, 1] (ends and certified critical points)."""
    import flint

    from ..moments._certificate import _exact as arb_exact
    from ..precision import flint_precision

    if s.degree() < 0:
        return Fraction(0)
    with flint_precision(bits):
        sa = flint.arb_poly(s)
        best = max(abs(sa(flint.arb(1))).upper(), abs(sa(flint.arb(-1))).upper())
        if s.degree() >= 2:
            for z, _ in s.derivative().complex_roots():
                if z.imag.contains(0) and not (z.real.lower() > 1 or z.real.upper() < -1):
                    best = max(best, abs(sa(z.real)).upper())
        return arb_exact(best)


class R11Bounds:
    """The R11 bound with per-moment errors, for q = 0, 1, 2, ..., exactly over Q.

    ``x^q = s_q p + r_q`` with ``p = prod (x - a_i)^2``; ``r_{q+1} = x r_q - c_q p`` with
    ``c_q`` the top coefficient of ``x r_q``, and ``s_q = sum_{t < q} c_t x^{q-1-t}``, so the
    1-norm of ``s_q`` is a running sum.
    """

    def __init__(self, atoms: list, eps: list) -> None:
        import flint

        self.flint = flint
        p = flint.fmpq_poly([1])
        for x in atoms:
            p *= flint.fmpq_poly([_fq(-x), 1]) ** 2
        self.p = [_fr(p[k]) for k in range(p.degree() + 1)]
        self.n = len(self.p) - 1
        self.eps = eps[: self.n + 1]
        self.p_eps = sum(abs(c) * e for c, e in zip(self.p, self.eps))

    def bounds(self, count: int) -> list[tuple[Fraction, str]]:
        n = self.n
        r = [Fraction(0)] * n
        if n:
            r[0] = Fraction(1)  # x^0 = 0 * p + 1
        out = []
        cs: list[Fraction] = []
        norm_s = Fraction(0)
        for q in range(count):
            if q >= n:
                s_bound, how = norm_s, "1-norm"
                if q <= ROOTS_MAX and cs:
                    s_poly = self.flint.fmpq_poly([_fq(c) for c in reversed(cs)])
                    s_bound, how = min(_sup_abs(s_poly), norm_s), "certified sup"
                value = (sum(abs(c) * e for c, e in zip(r, self.eps))
                         + s_bound * self.p_eps)
                out.append((value, how))
            else:
                out.append((sum(abs(c) * e for c, e in zip(r, self.eps)), "below 2d+1"))
            # r_{q+1} = x r_q - c p, c the coefficient of x^n in x r_q
            shifted = [Fraction(0)] + r
            c = shifted[n]
            r = [shifted[k] - c * self.p[k] for k in range(n)]
            cs.append(c)
            norm_s += abs(c)
        return out


def _fq(v: Fraction):
    import flint

    return flint.fmpq(v.numerator, v.denominator)


def _fr(v) -> Fraction:
    return Fraction(int(v.p), int(v.q))


def certify(a: list, b: list, c: list, teacher_atoms: list | None,
            teacher_weights: list | None, teacher_moments: list | None, *, length: int,
            lags: int, sdp_max_order: int = 24) -> dict:
    """The certificate as a JSON-ready dictionary (see the module docstring)."""
    for i, x in enumerate(a):
        if abs(x) > 1:
            raise InputError(f"student atom a[{i}] = {float(x):.17g} lies outside [-1, 1]: the "
                             "bounds are for measures on [-1, 1]; nothing can be certified")
    if teacher_moments is not None:
        if len(teacher_moments) < length:
            raise InputError(f"--teacher-moments has {len(teacher_moments)} values; --length "
                             f"{length} needs h_0..h_{length - 1}")
        hat = teacher_moments[:length]
    else:
        if teacher_atoms is None or teacher_weights is None:
            raise InputError("no teacher given")
        hat = _moments(teacher_atoms, teacher_weights, length)
    if lags >= length:
        raise InputError(f"--length {length} must exceed the number of lags {lags}")
    w = [bi * ci for bi, ci in zip(b, c)]
    pos = [(x, v) for x, v in zip(a, w) if v > 0]
    neg = [(x, -v) for x, v in zip(a, w) if v < 0]
    h = _moments(a, w, length)
    h_pos = _moments([x for x, _ in pos], [v for _, v in pos], length)
    h_neg = _moments([x for x, _ in neg], [v for _, v in neg], length)
    eps = [abs(h_pos[j] - hat[j]) for j in range(lags)]
    r11 = None
    if teacher_atoms and 2 * len(teacher_atoms) + 1 <= lags:
        r11 = R11Bounds(teacher_atoms, eps).bounds(length)
    sdp_note = ""
    rows = []
    for q in range(length):
        observed = abs(h[q] - hat[q])
        neg_q = abs(h_neg[q])
        if q < lags:
            rows.append({"q": q, "observed": observed, "bound": observed, "method": "measured",
                         "r11": None, "sdp": None})
            continue
        cands = {}
        if r11 is not None:
            cands["R11"] = r11[q][0] + neg_q
        if q <= sdp_max_order:
            sdp = _sdp_bound(hat[:lags], eps, q, hat[q])
            if isinstance(sdp, str):
                sdp_note = sdp
            else:
                cands["SDP"] = sdp + neg_q
        method = min(cands, key=cands.get) if cands else None
        bound = cands[method] if method else None
        if bound is not None and observed > bound:  # a proved bound cannot be beaten
            raise MomentRNNError(
                f"internal inconsistency: at q = {q} the student's |h_q - h_hat_q| = "
                f"{float(observed):.6e} exceeds the proved {method} bound {float(bound):.6e}; "
                "please report it")
        rows.append({"q": q, "observed": observed, "bound": bound, "method": method,
                     "r11": cands.get("R11"), "sdp": cands.get("SDP")})
    proved = [row for row in rows if row["bound"] is not None]
    complete = len(proved) == len(rows)
    max_bound = max(row["bound"] for row in proved)
    max_obs = max(row["observed"] for row in rows)
    last = max(row["q"] for row in proved)
    statement = (
        f"max_(q < {length}) |h_q - h_hat_q| <= {_up(max_bound):.6e}, proved"
        if complete else
        f"max_(q <= {last}) |h_q - h_hat_q| <= {_up(max_bound):.6e}, proved; orders "
        f"{last + 1}..{length - 1} are not certified (give the teacher's atoms for R11, or a "
        "larger --sdp-max-order)")
    notes = []
    if neg:
        mass = float(sum(v for _, v in neg))
        notes.append(f"{len(neg)} unit(s) of negative weight (total {mass:.3e}): R11 and the "
                     "SDP bound the non-negative part; the others' moments are added")
    if r11 is None:
        notes.append("R11 not used: it needs the teacher's atoms and at least 2 d + 1 lags")
    if sdp_note:
        notes.append(sdp_note)

    def num(v):
        return None if v is None else {"exact": str(v), "float": _up(v)}

    return {
        "length": length, "lags": lags, "complete": complete, "statement": statement,
        "max_bound": num(max_bound), "max_observed": float(max_obs),
        "moment_errors": [num(e) for e in eps],
        "negative_units": len(neg), "notes": notes,
        "rows": [{"q": r["q"], "observed": float(r["observed"]), "bound": num(r["bound"]),
                  "method": r["method"], "r11": num(r["r11"]), "sdp": num(r["sdp"])}
                 for r in rows],
    }


def _sdp_bound(moments: list, eps: list, q: int, target: Fraction) -> Fraction | str:
    """Proved max |m_q - target| over measures within eps (float tolerances rounded up)."""
    from ..moments import extrapolation_range

    tol = [_up(e) for e in eps]
    try:
        r = extrapolation_range(moments, tolerance=tol, order=q)
    except SolverError as exc:
        return f"SDP at q = {q} not used: {str(exc)[:160]}"
    except MomentRNNError as exc:
        return f"SDP at q = {q} not used: {str(exc)[:160]}"
    if r.certified_lower is None or r.certified_upper is None:
        return f"SDP at q = {q} not used: no proved ends"
    return max(r.certified_upper - target, target - r.certified_lower)


# ----------------------------------------------------------------------------------------
# the command


def run_certify(args: argparse.Namespace) -> int:
    if args.json:
        check_writable(args.json, "--json")
    if args.sdp_max_order < 0:
        raise InputError(f"--sdp-max-order {args.sdp_max_order} must be >= 0")
    a, b, c, report = read_student(args.student)
    atoms, weights, moments, described = read_teacher(args, report)
    length = args.length or int(report.get("extrapolation_length", 100))
    if atoms is not None:
        default_lags = int(report.get("k", 2 * len(atoms) + 1))
    else:
        default_lags = int(report.get("k", 0)) or None
        if args.lags is None and default_lags is None:
            raise InputError("give --lags: the number of fitted lags whose errors are measured")
    lags = args.lags or default_lags
    out = certify(a, b, c, atoms, weights, moments, length=length, lags=lags,
                  sdp_max_order=args.sdp_max_order)
    out["student"] = args.student
    out["teacher"] = described
    text = json.dumps(out, indent=2)
    if args.format == "json":
        print(text)
    else:
        _print_table(out)
    if args.json:
        def dump(path: str) -> None:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)

        write_output(args.json, dump, option="--json")
    return 0 if out["complete"] else 1


def _print_table(out: dict) -> None:
    print(f"student   {out['student']}  (teacher: {out['teacher']}; errors measured on "
          f"{out['lags']} lags)")
    errs = [e["float"] for e in out["moment_errors"]]
    print(f"moment errors  max {max(errs):.3e} over j < {out['lags']}")
    print(f"{'q':>6}  {'observed':>11}  {'proved bound':>12}  {'R11':>11}  {'SDP':>11}  by")
    rows = out["rows"]
    shown = _sample([r["q"] for r in rows], out["lags"])
    for r in rows:
        if r["q"] not in shown:
            continue

        def f(v):
            return f"{v['float']:11.3e}" if v else f"{'-':>11}"

        bound = f"{r['bound']['float']:12.3e}" if r["bound"] else f"{'none':>12}"
        print(f"{r['q']:>6}  {r['observed']:11.3e}  {bound}  {f(r['r11'])}  {f(r['sdp'])}  "
              f"{r['method'] or '-'}")
    print(out["statement"] + f" (largest observed {out['max_observed']:.3e})")
    for note in out["notes"]:
        print(f"note: {note}")


def _sample(qs: list, lags: int) -> set:
    """The rows shown: the last lag, the first orders beyond, then about 4 per decade."""
    shown = {q for q in qs if lags - 1 <= q <= lags + 4}
    q = lags + 5
    while q < len(qs):
        shown.add(q)
        q = max(q + 1, int(q * 1.8))
    shown.add(qs[-1])
    return shown


COMMANDS = (
    Command(
        name="certify",
        help="prove how far a trained student's impulse response can be from the teacher's",
        description=(
            "Read a trained diagonal student (the JSON of 'momentrnn flow --json', a JSON "
            "model {\"a\": [...], \"b\": [...], \"c\": [...]}, or an .npz with arrays a, b, c) "
            "and a teacher (the one in the flow report, a named teacher, atoms and weights, or "
            "its impulse response h_0..h_{Q-1}). Measure the student's moment errors on the "
            "fitted lags exactly and prove a bound on |h_q - h_hat_q| for every q below the "
            "length: the stability bound R11 over Q and, where tighter, the worst case of the "
            "SDP with dual certificates checked over Q."
        ),
        arguments=_arguments,
        run=run_certify,
    ),
)
