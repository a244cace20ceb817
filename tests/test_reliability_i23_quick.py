"""Bounded work and one-line errors (issue 23): the exact determinant's bits, the stability
bound's atoms, a descent result's run index, a recovery's digits, a precision's dps."""

import random
import time
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import momentrnn as m
from momentrnn.errors import InputError
from tests.helpers import one_line_refusal


def _one_line_refusal(call, *patterns: str) -> str:
    return one_line_refusal(call, *patterns, seconds=2, clock=time.perf_counter)


# ------------------------------------------- the exact determinant, bounded by its bits too

@settings(max_examples=5, deadline=None, derandomize=True)
@given(st.integers(1600, 4000), st.integers(0, 2**32))
def test_exact_determinants_of_long_moments_are_refused_before_work(bits, seed):
    # main: 299 random 2000-bit integers (150 rows, within the rows' cap) ran past 25 s
    from momentrnn._limits import MAX_EXACT_DETERMINANT, MAX_EXACT_RANK_BITS

    rng = random.Random(seed)
    moments = [Fraction(rng.getrandbits(bits) | 1, 3) for _ in range(2 * MAX_EXACT_DETERMINANT
                                                                     - 1)]
    message = _one_line_refusal(lambda: m.hankel_determinant(moments),
                                f"{MAX_EXACT_DETERMINANT}x{MAX_EXACT_DETERMINANT}",
                                str(MAX_EXACT_RANK_BITS), "precision=MP(...)/Ball(...)")
    # the size it offers is computed (fast, exactly); a size past it is refused as well
    most = int(message.split("pass size=")[1].split()[0])
    assert 1 <= most < MAX_EXACT_DETERMINANT
    _one_line_refusal(lambda: m.hankel_determinant(moments, most + 1), "size=")
    small = moments[:5]
    assert m.hankel_determinant(small) == small[0] * small[2] * small[4] + 2 * small[1] \
        * small[2] * small[3] - small[2] ** 3 - small[0] * small[3] ** 2 - small[1] ** 2 \
        * small[4]


def test_exact_determinants_of_short_moments_stay_exact():
    moments = [Fraction(39, 100) ** k + Fraction(-1, 3) ** k for k in range(7)]
    assert m.hankel_determinant(moments, 2) == moments[0] * moments[2] - moments[1] ** 2
    assert m.hankel_determinant(moments) == 0  # two atoms: the 4x4 matrix is singular
    assert m.hankel_determinant(moments, 1, shift=6) == moments[6]


# ------------------------------------------------ the stability bound counts all the atoms

@settings(max_examples=4, deadline=None, derandomize=True)
@given(st.integers(20, 100), st.integers(0, 2**32))
def test_stability_bound_counts_the_bits_of_every_atom(count, seed):
    # main: 100 rational atoms of about 1000 bits at order 370 ran past 60 s (the cap read
    # the longest atom only)
    from momentrnn._limits import MAX_STABILITY_WORK

    rng = random.Random(seed)
    atoms = []
    for _ in range(count):
        den = rng.getrandbits(500) | 1 << 499
        atoms.append(Fraction(rng.randrange(-den, den + 1), den))
    bits = sum(abs(a.numerator).bit_length() + a.denominator.bit_length() for a in atoms)
    _one_line_refusal(lambda: m.stability_bound(atoms, tolerance=1e-6, order=370),
                      "order=370", f"{count} atoms of {bits} bits", f"{MAX_STABILITY_WORK:.3g}",
                      "ask for order <=")


def test_stability_bound_within_its_work_is_computed():
    start = time.perf_counter()
    atoms = [Fraction(39, 100), Fraction(-1, 3), Fraction(7, 9)]
    assert 0 < m.stability_bound(atoms, tolerance=1e-3, order=200) < 1
    assert time.perf_counter() - start < 20


# ----------------------------------------------------- GDResult.message: the run index

@pytest.fixture(scope="module")
def descent():
    students = [m.init_student(2, scale=0.1, seed=s) for s in (1, 3)]
    result = m.gradient_descent(students, m.random_teacher(2, seed=2), k=4, steps=3, lr=0.01)
    assert result.batch == 2
    return result


