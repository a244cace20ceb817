"""R9: with k = 2d the conclusion of R8 fails.

The claim, its proof or evidence and this check's tests: theory chapter, section R9
(docs/theory.md; theory.html#r9 and claims/r9.html in the built docs).
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

from momentrnn import (
    Ball,
    DiagonalRNN,
    DiscreteMeasure,
    Exact,
    moment_loss,
    next_moment_range,
)

from ._measures import power_moments, random_measure
from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "R9 (Tightness). With k = 2d the conclusion fails: there are balanced zero-loss students "
    "that do not extrapolate (d = 1: delta_1 and 1/2 delta_0 + 1/2 delta_2 share m_0, m_1; m_j "
    "differs for every j >= 2). In general, for distinct atoms inside (a, b), the measure at the "
    "upper end m_+ of the range of m_2d over non-negative measures on [a, b] sharing "
    "m_0..m_{2d-1} has exactly d + 1 atoms, the two ends (charged with positive weight) and "
    "d - 1 inside, and m_+ > m_2d(mu_hat) = m_-: the range has positive length."
)


def cases(quick: bool, seed: int) -> list[dict]:
    out = [{"name": "delta_1 vs (delta_0 + delta_2)/2", "atoms": [Fraction(1)],
            "weights": [Fraction(1)], "support": (0, 2), "k": 2}]
    for i, d in enumerate([1, 2, 3, 4]):
        a, w = random_measure(d, seed * 10 + i)
        out.append({"name": f"random d={d}", "atoms": a, "weights": w, "support": (-1, 1),
                    "k": 2 * d})
    return out


def check(case: dict) -> float:
    """Relative gap |m_k(nu) - m_k(mu_hat)| / |m_k(mu_hat)| + tiny, of the canonical measure nu
    at the far end of the range of m_k: a positive, non-negative measure sharing m_0..m_{k-1}
    that extrapolates differently (0 when the moments determine the measure)."""
    atoms, weights, k = case["atoms"], case["weights"], case["k"]
    m = power_moments(atoms, weights, k + 1)
    r = next_moment_range(m[:k], support=case["support"])
    if r.collapsed:
        # k > 2d: the range is the point m_k(mu_hat); another point is a wrong answer, not a
        # failure of the claim for its reason
        return 0.0 if Fraction(r.lower) == Fraction(r.upper) == m[k] else math.nan
    far = r.upper if abs(r.upper - m[k]) >= abs(r.lower - m[k]) else r.lower
    nu = r.upper_measure if far == r.upper else r.lower_measure
    if case["k"] == 2 and case["atoms"] == [Fraction(1)]:
        # the explicit example: 1/2 delta_0 + 1/2 delta_2 differs at every j >= 2
        ex = power_moments([Fraction(0), Fraction(2)], [Fraction(1, 2)] * 2, 8)
        mu = power_moments(atoms, weights, 8)
        if ex[:2] != mu[:2] or any(ex[j] == mu[j] for j in range(2, 8)):
            return -1.0
    if nu is None or any(float(w) <= 0 for w in nu.weights):
        return -1.0
    if not _represents(nu, m[:k], far, case["support"]):
        return -1.0
    lo, hi = (Fraction(v) for v in case["support"])
    if k % 2 == 0 and not _canonical(case, r, m, nu, lo, hi):
        return -1.0
    if all(lo < x < hi for x in atoms):
        # the proof's construction, checked exactly with the package's moments; the range's
        # upper end must be at least the value it reaches
        built = construction(atoms, weights, lo, hi)
        if built is None:
            return -1.0
        value = built.moments(k + 1, precision=Exact())
        if value[:k] != m[:k] or not value[k] > m[k] or Fraction(r.upper) < value[k]:
            return -1.0
    gap = abs(Fraction(far) - m[k]) / max(abs(m[k]), Fraction(1, 10**12))
    # decided exactly: a positive gap too small for a double is still positive
    return float(gap) or (math.ulp(0.0) if gap > 0 else 0.0)


#: the proof shows more than the statement: the measure at m_+ charges both ends
BOTH_ENDS = True


def _canonical(case: dict, r, m: list, nu, lo: Fraction, hi: Fraction) -> bool:
    """The statement's measure, exactly: the lower end m_- of the range of m_2d is
    m_2d(mu_hat), its measure mu_hat; the measure nu at m_+ has exactly d + 1 atoms and
    charges an end of [a, b] (both ends when ``BOTH_ENDS``), with positive weights there; and
    nu realised as a balanced student (b_i = c_i = sqrt(w_i), the package's DiagonalRNN) has
    loss 0 on k = 2d lags to double rounding while its h_2d is off by m_+ - m_2d."""
    atoms, weights, k = case["atoms"], case["weights"], case["k"]
    d = k // 2
    if len(set(atoms)) != len(atoms) or len(atoms) != d:
        return True  # not R9's setting (the explicit example's support is checked above)
    if Fraction(r.lower) != m[k] or r.lower_measure is None:
        return False
    low = sorted(zip((Fraction(x) for x in r.lower_measure.atoms),
                     (Fraction(w) for w in r.lower_measure.weights)))
    if low != sorted(zip(atoms, weights)):
        return False
    if len(nu.atoms) != d + 1:
        return False
    charged = [e for e in (lo, hi) if any(_is(x, e) for x in nu.atoms)]
    if not charged or (BOTH_ENDS and len(charged) < 2):
        return False
    # the balanced student of nu, in doubles
    a = [_float(x) for x in nu.atoms]
    b = [math.sqrt(_float(w)) for w in nu.weights]
    hat = [float(v) for v in m[: k + 1]]
    scale = max(abs(v) for v in hat) or 1.0
    loss = moment_loss(DiagonalRNN(a, b, b), hat[:k], k=k)
    h = DiagonalRNN(a, b, b).impulse_response(k + 1)
    gap = float(Fraction(r.upper) - m[k])
    return bool(loss <= (1e-12 * scale) ** 2 and abs(h[k] - hat[k] - gap) <= 1e-9 * scale)


def _is(x, end: Fraction) -> bool:
    """An atom of nu (a rational, or an exact ball) equal to the end of the interval."""
    if not hasattr(x, "mid"):
        return Fraction(x) == end
    import flint

    with flint.ctx.workprec(400):
        return bool(x.rad() == 0 and x.contains(flint.fmpq(end.numerator, end.denominator)))


def _float(x) -> float:
    return float(x.mid()) if hasattr(x, "mid") else float(x)


def construction(atoms, weights, lo: Fraction, hi: Fraction) -> DiscreteMeasure | None:
    """mu_hat + eps tau, tau the divided difference on lo < a_1 < x_2 < a_2 < ... < hi, with
    the largest eps that keeps the weights non-negative, halved (None if one is negative)."""
    pairs = sorted(zip(atoms, weights))
    xs = [lo]
    for i, (a, _) in enumerate(pairs):
        xs.append(a)
        xs.append((a + pairs[i + 1][0]) / 2 if i + 1 < len(pairs) else hi)
    coef = []
    for l, x in enumerate(xs):
        prod = Fraction(1)
        for j, y in enumerate(xs):
            if j != l:
                prod *= x - y
        coef.append(1 / prod)
    eps = min(w / -coef[2 * i + 1] for i, (_, w) in enumerate(pairs)) / 2
    new_w = [eps * c for c in coef]
    for i, (_, w) in enumerate(pairs):
        new_w[2 * i + 1] += w
    if any(w < 0 for w in new_w):
        return None
    return DiscreteMeasure(xs, new_w)


def _represents(nu, m: list, end, support) -> bool:
    """nu has its atoms in the support and the moments m (and the end value next), exactly or
    within its balls."""
    lo, hi = (Fraction(v) for v in support)
    q = len(m)
    if nu.is_exact:
        got = nu.moments(q + 1, precision=Exact())
        return (all(lo <= Fraction(a) <= hi for a in nu.atoms) and got[:q] == list(m)
                and got[q] == Fraction(end))
    import flint

    got = nu.moments(q + 1, precision=Ball(60))
    with flint.ctx.workprec(400):
        vals = list(m) + [Fraction(end)]
        return all(got[j].contains(flint.fmpq(Fraction(v).numerator, Fraction(v).denominator))
                   for j, v in enumerate(vals))


def atom_at_an_end(quick: bool, seed: int) -> list[dict]:
    """A teacher atom at an end of the interval (not inside): m_0..m_{2d-1} then determine the
    measure, and the range of m_2d is a point."""
    return [{"name": "an atom at an end", "atoms": atoms, "weights": [Fraction(1, 3)] * len(atoms),
             "support": (-1, 1), "k": 2 * len(atoms)}
            for atoms in ([Fraction(1)], [Fraction(-1), Fraction(39, 100)],
                          [Fraction(-1, 2), Fraction(1, 5), Fraction(1)])]


def one_more_moment(quick: bool, seed: int) -> list[dict]:
    a, w = random_measure(2, seed)
    return [{"name": "k = 2d + 1", "atoms": a, "weights": w, "support": (-1, 1), "k": 5}]


INTERVALS = [(-1, 1), (0, 2), (Fraction(-3, 7), Fraction(5, 3)),
             (Fraction(1, 3), Fraction(39, 100)), (-5, 1)]


def search(seed: int, count: int) -> list[dict]:
    """Positive measures with 1 to 6 distinct atoms inside an interval (wide, narrow, not
    symmetric, non-dyadic ends), atoms near an end and close pairs included, weights over three
    decades, k = 2d."""
    rng = random.Random(90_000 + seed)
    return [_draw(rng) for _ in range(count)]


def _draw(rng: random.Random) -> dict:
    d = rng.randint(1, 6)
    lo, hi = (Fraction(v) for v in rng.choice(INTERVALS))
    a, _ = random_measure(d, rng.randrange(10**9), spread=999)
    atoms = [lo + (x + 1) / 2 * (hi - lo) for x in a]
    gap = (hi - lo) / 10 ** rng.randint(2, 6)
    style = rng.random()
    if style < 0.25:
        atoms[-1] = hi - gap  # an atom near an end
    elif style < 0.5 and d > 1:
        atoms[0] = atoms[1] + gap  # a close pair
    atoms = [min(max(x, lo + gap / 2), hi - gap / 2) for x in atoms]
    if len(set(atoms)) < d:
        return _draw(rng)
    weights = [Fraction(rng.randint(1, 1000), 1000) for _ in range(d)]
    return {"name": f"drawn d={d}", "atoms": sorted(atoms), "weights": weights,
            "support": (lo, hi), "k": 2 * d}


def refine(case: dict, rng: random.Random) -> dict:
    """One atom moved a little (inside the interval, distinct), one weight scaled."""
    new = dict(case)
    lo, hi = (Fraction(v) for v in case["support"])
    atoms = [Fraction(x) for x in case["atoms"]]
    weights = [Fraction(w) for w in case["weights"]]
    i = rng.randrange(len(atoms))
    moved = atoms[i] + (hi - lo) * Fraction(rng.randint(-100, 100), 10 ** rng.randint(3, 7))
    if lo < moved < hi and moved not in atoms:
        atoms[i] = moved
    weights[i] *= Fraction(rng.randint(1, 400), 100)
    pairs = sorted(zip(atoms, weights))
    new["atoms"], new["weights"] = [a for a, _ in pairs], [w for _, w in pairs]
    new["name"] = f"refined d={len(atoms)}"
    return new


CLAIM = Claim("R9", "k = 2d moments do not determine the measure", STATEMENT, cases, check,
              [("k = 2d + 1 instead", one_more_moment), ("an atom at an end", atom_at_an_end)],
              unit="relative",
              search=search, refine=refine)
register_claim(CLAIM)
