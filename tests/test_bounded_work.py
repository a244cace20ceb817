"""Bounded work (issue 23): exact ranks decided exactly and cheaply, exponents capped in every
spelling, sizes refused before the work starts."""

import math
import time
from decimal import Decimal
from fractions import Fraction

import flint
import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import hankel_rank
from momentrnn._limits import (
    MAX_BINARY_EXPONENT,
    MAX_DECIMAL_EXPONENT,
    MAX_LAGS,
    MAX_LENGTH,
    MAX_MOMENTS,
    MAX_STABILITY_ORDER,
)
from momentrnn.errors import InputError
from momentrnn.moments._data import parse_moments, parse_number_text, to_fraction
from momentrnn.moments.hankel import singular_values

_CTX = mpmath.mp.clone()
_CTX.prec = 200


def _moments(atoms, weights, count):
    return [sum((w * a**k for a, w in zip(atoms, weights)), Fraction(0)) for k in range(count)]


_atom = st.fractions(min_value=-2, max_value=2, max_denominator=50)
_weight = st.fractions(min_value=Fraction(-3), max_value=Fraction(3), max_denominator=30).filter(
    bool)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(_atom, min_size=1, max_size=4, unique=True), st.data(), st.integers(0, 4))
def test_exact_rank_is_the_number_of_atoms_and_the_other_singular_values_are_zero(
        atoms, data, extra):
    weights = data.draw(st.lists(_weight, min_size=len(atoms), max_size=len(atoms)))
    complex_part = data.draw(st.booleans())
    count = 2 * (len(atoms) + extra) + 1
    m = _moments(atoms, weights, count)
    if complex_part:  # i times the moments of one more atom: rank one more (complex)
        extra_atom = Fraction(5, 2)  # outside [-2, 2]: distinct from every drawn atom
        m = [f"{a.numerator}/{a.denominator}+{b.numerator}/{b.denominator}j"
             for a, b in zip(m, _moments([extra_atom], [Fraction(1, 3)], count))]
    r = hankel_rank(m)
    expected = len(atoms) + (1 if complex_part else 0)
    s = r.size
    assert r.rank == min(expected, s)
    sv = r.singular_values
    assert len(sv) == s
    # the zeros the rank over Q proves are exact zeros, and the gap is infinite
    assert all(v == 0 for v in sv[r.rank:])
    assert all(v > 0 for v in sv[:r.rank])
    if r.rank < s:
        assert r.gap == float("inf")
    # the non-zero ones agree with a high-precision SVD of the whole matrix
    full = singular_values(parse_moments(m), s, 600)
    for got, want in zip(sv[:r.rank], full[:r.rank]):
        assert abs(_CTX.mpf(got) - want) <= _CTX.mpf(want) * _CTX.mpf(2) ** -60


def test_exact_rank_of_1600_small_integers_is_fast():
    m = [1 - k % 2 for k in range(1600)]  # (delta_1 + delta_-1) / 2
    start = time.perf_counter()
    r = hankel_rank(m)
    took = time.perf_counter() - start
    assert (r.rank, r.verdict) == (2, "exact")
    assert [float(v) for v in r.singular_values[:2]] == [400.0, 400.0]
    assert all(v == 0 for v in r.singular_values[2:])
    assert took < 20, took  # main: over 90 s (an 800x800 ball eigenproblem at 2.2k bits)


# ------------------------------------------------------------------------ exponent caps

def _spell(digits: str, cuts: list) -> str:
    """``digits`` with single underscores after the positions in ``cuts`` (as Python allows)."""
    out = []
    for i, ch in enumerate(digits):
        out.append(ch)
        if i in cuts and i < len(digits) - 1:
            out.append("_")
    return "".join(out)


@st.composite
def _spelled_exponent(draw, lo: int, hi: int):
    value = draw(st.integers(lo, hi))
    sign = "-" if value < 0 else draw(st.sampled_from(["", "+"]))
    digits = "0" * draw(st.integers(0, 3)) + str(abs(value))
    cuts = draw(st.lists(st.integers(0, len(digits)), max_size=4))
    mantissa = draw(st.sampled_from(["1", "1_0", "0.5", "3_3.2_5", "7", ".2", "9."]))
    text = f"{mantissa}{draw(st.sampled_from('eE'))}{sign}{_spell(digits, cuts)}"
    form = draw(st.sampled_from(["{}", " -{} ", "{}j", "1+{}j", "1-{}J", "({}-2j)"]))
    return value, form.format(text)


