"""Bounded work for every input (issue 23): the breaks a review found after the first round.

Each test drives a family of inputs (hypothesis, derandomized, small budgets) through the
public API or the command line and asserts the refusal or result and its time.
"""

import itertools
import time
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import momentrnn as m
from momentrnn._limits import (
    LIMITS,
    MAX_CERTIFY_SDP_ORDER,
    MAX_EXACT_HANKEL,
    MAX_MOMENT_INDEX,
    MAX_SDP_ORDER,
    MAX_SINGULAR_VALUES,
)
from momentrnn.errors import InputError
from momentrnn.moments import hankel_singular_values
from momentrnn.precision import MP

BOUND_S = 20.0


def _elapsed(start: float) -> float:
    return time.perf_counter() - start


# ---------------------------------------------------------------- item 1: exact full rank

@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2 * MAX_SINGULAR_VALUES + 2, 2000),
       st.fractions(min_value=Fraction(1, 7), max_value=3, max_denominator=9))
def test_full_rank_exact_data_get_their_rank_without_an_eigenproblem(count, c):
    # m_k = 1/(k + c): the moments of x**(c - 1) on [0, 1] (Hilbert-like), of full rank
    moments = [1 / (k + c) for k in range(count)]
    start = time.perf_counter()
    r = m.hankel_rank(moments)
    took = _elapsed(start)
    s = (count + 1) // 2
    assert (r.rank, r.verdict, r.size) == (s, "full", s)
    assert r.singular_values == ()  # more than the limit: left out, and said so
    assert f"more than {MAX_SINGULAR_VALUES}" in r.message
    assert took < BOUND_S, took  # main: 50 s at 400 moments, hours at 2000
    start = time.perf_counter()
    with pytest.raises(InputError, match=rf"recovering {s} atoms is more than the "
                                         rf"{MAX_SINGULAR_VALUES}.*exact rank {s}"):
        m.recover_measure(moments)
    assert _elapsed(start) < BOUND_S


def test_singular_values_within_the_limit_are_still_computed():
    moments = [Fraction(1, k + 3) for k in range(2 * 12)]
    r = m.hankel_rank(moments)
    assert (r.rank, r.verdict, len(r.singular_values)) == (12, "full", 12)
    assert all(v > 0 for v in r.singular_values)


@pytest.mark.parametrize("call", [
    lambda: hankel_singular_values([1, 0, Fraction(1, 3)], size=MAX_SINGULAR_VALUES + 1),
    lambda: hankel_singular_values([Fraction(1, k) for k in range(1, 2 * MAX_SINGULAR_VALUES
                                                                   + 2)]),
    lambda: hankel_singular_values([1, 0, Fraction(1, 3)], size=10**5000),
])
def test_singular_values_asked_for_beyond_the_limit_are_refused_at_once(call):
    start = time.perf_counter()
    with pytest.raises(InputError, match=f"more than (the )?{MAX_SINGULAR_VALUES}"):
        call()
    assert _elapsed(start) < 2


# ---------------------------------------------------- item 5: exact Hankel size and memory

@settings(max_examples=5, deadline=None, derandomize=True)
@given(st.integers(2 * MAX_EXACT_HANKEL + 1, 20_000),
       st.sampled_from(["rank", "matrix", "determinant"]))
def test_exact_hankel_matrices_beyond_the_limit_are_refused_before_they_are_built(count, door):
    moments = list(itertools.repeat(Fraction(-39, 100), count))
    call = {"rank": m.hankel_rank, "matrix": m.hankel_matrix,
            "determinant": m.hankel_determinant}[door]
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        call(moments)
    assert _elapsed(start) < 5  # main: MemoryError or hours
    message = str(info.value)
    s = (count + 1) // 2
    if door == "determinant":  # the determinant's own row cap, checked first
        assert f"the exact determinant of a {s}x{s} Hankel matrix" in message
    else:
        assert f"a {s}x{s} Hankel matrix over Q" in message and str(MAX_EXACT_HANKEL) in message
    assert "\n" not in message


def test_hankel_matrices_beyond_the_memory_are_refused_with_the_estimate():
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"the 10000x10000 Hankel matrix in MP\(100000\) needs "
                                         r".* of memory, more than the .* allowed"):
        m.hankel_matrix([0.39] * 20_000, precision=MP(100_000))
    assert _elapsed(start) < 5


def test_the_new_limits_are_in_the_table():
    assert LIMITS["singular values"].maximum == MAX_SINGULAR_VALUES
    assert LIMITS["exact Hankel size"].maximum == MAX_EXACT_HANKEL


