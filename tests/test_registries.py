"""The registries of claims and sweep families: adding one is one new file and one registry
line, proved here by doing it in a temporary copy of the package, without editing a file of
the repository; and everything that names claims or families reads them from the registry."""

from __future__ import annotations

import difflib
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from momentrnn.errors import InputError

REPO = pathlib.Path(__file__).resolve().parent.parent

NEW_CLAIM = '''"""X1 (toy): the even moments of a non-negative measure are non-negative."""

from fractions import Fraction

from .harness import Claim
from .registry import register_claim

STATEMENT = "X1 (toy). For a non-negative measure on R, m_{2j} >= 0 for every j."


def moments(case, count):
    return [sum(w * x**j for x, w in zip(case["atoms"], case["weights"])) for j in range(count)]


def cases(quick, seed):
    return [{"atoms": [Fraction(39, 100), Fraction(-1, 3)], "weights": [Fraction(1, 7), 2]},
            {"atoms": [Fraction(0), Fraction(-5, 3)], "weights": [Fraction(2, 9), 1]}]


def check(case):
    return 1.0 if min(moments(case, 9)[0::2]) >= 0 else -1.0


def signed(quick, seed):
    return [{"atoms": [Fraction(1, 3), Fraction(1)], "weights": [Fraction(1), Fraction(-1)]}]


@register_claim
def CLAIM():
    return Claim("X1", "even moments of a non-negative measure", STATEMENT, cases, check,
                 [("a signed measure", signed)], unit="exact")
'''


def _copy(tmp_path: pathlib.Path, package: str) -> pathlib.Path:
    copy = tmp_path / package
    shutil.copytree(REPO / package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _add_line(path: pathlib.Path, after: str, line: str) -> None:
    """Insert ``line`` after the line ``after`` (which must occur once) and check that the file
    differs from before by that one line."""
    old = path.read_text()
    assert old.count(after + "\n") == 1, after
    path.write_text(old.replace(after + "\n", after + "\n" + line + "\n"))
    diff = [d for d in difflib.ndiff(old.splitlines(), path.read_text().splitlines())
            if d[:1] in "+-"]
    assert diff == ["+ " + line], diff


def _run(tmp_path: pathlib.Path, *args: str, first: str) -> subprocess.CompletedProcess:
    """Run python with the temporary copy ``first`` ahead of the repository on the path."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(first), str(REPO)]))
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=240)


# --- claims ------------------------------------------------------------------------------------

def test_a_new_claim_is_one_new_file_and_one_registry_line(tmp_path):
    copy = _copy(tmp_path, "proofs_checks")
    (copy / "x1.py").write_text(NEW_CLAIM)  # the new file
    _add_line(copy / "registry.py", '    "M7",', '    "X1",')  # the registry line
    # the runner, through the command line: --list names it, --only runs it with its control
    listed = _run(tmp_path, "-m", "momentrnn", "check", "--list", "--format", "json",
                  first=tmp_path)
    assert listed.returncode == 0, listed.stderr[-2000:]
    claims = json.loads(listed.stdout)["claims"]
    assert [c["label"] for c in claims][-2:] == ["M7", "X1"]
    assert claims[-1]["title"] == "even moments of a non-negative measure"
    ran = _run(tmp_path, "-m", "momentrnn", "check", "--quick", "--only", "x1,M1", "--format",
               "json", first=tmp_path)
    assert ran.returncode == 0, (ran.stdout[-2000:], ran.stderr[-2000:])
    outcomes = {o["label"]: o for o in json.loads(ran.stdout)["claims"]}
    assert outcomes["X1"]["verdict"] == "PASS" and outcomes["M1"]["verdict"] == "PASS"
    assert outcomes["X1"]["controls_failed"] == outcomes["X1"]["controls_total"] == 1
    assert outcomes["X1"]["cases"] == 2
    # the repository itself is untouched: the label is unknown there
    from proofs_checks.runner import select_claims

    with pytest.raises(InputError, match="unknown claim label"):
        select_claims("X1")


def test_a_claim_of_an_unregistered_label_is_refused_when_it_registers():
    from proofs_checks.harness import Claim
    from proofs_checks.registry import LABELS, register_claim

    claim = Claim("X9", "t", "s", lambda q, s: [], lambda c: 1.0, [])
    with pytest.raises(InputError, match=r"claim label 'X9' is not registered; add it to "
                                         r"proofs_checks.registry.LABELS"):
        register_claim(claim)
    assert "X9" not in LABELS


def test_everything_that_names_the_claims_reads_the_registry():
    from proofs_checks import harness, runner
    from proofs_checks.registry import LABELS, label_pattern, registered

    assert harness.ALL_LABELS == list(LABELS) == runner.select_claims(None)
    claims = harness.load_claims()
    assert list(claims) == list(LABELS)
    for label, claim in claims.items():  # each module registered its own claim
        assert claim.label == label and registered(label) is claim
        assert (REPO / "proofs_checks" / f"{label.lower()}.py").exists()
    pattern = label_pattern()
    assert pattern.findall("by R14 and R1, not R15 or M0; M7 (M3)") == ["R14", "R1", "M7", "M3"]
    # no list of labels is written out anywhere else
    for folder in ("proofs_checks", "momentrnn", "tests", "docs/_ext"):
        for path in (REPO / folder).rglob("*.py"):
            text = path.read_text()
            for old in ('"M{i}" for i', '"R{i}" for i', 'm{i}.html"', "M[1-7]",
                        "len(claims) == 21"):
                assert old not in text or path.name == "test_registries.py", (path, old)

