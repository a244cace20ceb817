"""The architecture page's worked examples: adding a recovery method, an integrator, a sweep
family and a claim is one new file and one registry line, and each example runs as written."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXTENDING = ROOT / "docs" / "extending"
EXPECTED = {
    # script: what its own verification prints when everything it asserts held
    "toy_method.py": "ok 51 digits vouched",
    "toy_integrator.py": "refused: wrong: the order condition",
    "toy_family.py": "refused: ratios contains 1.0",
    "toy_claim.py": "X1 PASS",
}


def test_every_example_is_on_the_architecture_page():
    page = (ROOT / "docs" / "architecture.md").read_text()
    found = sorted(p.name for p in EXTENDING.glob("*.py"))
    assert found == sorted(EXPECTED)
    for name in found:
        assert f"extending/{name}" in page, name


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_the_example_runs_and_verifies_itself(script):
    proc = subprocess.run([sys.executable, str(EXTENDING / script)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert EXPECTED[script] in proc.stdout, proc.stdout[-2000:]


def test_the_method_example_is_the_package_s_esprit_and_every_method_is_documented():
    """The worked example of a method is the shipped ESPRIT module; every module of
    moments/algorithms is one import line of its package and registers a method; the recovery
    guide describes every registered method."""
    from momentrnn.moments import METHODS

    page = (ROOT / "docs" / "architecture.md").read_text()
    assert "{literalinclude} ../momentrnn/moments/algorithms/esprit.py" in page
    folder = ROOT / "momentrnn" / "moments" / "algorithms"
    lines = (folder / "__init__.py").read_text().splitlines()
    modules = sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")
    assert "esprit" in modules and METHODS["esprit"].float_impl.__module__.endswith(".esprit")
    for name in modules:
        assert lines.count(f"from . import {name}  # noqa: F401") == 1, name
        assert f'name="{name}"' in (folder / f"{name}.py").read_text(), name
    guide = (ROOT / "docs" / "guide" / "moments.md").read_text()
    for name in METHODS:
        assert f'`method="{name}"`' in guide, name