# ------------------------------------------------- item 2: the SDP order and its exact text

@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.one_of(st.integers(MAX_SDP_ORDER + 1, 130), st.integers(131, 10**15)),
       st.sampled_from([[1, 0, Fraction(1, 3)], [1, Fraction(39, 100), Fraction(1, 5)]]))
def test_orders_past_the_sdp_limit_are_refused_before_the_sdp(q, moments):
    start = time.perf_counter()
    with pytest.raises(InputError, match=rf"order={q} is (beyond|more than) ({MAX_SDP_ORDER}|"
                                         rf"{MAX_MOMENT_INDEX})"):
        m.extrapolation_range(moments, tolerance=Fraction(1, 1000), order=q)
    assert _elapsed(start) < 5  # main: 81 s at q = 121 (load 5), unbounded beyond


@settings(max_examples=5, deadline=None, derandomize=True)
@given(st.integers(MAX_MOMENT_INDEX + 1, 10**15))
def test_exact_moments_of_determinate_data_are_bounded_in_their_index(q):
    # a point mass at 1/2: m_q = 2**-q exactly, by the recurrence of its atom
    start = time.perf_counter()
    with pytest.raises(InputError, match=f"order={q} is more than {MAX_MOMENT_INDEX}"):
        m.extrapolation_range([1, Fraction(1, 2), Fraction(1, 4)], tolerance=0, order=q)
    assert _elapsed(start) < 2  # main: 4.5 s at 10**5, never ends at 10**12


def test_exact_moments_of_determinate_data_within_the_index_limit_are_exact():
    r = m.extrapolation_range([1, Fraction(1, 2), Fraction(1, 4)], tolerance=0, order=200)
    assert r.certified_lower == r.certified_upper == Fraction(1, 2**200)


def test_cli_order_is_refused_naming_the_option(capsys):
    from momentrnn.cli import main

    assert main(["bounds", "/dev/null", "--order", str(10**12)]) == 2
    err = capsys.readouterr().err
    assert f"--order {10**12} is more than {MAX_MOMENT_INDEX}" in err and err.count("\n") == 1


@pytest.mark.parametrize("digits", [4301, 5000, 20_000])
def test_range_ends_beyond_the_int_string_limit_are_written_exactly(digits):
    import json

    from momentrnn._output import json_text
    from momentrnn.moments.sdp import ExtrapolationRange

    big = Fraction(10**digits + 1, 3)
    mu = m.DiscreteMeasure([big], [Fraction(-39, 100)])
    r = ExtrapolationRange(0.0, 1.0, 5, (0.0,), 0.0, "ok", "exact", "exact",
                           certified_lower=big, certified_upper=big + 1, inner_lower=big,
                           inner_upper=big, lower_measure=mu, upper_measure=mu)
    import flint

    from momentrnn.cli.bounds import _proved

    d = json.loads(json_text(r.to_dict()))  # main: ValueError (int-string conversion limit)
    exact = flint.fmpq(big.numerator, big.denominator)
    assert flint.fmpq(d["certified_lower"]["exact"]) == exact
    assert flint.fmpq(d["certified_upper"]["exact"]) == exact + 1
    assert flint.fmpq(d["lower_measure"]["atoms"][0]) == exact
    assert float(d["certified_upper"]["float"]) == float("inf")
    assert _proved(d["certified_upper"], lambda v, n: v) == big + 1  # the table's reading


# ------------------------------------------- items 3 and 6: certify's caps and its students

_REPORT = {"status": "ok", "k": 5, "extrapolation_length": 12,
           "student": {"a": [0.5, -0.25], "b": [1.0, 1.0], "c": [0.5, 0.25]},
           "teacher_atoms": [0.39, -0.25], "teacher_weights": [0.5, 0.25],
           "training_loss": 1e-9}


