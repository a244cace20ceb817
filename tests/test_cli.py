import json
import subprocess
import sys

import pytest

from momentrnn.cli import main


def run(args, stdin=None, capsys=None, monkeypatch=None):
    if stdin is not None:
        import io

        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_recover_table(capsys, monkeypatch):
    code, out, _ = run(["recover", "-", "--digits", "30"], "2\n0\n2/3\n0\n2/5\n0\n", capsys,
                       monkeypatch)
    assert code == 0
    assert "0.774596669241483377035853079956" in out  # sqrt(3/5) to 30 digits
    assert "status     ok" in out


def test_recover_json_exact(tmp_path, capsys):
    f = tmp_path / "m.json"
    f.write_text('[2, 0, "2/3", 0]')
    code, out, _ = run(["recover", str(f), "--exact", "--format", "json"], capsys=capsys)
    data = json.loads(out)
    assert code == 0 and data["exact"] and data["rank"] == 2
    assert data["atoms"] == ["-sqrt(3)/3", "sqrt(3)/3"] and data["weights"] == ["1", "1"]
    assert data["rank_evidence"]["verdict"] in ("exact", "full")


def test_recover_json_shows_only_vouched_digits(capsys, monkeypatch):
    code, out, _ = run(["recover", "-", "--float64", "--format", "json"],
                       "[2.0, 0.0, 0.6666666666666666, 0.0]", capsys, monkeypatch)
    data = json.loads(out)
    assert code == 0
    digits = int(data["digits"])
    assert 10 <= digits <= 16
    mantissa = data["atoms"][1].replace("0.", "", 1).lstrip("0")
    assert len(mantissa) <= digits


@pytest.mark.parametrize(
    "text, message",
    [
        ("1\nabc\n", "line 2"),
        ("1\nnan\n", "not a finite number"),
        ("1\n2\n3\n", "odd number"),
        ("0\n0\n", "zero measure"),
    ],
)
def test_recover_bad_input_exits_2(text, message, capsys, monkeypatch):
    code, _, err = run(["recover", "-"], text, capsys, monkeypatch)
    assert code == 2 and message in err
    assert "Traceback" not in err


def test_recover_unreachable_accuracy_exits_1(capsys, monkeypatch):
    moments = "\n".join(str(2 / (j + 1)) if j % 2 == 0 else "0.0" for j in range(60))
    code, out, _ = run(["recover", "-", "--rank", "30", "--digits", "20", "--data-digits", "16"],
                       moments, capsys, monkeypatch)
    assert code == 1 and "data_limited" in out


def test_missing_file(capsys):
    code, _, err = run(["recover", "/nonexistent/moments.txt"], capsys=capsys)
    assert code == 2 and "cannot read" in err


def test_check_list_and_quick(capsys):
    code, out, _ = run(["check", "--list"], capsys=capsys)
    assert code == 0 and "M1" in out and "R8" in out
    code, out, _ = run(["check", "--quick", "--only", "M1,M3", "--format", "json"],
                       capsys=capsys)
    data = json.loads(out)
    assert code == 0 and {c["label"] for c in data["claims"]} == {"M1", "M3"}
    assert all(c["verdict"] == "PASS" for c in data["claims"])
    code, _, err = run(["check", "--only", "Z9"], capsys=capsys)
    assert code == 2 and "unknown" in err


def test_module_entry_point_and_help():
    out = subprocess.run([sys.executable, "-m", "momentrnn", "--help"], capture_output=True,
                         text=True, check=True)
    assert "recover" in out.stdout and "check" in out.stdout
    out = subprocess.run([sys.executable, "-m", "momentrnn", "recover", "--help"],
                         capture_output=True, text=True, check=True)
    assert "--digits" in out.stdout and "--certify" in out.stdout


def test_flow_long_memory_teacher_recovers_the_teacher(tmp_path, capsys):
    out_json = tmp_path / "run.json"
    plot = tmp_path / "run.png"
    code, out, _ = run(["flow", "--teacher-atoms", "1", "--teacher-weights", "1", "--dim",
                        "40", "--k", "5", "--init-scale", "1e-3", "--init", "random",
                        "--seed", "0", "--json", str(out_json), "--plot", str(plot),
                        "--quiet"], capsys=capsys)
    assert code == 0
    report = json.loads(out_json.read_text())
    assert report["effective_dimension"] == 1
    assert report["learned_measure"]["agrees_with_teacher"] is True
    assert report["learned_measure"]["vouched_digits"] >= 2
    assert report["invariant_drift"] < 1e-9
    assert "agrees with the teacher: yes" in out
    assert plot.stat().st_size > 1000


