"""The command line fits the ecosystem: --version, defaults and help for every option, the
sweep spec printed, check's summary line and --quiet/-v, a prompt on a terminal, usage errors
shown with the subcommand's usage, shell completion when argcomplete is there, and optional
dependencies checked before any work with one exit status (4)."""

import argparse
import io
import json
import sys
import tomllib
import types

import pytest

import momentrnn
from momentrnn.cli import _common, build_parser, main


def run(args, capsys, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", stdin)
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def _subparsers(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    raise AssertionError("no subcommands")


# ------------------------------------------------------------------ --version, help, defaults


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"momentrnn {momentrnn.__version__}"


def test_every_option_of_every_command_has_help_and_shows_its_default():
    missing, undefaulted = [], []
    for name, sub in _subparsers(build_parser()).items():
        text = sub.format_help()
        flat = " ".join(text.split())
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            label = f"{name} {'/'.join(action.option_strings) or action.dest}"
            if not action.help or not action.help.strip():
                missing.append(label)
            default = action.default
            if default is None or default is False or default == argparse.SUPPRESS \
                    or default == []:
                continue
            if isinstance(action, argparse._StoreFalseAction):
                # a switch that turns something off: "(default: True)" would read as "off by
                # default", so its help says in words what happens without it
                if "by default" not in action.help:
                    undefaulted.append(f"{label} (a switch whose help does not say what runs "
                                       "by default)")
                continue
            if f"default: {default}" not in flat:
                undefaulted.append(f"{label} (default {default!r})")
    assert not missing, f"options without help: {missing}"
    assert not undefaulted, f"defaults not shown in --help: {undefaulted}"


@pytest.mark.parametrize("option", ["--seed", "--rtol", "--until-loss", "--t-max", "--method"])
def test_flow_options_named_in_the_issue_say_what_they_do(option):
    sub = _subparsers(build_parser())["flow"]
    action = next(a for a in sub._actions if option in a.option_strings)
    assert action.help and len(action.help) > 12


# ------------------------------------------------------------------ sweep spec


def test_sweep_print_spec_prints_a_spec_that_loads_back_and_runs_nothing(tmp_path, capsys):
    from momentrnn.experiments import load_spec

    code, out, _ = run(["sweep", "--print-spec", "--family", "nonlinear", "--set", "seeds=2"],
                       capsys)
    assert code == 0
    raw = tomllib.loads(out)
    assert raw["family"] == "nonlinear" and raw["seeds"] == 2
    spec = load_spec(raw)
    expected = load_spec({"family": "nonlinear", "seeds": 2})
    assert spec.digest == expected.digest
    assert not list(tmp_path.iterdir())


def test_sweep_print_spec_of_the_defaults_round_trips(capsys):
    from momentrnn.experiments import load_spec

    code, out, _ = run(["sweep", "--print-spec"], capsys)
    assert code == 0
    assert load_spec(tomllib.loads(out)).digest == load_spec({}).digest


def test_sweep_without_out_names_the_missing_option_in_the_sweep_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["sweep"])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert "--out" in err and "usage: momentrnn sweep" in err


def test_sweep_help_lists_the_spec_keys_of_every_family():
    from momentrnn.experiments.families import FAMILIES

    text = " ".join(_subparsers(build_parser())["sweep"].format_help().split())
    for family in FAMILIES.values():
        for key in family.defaults:
            assert f"{key} =" in text or f"{key}:" in text, (family.name, key)
    assert "--print-spec" in text


# ------------------------------------------------------------------ check


def _fake_report(verdicts):
    from proofs_checks.harness import Outcome
    from proofs_checks.runner import CheckReport

    outcomes = [Outcome(f"R{i + 1}", f"claim {i + 1}", v, 1.0, {}, 1, 0, 1, 0.5, [], "")
                for i, v in enumerate(verdicts)]
    return CheckReport(outcomes, [], 0, True, False)


def test_check_table_ends_with_a_summary_of_the_verdicts(capsys, monkeypatch):
    import proofs_checks.runner as runner

    report = _fake_report(["PASS"] * 19 + ["FAIL", "SKIPPED"])
    monkeypatch.setattr(runner, "run_checks", lambda *a, **k: report)
    code, out, _ = run(["check", "--quick"], capsys)
    assert code == 1
    last = out.strip().splitlines()[-1]
    assert last.startswith("19 passed, 1 failed, 1 skipped"), last


def test_check_summary_of_a_clean_run(capsys, monkeypatch):
    import proofs_checks.runner as runner

    monkeypatch.setattr(runner, "run_checks", lambda *a, **k: _fake_report(["PASS"] * 21))
    code, out, _ = run(["check", "--quick"], capsys)
    assert code == 0 and out.strip().splitlines()[-1].startswith("21 passed")


def test_check_quiet_prints_only_the_summary_and_no_progress(capsys, monkeypatch):
    import proofs_checks.runner as runner

    seen = {}

    def fake(*args, **kwargs):
        seen["progress"] = kwargs.get("progress")
        return _fake_report(["PASS", "FAIL"])

    monkeypatch.setattr(runner, "run_checks", fake)
    code, out, err = run(["check", "--quick", "--only", "R1,R2", "--quiet"], capsys)
    lines = out.strip().splitlines()
    assert code == 1 and seen["progress"] is None and not err
    assert lines[-1].startswith("1 passed, 1 failed")
    assert not any(line.startswith("R1 ") for line in lines)  # no table row of a pass
    assert any("R2" in line and "FAIL" in line for line in lines)  # what failed is named


def test_check_verbose_prints_each_claims_statement(capsys, monkeypatch):
    import proofs_checks.runner as runner

    report = _fake_report(["PASS"])
    report.outcomes[0].statement = "every measure is a measure"
    monkeypatch.setattr(runner, "run_checks", lambda *a, **k: report)
    code, out, _ = run(["check", "--quick", "--only", "R1", "-v"], capsys)
    assert code == 0 and "every measure is a measure" in out


# ------------------------------------------------------------------ recover on a terminal


class _Terminal(io.BytesIO):
    def isatty(self):
        return True


class _TerminalText(io.TextIOWrapper):
    def isatty(self):
        return True


def test_recover_on_a_terminal_says_what_it_waits_for(capsys, monkeypatch):
    stdin = _TerminalText(_Terminal(b"2\n0\n2/3\n0\n"), encoding="utf-8")
    code, out, err = run(["recover"], capsys, stdin, monkeypatch)
    assert code == 0 and "0.577" in out
    assert "standard input" in err and "Ctrl-D" in err


def test_recover_from_a_pipe_prints_no_prompt(capsys, monkeypatch):
    code, _, err = run(["recover", "-"], capsys, io.StringIO("2\n0\n2/3\n0\n"), monkeypatch)
    assert code == 0 and "Ctrl-D" not in err


def test_exclusive_precisions_are_refused_with_the_recover_usage_before_reading(capsys,
                                                                              monkeypatch):
    class Unread(io.StringIO):
        def read(self, *args):  # pragma: no cover - reached only by the bug
            raise AssertionError("stdin read before the options were checked")

    monkeypatch.setattr(sys, "stdin", Unread())
    with pytest.raises(SystemExit) as exc:
        main(["recover", "-", "--exact", "--float64"])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert "usage: momentrnn recover" in err and "--float64" in err


# ------------------------------------------------------------------ completion


def test_completion_is_wired_when_argcomplete_is_installed(monkeypatch):
    calls = []
    fake = types.ModuleType("argcomplete")
    fake.autocomplete = lambda parser, **kwargs: calls.append(parser)
    monkeypatch.setitem(sys.modules, "argcomplete", fake)
    with pytest.raises(SystemExit):
        main(["--version"])
    assert len(calls) == 1 and calls[0].prog == "momentrnn"


def test_completion_marker_is_in_the_entry_point_module():
    import momentrnn.cli

    with open(momentrnn.cli.__file__, encoding="utf-8") as handle:
        assert "PYTHON_ARGCOMPLETE_OK" in handle.read(1024)


# ------------------------------------------------------------------ optional dependencies


def _pretend_missing(monkeypatch, *names):
    real = _common.module_available
    monkeypatch.setattr(_common, "module_available",
                        lambda name: name not in names and real(name))


def _no_work(monkeypatch):
    """Any training, solving or checking fails the test: the refusal must come first."""
    import momentrnn.dynamics as dynamics
    import momentrnn.moments as moments
    import proofs_checks.runner as runner

    def boom(*args, **kwargs):
        raise AssertionError("work started before the dependency check")

    for module, name in ((dynamics, "integrate_flow"), (dynamics, "gradient_descent"),
                         (moments, "extrapolation_range"), (moments, "moment_feasible"),
                         (runner, "run_checks")):
        monkeypatch.setattr(module, name, boom)


def test_flow_plot_without_matplotlib_exits_4_before_training(tmp_path, capsys, monkeypatch):
    _pretend_missing(monkeypatch, "matplotlib")
    _no_work(monkeypatch)
    code, _, err = run(["flow", "--teacher", "two_pole", "--plot", str(tmp_path / "p.png")],
                       capsys)
    assert code == 4
    assert "matplotlib" in err and "momentrnn[plot]" in err


def test_flow_torch_backend_without_torch_exits_4_before_training(capsys, monkeypatch):
    _pretend_missing(monkeypatch, "torch")
    _no_work(monkeypatch)
    code, _, err = run(["flow", "--teacher", "two_pole", "--gd", "--backend", "torch"], capsys)
    assert code == 4 and "momentrnn[torch]" in err


def test_bounds_tolerance_without_cvxpy_exits_4_before_solving(capsys, monkeypatch):
    _pretend_missing(monkeypatch, "cvxpy")
    _no_work(monkeypatch)
    code, _, err = run(["bounds", "-", "--tolerance", "1/100"], capsys,
                       io.StringIO("1\n0\n1/3\n"), monkeypatch)
    assert code == 4 and "cvxpy" in err


def test_check_claims_needing_cvxpy_exit_4_before_any_check(capsys, monkeypatch):
    _pretend_missing(monkeypatch, "cvxpy")
    _no_work(monkeypatch)
    code, _, err = run(["check", "--quick", "--only", "R1,R11"], capsys)
    assert code == 4
    assert "R11" in err and "cvxpy" in err and "--allow-skip" in err


def test_check_allow_skip_skips_the_claims_needing_a_missing_module(capsys, monkeypatch):
    import proofs_checks.runner as runner

    _pretend_missing(monkeypatch, "cvxpy")
    seen = {}

    def fake(labels, **kwargs):
        seen["labels"], seen["skip"] = labels, kwargs.get("skip")
        return _fake_report(["PASS"])

    monkeypatch.setattr(runner, "run_checks", fake)
    code, _, _ = run(["check", "--quick", "--only", "R1,R11", "--allow-skip",
                      "--format", "json"], capsys)
    assert code == 0 and set(seen["skip"]) == {"R11"} and "cvxpy" in seen["skip"]["R11"]


def test_a_missing_dependency_found_during_the_work_also_exits_4(capsys, monkeypatch):
    import momentrnn.cli.bounds as bounds_command
    from momentrnn.errors import MissingDependencyError

    def missing(*args, **kwargs):
        raise MissingDependencyError("needs cvxpy; pip install 'momentrnn[sdp]'")

    monkeypatch.setattr(bounds_command, "moment_feasible", missing)
    code, _, err = run(["bounds", "-"], capsys, io.StringIO("1\n0\n1/3\n"), monkeypatch)
    assert code == 4 and "cvxpy" in err


def test_the_exit_statuses_are_listed_in_the_top_level_help():
    text = " ".join(build_parser().format_help().split())
    for code in ("0", "1", "2", "3", "4"):
        assert f"{code} " in text
    assert "optional dependency" in text


def test_run_checks_skips_the_labels_it_is_told_to(monkeypatch):
    import proofs_checks.runner as runner

    ran = []
    real = runner._run_all
    monkeypatch.setattr(runner, "_run_all", lambda labels, *a: ran.extend(labels) or
                        real(labels, *a))
    report = runner.run_checks(["R11"], quick=True, seed=0, allow_skip=True,
                               skip={"R11": "needs cvxpy"})
    assert ran == []
    assert report.outcomes[0].verdict == "SKIPPED" and "cvxpy" in report.outcomes[0].message
    assert report.exit_status() == 0
    json.dumps(report.to_dict(), default=str)


def test_the_docs_table_of_exit_statuses_matches_the_command_line():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "architecture.md").read_text(
        encoding="utf-8")
    rows = {line.split("|")[1].strip() for line in text.splitlines()
            if line.startswith("| ") and line.split("|")[1].strip().isdigit()}
    assert rows == {str(code) for code, _ in _common.EXIT_STATUSES}


@pytest.mark.parametrize("args, module", [
    (["sweep", "--executor", "dask"], "distributed"),
    (["sweep", "--family", "nonlinear"], "torch"),
    (["sweep", "--set", 'trainer="gd"', "--set", 'backend="torch"'], "torch"),
])
def test_sweep_needs_are_checked_before_any_run(args, module, tmp_path, capsys, monkeypatch):
    import momentrnn.experiments as experiments

    _pretend_missing(monkeypatch, module)
    monkeypatch.setattr(experiments, "run_sweep", lambda *a, **k: pytest.fail("ran"))
    code, _, err = run([*args, "--out", str(tmp_path / "r.jsonl")], capsys)
    assert code == 4 and module in err and not (tmp_path / "r.jsonl").exists()


def test_plot_without_matplotlib_exits_4(tmp_path, capsys, monkeypatch):
    _pretend_missing(monkeypatch, "matplotlib")
    code, _, err = run(["plot", str(tmp_path / "none.jsonl"), "--out", str(tmp_path)], capsys)
    assert code == 4 and "momentrnn[plot]" in err
