"""Hankel matrices, determinants, ranks and singular values as properties (``moments.hankel``).

Every entry is ``m_{i+j+shift}`` in every arithmetic (exact; balls containing it; rounded
within the arithmetic's accuracy), with the default and partial shapes the docstring states and
the refusal one moment short naming the count; determinants against an exact elimination;
the exact rank against sympy's rank, and the rank of an n-atom measure is n at every precision;
singular values against those of the exact matrix computed at high precision.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import MP, Ball, Exact, Float64
from momentrnn.errors import InputError
from momentrnn.moments._numbers import dyadic
from momentrnn.moments.hankel import (
    hankel_determinant,
    hankel_matrix,
    hankel_rank,
    hankel_singular_values,
)
from momentrnn.prove.validated import ball_bounds

FAST = settings(max_examples=12, derandomize=True, deadline=None)
fracs = st.builds(Fraction, st.integers(-30, 30), st.integers(1, 12))


@FAST
@given(st.lists(fracs, min_size=1, max_size=9), st.integers(0, 2), st.data())
def test_every_entry_is_the_shifted_moment_in_every_arithmetic(m, shift, data):
    available = len(m) - shift
    if available < 1:
        with pytest.raises(InputError):
            hankel_matrix(m, shift=shift)
        return
    rows = data.draw(st.one_of(st.none(), st.integers(1, available)))
    want_rows = (available + 1) // 2 if rows is None else rows
    want_cols = (available + 1) // 2 if rows is None else available - rows + 1
    for prec in (Exact(), MP(30), Ball(30), Float64()):
        H = hankel_matrix(m, rows, shift=shift, precision=prec)
        shape = (H.nrows(), H.ncols()) if callable(getattr(H, "nrows", None)) else (
            H.shape if isinstance(H, np.ndarray) else (H.rows, H.cols))
        assert tuple(shape) == (want_rows, want_cols), prec
        for i in range(want_rows):
            for j in range(want_cols):
                v, t = H[i, j], m[i + j + shift]
                if isinstance(prec, Exact):
                    assert Fraction(int(v.p), int(v.q)) == t
                elif isinstance(prec, Ball):
                    lo, hi = ball_bounds(v)
                    assert lo <= t <= hi
                else:
                    assert abs(Fraction(float(v)) - t) <= abs(t) * Fraction(1, 2**50)
    if rows is not None:
        H = hankel_matrix(m, cols=rows, shift=shift, precision=Exact())
        assert (H.nrows(), H.ncols()) == (available - rows + 1, rows)
    most = available - want_rows + 1  # the widest matrix of want_rows rows
    with pytest.raises(InputError, match=f"a {want_rows}x{most + 1} Hankel matrix with "
                                         f"shift {shift} needs {len(m) + 1} moments, got "
                                         f"{len(m)}"):
        hankel_matrix(m, want_rows, most + 1, shift=shift)


def test_shift_and_shape_refusals():
    for bad in (-1, True, 1.0):
        with pytest.raises(InputError, match=f"shift={bad!r} must be a non-negative integer"):
            hankel_matrix([1, 2, 3], shift=bad)
    with pytest.raises(InputError, match="rows"):
        hankel_matrix([1, 2, 3], 0)


@FAST
@given(st.lists(fracs, min_size=1, max_size=7), st.integers(0, 1))
def test_determinants_in_every_arithmetic(m, shift):
    size = (len(m) - shift + 1) // 2
    if size < 1:
        return
    exact = sympy.Matrix(size, size, lambda i, j: sympy.Rational(
        m[i + j + shift].numerator, m[i + j + shift].denominator)).det()
    want = Fraction(int(exact.p), int(exact.q))
    assert hankel_determinant(m, shift=shift) == want
    lo, hi = ball_bounds(hankel_determinant(m, shift=shift, precision=Ball(30)))
    assert lo <= want <= hi
    scale = max(abs(v) for v in m) ** size * 10
    got = hankel_determinant(m, shift=shift, precision=MP(30))
    got = dyadic(*got._mpf_[:3]) if hasattr(got, "_mpf_") else Fraction(got)
    assert abs(got - want) <= scale * Fraction(1, 10**25)
    got = hankel_determinant(m, shift=shift, precision=Float64())
    assert abs(Fraction(float(got)) - want) <= scale * Fraction(1, 10**12)


@FAST
@given(st.lists(fracs, min_size=1, max_size=9))
def test_the_exact_rank_is_the_rank_over_q(m):
    size = (len(m) + 1) // 2
    want = sympy.Matrix(size, size, lambda i, j: sympy.Rational(
        m[i + j].numerator, m[i + j].denominator)).rank()
    ev = hankel_rank(m)
    assert ev.rank == want and ev.size == size
    assert ev.verdict == ("full" if want == size else "exact")
    assert ev.rank_range == (want, want)


atoms_st = st.lists(st.sampled_from([Fraction(39, 100), Fraction(-1, 3), Fraction(7, 8),
                                     Fraction(-9, 10), Fraction(1, 10), Fraction(3, 2)]),
                    min_size=1, max_size=3, unique=True)


@settings(max_examples=6, derandomize=True, deadline=None)
@given(atoms_st, st.integers(1, 2))
def test_the_rank_of_an_n_atom_measure_is_n_at_every_precision(atoms, extra):
    n = len(atoms)
    weights = [Fraction(1, 3), Fraction(5, 7), Fraction(2)][:n]
    m = [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(2 * (n + extra) - 1)]
    assert hankel_rank(m).rank == n
    for prec in (MP(40), Float64()):
        ev = hankel_rank([float(v) for v in m], precision=prec, data_digits=14)
        assert ev.rank == n and ev.size == n + extra, (prec, ev.message)
        assert ev.verdict == "clear" and ev.rank_range == (n, n)
        assert len(ev.singular_values) == n + extra
        assert ev.singular_values[n - 1] > ev.noise_floor > ev.singular_values[n]
    full = hankel_rank([float(v) for v in m[:2 * n - 1]], data_digits=14)
    assert full.verdict == "full" and full.rank == n


def test_singular_values_are_those_of_the_exact_matrix():
    m = [Fraction(1, j + 1) for j in range(7)]  # the Hilbert matrix of order 4
    ctx = mpmath.mp.clone()
    ctx.prec = 400
    H = ctx.matrix(4, 4)
    for i in range(4):
        for j in range(4):
            H[i, j] = ctx.mpf(1) / (i + j + 1)
    want = sorted((abs(v) for v in ctx.eig(H)[0]), reverse=True)
    got = hankel_singular_values(m)
    assert len(got) == 4
    for g, w in zip(got, want):
        assert abs(g - w) <= w * 1e-12
    assert [float(g) for g in hankel_singular_values(m, 2)] == pytest.approx(
        sorted((float(abs(v)) for v in ctx.eig(H[0:2, 0:2])[0]), reverse=True), rel=1e-12)


def test_the_exact_determinant_is_computed_up_to_its_size_limit_and_refused_past_it():
    from momentrnn._limits import MAX_EXACT_DETERMINANT as most

    # m_(most - 1) = 1, every other moment 0: the anti-diagonal, det = +-1
    m = [0] * (2 * most - 1)
    m[most - 1] = 1
    assert abs(hankel_determinant(m, most)) == 1
    with pytest.raises(InputError, match=f"exact determinant of a {most + 1}x{most + 1} Hankel "
                                         f"matrix is more than the {most} rows"):
        hankel_determinant([0] * (2 * most + 1), most + 1)


def test_exact_evidence_reports_accurate_singular_values_below_full_rank():
    atoms, weights = [Fraction(39, 100), Fraction(-1, 3)], [Fraction(1, 3), Fraction(5, 7)]
    m = [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(7)]
    ev = hankel_rank(m)
    assert ev.rank == 2 and ev.size == 4 and len(ev.singular_values) == 4
    ctx = mpmath.mp.clone()
    ctx.prec = 400
    H = ctx.matrix(4, 4)
    for i in range(4):
        for j in range(4):
            v = m[i + j]
            H[i, j] = ctx.mpf(v.numerator) / v.denominator
    want = sorted((abs(v) for v in ctx.eig(H)[0]), reverse=True)  # symmetric: |eigenvalues|
    for got, w in zip(ev.singular_values[:2], want[:2]):
        assert abs(got - w) <= w * 1e-12
    assert all(v == 0 for v in ev.singular_values[2:])
