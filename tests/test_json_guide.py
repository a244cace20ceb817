"""The JSON guide (docs/guide/json.md) says what the outputs are: its examples run as written
and its statements about intervals hold for real output."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from fractions import Fraction
from pathlib import Path

import pytest

import momentrnn
from momentrnn import _schema
from momentrnn.cli import main

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "docs" / "guide" / "json.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", GUIDE, flags=re.S)


def test_the_guide_s_examples_run_as_written(tmp_path, monkeypatch, capsys):
    """The console commands, then every Python block in order, in one folder that holds the
    published schema (as a reader who downloaded it has it)."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(ROOT / "docs" / "_static" / "momentrnn.schema.json", tmp_path)
    commands = [line[2:] for block in _blocks("console") for line in block.splitlines()
                if line.startswith("$ ")]
    assert len(commands) >= 2
    for command in commands:
        args = shlex.split(command)
        assert args[0] == "momentrnn"
        assert main(args[1:]) == 0, command
    capsys.readouterr()
    namespace: dict = {}
    blocks = _blocks("python")
    assert len(blocks) >= 4
    for block in blocks:
        exec(compile(block, "json.md", "exec"), namespace)  # noqa: S102 - the guide's own code
    assert namespace["report"].status == json.load(open("run.json"))["status"]
    assert len(namespace["frame"]) == 1
    assert namespace["doc"]["kind"] == "recovery"


def test_the_envelope_table_names_every_kind():
    row = next(line for line in GUIDE.splitlines() if line.startswith("| `kind`"))
    named = set(re.findall(r"`([a-z_]+)`", row)) - {"kind", "message", "exit_code"}
    assert named == set(_schema.KINDS) - {"sweep_row"}


@pytest.fixture(scope="module")
def proof_doc():
    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["prove", "--t-end", "0.125", "--length", "20", "--format", "json"])
    assert code == 0
    return json.loads(out.getvalue())


def test_proof_intervals_are_outward_decimals_of_17_digits(proof_doc):
    """Each enclosure is [lower, upper], decimal strings of 17 significant digits around the
    proved Fraction interval, and the guide's example is that command's output."""
    from momentrnn import prove_flow

    proof = prove_flow("two_pole", 2, 5, 1e-3, 0, 0.125, length=20)
    pairs = {"loss": (proof_doc["loss"], proof.loss), "atoms": (proof_doc["atoms"], proof.atoms)}
    for key in ("a", "b", "c", "invariants", "invariants_initial"):
        for i, (written, exact) in enumerate(zip(proof_doc[key], getattr(proof, key))):
            pairs[f"{key}[{i}]"] = (written, exact)
    for name, (written, exact) in pairs.items():
        assert len(written) == 2 and all(isinstance(t, str) for t in written), name
        lo, hi = (Fraction(t) for t in written)
        assert lo <= exact[0] <= exact[1] <= hi, name
        for t in written:
            mantissa = re.sub(r"e.*$", "", t).replace("-", "").replace(".", "").lstrip("0")
            assert len(mantissa) <= 17, (name, t)
    example = re.search(r'`"loss": \["([0-9.e-]+)", "([0-9.e-]+)"\]`', GUIDE)
    assert example and list(example.groups()) == proof_doc["loss"]
    ext = proof_doc["extrapolation"]
    assert all(Fraction(b) >= Fraction(x) for b, x in zip(
        ext["bounds"], [str(v) for v in proof.extrapolation_bounds]))
    assert Fraction(proof_doc["init_radius"]) <= proof.init_radius
    loaded = momentrnn.load(proof_doc)
    assert loaded.loss == tuple(Fraction(t) for t in proof_doc["loss"])
