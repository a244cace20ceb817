"""Command-line defaults and argument checks, stated from the library and the docs.

Each command's ``--help`` shows its defaults, but they come from the parser itself; what is
stated independently is the library function the command runs (its signature's defaults) and
the docs (README, ``docs/guide/*.md``). Each test runs the command with the library call
replaced by a recorder, so the value a run actually uses is the one compared.
"""

from __future__ import annotations

import inspect
import math
from types import SimpleNamespace

import pytest

from momentrnn.cli import main


class _Stop(Exception):
    pass


def _recorder(calls, name, result=None):
    def record(*args, **kwargs):
        calls[name] = (args, kwargs)
        if result is None:
            raise _Stop(name)
        return result
    return record


def _defaults(function) -> dict:
    return {name: p.default for name, p in inspect.signature(function).parameters.items()
            if p.default is not inspect.Parameter.empty}


# ------------------------------------------------------------------------------- prove

def _run_prove(monkeypatch, args):
    import momentrnn.cli.prove as prove  # the command's own reference is patched

    calls = {}
    monkeypatch.setattr(prove, "prove_flow", _recorder(calls, "prove_flow"))
    main(["prove", *args])  # the recorder stops the run: an internal error, exit 3
    return calls["prove_flow"]


def test_prove_runs_prove_flow_with_its_own_defaults_and_the_guide_s_run(monkeypatch):
    from momentrnn.prove import prove_flow

    args, kwargs = _run_prove(monkeypatch, [])
    # the guide's command: --teacher two_pole --dim 2 --k 5 --init-scale 1e-3 --seed 0
    # --t-end 25 (docs/guide/prove.md), which "the defaults" reproduce
    assert args == ("two_pole", 2, 5, 1e-3, 0, 25.0)
    stated = _defaults(prove_flow)
    assert stated["seed"] == 0 and stated["t_end"] == 25.0
    for name in ("init", "length", "order", "prec", "method", "tolerance", "max_seconds",
                 "converge", "init_radius"):
        assert kwargs[name] == stated[name], name
    # docs/guide/prove.md: order p = 10 by default, 128 bits, Lohner; no fixed per-step
    # tolerance: the remainder budget (default 1e-12) chooses each step's remainder
    assert (kwargs["order"], kwargs["prec"], kwargs["method"], kwargs["tolerance"]) == (
        10, 128, "lohner", None)
    assert "remainder_budget" not in kwargs and stated["remainder_budget"] == 1e-12
    assert kwargs["length"] == 1000 and kwargs["max_seconds"] == math.inf
    assert kwargs["converge"] is True and kwargs["init_radius"] == 0.0


def test_prove_passes_every_option_through(monkeypatch):
    args, kwargs = _run_prove(monkeypatch, [
        "--teacher", "decaying", "--dim", "3", "--k", "7", "--init-scale", "0.002",
        "--seed", "11", "--t-end", "3.5", "--init", "balanced", "--length", "17",
        "--order", "12", "--prec", "200", "--method", "ball", "--tolerance", "1e-15",
        "--max-seconds", "9", "--no-converge", "--init-radius", "1e-9"])
    assert args == ("decaying", 3, 7, 0.002, 11, 3.5)
    assert kwargs == dict(init="balanced", length=17, order=12, prec=200, method="ball",
                          tolerance=1e-15, max_seconds=9.0, converge=False, init_radius=1e-9)


@pytest.mark.parametrize("option, value, accepted", [
    ("--init-scale", "0", False), ("--init-scale", "-1e-3", False),
    ("--init-scale", "inf", False), ("--init-scale", "5e-324", True),
    ("--t-end", "0", False), ("--t-end", "1e-300", True),
    ("--tolerance", "0", False), ("--tolerance", "nan", False),
    ("--init-radius", "0", True), ("--init-radius", "-1e-300", False),
    ("--init-radius", "inf", False), ("--init-radius", "1e-9", True),
    ("--max-seconds", "0", False), ("--max-seconds", "-1", False),
    ("--max-seconds", "1e-9", True), ("--max-seconds", "inf", True),
])
def test_prove_refuses_values_outside_each_option_s_range(monkeypatch, capsys, option, value,
                                                          accepted):
    import momentrnn.cli.prove as prove  # the command's own reference is patched

    calls = {}
    monkeypatch.setattr(prove, "prove_flow", _recorder(calls, "prove_flow"))
    if accepted:
        main(["prove", option, value])
        assert "prove_flow" in calls
        return
    assert main(["prove", option, value]) == 2
    err = capsys.readouterr().err
    assert option in err and "prove_flow" not in calls


