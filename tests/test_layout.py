"""Imports flow one way, through layers that cover every module of the package
(docs/architecture.md, "Layers"): errors -> utilities -> precision -> number text and JSON ->
moments -> rnn -> dynamics -> experiments and prove -> cli; and no module reaches into a
private module or name of another subpackage."""

import ast
import doctest
import pathlib

import pytest

import momentrnn

ROOT = pathlib.Path(momentrnn.__file__).parent
# the layer of every module: a subpackage's modules share its layer, each root module has its own
RANK = {
    "errors": 0, "_progress": 0,              # nothing of the package
    "_validate": 1, "_output": 1,             # argument checks, JSON and file output
    "_limits": 2,                             # the table of work and memory bounds
    "precision": 3,
    "_format": 4,                             # the text of numbers (moments' and the others')
    "_schema": 4,                             # the JSON of every result (to_dict, from_dict)
    "moments": 5, "rnn": 6, "dynamics": 7, "experiments": 8, "prove": 8,
    "cli": 10, "__init__": 11, "__main__": 11,
}
# The imports against the layers that remain, each with its reason; a new one fails the test.
KNOWN = {
    ("_format.py", "momentrnn.moments._scalars"): "the text of a number reads every number kind "
    "(to_mp, sympy, mpmath types), which the moment engine's number readers do; they move to a "
    "layer below with the moment engine's redesign (moments/numbers)",
    ("precision.py", "momentrnn.moments"): "each precision object makes its own arithmetic "
    "(precision._arithmetics, inside a function); the arithmetics live in the moment engine "
    "until they move to a layer below with its redesign (moments/arith)",
    ("_format.py", "momentrnn.moments.algebraic"): "the exact text of an algebraic number, the "
    "same cut as above",
    # _schema holds both the JSON helpers every result's to_dict/from_dict uses (a low layer)
    # and the published schema and document loader, which name the results of every layer
    # (inside functions, at the time a schema is written or a document read); splitting the
    # two is left for the moment engine's redesign, which moves the number readers they share
    ("_schema.py", "momentrnn.moments.measure"): "read_measure_balls makes a DiscreteMeasure",
    ("_schema.py", "momentrnn.experiments.runner"): "load() of a sweep results document",
    ("_schema.py", "momentrnn.experiments.families"): "the sweep row schema of each family",
    **{("_schema.py", f"momentrnn.{m}"): "the published enum of every status and verdict"
       for m in ("dynamics.trajectory", "experiments.linear", "moments.hankel",
                 "moments.recovery", "moments.sdp", "prove.flow_proof", "rnn.analysis")},
}


def _unit(path: pathlib.Path) -> str:
    """The subpackage of a module, or the root module's own name."""
    return path.relative_to(ROOT).parts[0].removesuffix(".py")


def _layer(path: pathlib.Path) -> int | None:
    return RANK.get(_unit(path))


def _imports(path: pathlib.Path, source: str | None = None):
    """(dotted target, imported names) of every import of a module (its file, or ``source``
    as if it were that module), at any depth."""
    tree = ast.parse(path.read_text() if source is None else source)
    pkg = path.relative_to(ROOT.parent).with_suffix("").parts
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(pkg[: len(pkg) - node.level])
                target = base + (node.module.split(".") if node.module else [])
            else:
                target = (node.module or "").split(".")
            yield target, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split("."), []


def test_every_module_is_in_a_layer():
    missing = sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py") if _layer(p) is None)
    assert not missing, f"modules in no layer (add them to RANK): {missing}"


def _direction_errors(path: pathlib.Path, imports) -> list[str]:
    bad = []
    layer = _layer(path)
    for target, names in imports:
        if target[:1] == ["proofs_checks"] and path != ROOT / "cli" / "check.py":
            bad.append(f"{path.name} imports proofs_checks")
        if target[:1] != ["momentrnn"] or len(target) < 2:
            continue
        whole = [target] if target[1] != "__init__" else []
        # ``from . import x`` names modules: each is a target of its own
        whole += [target + [n] for n in names if len(target) == 1]
        for t in whole:
            other = RANK.get(t[1])
            name = ".".join(t)
            if other is not None and other > layer and \
                    (path.relative_to(ROOT).as_posix(), name) not in KNOWN:
                bad.append(f"{path.relative_to(ROOT)} imports {name} (layer {other} > {layer})")
    return bad


def _private_errors(path: pathlib.Path, imports) -> list[str]:
    """An import of a private module or name of another subpackage."""
    bad = []
    unit = _unit(path)
    for target, names in imports:
        if target[:1] != ["momentrnn"] or len(target) < 3 or target[1] == unit or \
                not (ROOT / target[1]).is_dir():
            continue
        private = [p for p in target[2:] if p.startswith("_") and p != "__init__"]
        private += [n for n in names if n.startswith("_")]
        if private and (path.relative_to(ROOT).as_posix(), ".".join(target)) not in KNOWN:
            bad.append(f"{path.relative_to(ROOT)} imports {'.'.join(target)} "
                       f"({', '.join(private)})")
    return bad


def test_import_direction():
    bad = []
    for path in ROOT.rglob("*.py"):
        bad += _direction_errors(path, list(_imports(path)))
    assert not bad, bad
    for (module, target), reason in KNOWN.items():  # each known exception is still there
        assert any(".".join(t) == target for t, _ in _imports(ROOT / module)), (module, target)
        assert reason


def test_no_private_name_of_another_subpackage_is_imported():
    bad = []
    for path in ROOT.rglob("*.py"):
        bad += _private_errors(path, list(_imports(path)))
    assert not bad, bad


def test_the_layer_rules_see_what_they_refuse():
    """Negative controls: a lower layer importing a higher one, at module level or inside a
    function, and a private module or name of another subpackage."""
    fake = ROOT / "moments" / "_fake.py"
    source = ("from ..rnn import models\n"
              "def f():\n    from ..dynamics.flow import integrate_flow\n")
    imports = list(_imports(fake, source))
    assert len(_direction_errors(fake, imports)) == 2
    fake = ROOT / "cli" / "_fake.py"
    source = ("from ..moments._data import parse_number_text\n"
              "from ..rnn.losses import _target\nfrom .._format import exact_text\n"
              "from ._common import read_moments\n")
    assert len(_private_errors(fake, list(_imports(fake, source)))) == 2
    fake = ROOT / "_validate.py"
    assert _direction_errors(fake, list(_imports(fake, "from .precision import MP\n")))


def test_the_command_line_lives_in_the_cli_package():
    """argparse and the CLI are in momentrnn/cli only, the library never imports them, and
    every module there is a registered command or one of the package's own helpers."""
    from momentrnn.cli._main import COMMAND_MODULES

    cli = ROOT / "cli"
    bad = []
    for path in ROOT.rglob("*.py"):
        inside = cli in path.parents
        for target, _ in _imports(path):
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
