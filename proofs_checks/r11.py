"""R11: analytic bound >= certified worst case >= what a non-negative nearby measure shows.

Per case: a measure mu near the teacher, either a balanced student trained by gradient flow
(``integrate_flow``) to a chosen loss or a non-negative measure built near the teacher (the
search draws these); its moment error eps = max_{j <= 2d} |m_j(mu) - h_hat_j| is measured
exactly. Three numbers are compared: the analytic bound of R11 at that eps
(``stability_bound``); the worst case over all non-negative measures on [-1, 1] within eps
(``extrapolation_range``: the SDP with proved outer ends and an exactly checked measure
attaining an inner value); mu's own |m_q - h_hat_q|. The margin needs bound >= the attained
worst case (a checked measure beyond the bound would refute R11) and proved worst case >=
observed. The hypotheses (mu >= 0 on [-1, 1]) are checked exactly; a case outside them is
judged on the conclusion alone (the controls), never counted for the claim.

The package code the claim rests on is checked as well, exactly over Q and independently of
it: the bound of ``stability_bound`` against p, s_q and r_q divided here; the SDP's ends
(doubles inside the proved ends, checked measures feasible over Q, dual certificates
recomputed from their multipliers, their shift delta not below x^q - P at its critical points
found at 1024 bits, an end of status 'ok' proved to 1e-4 of the width); the SDP forced at
tolerance 0 on the teacher's moments against the exact range (``next_moment_range``, or the
teacher's own moment where its moments determine it): its proved ends must enclose that range
and lie within 1e-6 of its width (of m_0 where it is a point) of it, whatever status the SDP
reports; and
``certify_extrapolation`` on mu as a diagonal student (every proved bound above the exact
error, R11 used only with 2d + 1 lags and equal to the per-moment bound recomputed here, and
with 2d lags matched exactly the SDP bound within 1 % of the exact worst case).

The claim, its proof or evidence and this check's tests: theory chapter, section R11
(docs/theory.md; theory.html#r11 and claims/r11.html in the built docs).
"""

from __future__ import annotations

import random
from fractions import Fraction

from momentrnn import (
    DiscreteMeasure,
    MomentRNNError,
    extrapolation_range,
    init_student,
    moment_feasible,
    next_moment_range,
    stability_bound,
    teacher_from_measure,
)
from momentrnn.moments.extrapolation_bound import ROOTS_MAX as ROOTS_LAST
from momentrnn.moments.extrapolation_bound import certify_extrapolation

from ._common import bounded_flow, finite_difference_measure
from ._measures import power_moments, random_measure
from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "R11 (Stability, linear in eps). Let p(x) = prod_i (x - a_i)^2 and x^q = s_q p + r_q with "
    "deg r_q < 2d. If mu >= 0 lives on [-1, 1] and |m_j(mu) - m_j(mu_hat)| <= eps for j = 0..2d, "
    "then |m_q(mu) - m_q(mu_hat)| <= eps (||r_q||_1 + sup_[-1,1] |s_q| ||p||_1)."
)

TEACHERS = {
    "one atom": ([Fraction(1, 2)], [Fraction(1)]),
    "two atoms": ([Fraction(-1, 2), Fraction(3, 5)], [Fraction(1, 2), Fraction(1)]),
}

GAP_RELATIVE = Fraction(1, 10**4)  # an end of status 'ok' is proved to this fraction of the width
LOOSE_RELATIVE = Fraction(1, 10**2)  # a proved bound this far above the exact worst case is wrong
# at tolerance 0 the exact range is known (M6): the SDP's proved ends must enclose it and lie
# within this fraction of its width (of m_0 where it is a point) of it; Clarabel's certificates
# are within about 1e-10 of it, multipliers off by 1e-3 put them 1e-4 to 1e-2 away
EXACT_SLACK = Fraction(1, 10**6)
SEARCH_SECONDS = 6.0


