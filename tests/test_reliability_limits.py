"""Exact algebraic atoms with long radicands print exactly (also in JSON, past Python's
int-string limit); torch and numpy descents record the same steps; bounds rounded up to
BOUND_BITS significant bits."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

# ----------------- items 1 and 2: atoms +-sqrt(n / (n + 1)), radicands past MAX_RADICAND_BITS


@settings(max_examples=6, derandomize=True, deadline=None)
@given(st.sampled_from([(3, 1300), (3, 3000), (10, 5000), (7, 2500)]), st.booleans())
def test_exact_atoms_of_long_radicands_print_exactly(case, six):
    # main: the table, str(), repr() and the measure's printout wrote such an atom as
    # "AlgebraicNumber(-1: root 0 of a degree-2 polynomial)" beside "exact" (-(1 - 5e-5001)
    # read as -1); with six moments and 10**5000 the JSON exact form exited 3 (int-string limit)
    import momentrnn as m
    from momentrnn._format import format_number
    from momentrnn._output import json_text
    from momentrnn.moments.algebraic import AlgebraicNumber
    from momentrnn.moments.recovery import Recovery

    base, power = case
    n = base**power
    c = Fraction(n, n + 1)
    moments = [1, 0, c, 0] + ([c * c, 0] if six else [])
    result = m.recover_measure(moments, precision=m.Exact())
    assert result.ok
    texts = []
    for a in result.atoms:
        assert isinstance(a, AlgebraicNumber)
        for text in (str(a), format_number(a, float("inf"))):
            assert text.startswith("root of ") and "degree-" not in text
            assert AlgebraicNumber.from_root_text(text) == a  # the text names this atom
            texts.append(text)
        assert repr(a) == f"AlgebraicNumber({a})"
    for text in (str(result.measure), repr(result)):
        assert "degree-" not in text and all(t in text for t in texts)
    data = json.loads(json_text(result.to_dict()))
    back = Recovery.from_dict(data)
    assert list(back.atoms) == list(result.atoms)
    assert "degree-" not in json.dumps(data)


def _six_moments_past_the_int_string_limit(tmp_path):
    # the atoms +-sqrt(c), c = 10**5000 / (10**5000 + 1), six moments (5001-digit integers)
    c = "1" + "0" * 5000 + "/1" + "0" * 4999 + "1"
    path = tmp_path / "m.txt"
    path.write_text("\n".join(["1", "0", c, "0", "1" + "0" * 10000 + "/1" + "0" * 4999 + "2"
                                + "0" * 4999 + "1", "0"]) + "\n")
    return str(path)


def test_the_recover_table_writes_a_long_radicand_atom_exactly(tmp_path, capsys):
    from momentrnn.cli import main

    assert main(["recover", "--exact", _six_moments_past_the_int_string_limit(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "degree-" not in out and "root of " in out


def test_recover_json_of_coefficients_past_the_int_string_limit(tmp_path, capsys):
    # main: exit 3, "Exceeds the limit (4300 digits) for integer string conversion" (the
    # exact form's 5001-digit polynomial coefficients as JSON integers)
    import flint

    from momentrnn.cli import main
    from momentrnn.moments.algebraic import AlgebraicNumber
    from momentrnn.moments.recovery import Recovery

    path = _six_moments_past_the_int_string_limit(tmp_path)
    assert main(["recover", "--exact", "--format", "json", path]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema = pytest.importorskip("jsonschema")
    from momentrnn import _schema

    jsonschema.Draft202012Validator(_schema.json_schema()).validate(data)
    back = Recovery.from_dict(data)  # the long coefficients are decimal text, read back
    n = 10**5000
    for form, atom in zip(data["atom_forms"], back.atoms):
        coeffs = form["polynomial"]
        assert isinstance(coeffs[0], str) and coeffs[1] == 0 and isinstance(coeffs[2], str)
        assert [int(flint.fmpz(c)) for c in coeffs] == [-n, 0, n + 1]
        assert AlgebraicNumber.from_exact_form(form) == atom
        assert float(atom) ** 2 == 1.0 and atom.minimal_polynomial()(1) == flint.fmpq(1, n + 1)


# ------------------------- item 3: torch records the same steps as numpy

@settings(max_examples=20, derandomize=True, deadline=None)
@given(st.integers(1, 12), st.integers(1, 6), st.integers(0, 12))
def test_torch_and_numpy_record_the_same_steps(steps, every, stop):
    # main: when every run stopped exactly on a record step, torch recorded it twice
    # ([0, 5, 5] where numpy gives [0, 5])
    pytest.importorskip("torch")
    from momentrnn import gradient_descent, init_student, named_teacher

    students = [init_student(4, scale=0.3, seed=s) for s in range(3)]
    teacher = named_teacher("two_pole")
    free = gradient_descent(students, teacher, k=3, lr=0.05, steps=12, record_every=1)
    # the largest loss at step `stop`: every run has reached it by then
    until = float(free.loss[stop].max()) * (1 + 1e-9)
    runs = [gradient_descent(students, teacher, k=3, lr=0.05, steps=steps, record_every=every,
                             backend=backend, device="cpu" if backend == "torch" else None,
                             until_loss=until)
            for backend in ("numpy", "torch")]
    assert list(runs[1].record_steps) == list(runs[0].record_steps)
    assert np.unique(runs[1].record_steps).size == len(runs[1].record_steps)


# ------------------------- item 4: _round_up keeps BOUND_BITS significant bits

def _significant_bits(q) -> int:
    num, den = int(q.p), int(q.q)
    assert den & (den - 1) == 0  # a dyadic
    while num and num % 2 == 0:
        num //= 2
    return num.bit_length()


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.one_of(st.integers(-200, 200).map(lambda k: Fraction(2) ** k + 1),
                 st.integers(-200, 200).map(lambda k: Fraction(2) ** k - Fraction(2) ** (k - 70)),
                 st.fractions(min_value=0, max_denominator=10**30).filter(lambda q: q > 0),
                 st.integers(1, 2**130).map(Fraction)))
def test_round_up_is_an_upper_bound_of_bound_bits(q):
    import flint

    from momentrnn.moments.extrapolation_bound import BOUND_BITS, _round_up

    value = flint.fmpq(q.numerator, q.denominator)
    got = _round_up(value)
    assert got >= value
    assert _significant_bits(got) <= BOUND_BITS
    assert got - value < value / 2 ** (BOUND_BITS - 1)  # and no coarser than BOUND_BITS
