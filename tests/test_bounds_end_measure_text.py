"""Issue 22: an end measure's irrational atoms print at the precision they are known (the
package's vouched-digit decimal), not as python-flint balls at 53 bits; rational values
exactly."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction as F

import mpmath
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import _schema, moment_feasible, next_moment_range
from momentrnn.moments.bounds_report import BoundsReport


def _last_place(text: str) -> F:
    mantissa, _, exp = text.partition("e")
    return F(10) ** ((int(exp) if exp else 0) - len(mantissa.partition(".")[2]))


@settings(max_examples=12, derandomize=True, deadline=None)
@given(st.integers(2, 40), st.sampled_from([1, 3, 7]))
def test_irrational_end_atoms_are_vouched_decimals(k, mass):
    """m = (mass, 0, mass/k, 0) on [-1, 1]: the lower end measure of m_4 sits at +-1/sqrt(k)
    with weights mass/2."""
    m = [mass, 0, F(mass, k), 0]
    r = next_moment_range(m, support=(-1, 1))
    text = r.to_dict()["lower_measure"]
    assert text["weights"] == [str(F(mass, 2))] * 2, text
    ctx = mpmath.mp.clone()
    ctx.dps = 120
    truth = 1 / ctx.sqrt(k)
    for sign, atom in zip((-1, 1), text["atoms"]):
        assert "+/-" not in atom and "[" not in atom, atom
        if ctx.sqrt(k) == int(ctx.sqrt(k)):  # a rational atom: exactly
            assert F(atom) == F(sign, int(ctx.sqrt(k)))
            continue
        digits = len(atom.lstrip("-0.").replace(".", "").partition("e")[0])
        assert digits >= 30, atom  # far more than the 15 of a double
        err = abs(ctx.mpf(F(Decimal(atom)).numerator) / F(Decimal(atom)).denominator
                  - sign * truth)
        assert err <= ctx.mpf(_last_place(atom).numerator) / _last_place(atom).denominator, atom


def test_a_loaded_irrational_end_measure_is_not_read_as_rational():
    m = [1, 0, F(1, 2), 0]
    report = BoundsReport.of(moment_feasible(m, support=(-1, 1)),
                             next_moment_range(m, support=(-1, 1)))
    doc = json.loads(json.dumps(_schema.document(report)))
    loaded = _schema.load(doc)
    assert loaded.range.lower_measure is None  # the decimals are not the atoms
    assert loaded.range.upper_measure is not None  # -1, 0, 1: rational, read back
    assert loaded.to_dict() == report.to_dict()