@settings(max_examples=80, deadline=500, derandomize=True)
@given(_spelled_exponent(MAX_DECIMAL_EXPONENT + 1, 10**12))
def test_every_spelling_of_a_large_exponent_is_refused_before_it_is_read(case):
    _, text = case
    with pytest.raises(InputError, match="exponent beyond"):
        parse_number_text(text)


@settings(max_examples=80, deadline=500, derandomize=True)
@given(_spelled_exponent(-10**12, -MAX_DECIMAL_EXPONENT - 1))
def test_every_spelling_of_a_small_exponent_is_refused_before_it_is_read(case):
    _, text = case
    with pytest.raises(InputError, match="exponent beyond"):
        parse_number_text(text)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(_spelled_exponent(-40, 40))
def test_spellings_within_the_cap_read_as_python_reads_them(case):
    _, text = case
    token = text.strip().strip("()")
    re_part, im_part = parse_number_text(text)
    if token[-1] in "jJ":
        want = complex(token)  # Python's own reading, to double precision
        assert abs(float(re_part) - want.real) <= 1e-12 * max(1, abs(want.real))
        assert abs(float(im_part) - want.imag) <= 1e-12 * max(1, abs(want.imag))
    else:
        assert (re_part, im_part) == (Fraction(token), 0)


@pytest.mark.parametrize("door", ["moments", "support", "teacher-atoms", "moments-file",
                                  "certify-report"])
def test_underscore_exponents_are_refused_at_every_door(door, tmp_path):
    from momentrnn import recover_measure
    from momentrnn.cli import main
    from momentrnn.moments.truncated import parse_support

    big = "1e1_000_000_000"
    start = time.perf_counter()
    if door == "moments":
        with pytest.raises(InputError, match="exponent beyond"):
            recover_measure([1, big, 1])
    elif door == "support":
        with pytest.raises(InputError, match="exponent beyond"):
            parse_support(("-1", big))
    elif door == "moments-file":
        f = tmp_path / "m.txt"
        f.write_text(f"1\n{big}\n1\n")
        assert main(["recover", str(f)]) == 2
    else:
        student = tmp_path / "s.json"
        model = {"a": ["1/2"], "b": ["1"], "c": ["1"]}
        if door == "certify-report":
            model["a"] = [big]
        student.write_text(__import__("json").dumps(model))
        argv = ["certify", str(student), "--teacher-atoms", big if door == "teacher-atoms"
                else "1/2", "--teacher-weights", "1", "--length", "5", "--lags", "3"]
        assert main(argv) == 2
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("make", [
    lambda: Decimal("1e1000000000"), lambda: Decimal("-1e-1000000000"),
    lambda: _CTX.mpf("1e1000000000"), lambda: _CTX.mpf("1e-1000000000"),
    lambda: _CTX.mpc(1, "1e1000000000"), lambda: flint.arb("1e1000000000"),
    lambda: flint.acb(1, flint.arb("-1e-1000000000")),
], ids=["Decimal", "Decimal-tiny", "mpf", "mpf-tiny", "mpc", "arb", "acb"])
def test_huge_exponents_of_number_objects_are_refused_before_exact_conversion(make):
    value = make()
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"moment 1 is .*(exponent|magnitude).*scale the"):
        parse_moments([1, value, 1])
    assert time.perf_counter() - start < 2


def test_number_objects_within_the_cap_are_read_exactly():
    x = _CTX.mpf(2) ** (MAX_BINARY_EXPONENT - 10) / 3
    got = parse_moments([Decimal("39e-2"), x, flint.arb(2) ** -(MAX_BINARY_EXPONENT - 10)])
    assert to_fraction(got.real[0]) == Fraction(39, 100)
    man, exp = _CTX.mpf(x).man_exp
    assert to_fraction(got.real[1]) == man * Fraction(2) ** exp
    assert to_fraction(got.real[2]) == Fraction(1, 2 ** (MAX_BINARY_EXPONENT - 10))


# ------------------------------------------------------------------------ counts

