"""Imports flow one way: dynamics -> rnn -> moments -> precision -> errors (DESIGN.md)."""

import ast
import doctest
import pathlib

import pytest

import momentrnn

ROOT = pathlib.Path(momentrnn.__file__).parent
RANK = {"errors": 0, "precision": 1, "moments": 2, "rnn": 3, "dynamics": 4, "experiments": 5}


def _layer(path: pathlib.Path) -> str | None:
    rel = path.relative_to(ROOT).parts
    name = rel[0].removesuffix(".py")
    return name if name in RANK else None


def _imports(path: pathlib.Path):
    tree = ast.parse(path.read_text())
    pkg = path.relative_to(ROOT.parent).with_suffix("").parts
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(pkg[: len(pkg) - node.level])
                target = base + (node.module.split(".") if node.module else [])
            else:
                target = (node.module or "").split(".")
            yield target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")


def test_import_direction():
    bad = []
    for path in ROOT.rglob("*.py"):
        layer = _layer(path)
        for target in _imports(path):
            if target[:1] == ["proofs_checks"] and path != ROOT / "cli" / "check.py":
                bad.append(f"{path.name} imports proofs_checks")
            if target[:1] != ["momentrnn"] or len(target) < 2 or layer is None:
                continue
            other = target[1]
            if other in RANK and RANK[other] > RANK[layer]:
                bad.append(f"{path.relative_to(ROOT)} imports momentrnn.{other}")
    assert not bad, bad


def test_the_command_line_lives_in_the_cli_package():
    """argparse and the CLI are in momentrnn/cli only, the library never imports them, and
    every module there is a registered command or one of the package's own helpers."""
    from momentrnn.cli._main import COMMAND_MODULES

    cli = ROOT / "cli"
    bad = []
    for path in ROOT.rglob("*.py"):
        inside = cli in path.parents
        for target in _imports(path):
            if target[:1] == ["argparse"] and not inside:
                bad.append(f"{path.relative_to(ROOT)} imports argparse")
            if target[:2] == ["momentrnn", "cli"] and not inside and path.name != "__main__.py":
                bad.append(f"{path.relative_to(ROOT)} imports the command line")
    assert not bad, bad
    own = {"__init__", "__main__", "_main", "_common"}
    modules = {p.stem for p in cli.glob("*.py")} - own
    assert modules == set(COMMAND_MODULES), modules ^ set(COMMAND_MODULES)
    assert not list(ROOT.glob("*_cli.py")) and not (ROOT / "checks_runner.py").exists()


def test_no_global_mpmath_writes():
    for path in ROOT.rglob("*.py"):
        text = path.read_text()
        assert "mp.dps =" not in text.replace("ctx.dps =", ""), path
        assert "mp.prec =" not in text.replace("ctx.prec =", ""), path
        assert "workdps" not in text, path


@pytest.mark.parametrize("module", ["momentrnn.moments.measure", "momentrnn.moments.hankel",
                                    "momentrnn.moments.recovery", "momentrnn.moments.chebyshev",
                                    "momentrnn.moments.symbolic", "momentrnn.moments.sdp",
                                    "momentrnn.rnn.models", "momentrnn.rnn.losses",
                                    "momentrnn.rnn.teachers", "momentrnn.rnn.analysis"])
def test_docstring_examples(module):
    import importlib

    mod = importlib.import_module(module)
    globs = dict(vars(momentrnn))
    globs.update(vars(mod))
    result = doctest.testmod(mod, extraglobs=globs, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_readme_tour():
    readme = ROOT.parent / "README.md"
    result = doctest.testfile(str(readme), module_relative=False,
                              optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_checks_examples_and_benchmarks_use_public_names_only():
    """proofs_checks/, examples/ and benchmarks/ import no private module or name of the
    package (a component starting with an underscore)."""
    repo = ROOT.parent
    bad = []
    for folder in ("proofs_checks", "examples", "benchmarks"):
        for path in (repo / folder).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and not node.level and node.module and \
                        node.module.split(".")[0] == "momentrnn":
                    parts = node.module.split(".") + [a.name for a in node.names]
                    if any(p.startswith("_") for p in parts[1:]):
                        bad.append(f"{path.relative_to(repo)}: from {node.module} import "
                                   f"{', '.join(a.name for a in node.names)}")
                elif isinstance(node, ast.Import):
                    for alias in node.names:
                        parts = alias.name.split(".")
                        if parts[0] == "momentrnn" and any(p.startswith("_") for p in parts[1:]):
                            bad.append(f"{path.relative_to(repo)}: import {alias.name}")
    assert not bad, bad


def test_the_schemas_check_verdicts_are_the_harness_verdicts():
    """The package may not import the checks, so the schema's enum of check verdicts is a copy
    of the harness's: the two stay equal."""
    from momentrnn._schema import CHECK_VERDICTS
    from proofs_checks.harness import VERDICTS

    assert CHECK_VERDICTS == VERDICTS
