"""M5: kappa_2(H_n) grows like (1 + sqrt 2)^{2n} on [-1, 1] and (1 + sqrt 2)^{4n} on [0, 1].

The claim, its proof or evidence and this check's tests: theory chapter, section M5
(docs/theory.md; theory.html#m5 and claims/m5.html in the built docs).
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np

from momentrnn import MP, Float64, recover_measure
from momentrnn.moments import hankel_singular_values

from .harness import Claim

STATEMENT = (
    "M5 (Conditioning). kappa_2(H_n) grows like (1+sqrt2)^{2n} ~ 5.83^n for moments on [-1,1] "
    "and like (1+sqrt2)^{4n} ~ 34^n on [0,1]; the digits a backward-stable method loses are at "
    "most about log10 kappa_2(H_n) (observed losses are often a few digits smaller). The "
    "package predicts this before computing and uses it to choose precision."
)
LOSS_SLACK = 1.0  # "at most about": the observed loss may exceed log10 kappa by one digit

RATES = {"[-1, 1]": (1 + math.sqrt(2)) ** 2, "[0, 1]": (1 + math.sqrt(2)) ** 4}


def _moments(interval: str, count: int):
    if interval == "[-1, 1]":
        return [Fraction(1, j + 1) if j % 2 == 0 else 0 for j in range(count)]
    if interval == "[0, 1]":
        return [Fraction(1, j + 1) for j in range(count)]
    # the n = count/2 roots of unity (n atoms on the unit circle): m_j = n if n | j else 0
    n = count // 2
    return [n if j % n == 0 else 0 for j in range(count)]


def _cond(moments, n: int, extra_bits: int = 0) -> float:
    bits = 64 + 12 * n + extra_bits
    sv = hankel_singular_values(list(moments)[: 2 * n - 1], n, precision=MP(bits // 3 + 1))
    return float(mpmath.log(sv[0] / sv[-1]))


def cases(quick: bool, seed: int) -> list[dict]:
    ns = list(range(8, 17, 2)) if quick else list(range(8, 31, 2))
    out = [{"interval": iv, "ns": ns} for iv in RATES]
    loss_ns = [2, 4, 6, 8, 10] if quick else list(range(2, 13))
    out += [{"kind": "losses", "interval": iv, "ns": loss_ns} for iv in RATES]
    return out


def _losses(case: dict) -> float:
    """Digits: min over n of (predicted loss + 1 - digits lost by double-precision Prony), and
    -1 when the package's predicted loss is not log10 kappa_2(H_n) (within 0.5) computed here."""
    margin = math.inf
    for n in case["ns"]:
        if case["interval"] == "[-1, 1]":
            atoms = [Fraction(2 * i + 1 - n, n) for i in range(n)]
        else:
            atoms = [Fraction(2 * i + 1, 2 * n) for i in range(n)]
        weights = [Fraction(1, n)] * n
        m = [sum(w * a**j for a, w in zip(atoms, weights)) for j in range(2 * n)]
        r = recover_measure(m, rank=n, method="prony", precision=Float64(), throw=False)
        kappa = _cond(m, n) / math.log(10)
        if abs(r.predicted_loss - kappa) > 0.5:
            return -1.0
        if r.measure is None:
            continue  # refused: nothing returned, nothing lost
        got = sorted(zip((complex(x).real for x in r.measure.atoms),
                         (complex(x).real for x in r.measure.weights)))
        err = max(max(abs(ga - float(a)), abs(gw - float(w)) / float(max(weights)))
                  for (ga, gw), a, w in zip(got, atoms, weights))
        lost = -math.log10(2.0**-53) - (-math.log10(max(err, 2.0**-53)))
        margin = min(margin, r.predicted_loss + LOSS_SLACK - lost)
    return float(margin)


def check(case: dict, extra_bits: int = 0) -> float:
    """0.1 - |fitted growth rate per atom / predicted rate - 1|; for the loss cases, digits
    (predicted loss + 1 - observed loss)."""
    if case.get("kind") == "losses":
        return _losses(case)
    ns = case["ns"]
    logs = [_cond(_moments(case["interval"], 2 * n), n, extra_bits) for n in ns]
    rate = math.exp(np.polyfit(ns, logs, 1)[0])
    predicted = RATES.get(case["interval"], RATES["[-1, 1]"])
    return 0.1 - abs(rate / predicted - 1)


def unit_circle(quick: bool, seed: int) -> list[dict]:
    return [{"interval": "roots of unity", "ns": [8, 10, 12, 14]}]


def confirm(case: dict) -> float:
    if case.get("kind") == "losses":
        return _losses(case)  # exact data and double precision: nothing to vary
    return check(case, extra_bits=256)


CLAIM = Claim("M5", "Hankel conditioning grows at (1+sqrt2)^2n and (1+sqrt2)^4n", STATEMENT,
              cases, check, [("atoms on the unit circle", unit_circle)], confirm,
              unit="relative / digits")
