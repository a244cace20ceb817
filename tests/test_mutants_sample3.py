"""Behaviours stated for the survivors of the seed-3 mutation sample.

Each test names the mutant it was written for (``benchmarks/_mutation/survivors_seed3.json``);
each states a property with an independently computed truth, never the code's own output.
"""

from __future__ import annotations

import math
import threading
import time
from fractions import Fraction

import flint
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.errors import InputError, RankError


# S019: _ulp_radius's binary exponent taken as the sum of the bit lengths: a tiny double's
# value scaled by 2**-e underflows to 0 and its radius becomes the smallest subnormal
@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.floats(min_value=1e-307, max_value=1e300, allow_subnormal=False),
       st.booleans())
def test_a_double_read_has_at_least_half_an_ulp_of_radius(x, negative):
    from momentrnn.moments._numbers import read_number

    value = -x if negative else x
    reading = read_number(value)
    assert reading.real == Fraction(value)
    # the ball [x +- r] must hold every real that rounds to x: half an ulp of x
    assert Fraction(reading.radius) >= Fraction(math.ulp(value)) / 2


@pytest.mark.parametrize("value", [1e-300, -3.9e-301, 7 / 9 * 1e-250])
def test_a_tiny_double_read_has_a_radius_above_the_smallest_subnormal(value):
    # S019, the case where the mutant's scaled value underflows
    from momentrnn.moments._numbers import read_number

    assert Fraction(read_number(value).radius) >= Fraction(math.ulp(value)) / 2


# S017: the radius given to a sympy value's decimal reading shrunk from 10**-(dps-5) to
# 10**-(dps+5), below the decimal's own error
def test_a_sympy_value_whose_decimal_reading_is_dyadic_keeps_its_true_value():
    import sympy

    from momentrnn.moments._scalars import to_ball

    value = 1 + sympy.sqrt(2) / 10**30  # its 25-digit decimal reading is 1 exactly
    ball = to_ball(value)
    old = flint.ctx.prec
    try:
        flint.ctx.prec = 400
        truth = 1 + flint.arb(2).sqrt() / flint.arb(10) ** 30
    finally:
        flint.ctx.prec = old
    assert ball.contains(truth)


# S026: an integer loss beyond the largest double made -inf (then refused as negative)
def test_a_loss_beyond_the_double_range_is_an_infinite_accuracy_bound_not_a_negative_loss():
    from momentrnn.rnn.analysis import moment_accuracy

    assert moment_accuracy(10**400) == math.inf
    assert moment_accuracy(Fraction(10**401, 3)) == math.inf
    with pytest.raises(InputError, match="negative"):
        moment_accuracy(-(10**400))


# S033: EXIT_FAIL made 2, the status of bad input
def test_each_exit_status_means_one_thing():
    from momentrnn.cli import _common

    codes = [code for code, _ in _common.EXIT_STATUSES]
    assert len(set(codes)) == len(codes)
    assert _common.EXIT_FAIL not in (_common.EXIT_OK, _common.EXIT_INPUT, _common.EXIT_ERROR,
                                     _common.EXIT_MISSING)


# S054: the stability bound's work cap raised from 600**3 (120 + 160), the cap its comment and
# the limits table state, to 600**3 * 281
def test_the_stability_bound_refuses_order_600_for_an_atom_of_121_bits():
    from momentrnn.moments.sdp import stability_bound

    atom = Fraction(3**37, 3**38 + 2**60)
    bits = atom.numerator.bit_length() + atom.denominator.bit_length()
    assert bits == 121 and abs(atom) <= 1
    assert 600**3 * (bits + 160) > 600**3 * (120 + 160)
    with pytest.raises(InputError, match="order <= "):
        stability_bound([Fraction(39, 100), atom], order=600, tolerance=1e-3)


# S007: end() stops waiting for the clock thread (it joined only the current thread)
def test_a_progress_line_ends_only_after_its_clock_thread_has_finished():
    from momentrnn._progress import ProgressLine

    line = ProgressLine(lambda elapsed, tty: "working", enabled=True, every=100.0)
    finished = threading.Event()

    def slow_clock():  # a clock that takes a while to wind down once stopped
        line.stopped.wait()
        time.sleep(0.3)
        finished.set()

    line._tick = slow_clock
    line.begin()
    line.end()
    assert finished.is_set()
    assert line.clock is None


# S023: the block whose zero-ness is reported was computed with count // 3 instead of count // 2
@pytest.mark.parametrize("lags", [[0.0, 0.0, 0.0, 0.0, 0.0, 0.39],
                                  [1e-30, -1e-31, 0.0, 2e-30, 0.0, 0.39, 0.1]])