def cases(quick: bool, seed: int) -> list[dict]:
    out = []
    for name in TEACHERS:
        d = len(TEACHERS[name][0])
        for loss in ((1e-6,) if quick else (1e-6, 1e-9)):
            for extra in ((0, 3) if quick else (0, 2, 6)):
                out.append({"teacher": name, "loss": loss, "q": 2 * d + 1 + extra,
                            "other": "trained", "seed": seed,
                            # certify_extrapolation on the student: with the fitted 2d + 1 lags
                            # on the shortest order, with 2d lags (R11 must not be used) on one
                            "certify": extra == 0 or (extra == 3 and name == "one atom"),
                            "lags": 2 * d if extra == 3 else 2 * d + 1,
                            # the SDP at tolerance 0 on the teacher's m_0..m_{2d-1}, against
                            # the exact range of m_2d
                            "exact_order": 2 * d})
    # R9's measure matches 2d moments exactly: certified with 2d lags, the SDP at tolerance 0
    out.append({"teacher": "two atoms", "q": 5, "other": "r9", "certify": True, "lags": 4})
    # R11 alone, for a negative atom (the coefficients of s_q alternate in sign)
    out.append({"teacher": "drawn", "atoms": [Fraction(-1, 2)], "weights": [Fraction(1)],
                "eps": 1e-6, "q": 3, "other": "nearby", "other_seed": 1, "certify": True,
                "lags": 3, "length": 8, "sdp_max_order": 0})
    # a teacher at an end of the support: at tolerance 0 an end of m_3 is the teacher's own
    # m_3, proved by the trivial bound m_0 and attained by the teacher; 39/100 is not a double
    # and its nearest double lies beyond it, so the double reported for that end must be
    # rounded inwards, not to nearest
    for end in (1, -1):
        out.append({"teacher": "drawn", "atoms": [Fraction(end)], "weights": [Fraction(39, 100)],
                    "eps": 1e-6, "q": 3, "other": "nearby", "other_seed": 2, "exact_order": 3})
    if not quick:
        # R11 alone on long orders (beyond 80 its sup |s_q| is bounded by the 1-norm of s_q)
        # (a negative atom: the coefficients of s_q alternate in sign)
        out.append({"teacher": "drawn", "atoms": [Fraction(-1, 2)], "weights": [Fraction(1)],
                    "eps": 1e-6, "q": 3, "other": "nearby", "other_seed": 1, "certify": True,
                    "lags": 3, "length": ROOTS_LAST + 4, "sdp_max_order": 0})
    if not quick:
        out.append({"teacher": "two atoms", "eps": 1e-4, "q": 7, "other": "perturbed atoms"})
        out.append({"teacher": "two atoms", "eps": 1e-5, "q": 9, "other": "nearby",
                    "other_seed": seed, "certify": True, "lags": 5})
    return out


_TRAINED: dict = {}


def trained_student(name: str, loss: float, seed: int) -> tuple[list, list]:
    """Atoms and weights of a balanced student trained by gradient flow to ``loss``."""
    key = (name, loss, seed)
    if key not in _TRAINED:
        atoms, weights = TEACHERS[name]
        d = len(atoms)
        teacher = teacher_from_measure(DiscreteMeasure(atoms, weights))
        run = bounded_flow(init_student(4 * d + 2, scale=1e-2, mode="balanced", seed=seed),
                           teacher, k=2 * d + 1, until_loss=loss)
        if run is None or run.status != "converged":
            raise NotTrained(f"the flow did not train the student to loss {loss:g} within its "
                             "budget of gradient evaluations")
        model = run.final
        # the student's measure, exactly at its double parameters: w_i = b_i c_i
        a = [Fraction(float(x)) for x in model.a]
        w = [Fraction(float(b)) * Fraction(float(c)) for b, c in zip(model.b, model.c)]
        _TRAINED[key] = (a, w)
    return _TRAINED[key]


def _teacher(case: dict) -> tuple[list, list]:
    if "atoms" in case:
        return [Fraction(x) for x in case["atoms"]], [Fraction(w) for w in case["weights"]]
    return TEACHERS[case["teacher"]]