def _proof(dim, *, status, proved, init_radius=0.0, note=None):
    iv = [["1", "2"]] * dim
    d = dict(final_time_decimal="25", t_end_decimal="25", reason=None, teacher="two_pole",
             dim=dim, k=5, init="random", init_scale=1e-3, seed=0, init_radius=init_radius,
             order=10, prec=128, method="lohner", steps=3, rejected=0, seconds=0.1,
             max_radius=1e-20, a=[[f"a{i}", f"a{i}'"] for i in range(dim)], b=iv, c=iv,
             invariants=iv, invariants_initial=[[f"I{i}", f"I{i}'"] for i in range(dim)],
             statements=["first", "second"], extrapolation=None if note else "1e-3",
             extrapolation_note=note)
    return SimpleNamespace(status=status, proved=proved, dim=dim, init_radius=init_radius,
                           teacher="two_pole", to_dict=lambda: d)


@pytest.mark.parametrize("dim", [1, 3])
def test_prove_table_shows_every_unit_and_exits_by_what_was_proved(monkeypatch, capsys, dim):
    import momentrnn.cli.prove as prove  # the command's own reference is patched

    for status, proved, code, head in (
            ("converged", True, 0, "status      converged: proved up to T = 25, and for all"),
            ("finite-time", True, 0, "status      finite-time: proved up to T = 25"),
            ("not-proved", False, 1, "status      not proved up to T = 25")):
        proof = _proof(dim, status=status, proved=proved)
        monkeypatch.setattr(prove, "prove_flow", lambda *a, proof=proof, **k: proof)
        assert main(["prove"]) == code
        out = capsys.readouterr().out
        assert out.startswith(head), out
        for i in range(dim):
            assert f"  unit {i}: a in [a{i}, a{i}']" in out
            assert f"(at t = 0: I{i})" in out
        assert f"unit {dim}:" not in out
        assert "  first\n  second\n" in out and "(extrapolation:" not in out
    monkeypatch.setattr(prove, "prove_flow", lambda *a, **k: _proof(
        dim, status="finite-time", proved=True, init_radius=1e-9, note="why"))
    assert main(["prove"]) == 0
    out = capsys.readouterr().out
    assert "every initialisation within 1e-09 of it" in out
    assert f"(at t = 0: in [I{dim - 1}, I{dim - 1}'] over the box)" in out
    assert "  (extrapolation: why)" in out


# -------------------------------------------------------------------------------- flow

def _run_flow(monkeypatch, args):
    import momentrnn.cli.flow as flow_command  # the command's own references are patched

    calls = {}
    real_init = flow_command.init_student

    def init(*a, **k):
        calls["init_student"] = (a, k)
        return real_init(*a, **k)

    monkeypatch.setattr(flow_command, "init_student", init)
    monkeypatch.setattr(flow_command, "integrate_flow", _recorder(calls, "integrate_flow"))
    monkeypatch.setattr(flow_command, "gradient_descent", _recorder(calls, "gradient_descent"))
    main(["flow", "--teacher", "two_pole", "--quiet", *args])
    assert "integrate_flow" in calls or "gradient_descent" in calls
    return calls


def test_flow_runs_the_documented_defaults(monkeypatch):
    from momentrnn.dynamics import integrate_flow

    calls = _run_flow(monkeypatch, [])
    (dim,), init = calls["init_student"]
    # docs/guide/dynamics.md's student: 40 units at scale 1e-3, random, seed 0
    assert dim == 40 and init == dict(scale=1e-3, mode="random", seed=0)
    _, kwargs = calls["integrate_flow"]
    stated = _defaults(integrate_flow)
    # README: "--until-loss default 1e-10", "--length (default 1000 ...)"; the dynamics
    # guide: method "auto", rtol 3e-7; no time limit
    assert kwargs["k"] == 5
    assert kwargs["method"] == stated["method"] == "auto"
    assert kwargs["rtol"] == stated["rtol"] == 3e-7
    assert kwargs["until_loss"] == 1e-10 and kwargs["t_max"] is None
    assert kwargs["extrapolation_length"] == stated["extrapolation_length"] == 1000


