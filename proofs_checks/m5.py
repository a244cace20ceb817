"""M5: kappa_2(H_n) grows like (1 + sqrt 2)^{2n} on [-1, 1] and (1 + sqrt 2)^{4n} on [0, 1]."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np

from momentrnn.moments._data import parse_moments
from momentrnn.moments.hankel import singular_values

from .harness import Claim

STATEMENT = (
    "M5 (Conditioning). kappa_2(H_n) grows like (1+sqrt2)^{2n} ~ 5.83^n for moments on [-1,1] "
    "and like (1+sqrt2)^{4n} ~ 34^n on [0,1]; the digits any method loses ~ log10 kappa_2(H_n) "
    "- 3..5. The package predicts this before computing and uses it to choose precision."
)

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
    data = parse_moments(moments)
    sv = singular_values(data.head(2 * n - 1), n, 64 + 12 * n + extra_bits)
    return float(mpmath.log(sv[0] / sv[-1]))


def cases(quick: bool, seed: int) -> list[dict]:
    ns = list(range(8, 17, 2)) if quick else list(range(8, 31, 2))
    return [{"interval": iv, "ns": ns} for iv in RATES]


def check(case: dict, extra_bits: int = 0) -> float:
    """0.1 - |fitted growth rate per atom / predicted rate - 1|."""
    ns = case["ns"]
    logs = [_cond(_moments(case["interval"], 2 * n), n, extra_bits) for n in ns]
    rate = math.exp(np.polyfit(ns, logs, 1)[0])
    predicted = RATES.get(case["interval"], RATES["[-1, 1]"])
    return 0.1 - abs(rate / predicted - 1)


def unit_circle(quick: bool, seed: int) -> list[dict]:
    return [{"interval": "roots of unity", "ns": [8, 10, 12, 14]}]


def confirm(case: dict) -> float:
    return check(case, extra_bits=256)


CLAIM = Claim("M5", "Hankel conditioning grows at (1+sqrt2)^2n and (1+sqrt2)^4n", STATEMENT,
              cases, check, [("atoms on the unit circle", unit_circle)], confirm, unit='relative')
