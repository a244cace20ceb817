"""M3: Prony and the matrix pencil recover the atoms and weights exactly.

The claim, its proof or evidence and this check's tests: theory chapter, section M3
(docs/theory.md; theory.html#m3 and claims/m3.html in the built docs).
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath

from momentrnn import MP, Float64, recover_measure
from momentrnn.moments import METHODS as REGISTERED_METHODS

from ._measures import (
    as_text,
    gaussian_moments,
    hard_cases,
    power_moments,
    random_measure,
    refine_measure,
    same_measure,
)
from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "M3 (Prony / matrix pencil). From m_0..m_{2n-1} of an n-atom measure the atoms are the "
    "roots of the Prony polynomial (kernel of the n x (n+1) Hankel matrix [m_{i+j}], i < n, "
    "j <= n, which uses only m_0..m_{2n-1}) = the eigenvalues of the pencil (H1, H0); the "
    "weights solve a Vandermonde system. Exact in exact arithmetic, for real, complex, positive "
    "or signed weights."
)
TARGET = 30


def _cases(quick: bool, seed: int) -> list[dict]:
    out = []
    for method in ("prony", "pencil"):
        for case in hard_cases(quick, seed):
            out.append(dict(case, method=method, rank=len(case["atoms"])))
        a, w = random_measure(4, seed + 7, signed=True)
        out.append({"name": "signed weights", "atoms": a, "weights": w, "method": method,
                    "rank": 4})
        out.append({"name": "complex atoms", "atoms": [complex(0.5, 0.5), complex(0.5, -0.5),
                                                        complex(-0.25, 0)],
                    "weights": [complex(1, 1), complex(1, -1), 1.0], "method": method,
                    "rank": 3})
    # honesty: fixed precisions and rounded data, where the target may be out of reach; the
    # vouched digits must not exceed the true ones and 'ok' must mean the target was met
    for i, n in enumerate((3, 5, 8)):
        a, w = random_measure(n, seed + 5 + i)
        for prec, target in (("float64", 12), ("mp20", 18), ("rounded12", 30)):
            out.append({"name": f"honesty n={n} {prec}", "atoms": a, "weights": w,
                        "method": "prony", "rank": n, "precision": prec, "target": target})
    return (out + _matrix(quick, seed) + _inconsistent() + _complex_radius(quick)
            + _within_radius(quick))


def _complex_radius(quick: bool) -> list[dict]:
    """Complex moments given with data_digits whose errors lie in the imaginary parts, signed
    to push one component of the measure as far as the data's accuracy allows: the certified
    enclosure must still hold the true measure."""
    atoms = [(F(0), F(1, 3)), (F(0), F(-7, 10)), (F(2, 5), F(1, 2))]
    weights = [(F(1), F(0)), (F(1, 2), F(0)), (F(1, 3), F(-1, 4))]
    pushes = [(0, "re")] if quick else [(k, part) for k in (0, 2, 4) for part in ("re", "im")]
    return [{"name": f"complex data, imaginary errors pushing component {k} ({part})",
             "kind": "complex_radius", "atoms": atoms, "weights": weights, "data_digits": 8,
             "push": k, "part": part, "rank": 3} for k, part in pushes]


def _complex_radius_check(case: dict) -> float:
    """+1 when the Ball(40) enclosure holds the true measure and the vouched digits are right
    (margin: true minus vouched digits), -1 when a ball misses the truth."""
    from momentrnn import Ball

    atoms, weights, n, d = case["atoms"], case["weights"], case["rank"], case["data_digits"]
    m = gaussian_moments(atoms, weights, 2 * n)
    ctx = mpmath.MPContext()
    ctx.dps = 40
    x = [ctx.mpc(_mp(ctx, a[0]), _mp(ctx, a[1])) for a in atoms]
    w = [ctx.mpc(_mp(ctx, v[0]), _mp(ctx, v[1])) for v in weights]
    J = ctx.matrix(2 * n, 2 * n)
    for j in range(2 * n):
        for i in range(n):
            J[j, i] = j * w[i] * x[i] ** (j - 1) if j else 0
            J[j, n + i] = x[i] ** j
    row = (J**-1)[case["push"], :]
    # an error i t_j in m_j moves the component by i sum_j Jinv[k, j] t_j: sign t_j to push it
    signs = [1 if (ctx.re(1j * row[j]) if case["part"] == "re" else ctx.im(1j * row[j])) >= 0
             else -1 for j in range(2 * n)]
    # half the radius data_digits= gives (10^-d max_j |m_j|, and |m_j| >= max(|re|, |im|))
    r = F(1, 2 * 10**d) * max(max(abs(re), abs(im)) for re, im in m)
    given = [as_text((re, im + r * sj)) for (re, im), sj in zip(m, signs)]
    rec = recover_measure(given, rank=n, method="prony", precision=Ball(40), data_digits=d,
                          throw=False)
    if rec.measure is None or rec.enclosure is None:
        return 1.0 if rec.status != "ok" else -1.0
    true_a = [ctx.mpc(_mp(ctx, a[0]), _mp(ctx, a[1])) for a in atoms]
    got_a = [ctx.mpmathify(complex(a.mid())) for a in rec.enclosure.atoms]
    order = [min(range(n), key=lambda i: abs(got_a[i] - t)) for t in true_a]
    if len(set(order)) != n or not _encloses(rec.enclosure, list(zip(atoms, weights)), order,
                                             True):
        return -1.0
    return 1.0


def _inconsistent() -> list[dict]:
    """Overdetermined data that no measure with n atoms fits: the moments of an n-atom
    measure with only the last one changed (exact real, exact complex, doubles): the status
    must say so (the last Hankel block is the only witness)."""
    out = []
    real_atoms, real_weights = [F(-1, 3), F(39, 100)], [F(1, 7), F(2)]
    cx_atoms, cx_weights = [(F(0), F(1, 3)), (F(1, 2), F(-1, 5))], [(F(1), F(0)), (F(1, 3), F(1))]
    for n_extra in (2, 4):  # an even count of moments
        out.append({"name": f"exact real, {n_extra} extra moment(s), the last one off",
                    "kind": "inconsistent", "atoms": real_atoms, "weights": real_weights,
                    "extra": n_extra, "form": "exact"})
        out.append({"name": f"doubles, {n_extra} extra moment(s), the last one off",
                    "kind": "inconsistent", "atoms": real_atoms, "weights": real_weights,
                    "extra": n_extra, "form": "float"})
        out.append({"name": f"exact complex, {n_extra} extra moment(s), the last one off",
                    "kind": "inconsistent", "atoms": cx_atoms, "weights": cx_weights,
                    "extra": n_extra, "form": "complex"})
    return out


def _inconsistent_check(case: dict) -> float:
    """Exact: +1 when the status is 'inconsistent' and no digit is vouched, -1 otherwise."""
    n = len(case["atoms"])
    count = 2 * n + case["extra"]
    if case["form"] == "complex":
        pairs = gaussian_moments(case["atoms"], case["weights"], count)
        pairs[-1] = (pairs[-1][0] + F(1, 10), pairs[-1][1])
        m: list = [as_text(z) for z in pairs]
    else:
        m = power_moments(case["atoms"], case["weights"], count)
        m[-1] += F(1, 10)
        if case["form"] == "float":
            m = [float(v) for v in m]
    r = recover_measure(m, rank=n, method="prony", digits=20, throw=False)
    return 1.0 if r.status == "inconsistent" and not r.digits else -1.0


def _within_radius(quick: bool) -> list[dict]:
    """Overdetermined data of an n-atom measure, consistent only within their radius: the
    exact moments rounded (doubles, whose radius is half an ulp; 12-digit decimal text given
    with data_digits=11; complex doubles), so that the rounded values themselves fit no
    measure with n atoms (a Hankel block of size n + 1 is non-singular) while the true
    measure's moments lie within the radii. 'inconsistent' would be a false verdict."""
    real = ([F(-1, 3), F(39, 100)], [F(1, 7), F(2)])
    cx = ([(F(0), F(1, 3)), (F(1, 2), F(-1, 5))], [(F(1), F(0)), (F(1, 3), F(1))])
    out = []
    for form, (atoms, weights) in (("float", real), ("text12", real), ("complex float", cx)):
        for method in ("prony",) if quick else ("prony", "pencil"):
            for rank in (2,) if quick else (2, None):
                out.append({"name": f"{form}, 4 extra moments, rank {rank or 'chosen'}",
                            "kind": "within_radius", "atoms": atoms, "weights": weights,
                            "form": form, "method": method, "rank": rank, "extra": 4})
    return out


