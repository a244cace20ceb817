"""Exact recovery gives the atoms of one result one type when rational atoms sit beside
quadratic radicals, and prints and serialises every atom the same way."""

from fractions import Fraction

import sympy
from flint import fmpq, fmpq_poly
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from momentrnn import Exact, recover_measure
from momentrnn.moments.algebraic import AlgebraicField, AlgebraicNumber, field_moments

small = st.fractions(min_value=-3, max_value=3, max_denominator=12)
nonzero = small.filter(lambda q: q != 0)


def _is_square(q: Fraction) -> bool:
    return q >= 0 and sympy.sqrt(sympy.Rational(q.numerator, q.denominator)).is_Rational


def _fmpq(q: Fraction) -> fmpq:
    return fmpq(q.numerator, q.denominator)


def _expected_radical(b: Fraction, c: Fraction, value: complex):
    """The root of x^2 + b x + c nearest ``value``, as sympy writes it."""
    half = sympy.Rational(-b.numerator, 2 * b.denominator)
    disc = b * b - 4 * c
    root = sympy.sqrt(sympy.Rational(disc.numerator, disc.denominator)) / 2
    return min((half - root, half + root),
               key=lambda r: abs(complex(sympy.N(r, 50)) - value))


@settings(max_examples=25, derandomize=True, deadline=None)
@given(rationals=st.lists(small, min_size=1, max_size=2, unique=True), b=small, c=small,
       rational_weights=st.lists(nonzero, min_size=2, max_size=2),
       element=st.tuples(small, small), by_element=st.booleans())
def test_rational_and_quadratic_atoms_are_all_algebraic_numbers(
        rationals, b, c, rational_weights, element, by_element):
    assume(not _is_square(b * b - 4 * c))  # x^2 + b x + c irreducible over Q
    assume(not by_element or element != (0, 0))
    field = AlgebraicField(fmpq_poly([_fmpq(c), _fmpq(b), 1]))
    roots = [AlgebraicNumber(field, k) for k in range(2)]
    if by_element:  # weights u + v alpha on the two roots
        R = fmpq_poly([_fmpq(element[0]), _fmpq(element[1])])
        root_weights = [AlgebraicNumber(field, k, R) for k in range(2)]
    else:
        root_weights = [Fraction(1, 3), Fraction(1, 3)]
    atoms = [*rationals, *roots]
    weights = [*rational_weights[: len(rationals)], *root_weights]
    n = len(atoms)
    moments = [Fraction(int(m.p), int(m.q)) for m in field_moments(atoms, weights, 2 * n)]
    r = recover_measure(moments, precision=Exact())
    assert r.status == "ok" and r.rank == n
    assert {type(a) for a in r.atoms} == {AlgebraicNumber}, r.atoms
    assert len({type(w) for w in r.weights}) == 1, r.weights
    for q in rationals:
        assert q in r.measure.atoms
    texts = [str(a) for a in r.atoms]
    for a, text in zip(r.atoms, texts):
        if a.is_rational:
            assert text == str(a.rational_value)
        else:  # the sympy radical of the root, in square roots
            assert text == str(_expected_radical(b, c, complex(a)))
            assert any(a == root for root in roots)
    assert r.to_dict()["atoms"] == texts  # printed and serialised alike
    shown = repr(r.measure)
    assert all(text in shown for text in texts) and "AlgebraicNumber(" not in shown
    assert r.measure.moments(2 * n, precision=Exact()) == moments


def test_one_third_and_the_golden_pair():
    s5 = sympy.sqrt(5)
    atoms = [Fraction(1, 3), (1 - s5) / 4, (1 + s5) / 4]
    weights = [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]
    moments = [Fraction(str(sympy.expand(sum(w * sympy.nsimplify(a) ** j
                                             for a, w in zip(atoms, weights)))))
               for j in range(6)]
    r = recover_measure(moments, precision=Exact())
    assert [type(a) for a in r.atoms] == [AlgebraicNumber] * 3
    assert r.to_dict()["atoms"] == ["1/4 - sqrt(5)/4", "1/3", "1/4 + sqrt(5)/4"]
    assert str(r.measure) == "DiscreteMeasure({1/4 - sqrt(5)/4: 1/4, 1/3: 1/2, " \
        "1/4 + sqrt(5)/4: 1/4})"
    assert repr(r.atoms) == "(AlgebraicNumber(1/4 - sqrt(5)/4), AlgebraicNumber(1/3), " \
        "AlgebraicNumber(1/4 + sqrt(5)/4))"