def test_an_endless_iterator_of_moments_is_refused_not_read():
    import itertools

    start = time.perf_counter()
    with pytest.raises(InputError, match=f"more than {MAX_MOMENTS} entries"):
        parse_moments(itertools.repeat(Fraction(1, 3)))
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("layout", ["lines", "json"])
def test_a_moments_file_is_refused_by_its_count_before_it_is_parsed(layout, tmp_path, capsys):
    from momentrnn.cli import main

    f = tmp_path / "m.txt"
    count = MAX_MOMENTS + 1
    f.write_text("\n".join(["0.39"] * count) if layout == "lines"
                 else "[" + ", ".join(['"1/3"'] * count) + "]")
    start = time.perf_counter()
    assert main(["recover", str(f)]) == 2
    assert f"more than {MAX_MOMENTS}" in capsys.readouterr().err
    assert time.perf_counter() - start < 5


# ------------------------------------------------------------------------ certify's input

_REPORT = {"status": "ok", "k": 5, "extrapolation_length": 12,
           "student": {"a": [0.5, -0.25], "b": [1.0, 1.0], "c": [0.5, 0.25]},
           "teacher_atoms": [0.39, -0.25], "teacher_weights": [0.5, 0.25]}


def _certify(tmp_path, capsys, text, name="r.json", extra=()):
    from momentrnn.cli import main

    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    start = time.perf_counter()
    code = main(["certify", str(path), "--sdp-max-order", "0", *extra])
    assert time.perf_counter() - start < 20
    return code, capsys.readouterr().err


def _with(**fields):
    import json

    report = json.loads(json.dumps(_REPORT))
    report.update(fields)
    return json.dumps(report)


def test_a_valid_report_is_certified(tmp_path, capsys):
    code, err = _certify(tmp_path, capsys, _with())
    assert code in (0, 1) and "error" not in err


@pytest.mark.parametrize("field,value", [
    ("k", "abc"), ("k", None), ("k", [3]), ("k", 0), ("k", -5), ("k", 2.5), ("k", True),
    ("k", 10**6), ("extrapolation_length", "1e9"), ("extrapolation_length", 10**9),
    ("extrapolation_length", 0),
])
def test_report_fields_are_checked_as_options_are(tmp_path, capsys, field, value):
    code, err = _certify(tmp_path, capsys, _with(**{field: value}))
    assert code == 2
    assert f"'{field}' is" in err and "Traceback" not in err


@pytest.mark.parametrize("raw", ["1e400", "9" * 5000], ids=["1e400", "5000-digits"])
def test_report_numbers_beyond_range_are_input_errors(tmp_path, capsys, raw):
    code, err = _certify(tmp_path, capsys, _with().replace('"k": 5', f'"k": {raw}'))
    assert code == 2 and "internal" not in err


def test_teacher_atoms_and_weights_of_different_lengths_are_refused(tmp_path, capsys):
    code, err = _certify(tmp_path, capsys, _with(teacher_weights=[0.5]))
    assert code == 2 and "2 teacher atoms but 1 teacher weights" in err


@pytest.mark.parametrize("content", [b"", b"not a zip", "npy"], ids=["empty", "text", "npy"])
def test_npz_students_that_are_not_archives_are_input_errors(tmp_path, capsys, content):
    import io

    import numpy as np

    if content == "npy":
        buf = io.BytesIO()
        np.save(buf, np.arange(3.0))
        content = buf.getvalue()
    code, err = _certify(tmp_path, capsys, content, name="s.npz",
                         extra=("--teacher-atoms", "1/2", "--teacher-weights", "1",
                                "--length", "5", "--lags", "3"))
    assert code == 2 and "s.npz" in err


def test_a_model_atom_of_1e400_is_reported_not_overflowed(tmp_path, capsys):
    # the certificate's interval is widened to contain the atom (R11 holds on any interval
    # containing both measures): a proved, astronomically large bound, no overflow
    code, err = _certify(tmp_path, capsys, '{"a": ["1e400"], "b": [1], "c": [1]}',
                         extra=("--teacher-atoms", "1/2", "--teacher-weights", "1",
                                "--length", "5", "--lags", "3"))
    assert code in (0, 1) and "Traceback" not in err and "internal error" not in err
    # with the interval given, the atom outside it is named by its size, not overflowed
    from fractions import Fraction

    from momentrnn.errors import InputError
    from momentrnn.moments import certify_extrapolation

    with pytest.raises(InputError, match="about 1e400 lies outside"):
        certify_extrapolation([Fraction(10) ** 400], [1], [1], teacher_atoms=[Fraction(1, 2)],
                              teacher_weights=[1], length=5, lags=3, support=(-1, 1))


