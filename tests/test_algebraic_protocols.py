"""AlgebraicNumber converts with mpmath.mpf/mpc (correctly rounded at the precision asked) and
sympy.sympify (its exact value), and exact recovery gives the atoms of one result one type."""

from fractions import Fraction

import flint
import mpmath
import pytest
from flint import fmpq, fmpq_poly
from hypothesis import given, settings
from hypothesis import strategies as st
from mpmath import libmp

from momentrnn import Exact, recover_measure
from momentrnn.moments.algebraic import AlgebraicField, AlgebraicNumber

ROUNDINGS = ("n", "f", "c", "d", "u")
SQRT2 = AlgebraicField(fmpq_poly([-2, 0, 1]))          # roots -sqrt(2), sqrt(2)
CUBE2 = AlgebraicField(fmpq_poly([-2, 0, 0, 1]))        # 2^(1/3) and two complex roots
TILTED = AlgebraicField(fmpq_poly([fmpq(5, 4), -2, 1]))  # 1 -+ i/2: both parts dyadic
IMAGINARY = AlgebraicField(fmpq_poly([2, 0, 1]))         # -+ i sqrt(2): real part 0


def _fraction(t) -> Fraction:
    """An mpf tuple as the exact Fraction it is."""
    sign, man, exp, _ = t
    return (-1) ** sign * Fraction(man) * Fraction(2) ** exp


def _neighbours(t, prec):
    """The prec-bit numbers just below and above the mpf tuple t (t itself of prec bits)."""
    man, exp = libmp.to_man_exp(t)
    tiny = libmp.from_man_exp(1, exp + man.bit_length() - 4 * prec - 20)
    return (_fraction(libmp.mpf_sub(t, tiny, prec, "f")),
            _fraction(libmp.mpf_add(t, tiny, prec, "c")))


def _sqrt2_tests(sign):
    """(x > q, x < q) for x = sign * sqrt(2), decided exactly for a rational q."""
    def above(q):
        return (q < 0 or q * q < 2) if sign > 0 else (q < 0 and q * q > 2)

    return above, lambda q: not above(q)  # x is irrational: never equal to q


def _rounds_to(value_below, value_above, t, prec, rounding):
    """Whether t is the correct rounding, in ``rounding``, of a number x given by two exact
    tests: value_below(q) says x > q, value_above(q) says x < q."""
    q = _fraction(t)
    lower, upper = _neighbours(t, prec)
    if rounding == "n":
        return value_below((lower + q) / 2) and value_above((q + upper) / 2)
    toward_floor = rounding == "f" or (rounding == "d" and q > 0) or (rounding == "u" and q < 0)
    if toward_floor:
        return not value_above(q) and value_above(upper)
    return not value_below(q) and value_below(lower)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(prec=st.integers(2, 700), rounding=st.sampled_from(ROUNDINGS), index=st.sampled_from([0, 1]))
def test_mpmath_rounds_square_roots_of_two_correctly(prec, rounding, index):
    x = AlgebraicNumber(SQRT2, index)                  # -sqrt(2) or sqrt(2)
    t = x._mpmath_(prec, rounding)._mpf_
    above, below = _sqrt2_tests(1 if index == 1 else -1)
    assert _rounds_to(above, below, t, prec, rounding)


@settings(max_examples=40, derandomize=True, deadline=None)
@given(prec=st.integers(2, 400), rounding=st.sampled_from(ROUNDINGS))
def test_mpmath_rounds_the_real_cube_root_correctly(prec, rounding):
    x = AlgebraicNumber(CUBE2, 0)
    t = x._mpmath_(prec, rounding)._mpf_
    assert _rounds_to(lambda q: q**3 < 2, lambda q: q**3 > 2, t, prec, rounding)


@pytest.mark.parametrize("prec", [2, 10, 53, 113, 333])
def test_mpmath_mpf_in_a_local_context_is_sqrt_two(prec):
    ctx = mpmath.MPContext()
    ctx.prec = prec
    assert ctx.mpf(AlgebraicNumber(SQRT2, 1)) == ctx.sqrt(2)
    assert ctx.mpf(AlgebraicNumber(SQRT2, 0)) == -ctx.sqrt(2)
    assert ctx.convert(AlgebraicNumber(SQRT2, 1)) == ctx.sqrt(2)


@pytest.mark.parametrize("rounding", ROUNDINGS)
@pytest.mark.parametrize("value", [Fraction(1, 2), Fraction(-3, 10), Fraction(0), Fraction(7)])
def test_rational_elements_round_exactly_even_when_representable(value, rounding):
    x = AlgebraicNumber(SQRT2, 0, fmpq_poly([fmpq(value.numerator, value.denominator)]))
    for prec in (2, 53, 200):
        got = x._mpmath_(prec, rounding)._mpf_
        want = libmp.from_rational(value.numerator, value.denominator, prec, rounding)
        assert got == want


@pytest.mark.parametrize("rounding", ROUNDINGS)
def test_complex_parts_that_are_dyadic_or_zero_round_exactly(rounding):
    for prec in (2, 24, 53, 150):
        for index in (0, 1):
            z = AlgebraicNumber(TILTED, index)._mpmath_(prec, rounding)
            assert isinstance(z, mpmath.mpc)
            assert _fraction(z.real._mpf_) == 1 and abs(_fraction(z.imag._mpf_)) == Fraction(1, 2)
            w = AlgebraicNumber(IMAGINARY, index)._mpmath_(prec, rounding)
            assert w.real == 0
            t = w.imag._mpf_
            above, below = _sqrt2_tests(1 if _fraction(t) > 0 else -1)
            assert _rounds_to(above, below, t, prec, rounding)


