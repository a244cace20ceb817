"""Bounded work and one-line refusals (issue 23), the items left after the first rounds.

Each test drives inputs through the public API or the command line and asserts the refusal
(one line, naming the value and the limit) or the exact result, and its time.
"""

import time
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import momentrnn as m
from momentrnn._limits import LIMITS, MAX_EXACT_MOMENT_BITS, MAX_SYMBOLIC_MOMENT_TERMS
from momentrnn.errors import InputError

BOUND_S = 20.0


def _elapsed(start: float) -> float:
    return time.perf_counter() - start


def _one_line_refusal(call, *patterns: str) -> str:
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        call()
    assert _elapsed(start) < 5  # before any work (a first call may import sympy)
    message = str(info.value)
    assert "\n" not in message
    for pattern in patterns:
        assert pattern in message, message
    return message


# ------------------------------------------------- item 1: exact moments, bounded by their bits

@pytest.mark.parametrize("atom,count", [("1/3", 10**6), ("1/3", 100_000), ("1e1000", 3000),
                                        (Fraction(-39, 100), 300_000)])
def test_exact_moments_past_their_bits_are_refused_before_work(atom, count):
    # main: 1/3 over 10**6 moments aborted inside GMP at 4 GB; over 10**5 it ran 9 s
    message = _one_line_refusal(
        lambda: m.DiscreteMeasure([atom], [1]).moments(count, precision=m.Exact()),
        f"count={count}", str(MAX_EXACT_MOMENT_BITS), "ask for at most")
    most = int(message.split("ask for at most ")[1].split()[0])
    assert 1 <= most < count


def _bits(values) -> int:
    return sum(abs(v.numerator).bit_length() + v.denominator.bit_length() for v in values)


_fractions = st.fractions(min_value=-5, max_value=5, max_denominator=10**6)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(_fractions, min_size=1, max_size=4, unique=True),
       st.lists(_fractions.filter(bool), min_size=4, max_size=4), st.integers(1, 40))
def test_the_bit_estimate_bounds_the_exact_moments(atoms, weights, count):
    from momentrnn.moments.measure import _exact_moment_bits

    weights = weights[:len(atoms)]
    got = m.DiscreteMeasure(atoms, weights).moments(count, precision=m.Exact())
    truth = [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(count)]
    assert got == truth  # exact below the limit
    assert _bits(got) <= _exact_moment_bits(atoms, weights, count)[0]


def test_the_largest_count_offered_is_accepted_and_exact():
    atoms, weights = [Fraction(39, 100), Fraction(-1, 3)], [Fraction(1, 7), 2]
    with pytest.raises(InputError, match="ask for at most") as info:
        m.DiscreteMeasure(atoms, weights).moments(200_000, precision=m.Exact())
    most = int(str(info.value).split("ask for at most ")[1].split()[0])
    assert most > 5000
    start = time.perf_counter()
    got = m.DiscreteMeasure(atoms, weights).moments(most, precision=m.Exact())
    assert _elapsed(start) < BOUND_S
    j = most - 1
    assert got[j] == Fraction(1, 7) * Fraction(39, 100) ** j + 2 * Fraction(-1, 3) ** j
    with pytest.raises(InputError, match="ask for at most"):
        m.DiscreteMeasure(atoms, weights).moments(most + 1, precision=m.Exact())


def test_symbolic_exact_moments_are_bounded():
    atoms = ["1/3+1/2j", "1/3-1/2j"]
    count = MAX_SYMBOLIC_MOMENT_TERMS // 2 + 1
    _one_line_refusal(lambda: m.DiscreteMeasure(atoms, [1, 1]).moments(
        count, precision=m.Exact()), f"count={count}", str(MAX_SYMBOLIC_MOMENT_TERMS))
    got = m.DiscreteMeasure(atoms, [1, 1]).moments(4, precision=m.Exact())
    assert [Fraction(int(v.p), int(v.q)) for v in got] == [
        2, Fraction(2, 3), 2 * (Fraction(1, 9) - Fraction(1, 4)),
        2 * (Fraction(1, 27) - 3 * Fraction(1, 3) * Fraction(1, 4))]


