"""R11: analytic bound >= certified worst case >= what a trained balanced student shows.

Per case: a balanced student trained by gradient flow (``integrate_flow``) to a chosen loss;
its moment error eps = max_{j <= 2d} |h_j - h_hat_j| is measured exactly from its parameters.
Three numbers are compared: the analytic bound of R11 at that eps; the worst case over all
non-negative measures on [-1, 1] within eps (the SDP with proved outer ends and an exactly
checked measure attaining an inner value); the student's own |h_q - h_hat_q|. The margin
needs bound >= the attained worst case (a checked measure beyond the bound would refute R11)
and proved worst case >= observed.

The claim, its proof or evidence and this check's tests: theory chapter, section R11
(docs/theory.md; theory.html#r11 and claims/r11.html in the built docs).
"""

from __future__ import annotations

from fractions import Fraction

from momentrnn import (
    DiscreteMeasure,
    extrapolation_range,
    init_student,
    stability_bound,
    teacher_from_measure,
)

from ._common import bounded_flow, finite_difference_measure
from ._measures import power_moments
from .harness import Claim

STATEMENT = (
    "R11 (Stability, linear in eps). Let p(x) = prod_i (x - a_i)^2 and x^q = s_q p + r_q with "
    "deg r_q < 2d. If mu >= 0 lives on [-1, 1] and |m_j(mu) - m_j(mu_hat)| <= eps for j = 0..2d, "
    "then |m_q(mu) - m_q(mu_hat)| <= eps (||r_q||_1 + sup_[-1,1] |s_q| ||p||_1)."
)

TEACHERS = {
    "one atom": ([Fraction(1, 2)], [Fraction(1)]),
    "two atoms": ([Fraction(-1, 2), Fraction(3, 5)], [Fraction(1, 2), Fraction(1)]),
}


def cases(quick: bool, seed: int) -> list[dict]:
    out = []
    for name in TEACHERS:
        d = len(TEACHERS[name][0])
        for loss in ((1e-6,) if quick else (1e-6, 1e-9)):
            for extra in ((0, 3) if quick else (0, 2, 6)):
                out.append({"teacher": name, "loss": loss, "q": 2 * d + 1 + extra,
                            "other": "trained", "seed": seed})
    if not quick:
        out.append({"teacher": "two atoms", "eps": 1e-4, "q": 7, "other": "perturbed atoms"})
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
        # the student's measure, exactly at its double parameters: w_i = b_i c_i >= 0
        a = [Fraction(float(x)) for x in model.a]
        w = [Fraction(float(b)) * Fraction(float(c)) for b, c in zip(model.b, model.c)]
        _TRAINED[key] = (a, w)
    return _TRAINED[key]


def _other_measure(atoms, weights, eps: float, d: int, kind: str):
    """A measure whose moments 0..2d are within eps of the teacher's."""
    if kind == "perturbed atoms":
        # move every atom by delta; the moment changes are first order in delta
        delta = Fraction(1, 10**6)
        moved = [a + delta * (-1) ** i for i, a in enumerate(atoms)]
        base, new = power_moments(atoms, weights, 2 * d + 1), power_moments(moved, weights,
                                                                            2 * d + 1)
        dev = max(abs(x - y) for x, y in zip(base, new))
        scale = Fraction(eps) / dev / 2
        moved = [a + delta * scale * (-1) ** i for i, a in enumerate(atoms)]
        return moved, weights
    # signed: the teacher plus a large finite difference of order 2d + 1 (moments 0..2d exact)
    fa, fw = finite_difference_measure(2 * d + 1, Fraction(-1), Fraction(2, 2 * d + 1),
                                       Fraction(1))
    return atoms + fa, weights + fw


def compare(case: dict, solver: str = "auto") -> dict:
    """The three numbers of R11 for a case, with the tightness of each inequality."""
    atoms, weights = TEACHERS[case["teacher"]]
    d, q = len(atoms), case["q"]
    m = power_moments(atoms, weights, 2 * d + 1)
    target = power_moments(atoms, weights, q + 1)[q]
    if case["other"] == "trained":
        oa, ow = trained_student(case["teacher"], case["loss"], case.get("seed", 0))
    else:
        oa, ow = _other_measure(atoms, weights, case["eps"], d, case["other"])
    om = power_moments(oa, ow, q + 1)
    # the measured moment error, rounded up to a double: the tolerance of the comparison
    eps_exact = max([abs(x - y) for x, y in zip(om[: 2 * d + 1], m)]
                    + [Fraction(case.get("eps", 0))])
    eps = float(eps_exact)
    if Fraction(eps) < eps_exact:
        eps = float.__add__(eps, eps * 2**-52)
    inside = all(-1 <= x <= 1 for x in oa) and all(w >= 0 for w in ow)
    bound = stability_bound(atoms, order=q, tolerance=eps)
    sdp = extrapolation_range(m, tolerance=eps, order=q, solver=solver)
    proved = float(max(sdp.certified_upper - target, target - sdp.certified_lower))
    attained = (max(float(sdp.inner_upper - target), float(target - sdp.inner_lower))
                if sdp.inner_upper is not None and sdp.inner_lower is not None else proved)
    observed = float(abs(om[q] - target))
    return {"eps": eps, "bound": bound, "worst_proved": proved, "worst_attained": attained,
            "observed": observed, "hypothesis": inside,
            "bound_tightness": attained / bound if bound else 1.0,
            "student_tightness": observed / proved if proved else 1.0}


class NotTrained(RuntimeError):
    """The student could not be trained: the check's case cannot be built (a failure)."""


def check(case: dict, solver: str = "auto") -> float:
    """min(bound - attained worst, proved worst - observed) / bound: the numbers are ordered.
    A student that the flow cannot train within its budget is a failure (-1)."""
    try:
        c = compare(case, solver)
    except NotTrained:
        return -1.0
    return min(c["bound"] - c["worst_attained"], c["worst_proved"] - c["observed"]) / c["bound"]


def signed(quick: bool, seed: int) -> list[dict]:
    return [{"teacher": "one atom", "eps": 1e-3, "q": 3, "other": "signed"}]


CLAIM = Claim("R11", "stability bound >= worst case >= observed", STATEMENT, cases, check,
              [("a signed measure", signed)])