def _other_measure(atoms, weights, eps: float, d: int, kind: str, seed: int = 0):
    """A measure whose moments 0..2d are near the teacher's."""
    if kind == "perturbed atoms":
        # move every atom by delta; the moment changes are first order in delta
        delta = Fraction(1, 10**6)
        moved = [a + delta * (-1) ** i for i, a in enumerate(atoms)]
        base, new = power_moments(atoms, weights, 2 * d + 1), power_moments(moved, weights,
                                                                            2 * d + 1)
        dev = max(abs(x - y) for x, y in zip(base, new))
        scale = Fraction(eps) / dev / 2
        moved = [a + delta * scale * (-1) ** i for i, a in enumerate(atoms)]
        return [min(max(x, Fraction(-1)), Fraction(1)) for x in moved], weights
    if kind == "nearby":
        # a non-negative measure on [-1, 1] at moment distance about eps: every atom split in
        # one or two moved atoms with perturbed weights, and up to two small atoms anywhere
        # (the ends included); mu's eps is then measured exactly
        rng = random.Random(seed)
        size = Fraction(eps).limit_denominator(10**12)
        out_a, out_w = [], []
        for a, w in zip(atoms, weights):
            parts = rng.randint(1, 2)
            for _ in range(parts):
                x = a + size * Fraction(rng.randint(-100, 100), 100)
                out_a.append(min(max(x, Fraction(-1)), Fraction(1)))
                out_w.append(w / parts * (1 + size * Fraction(rng.randint(-100, 100), 100)))
        for _ in range(rng.randint(0, 2)):
            out_a.append(rng.choice([Fraction(-1), Fraction(1),
                                     Fraction(rng.randint(-1000, 1000), 1000)]))
            out_w.append(size * Fraction(rng.randint(1, 100), 100))
        return out_a, out_w
    if kind == "r9":
        # R9's measure: the teacher plus eps times the divided difference through the ends,
        # non-negative on [-1, 1], with the teacher's moments 0..2d-1 exactly and m_2d larger
        from .r9 import construction

        nu = construction(atoms, weights, Fraction(-1), Fraction(1))
        return [Fraction(x) for x in nu.atoms], [Fraction(w) for w in nu.weights]
    if kind == "outside":
        # non-negative, but a small atom at 3/2, beyond [-1, 1]: its moments 0..2d are within
        # eps of the teacher's, and x^q grows past any bound on [-1, 1]
        x = Fraction(3, 2)
        return atoms + [x], weights + [Fraction(eps) / x ** (2 * d)]
    # signed: the teacher plus a large finite difference of order 2d + 1 (moments 0..2d exact)
    fa, fw = finite_difference_measure(2 * d + 1, Fraction(-1), Fraction(2, 2 * d + 1),
                                       Fraction(1))
    return atoms + fa, weights + fw


def _divide(atoms: list, q: int) -> tuple[list, list, list]:
    """p = prod (x - a_i)^2 and x^q = s p + r, coefficients (low to high) over Q, computed
    here by long division (independently of the package)."""
    p = [Fraction(1)]
    for a in atoms:
        for _ in range(2):
            p = [(p[k - 1] if k else 0) - a * (p[k] if k < len(p) else 0)
                 for k in range(len(p) + 1)]
    n = len(p) - 1
    rem = [Fraction(0)] * q + [Fraction(1)]
    s = [Fraction(0)] * max(q - n + 1, 0)
    for top in range(q, n - 1, -1):
        c = rem[top]
        if c:
            s[top - n] = c
            for k in range(n + 1):
                rem[top - n + k] -= c * p[k]
    return p, s, rem[:n]


def _poly_value(coeffs: list, x: Fraction) -> Fraction:
    v = Fraction(0)
    for c in reversed(coeffs):
        v = v * x + c
    return v


def _real_critical_points(coeffs: list, lo: Fraction, hi: Fraction, bits: int = 1024) -> list:
    """Rational points within 2^-(bits - 10) of every real critical point of the polynomial in
    [lo, hi], and the two ends."""
    import flint

    pts = [lo, hi]
    if len(coeffs) < 3:
        return pts
    f = flint.fmpq_poly([flint.fmpq(c.numerator, c.denominator) for c in coeffs])
    with flint.ctx.workprec(bits):
        for z, _ in f.derivative().complex_roots():
            if not z.imag.contains(0):
                continue
            man, exp = z.real.mid().man_exp()
            x = Fraction(int(man)) * Fraction(2) ** int(exp)
            if lo <= x <= hi:
                pts.append(x)
    return pts


def _sup_abs_lower(coeffs: list) -> Fraction:
    """A lower bound of sup_[-1,1] |s| (|s| at its critical points and the ends, exactly)."""
    if not coeffs:
        return Fraction(0)
    return max(abs(_poly_value(coeffs, x))
               for x in _real_critical_points(coeffs, Fraction(-1), Fraction(1), 256))


#: the relative excess above the exact R11 right-hand side that the certificate's rounding up
#: may add (each bound and each coefficient of s_q rounded up to 64 significant bits)
R11_ROUNDING = Fraction(1, 2**60)