def _certify(tmp_path, capsys, extra=(), **fields):
    import json

    from momentrnn.cli import main

    report = dict(_REPORT, **fields)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(report))
    start = time.perf_counter()
    code = main(["certify", str(path), *extra])
    assert _elapsed(start) < BOUND_S
    out = capsys.readouterr()
    return code, out.out, out.err


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(MAX_CERTIFY_SDP_ORDER + 1, 10**15))
def test_certify_sdp_max_order_is_capped_before_work(tmp_path, capsys, order):
    code, _, err = _certify(tmp_path, capsys, extra=("--sdp-max-order", str(order)))
    assert code == 2
    assert f"--sdp-max-order {order} is more than {MAX_CERTIFY_SDP_ORDER}" in err
    assert err.count("\n") == 1
    with pytest.raises(InputError, match=f"sdp_max_order={order} is more than"):
        m.moments.certify_extrapolation([0.5], [1], [1], teacher_atoms=[Fraction(39, 100)],
                                        teacher_weights=[1], length=5, lags=3,
                                        sdp_max_order=order)


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(300, 100_000), st.sampled_from(["", "-"]), st.integers(20, 1000))
def test_teacher_atoms_whose_powers_are_too_large_are_refused_at_once(tmp_path, capsys,
                                                                       exponent, sign, length):
    from momentrnn._limits import MAX_CERTIFY_BITS

    atom = f"{sign}1e{exponent}"
    bits = (10**exponent).bit_length() + 1
    code, _, err = _certify(tmp_path, capsys, extra=(
        "--teacher-atoms", f"1/3,{atom}", "--teacher-weights", "1,1", "--length", str(length),
        "--lags", "5", "--sdp-max-order", "0"), extrapolation_length=length)
    if bits * length * (length - 1) // 2 > MAX_CERTIFY_BITS:  # main: minutes to hours
        assert code == 2
        assert f"--teacher-atoms entry 2 (about {sign}1e{exponent}" in err
        assert str(MAX_CERTIFY_BITS) in err and err.count("\n") == 1
    else:  # proved, however large, and no overflow in the messages
        assert code in (0, 1) and "error" not in err


@pytest.mark.parametrize("loss", ["nan", "inf", float("nan")])
def test_a_diverged_flow_report_is_not_certified(tmp_path, capsys, loss):
    # finite parameters (1e299) of a run whose loss is NaN, as 'flow --init-scale 1e300' writes
    student = {"a": [1.25e299, -1.3e299], "b": [1.0, 1.0], "c": [0.5, 0.25]}
    code, out, err = _certify(tmp_path, capsys, student=student, status="diverged",
                              training_loss=loss)
    assert code == 1  # main: 0, with 'inf' observed errors and a 'proved' bound
    assert out.startswith("not certified: the flow run's training_loss is nan") or \
        out.startswith("not certified: the flow run's training_loss is inf")
    assert "status 'diverged'" in out and err == ""


# ------------------------------------------------------------ item 4: support ends' size

@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.integers(3011, 100_000), st.sampled_from(["1e{}", "-1e{}", "0.39e{}", "3.3e-{}",
                                                    "-7e-{}"]))
def test_support_ends_past_the_bits_limit_are_one_line_errors(exponent, form):
    from momentrnn._limits import MAX_SUPPORT_BITS

    text = form.format(exponent)
    support = (text, "inf") if text.startswith("-") else ("-inf", text)
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        m.moment_feasible([1, Fraction(39, 100), Fraction(1, 5)], support=support)
    assert _elapsed(start) < 2  # main: ValueError (int-string limit) at 1e99999
    message = str(info.value)
    assert "\n" not in message and str(MAX_SUPPORT_BITS) in message
    assert f"end {text!r} has" in message


@pytest.mark.parametrize("end", ["1e3000", "-1e3000", "3.3e-2990"])
def test_long_support_ends_within_the_limit_are_named_exactly(end):

    support = ("-1", end.lstrip("-")) if not end.startswith("-") else (end, "1")
    r = m.moment_feasible([1, 0, Fraction(1, 3)], support=support)  # main: ValueError
    assert r.feasible == (end != "3.3e-2990")  # decided exactly on [-1, 3.3e-2990] as well
    names = "".join(r.to_dict()["matrices"])
    assert "0" * 2980 in names


# ---------------------------------------------------- item 11: stability_bound's work