def test_an_unidentified_order_names_the_whole_square_hankel_block(lags):
    from momentrnn.moments.realization import minimal_realization

    n = len(lags) // 2  # the n x n Hankel block reads h_0 .. h_{2n - 2}
    with pytest.raises(RankError) as info:
        minimal_realization(lags)
    assert f"h_0..h_{2 * n - 2} is zero" in str(info.value)
    assert "yet h_5 = 0.39" in str(info.value)


# S032: the mpmath eigendecomposition's left weights read V one row down
def test_an_mp_measure_of_a_linear_rnn_has_its_moments_c_a_j_b():
    from momentrnn.precision import MP
    from momentrnn.rnn.models import LinearRNN

    A = [[0.5, 0.25], [0.125, -0.3]]
    B = [1.0, 0.39]
    C = [0.7, -1 / 3]
    measure = LinearRNN(A, B, C).measure(precision=MP(40))
    Aq = [[Fraction(x) for x in row] for row in A]
    v = [Fraction(x) for x in B]
    for j in range(5):  # h_j = C A^j B exactly, from the doubles as given
        h = sum(Fraction(c) * x for c, x in zip(C, v))
        got = sum(w * a**j for a, w in zip(measure.atoms, measure.weights))
        assert abs(complex(got) - float(h)) <= 1e-13
        v = [sum(r[k] * v[k] for k in range(2)) for r in Aq]


# S053: the torch descent's last state checked with the first recorded loss, not the last
def test_the_torch_descent_reaches_its_target_on_the_last_step_as_numpy_does():
    pytest.importorskip("torch")
    from momentrnn.dynamics.gd import gradient_descent
    from momentrnn.rnn.models import DiagonalRNN

    teacher = DiagonalRNN([0.39, -1 / 3], [1.0, 0.7], [0.5, 1 / 3])
    student = DiagonalRNN([0.3, -0.2], [0.9, 0.6], [0.6, 0.3])
    kw = dict(k=4, lr=0.1, until_loss=1e-7)
    first = gradient_descent([student], teacher, steps=3000, **kw)
    n = int(first.reached_at[0])
    assert n > 0
    for steps, at in ((n, n), (n - 1, -1)):  # the target is reached at step n, not before
        for backend in ("numpy", "torch"):
            got = gradient_descent([student], teacher, steps=steps, backend=backend, **kw)
            assert int(got.reached_at[0]) == at, (backend, steps)


# S020: the flow's progress bar drawn only for a loss <= 0 instead of a positive one
def test_the_flow_progress_bar_grows_with_the_loss_decades_gained():
    from momentrnn.cli.flow import _Progress

    progress = _Progress(quiet=True)
    try:
        progress(0.0, 1.0)
        bars = []
        for t, loss in ((1.5, 0.039), (2.0, 3.9e-5)):
            progress(t, loss)
            bars.append(progress._describe(3.0, True).count("#"))
        assert 0 < bars[0] < bars[1]
    finally:
        progress.done()


# S039: the median state rank taken over one lag when no run has a state rank
def test_a_nonlinear_summary_without_state_ranks_says_so():
    from momentrnn.experiments.families import FAMILIES
    from momentrnn.experiments.families.base import SweepRow

    family = FAMILIES["nonlinear"]
    rows = [SweepRow(run={"cell": "gru", "teacher_dim": 2, "dim": 3, "scale": 0.39, "seed": s,
                          "k": 4},
                     at_length={16: {"extrapolation_rel_mse": Fraction(39, 100) + s}})
            for s in range(2)]
    head, body = family.summary_table(rows)
    column = next(i for i, h in enumerate(head) if "state rank" in h)
    assert [row[column] for row in body] == ["n/a"]


# S063: the search for the rank the data prove stopped (no witness computed) once 3n >= count
def test_a_rank_the_data_prove_is_the_rank_a_double_precision_refusal_speaks_of():
    import mpmath

    from momentrnn import recover_measure
    from momentrnn.errors import IllConditionedError
    from momentrnn.precision import Float64

    ctx = mpmath.mp.clone()
    ctx.prec = 300
    atoms = [Fraction(39, 100), Fraction(-1, 3), Fraction(7, 9), Fraction(-9, 10)]
    weights = [Fraction(1), Fraction(1), Fraction(1, 10**20), Fraction(1, 10**20)]
    exact = [sum(w * a**j for a, w in zip(atoms, weights)) for j in range(8)]
    moments = [ctx.mpf(m.numerator) / m.denominator for m in exact]  # 90 digits: 4 atoms show
    # the rank the double SVD sees is 2; the moments, known to 90 digits, fit no 3 atoms, so
    # the problem spoken of is the 4-atom one, H_4
    with pytest.raises(IllConditionedError) as info:
        recover_measure(moments, precision=Float64())
    assert "H_4" in str(info.value) and "H_3" not in str(info.value)
