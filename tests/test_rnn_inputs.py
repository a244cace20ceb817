"""Bad input to the rnn losses, teachers and moment_accuracy: an InputError naming the value
and the fix, never a library error or a silently wrong number; valid input unchanged."""

import math
from fractions import Fraction

import numpy as np
import pytest

from momentrnn import (
    DiagonalRNN,
    DiscreteMeasure,
    LinearRNN,
    extrapolation_error,
    moment_loss,
    moment_loss_gradient,
    moment_loss_hessian,
    named_teacher,
    random_teacher,
    teacher_from_measure,
)
from momentrnn.errors import InputError
from momentrnn.rnn.analysis import moment_accuracy

LOSSES = [moment_loss, moment_loss_gradient, moment_loss_hessian]


# -- complex students -------------------------------------------------------------------------

@pytest.mark.parametrize("function", LOSSES)
def test_a_complex_diagonal_student_is_refused(function):
    # its response (0.5j)^j has real part [1, 0]: the former loss was 0 against [1, 0]
    student = DiagonalRNN([0.5j], [1.0], [1.0])
    with pytest.raises(InputError, match=r"complex parameters \(a\.flat\[0\]=0\.5j\).*real"):
        function(student, [1.0, 0.0], k=2)


@pytest.mark.parametrize("function", LOSSES)
def test_a_complex_full_student_is_refused(function):
    # the former gradient of this model was all zeros (numpy only warned)
    student = LinearRNN([[0.0, 1.0], [-1.0, 0.5j]], [1.0, 0.0], [0.0, 1.0])
    with pytest.raises(InputError, match=r"complex parameters \(A\.flat\[3\]=0\.5j\)"):
        function(student, [0.3, 0.2, 0.1], k=3)


@pytest.mark.parametrize("function", LOSSES)
def test_complex_parameters_with_zero_imaginary_parts_are_read_as_real(function):
    real = DiagonalRNN([0.5, -0.3], [1.0, 0.7], [0.2, 1.1])
    as_complex = DiagonalRNN(real.a + 0j, real.b + 0j, real.c)
    got, want = function(as_complex, [0.4, 0.1, 0.3], k=3), function(real, [0.4, 0.1, 0.3], k=3)
    if isinstance(want, DiagonalRNN):
        for name in "abc":
            np.testing.assert_array_equal(getattr(got, name), getattr(want, name))
    else:
        np.testing.assert_array_equal(got, want)


def test_a_teacher_with_a_complex_response_is_refused_and_a_conjugate_pair_accepted():
    with pytest.raises(InputError, match=r"not real \(teacher\[1\] = 0\.5j\)"):
        moment_loss(DiagonalRNN([0.5], [1.0], [1.0]), [1.0, 0.5j], k=2)
    pair = teacher_from_measure(DiscreteMeasure([0.5 + 0.5j, 0.5 - 0.5j], [1.0, 1.0]))
    h = [2.0, 1.0, 0.0]  # 2 Re((0.5 + 0.5j)^j)
    assert moment_loss(DiagonalRNN([0.0], [0.0], [0.0]), pair, k=3) == \
        pytest.approx(sum(x * x for x in h), abs=1e-12)


# -- the gradient and Hessian overflow --------------------------------------------------------

@pytest.mark.parametrize("full", [False, True])
def test_an_overflowing_gradient_says_so_and_does_not_blame_the_parameters(full):
    student = DiagonalRNN([1e3], [1.0], [1.0])
    student = student.to_full() if full else student
    with pytest.raises(InputError) as info:
        moment_loss_gradient(student, np.zeros(200), k=200)
    text = str(info.value)
    assert "gradient of the moment loss overflows" in text and "k=200" in text
    assert "1000" in text and "fewer lags" in text
    assert "parameters must be finite" not in text


def test_an_overflowing_hessian_is_refused_not_returned():
    with pytest.raises(InputError, match="Hessian of the moment loss overflows"):
        moment_loss_hessian(DiagonalRNN([1e3], [1.0], [1.0]), np.zeros(200), k=200)


def test_a_large_but_finite_gradient_is_returned():
    g = moment_loss_gradient(DiagonalRNN([3.0], [1.0], [1.0]), np.zeros(40), k=40)
    assert np.all(np.isfinite(g.a)) and g.a[0] > 1e30


# -- not a model, not numbers -----------------------------------------------------------------