def test_the_moment_limits_are_in_the_table():
    assert LIMITS["exact moment bits"].maximum == MAX_EXACT_MOMENT_BITS
    assert LIMITS["symbolic moment terms"].maximum == MAX_SYMBOLIC_MOMENT_TERMS


# ------------------------------------- item 2: certify's teacher weights and the report's kind

def _certify_cli(tmp_path, capsys, model, *extra):
    import json

    from momentrnn.cli import main

    student = tmp_path / "s.json"
    student.write_text(json.dumps(model))
    start = time.perf_counter()
    code = main(["certify", str(student), *extra])
    took = _elapsed(start)
    err = capsys.readouterr().err
    return code, err, took


_MODEL = {"a": ["1/2"], "b": ["1"], "c": ["1"]}
_TEACHER = ("--teacher-atoms", "39/100", "--length", "100", "--lags", "3")


@pytest.mark.parametrize("weight", ["1e-100000", "-7e99999", "1/3" + "0" * 20000])
def test_long_teacher_weights_are_refused_before_work(tmp_path, capsys, weight):
    # main: --teacher-weights 1e-100000 ran past 60 s (bounds compared at 330 000 bits)
    code, err, took = _certify_cli(tmp_path, capsys, _MODEL, *_TEACHER,
                                   "--teacher-weights", weight)
    assert code == 2 and took < 5, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "--teacher-weights entry 1" in err and "more than the 1100000" in err


@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.integers(4, 1000), st.integers(1, 400_000), st.sampled_from(["b", "c", "teacher"]))
def test_weight_bits_are_capped_on_every_door(length, bits, where):
    from momentrnn._limits import MAX_CERTIFY_WEIGHT_BITS
    from momentrnn.moments import certify_extrapolation

    w = Fraction(1, 3 * 2 ** (bits - 3)) if bits > 3 else Fraction(1, 3)
    size = w.numerator.bit_length() + w.denominator.bit_length()
    args = {"b": [1], "c": [1], "teacher": [1]}
    args[where] = [w]
    call = lambda: certify_extrapolation(  # noqa: E731
        [Fraction(1, 2)], args["b"], args["c"], teacher_atoms=[Fraction(39, 100)],
        teacher_weights=args["teacher"], length=length, lags=3, sdp_max_order=0)
    if size * length > MAX_CERTIFY_WEIGHT_BITS:
        _one_line_refusal(call, f"{'teacher_weights' if where == 'teacher' else where}[0]",
                          str(MAX_CERTIFY_WEIGHT_BITS))


def test_double_weights_are_certified_at_the_longest_length():
    from momentrnn._limits import MAX_CERTIFY_WEIGHT_BITS, MAX_LENGTH

    tiny = Fraction(5e-324)  # the smallest double: the longest a double's fraction gets
    assert (tiny.numerator.bit_length() + tiny.denominator.bit_length()) * MAX_LENGTH \
        <= MAX_CERTIFY_WEIGHT_BITS


@pytest.mark.parametrize("extra,needs", [({"kind": "sweep"}, "kind 'flow'"),
                                         ({"kind": "flow", "schema_version": "999"},
                                          "schema_version '1'"),
                                         ({"schema_version": 1}, "schema_version '1'"),
                                         ({"kind": ["flow"]}, "kind 'flow'")])
def test_certify_refuses_a_report_of_another_kind_or_version(tmp_path, capsys, extra, needs):
    code, err, _ = _certify_cli(tmp_path, capsys, dict(_MODEL, **extra), *_TEACHER,
                                "--teacher-weights", "1")
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert needs in err and repr(next(iter(extra.values()))) in err or needs in err


def test_certify_still_reads_flow_reports_and_model_files(tmp_path, capsys):
    for model in (_MODEL, dict(_MODEL, kind="flow", schema_version="1")):
        code, err, _ = _certify_cli(tmp_path, capsys, model, "--teacher-atoms", "39/100",
                                    "--teacher-weights", "1", "--length", "5", "--lags", "3",
                                    "--sdp-max-order", "0")
        assert code in (0, 1) and "error" not in err, err


# ------------------------------------------- item 3: the extrapolation length, before training