def _r11_interval(atoms: list, q: int, eps: list) -> tuple[Fraction, Fraction]:
    """The R11 right-hand side with per-moment errors eps_j, sum |r_k| eps_k + sup|s| sum |p_k|
    eps_k, between the sup's lower bound and its upper bound ||s||_1."""
    p, s, r = _divide(atoms, q)
    base = sum(abs(c) * e for c, e in zip(r, eps))
    p_eps = sum(abs(c) * e for c, e in zip(p, eps))
    return base + _sup_abs_lower(s) * p_eps, base + sum(abs(c) for c in s) * p_eps


def _sdp_faults(sdp, m: list, eps: Fraction, q: int) -> list[str]:
    """What is wrong with an SDP answer, checked exactly over Q (empty when nothing is)."""
    out = []
    cl, cu, il, iu = (sdp.certified_lower, sdp.certified_upper, sdp.inner_lower,
                      sdp.inner_upper)
    if cl is None or cu is None:
        return [f"an end is not proved ({sdp.status}: {sdp.message[:80]})"]
    if None in (il, iu) and sdp.status == "ok":
        out.append("status 'ok' without a checked measure at an end")
    # an end without a checked measure is honest ('loose'): only the proved end is judged
    il_, iu_ = (cl if il is None else il), (cu if iu is None else iu)
    if not cl <= il_ <= iu_ <= cu:
        out.append("the proved ends do not enclose the attained ones")
    if not cl <= Fraction(sdp.lower) <= Fraction(sdp.upper) <= cu:
        out.append("a reported double end lies outside the proved ends")
    width, gap = cu - cl, max(il_ - cl, cu - iu_)
    if sdp.status == "ok" and gap > GAP_RELATIVE * width:
        out.append(f"status 'ok' but an end is proved only to {float(gap / width):.1e} of the "
                   "width")
    shown = sdp.to_dict()  # standard JSON: an infinite double is the string "inf"
    if not (float(shown["certified_lower"]["float"]) <= cl
            and float(shown["certified_upper"]["float"]) >= cu
            and (il is None or float(shown["inner_lower"]["float"]) >= il)
            and (iu is None or float(shown["inner_upper"]["float"]) <= iu)):
        out.append("a double of to_dict is rounded the wrong way")
    for measure, value in ((sdp.lower_measure, il), (sdp.upper_measure, iu)):
        if measure is None or value is None:
            if (measure is None) != (value is None):
                out.append("a checked measure without its value, or a value without it")
            continue
        atoms, weights = [Fraction(x) for x in measure.atoms], [Fraction(w) for w in
                                                                 measure.weights]
        got = power_moments(atoms, weights, q + 1)
        if (any(not -1 <= x <= 1 for x in atoms) or any(w < 0 for w in weights)
                or any(abs(g - v) > eps for g, v in zip(got, m)) or got[q] != value):
            out.append("a checked measure is not feasible or does not attain its end")
    for cert, upper, end in ((sdp.lower_certificate, False, cl), (sdp.upper_certificate, True,
                                                                   cu)):
        lam = [Fraction(v) for v in cert.multipliers]
        sign = 1 if upper else -1
        bound = (sum(v * mj for v, mj in zip(lam, m)) + sign * (
            sum(abs(v) * eps for v in lam) + cert.delta * (m[0] + eps)))
        if bound != cert.bound or (end > bound if upper else end < bound):
            out.append("an end is not the bound its certificate proves")
        # delta must be at least max (x^q - P) (upper) or max (P - x^q) on [-1, 1]
        diff = [sign * v for v in lam] + [Fraction(0)] * max(q + 1 - len(lam), 0)
        diff[q] -= sign
        worst = max(-_poly_value(diff, x) for x in _real_critical_points(diff, Fraction(-1),
                                                                          Fraction(1)))
        if cert.delta < worst:
            out.append("a certificate's shift delta is below the violation it must cover")
    return out


