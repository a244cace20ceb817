"""The registries of claims, sweep families and recovery methods: adding one is one new file
and one registry line, proved here by doing it in a temporary copy of the package, without
editing a file of the repository; and everything that names claims or families reads them from
the registry."""

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


# --- sweep families ----------------------------------------------------------------------------

NEW_FAMILY = '''"""Complex poles (a toy family): a conjugate pair r e^{+-i theta} of weight 1,
its power moments 2 r^q cos(q theta) for q < length, and the error of the poles that Prony's
method recovers from them in doubles."""

import cmath
import math

from ...errors import InputError
from ...moments import recover_measure
from ...precision import Float64
from .base import SweepFamily, SweepRow, positive_list, seed_list
from .registry import register_family_class


@register_family_class
class ComplexPoles(SweepFamily):
    name = "complex_poles"
    description = "a conjugate pair of complex poles recovered from its moments (a toy)"
    defaults = {"moduli": [0.8], "angles": [0.7], "seeds": 1, "lengths": [4]}
    types = {"moduli": list, "angles": list, "seeds": (int, list), "lengths": list}
    grid_keys = ("moduli", "angles", "seeds")
    run_fields = {"modulus": float, "angle": float, "seed": int}
    group_fields = ("modulus",)
    table_fields = ("modulus", "angle")
    length_metrics = ("pole_error",)
    headline = "pole_error"
    metric_schemas = {"pole_error": {"$ref": "#/$defs/number"}}

    def validate(self, p):
        p = dict(p, seeds=seed_list(p["seeds"]))
        positive_list(p, "moduli")
        positive_list(p, "lengths", integer=True)
        for a in p["angles"]:
            if isinstance(a, bool) or not isinstance(a, float) or not 0 < a < math.pi:
                raise InputError(f"angles contains {a!r}; give angles in (0, pi), e.g. 0.7")
        if min(p["lengths"]) < 4:
            raise InputError(f"lengths={p['lengths']}: two poles need at least 4 moments")
        return p

    def expand(self, p):
        return [{"modulus": float(r), "angle": a, "seed": s}
                for r in p["moduli"] for a in p["angles"] for s in p["seeds"]]

    def run_group(self, params, runs):
        rows = []
        for run in runs:
            z = run["modulus"] * cmath.exp(1j * run["angle"])
            metrics = {}
            for q in params["lengths"]:
                m = [2 * run["modulus"] ** j * math.cos(j * run["angle"]) for j in range(q)]
                got = recover_measure(m, rank=2, precision=Float64(), throw=False)
                error = (max(min(abs(a - w) for a in got.atoms) for w in (z, z.conjugate()))
                         if got.atoms else math.inf)
                metrics[q] = {"pole_error": error}
            rows.append(SweepRow(dict(run), 0.0, metrics))
        return rows

    def summary_table(self, rows):
        return (["modulus", "angle", "pole error"],
                [[r.run["modulus"], r.run["angle"], r.value("pole_error", 4)] for r in rows])
'''

SWEEP = '''
import json, sys
from momentrnn.experiments import FAMILIES, read_results, run_sweep
path = sys.argv[1]
summary = run_sweep({"family": "complex_poles", "moduli": [0.8, 0.39], "angles": [0.7, 2.5],
                     "lengths": [4, 6]}, path, progress=False)
rows = read_results(path)
print(json.dumps({"families": list(FAMILIES), "completed": summary.completed,
                  "rows": rows, "table": FAMILIES["complex_poles"].table(rows)}))
'''


def test_a_new_sweep_family_is_one_new_file_and_one_registry_line(tmp_path):
    copy = _copy(tmp_path / "pkg", "momentrnn")
    (copy / "experiments" / "families" / "complex_poles.py").write_text(NEW_FAMILY)
    _add_line(copy / "experiments" / "families" / "__init__.py",
              "from . import nonlinear  # noqa: F401", "from . import complex_poles  # noqa: F401")
    out = _run(tmp_path, "-c", SWEEP, str(tmp_path / "poles.jsonl"), first=tmp_path / "pkg")
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.splitlines()[-1])
    from momentrnn.experiments import FAMILIES

    assert got["families"] == [*FAMILIES, "complex_poles"]
    assert got["completed"] == 4 and len(got["rows"]) == 4
    for row in got["rows"]:
        assert row["family"] == "complex_poles"
        # the poles are recovered to rounding from 4 and from 6 moments
        assert 0 <= row["pole_error_4"] < 1e-9 and 0 <= row["pole_error_6"] < 1e-9, row
    assert sorted((r["modulus"], r["angle"]) for r in got["rows"]) == [
        (0.39, 0.7), (0.39, 2.5), (0.8, 0.7), (0.8, 2.5)]
    assert "pole error" in got["table"][0] and len(got["table"]) >= 5
    assert "complex_poles" not in FAMILIES  # the repository itself is untouched