def test_flow_s_gradient_descent_defaults(monkeypatch):
    from momentrnn.dynamics import gradient_descent

    calls = _run_flow(monkeypatch, ["--gd"])
    _, kwargs = calls["gradient_descent"]
    assert kwargs["lr"] == 0.01 and kwargs["steps"] == 100_000 and kwargs["k"] == 5
    assert kwargs["backend"] == _defaults(gradient_descent)["backend"] == "numpy"
    assert kwargs["until_loss"] == 1e-10


def test_flow_passes_every_option_through(monkeypatch):
    calls = _run_flow(monkeypatch, ["--dim", "7", "--k", "9", "--init-scale", "0.01",
                                    "--init", "balanced", "--seed", "3", "--rtol", "1e-9",
                                    "--until-loss", "1e-12", "--t-max", "50",
                                    "--length", "33", "--method", "LSODA"])
    assert calls["init_student"] == ((7,), dict(scale=0.01, mode="balanced", seed=3))
    _, kwargs = calls["integrate_flow"]
    assert (kwargs["k"], kwargs["rtol"], kwargs["until_loss"], kwargs["t_max"],
            kwargs["extrapolation_length"], kwargs["method"]) == (9, 1e-9, 1e-12, 50.0, 33,
                                                                  "LSODA")


@pytest.mark.parametrize("option", ["--init-scale", "--lr", "--rtol"])
@pytest.mark.parametrize("value, accepted", [("0", False), ("-1", False), ("nan", False),
                                             ("inf", False), ("1e-300", True)])
def test_flow_takes_positive_finite_scales_only(monkeypatch, capsys, option, value, accepted):
    if accepted:
        _run_flow(monkeypatch, [option, value])
        return
    assert main(["flow", "--teacher", "two_pole", "--quiet", option, value]) == 2
    assert option in capsys.readouterr().err


# ----------------------------------------------------------------- certify, bounds, recover

def test_certify_s_sdp_order_default_is_the_library_s_and_the_guide_s():
    from momentrnn.cli._main import build_parser
    from momentrnn.moments.extrapolation_bound import certify_extrapolation

    args = build_parser().parse_args(["certify", "report.json"])
    # docs/guide/bounds.md: "--sdp-max-order (default 24, at most 32 ...)"
    assert args.sdp_max_order == _defaults(certify_extrapolation)["sdp_max_order"] == 24


def test_bounds_default_support_is_the_library_s():
    from momentrnn import extrapolation_range
    from momentrnn.cli._main import build_parser

    args = build_parser().parse_args(["bounds"])
    lo, hi = (float(t) for t in args.support.split(","))
    assert (lo, hi) == tuple(_defaults(extrapolation_range)["support"]) == (-1, 1)
    assert args.file == "-"


def test_recover_s_defaults_are_the_library_s():
    from momentrnn import recover_measure
    from momentrnn.cli._main import build_parser

    args = build_parser().parse_args(["recover"])
    stated = _defaults(recover_measure)
    assert (args.method, args.basis) == (stated["method"], stated["basis"]) == (
        "auto", "monomial")
    assert args.file == "-" and args.format == "table"


def test_check_runs_seed_zero_in_this_process_by_default():
    from momentrnn.cli._main import build_parser

    args = build_parser().parse_args(["check"])
    assert (args.seed, args.jobs, args.format, args.search_seconds) == (0, 1, "table", None)


# ------------------------------------------------------------------------------- check

def test_the_check_summary_counts_each_verdict_in_its_order():
    from momentrnn.cli.check import summary_line

    assert summary_line([], 0.04) == "no claim checked in 0.0 s"
    assert summary_line(["PASS"] * 19 + ["FAIL", "SKIPPED"], 12.34) == (
        "19 passed, 1 failed, 1 skipped in 12.3 s")
    assert summary_line(["ERROR", "VACUOUS", "ERROR", "PRECISION INSUFFICIENT", "PASS"],
                        1.0) == ("1 passed, 1 vacuous, 1 precision insufficient, 2 errors "
                                 "in 1.0 s")
    assert summary_line(["ERROR"], 1.0) == "1 error in 1.0 s"
    assert summary_line(["PASS", "ODD", "ODD"], 2.0) == "1 passed, 2 other in 2.0 s"