def _within_radius_moments(case: dict) -> list:
    count = 2 * len(case["atoms"]) + case["extra"]
    if case["form"] == "complex float":
        return [complex(float(re), float(im))
                for re, im in gaussian_moments(case["atoms"], case["weights"], count)]
    m = power_moments(case["atoms"], case["weights"], count)
    if case["form"] == "float":
        return [float(v) for v in m]
    return [_round(v, 12) for v in m]


def _within_radius_check(case: dict) -> float:
    """-1 when the status is 'inconsistent' (the true measure fits within the radii) or the
    recovery returns another number of atoms with digits vouched; otherwise the true digits of
    the atoms and weights minus the vouched ones (+1 when nothing is vouched)."""
    options = {"data_digits": 11} if case["form"] == "text12" else {}
    r = recover_measure(_within_radius_moments(case), rank=case["rank"], method=case["method"],
                        digits=20, throw=False, **options)
    if r.status == "inconsistent":
        return -1.0
    if r.measure is None or not r.digits:
        return 1.0
    ctx = mpmath.MPContext()
    ctx.dps = 60
    if case["form"] == "complex float":
        true_a = [ctx.mpc(_mp(ctx, a[0]), _mp(ctx, a[1])) for a in case["atoms"]]
        true_w = [ctx.mpc(_mp(ctx, w[0]), _mp(ctx, w[1])) for w in case["weights"]]
    else:
        true_a = [_mp(ctx, a) for a in case["atoms"]]
        true_w = [_mp(ctx, w) for w in case["weights"]]
    got_a = [ctx.mpmathify(x) for x in r.measure.atoms]
    got_w = [ctx.mpmathify(x) for x in r.measure.weights]
    order = [min(range(len(got_a)), key=lambda i: abs(got_a[i] - t)) for t in true_a]
    if len(got_a) != len(true_a) or len(set(order)) != len(order):
        return -1.0
    err_a = max(abs(got_a[i] - t) for i, t in zip(order, true_a)) / max(abs(t) for t in true_a)
    err_w = max(abs(got_w[i] - t) for i, t in zip(order, true_w)) / max(abs(t) for t in true_w)
    return min(100.0, _digits(err_a), _digits(err_w)) - float(r.digits)