@pytest.mark.parametrize("option,value", [("--length", MAX_LENGTH + 1),
                                          ("--lags", MAX_LAGS + 1)])
def test_certify_length_and_lags_are_capped(tmp_path, capsys, option, value):
    code, err = _certify(tmp_path, capsys, _with(), extra=(option, str(value)))
    assert code == 2 and f"{option} {value} is more than" in err


def test_api_caps_before_work():
    from momentrnn import DiscreteMeasure, random_teacher, recurrence_coefficients
    from momentrnn.errors import RankError
    from momentrnn.moments.extrapolation_bound import certify_extrapolation
    from momentrnn.moments.sdp import stability_bound

    start = time.perf_counter()
    with pytest.raises(InputError, match="dim=1000000000000 is more than"):
        random_teacher(10**12)
    with pytest.raises(InputError, match="count=1000000000000 is more than"):
        DiscreteMeasure([Fraction(39, 100)], [1]).moments(10**12)
    with pytest.raises(RankError, match="pass count <= 2"):
        recurrence_coefficients([1, 0, Fraction(1, 3), 0], count=10**12)
    for order in (MAX_STABILITY_ORDER + 1, 10**12):
        with pytest.raises(InputError, match=f"order={order} is more than"):
            stability_bound([Fraction(1, 3)], order=order, tolerance=1e-3)
    with pytest.raises(InputError, match="length=100000 is more than"):
        certify_extrapolation([0.5], [1], [1], teacher_atoms=[0.5], teacher_weights=[1],
                              length=10**5, lags=3)
    assert time.perf_counter() - start < 5


# ------------------------------------------------------------------------ numbers and shapes

_BIG = 10**400


def _flow_student():
    from momentrnn import init_student

    return init_student(2, scale=0.1, seed=3)


@pytest.mark.parametrize("call", [
    lambda m: m.recover_measure([1, 0, Fraction(1, 3), 0], data_digits=_BIG),
    lambda m: m.recover_measure([1, 0.39, 1, 0.39], data_error=_BIG),
    lambda m: m.recover_measure([1, 0, Fraction(1, 3), 0], digits=_BIG),
    lambda m: m.integrate_flow(_flow_student(), m.random_teacher(2), k=5, rtol=_BIG),
    lambda m: m.integrate_flow(_flow_student(), m.random_teacher(2), k=5, t_max=_BIG),
    lambda m: m.integrate_flow(_flow_student(), m.random_teacher(2), k=5, until_loss=_BIG),
    lambda m: m.init_student(2, scale=_BIG),
], ids=["data_digits", "data_error", "digits", "rtol", "t_max", "until_loss", "scale"])
def test_integers_beyond_the_double_range_are_input_errors(call):
    import momentrnn

    with pytest.raises(InputError, match="an integer of 401 digits"):
        call(momentrnn)


@pytest.mark.parametrize("call,pattern", [
    (lambda m: m.LinearRNN([[1, 2], [3]], [1, 1], [1, 1]), r"A must be a rectangular array"),
    (lambda m: m.random_teacher(2).output("abc"), r"inputs='abc' must be real numbers"),
    (lambda m: m.DiagonalRNN([], [], []), r"a is empty"),
    (lambda m: m.init_student(4, scale=0.1).impulse_response(10**4, precision=m.Exact()),
     r"exact impulse response of 10000 lags would hold about .* ask for at most"),
    (lambda m: m.init_student(3, scale=0.1, diagonal=False).impulse_response(
        10**4, precision=m.Exact()), r"exact impulse response of 10000 lags"),
], ids=["ragged", "output-text", "empty", "exact-lags", "exact-lags-full"])
def test_models_refuse_bad_shapes_and_sizes(call, pattern):
    import momentrnn

    start = time.perf_counter()
    with pytest.raises(InputError, match=pattern):
        call(momentrnn)
    assert time.perf_counter() - start < 5


def test_exact_lags_within_the_limit_are_computed():
    from momentrnn import DiagonalRNN, Exact

    model = DiagonalRNN([0.5, -0.25], [1.0, 1.0], [0.39, 1.0])
    h = model.impulse_response(600, precision=Exact())
    assert h[599] == Fraction(0.39) * Fraction(1, 2) ** 599 + Fraction(-1, 4) ** 599


