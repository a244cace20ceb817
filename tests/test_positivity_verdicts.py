"""``NotPositiveError`` is a verdict: it is raised only when a non-positive Hankel minor is
proved (exactly, or for every moment sequence within the data's accuracy). A non-positive
recurrence coefficient that rounding alone produced is an ``IllConditionedError`` that says
to raise the precision."""

from __future__ import annotations

from fractions import Fraction as F

import flint
import pytest

from momentrnn import MP, Exact, Float64, gauss_rule, recover_measure, recurrence_coefficients
from momentrnn.errors import IllConditionedError, NotPositiveError
from momentrnn.moments._arith import FLOAT, RATIONALS, MPArith, SignUndecided
from momentrnn.moments._ball import Balls, raise_if_not_positive
from momentrnn.moments._data import parse_moments

# the Lebesgue measure on [-1, 1]: positive, with beta_k = k^2 / (4 k^2 - 1)
UNIFORM = [F(2, j + 1) if j % 2 == 0 else F(0) for j in range(60)]


def _signed(count: int) -> list[F]:
    """Moments of 3 positive atoms and one negative one: H_4 is indefinite by a wide margin."""
    atoms = [F(1, 3), F(-5, 7), F(4, 5), F(-1, 9)]
    weights = [F(1), F(2, 3), F(3, 4), F(-1, 2)]
    return [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(count)]


def test_uniform_measure_exact_recurrence():
    alpha, beta = recurrence_coefficients(UNIFORM)
    assert alpha == [0] * 30
    assert beta == [F(2)] + [F(k * k, 4 * k * k - 1) for k in range(1, 30)]


@pytest.mark.parametrize("moments, precision", [
    (UNIFORM, Float64()),                       # exact moments, rounded arithmetic
    ([float(v) for v in UNIFORM], None),        # the default: doubles in double precision
    ([float(v) for v in UNIFORM], MP(15)),
])
def test_rounding_is_not_a_verdict(moments, precision):
    # IllConditionedError is an ArithmeticError; NotPositiveError (an InputError) is not one
    with pytest.raises(IllConditionedError) as info:
        recurrence_coefficients(moments, precision=precision)
    exc = info.value
    assert not isinstance(exc, NotPositiveError) and not isinstance(exc, ValueError)
    text = str(exc)
    assert "not decided" in text and "MP(dps)" in text
    if all(isinstance(v, F) for v in moments):
        assert "the exact moments give a positive definite H_30" in text
        assert "Exact()" in text
    else:
        assert "within the data's accuracy" in text


def test_uniform_default_float_precision_raises_precision_error():
    with pytest.raises(IllConditionedError, match=r"beta_\d+ = .* not decided"):
        recurrence_coefficients([float(v) for v in UNIFORM])


def test_mp_precision_high_enough_gives_the_coefficients():
    _, beta = recurrence_coefficients(UNIFORM, precision=MP(60))
    for k in range(1, 30):
        assert abs(beta[k] - F(k * k, 4 * k * k - 1)) < 1e-20


@pytest.mark.parametrize("precision", [None, Exact(), Float64(), MP(30)])
def test_exact_non_positive_sequence_is_still_refused(precision):
    with pytest.raises(NotPositiveError, match=r"H_4 is not positive definite"):
        recurrence_coefficients(_signed(8), precision=precision)
    with pytest.raises(NotPositiveError, match=r"H_2 is not positive definite"):
        recurrence_coefficients([1, 0, -1, 0], precision=precision)


@pytest.mark.parametrize("precision", [None, MP(30)])
def test_float_non_positive_by_a_wide_margin_is_still_refused(precision):
    m = [float(v) for v in _signed(8)]
    with pytest.raises(NotPositiveError, match=r"H_4 is not positive definite"):
        recurrence_coefficients(m, precision=precision)
    with pytest.raises(NotPositiveError):
        recurrence_coefficients([1.0, 0.0, -1.0, 0.0], precision=precision)


def test_gauss_rule_does_not_call_a_rounding_failure_non_positive():
    r = gauss_rule(UNIFORM, rank=30, precision=Float64(), throw=False)
    assert r.status == "ill_conditioned"
    # H_30 loses about 21 digits: refused before the work, with no verdict on positivity
    assert "not computed" in r.message and "is not positive definite (" not in r.message
    r = gauss_rule([float(v) for v in UNIFORM], rank=30, precision=Float64(), throw=False)
    assert r.status in ("data_limited", "ill_conditioned")
    assert "not decided" in r.message
    # the same sequence, decided: exact arithmetic vouches for 30 digits
    assert gauss_rule(UNIFORM[:20], rank=10, digits=30).digits >= 30


def test_gauss_rule_still_refuses_proved_non_positive_data():
    with pytest.raises(NotPositiveError, match="H_4"):
        recover_measure([float(v) for v in _signed(8)], method="gauss", rank=4,
                        precision=Float64(), throw=False)
    with pytest.raises(NotPositiveError, match="H_4"):
        recover_measure(_signed(8), method="gauss", rank=4, precision=MP(30), throw=False)


def test_arithmetic_positive_is_a_proof_only_when_it_says_false():
    assert FLOAT.positive(1e-300) is True
    assert FLOAT.positive(-1.0) is None and FLOAT.positive(0.0) is None
    mp = MPArith(MP(20).context())
    assert mp.positive(mp.convert(-1)) is None
    assert RATIONALS.positive(flint.fmpq(-1, 3)) is False
    assert RATIONALS.positive(flint.fmpq(0)) is False
    balls = Balls(64, real=True)
    assert balls.positive(flint.arb(-1, 0.5)) is False
    assert balls.positive(flint.arb(0, 1)) is None
    assert balls.positive(flint.arb(1, 0.5)) is True
    assert isinstance(FLOAT.undecided("x"), SignUndecided)


def test_raise_if_not_positive_reports_what_it_proved():
    assert raise_if_not_positive(parse_moments(UNIFORM[:20]), 10, "monomial") is True
    # doubles of a well-conditioned positive measure: proved for every sequence in the radii
    assert raise_if_not_positive(parse_moments([float(v) for v in UNIFORM[:8]]), 4,
                                 "monomial") is True
    # 60 doubles: the radii hide the sign of a beta, so nothing is proved either way
    assert raise_if_not_positive(parse_moments([float(v) for v in UNIFORM]), 30,
                                 "monomial") is False
    with pytest.raises(NotPositiveError):
        raise_if_not_positive(parse_moments(_signed(8)), 4, "monomial")
