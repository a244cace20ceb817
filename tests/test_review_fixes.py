"""Regression tests: the accuracy of a double-precision response, overflowing students,
integrator precision and numpy error state, registry declarations and missing checks."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest

from momentrnn import DiagonalRNN, DiscreteMeasure
from momentrnn.errors import InputError
from momentrnn.rnn.analysis import _response_rounding, effective_dimension, learned_measure


def _matches_within_digits(learned, atoms, weights):
    """Every true atom and weight is within the vouched normwise digits of a learned one,
    checked in 50-digit arithmetic against the exact true values."""
    ctx = mpmath.MPContext()
    ctx.dps = 50
    got_a = [ctx.mpmathify(x) for x in learned.measure.atoms]
    got_w = [ctx.mpmathify(w) for w in learned.measure.weights]
    tol = ctx.mpf(10) ** (-learned.digits)
    tol_a = tol * max(abs(x) for x in got_a)
    tol_w = tol * max(abs(w) for w in got_w)
    for x, w in zip(atoms, weights):
        x, w = ctx.mpmathify(x), ctx.mpmathify(w)
        j = min(range(len(got_a)), key=lambda k: abs(got_a[k] - x))
        if abs(got_a[j] - x) > tol_a or abs(got_w[j] - w) > tol_w:
            return False
    return True


def test_learned_measure_does_not_claim_more_than_the_double_response_carries():
    a, b = [0.9, 0.9, 0.3], [1e4, 1e4, 1.0]
    learned = learned_measure(DiagonalRNN(a, b, b), 0.0)
    assert learned.rank == 2
    assert learned.measure is not None and learned.measure.size == 2
    # the data accuracy is the response's rounding, far above the 1e-12 floor
    assert learned.moment_accuracy > 1e-9
    assert 0 < learned.digits < 16
    # true measure: 0.9 with weight 2e8 (exactly 1e8 + 1e8), 0.3 with weight 1
    assert _matches_within_digits(learned, [Fraction(0.9), Fraction(0.3)],
                                  [Fraction(2 * 10**8), Fraction(1)])
    assert learned.agrees_with(DiscreteMeasure([0.3, 0.9], [1.0, 2e8]))


def test_effective_dimension_tolerance_is_at_least_the_response_rounding():
    model = DiagonalRNN([1e5] * 3, [1.0] * 3, [1.0] * 3)
    rank = effective_dimension(model, tolerance=1e-12)
    assert rank.rank == 1
    # the same model at a tolerance above its rounding decides the same way
    assert effective_dimension(model, tolerance=1e-12).rank == \
        effective_dimension(model, tolerance=_response_rounding(model, 7) * 2).rank


def test_response_rounding_bounds_the_actual_error():
    """The bound is at least the error of the double response against the exact one, for a
    diagonal and a full model with non-dyadic, negative and large parameters."""
    rng = np.random.default_rng(3)
    for _ in range(5):
        a = rng.uniform(-1.2, 1.2, 6)
        b = rng.normal(size=6) * 10.0 ** rng.integers(-3, 4, 6)
        c = rng.normal(size=6)
        model = DiagonalRNN(a, b, c)
        for m in (model, model.to_full()):
            h = m.impulse_response(20)
            exact = [sum(Fraction(float(bi)) * Fraction(float(ci)) * Fraction(float(ai)) ** j
                         for ai, bi, ci in zip(a, b, c)) for j in range(20)]
            err = max(abs(Fraction(float(x)) - e) for x, e in zip(h, exact))
            bound = _response_rounding(m, 20)
            assert err <= Fraction(bound)
            assert bound > 0


def test_a_trained_like_student_keeps_its_full_accuracy():
    """An order-one response reads to the loss's accuracy: the rounding bound is below it."""
    model = DiagonalRNN([0.5, -0.25], [1.0, 0.5], [1.0, 0.5])
    learned = learned_measure(model, 1e-16)
    assert learned.moment_accuracy == pytest.approx(1e-7)
    assert learned.rank == 2 and learned.status == "ok"


def test_learned_measure_of_an_overflowing_response_is_diverged():
    model = DiagonalRNN([1e200, 0.5], [1e100, 1.0], [1e100, 1.0])
    learned = learned_measure(model, 0.0)
    assert learned.status == "diverged"
    assert learned.measure is None and learned.digits == 0.0
    assert learned.effective_dimension.verdict == "ambiguous"
    assert learned.to_dict()["status"] == "diverged"
    with pytest.raises(InputError, match="not finite"):
        effective_dimension(model)


# --- integrate_flow: precision only for gauss-mp; the caller's numpy error state ------------

def _flow_args(dim=3, scale=1e-2):
    from momentrnn import init_student, named_teacher

    return init_student(dim, scale=scale, seed=0), named_teacher("decaying")


@pytest.mark.parametrize("method", ["RK45", "rosenbrock", "auto", "LSODA"])
def test_a_precision_for_a_double_method_is_refused(method):
    from momentrnn import MP, integrate_flow

    student, teacher = _flow_args()
    with pytest.raises(InputError, match="only 'gauss-mp' takes a precision"):
        integrate_flow(student, teacher, k=3, t_max=1.0, method=method, precision=MP(30))


def test_gauss_mp_without_precision_says_what_it_needs():
    from momentrnn import integrate_flow

    student, teacher = _flow_args()
    with pytest.raises(InputError, match=r"needs precision=MP\(dps\)") as info:
        integrate_flow(student, teacher, k=3, t_max=1.0, method="gauss-mp")
    assert "NoneType" not in str(info.value)


@pytest.mark.parametrize("method", ["rosenbrock", "LSODA", "RK45", "gauss-mp"])
def test_integrate_flow_does_not_depend_on_the_callers_numpy_error_state(method):
    from momentrnn import MP, integrate_flow

    student, teacher = _flow_args()
    extra = {"precision": MP(20)} if method == "gauss-mp" else {}
    quiet = integrate_flow(student, teacher, k=3, t_max=1.0, method=method, **extra)
    with np.errstate(all="raise"):
        strict = integrate_flow(student, teacher, k=3, t_max=1.0, method=method, **extra)
    assert strict.status == quiet.status
    assert strict.final_loss == quiet.final_loss


def test_a_diverging_flow_under_raise_reports_its_status():
    from momentrnn import integrate_flow

    student, teacher = _flow_args(6, scale=3.0)
    quiet = integrate_flow(student, teacher, k=3, t_max=50.0, method="RK45", throw=False)
    with np.errstate(all="raise"):
        strict = integrate_flow(student, teacher, k=3, t_max=50.0, method="RK45", throw=False)
    assert strict.status == quiet.status


def test_gradient_descent_and_learned_measure_under_raise():
    from momentrnn import gradient_descent, init_student, named_teacher

    students = [init_student(4, scale=1e-170, seed=s) for s in range(2)]
    quiet = gradient_descent(students, named_teacher("decaying"), k=3, lr=0.01, steps=50)
    with np.errstate(all="raise"):
        strict = gradient_descent(students, named_teacher("decaying"), k=3, lr=0.01, steps=50)
        learned = learned_measure(DiagonalRNN([0.9, 0.3], [1.0, 1e-170], [1.0, 1e-170]), 0.0)
    assert strict.status == quiet.status
    assert learned.status == "ok" and learned.rank == 1