@settings(max_examples=6, deadline=None, derandomize=True)
@given(st.integers(10**6 + 1, 10**8))
def test_extrapolation_lengths_past_the_limit_are_refused_before_training(length):
    # main: flow --dim 6 --length 1e8 passed the memory estimate, trained, then ran out of
    # memory
    import numpy as np

    from momentrnn._limits import MAX_EXTRAPOLATION_LENGTH
    from momentrnn.experiments import load_spec

    student = m.init_student(6, scale=1e-2, seed=0)
    teacher = m.named_teacher("decaying")
    cap = str(MAX_EXTRAPOLATION_LENGTH)
    _one_line_refusal(lambda: m.integrate_flow(student, teacher, k=3,
                                               extrapolation_length=length),
                      f"extrapolation_length={length}", cap)
    _one_line_refusal(lambda: m.integrate_flow(student, teacher, k=3,
                                               extrapolation_length=np.int64(length)),
                      f"extrapolation_length={length}", cap)
    res = m.gradient_descent(student, teacher, k=3, lr=0.01, steps=2)
    _one_line_refusal(lambda: res.trajectory(0, teacher, k=3, extrapolation_length=length),
                      f"extrapolation_length={length}", cap)
    _one_line_refusal(lambda: load_spec({"lengths": [100, length], "dims": [6]}),
                      f"lengths holds {length}", cap)


@pytest.mark.parametrize("gd", [False, True])
def test_flow_refuses_a_long_length_by_its_option_before_training(capsys, gd):
    from momentrnn.cli import main

    start = time.perf_counter()
    code = main(["flow", "--teacher", "decaying", "--dim", "6", "--length", "100000000",
                 "--quiet", *(["--gd"] if gd else [])])
    err = capsys.readouterr().err
    assert code == 2 and _elapsed(start) < 5, err
    assert err.count("\n") == 1 and "--length=100000000 is more than 1000000" in err


# ---------------------------------------------- item 7: double moments that leave the range

@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.integers(2, 9), st.integers(20, 300), st.sampled_from([1, -1]),
       st.sampled_from([1, Fraction(1, 3), Fraction(-39, 100)]))
def test_double_moments_beyond_the_range_are_refused_naming_atom_and_index(
        mantissa, exponent, sign, weight):
    # main: DiscreteMeasure([1e200], [1]).moments(4) returned inf moments silently
    import mpmath

    x = float(sign * mantissa * Fraction(10) ** exponent)
    ctx = mpmath.mp.clone()
    ctx.prec = 80
    # the first power whose size (power alone, or times the weight) passes the doubles
    q = next(j for j in range(1, 400) if ctx.mpf(abs(x)) ** j > ctx.mpf("1.7976931348623157e308")
             or ctx.mpf(abs(x)) ** j * abs(ctx.mpf(weight.numerator) / weight.denominator)
             > ctx.mpf("1.7976931348623157e308"))
    mu = m.DiscreteMeasure([x, 0.5], [float(weight), 1.0])
    message = _one_line_refusal(lambda: mu.moments(q + 2), f"m_{q} leaves the range",
                                f"atoms[0] = {x!r}", "MP(", "Exact()")
    assert "inf" not in message.replace("Float64", "")
    below = mu.moments(q)  # every moment before it is a finite double
    assert np.all(np.isfinite(below)) and len(below) == q
    wide = mu.moments(q + 2, precision=m.MP(30))  # the fix the message names
    assert all(ctx.isfinite(v) for v in wide)


def test_an_overflowing_power_is_named_even_under_a_small_weight():
    mu = m.DiscreteMeasure([0.5, 1e100], [1e300, 1e-300])
    _one_line_refusal(lambda: mu.moments(6), "m_4 leaves the range", "atoms[1] = 1e+100",
                      "x**4 is about 1e400")


# ------------------------------------------------ item 6: prove's refusals name its options

_PROVE_LIMITS = [("--dim", "dim", "prove dimension"), ("--prec", "prec", "prove precision"),
                 ("--order", "order", "Taylor order"), ("--length", "length", "length"),
                 ("--k", "k", "lags")]