def _exact_sdp_faults(atoms: list, weights: list, q: int) -> list[str]:
    """The SDP forced at tolerance 0 (not the exact shortcut of ``solver='auto'``) on the
    teacher's m_0..m_{2d-1}, against the exact range of m_q: that of ``next_moment_range`` for
    q = 2d, the teacher's own m_q when its moments determine it. The proved ends must enclose
    the exact range, the checked measures lie inside it, the doubles reported inside the proved
    ends, and each proved end be within ``EXACT_SLACK`` of the exact one."""
    n = 2 * len(atoms)
    m = power_moments(atoms, weights, max(n, q + 1))
    if q == n:
        exact = next_moment_range(m[:n], support=(-1, 1))
        lo, hi = Fraction(exact.lower), Fraction(exact.upper)
    elif moment_feasible(m[:n], support=(-1, 1)).determinate:
        lo = hi = m[q]
    else:
        raise ValueError(f"no exact range of m_{q} from {n} moments: give q = {n} or "
                         "determinate data")
    try:
        sdp = extrapolation_range(m[:n], tolerance=0, order=q, solver="CLARABEL")
    except MomentRNNError as exc:
        out = [f"the SDP at tolerance 0 raised: {str(exc)[:120]}"]
    else:
        out = [f"at tolerance 0: {fault}" for fault in _sdp_faults(sdp, m[:n], Fraction(0), q)]
        cl, cu = sdp.certified_lower, sdp.certified_upper
        if not out:
            inner = [v for v in (sdp.inner_lower, sdp.inner_upper) if v is not None]
            slack = EXACT_SLACK * (hi - lo if hi > lo else m[0])
            if not cl <= lo <= hi <= cu:
                out.append(f"at tolerance 0 the proved ends [{float(cl):.17g}, "
                           f"{float(cu):.17g}] of m_{q} do not enclose the exact range "
                           f"[{float(lo):.17g}, {float(hi):.17g}]")
            elif any(not lo <= v <= hi for v in inner):
                out.append(f"at tolerance 0 a checked measure's m_{q} lies outside the exact "
                           f"range [{float(lo):.17g}, {float(hi):.17g}]")
            elif lo - cl > slack or cu - hi > slack:
                out.append(f"at tolerance 0 the proved ends of m_{q} are "
                           f"{float(lo - cl):.1e} and {float(cu - hi):.1e} beyond the exact "
                           f"range, more than {float(slack):.1e}")
    return out


def _certify_faults(case: dict, atoms, weights, oa, ow, q: int) -> list[str]:
    """certify_extrapolation on the measure (oa, ow) as a diagonal student (b = w, c = 1)."""
    d = len(atoms)
    lags = case.get("lags", 2 * d + 1)
    length = case.get("length", q + 1)
    try:
        cert = certify_extrapolation(oa, ow, [1] * len(oa), teacher_atoms=atoms,
                                     teacher_weights=weights, length=length, lags=lags,
                                     sdp_max_order=case.get("sdp_max_order", 24))
    except MomentRNNError as exc:
        return [f"certify_extrapolation raised: {str(exc)[:120]}"]
    hat = power_moments(atoms, weights, length)
    h = power_moments(oa, ow, length)
    eps = [abs(h[j] - hat[j]) for j in range(lags)]
    sdp_failed = any("SDP" in note and "not used" in note for note in cert.notes)
    out = []
    if [Fraction(e) for e in cert.moment_errors] != eps:
        out.append("the certificate's moment errors are not the exact ones")
    shown = cert.to_dict()["rows"]
    for row, text in zip(cert.rows[lags:], shown[lags:]):
        observed = abs(h[row.q] - hat[row.q])
        if row.bound is None or row.bound < observed:
            out.append(f"order {row.q}: no proved bound at or above the exact error")
            continue
        if float(text["bound"]["float"]) < row.bound:
            out.append(f"order {row.q}: the bound's double is rounded down")
        if row.bound != min(v for v in (row.r11, row.sdp) if v is not None):
            out.append(f"order {row.q}: the bound is not the least of the proved ones")
        if (row.q <= case.get("sdp_max_order", 24) and row.q <= lags + 2 and not sdp_failed
                and any(eps)):
            # the SDP's worst case, solved here: the certificate's bound may not be above it
            # (beyond the SDP's own gap), unless R11 already equals the exact error
            r = extrapolation_range(hat[:lags], tolerance=eps, order=row.q)
            if r.status == "ok" and r.certified_upper is not None:
                worst = max(r.certified_upper - hat[row.q], hat[row.q] - r.certified_lower)
                if row.bound > worst * (1 + GAP_RELATIVE) and row.bound > observed:
                    out.append(f"order {row.q}: the bound {float(row.bound):.6e} is above the "
                               f"SDP's proved worst case {float(worst):.6e}")
        if lags < 2 * d + 1:
            if row.r11 is not None:
                out.append(f"order {row.q}: R11 used with {lags} < 2d + 1 lags")
        elif row.r11 is None:
            out.append(f"order {row.q}: R11 not used though {lags} lags were fitted")
        elif row.q <= lags + 3 or row.q >= ROOTS_LAST - 2:
            # the first orders, and those around the switch from the certified sup |s_q| to
            # the 1-norm of s_q
            lo, hi = _r11_interval(atoms, row.q, eps)
            # the package rounds each bound up to 64 significant bits (s_q's coefficients
            # likewise, their difference added), and a tail below 2^-1074 up to 2^-1074
            hi = hi * (1 + R11_ROUNDING) + Fraction(1, 2**1074)
            if not lo <= row.r11 <= hi:
                out.append(f"order {row.q}: the R11 bound {float(row.r11):.6e} is not the "
                           f"per-moment R11 bound in [{float(lo):.6e}, {float(hi):.6e}]")
        if row.q == lags and not any(eps):
            # moments matched exactly: the worst case of m_lags is known exactly (M6's range);
            # a proved bound below it is wrong, one far above it is not the SDP's optimum
            r = next_moment_range(hat[:lags], support=(-1, 1))
            worst = max(Fraction(r.upper) - hat[lags], hat[lags] - Fraction(r.lower))
            if row.bound < worst or row.bound > worst * (1 + LOOSE_RELATIVE):
                out.append(f"order {row.q}: the bound {float(row.bound):.6e} is not the exact "
                           f"worst case {float(worst):.6e} of the exactly matched moments")
    if not cert.complete:
        out.append("the certificate is not complete")
    return out


