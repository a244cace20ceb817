"""Bad input gets a typed error (API) with a message that names the value and the fix."""

import numpy as np
import pytest

from momentrnn import MP, Exact, Float64, recover_measure
from momentrnn.errors import (
    DataAccuracyError,
    IllConditionedError,
    InputError,
    NotPositiveError,
    PrecisionMismatchError,
    RankError,
)

from .helpers import legendre_moments


def test_nan_and_inf():
    with pytest.raises(InputError, match="moment 1"):
        recover_measure([1.0, float("nan")])
    with pytest.raises(InputError, match="finite"):
        recover_measure([1.0, float("inf")])


def test_odd_count_and_too_few():
    with pytest.raises(InputError, match="odd"):
        recover_measure([1, 2, 3])
    with pytest.raises(RankError, match="2\\*rank = 6"):
        recover_measure([1, 2, 3, 4], rank=3)


def test_rank_larger_than_the_data_identify():
    m = [1, 1, 1, 1, 1, 1]  # one atom at 1
    with pytest.raises(RankError, match="larger than the data can identify"):
        recover_measure(m, rank=2)
    x = np.array([0.2, 0.7])
    mf = [float((x**j).sum()) for j in range(8)]
    # a numerical rank is no proof that a third atom is absent, but no digit of a third one
    # can be vouched for from 16-digit data
    with pytest.raises(DataAccuracyError):
        recover_measure(mf, rank=3)
    r = recover_measure(mf, rank=3, throw=False)
    assert r.status == "data_limited" and r.digits == 0


def test_floats_refused_by_exact():
    with pytest.raises(PrecisionMismatchError, match="Fraction"):
        recover_measure([1.0, 0.5], precision=Exact())


def test_data_too_inaccurate():
    m = [float(v) for v in legendre_moments(30)]
    with pytest.raises(RankError, match="rank is between"):
        recover_measure(m, digits=20)  # 16-digit data cannot even decide the rank
    with pytest.raises(DataAccuracyError, match="within th(e data's|at) accuracy"):
        recover_measure(m, rank=30, digits=20)
    r = recover_measure(m, rank=30, digits=20, throw=False)
    assert r.status == "data_limited" and r.digits < 20 and "more accurate" in r.message


def test_gauss_on_signed_data():
    m = [1, 0, -1, 0]  # Hankel [[1, 0], [0, -1]] is indefinite
    with pytest.raises(NotPositiveError, match="not positive definite"):
        recover_measure(m, method="gauss")
    with pytest.raises(NotPositiveError):
        recover_measure([1.0, 0.0, -1.0, 0.0], method="gauss", precision=Float64())


def test_coincident_atoms():
    # m_j = (j+1) a^j is the moment sequence of a double atom (a derivative of delta)
    a = 0.5
    from fractions import Fraction
    m = [(j + 1) * Fraction(1, 2) ** j for j in range(4)]
    with pytest.raises(InputError, match="multiplicity|repeated"):
        recover_measure(m, precision=Exact())
    with pytest.raises(InputError, match="multiplicity|repeated"):
        recover_measure(m, digits=10)
    del a


def test_zero_measure():
    with pytest.raises(InputError, match="zero measure"):
        recover_measure([0, 0, 0, 0])


def test_unknown_method_and_bad_digits():
    with pytest.raises(InputError, match="method="):
        recover_measure([1, 1], method="magic")
    with pytest.raises(InputError, match="digits="):
        recover_measure([1, 1], digits=-3)


def test_fixed_precision_too_low_is_flagged_not_silent():
    m = legendre_moments(30)
    r = recover_measure(m, precision=MP(20), throw=False, digits=15)
    assert r.status != "ok" and r.digits < 15
    with pytest.raises(IllConditionedError):
        recover_measure(m, precision=MP(20), digits=15)
