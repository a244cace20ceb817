"""Properties of the small modules of the engine: ``moments.symbolic`` and ``precision``.

Symbolic: the moments of a symbolic measure, the Hankel determinant's product formula (zero
past the number of atoms), and the Prony polynomial of exact moments, whose roots must be the
atoms (non-dyadic, negative) with the number of moments used stated exactly. Precision: the
digit/bit conversions round up, the dps range and its message, the precision objects, the flint
precision context (its floor of 16 bits, restored on exit) and MP's local contexts.
"""

from __future__ import annotations

import math
from fractions import Fraction

import flint
import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import MP, Ball, Exact, Float64
from momentrnn._limits import MAX_DPS
from momentrnn.errors import InputError
from momentrnn.moments.symbolic import (
    prony_polynomial,
    symbolic_hankel_determinant,
    symbolic_moments,
)
from momentrnn.precision import as_precision, bits_to_digits, digits_to_bits, flint_precision

FAST = settings(max_examples=25, derandomize=True, deadline=None)


@pytest.mark.parametrize("atoms,count", [(1, 1), (2, 4), (3, 5)])
def test_symbolic_moments_are_the_power_sums(atoms, count):
    m = symbolic_moments(atoms, count)
    x = sympy.symbols(f"x1:{atoms + 1}")
    w = sympy.symbols(f"w1:{atoms + 1}")
    assert len(m) == count
    for j, mj in enumerate(m):
        assert sympy.expand(mj - sum(wi * xi**j for xi, wi in zip(x, w))) == 0


@pytest.mark.parametrize("atoms", [1, 2, 3])
def test_hankel_determinant_is_the_product_formula_and_zero_past_the_atoms(atoms):
    x = sympy.symbols(f"x1:{atoms + 1}")
    w = sympy.symbols(f"w1:{atoms + 1}")
    formula = sympy.prod(w) * sympy.prod([(x[i] - x[j]) ** 2 for i in range(atoms)
                                          for j in range(i + 1, atoms)])
    got = symbolic_hankel_determinant(atoms)
    assert sympy.expand(got - formula) == 0
    assert got == sympy.factor(formula)
    assert sympy.expand(symbolic_hankel_determinant(atoms, atoms + 1)) == 0
    assert symbolic_hankel_determinant(atoms, factor=False) == sympy.expand(formula)
    if atoms > 1:
        smaller = symbolic_hankel_determinant(atoms, atoms - 1, factor=False)
        assert smaller != 0


atoms_st = st.lists(st.sampled_from([Fraction(39, 100), Fraction(-1, 3), Fraction(7, 5),
                                     Fraction(0), Fraction(-9, 4), Fraction(2, 7)]),
                    min_size=1, max_size=3, unique=True)


@FAST
@given(atoms_st, st.integers(0, 2))
def test_prony_polynomial_has_the_atoms_as_roots(atoms, extra):
    n = len(atoms)
    weights = [Fraction(1, 3), Fraction(5, 7), Fraction(2)][:n]
    m = [sum(w * a**j for a, w in zip(atoms, weights)) for j in range(2 * n + extra)]
    x = sympy.Symbol("x")
    want = sympy.Poly(sympy.prod([x - sympy.Rational(a.numerator, a.denominator)
                                  for a in atoms]), x, domain="QQ")
    assert prony_polynomial(m[:2 * n]) == want  # count // 2 = n
    assert prony_polynomial(m, rank=n) == want
    y = sympy.Symbol("y")
    assert prony_polynomial(m, rank=n, variable="y").as_expr() == want.as_expr().subs(x, y)
    big = n + 1 + extra // 2
    with pytest.raises(InputError, match=f"rank={big} needs {2 * big} moments, got {len(m)}"):
        prony_polynomial(m, rank=big)


def test_digits_and_bits_round_up():
    for digits in (1, 5, 15, 15.5, 30.5, 50, 333):
        bits = digits_to_bits(digits)
        assert bits >= digits * math.log2(10) > bits - 1
    assert digits_to_bits(15) == 50 and digits_to_bits(30.5) == 102
    assert abs(bits_to_digits(53) - 53 / math.log2(10)) < 1e-12


def test_dps_range_and_its_messages():
    for cls in (MP, Ball):
        assert cls(5).dps == 5 and cls(MAX_DPS).dps == MAX_DPS and cls(np.int64(20)).dps == 20
        for bad in (4, MAX_DPS + 1, 0, -10):
            with pytest.raises(InputError, match=f"dps={bad}\\) is out of range; use 5 <= dps "
                                                 f"<= {MAX_DPS}"):
                cls(bad)
        for bad in (True, 10.0, "20", None):
            with pytest.raises(InputError, match="integer number of decimal digits"):
                cls(bad)


def test_precision_objects_are_read_and_refused_by_name():
    assert as_precision(None, default=MP(30)) == MP(30)
    assert as_precision(Exact) == Exact() and as_precision(Float64) == Float64()
    b = Ball(40)
    assert as_precision(b) is b
    for bad in (None, 53, "mp", MP):
        with pytest.raises(InputError, match=f"precision={bad!r} .*not a precision object"):
            as_precision(bad)


def test_flint_precision_sets_restores_and_has_a_floor():
    before = flint.ctx.prec
    with flint_precision(200):
        assert flint.ctx.prec == 200
        with flint_precision(3):
            assert flint.ctx.prec == 16
        assert flint.ctx.prec == 200
    assert flint.ctx.prec == before
    with pytest.raises(ZeroDivisionError):
        with flint_precision(100):
            1 / 0  # noqa: B018
    assert flint.ctx.prec == before


def test_mp_contexts_are_local_and_at_the_digits_asked():
    ctx = MP(30).context()
    assert ctx.dps == 30 and ctx is not mpmath.mp
    assert MP(30).context(extra_dps=7).dps == 37
    assert mpmath.mp.dps == 15