@settings(max_examples=6, deadline=None, derandomize=True)
@given(st.integers(0, 4000), st.integers(1, 2000))
def test_stability_bound_refuses_long_atoms_at_high_orders_at_once(extra_bits, past):
    from momentrnn._limits import MAX_STABILITY_ORDER, MAX_STABILITY_WORK

    atom = Fraction(1, 3**(600 + extra_bits // 2))  # 952 bits and more, as 1e-300
    bits = 1 + atom.denominator.bit_length()
    order = int((MAX_STABILITY_WORK / (bits + 160)) ** (1 / 3)) + past  # just past and far
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        m.stability_bound([atom, Fraction(1, 2)], order=order, tolerance=1e-3)
    assert _elapsed(start) < 2  # main: 45 s for 1e-300 at order 600
    message = str(info.value)
    if order > MAX_STABILITY_ORDER:
        assert f"is more than {MAX_STABILITY_ORDER}" in message
    else:
        assert order**3 * (bits + 160) > MAX_STABILITY_WORK
        assert f"order={order} with 2 atoms of {bits + 3} bits in all" in message


def test_stability_bound_at_its_limits_is_computed_in_time():
    start = time.perf_counter()
    b = m.stability_bound([Fraction(39, 100), Fraction(-1, 2), Fraction(7, 9)], order=600,
                          tolerance=1e-3)
    assert 0 < b < 1
    assert _elapsed(start) < BOUND_S  # main: order 1000 (its limit) took 18 to 27 s


# ----------------------------------------------- item 8: numpy long doubles, read exactly

_LONG = pytest.mark.skipif(__import__("numpy").finfo(__import__("numpy").longdouble).nmant
                           <= 52, reason="long double is a double here")


@_LONG
@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(-4900, 4900), st.integers(1, 10**19), st.booleans())
def test_long_doubles_are_read_at_their_exact_value(exponent, mantissa, negative):
    import numpy as np

    from momentrnn.moments._numbers import read_number

    x = np.longdouble(f"{'-' if negative else ''}{mantissa}e{exponent}")
    r = read_number(x, "moment 1")
    assert r.real == Fraction(*x.as_integer_ratio())  # main: inf, 0, or the nearest double
    assert not r.exact and r.kind == "float128"
    if r.real:
        e = abs(r.real.numerator).bit_length() - r.real.denominator.bit_length()
        if -16000 < e < 900:  # the radius is a double: half an ulp of 64 bits
            assert r.radius <= float(abs(r.real) * Fraction(1, 2**62)) or r.radius < 1e-300


@_LONG
def test_a_long_double_beyond_the_double_range_is_named_by_its_magnitude():
    import numpy as np

    with pytest.raises(InputError, match="about 1e4000") as info:
        m.hankel_rank([1, np.longdouble("1e4000"), 1])  # main: "moment 1 is inf"
    assert "inf" not in str(info.value)
    z = np.clongdouble(np.longdouble("-1e-4000")) + np.clongdouble(1j)
    from momentrnn.moments._numbers import read_number

    r = read_number(z, "moment 1")
    assert r.real == Fraction(*np.longdouble("-1e-4000").as_integer_ratio()) != 0
    assert r.imag == 1


# --------------------------------- item 9: one rule for --tolerance and --data-error

_ACCURACY_TEXT = st.one_of(
    st.builds("{}e{}".format, st.sampled_from(["1", "3.9", "-2", "0", "1_0"]),
              st.integers(-200_000, 200_000)),
    st.builds("{}/{}".format, st.integers(-5, 10**6), st.integers(1, 10**6)),
    st.sampled_from(["inf", "nan", "1e400", "1e-400", "1/3", "0.39", "abc", "1+2j"]))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(_ACCURACY_TEXT)
def test_tolerance_and_data_error_are_read_by_one_rule(text):
    from momentrnn.cli.bounds import _data_error, _tolerance

    def outcome(call):
        try:
            return "value", call()
        except InputError as exc:
            return "refused", str(exc).replace("--data-error", "OPTION").replace(
                "--tolerance", "OPTION")

    tol = outcome(lambda: _tolerance(text, "--tolerance"))
    err = outcome(lambda: _data_error(text))
    if tol[0] == "refused":  # the same reader, the same reason, the option named
        assert err == tol
    elif tol[1] > Fraction(1.7976931348623157e308):  # a radius is a double
        assert err[0] == "refused" and "beyond the double range" in err[1]
    else:
        assert err == tol  # main: float(text): 1/3 refused, 1e-400 read as 0.0


@pytest.mark.parametrize("text,value", [("1e-400", Fraction(1, 10**400)),
                                        ("1/3", Fraction(1, 3)), ("39e-2", Fraction(39, 100))])
def test_a_data_error_is_passed_on_exactly(monkeypatch, capsys, tmp_path, text, value):
    import momentrnn.cli.recover as recover_command
    from momentrnn.cli import main

    path = tmp_path / "m.txt"
    path.write_text("1\n0.39\n1/3\n1/10\n")

    seen = {}

    def recover(moments, **kwargs):
        seen.update(kwargs)
        raise InputError("stop here")

    monkeypatch.setattr(recover_command, "recover_measure", recover)
    code = main(["recover", str(path), "--data-error", text])
    assert code == 2 and "stop here" in capsys.readouterr().err
    assert seen["data_error"] == value  # main: 1e-400 read as 0.0 (exact data), 1/3 refused


# ------------------------------------- item 10: every sweep refusal names the key given

_BAD_VALUES = [0, -1, 10**12, 10**400, 1e308, float("nan"), float("inf"), -1e-300, [], [0],
               [-1], [10**12], [1e308], [float("nan")], "x", ["x"], None, True, 2**63]


def _spec_cases():
    from momentrnn.experiments.families import FAMILIES

    return [(name, key) for name, fam in FAMILIES.items() for key in fam.defaults]


@pytest.mark.parametrize("family,key", _spec_cases())
def test_every_sweep_refusal_names_the_key_that_was_wrong(family, key):
    from momentrnn.experiments.spec import load_spec

    for bad in _BAD_VALUES:
        start = time.perf_counter()
        try:
            load_spec({"family": family, key: bad})
        except InputError as exc:  # anything else (OverflowError, ...) fails the test
            message = str(exc)
            assert key in message, (bad, message)  # main: train_sequences, teacher_dims
            assert "\n" not in message
        assert _elapsed(start) < 5


# ------------------------------------------ item 5: training runs sized before any work

@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.integers(1, 10_000), st.integers(1, 10**6), st.sampled_from(["flow", "gd"]))
def test_training_runs_past_the_lag_work_limit_are_refused_before_work(k, dim, trainer):
    from momentrnn._limits import MAX_LAG_WORK

    if k * dim <= MAX_LAG_WORK:
        dim = MAX_LAG_WORK // k + 1
    student = m.init_student(dim, scale=0.1, seed=0)
    teacher = m.random_teacher(2, seed=1)
    start = time.perf_counter()
    with pytest.raises(InputError, match=f"k={k} lags of a student of dimension {dim} make "
                                         f"{k * dim} values"):
        if trainer == "flow":
            m.integrate_flow(student, teacher, k=k)
        else:
            m.gradient_descent(student, teacher, k=k, steps=10, lr=0.01)
    assert _elapsed(start) < 2