@settings(max_examples=10, deadline=None, derandomize=True)
@given(st.sampled_from(_PROVE_LIMITS), st.integers(1, 10**6))
def test_prove_refusals_name_the_option_on_the_command_line(limit, past):
    import contextlib
    import io
    import re

    from momentrnn.cli import main
    from momentrnn.prove import prove_flow

    option, parameter, name = limit
    value = LIMITS[name].maximum + past
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["prove", option, str(value)]) == 2
    line = err.getvalue()
    assert line.count("\n") == 1 and f"{option}={value}" in line, line
    # main said dim=/prec=: no parameter spelling is left on the command line
    assert not re.search(r"(?<![\w.-])(dim|prec|order|length|k|init_scale)=", line), line
    with pytest.raises(InputError, match=f"(?<![-]){parameter}={value}"):  # the API's own
        prove_flow("two_pole", **{"dim": 2, "k": 5, "init_scale": 1e-3, parameter: value})


def test_prove_underscore_parameters_read_as_options(capsys):
    from momentrnn.cli import main

    assert main(["prove", "--init-scale", "1e300"]) == 2
    err = capsys.readouterr().err
    assert "--init-scale=1e+300" in err and "smaller --init-scale" in err
    assert "init_scale" not in err


# ------------------------------------------- item 8: numpy integers are integers; --jobs

_NUMPY_INTS = st.sampled_from([np.int8, np.int16, np.int32, np.int64, np.uint16, np.uint64])


@settings(max_examples=12, deadline=None, derandomize=True)
@given(_NUMPY_INTS, st.integers(5, 60))
def test_numpy_integers_are_accepted_where_ints_are(kind, n):
    # main: MP(np.int64(50)) said "needs an integer number of decimal digits"
    assert m.MP(kind(n)) == m.MP(n) and m.Ball(kind(n)) == m.Ball(n)
    assert isinstance(m.MP(kind(n)).dps, int)
    moments = [1, 0, Fraction(1, 3), 0]
    assert m.recover_measure(moments, digits=kind(n)).digits \
        == m.recover_measure(moments, digits=n).digits
    data = [1, Fraction(1, 2), Fraction(1, 3)]
    a = m.extrapolation_range(data, tolerance=0, order=kind(n % 40 + 3))
    b = m.extrapolation_range(data, tolerance=0, order=n % 40 + 3)
    assert (a.lower, a.upper) == (b.lower, b.upper)


@pytest.mark.parametrize("value", [np.bool_(True), True, np.float64(50.0), "50"])
def test_bools_and_non_integers_are_still_refused_as_digit_counts(value):
    _one_line_refusal(lambda: m.MP(value), "must be an integer number of decimal digits",
                      "pass an int")
    big = np.int64(100_001)
    _one_line_refusal(lambda: m.MP(big), "dps=100001", "100000")