def _methods() -> tuple[str, ...]:
    """Every registered method, read from the registry when the cases are built (a method
    registered later is checked too), then ``'auto'``; Prony first (the quick check's one)."""
    names = sorted(REGISTERED_METHODS, key=lambda name: (name != "prony", name))
    return (*names, "auto")


def _signed(method: str) -> bool:
    """Whether ``method`` takes signed and complex weights (not only a positive measure's)."""
    return method == "auto" or not REGISTERED_METHODS[method].positive_only


BASES = ("monomial", "chebyshev")
PRECISIONS = ("exact", "mp", "ball", "float64", "digits")


def _matrix_measures(seed: int) -> list[tuple[str, list, list]]:
    a, w = random_measure(3, seed + 31)
    return [("3 random atoms", a, w),
            ("a weight 1e-6 beside weights near 1", [F(-39, 100), F(1, 3), F(7, 9)],
             [F(2, 3), F(1, 10**6), F(5, 7)]),
            ("signed weights", [F(-1, 2), F(1, 7), F(9, 10)], [F(1, 3), F(-2), F(1)])]


def _matrix(quick: bool, seed: int) -> list[dict]:
    """Every method x basis x precision on measures with non-dyadic atoms, a tiny weight and
    signed weights (the Gauss rule on positive ones), exact and rounded to 12 digits."""
    out = []
    measures = _matrix_measures(seed)
    for name, a, w in measures[1:2] if quick else measures:
        for method in _methods():
            if not _signed(method) and any(v < 0 for v in w):
                continue
            for basis in BASES:
                for prec in PRECISIONS:
                    out.append({"name": f"{name}: {method}, {basis}, {prec}", "kind": "matrix",
                                "atoms": a, "weights": w, "method": method, "basis": basis,
                                "rank": len(a), "precision": prec})
                    if prec in ("ball", "digits") and basis == "monomial":
                        out.append(dict(out[-1], name=out[-1]["name"] + ", rounded 12",
                                        data_digits=12))
    # complex atoms and weights (Gaussian rationals; the monomial basis only), exact and rounded
    atoms = [(F(0), F(1, 3)), (F(0), F(-7, 10)), (F(2, 5), F(1, 2))]
    weights = [(F(1), F(0)), (F(1, 2), F(0)), (F(1, 3), F(-1, 4))]
    signed = [method for method in _methods() if _signed(method)]
    for method in signed[:1] if quick else signed:
        for prec in PRECISIONS[1:]:  # Exact() refuses complex moments, by name
            out.append({"name": f"complex atoms: {method}, {prec}", "kind": "matrix",
                        "atoms": atoms, "weights": weights, "method": method,
                        "basis": "monomial", "rank": 3, "precision": prec, "complex": True})
            if prec in ("ball", "digits"):
                out.append(dict(out[-1], name=out[-1]["name"] + ", rounded 10", data_digits=10))
    return out


