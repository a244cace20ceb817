"""The fixed-precision recovery kernels (``moments._numeric``) as properties: each of Prony,
the pencil and Gauss (both bases), in doubles and in a local mpmath context, returns the atoms
and weights of a known measure (non-dyadic, negative) to the accuracy of its arithmetic; and
``clean_real`` drops imaginary parts at most ``tol`` of the largest magnitude, no others."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.moments._numeric import (
    clean_real,
    float_gauss,
    float_pencil,
    float_prony,
    mp_gauss,
    mp_pencil,
    mp_prony,
)
from momentrnn.moments.chebyshev import monomial_to_chebyshev

atoms_st = st.lists(st.sampled_from([Fraction(39, 100), Fraction(-1, 3), Fraction(7, 8),
                                     Fraction(-9, 10), Fraction(1, 10)]),
                    min_size=1, max_size=3, unique=True)


def _moments(atoms, weights, count):
    return [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(count)]


def _check(got_x, got_w, atoms, weights, tol):
    pairs = sorted(zip((complex(x).real for x in got_x), (complex(w).real for w in got_w)))
    want = sorted(zip(atoms, weights))
    assert len(pairs) == len(want)
    for (x, w), (a, b) in zip(pairs, want):
        assert abs(x - float(a)) <= tol and abs(w - float(b)) <= tol, (pairs, want)
    for x, w in zip(got_x, got_w):
        assert abs(complex(x).imag) <= tol and abs(complex(w).imag) <= tol


@settings(max_examples=12, derandomize=True, deadline=None)
@given(atoms_st)
def test_every_kernel_recovers_a_known_measure(atoms):
    n = len(atoms)
    weights = [Fraction(1, 3), Fraction(5, 7), Fraction(2)][:n]
    m = _moments(atoms, weights, 2 * n)
    nu = monomial_to_chebyshev(m)
    fm = np.array([float(v) for v in m])
    for kernel in (float_prony, float_pencil):
        _check(*kernel(fm, n), atoms, weights, 1e-8)
    _check(*float_gauss(fm, n, "monomial"), atoms, weights, 1e-8)
    _check(*float_gauss(np.array([float(v) for v in nu]), n, "chebyshev"), atoms, weights,
           1e-8)
    ctx = mpmath.mp.clone()
    ctx.dps = 40
    mm = [ctx.mpf(v.numerator) / v.denominator for v in m]
    mn = [ctx.mpf(v.numerator) / v.denominator for v in nu]
    for kernel in (mp_prony, mp_pencil):
        _check(*kernel(ctx, mm, n), atoms, weights, 1e-25)
    _check(*mp_gauss(ctx, mm, n, "monomial"), atoms, weights, 1e-25)
    _check(*mp_gauss(ctx, mn, n, "chebyshev"), atoms, weights, 1e-25)
    x, w = mp_gauss(ctx, mm, n, "monomial")
    assert len(x) == len(w) == n and list(x) == sorted(x)


def test_clean_real_drops_only_imaginary_parts_within_tol():
    v = np.array([3.0 + 3e-10j, -1.0 + 0j])
    assert not np.iscomplexobj(clean_real(v, 1e-10))  # |imag| = tol * max|v| exactly
    assert list(clean_real(v, 1e-10)) == [3.0, -1.0]
    kept = clean_real(v, 0.9e-10)
    assert np.iscomplexobj(kept) and kept[0].imag == 3e-10
    assert not np.iscomplexobj(clean_real(np.array([1e-320j]), 1e-10))  # the floor 1e-300
    assert np.iscomplexobj(clean_real(np.array([1e-305j]), 1e-10))
    real = np.array([1.0, 2.0])
    assert clean_real(real, 0.0) is real
    out = clean_real(v, 1e-9)
    out[0] = 7.0
    assert v[0] == 3.0 + 3e-10j  # a copy


@pytest.mark.parametrize("n", [1, 2])
def test_kernels_return_n_atoms(n):
    atoms, weights = [Fraction(-1, 3), Fraction(2, 7)][:n], [Fraction(1, 2), Fraction(3)][:n]
    fm = np.array([float(v) for v in _moments(atoms, weights, 2 * n + 2)])
    for kernel in (float_prony, float_pencil):
        x, w = kernel(fm, n)
        assert len(x) == len(w) == n
