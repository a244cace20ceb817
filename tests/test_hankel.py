from fractions import Fraction

import flint
import numpy as np
import pytest

from momentrnn import MP, Ball, Exact, Float64, hankel_determinant, hankel_matrix, hankel_rank
from momentrnn.errors import InputError

from .helpers import legendre_moments


def test_matrix_kinds():
    m = [1, 2, 3, 4, 5]
    H = hankel_matrix(m)
    assert isinstance(H, flint.fmpq_mat) and H.nrows() == 3
    assert np.array_equal(hankel_matrix(m, precision=Float64()),
                          np.array([[1, 2, 3], [2, 3, 4], [3, 4, 5]]))
    H1 = hankel_matrix(m, 2, 2, shift=1, precision=Float64())
    assert np.array_equal(H1, np.array([[2, 3], [3, 4]]))
    assert hankel_matrix(m, precision=MP(20))[2, 2] == 5
    assert isinstance(hankel_matrix(m, precision=Ball(20)), flint.arb_mat)
    with pytest.raises(InputError, match="needs 7 moments"):
        hankel_matrix(m, 4, 4)


def test_determinant_of_two_atom_measure_closed_form():
    # det H_2 = w1 w2 (x1 - x2)^2 for a two-atom measure
    x, w = [Fraction(1, 3), Fraction(-2, 5)], [Fraction(3), Fraction(1, 7)]
    m = [sum(wi * xi**j for xi, wi in zip(x, w)) for j in range(3)]
    assert hankel_determinant(m) == w[0] * w[1] * (x[0] - x[1]) ** 2
    expected = float(w[0] * w[1] * (x[0] - x[1]) ** 2)
    assert abs(hankel_determinant(m, precision=Float64()) - expected) < 1e-14


@pytest.mark.parametrize("n", [1, 3, 6])
def test_exact_rank_of_n_atom_measure(n):
    x = [Fraction(i, n + 1) for i in range(n)]
    m = [sum(xi**j for xi in x) for j in range(2 * n + 5)]
    r = hankel_rank(m)
    assert r.rank == n and r.verdict == "exact" and r.ok


def test_full_rank_verdict_says_more_moments_needed():
    r = hankel_rank(legendre_moments(5)[:9])
    assert r.rank == 5 and r.verdict == "full"
    assert "more" in r.message or "at most" in r.message


def test_numeric_rank_clear_and_noise_floor():
    x = np.array([0.1, 0.5, 0.9])
    m = [float((x**j).sum()) for j in range(11)]
    r = hankel_rank(m)
    assert r.rank == 3 and r.verdict == "clear"
    assert r.singular_values[2] > 10 * r.noise_floor > r.singular_values[3]


def test_rank_ambiguous_when_a_singular_value_sits_on_the_floor():
    # two atoms 1e-6 apart: the second singular value is tiny; with 8-digit data it is on the floor
    x = np.array([0.5, 0.5 + 3e-5, -0.5])
    m = [float((x**j).sum()) for j in range(7)]
    verdicts = {hankel_rank(m, data_digits=d).verdict for d in (4, 6, 8, 10, 12, 16)}
    assert "ambiguous" in verdicts or len({hankel_rank(m, data_digits=d).rank
                                           for d in (4, 16)}) == 2


def test_rank_in_float64_is_wrong_for_many_atoms_but_right_with_precision():
    # REFERENCES: double-precision rank detection fails from about 20 atoms on
    m = legendre_moments(24)
    assert hankel_rank(m, precision=Float64()).rank < 24
    assert hankel_rank(m, precision=MP(60)).rank == 24
    assert hankel_rank(m, precision=Exact()).rank == 24


def test_rounded_zero_moments_refused():
    # exact zeros have rank 0 (tests/test_zero_data.py); rounded ones decide nothing
    with pytest.raises(InputError, match="zero"):
        hankel_rank([0.0, 0.0, 0.0], data_error=[1e-3] * 3)
