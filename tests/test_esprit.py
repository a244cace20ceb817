"""ESPRIT (``method="esprit"``): the atoms from the shift invariance of the Hankel signal
subspace, in doubles and in mpmath, certified through the ball pencil. Measures are drawn with
their exact truth over Q(sqrt D) (non-dyadic rational atoms, weights of both signs, complex
conjugate pairs, irrational real pairs); every vouched digit is compared with that truth."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import flint
import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from momentrnn import MP, Ball, Exact, Float64, recover_measure
from momentrnn.errors import MomentRNNError, RankError
from momentrnn.moments import METHODS
from momentrnn.moments._arith import FLOAT, RATIONALS, MPArith, SingularSystem
from momentrnn.moments.algorithms.esprit import esprit, hankel_shape
from tests._adversarial import truths
from tests.helpers import exact_mp

TRUTH = mpmath.MPContext()
TRUTH.prec = 600
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _value(v):
    """A returned number in TRUTH, exactly."""
    return exact_mp(TRUTH, v)


def _errors(atoms, weights, truth):
    """(normwise atom error, normwise weight error) of a recovered measure against the truth,
    each relative to the largest true atom or weight, for the pairing of recovered and true
    atoms that makes the larger of the two smallest (atoms closer than the error bound can be
    paired either way: the measure is a set of pairs)."""
    xs, ws = truth.mp(TRUTH)
    got = [(_value(a), _value(w)) for a, w in zip(atoms, weights)]
    assert len(got) == len(xs)
    scale_a = max(abs(x) for x in xs) or TRUTH.mpf(1)
    scale_w = max(abs(w) for w in ws)
    best = None
    for order in itertools.permutations(range(len(xs))):
        err_a = max(abs(a - xs[j]) for (a, _), j in zip(got, order)) / scale_a
        err_w = max(abs(w - ws[j]) for (_, w), j in zip(got, order)) / scale_w
        if best is None or max(err_a, err_w) < max(best):
            best = (err_a, err_w)
    return best


def _separated(truth, gap: float) -> bool:
    """At most 4 atoms in the unit disc, ``gap`` apart, weights within a factor 1000: a
    problem conditioned well enough for a fixed error bound."""
    xs = [complex(x) for x in truth.mp(TRUTH)[0]]
    ws = [abs(complex(w)) for w in truth.mp(TRUTH)[1]]
    return (len(xs) <= 4 and max(abs(x) for x in xs) <= 1
            and all(abs(a - b) >= gap for i, a in enumerate(xs) for b in xs[:i])
            and min(ws) >= 1e-3 * max(ws))


MEASURES = truths(kinds=("rational", "complex", "algebraic"), max_atoms=4)


@SETTINGS
@given(MEASURES, st.integers(0, 2))
def test_esprit_in_mpmath_recovers_the_exact_measure(truth, extra):
    """Well separated atoms: the mpmath ESPRIT at 60 digits is within 1e-25 of the truth,
    from 2n moments and from more (least squares); 30 digits more give 30 digits more."""
    assume(_separated(truth, 0.05))
    n = truth.size
    m = truth.moment_list(2 * n + 2 * extra)
    for dps, tol in ((60, 25), (90, 55)):
        ctx = MP(dps).context()
        atoms, weights = esprit(MPArith(ctx), [ctx.mpf(v.numerator) / v.denominator for v in m],
                                n)
        err_a, err_w = _errors(atoms, weights, truth)
        assert err_a < TRUTH.mpf(10) ** -tol and err_w < TRUTH.mpf(10) ** -tol, (err_a, err_w)
    assert mpmath.mp.dps == 15  # nothing global was touched


@SETTINGS
@given(MEASURES, st.integers(0, 2))
def test_esprit_in_doubles_recovers_the_exact_measure(truth, extra):
    assume(_separated(truth, 0.2))
    n = truth.size
    m = np.array([float(v) for v in truth.moment_list(2 * n + 2 * extra)])
    atoms, weights = esprit(FLOAT, m, n)
    err_a, err_w = _errors(atoms, weights, truth)
    assert err_a < 1e-6 and err_w < 1e-6, (err_a, err_w)


def _vouched_ok(result, truth) -> None:
    assert result.status != "inconsistent", result.message
    if result.measure is None or not result.digits:
        return
    err_a, err_w = _errors(result.measure.atoms, result.measure.weights, truth)
    if math.isinf(result.digits):  # exact: equal to the truth (up to the 600 bits compared)
        assert err_a < TRUTH.ldexp(1, -500) and err_w < TRUTH.ldexp(1, -500), (err_a, err_w)
        return
    bound = TRUTH.mpf(10) ** -TRUTH.mpf(result.digits) * (1 + TRUTH.mpf(10) ** -9)
    assert err_a <= bound and err_w <= bound, (result.precision, result.digits, err_a, err_w)


@SETTINGS
@given(truths(max_atoms=3), st.sampled_from([Float64(), MP(30), None, Ball(40), Exact()]),
       st.booleans())
def test_every_digit_esprit_vouches_for_is_true(truth, precision, rounded):
    """Any measure the adversarial generator draws (near atoms, wide weights, end points,
    complex pairs, irrational atoms), its moments exact or rounded to doubles, in every
    precision: the vouched digits are never wrong."""
    n = truth.size
    exact = truth.moment_list(2 * n)
    if rounded:
        assume(not isinstance(precision, Exact))
        data = [float(v) for v in exact]
    else:
        data = exact
    try:
        result = recover_measure(data, rank=n, method="esprit", precision=precision,
                                 throw=False)
    except MomentRNNError:
        # rounded data may be refused (their values as given can be singular); exact data of
        # the true rank never are
        assert rounded
        return
    assert result.method == "esprit"
    _vouched_ok(result, truth)


@SETTINGS
@given(truths(kinds=("rational", "complex", "algebraic"), max_atoms=3))
def test_esprit_agrees_with_the_pencil(truth):
    """Both are certified by balls; where both vouch for digits they agree to the fewer."""
    n = truth.size
    m = truth.moment_list(2 * n)
    for precision in (MP(40), Float64()):
        ours = recover_measure(m, rank=n, method="esprit", precision=precision, throw=False)
        theirs = recover_measure(m, rank=n, method="pencil", precision=precision, throw=False)
        digits = min(ours.digits, theirs.digits)
        if not digits or ours.measure is None or theirs.measure is None:
            continue
        assert len(ours.atoms) == len(theirs.atoms) == n
        scale = max(abs(_value(a)) for a in theirs.atoms) or 1
        for a in ours.atoms:
            gap = min(abs(_value(a) - _value(b)) for b in theirs.atoms)
            assert gap <= 2 * TRUTH.mpf(10) ** -TRUTH.mpf(digits) * scale, (precision, gap)


def test_esprit_is_registered_and_certified_by_the_ball_pencil():
    method = METHODS["esprit"]
    assert method.certifier == "pencil"
    assert method.ball_impl is METHODS["pencil"].ball_impl
    m = [Fraction(3, 7) * Fraction(1, 3) ** j - Fraction(2, 9) * Fraction(-5, 11) ** j
         for j in range(6)]
    certified = recover_measure(m, rank=2, method="esprit", digits=40)
    assert certified.ok and certified.method == "esprit" and certified.digits >= 40
    assert sorted(recover_measure(m, method="esprit", precision=Exact()).atoms) == [
        Fraction(-5, 11), Fraction(1, 3)]


def test_esprit_bad_input_is_refused_with_the_reason():
    with pytest.raises(RankError, match=r"ESPRIT needs 2\*rank = 6 moments, got 4"):
        esprit(FLOAT, np.array([1.0, 0.5, 0.25, 0.125]), 3)
    with pytest.raises(NotImplementedError, match="exact arithmetic has no singular value"):
        esprit(RATIONALS, [flint.fmpq(v) for v in (1, 2, 3, 4)], 1)
    class NoSolve(MPArith):  # an arithmetic that finds the shifted subspace singular
        def solve(self, A, B):
            raise SingularSystem

    ctx = MP(20).context()
    with pytest.raises(RankError, match=r"signal subspace of the 3x2 Hankel matrix is singular "
                                        r"in 20 digits: the data do not carry 2 atoms"):
        esprit(NoSolve(ctx), [ctx.mpf(v) for v in (1, 2, 5, 3)], 2)
    assert hankel_shape(6, 3) == (4, 3) and hankel_shape(7, 3) == (5, 3)
    assert hankel_shape(20, 3) == (11, 10)
