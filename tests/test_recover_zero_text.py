"""Issue 22: an exact zero atom prints as ``0``; a double-precision recovery prints a zero atom
with the digits it vouches (its accuracy is absolute), never ``?`` and never ``0.0``."""

from __future__ import annotations

import json
import math
import sys
from decimal import Decimal
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import momentrnn
from momentrnn._format import UNVOUCHED, format_number
from momentrnn.cli import main


def _moments(atoms, weights):
    return [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(2 * len(atoms))]


def _run(args, capsys, monkeypatch, moments):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(str(m) for m in moments) + "\n"))
    main(["recover", "-", *args])
    return capsys.readouterr().out


def _table_atoms(out: str) -> list:
    lines = out.splitlines()
    start = next(i for i, t in enumerate(lines) if t.startswith("atom  "))
    return [r.split()[0] for r in lines[start + 1:] if r.strip()]


@pytest.mark.parametrize("atoms,weights", [([0, 1], [F(3, 2), F(1, 2)]),
                                           ([0, F(39, 100)], [F(3, 2), F(1, 2)]),
                                           ([F(-1, 3), 0, F(1, 2)], [1, F(1, 3), F(2, 7)])])
def test_an_exact_zero_atom_is_written_0(atoms, weights, capsys, monkeypatch):
    moments = _moments(atoms, weights)
    for args in ([], ["--dps", "30"]):
        out = _run([*args, "--format", "json"], capsys, monkeypatch, moments)
        d = json.loads(out)
        if d["exact"]:
            assert "0" in d["atoms"] and "0.0" not in d["atoms"], d["atoms"]
        shown = _table_atoms(_run(args, capsys, monkeypatch, moments))
        assert "0.0" not in shown and UNVOUCHED not in shown, shown


def test_an_exact_binary_atom_is_written_with_all_its_digits():
    import mpmath

    assert format_number(mpmath.mpf(0), math.inf) == "0"
    assert format_number(mpmath.mpf(1), math.inf) == "1"
    assert format_number(mpmath.mpf(-3) / 4, math.inf) == "-0.75"
    third = mpmath.mpf(1) / 3  # the double nearest 1/3, exactly: all 54 digits
    assert F(Decimal(format_number(third, math.inf))) == F(float(third))
    tiny = mpmath.mpf(2) ** -300  # beyond 60 digits: the fraction
    assert F(format_number(tiny, math.inf)) == F(1, 2**300)


@settings(max_examples=12, derandomize=True, deadline=None)
@given(st.lists(st.fractions(min_value=-1, max_value=1, max_denominator=100), min_size=1,
                max_size=2, unique=True).filter(lambda a: 0 not in a),
       st.lists(st.fractions(min_value=F(1, 10), max_value=2, max_denominator=100),
                min_size=3, max_size=3))
def test_a_float64_zero_atom_is_written_to_its_absolute_accuracy(others, weights):
    atoms = [F(0), *others]
    weights = weights[: len(atoms)]
    r = momentrnn.recover_measure(_moments(atoms, weights), precision=momentrnn.Float64(),
                                  throw=False)
    if r.measure is None or not r.digits >= 1:
        return
    texts, _ = r.vouched_text()
    assert UNVOUCHED not in texts, (texts, r.digits)
    scale = max(abs(F(a)) for a in r.atoms)
    bound = F(10) ** -F(r.digits) * scale
    for text, truth in zip(texts, sorted(atoms, key=float)):
        mantissa, _, exp = text.partition("e")
        place = F(10) ** ((int(exp) if exp else 0) - len(mantissa.partition(".")[2]))
        # within the error bound, plus half a unit of the last written place (the rounding)
        assert abs(F(Decimal(text)) - truth) <= bound * (1 + F(1, 10**6)) + place / 2, (
            text, truth, r.digits)
