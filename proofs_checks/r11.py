"""R11: stability bound >= exact worst case (SDP) >= what a nearby non-negative measure shows."""

from __future__ import annotations

from fractions import Fraction

from momentrnn import extrapolation_range, stability_bound

from ._common import finite_difference_measure
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
        for eps in (1e-3, 1e-4):
            for extra in (0, 2):
                out.append({"teacher": name, "eps": eps, "q": 2 * d + 1 + extra,
                            "other": "perturbed atoms"})
    return out


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


def check(case: dict, solver: str = "CLARABEL") -> float:
    # the SDP's answer carries its own checked accuracy, added to the worst case below
    """min(bound - worst, worst - observed) / bound: the three numbers must be ordered."""
    atoms, weights = TEACHERS[case["teacher"]]
    d, q, eps = len(atoms), case["q"], case["eps"]
    m = power_moments(atoms, weights, 2 * d + 1)
    target = power_moments(atoms, weights, q + 1)[q]
    bound = stability_bound(atoms, order=q, tolerance=eps)
    sdp = extrapolation_range(m, tolerance=eps, order=q, solver=solver)
    worst = max(sdp.upper - float(target), float(target) - sdp.lower) + sdp.accuracy
    oa, ow = _other_measure(atoms, weights, eps, d, case["other"])
    om = power_moments(oa, ow, q + 1)
    if max(abs(x - y) for x, y in zip(om[: 2 * d + 1], m)) > Fraction(eps):
        return -1.0
    observed = float(abs(om[q] - target))
    return min(bound - worst, worst - observed) / bound


def signed(quick: bool, seed: int) -> list[dict]:
    return [{"teacher": "one atom", "eps": 1e-3, "q": 3, "other": "signed"}]


CLAIM = Claim("R11", "stability bound >= worst case >= observed", STATEMENT, cases, check,
              [("a signed measure", signed)])