F = Fraction


def _matrix_recover(case: dict):
    from momentrnn import Ball, Exact
    from momentrnn.moments.chebyshev import monomial_to_chebyshev

    n = case["rank"]
    options = {"rank": n, "method": case["method"], "basis": case["basis"], "throw": False}
    if case.get("complex"):
        pairs = gaussian_moments(case["atoms"], case["weights"], 2 * n)
        if "data_digits" in case:
            d = case["data_digits"]
            m = [f"{_round(re, d)}{'+' if im >= 0 else '-'}{_round(abs(im), d)}j"
                 for re, im in pairs]
            options["data_digits"] = d - 1  # rounding to d digits errs by up to 5 10^-d
        else:
            m = [as_text(z) for z in pairs]
    else:
        m = power_moments(case["atoms"], case["weights"], 2 * n)
        if case["basis"] == "chebyshev":
            m = monomial_to_chebyshev(m)
        if "data_digits" in case:
            d = case["data_digits"]
            m = [_round(v, d) for v in m]
            options["data_digits"] = d - 1
    prec = case["precision"]
    if prec == "digits":
        options["digits"] = 25
    else:
        options["precision"] = {"exact": Exact(), "mp": MP(40), "ball": Ball(40),
                                "float64": Float64()}[prec]
    return recover_measure(m, **options)


def _encloses(enclosure, pairs, order, is_complex: bool) -> bool:
    """Every ball of the certified enclosure holds the true atom or weight it stands for."""
    import flint

    def exact(v):
        if is_complex:
            return flint.acb(flint.fmpq(v[0].numerator, v[0].denominator),
                             flint.fmpq(v[1].numerator, v[1].denominator))
        return flint.fmpq(v.numerator, v.denominator)

    with flint.ctx.workprec(400):  # contains() rounds the rational at the current precision
        for k, (atom, weight) in enumerate(pairs):
            i = order[k]
            for ball, value in ((enclosure.atoms[i], atom), (enclosure.weights[i], weight)):
                if hasattr(ball, "contains") and not ball.contains(exact(value)):
                    return False
    return True


def _round(v: Fraction, d: int) -> str:
    """v rounded to d significant digits, as decimal text."""
    return mpmath.nstr(mpmath.mpf(v.numerator) / v.denominator, d, min_fixed=-20, max_fixed=20)


