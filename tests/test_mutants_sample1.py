"""Behaviour that a procedurally placed mutant changed without any test noticing.

Each test names the mutant of ``benchmarks/recorded/mutation.md`` (seed 1) that it catches;
each states a property of the package, not the mutated line.
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import mpmath
import pytest

from momentrnn.errors import InputError


def test_a_taken_method_name_lists_the_methods_whose_certificates_it_serves():  # S002
    from momentrnn.moments.methods import METHODS, register_method

    users = sorted(m.name for m in METHODS.values()
                   if m.certifier == "prony" and m.name != "prony")
    assert users  # the matrix pencil is certified by Prony's ball implementation
    with pytest.raises(InputError) as info:
        register_method(METHODS["prony"])
    message = str(info.value)
    assert "replace=True" in message
    for name in users:
        assert name in message
    # a name that certifies nothing else gets no such list
    lonely = [name for name in METHODS
              if not any(m.certifier == name and m.name != name for m in METHODS.values())]
    assert lonely
    with pytest.raises(InputError) as info:
        register_method(METHODS[lonely[0]])
    assert "certificates of" not in str(info.value)


def test_blas_thread_limit_holds_inside_the_block_and_none_changes_nothing():  # S007
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from momentrnn.dynamics._threads import blas_threads_limited

    def blas_threads():
        info = threadpoolctl.threadpool_info()
        return [i["num_threads"] for i in info if i.get("user_api") == "blas"]

    before = blas_threads()
    if not before:
        pytest.skip("no BLAS library reported by threadpoolctl")
    with blas_threads_limited(1):
        assert blas_threads() == [1] * len(before)
    assert blas_threads() == before
    with blas_threads_limited(None):
        assert blas_threads() == before


def test_exact_recovery_of_a_cubic_without_radicals_gives_its_three_roots():  # S008
    """Atoms the roots of x^3 - 3x + 1 (casus irreducibilis: no real radicals), weights 1:
    the power sums are integers (Newton's identities)."""
    from momentrnn.moments import recover_measure
    from momentrnn.precision import Exact

    e1, e2, e3 = 0, -3, -1
    p = [3, e1]
    p.append(e1 * p[1] - 2 * e2)
    p.append(e1 * p[2] - e2 * p[1] + 3 * e3)
    for k in range(4, 6):
        p.append(e1 * p[k - 1] - e2 * p[k - 2] + e3 * p[k - 3])
    r = recover_measure(p, precision=Exact())
    assert r.status == "ok" and r.rank == 3
    atoms = sorted(float(x) for x in r.measure.atoms)
    want = sorted(float(x) for x in mpmath.polyroots([1, 0, -3, 1], maxsteps=200,
                                                     extraprec=100))
    assert len(atoms) == 3
    assert atoms == pytest.approx(want, rel=0, abs=1e-14)
    assert [float(w) for w in r.measure.weights] == [1.0, 1.0, 1.0]


def test_two_claims_with_two_jobs_run_in_worker_processes():  # S009
    from proofs_checks.runner import _run_all

    lines: list[str] = []
    out = _run_all(["R9", "R10"], quick=True, seed=0, jobs=2, progress=lines.append)
    assert [o.verdict for o in out] == ["PASS", "PASS"]
    assert lines and all(line.endswith(" done") for line in lines), lines
    lines.clear()
    _run_all(["R9"], quick=True, seed=0, jobs=2, progress=lines.append)
    assert lines == ["[1/1] R9 ..."]  # one claim: no pool


def test_flow_plot_draws_the_imbalance_in_the_middle_panel(tmp_path, monkeypatch):  # S011
    pytest.importorskip("matplotlib")
    import matplotlib.figure

    from momentrnn.cli import main

    saved = {}
    real = matplotlib.figure.Figure.savefig

    def spy(self, *args, **kwargs):
        saved["fig"] = self
        return real(self, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", spy)
    path = tmp_path / "flow.png"
    with redirect_stdout(io.StringIO()):
        rc = main(["flow", "--teacher", "two_pole", "--dim", "2", "--k", "5",
                   "--plot", str(path)])
    assert rc == 0 and path.stat().st_size > 0
    axes = saved["fig"].axes
    assert [a.get_title() for a in axes] == ["training loss", "imbalance", "invariant drift"]
    assert all(len(a.get_lines()) == 1 for a in axes)


def test_check_list_exits_zero():  # S012
    from momentrnn.cli import main

    buf = io.StringIO()
    with redirect_stdout(buf):
        rc = main(["check", "--list", "--only", "R1,M3"])
    assert rc == 0
    assert [line.split()[0] for line in buf.getvalue().splitlines()] == ["R1", "M3"]


@pytest.mark.parametrize("bits", [19, 20, 21])
def test_a_short_mantissa_counts_at_its_context_precision(bits):  # S013
    """A number whose mantissa has at most 20 bits (such as 2**19 + 1) says nothing about the
    precision it was computed at; one with more bits is taken at its own length."""
    from momentrnn.moments._numbers import SHORT_MANTISSA, _mp_bits

    ctx = mpmath.mp.clone()
    ctx.prec = 200
    x = ctx.mpf(2 ** (bits - 1) + 1)
    assert x._mpf_[3] == bits
    got = _mp_bits(x._mpf_, x)
    assert got == (200 if bits <= SHORT_MANTISSA else bits)


@pytest.mark.parametrize("length", [39, 40, 41])
def test_a_refused_count_is_quoted_whole_up_to_forty_characters(length):  # S014
    import argparse

    from momentrnn.cli._common import positive_int

    text = "x" * length
    with pytest.raises(argparse.ArgumentTypeError) as info:
        positive_int(text)
    if length <= 40:
        assert text in str(info.value)
    else:
        assert text not in str(info.value) and f"({length} characters)" in str(info.value)


@pytest.mark.parametrize("n, text", [(0, "0 bytes"), (1023, "1023 bytes"), (1024, "1 KiB"),
                                     (1536, "1.5 KiB"), (3 * 1024 ** 3, "3 GiB"),
                                     (2 * 1024 ** 6, "2.05e+03 PiB")])
def test_byte_counts_are_written_in_the_largest_unit_below_them(n, text):  # S018
    from momentrnn.rnn._limits import format_bytes

    assert format_bytes(n) == text


def test_inertia_of_the_empty_matrix_is_all_zero():  # S021
    from flint import fmpq_mat

    from momentrnn.moments.truncated import exact_inertia

    inertia = exact_inertia(fmpq_mat(0, 0))
    assert (inertia.positive, inertia.negative, inertia.zero) == (0, 0, 0)


def test_certify_table_shows_the_sampled_rows_only():  # S027
    from momentrnn.cli.certify import _print_table, _sample

    lags, length = 5, 200
    rows = [{"q": q, "observed": 0.0, "bound": None, "r11": None, "sdp": None, "method": None}
            for q in range(length)]
    out = {"student": "s", "teacher": "t", "lags": lags,
           "moment_errors": [{"float": 0.0}] * lags, "rows": rows,
           "statement": "statement", "max_observed": 0.0, "notes": []}
    buf = io.StringIO()
    with redirect_stdout(buf):
        _print_table(out)
    shown = _sample([r["q"] for r in rows], lags)
    assert 0 not in shown and length - 1 in shown and lags - 1 in shown
    printed = {int(line.split()[0]) for line in buf.getvalue().splitlines()
               if line.split() and line.split()[0].isdigit()}
    assert printed == shown


def test_an_explicit_runge_kutta_counts_every_gradient_it_evaluates(monkeypatch):  # S033
    from fractions import Fraction

    from momentrnn import init_student, integrate_flow, named_teacher
    from momentrnn.dynamics import _problem, register_integrator
    from momentrnn.dynamics.integrators import (
        ButcherTableau,
        ExplicitRungeKutta,
        unregister_integrator,
    )

    half, third = Fraction(1, 2), Fraction(1, 3)

    class Ralston3(ExplicitRungeKutta):  # three stages, Heun's second-order embedded step
        name = "count-stages"
        tableau = ButcherTableau(
            name="Ralston-3", c=(0, half, Fraction(3, 4)),
            a=((), (half,), (0, Fraction(3, 4))),
            b=(Fraction(2, 9), third, Fraction(4, 9)), b_hat=(0, 1, 0),
            order=3, embedded_order=2)

    calls = [0]
    real = _problem.FlowProblem.loss_grad

    def counted(self, theta):
        calls[0] += 1
        return real(self, theta)

    monkeypatch.setattr(_problem.FlowProblem, "loss_grad", counted)
    register_integrator(Ralston3)
    try:
        run = integrate_flow(init_student(4, scale=0.1, seed=0), named_teacher("decaying"),
                             k=3, method="count-stages", t_max=2.0, rtol=1e-6, atol=1e-10)
    finally:
        unregister_integrator("count-stages")
    assert run.status == "t_max" and run.steps > 5
    assert run.evaluations == calls[0]


@pytest.mark.parametrize("text, double", [
    ("0.123456789012345", True), ("0.12345678901234", False), ("-1.2345678901234567e-05", True),
    ("12345678901234.5", True), ("1e-5", False), ("1/3", False),
    ("(0.123456789012345+0.5j)", True), ("0.5-0.123456789012345j", True),
    ("(0.5+0.12345678901234j)", False), ("1.5e-3-2.25e+2j", False)])
def test_text_with_fifteen_significant_digits_reads_as_a_printed_double(text, double):  # S032
    from momentrnn.moments._data import looks_like_double

    assert looks_like_double(text) is double


def test_recover_json_counts_the_decimals_that_look_like_printed_doubles(tmp_path):  # S041
    import json

    from momentrnn.cli import main

    path = tmp_path / "m.txt"
    path.write_text("1\n0.4666666666666667\n0.3\n0.2333333333333333\n")
    buf = io.StringIO()
    with redirect_stdout(buf):
        main(["recover", str(path), "--format", "json"])
    assert json.loads(buf.getvalue())["decimals_look_rounded"] == 2
    buf = io.StringIO()
    with redirect_stdout(buf):
        main(["recover", str(path)])
    assert "decimals_look_rounded" not in buf.getvalue()


@pytest.mark.parametrize("atoms, weights", [
    ([mpmath.mpf(1) / 4], [1]), ([0.25], [1]), ([1], [0.5]), ([0.25], [0.5])])
def test_exact_moments_of_a_measure_need_exact_atoms_and_weights(atoms, weights):  # S048
    from fractions import Fraction

    from momentrnn.moments.algebraic import field_moments

    assert field_moments(atoms, weights, 4) is None
    assert [Fraction(int(v.p), int(v.q)) for v in field_moments([Fraction(1, 4)], [1], 4)] \
        == [1, Fraction(1, 4), Fraction(1, 16), Fraction(1, 64)]


def test_mp_least_squares_solves_a_consistent_overdetermined_system():  # S050
    from fractions import Fraction

    from momentrnn.moments._arith import MPArith

    ctx = mpmath.mp.clone()
    ctx.dps = 40
    arith = MPArith(ctx)
    x = [Fraction(-1, 3), Fraction(39, 100)]
    rows = [[Fraction(1), Fraction(2)], [Fraction(3, 7), Fraction(-5)], [Fraction(1, 9), 1],
            [2, Fraction(1, 11)]]
    rhs = [sum(r * v for r, v in zip(row, x)) for row in rows]
    A = ctx.matrix([[ctx.mpf(v.numerator) / v.denominator if isinstance(v, Fraction)
                     else ctx.mpf(v) for v in row] for row in rows])
    B = ctx.matrix([ctx.mpf(v.numerator) / v.denominator for v in rhs])
    X = arith.solve(A, B)
    assert X.rows == 2
    for got, want in zip(X, x):
        assert abs(got - ctx.mpf(want.numerator) / want.denominator) < ctx.mpf(10) ** -35


def test_a_set_value_may_contain_an_equals_sign():  # S052
    from momentrnn.cli import main

    err = io.StringIO()
    from contextlib import redirect_stderr

    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        rc = main(["sweep", "--print-spec", "--set", 'teachers=["a=b"]'])
    assert rc == 2
    assert "a=b" in err.getvalue() and "Traceback" not in err.getvalue()