def test_flow_cli_refuses_a_huge_run_before_work(capsys):
    from momentrnn.cli import main

    start = time.perf_counter()
    assert main(["flow", "--teacher", "decaying", "--dim", "20000", "--k", "10000",
                 "--quiet"]) == 2  # main: MemoryError after seconds, or hours of work
    err = capsys.readouterr().err
    assert "k=10000 lags of a student of dimension 20000" in err and err.count("\n") == 1
    assert _elapsed(start) < 5


def test_a_sweep_of_huge_runs_is_refused_when_read():
    from momentrnn.experiments.spec import load_spec

    with pytest.raises(InputError, match="k=10000 lags with dims up to 20000"):
        load_spec({"dims": [20_000], "k": 10_000})


# ------------------------- item 7: refusals at and past the caps name the option given

@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["recover", "realize"]), st.sampled_from(["--dps", "--digits"]),
       st.one_of(st.integers(-3, 4), st.integers(10_001, 10**6), st.integers(10**20, 10**30)))
def test_options_past_their_caps_are_refused_naming_the_option(capsys, command, option,
                                                                value):
    from momentrnn._limits import MAX_DPS, MAX_RECOVERY_DIGITS
    from momentrnn.cli import main

    if command == "realize" and option == "--digits":
        return  # realize has no --digits
    cap = MAX_DPS if option == "--dps" else MAX_RECOVERY_DIGITS
    if 0 < value <= cap and (option == "--digits" or value >= 5):
        value += cap  # past the cap
    with pytest.raises(SystemExit) as info:
        main([command, "/dev/null", option, str(value)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: {value}" in err  # main: "MP(dps=100001) is out of range"
    assert str(cap) in err or value < 1
    assert "MP(" not in err and "digits=" not in err


def test_values_exactly_at_the_caps_are_accepted_by_the_options():
    from momentrnn._limits import MAX_DPS, MAX_RECOVERY_DIGITS
    from momentrnn.cli._common import digits_arg, dps_arg

    assert dps_arg(str(MAX_DPS)) == MAX_DPS and dps_arg("5") == 5
    assert digits_arg(str(MAX_RECOVERY_DIGITS)) == MAX_RECOVERY_DIGITS
    assert m.MP(MAX_DPS).dps == MAX_DPS
