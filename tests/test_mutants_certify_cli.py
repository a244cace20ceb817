"""Tests that catch one-line mutants of ``momentrnn.cli.certify`` that the rest of the suite
let through (found by ``benchmarks/bench_mutation_procedural.py``)."""

import json
from fractions import Fraction as F

import pytest

from momentrnn.cli import main

ATOMS, WEIGHTS = [F(-1, 2), F(39, 100)], [F(1, 3), F(1)]


@pytest.mark.parametrize("k_in_file,lags,refused", [
    (5, None, False),   # the lags fitted come from the file's k
    (None, "5", False),  # or from --lags
    (5, "4", False),
    (None, None, True),  # from neither: refused, naming the option
])
def test_teacher_moments_take_the_lags_from_the_file_or_the_option(tmp_path, capsys, k_in_file,
                                                                   lags, refused):
    model = {"a": [float(x) for x in ATOMS], "b": [1.0, 1.0], "c": [float(w) for w in WEIGHTS]}
    if k_in_file is not None:
        model["k"] = k_in_file
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model))
    hat = [sum(w * x**j for x, w in zip(ATOMS, WEIGHTS)) for j in range(12)]
    mfile = tmp_path / "h.txt"
    mfile.write_text("\n".join(str(v) for v in hat))
    args = ["certify", str(path), "--teacher-moments", str(mfile), "--length", "10",
            "--sdp-max-order", "2", "--format", "json"]
    if lags is not None:
        args += ["--lags", lags]
    code = main(args)
    out = capsys.readouterr()
    if refused:
        assert code != 0 and "give --lags" in out.err
    else:
        assert "give --lags" not in out.err and code in (0, 1), out.err
        assert json.loads(out.out)["lags"] == int(lags or k_in_file)