@pytest.mark.parametrize("jobs", [1025, 10**6])
def test_check_refuses_jobs_past_the_table(capsys, jobs):
    # main: --jobs 1025 was accepted (lowered without a word under --list)
    from momentrnn.cli import main

    assert main(["check", "--jobs", str(jobs), "--list"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"--jobs {jobs} is more than 1024" in err


# ------------------------------------ item 5: exact inputs refused by their own size, on entry

def _kinds():
    import sympy

    return {"int": lambda n, d: n, "Fraction": lambda n, d: Fraction(n, d),
            "fmpz": lambda n, d: __import__("flint").fmpz(n),
            "fmpq": lambda n, d: __import__("flint").fmpq(n, d),
            "sympy Rational": lambda n, d: sympy.Rational(n, d)}


@settings(max_examples=15, deadline=None, derandomize=True)
@given(st.sampled_from(sorted(_kinds())), st.integers(1, 2 * 10**6),
       st.sampled_from([1, -1]), st.booleans())
def test_long_exact_inputs_are_refused_on_entry_by_their_size(kind, extra, sign, below):
    # main: 2**(10**7) was read, then refused as "Ball(dps=3010334) is out of range"
    from momentrnn._limits import MAX_BINARY_EXPONENT

    bits = MAX_BINARY_EXPONENT + extra
    n, d = sign * 3 * 2 ** (bits - 2), 1
    if below and kind in ("Fraction", "fmpq", "sympy Rational"):
        n, d = sign, 3 * 2 ** (bits - 2)  # the denominator is long
    value = _kinds()[kind](n, d)
    message = _one_line_refusal(lambda: m.recover_measure([1, 0, value, 0]), "moment 2",
                                f"({kind})", f"{bits} bits", str(MAX_BINARY_EXPONENT))
    assert "Ball(" not in message and "dps" not in message
    _one_line_refusal(lambda: m.hankel_rank([1, 0, value, 0]), f"({kind})",
                      str(MAX_BINARY_EXPONENT))


@pytest.mark.parametrize("value", ["1e100000", 2**399_000, Fraction(1, 3**250_000),
                                   "-7e99999"], ids=["text", "int", "Fraction", "negative"])
def test_exact_inputs_past_the_working_digits_are_named_not_ball(value):
    # main: "Ball(dps=100034) is out of range", naming a precision the caller never gave
    from momentrnn._limits import MAX_DPS

    message = _one_line_refusal(lambda: m.recover_measure([1, 0, value, 0]), "moment 2 (about",
                                str(MAX_DPS), "precision=Exact()")
    assert "Ball(" not in message


def test_exact_inputs_within_the_limits_are_still_read():
    big = 3 * 2**1000 + 1
    r = m.recover_measure([1, 0, Fraction(big, 7), 0], precision=m.Exact())
    assert r.measure.moments(4, precision=m.Exact()) == [1, 0, Fraction(big, 7), 0]


# ------------------------------------------ item 9: every module-level cap is in the table

def test_module_level_caps_are_in_the_table_or_said_not_to_be_limits():
    import importlib
    import pathlib
    import re

    import momentrnn
    from momentrnn import _limits

    root = pathlib.Path(momentrnn.__file__).parent
    pattern = re.compile(r"^(_?[A-Z][A-Z0-9_]*(?:MAX|MIN|LIMIT|RANGE|CAP)[A-Z0-9_]*|_?(?:MAX|"
                         r"MIN)_[A-Z0-9_]*) = ", re.M)
    table = {v for k, v in vars(_limits).items() if k.isupper() and isinstance(v, (int, float))}
    unexplained = []
    for path in root.rglob("*.py"):
        if path.name == "_limits.py":
            continue
        text = path.read_text()
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        for name in pattern.findall(text):
            value = getattr(importlib.import_module(f"momentrnn.{module}"), name)
            key = f"{module}.{name}"
            if key in _limits.NOT_INPUT_LIMITS:
                continue
            if value in table or (hasattr(value, "numerator") and value in {
                    Fraction(v) for v in table}):
                continue  # imported from the table
            unexplained.append(key)
    assert not unexplained, unexplained


def test_the_ranges_are_the_tables():
    from momentrnn._limits import MAX_ESCALATION_BITS, MIN_T_MAX, TRACKING_RANGE
    from momentrnn.dynamics import flow
    from momentrnn.moments import _data, recovery

    assert flow.MIN_T_MAX == MIN_T_MAX and recovery.MAX_BITS == MAX_ESCALATION_BITS
    assert _data._RANGE == TRACKING_RANGE


# ------------------------------------------------ item 4: the exact determinant's size

@settings(max_examples=6, deadline=None, derandomize=True)
@given(st.integers(1, 400), st.sampled_from([Fraction(1, 3), Fraction(-39, 100), 7]))
def test_exact_determinants_past_their_size_are_refused_before_work(extra, c):
    # main: hankel_determinant of 1, 1/2, ..., at 400 (and the allowed 1500) rows ran past 60 s
    from momentrnn._limits import MAX_EXACT_DETERMINANT
    from momentrnn.moments import hankel_determinant

    n = MAX_EXACT_DETERMINANT + extra
    moments = [Fraction(1, k + 1) + c for k in range(2 * n - 1)]
    _one_line_refusal(lambda: hankel_determinant(moments), f"{n}x{n}",
                      str(MAX_EXACT_DETERMINANT))
    # below it, exact: the 2x2 determinant m_0 m_2 - m_1**2
    assert hankel_determinant(moments[:3]) == moments[0] * moments[2] - moments[1] ** 2


# -------------------------------------- item 10: SIGTERM stops each command within 5 s

_LONGEST = {  # the longest inputs each command allows (at or near the table's caps)
    "recover": (["recover", "{m}", "--dps", "100000"], None),
    "certify": (["certify", "{s}", "--teacher-atoms", "1e-41", "--teacher-weights", "1",
                 "--length", "1000", "--lags", "3"], None),
    "prove": (["prove", "--dim", "64", "--t-end", "1000"], None),
    "bounds": (["bounds", "{m}", "--order", "64", "--tolerance", "1/1000"], None),
    "flow": (["flow", "--teacher", "decaying", "--dim", "1000", "--k", "1000", "--quiet"], None),
    "check": (["check", "--only", "M1,M2,M3,M4,M5,M6,M7"], None),
}


@pytest.mark.parametrize("command", sorted(_LONGEST))
def test_sigterm_stops_each_command_within_5_s(tmp_path, command):
    import json
    import os
    import signal
    import subprocess
    import sys

    moments = tmp_path / "m.txt"
    moments.write_text("1\n0\n1/3\n0\n")
    student = tmp_path / "s.json"
    student.write_text(json.dumps({"a": ["1/2"], "b": ["1"], "c": ["1"]}))
    argv = [a.format(m=moments, s=student) for a in _LONGEST[command][0]]
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    proc = subprocess.Popen([sys.executable, "-m", "momentrnn", *argv], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(4)  # started, and into its work
    if proc.poll() is not None:  # a fast machine finished within 4 s: nothing left to stop
        out, err = proc.communicate()
        assert proc.returncode == 0 and "Traceback" not in err, (out, err)
        return
    start = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"{command} ran on for more than 5 s after SIGTERM")
    assert _elapsed(start) < 5
    assert proc.returncode != 0 and "Traceback" not in err, err


# ------------------------------------- item 8: certify's student units and teacher atoms

@pytest.mark.parametrize("where", ["student", "teacher"])
def test_certify_refuses_students_and_teachers_past_the_units(tmp_path, capsys, where):
    # main: a student of 20 001 units took 43 s at --length 5
    from momentrnn._limits import MAX_CERTIFY_UNITS
    from momentrnn.moments import certify_extrapolation

    n = MAX_CERTIFY_UNITS + 1
    many = [Fraction(1, k + 2) for k in range(n)]
    if where == "student":
        model = {"a": [str(x) for x in many], "b": ["1"] * n, "c": ["1"] * n}
        code, err, took = _certify_cli(tmp_path, capsys, model, "--teacher-atoms", "39/100",
                                       "--teacher-weights", "1", "--length", "5", "--lags", "3")
        assert f"has {n} units, more than the {MAX_CERTIFY_UNITS}" in err
        _one_line_refusal(lambda: certify_extrapolation(
            many, [1] * n, [1] * n, teacher_atoms=[Fraction(39, 100)], teacher_weights=[1],
            length=5, lags=3), f"a has {n} units", str(MAX_CERTIFY_UNITS))
    else:
        code, err, took = _certify_cli(
            tmp_path, capsys, _MODEL, "--teacher-atoms", ",".join(str(x) for x in many),
            "--teacher-weights", ",".join(["1"] * n), "--length", "5", "--lags", "3")
        assert f"--teacher-atoms has {n} entries" in err
    assert code == 2 and took < 5 and err.count("\n") == 1, err


# ------------------- exact numbers past Python's int-string limit are written, never a traceback

def _huge_moments(sign: int) -> list:
    # m_2 = +-1/3**20000: atoms +-1/3**10000 (real) or +-I/3**10000 (complex, degree 2), of
    # 4772 digits, past Python's 4300 (the 3**200000 fails in the same place)
    return [1, 0, Fraction(sign, 3**20000), 0]


def _flint_digits(n: int) -> str:
    import flint

    return str(flint.fmpz(n))


@pytest.mark.parametrize("sign", [1, -1])
def test_exact_recoveries_past_the_int_string_limit_are_printed_whole(sign):
    # main: the complex atoms +-I/3**100000 (sympy radicals) raised ValueError (Python's
    # 4300-digit limit) in repr, str and to_dict, and the command line was an "internal error"
    import json

    r = m.recover_measure(_huge_moments(sign), precision=m.Exact())
    assert r.measure.moments(4, precision=m.Exact()) == _huge_moments(sign)
    q = _flint_digits(3**10000)
    atoms = sorted(json.loads(json.dumps(r.to_dict()))["atoms"])
    expected = ["-1/" + q, "1/" + q] if sign > 0 else ["-I/" + q, "I/" + q]
    assert atoms == expected
    text = repr(r)
    assert all(a in text for a in expected) and len(text) < 4 * len(q)


@settings(max_examples=12, derandomize=True, deadline=None)
@given(st.fractions(max_denominator=10**6), st.integers(2, 50).filter(lambda d: d not in (4, 9,
       16, 25, 36, 49)), st.sampled_from([1, -1]), st.integers(0, 20_000))
def test_sympy_text_is_str_and_writes_any_length(q, d, sign, extra_digits):
    import sys

    import sympy

    from momentrnn._format import sympy_text

    x = sympy.Rational(q.numerator, q.denominator) + sympy.sqrt(sign * d) / 7
    assert sympy_text(x) == str(x)
    y = x / sympy.Integer(3) ** (extra_digits + 8000)  # past 4300 digits from 9000 bits
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)  # the text Python writes without its limit
    try:
        expected = str(y)
    finally:
        sys.set_int_max_str_digits(old)
    assert sympy_text(y) == expected


def test_a_ball_recovery_past_the_int_string_limit_is_printed():
    # main: repr/str of the certified recovery raised ValueError inside mpmath (its atoms are
    # mpf of about 32 000 bits, written through Python's int-string conversion)
    r = m.recover_measure(_huge_moments(1))
    text = repr(r)
    shown = text.split("DiscreteMeasure({")[1].split("})")[0]
    assert shown.count(":") == 2  # two atoms and their weights, written
    exact = Fraction(1, 3**10000)
    for atom in r.measure.atoms:
        sign, man, exp, _ = atom._mpf_
        assert abs(Fraction(man) * Fraction(2) ** exp - exact) < exact * Fraction(1, 10**10)


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_the_command_line_prints_complex_exact_atoms_past_the_limit(tmp_path, capsys, fmt):
    import sys

    from momentrnn.cli import main

    path = tmp_path / "m.txt"
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        path.write_text(f"1\n0\n-1/{3**20000}\n0\n")
    finally:
        sys.set_int_max_str_digits(old)
    assert main(["recover", str(path), "--exact", "--format", fmt]) == 0
    out, err = capsys.readouterr()
    assert "internal error" not in err and "Traceback" not in err
    q = _flint_digits(3**10000)
    assert f"-I/{q}" in out and f"I/{q}" in out
    if fmt == "json":
        import json

        assert sorted(json.loads(out)["atoms"]) == [f"-I/{q}", f"I/{q}"]


def test_mp_text_is_str_within_the_limit_and_flint_beyond():
    import mpmath

    from momentrnn._format import mp_text

    ctx = mpmath.MPContext()
    ctx.dps = 30
    for v in (ctx.mpf(1) / 3, -ctx.mpf(39) / 100, ctx.mpc(1, -2) / 7, ctx.mpf(0), ctx.inf):
        assert mp_text(v) == str(v)
    ctx.dps = 6000
    v = -ctx.mpf(1) / 3 * ctx.mpf(10) ** -50000
    text = mp_text(v)
    assert text == "-3." + "3" * 5999 + "e-50001"


# ------------------------- certify of a tiny teacher atom: short bounds, still above the exact

def _exact_r11(atoms, eps, length, monkeypatch):
    """R11's bounds computed exactly over Q: no rounding of s_q or of the bounds."""
    from momentrnn.moments import extrapolation_bound as eb

    with monkeypatch.context() as patch:
        patch.setattr(eb, "_short_poly", lambda s: (s, 0))
        patch.setattr(eb, "_round_up", lambda v: v)
        return eb.R11Bounds(atoms, eps).bounds(length)


@settings(max_examples=4, derandomize=True, deadline=None)
@given(st.sampled_from([Fraction(1, 10**41), Fraction(-39, 100), Fraction(1, 3)]),
       st.sampled_from([Fraction(1, 10**6), Fraction(1, 3 * 10**40), Fraction(2, 7)]))
def test_r11_bounds_are_short_and_never_below_the_exact_ones(atom, e):
    from _pytest.monkeypatch import MonkeyPatch

    from momentrnn.moments import extrapolation_bound as eb

    eps = [e, e / 3, e * Fraction(39, 100)]
    length = 30  # certified sups of s_q (the 1-norm past ROOTS_MAX is rounded alike)
    new = eb.R11Bounds([atom], eps).bounds(length)
    exact = _exact_r11([atom], eps, length, MonkeyPatch())
    tiny = Fraction(1, 2**eb.TINY_TAIL_BITS)
    for q, ((b, how), (x, how_x)) in enumerate(zip(new, exact)):
        assert how == how_x
        assert b >= x, q  # sound: never below the exact bound
        # and about as tight: 64 significant bits, the dropped tail of s_q at most 2^-1074
        assert b <= x * (1 + Fraction(1, 2**50)) + 4 * tiny * (1 + sum(eps)), q
        assert b.numerator.bit_length() <= 70 and b.denominator.bit_length() <= 1200, q


def test_certify_of_a_teacher_atom_1e_41_over_1000_orders_is_bounded(tmp_path):
    # main: 39 s (load 5), 18.9 s of CPU: exact Fractions of about 190 000 bits compared
    # at each order and roots of s_q isolated at those coefficients
    from momentrnn.moments import certify_extrapolation

    start = time.process_time()  # CPU time: the test machine's load does not count
    cert = certify_extrapolation([Fraction(1, 2)], [1], [1], teacher_atoms=[Fraction(1, 10**41)],
                                 teacher_weights=[1], length=1000, lags=3)
    took = time.process_time() - start
    assert cert.complete and took < 10, took
    for row in cert.rows[3:]:
        assert row.bound >= abs(Fraction(1, 2**row.q) - Fraction(1, 10**(41 * row.q)))
        assert row.bound.numerator.bit_length() <= 70


# ------------- recover --dps at the cap: the vouched digits' positions without 10 000-digit logs

@settings(max_examples=40, derandomize=True, deadline=None)
@given(st.integers(1, 10**40), st.integers(-5000, 5000), st.sampled_from([0, 1, -1]),
       st.sampled_from([0.0, 15.0, 30.5, 9999.0, 1e-25]))
def test_the_floor_of_log10_is_the_full_precision_one(mantissa, exponent, nudge, shift):
    # main computed both floors with log10 at up to 10 020 digits (pure-Python mpmath): about
    # a third of recover --dps 20000; the 128-bit estimate must give the same integers, also
    # at exact powers of ten and one unit of the working precision beside them
    import mpmath

    from momentrnn._format import _floor_log10

    ctx = mpmath.MPContext()
    ctx.dps = 60
    big = ctx.mpf(mantissa) * ctx.mpf(10) ** exponent
    if nudge:
        big = big * (1 + nudge * ctx.mpf(2) ** (1 - ctx.prec))
    assert _floor_log10(ctx, big, shift) == int(ctx.floor(ctx.log10(big) - shift))
    for power in (ctx.mpf(10) ** exponent, ctx.mpf(10) ** exponent * (1 - ctx.mpf(2) ** -150)):
        # the second is below 10**exponent by less than 128 bits resolve: its floor is one less
        assert _floor_log10(ctx, power, shift) == int(ctx.floor(ctx.log10(power) - shift))
    assert _floor_log10(ctx, ctx.mpf(10) ** exponent * (1 - ctx.mpf(2) ** -150), 0.0) == (
        exponent - 1)


def test_an_irrational_exact_atom_past_the_int_string_limit_is_printed():
    # atoms +-sqrt(10^5000 / (10^5000 + 1)): sympy's term ordering once called str() of the
    # 5001-digit integers inside and raised ValueError
    import sympy

    from momentrnn._format import sympy_text

    next_ = "1" + "0" * 4999 + "1"  # 10^5000 + 1 as text: sqrt(a/b) = 10^2500 sqrt(b) / b
    x = sympy.sqrt(sympy.Rational(10**5000, 10**5000 + 1))
    for value in (x, -x, 1 - x / 3):
        text = sympy_text(value)
        assert f"sqrt({next_})" in text, text[:80]
    # small values print exactly as sympy's own str does
    for value in (sympy.sqrt(15) / 5, 1 - sympy.sqrt(15) / 5, -sympy.Rational(39, 100)):
        assert sympy_text(value) == str(value)