def compare(case: dict, solver: str = "auto") -> dict:
    """The three numbers of R11 for a case, with the tightness of each inequality, and the
    faults found in the package's answers (``faults``; empty when none)."""
    atoms, weights = _teacher(case)
    d, q = len(atoms), case["q"]
    m = power_moments(atoms, weights, 2 * d + 1)
    target = power_moments(atoms, weights, q + 1)[q]
    if case["other"] == "trained":
        oa, ow = trained_student(case["teacher"], case["loss"], case.get("seed", 0))
    else:
        oa, ow = _other_measure(atoms, weights, case.get("eps", 0), d, case["other"],
                                case.get("other_seed", 0))
    om = power_moments(oa, ow, q + 1)
    # the measured moment error (at least the case's eps for the fixed measures), rounded up
    # to a double: the tolerance of the comparison
    eps_exact = max([abs(x - y) for x, y in zip(om[: 2 * d + 1], m)]
                    + ([Fraction(case["eps"])] if case["other"] in ("signed", "perturbed atoms")
                       else []))
    eps = float(eps_exact)
    if Fraction(eps) < eps_exact:
        eps = float.__add__(eps, eps * 2**-52)
    inside = all(-1 <= x <= 1 for x in oa) and all(w >= 0 for w in ow)
    bound = stability_bound(atoms, order=q, tolerance=eps)
    observed = float(abs(om[q] - target))
    out = {"eps": eps, "bound": bound, "observed": observed, "hypothesis": inside,
           "faults": []}
    if not inside:  # outside the hypotheses: only the conclusion is looked at
        return out
    lo, hi = _r11_interval(atoms, q, [Fraction(eps)] * (2 * d + 1))
    if not lo <= Fraction(bound) <= hi * (1 + Fraction(1, 2**50)):
        out["faults"].append(f"stability_bound {bound!r} is not the R11 right-hand side in "
                             f"[{float(lo):.17g}, {float(hi):.17g}]")
    sdp = extrapolation_range(m, tolerance=eps, order=q, solver=solver)
    out["faults"] += _sdp_faults(sdp, m, Fraction(eps), q)
    if case.get("certify"):
        out["faults"] += _certify_faults(case, atoms, weights, oa, ow, q)
    if "exact_order" in case:
        out["faults"] += _exact_sdp_faults(atoms, weights, case["exact_order"])
    if sdp.certified_upper is None or sdp.certified_lower is None:
        return out
    proved = float(max(sdp.certified_upper - target, target - sdp.certified_lower))
    # the measures checked feasible: their deviations are lower bounds of the worst case
    found = [float(v) for v in ((sdp.inner_upper - target) if sdp.inner_upper is not None
                                else None,
                                (target - sdp.inner_lower) if sdp.inner_lower is not None
                                else None) if v is not None]
    attained = max(found) if found else None
    out.update({"worst_proved": proved, "worst_attained": attained,
                "bound_tightness": attained / bound if bound and found else None,
                "student_tightness": observed / proved if proved else 1.0})
    return out