def test_complex_roots_convert_with_mpc_and_refuse_mpf():
    ctx = mpmath.MPContext()
    ctx.prec = 120
    values = [ctx.convert(AlgebraicNumber(CUBE2, k)) for k in range(3)]
    for v in values:
        assert abs(v**3 - 2) < ctx.mpf(2) ** -110
    assert sum(1 for v in values if v.imag != 0) == 2
    with pytest.raises(TypeError):
        ctx.mpf(AlgebraicNumber(CUBE2, 1 if values[1].imag else 2))


def test_sympify_gives_the_exact_root():
    sympy = pytest.importorskip("sympy")
    x = sympy.Symbol("x")
    # degree 2: square roots, as repr and str write them (sympy's CRootOf of x^2 - 2 is the
    # same number: its root 1 is sqrt(2), its root 0 is -sqrt(2))
    assert sympy.sympify(AlgebraicNumber(SQRT2, 1)) == sympy.sqrt(2)
    assert sympy.sympify(AlgebraicNumber(SQRT2, 0)) == -sympy.sqrt(2)
    for k, sign in ((1, 1), (0, -1)):
        root = sympy.CRootOf(x**2 - 2, k)
        assert abs((sympy.sympify(AlgebraicNumber(SQRT2, k)) - root).evalf(60)) < 1e-55
        assert sign * root > 0
    # -sqrt(2) written as the element -x at the root sqrt(2)
    assert sympy.sympify(AlgebraicNumber(SQRT2, 1, fmpq_poly([0, -1]))) == -sympy.sqrt(2)
    half = sympy.sympify(AlgebraicNumber(SQRT2, 1, fmpq_poly([fmpq(1, 2)])))
    assert half == sympy.Rational(1, 2)
    for k in range(3):
        value = AlgebraicNumber(CUBE2, k)
        exact = sympy.sympify(value)
        assert isinstance(exact, sympy.CRootOf) and exact.poly.as_expr() == x**3 - 2
        assert abs(complex(exact.evalf(30)) - complex(value)) < 1e-14
    # sqrt(2) + 1 as the element x + 1: a root of x^2 - 2x - 1
    shifted = sympy.sympify(AlgebraicNumber(SQRT2, 1, fmpq_poly([1, 1])))
    assert shifted == 1 + sympy.sqrt(2)
    assert abs(float(shifted.evalf(30)) - (1 + 2**0.5)) < 1e-15


@pytest.mark.parametrize("weighted_by_atom", [False, True])
def test_the_atoms_of_one_exact_result_have_one_type(weighted_by_atom):
    from momentrnn.moments.algebraic import field_moments

    # x (x^3 - 2): a rational atom beside the roots of an irreducible cubic, with rational
    # weights, or weights alpha (algebraic) on the cube roots
    roots = [AlgebraicNumber(CUBE2, k) for k in range(3)]
    atoms = [Fraction(0), *roots]
    weights = [Fraction(1, 3), *(roots if weighted_by_atom else [Fraction(1)] * 3)]
    moments = [Fraction(int(m.p), int(m.q)) for m in field_moments(atoms, weights, 8)]
    r = recover_measure(moments, precision=Exact())
    assert r.status == "ok" and r.rank == 4
    assert {type(a) for a in r.measure.atoms} == {AlgebraicNumber}
    assert len({type(w) for w in r.measure.weights}) == 1, r.measure.weights
    assert 0 in r.measure.atoms and Fraction(1, 3) in r.measure.weights
    assert r.measure.moments(8, precision=Exact()) == moments
    assert r.to_dict()["atoms"][1] == "0" or "0" in r.to_dict()["atoms"]


def test_flint_context_is_left_as_it_was():
    before = flint.ctx.prec
    AlgebraicNumber(CUBE2, 0)._mpmath_(300, "n")
    assert flint.ctx.prec == before


def test_a_part_is_proved_equal_to_a_rational_only_when_it_is():
    """The exact test behind the rounding of a part that sits on a rounding boundary: a
    dyadic within 2^-400 of an irrational part is not that part."""
    ctx = mpmath.MPContext()
    ctx.prec = 400
    for k in range(3):
        z = AlgebraicNumber(CUBE2, k)
        if z.is_real:
            continue
        v = ctx.convert(z)
        near_re, near_im = _fraction(v.real._mpf_), _fraction(v.imag._mpf_)
        assert not z._part_equals(0, near_re) and not z._part_equals(1, near_im)
        assert not z._part_equals(1, -near_im)
    tilted = [AlgebraicNumber(TILTED, k) for k in range(2)]
    up = next(z for z in tilted if complex(z).imag > 0)
    tiny = Fraction(1, 2**300)
    assert up._part_equals(1, Fraction(1, 2)) and up._part_equals(0, Fraction(1))
    assert not up._part_equals(1, Fraction(-1, 2)) and not up._part_equals(1, Fraction(1, 2) + tiny)
    assert not up._part_equals(0, 1 - tiny)
    for z in (AlgebraicNumber(IMAGINARY, k) for k in range(2)):
        assert z._part_equals(0, Fraction(0)) and not z._part_equals(0, tiny)