def _matrix_check(case: dict) -> float:
    """Digits: the least, over the overall and per-component digits, of true minus vouched
    (true capped at 100), and true minus 25 when 'digits=25' is 'ok'; exact arithmetic must
    return the measure itself (+1, else -1). Nothing returned: +1 unless the status is 'ok'."""
    r = _matrix_recover(case)
    if r.measure is None:
        return 1.0 if r.status != "ok" else -1.0
    if case["precision"] == "exact" and "data_digits" not in case and not case.get("complex"):
        pairs = sorted(zip(case["atoms"], case["weights"]))
        same = same_measure(r.measure, [p[0] for p in pairs], [p[1] for p in pairs])
        return 1.0 if same and r.status == "ok" else -1.0
    ctx = mpmath.MPContext()
    ctx.dps = 80
    pairs = sorted(zip(case["atoms"], case["weights"]))
    if case.get("complex"):
        true_a = [ctx.mpc(_mp(ctx, p[0][0]), _mp(ctx, p[0][1])) for p in pairs]
        true_w = [ctx.mpc(_mp(ctx, p[1][0]), _mp(ctx, p[1][1])) for p in pairs]
    else:
        true_a = [_mp(ctx, p[0]) for p in pairs]
        true_w = [_mp(ctx, p[1]) for p in pairs]
    got_a = [ctx.mpmathify(x) for x in r.measure.atoms]
    got_w = [ctx.mpmathify(x) for x in r.measure.weights]
    if len(got_a) != len(true_a):
        return -1.0
    # the returned atom nearest to each true one (a permutation, or the recovery is wrong)
    order = [min(range(len(got_a)), key=lambda i: abs(got_a[i] - t)) for t in true_a]
    if len(set(order)) != len(order):
        return -1.0
    got_a = [got_a[i] for i in order]
    got_w = [got_w[i] for i in order]
    if r.enclosure is not None and not _encloses(r.enclosure, pairs, order,
                                                 case.get("complex", False)):
        return -1.0
    cap = 100.0
    err_a = max(abs(g - t) for g, t in zip(got_a, true_a)) / max(abs(t) for t in true_a)
    err_w = max(abs(g - t) for g, t in zip(got_w, true_w)) / max(abs(t) for t in true_w)
    true_digits = min(cap, _digits(err_a), _digits(err_w))
    exact = err_a == 0 and err_w == 0
    margin = (1.0 if exact else -1.0) if r.digits == math.inf else true_digits - float(r.digits)
    if r.status == "ok" and case["precision"] == "digits":
        margin = min(margin, true_digits - 25)
    for vouched, got, true in ((r.atom_digits, got_a, true_a), (r.weight_digits, got_w, true_w)):
        if vouched is None:
            continue
        # the package's order is the returned (sorted) measure's: re-read it in that order
        vouched = [vouched[i] for i in order]
        for v, g, t in zip(vouched, got, true):
            if v == math.inf:  # vouched exact: it must be
                margin = min(margin, 1.0 if g == t else -1.0)
            elif t != 0:
                margin = min(margin, min(cap, _digits(abs(g - t) / abs(t))) - float(v))
    return float(margin)


def _moments(case: dict) -> list:
    atoms, weights = case["atoms"], case["weights"]
    if any(isinstance(x, complex) for x in atoms):
        # exact Gaussian-rational moments, written as text so they are read exactly
        qa = [(Fraction(x.real), Fraction(x.imag)) for x in atoms]
        qw = [(Fraction(complex(v).real), Fraction(complex(v).imag)) for v in weights]
        out = []
        cur = list(qw)
        for _ in range(2 * case["rank"]):
            re = sum(c[0] for c in cur)
            im = sum(c[1] for c in cur)
            out.append(f"{re}{'+' if im >= 0 else '-'}{abs(im)}j")
            cur = [(c[0] * x[0] - c[1] * x[1], c[0] * x[1] + c[1] * x[0]) for c, x in zip(cur, qa)]
        return out
    return power_moments(atoms, weights, 2 * case["rank"])


def _recover(case: dict):
    moments = _moments(case)
    prec = case.get("precision")
    if prec is None:
        return recover_measure(moments, rank=case["rank"], method=case["method"],
                               digits=TARGET + 5, throw=False)
    if prec == "rounded12":  # the exact moments rounded to 12 significant digits, said so
        text = [mpmath.nstr(mpmath.mpf(m.numerator) / m.denominator, 12) for m in moments]
        # rounding to 12 digits errs by up to 5 10^-12 |m_j|: within 10^-11 max_j |m_j|
        return recover_measure(text, rank=case["rank"], method=case["method"], data_digits=11,
                               digits=case["target"], throw=False)
    precision = Float64() if prec == "float64" else MP(20)
    return recover_measure(moments, rank=case["rank"], method=case["method"],
                           precision=precision, digits=case["target"], throw=False)