@pytest.mark.parametrize("index", [5, -7, 1.0, True])
def test_gd_result_run_indices_are_checked(index):
    from momentrnn import gradient_descent, init_student, random_teacher

    teacher = random_teacher(2)
    result = gradient_descent(init_student(2, scale=0.1), teacher, k=5, steps=3, lr=0.01)
    with pytest.raises(InputError, match=f"run index {index!r} must be an integer from 0"):
        result.model(index)
    with pytest.raises(InputError, match="run index"):
        result.trajectory(index, teacher, k=5)


# ------------------------------------------------------------------------ sweeps, check, plot

_SMALL = ["--set", "scales=[1e-2]", "--set", "seeds=1", "--set", "dims=[6]",
          "--set", 'teachers=["decaying"]', "--set", 'modes=["random"]',
          "--set", 'trainer="gd"', "--set", "steps=50", "--quiet"]


@pytest.mark.parametrize("argv,pattern", [
    (["sweep", "/dev/zero"], "longer than 1 MiB"),
    (["sweep", "--family", "nonlinear", "--set", f"seeds=[{2**63}]"], "beyond 2\\*\\*63 - 1"),
    (["sweep", "--family", "nonlinear", "--set", f"teacher_seed={2**63}"], "2\\*\\*63 - 1"),
    (["sweep", "--family", "nonlinear", "--set", "student_dims=[100000]", "--set",
      "test_sequences=1", "--set", "lengths=[1]", "--set", "train_sequences=1", "--set",
      "seeds=1", "--set", "scales=[1e-2]"], "needs .* of memory"),
], ids=["spec-dev-zero", "seed-2**63", "teacher-seed-2**63", "dims-weights"])
def test_sweeps_refuse_sizes_before_work(argv, pattern, tmp_path, capsys):
    import re

    from momentrnn.cli import main

    start = time.perf_counter()
    assert main([*argv, "--out", str(tmp_path / "r.jsonl"), "--quiet"]) == 2
    assert re.search(pattern, capsys.readouterr().err)
    assert time.perf_counter() - start < 10


def test_check_jobs_are_lowered_to_the_claims_and_cores(monkeypatch, capsys):
    import proofs_checks.runner as runner
    from momentrnn.cli import main

    seen = {}

    class _Report:
        outcomes = []

        def exit_status(self):
            return 0

        def to_dict(self):
            return {}

    def fake(labels, **kw):
        seen["jobs"] = kw["jobs"]
        return _Report()

    monkeypatch.setattr(runner, "run_checks", fake)
    main(["check", "--only", "M1,M2", "--jobs", "40", "--quick", "--format", "json"])
    assert seen["jobs"] <= 2
    assert "--jobs 40 lowered to" in capsys.readouterr().err


def test_the_hessian_of_a_huge_full_model_is_refused_by_its_memory():
    import numpy as np

    from momentrnn import LinearRNN
    from momentrnn.rnn.losses import moment_loss_hessian

    d = 3000
    model = LinearRNN(np.zeros((d, d)), np.ones(d), np.ones(d))
    start = time.perf_counter()
    with pytest.raises(InputError, match="Hessian of a model of dimension 3000 needs"):
        moment_loss_hessian(model, [1.0, 0.39, 0.25], k=3)
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("atoms", [[math.inf], [math.nan, 0.39], [1e308, -1e308]],
                         ids=["inf", "nan", "huge"])
def test_plot_draws_every_figure_or_writes_none(atoms, tmp_path, capsys):
    import json

    from momentrnn.cli import main

    results = tmp_path / "r.jsonl"
    assert main(["sweep", "--out", str(results), *_SMALL]) == 0
    row = json.loads(results.read_text().splitlines()[0])
    row["learned_atoms"], row["learned_weights"] = atoms, [1.0] * len(atoms)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(row) + "\n")
    figs = tmp_path / "figs"
    code = main(["plot", str(bad), "--out", str(figs)])
    written = sorted(p.name for p in figs.iterdir()) if figs.exists() else []
    if code == 0:
        assert len(written) == 8  # four figures, png and svg
    else:
        assert code == 2 and written == []
        assert "no figure was written" in capsys.readouterr().err


def test_flow_teacher_atoms_beyond_the_double_range_are_input_errors(capsys):
    from momentrnn.cli import main

    assert main(["flow", "--teacher-atoms", "1e400,39/100", "--teacher-weights", "1,1",
                 "--quiet"]) == 2
    assert "--teacher-atoms entry 1 '1e400' is beyond the range of a double" in \
        capsys.readouterr().err