@pytest.mark.parametrize("text, ok", [("0", True), ("2", True), ("1e300", True),
                                      ("-1e-300", False), ("inf", False), ("nan", False),
                                      ("two", False)])
def test_search_seconds_are_finite_and_not_negative(text, ok):
    import argparse

    from momentrnn.cli.check import _seconds

    if ok:
        assert _seconds(text) == float(text)
    else:
        with pytest.raises(argparse.ArgumentTypeError, match="is not a finite number of seconds"):
            _seconds(text)


@pytest.mark.parametrize("asked, claims, cores, used", [(1, 3, 8, 1), (4, 3, 8, 3),
                                                        (4, 5, 2, 2), (5, 5, 8, 5),
                                                        (3, 1, 8, 1), (3, 5, None, 1)])
def test_check_uses_no_more_workers_than_claims_or_cores(monkeypatch, capsys, asked, claims,
                                                         cores, used):
    import proofs_checks.runner as runner
    from momentrnn.cli import check

    labels = ["M1", "M2", "M3", "M4", "M5"][:claims]
    calls = {}
    monkeypatch.setattr(runner, "select_claims", lambda only: labels)
    monkeypatch.setattr(check.os, "cpu_count", lambda: cores)
    monkeypatch.setattr(runner, "run_checks", _recorder(calls, "run_checks"))
    main(["check", "--jobs", str(asked)])
    assert calls["run_checks"][1]["jobs"] == used
    assert calls["run_checks"][1]["seed"] == 0 and calls["run_checks"][1]["quick"] is False
    err = capsys.readouterr().err
    if used < asked:  # a system that does not say its cores counts as one
        assert (f"--jobs {asked} lowered to {used} ({claims} claims, {cores or 1} cores)"
                in err)
    else:
        assert "lowered" not in err


# ----------------------------------------------------------------------------- recover

@pytest.mark.parametrize("flags, precision", [
    ([], None), (["--exact"], "Exact()"), (["--float64"], "Float64()"),
    (["--certify"], None), (["--certify", "--dps", "30"], "Ball(30)"),
    (["--dps", "30"], "MP(30)"),
])
def test_recover_takes_at_most_one_precision_flag(monkeypatch, capsys, tmp_path, flags,
                                                  precision):
    import momentrnn.cli.recover as recover_command

    path = tmp_path / "m.txt"
    path.write_text("1\n0\n1/3\n0\n")
    calls = {}
    monkeypatch.setattr(recover_command, "recover_measure", _recorder(calls, "recover_measure"))
    main(["recover", str(path), *flags])
    used = calls["recover_measure"][1]["precision"]
    assert (None if used is None else repr(used)) == precision
    capsys.readouterr()
    for pair in (["--exact", "--float64"], ["--float64", "--certify"],
                 ["--exact", "--certify"], ["--exact", "--float64", "--certify"]):
        calls.clear()
        with pytest.raises(SystemExit) as info:
            main(["recover", str(path), *pair])
        assert info.value.code == 2 and "recover_measure" not in calls
        # the parser's group refuses them first; the command's own check says the same
        assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize("status, digits, code", [
    ("ok", None, 0), ("data_limited", None, 0), ("precision_exhausted", None, 0),
    ("data_limited", "5", 1), ("precision_exhausted", "5", 1), ("ill_conditioned", None, 1),
    ("ok", "5", 0),
])
def test_recover_fails_short_of_accuracy_only_when_digits_were_asked_for(status, digits, code):
    from momentrnn.cli import recover as cli_recover

    fake = SimpleNamespace(ok=status == "ok", status=status)
    args = SimpleNamespace(digits=None if digits is None else float(digits))
    expected_short = digits is None and status in ("data_limited", "precision_exhausted")
    assert cli_recover._short_of_no_request(args, fake) is expected_short
    assert (0 if fake.ok or expected_short else 1) == code


def test_recover_s_own_check_refuses_two_precision_flags():
    from momentrnn.cli._common import UsageError
    from momentrnn.cli.recover import _precision

    flags = dict(exact=False, float64=False, certify=False, dps=None)
    assert _precision(SimpleNamespace(**flags)) is None
    for pair in (("exact", "float64"), ("float64", "certify"), ("exact", "certify")):
        with pytest.raises(UsageError, match="choose at most one of"):
            _precision(SimpleNamespace(**{**flags, **dict.fromkeys(pair, True)}))