class NotTrained(RuntimeError):
    """The student could not be trained: the check's case cannot be built (a failure)."""


def check(case: dict, solver: str = "auto") -> float:
    """min(bound - attained worst, proved worst - observed, bound - observed) / bound: the
    numbers are ordered (the attained worst only where the SDP found a checked measure).
    -1 when the package's answers are wrong (``compare``'s faults) or the student cannot be
    trained within its budget. A case outside the hypotheses (a signed measure, an atom
    beyond [-1, 1]) is judged on the conclusion alone: (bound - observed) / bound, which the
    controls need <= 0."""
    try:
        c = compare(case, solver)
    except NotTrained:
        return -1.0
    if not c["hypothesis"]:
        return (c["bound"] - c["observed"]) / c["bound"]
    if c["faults"] or "worst_proved" not in c:
        return -1.0
    terms = [c["worst_proved"] - c["observed"], c["bound"] - c["observed"]]
    if c["worst_attained"] is not None:  # no checked measure ('loose'): nothing to compare
        terms.append(c["bound"] - c["worst_attained"])
    return min(terms) / c["bound"]


def search(seed: int, count: int) -> list[dict]:
    """Teachers with 1 to 3 atoms anywhere in [-1, 1] (the ends and close pairs included),
    non-negative measures near them at moment distance 10^-8 to 10^-2, orders 2d + 1 to
    2d + 9, and certify_extrapolation with 2d + 1 or 2d lags on the short orders."""
    rng = random.Random(110_000 + seed)
    return [_draw(rng) for _ in range(count)]


def _draw(rng: random.Random) -> dict:
    d = rng.randint(1, 3)
    atoms, weights = random_measure(d, rng.randrange(10**9), spread=rng.choice([10, 100, 1000]))
    style = rng.random()
    if style < 0.2:
        atoms[-1] = Fraction(1)  # an atom at the end of the support
    elif style < 0.35 and d > 1:
        atoms[0] = atoms[1] - Fraction(1, 10 ** rng.randint(2, 4))  # a close pair
    atoms, weights = (list(t) for t in zip(*sorted(zip(atoms, weights))))
    extra = rng.randint(0, 8)
    certify = extra <= 2
    return {"teacher": "drawn", "atoms": atoms, "weights": weights,
            "eps": 10 ** rng.uniform(-8, -2), "q": 2 * d + 1 + extra, "other": "nearby",
            "other_seed": rng.randrange(10**9), "certify": certify,
            "lags": 2 * d + (rng.random() < 0.7)}


def refine(case: dict, rng: random.Random) -> dict:
    """A nearby case: another nearby measure, eps scaled by up to 3, the order moved by one,
    one teacher atom nudged (kept in [-1, 1] and distinct)."""
    new = dict(case)
    if new.get("other") != "nearby":
        return _draw(rng)
    atoms = [Fraction(x) for x in new["atoms"]]
    i = rng.randrange(len(atoms))
    moved = min(max(atoms[i] + Fraction(rng.randint(-50, 50), 1000), Fraction(-1)), Fraction(1))
    if moved not in atoms:
        atoms[i] = moved
    pairs = sorted(zip(atoms, [Fraction(w) for w in new["weights"]]))
    new["atoms"], new["weights"] = [a for a, _ in pairs], [w for _, w in pairs]
    d = len(atoms)
    new["eps"] = min(new["eps"] * 10 ** rng.uniform(-0.5, 0.5), 1e-2)
    new["q"] = max(2 * d + 1, new["q"] + rng.choice([-1, 0, 1]))
    new["other_seed"] = rng.randrange(10**9)
    new["certify"] = new["q"] <= 2 * d + 3
    return new


def signed(quick: bool, seed: int) -> list[dict]:
    return [{"teacher": "one atom", "eps": 1e-3, "q": 3, "other": "signed"}]


def outside(quick: bool, seed: int) -> list[dict]:
    return [{"teacher": "one atom", "eps": 1e-6, "q": 30, "other": "outside"},
            {"teacher": "two atoms", "eps": 1e-6, "q": 40, "other": "outside"}]


CLAIM = Claim("R11", "stability bound >= worst case >= observed", STATEMENT, cases, check,
              [("a signed measure", signed), ("an atom outside [-1, 1]", outside)],
              search=search, refine=refine, requires=("cvxpy",))
register_claim(CLAIM)
