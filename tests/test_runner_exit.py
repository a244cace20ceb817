"""The runner of ``momentrnn check`` (proofs_checks/runner.py) on fake outcomes and claims: its
exit status, its texts and how it turns exceptions into outcomes. Each comparison of runner.py
has a test here that fails when it is flipped or dropped."""

from __future__ import annotations

import json
import math

import pytest

from momentrnn.errors import InputError, MissingDependencyError
from proofs_checks import runner
from proofs_checks.harness import Claim, Outcome
from proofs_checks.runner import (
    EXIT_ERROR,
    EXIT_FAIL,
    EXIT_PASS,
    EXIT_SKIPPED,
    CheckReport,
    margin_text,
    search_text,
)


def outcome(verdict, margin=1.0, unit="", search=None, label="X9"):
    return Outcome(label, "toy", verdict, margin, {}, 1, 1, 1, 0.1, [], "", "", unit,
                   0 if search is None else search["cases"], search)


def status(*verdicts, without_check=(), allow_skip=False):
    return CheckReport([outcome(v) for v in verdicts], list(without_check), 0, False,
                       allow_skip).exit_status()


@pytest.mark.parametrize("verdict, code", [
    ("PASS", EXIT_PASS), ("FAIL", EXIT_FAIL), ("VACUOUS", EXIT_FAIL),
    ("PRECISION INSUFFICIENT", EXIT_FAIL), ("ERROR", EXIT_ERROR), ("SKIPPED", EXIT_SKIPPED),
])
def test_each_verdict_has_its_exit_status(verdict, code):
    assert status("PASS", verdict, "PASS") == code
    assert status(verdict) == code


def test_no_verdict_but_pass_exits_zero():
    assert (EXIT_PASS, EXIT_FAIL, EXIT_ERROR, EXIT_SKIPPED) == (0, 1, 3, 4)
    assert status() == 0 and status("PASS", "PASS") == 0
    for verdict in ("VACUOUS", "PRECISION INSUFFICIENT", "FAIL", "ERROR", "SKIPPED", "NEW"):
        assert status(verdict) != 0, verdict  # an unknown verdict is no pass either
    assert status("SKIPPED", allow_skip=True) == 0
    assert status("SKIPPED", "VACUOUS", allow_skip=True) == EXIT_FAIL


def test_the_worst_kind_of_outcome_decides():
    assert status("FAIL", "ERROR") == EXIT_ERROR
    assert status("ERROR", "VACUOUS") == EXIT_ERROR
    assert status("SKIPPED", "FAIL") == EXIT_FAIL
    assert status("SKIPPED", "PRECISION INSUFFICIENT") == EXIT_FAIL
    assert status("PASS", without_check=["R3"]) == EXIT_ERROR
    assert status("SKIPPED", without_check=["R3"], allow_skip=True) == EXIT_ERROR


def test_skipped_lists_only_skipped_claims():
    report = CheckReport([outcome("PASS", label="A"), outcome("SKIPPED", label="B"),
                          outcome("ERROR", label="C")], [], 0, True)
    assert report.skipped == ["B"]


def test_the_json_carries_the_search_block_or_null():
    block = {"cases": 12, "worst_margin": 0.25, "worst_case": {"x": "39/100"}, "seconds": 1.5}
    report = CheckReport([outcome("PASS", search=block, label="A"), outcome("PASS", label="B")],
                         [], 3, False)
    data = json.loads(json.dumps(report.to_dict(), default=str))
    assert data["claims"][0]["search"] == block and data["claims"][0]["searched"] == 12
    assert data["claims"][1]["search"] is None and data["seed"] == 3 and data["quick"] is False


def test_margin_text():
    assert margin_text(outcome("ERROR")) == "-" and margin_text(outcome("SKIPPED")) == "-"
    assert margin_text(outcome("PASS", 1.0, "exact")) == "exact"
    assert margin_text(outcome("FAIL", 0.0, "exact")) == "exact (fails)"
    assert margin_text(outcome("FAIL", -1.0, "exact")) == "exact (fails)"
    assert margin_text(outcome("FAIL", math.nan, "digits")) == "-"
    assert margin_text(outcome("PASS", math.inf, "digits")) == "inf digits"
    assert margin_text(outcome("PASS", 0.123456, "slope")) == "0.123 slope"
    assert margin_text(outcome("PASS", 2.0)) == "2"


def test_search_text():
    block = {"cases": 40, "drawn": 30, "refined": 10, "seconds": 3.96, "worst_margin": 0.5,
             "worst_case": {"x": "1/3"}}
    line = search_text(outcome("PASS", search=block, unit="digits"), quick=False)
    assert line == ("X9: searched 40 cases (30 drawn, 10 refined) in 4.0 s, worst margin "
                    "0.5 digits at {'x': '1/3'}")
    assert "worst margin -0.5 at" in search_text(
        outcome("FAIL", search={**block, "worst_margin": -0.5}), quick=False)
    assert "worst margin exact (fails)" in search_text(
        outcome("FAIL", unit="exact", search={**block, "worst_margin": 0.0}), quick=False)
    assert "worst margin exact at" in search_text(
        outcome("PASS", unit="exact", search={**block, "worst_margin": 1.0}), quick=False)
    assert "worst margin nan" in search_text(
        outcome("FAIL", search={**block, "worst_margin": math.nan}), quick=False)
    assert "worst margin inf" in search_text(
        outcome("PASS", search={**block, "worst_margin": math.inf}), quick=False)
    assert search_text(outcome("PASS"), quick=False) == "X9: no search (the claim has none)"
    assert search_text(outcome("PASS", search=block), quick=True) == \
        "X9: no search (quick mode)"
    assert search_text(outcome("ERROR", search=block), quick=False) == \
        "X9: not searched (ERROR)"
    assert "drew no case" in search_text(
        outcome("VACUOUS", search={**block, "cases": 0, "worst_margin": None}), quick=False)


