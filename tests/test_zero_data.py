"""Exact zero moments are the zero measure's: rank 0, decided exactly; rounded zeros decide none."""

from fractions import Fraction

import pytest

from momentrnn import MP, hankel_rank
from momentrnn.errors import InputError


@pytest.mark.parametrize("zeros", [[0] * 5, [Fraction(0)] * 4, ["0"] * 3])
def test_exact_zero_moments_have_rank_zero(zeros):
    evidence = hankel_rank(zeros)
    assert evidence.rank == 0 and evidence.rank_range == (0, 0)
    assert evidence.verdict == "exact"


def test_exact_zero_moments_rank_zero_at_any_precision():
    assert hankel_rank([0] * 5, precision=MP(30)).rank == 0


@pytest.mark.parametrize("kwargs", [{"data_error": [0.1, 0.1, 0.1]}, {}])
def test_zeros_with_an_error_decide_no_rank(kwargs):
    # Python complex numbers are read as rounded doubles: 0j carries a (subnormal) radius
    zeros = [0, 0, 0] if kwargs else [0j] * 3
    with pytest.raises(InputError, match="rounding"):
        hankel_rank(zeros, **kwargs)


def test_exact_zero_lags_are_the_zero_system():
    from momentrnn import minimal_realization

    with pytest.raises(InputError, match="exactly zero.*order 0"):
        minimal_realization([0, 0, 0, 0])
    with pytest.raises(InputError, match="zero up to their rounding"):
        minimal_realization([0.0, 0.0, 0.0, 0.0], data_error=1e-3)


def test_exact_quartic_atoms_are_flint_roots():
    # power sums of the roots of x^4 - x - 1 (sympy's CRootOf took about a minute here)
    from momentrnn import Exact, recover_measure
    from momentrnn.moments.algebraic import AlgebraicNumber

    r = recover_measure([4, 0, 0, 3, 4, 0, 3, 7], precision=Exact())
    assert r.status == "ok" and list(r.measure.weights) == [1, 1, 1, 1]
    assert all(isinstance(a, AlgebraicNumber) for a in r.measure.atoms)
    assert sorted(complex(a).real for a in r.measure.atoms)[0] < -0.72