def test_the_shipped_families_register_themselves():
    from momentrnn.experiments.families import FAMILIES, register_family_class
    from momentrnn.experiments.families.linear import LinearFamily
    from momentrnn.experiments.families.nonlinear import NonlinearFamily

    assert type(FAMILIES["linear"]) is LinearFamily
    assert type(FAMILIES["nonlinear"]) is NonlinearFamily
    with pytest.raises(InputError, match="decorates a SweepFamily subclass, got 3"):
        register_family_class(3)


# --- recovery methods --------------------------------------------------------------------------

NEW_METHOD = '''"""Companion (a toy method): the Prony polynomial from the Hankel system,
its roots as the eigenvalues of its companion matrix, least-squares weights; written once over
the arithmetics (doubles and mpmath), certified by Prony's ball computation."""

from .._arith import FLOAT, MPArith, prony_coefficients, vandermonde_fit
from ..methods import METHODS, RecoveryMethod, register_method


def companion(ar, m, n):
    with ar.working():
        coeffs, _ = prony_coefficients(ar, m, n)
        rows = [[ar.one if i == j + 1 else ar.zero for j in range(n - 1)] + [-coeffs[i]]
                for i in range(n)]
        atoms = ar.eigenvalues(ar.matrix(rows))
        return atoms, vandermonde_fit(ar, m, atoms)


register_method(RecoveryMethod(
    name="companion",
    summary="the Prony polynomial's roots as companion-matrix eigenvalues",
    float_impl=lambda m, n, basis: companion(FLOAT, m, n),
    mp_impl=lambda ctx, m, n, basis: companion(MPArith(ctx), m, n),
    ball_impl=METHODS["prony"].ball_impl,
    exact_impl=METHODS["prony"].exact_impl,
    certifier="prony",
))
'''


def test_a_new_recovery_method_is_one_new_file_and_one_registry_line(tmp_path):
    from fractions import Fraction

    copy = _copy(tmp_path / "pkg", "momentrnn")
    (copy / "moments" / "algorithms" / "companion.py").write_text(NEW_METHOD)
    _add_line(copy / "moments" / "algorithms" / "__init__.py",
              "from . import esprit  # noqa: F401", "from . import companion  # noqa: F401")
    atoms, weights = [Fraction(1, 3), Fraction(-2, 7), Fraction(5, 11)], [2, Fraction(-3, 13), 5]
    moments = [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(8)]
    (tmp_path / "m.txt").write_text("".join(f"{v}\n" for v in moments))
    shown = _run(tmp_path, "-m", "momentrnn", "recover", "--help", first=tmp_path / "pkg")
    assert shown.returncode == 0 and "companion: the Prony polynomial's roots" in \
        " ".join(shown.stdout.split()), shown.stdout[-2000:]
    for precision in (["--dps", "40"], ["--float64"], []):
        ran = _run(tmp_path, "-m", "momentrnn", "recover", "m.txt", "--method", "companion",
                   "--rank", "3", "--format", "json", *precision, first=tmp_path / "pkg")
        assert ran.returncode == 0, (precision, ran.stdout[-2000:], ran.stderr[-2000:])
        got = json.loads(ran.stdout)
        assert got["method"] == "companion" and got["status"] == "ok", got
        vouched = got["digits"]
        assert vouched >= (10 if precision == ["--float64"] else 30), got
        for text, exact in zip(sorted(got["atoms"], key=Fraction), sorted(atoms)):
            assert abs(Fraction(text) - exact) <= Fraction(1, 10**int(vouched)), (text, exact)
    from momentrnn.moments import METHODS

    assert "companion" not in METHODS  # the repository itself is untouched