def test_flow_gd_and_bad_teacher(capsys):
    # a loss target within reach of 3000 steps (exit 1 when the steps are exhausted above it)
    code, out, _ = run(["flow", "--teacher", "decaying", "--dim", "10", "--k", "3", "--gd",
                        "--lr", "0.05", "--steps", "3000", "--init-scale", "1e-2",
                        "--until-loss", "1e-4", "--quiet"], capsys=capsys)
    assert code == 0 and "training loss" in out and "target reached" in out
    code, _, err = run(["flow", "--teacher-atoms", "1,2", "--teacher-weights", "1"],
                       capsys=capsys)
    assert code == 2 and "2 teacher atoms but 1 weights" in err
    code, _, err = run(["flow", "--teacher", "nope"], capsys=capsys)
    assert code == 2 and "not known" in err


def test_bounds_exact_and_sdp(capsys, monkeypatch):
    code, out, _ = run(["bounds", "-", "--format", "json"], "1\n0\n1/3\n0\n1/5\n", capsys,
                       monkeypatch)
    data = json.loads(out)
    assert code == 0 and data["feasible"] and data["exact"]
    assert (data["lower_exact"]["exact"], data["upper_exact"]["exact"]) == ("-4/75", "4/75")
    assert data["lower"] <= -4 / 75 and data["upper"] >= 4 / 75  # rounded outward
    assert data["lower_measure"] and len(data["lower_measure"]["atoms"]) == 3
    code, out, _ = run(["bounds", "-", "--tolerance", "1e-3", "--format", "json"],
                       "1\n0\n1/3\n", capsys, monkeypatch)
    data = json.loads(out)
    assert code == 0 and data["status"] == "ok" and data["lower"] < 0 < data["upper"]


def test_bounds_infeasible_and_unbounded(capsys, monkeypatch):
    code, out, _ = run(["bounds", "-"], "1\n0\n2\n", capsys, monkeypatch)
    assert code == 1 and "indefinite" in out
    code, out, _ = run(["bounds", "-", "--support", "0,inf"], "1\n1\n", capsys, monkeypatch)
    assert code == 0 and "[1, inf]" in out
    code, _, err = run(["bounds", "-", "--support", "0"], "1\n1\n", capsys, monkeypatch)
    assert code == 2 and "--support" in err


def test_realize(capsys, monkeypatch):
    code, out, _ = run(["realize", "-", "--format", "json"], "2\n1\n1\n1\n1\n1\n", capsys,
                       monkeypatch)
    data = json.loads(out)
    assert code == 0 and data["order"] == 2 and data["residual"] == 0.0
    code, out, _ = run(["realize", "-", "--float64"], "1\n0.5\n0.25\n0.125\n", capsys,
                       monkeypatch)
    assert code == 0 and "order      1" in out


def test_an_accuracy_failure_exits_1_and_bad_input_exits_2(capsys):
    from momentrnn.errors import DataAccuracyError, InputError

    def raises(exc):
        def run(args):
            raise exc
        return run

    import argparse

    from momentrnn.cli import _main as cli

    for exc, code in ((DataAccuracyError("only 3 digits"), 1), (InputError("bad value"), 2)):
        parser = cli.build_parser()
        args = argparse.Namespace(command="recover", func=raises(exc))
        assert cli._run(parser, args) == code
        assert "error:" in capsys.readouterr().err


def test_bounds_with_a_tolerance_decides_by_the_tolerance(tmp_path, capsys):
    pytest.importorskip("cvxpy")
    path = tmp_path / "m.txt"
    path.write_text("1\n2\n")  # exactly infeasible on [-1, 1] (|m_1| > m_0)
    assert main(["bounds", str(path), "--support=-1,1"]) == 1
    capsys.readouterr()
    assert main(["bounds", str(path), "--support=-1,1", "--tolerance", "0.6", "--order", "2",
                 "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["feasible"] is False and out["status"] == "ok" and out["certified_lower"]
    # within 0.4999 no measure has them: proved, and said so
    assert main(["bounds", str(path), "--support=-1,1", "--tolerance", "0.4999",
                 "--order", "2"]) == 2
    assert "Farkas certificate" in capsys.readouterr().err
