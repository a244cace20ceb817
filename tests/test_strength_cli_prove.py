"""``momentrnn prove`` as its help states it, through the command line in process.

Stated: the options default to ``prove_flow``'s own defaults (and to the guide's example run
``--dim 2 --k 5 --init-scale 1e-3``); the table prints the JSON's theorem (one block per unit,
its status, the conserved quantity at t = 0); the exit status is 0 exactly when the theorem
was proved; --init-scale, --t-end and --tolerance must be positive and finite, --init-radius
finite and >= 0 (0 accepted), --max-seconds positive; an error of ``prove_flow`` names the
option, not the parameter.
"""

from __future__ import annotations

import inspect
import json

import pytest

from momentrnn.cli import main
from momentrnn.cli.prove import option_names
from momentrnn.prove import prove_flow

SHORT = ["--t-end", "0.5", "--length", "12", "--no-converge", "--init-radius", "0"]


@pytest.fixture(scope="module")
def proof_json():
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["prove", *SHORT, "--format", "json"])
    return code, json.loads(out.getvalue())


def test_the_options_default_to_prove_flow_and_the_guide(proof_json):
    code, doc = proof_json
    options = doc["options"]
    defaults = {name: p.default for name, p in inspect.signature(prove_flow).parameters.items()
                if p.default is not inspect.Parameter.empty}
    for name in ("seed", "order", "prec", "method", "tolerance", "init", "converge"):
        expected = False if name == "converge" else defaults[name]  # --no-converge given
        assert options[name] == expected, name
    assert options["max_seconds"] == "inf" and defaults["max_seconds"] == float("inf")
    assert (options["teacher"], options["dim"], options["k"], options["init_scale"]) == (
        "two_pole", 2, 5, 1e-3)
    assert (doc["dim"], doc["k"], doc["seed"], doc["t_end"]) == (2, 5, 0, 0.5)
    assert code == 0 and doc["status"] == "finite-time"


def test_the_table_prints_the_theorem_of_the_json(proof_json, capsys):
    _, doc = proof_json
    assert main(["prove", *SHORT]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "status      finite-time: proved up to T = 0.5"
    assert lines[1] == "run         teacher two_pole, d = 2, k = 5, init random scale 0.001 seed 0"
    assert lines[2].startswith("integrator  Taylor order 10, 128-bit balls, lohner; ")
    assert lines[3] == "enclosure at t = 0.5:"
    units = [x for x in lines if x.startswith("  unit ")]
    assert units == [f"  unit {i}: a in [{', '.join(doc['a'][i])}]" for i in range(2)]
    for i in range(2):
        k = lines.index(units[i])
        assert lines[k + 1] == f"          b in [{', '.join(doc['b'][i])}]"
        assert lines[k + 2] == f"          c in [{', '.join(doc['c'][i])}]"
        assert lines[k + 3] == (f"          b^2 - c^2 in [{', '.join(doc['invariants'][i])}] "
                                f"(at t = 0: {doc['invariants_initial'][i][0]})")
    k = lines.index("proved:")
    n = len(doc["statements"])
    assert lines[k + 1:k + 1 + n] == [f"  {s}" for s in doc["statements"]]
    # a bound given with a note (or none given) says so on the last line
    assert doc["extrapolation"] is not None and doc["extrapolation_note"]
    assert lines[k + 1 + n:] == [f"  (extrapolation: {doc['extrapolation_note']})"]


def test_a_proof_cut_short_exits_1_and_says_what_is_not_proved(capsys):
    assert main(["prove", "--t-end", "25", "--length", "12", "--max-seconds", "1e-9",
                 "--no-converge"]) == 1
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.startswith("status      not proved up to T = 25: ") and "proved at t = " in first


@pytest.mark.parametrize("option", ["--init-scale", "--t-end", "--tolerance"])
@pytest.mark.parametrize("value", ["0", "-0.0", "-1e-300", "inf", "-inf", "nan"])
def test_a_scale_time_or_tolerance_must_be_positive_and_finite(capsys, option, value):
    assert main(["prove", option, value]) == 2
    err = capsys.readouterr().err
    assert f"{option} {float(value)!r} must be a positive finite number" in err


@pytest.mark.parametrize("value", ["-1e-300", "-1", "inf", "nan"])
def test_an_init_radius_must_be_finite_and_not_negative(capsys, value):
    assert main(["prove", "--init-radius", value]) == 2
    assert (f"--init-radius {float(value)!r} must be a finite number >= 0"
            in capsys.readouterr().err)


@pytest.mark.parametrize("value", ["0", "-0.0", "-5", "nan"])
def test_a_time_budget_must_be_positive(capsys, value):
    assert main(["prove", "--max-seconds", value]) == 2
    assert f"--max-seconds {float(value)!r} must be positive" in capsys.readouterr().err


def test_an_error_of_prove_flow_names_the_option(capsys):
    assert main(["prove", "--dim", "3000"]) == 2
    err = capsys.readouterr().err
    assert "--dim" in err and " dim=" not in err


@pytest.mark.parametrize("parameter, option", [
    ("dim", "--dim"), ("k", "--k"), ("init_scale", "--init-scale"), ("t_end", "--t-end"),
    ("mode", "--init"), ("init", "--init"), ("max_seconds", "--max-seconds"),
    ("init_radius", "--init-radius"), ("prec", "--prec"), ("order", "--order")])
def test_option_names_writes_each_parameter_as_its_option(parameter, option):
    assert option_names(f"{parameter}=3000 is too large") == f"{option}=3000 is too large"
    assert option_names(f"x.{parameter}=3 and self-{parameter}=3") == (
        f"x.{parameter}=3 and self-{parameter}=3")
    if "_" in parameter:
        assert option_names(f"the {parameter} given") == f"the {option} given"