@pytest.mark.parametrize("bad", [None, "student", [0.5, 1.0], {"a": [0.5]}])
def test_a_student_that_is_not_a_model_is_named(bad):
    for function in LOSSES:
        with pytest.raises(InputError, match=r"model=.*is not a model; pass a DiagonalRNN"):
            function(bad, [1.0, 1.0], k=2)
    with pytest.raises(InputError, match=r"student=.*is not a model; pass a DiagonalRNN"):
        extrapolation_error(bad, [1.0, 1.0], length=2)


@pytest.mark.parametrize("teacher, words", [
    (["a", "b"], ["teacher=['a', 'b']", "not a model", "2 finite numbers"]),
    ("two_pole", ["teacher='two_pole'", "not a model"]),
    ([{}, 1.0], ["teacher=[{}, 1.0]", "not a model"]),
    ([True, False], ["teacher=[True, False]", "bool"]),
    ([1.0, math.nan], ["teacher[1]=nan is not finite"]),
    ([math.inf, 1.0], ["teacher[0]=inf is not finite"]),
    ([1.0, 2.0, 3.0], ["length 2", "(3,)"]),
    (None, ["teacher=None"]),
])
def test_a_teacher_that_is_not_finite_numbers_is_named(teacher, words):
    student = DiagonalRNN([0.5], [1.0], [1.0])
    for function in LOSSES:
        with pytest.raises(InputError) as info:
            function(student, teacher, k=2)
        for word in words:
            assert word in str(info.value)
    with pytest.raises(InputError):
        extrapolation_error(student, teacher, length=2)


def test_a_teacher_model_whose_response_overflows_is_refused():
    with pytest.raises(InputError, match=r"teacher's impulse response is not finite.*lag 775"):
        moment_loss(DiagonalRNN([0.5], [1.0], [1.0]), DiagonalRNN([2.5], [1.0], [1.0]),
                    k=800)


def test_teacher_values_of_exact_kinds_are_accepted():
    student = DiagonalRNN([0.5], [1.0], [1.0])
    assert moment_loss(student, [Fraction(1), Fraction(1, 4)], k=2) == 0.0625
    assert moment_loss(student, np.array([1, 0]), k=2) == 0.25


@pytest.mark.parametrize("weights, words", [
    (["a", "b"], ["lag_weights=['a', 'b']", "not real numbers"]),
    ([1j, 1.0], ["not real numbers"]),
    ([True, True], ["booleans"]),
    ([1.0, math.nan], ["positive finite"]),
])
def test_bad_lag_weights_are_named(weights, words):
    with pytest.raises(InputError) as info:
        moment_loss(DiagonalRNN([0.5], [1.0], [1.0]), [1.0, 1.0], k=2, lag_weights=weights)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("name", [["x"], None, 3, ("two_pole",)])
def test_named_teacher_refuses_what_is_not_a_name(name):
    with pytest.raises(InputError, match="is not known; use one of the names long_memory"):
        named_teacher(name)


@pytest.mark.parametrize("measure", [([0.5], [1.0], [2.0]), ([0.5],), (), [0.5, 1.0], "x"])
def test_teacher_from_measure_refuses_what_is_not_a_pair(measure):
    with pytest.raises(InputError, match="DiscreteMeasure or a pair"):
        teacher_from_measure(measure)


def test_teacher_from_measure_accepts_a_pair():
    t = teacher_from_measure(([0.5, -0.5], [1.0, 2.0]))
    np.testing.assert_allclose(t.impulse_response(3), [3.0, -0.5, 0.75])


# -- extrapolation_error ----------------------------------------------------------------------

def test_extrapolation_error_takes_a_teacher_array_as_moment_loss_does():
    student = DiagonalRNN([0.5, -0.25], [1.0, 0.5], [1.0, 2.0])
    teacher = named_teacher("two_pole")
    length = 30
    values = teacher.impulse_response(length)
    assert extrapolation_error(student, values, length=length) == \
        extrapolation_error(student, teacher, length=length)
    assert extrapolation_error(student, list(values), length=length) == \
        extrapolation_error(student, teacher, length=length)
    # moment_loss accepts the same two kinds, with the same answer
    assert moment_loss(student, values[:5], k=5) == moment_loss(student, teacher, k=5)


def test_equal_models_whose_responses_overflow_have_no_inf_error():
    m = DiagonalRNN([2.5], [1.0], [1.0])
    assert extrapolation_error(m, m, length=775) == (0.0, 0.0)
    for other in (m, DiagonalRNN([2.5], [1.0], [1.0]), m.to_full()):
        with pytest.raises(InputError, match=r"overflow.*lag 775.*not known.*length <= 775"):
            extrapolation_error(m, other, length=1000)
    with pytest.raises(InputError, match=r"teacher\[775\]=inf is not finite"):
        extrapolation_error(m, m.impulse_response(1000), length=1000)


