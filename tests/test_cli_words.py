"""The command line speaks of its options, not of the Python functions behind it (issue 22):
no refusal of a command names a public function of the package."""

from __future__ import annotations

import importlib
import re

import pytest

from tests.test_bad_input import CLI_CASES, _make, _run_main

PACKAGES = ("momentrnn", "momentrnn.moments", "momentrnn.dynamics", "momentrnn.rnn",
            "momentrnn.experiments", "momentrnn.prove")


def _function_names() -> set[str]:
    names = set()
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in getattr(module, "__all__", ()):
            if "_" in name and callable(getattr(module, name, None)) and name[0].islower():
                names.add(name)
    return names


FUNCTIONS = _function_names()
_NAMED = re.compile(r"\b(" + "|".join(sorted(FUNCTIONS, key=len, reverse=True)) + r")\b")

MOMENTS = "1\n1/2\n1/3\n"
# refusals of the bounds command on an unbounded support (the SDP needs a compact one)
BOUNDS_CASES = [
    ("bounds-half-line-tolerance", ["bounds", "{tmp}/m.txt", "--support", "0,inf",
                                    "--tolerance", "1/100"], {"m.txt": MOMENTS.encode()},
     None, 2, "--support 0,inf is unbounded.*compact --support"),
    ("bounds-half-line-order", ["bounds", "{tmp}/m.txt", "--support", "0,inf", "--order",
                                "5"], {"m.txt": MOMENTS.encode()}, None, 2,
     "--support 0,inf is unbounded.*leave out --tolerance and --order"),
    ("bounds-line-even-order", ["bounds", "{tmp}/m.txt", "--support", "-inf,inf",
                                "--order", "4", "--tolerance", "0.01"],
     {"m.txt": MOMENTS.encode()}, None, 2, "--support -inf,inf is unbounded"),
]


def test_the_function_names_are_found():
    assert {"next_moment_range", "extrapolation_range", "recover_measure",
            "certify_extrapolation", "integrate_flow"} <= FUNCTIONS
    assert _NAMED.search("use next_moment_range (exact)")
    assert not _NAMED.search("use --support 0,10")


@pytest.mark.parametrize("case", CLI_CASES + BOUNDS_CASES,
                         ids=[c[0] for c in CLI_CASES + BOUNDS_CASES])
def test_no_refusal_names_a_python_function(case, tmp_path, capsys, monkeypatch):
    _, argv, files, stdin, code, pattern = case
    _make(tmp_path, files)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    got, _, err, _ = _run_main(argv, stdin, capsys, monkeypatch)
    assert got == code, (got, err)
    assert re.search(pattern, err), err
    found = _NAMED.findall(err)
    assert not found, f"the refusal names the function(s) {found}: {err.strip()[:300]}"