def test_one_turns_exceptions_into_outcomes(monkeypatch):
    def claim(check):
        return Claim("X9", "toy", "X9 toy", lambda q, s: [{"x": 1}], check,
                     [("ctl", lambda q, s: [{"x": -1}])])

    def raising(case):
        exc = ZeroDivisionError("division by zero")
        exc.add_note("X9: raised on the drawn search case {'x': 1}")
        raise exc

    def missing(case):
        raise MissingDependencyError("the toy needs cvxpy")

    claims = {"X9": claim(raising)}
    monkeypatch.setattr(runner, "load_claims", lambda: claims)
    out = runner._one("X9", True, 0)
    assert out.verdict == "ERROR" and "ZeroDivisionError" in out.message
    assert "drawn search case {'x': 1}" in out.message
    claims["X9"] = claim(missing)
    out = runner._one("X9", True, 0)
    assert out.verdict == "SKIPPED" and "cvxpy" in out.message
    claims["X9"] = claim(lambda c: float(c["x"]))
    assert runner._one("X9", True, 0).verdict == "PASS"

    def broken():
        raise SyntaxError("a check module that does not import")

    monkeypatch.setattr(runner, "load_claims", broken)
    out = runner._one("X9", True, 0)
    assert out.verdict == "ERROR" and "did not import" in out.title


def test_run_checks_validates_jobs_and_reports_missing_modules(monkeypatch):
    for bad in (0, -1, True, 1.5, "2"):
        with pytest.raises(InputError, match="jobs"):
            runner.run_checks(["M1"], quick=True, seed=0, jobs=bad)
    monkeypatch.setattr(runner, "load_claims", lambda: {})
    report = runner.run_checks(["R1"], quick=True, seed=0, jobs=1)
    assert report.without_check == ["R1"] and report.outcomes[0].verdict == "ERROR"
    assert report.exit_status() == EXIT_ERROR


def test_select_claims():
    assert runner.select_claims(None) == runner.ALL_LABELS
    assert runner.select_claims("") == runner.ALL_LABELS
    assert runner.select_claims(" m1, r8 ") == ["M1", "R8"]
    with pytest.raises(InputError, match="names no claim"):
        runner.select_claims(",")
    with pytest.raises(InputError, match="Z9"):
        runner.select_claims("M1,Z9")


def test_the_search_budget_reaches_every_claim(monkeypatch):
    seen = []

    def fake_run_claim(claim, quick, seed, *, search_seconds=None):
        seen.append((claim, quick, seed, search_seconds))
        return outcome("PASS", label=claim)

    monkeypatch.setattr(runner, "load_claims", lambda: {"M1": "M1", "R8": "R8"})
    monkeypatch.setattr(runner, "run_claim", fake_run_claim)
    report = runner.run_checks(["M1", "R8"], quick=False, seed=4, search_seconds=1.5)
    assert seen == [("M1", False, 4, 1.5), ("R8", False, 4, 1.5)] and report.exit_status() == 0
    seen.clear()
    runner.run_checks(["M1"], quick=False, seed=0)
    assert seen == [("M1", False, 0, None)]
    for bad in (-1, math.nan, math.inf, True, "2"):
        with pytest.raises(InputError, match="search_seconds"):
            runner.run_checks(["M1"], quick=False, seed=0, search_seconds=bad)
    runner.run_checks(["M1"], quick=False, seed=0, search_seconds=0)
    assert seen[-1][3] == 0


def test_the_cli_takes_a_search_budget(monkeypatch, capsys):
    from momentrnn.cli import main

    seen = []

    def fake_run_checks(labels, **kwargs):
        seen.append(kwargs["search_seconds"])
        return CheckReport([outcome("PASS", label=lab) for lab in labels], [],
                           kwargs["seed"], kwargs["quick"])

    monkeypatch.setattr(runner, "run_checks", fake_run_checks)
    assert main(["check", "--only", "M1", "--search-seconds", "2.5"]) == 0
    assert main(["check", "--only", "M1"]) == 0
    assert seen == [2.5, None]
    out = capsys.readouterr().out
    assert out.count("M1: no search (the claim has none)") == 2
    assert main(["check", "--quick", "--only", "M1"]) == 0
    out = capsys.readouterr().out
    assert "no falsification search in the quick mode" in out and "M1: no search" not in out
    for bad in ("-1", "nan", "inf", "two"):
        with pytest.raises(SystemExit) as info:
            main(["check", "--only", "M1", "--search-seconds", bad])
        assert info.value.code == 2
        assert "finite number of seconds" in capsys.readouterr().err


def test_claim_titles_say_which_labels_have_no_check(monkeypatch):
    claim = Claim("M1", "Hankel rank", "M1 ...", lambda q, s: [], lambda c: 1.0, [])
    monkeypatch.setattr(runner, "load_claims", lambda: {"M1": claim})
    assert runner.claim_titles(["M1", "R1"]) == [("M1", "Hankel rank"),
                                                  ("R1", "(no check yet)")]


def test_one_claim_runs_in_this_process_whatever_the_jobs(monkeypatch):
    claim = Claim("X9", "toy", "X9 toy", lambda q, s: [{"x": 1}], lambda c: float(c["x"]),
                  [("ctl", lambda q, s: [{"x": -1}])])
    monkeypatch.setattr(runner, "load_claims", lambda: {"X9": claim})
    lines = []
    report = runner.run_checks(["X9"], quick=True, seed=0, jobs=2, progress=lines.append)
    assert lines == ["[1/1] X9 ..."] and report.outcomes[0].verdict == "PASS"
