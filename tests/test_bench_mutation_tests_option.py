"""The mutation benchmark's ``--tests`` copies new test files into a mutant's tree and never
touches the repository's own file (an absolute path once resolved to the file itself, which
the copy step then deleted)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _bench():
    spec = importlib.util.spec_from_file_location(
        "bench_mutation_procedural", ROOT / "benchmarks" / "bench_mutation_procedural.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look their module up there
    spec.loader.exec_module(sys.modules[spec.name])
    return sys.modules[spec.name]


@pytest.mark.parametrize("absolute", [False, True])
def test_new_tests_are_copied_and_the_original_is_kept(tmp_path, absolute):
    bench = _bench()
    name = "tests/test_bench_mutation_tests_option.py"
    original = (ROOT / name).read_bytes()
    dest = tmp_path / "tree"
    (dest / "tests").mkdir(parents=True)
    (dest / name).write_text("stale copy\n")
    given = (str(ROOT / name) if absolute else name) + "::x"
    bench._place_new_tests(dest, (given,))
    assert (ROOT / name).read_bytes() == original
    assert (dest / name).read_bytes() == original


def test_a_test_file_outside_the_repository_is_refused(tmp_path):
    bench = _bench()
    outside = tmp_path / "test_elsewhere.py"
    outside.write_text("")
    with pytest.raises(SystemExit, match="not a file of the repository"):
        bench._place_new_tests(tmp_path / "tree", (str(outside),))