def test_an_overflowing_student_against_a_decaying_teacher_is_proved_inf():
    grows, decays = DiagonalRNN([2.5], [1.0], [1.0]), DiagonalRNN([0.5], [1.0], [1.0])
    assert extrapolation_error(grows, decays, length=1000) == (math.inf, math.inf)
    assert extrapolation_error(grows.to_full(), decays, length=1000) == (math.inf, math.inf)
    assert extrapolation_error(decays, grows, length=1000) == (math.inf, math.inf)
    # opposite atoms: the computed response is NaN at odd lags, 2 * 2.5^j at even ones
    pair = DiagonalRNN([2.5, -2.5], [1.0, 1.0], [1.0, 1.0])
    assert extrapolation_error(pair, np.zeros(1000), length=1000) == (math.inf, math.inf)
    # equal atoms of opposite weights: the response is 0, the computed one NaN
    zero = DiagonalRNN([2.5, 2.5], [1.0, 1.0], [1.0, -1.0])
    with pytest.raises(InputError, match="not known"):
        extrapolation_error(zero, np.zeros(1000), length=1000)


def test_a_unit_of_weight_zero_does_not_make_the_response_nan():
    dead = DiagonalRNN([3.0, 0.5], [0.0, 1.0], [1.0, 1.0])
    h = dead.impulse_response(700)
    np.testing.assert_array_equal(h, DiagonalRNN([0.5], [1.0], [1.0]).impulse_response(700))
    assert extrapolation_error(dead, DiagonalRNN([0.5], [1.0], [1.0]), length=700) == (0, 0)
    np.testing.assert_array_equal(DiagonalRNN([3.0], [0.0], [2.0]).impulse_response(700),
                                  np.zeros(700))


# -- random_teacher ---------------------------------------------------------------------------

@pytest.mark.parametrize("atom_range, words", [
    ((0.5,), ["atom_range=(0.5,)", "not a pair"]),
    ((0.9, -0.9), ["low > high"]),
    ((-math.inf, 0.5), ["not finite"]),
    ((0.0, math.nan), ["not finite"]),
    ((-1e308, 1e308), ["not finite"]),
    ("ab", ["not a pair"]),
    ((0.0, "1"), ["'1' is not a real number"]),
    ((False, True), ["False is not a real number"]),
    (0.5, ["not a pair"]),
])
def test_random_teacher_refuses_a_bad_atom_range(atom_range, words):
    with pytest.raises(InputError) as info:
        random_teacher(3, atom_range=atom_range)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("positive", [1, "no", None, 0.0])
def test_random_teacher_refuses_a_positive_that_is_not_a_bool(positive):
    with pytest.raises(InputError, match=r"positive=.* must be True or False"):
        random_teacher(3, positive=positive)


def test_random_teacher_valid_ranges_unchanged():
    t = random_teacher(4, seed=3, atom_range=[-0.5, 0.25], positive=np.bool_(False))
    rng = np.random.default_rng(3)
    np.testing.assert_array_equal(t.a, np.sort(rng.uniform(-0.5, 0.25, size=4)))
    assert random_teacher(2, seed=1, atom_range=(np.float32(-0.5), np.int64(1))).dim == 2


# -- moment_accuracy --------------------------------------------------------------------------

@pytest.mark.parametrize("loss, expected", [
    (1e-4, 0.1), (np.float64(1e-4), 0.1), (np.float32(0.25), 5.0), (np.int64(0), 1e-12),
    (Fraction(1, 10**4), 0.1), (np.asarray(1e-4), 0.1), (0, 1e-12), (math.inf, math.inf),
    (-1e-30, 1e-12),
])
def test_moment_accuracy_takes_real_numbers(loss, expected):
    assert moment_accuracy(loss) == pytest.approx(expected)


def test_a_tiny_negative_loss_counts_by_its_size():
    assert moment_accuracy(-1e-14) == pytest.approx(1e-6)


@pytest.mark.parametrize("loss, words", [
    ("0.01", ["loss='0.01'", "not a real number"]),
    (None, ["loss=None", "not a real number"]),
    (True, ["loss=True", "bool"]),
    (1j, ["not a real number"]),
    (-1e-6, ["loss=-1e-06 is negative", "sum of squares"]),
    (-math.inf, ["negative"]),
    (math.nan, ["NaN"]),
])
def test_moment_accuracy_refuses_what_is_not_a_loss(loss, words):
    with pytest.raises(InputError) as info:
        moment_accuracy(loss)
    for word in words:
        assert word in str(info.value)