_BAD_INDEX = st.one_of(
    st.integers(2, 10**30), st.integers(-10**30, -1), st.booleans(),
    st.integers(-5, 5).map(np.int64), st.floats(allow_nan=True), st.text(max_size=3),
    st.decimals(allow_nan=False, places=0), st.fractions(), st.none())


@settings(max_examples=40, deadline=None, derandomize=True)
@given(_BAD_INDEX)
def test_descent_messages_judge_the_run_index_as_models_do(descent, index):
    # main: message(5), message(True), message(np.int64(-3)) raised a raw IndexError,
    # message(1.0)/("3")/(Decimal(3))/(None) a raw TypeError, message(-1) was accepted
    if isinstance(index, (int, np.integer)) and not isinstance(index, bool) and \
            0 <= index < descent.batch:
        assert descent.message(index) == descent.message(int(index))
        return
    with pytest.raises(InputError) as model:
        descent.model(index)
    with pytest.raises(InputError) as message:
        descent.message(index)
    assert str(message.value) == str(model.value)
    assert "\n" not in str(message.value) and "from 0 to 1" in str(message.value)


def test_descent_messages_of_each_run(descent):
    for index in (0, 1, np.int64(1), np.uint8(0)):
        assert "gradient descent" in descent.message(index)
    for index in (5, True, np.int64(-3), 1.0, "3", Decimal(3), None, -1):
        with pytest.raises(InputError, match="run index"):
            descent.message(index)


@pytest.mark.parametrize("k", [np.int64(-3), 0, 2.0, "4", True, 10**400])
def test_descent_trajectory_names_k(descent, k):
    # main: k=np.int64(-3) was reported as "count=-3"
    message = _one_line_refusal(lambda: descent.trajectory(0, m.random_teacher(2, seed=2), k=k),
                                "k=")
    assert "count=" not in message


# ------------------------------------------------------ recover_measure(digits=) at its limit

_MOMENTS = [1, 0, Fraction(1, 3), 0]


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.one_of(
    st.integers(10_001, 10**500).map(Fraction),
    st.tuples(st.integers(30_004, 10**500), st.sampled_from([3, 7, 10**400 + 1]))
    .map(lambda t: Fraction(*t)),
    st.integers(10_001, 10**500).map(Decimal),
    st.integers(5, 10**9).map(lambda e: Decimal(f"1e{e}")),
    st.integers(10_001, 10**500)))
def test_recovery_digits_past_the_limit_are_refused_with_the_one_message(digits):
    # main: Fraction(10**400) and Fraction(10**400, 3) raised a raw OverflowError,
    # Decimal("1e100000000") was reported as digits=inf
    from momentrnn._limits import MAX_RECOVERY_DIGITS

    message = _one_line_refusal(lambda: m.recover_measure(_MOMENTS, digits=digits),
                                f"at most {MAX_RECOVERY_DIGITS}", "ask for fewer digits")
    assert "inf" not in message


@settings(max_examples=20, deadline=None, derandomize=True)
@given(st.one_of(st.integers(-10**500, 0).map(Fraction),
                 st.integers(-10**500, 0).map(Decimal),
                 st.integers(-10**500, 0)))
def test_recovery_digits_not_positive_are_refused(digits):
    # main: Fraction(-10**400) raised a raw OverflowError
    message = _one_line_refusal(lambda: m.recover_measure(_MOMENTS, digits=digits),
                                "must be a positive finite number")
    assert "inf" not in message


def test_recovery_digits_at_the_limit_in_every_kind_are_read():
    for digits in (Fraction(30), Decimal(30), Fraction(61, 2), np.int64(30)):
        assert m.recover_measure(_MOMENTS, digits=digits).measure.size == 2


# ------------------------------------------------------------- MP(dps) and Ball(dps)

@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.sampled_from([m.MP, m.Ball]), st.one_of(
    st.floats(), st.text(max_size=3), st.decimals(allow_nan=False), st.fractions(),
    st.booleans(), st.none(), st.just(np.bool_(True)), st.just(np.float64(30))))
def test_dps_of_another_type_is_refused_by_the_one_check(cls, dps):
    # main: MP(30.0) "needs an integer number of decimal digits, got 30.0 of type float"
    _one_line_refusal(lambda: cls(dps), f"{cls.__name__}(dps=",
                      f"(got a {type(dps).__name__}: pass an int)")