def check(case: dict) -> float:
    """Correct digits of the recovered atoms and weights against the exact ones, minus 30;
    at most the true digits minus the vouched ones (a vouched digit must be right). Honesty
    cases: true minus vouched digits, and true minus requested digits when the status is
    'ok'. Matrix cases (every method x basis x precision, real and complex, exact and
    rounded): see ``_matrix_check``; inconsistent cases: the status must be 'inconsistent';
    data consistent only within their radius: it must not be (``_within_radius_check``)."""
    if case.get("kind") == "matrix":
        return _matrix_check(case)
    if case.get("kind") == "inconsistent":
        return _inconsistent_check(case)
    if case.get("kind") == "complex_radius":
        return _complex_radius_check(case)
    if case.get("kind") == "within_radius":
        return _within_radius_check(case)
    r = _recover(case)
    if r.measure is None:
        return -float(TARGET) if "precision" not in case else (
            1.0 if r.status != "ok" else -1.0)
    ctx = mpmath.MPContext()
    ctx.dps = 80
    true_a = [_mp(ctx, x) for x in case["atoms"]]
    true_w = [_mp(ctx, v) for v in case["weights"]]
    got_a = [ctx.mpmathify(x) for x in r.measure.atoms]
    got_w = [ctx.mpmathify(x) for x in r.measure.weights]
    # every true atom must have a recovered atom nearby, and the other way round
    err_a, err_w = ctx.mpf(0), ctx.mpf(0)
    for a, w in zip(true_a, true_w):
        j = min(range(len(got_a)), key=lambda k: abs(got_a[k] - a))
        err_a = max(err_a, abs(got_a[j] - a))
        err_w = max(err_w, abs(got_w[j] - w))
    for g in got_a:
        err_a = max(err_a, min(abs(g - a) for a in true_a))
    scale_a = max(abs(a) for a in true_a) or 1
    scale_w = max(abs(w) for w in true_w)
    digits = min(_digits(err_a / scale_a), _digits(err_w / scale_w))
    vouched = float(r.digits)
    # nothing vouched is never a wrong vouched digit, however far off the unvouched values are
    honest = digits - vouched if vouched > 0 else 1.0
    if "precision" in case:
        met = digits - case["target"] if r.status == "ok" else math.inf
        return min(honest, met)
    return min(digits - TARGET, honest)


def _mp(ctx, x):
    if isinstance(x, Fraction):
        return ctx.mpf(x.numerator) / x.denominator
    return ctx.mpmathify(x)


def _digits(rel) -> float:
    return math.inf if rel == 0 else float(-mpmath.log10(rel))


def search(seed: int, count: int) -> list[dict]:
    """Random signed measures (2 to 10 atoms) for both methods, and honesty cases at fixed
    precisions."""
    import random

    rng = random.Random(20_000 + seed)
    out = []
    for i in range(count):
        n = rng.randint(2, 10)
        a, w = random_measure(n, rng.randrange(10**9), signed=rng.random() < 0.5)
        case = {"name": f"drawn n={n}", "atoms": a, "weights": w,
                "method": ("prony", "pencil")[i % 2], "rank": n}
        if i % 3 == 2:
            case.update(precision=("float64", "mp20")[i % 2], target=(12, 18)[i % 2],
                        method="prony")
        out.append(case)
    return out


def refine(case: dict, rng) -> dict:
    """One atom moved and one weight rescaled, the method, basis and precision kept."""
    if case.get("kind") in ("inconsistent", "complex_radius", "within_radius"):
        return dict(case)
    out = refine_measure(case, rng)
    if any(isinstance(x, complex) for x in out["atoms"]):
        return dict(case)
    return out


def too_few_atoms(quick: bool, seed: int) -> list[dict]:
    a, w = random_measure(4, seed + 11)
    return [{"name": "rank n-1 for an n-atom measure", "atoms": a, "weights": w,
             "method": m, "rank": 3} for m in ("prony", "pencil")]


CLAIM = Claim("M3", "Prony and pencil recover atoms and weights", STATEMENT, _cases,
                   check, [("rank below the number of atoms", too_few_atoms)],
                   search=search, unit="digits", refine=refine)
register_claim(CLAIM)
