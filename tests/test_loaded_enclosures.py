"""Issue 22: a loaded Recovery has its ball enclosure, and a loaded feasibility verdict its
representing measure, exactly (balls as their dyadic midpoint and radius)."""

from __future__ import annotations

import json
from fractions import Fraction as F

import flint
import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

import momentrnn
from momentrnn import _schema, moment_feasible
from momentrnn.moments.bounds_report import BoundsReport

VALIDATOR = jsonschema.Draft202012Validator(_schema.json_schema())


def _same_ball(a, b) -> bool:
    if isinstance(a, flint.acb):
        return _same_ball(a.real, b.real) and _same_ball(a.imag, b.imag)
    if isinstance(a, flint.arb):
        if not isinstance(b, flint.arb):
            return a.rad() == 0 and F(b) == _schema._dyadic(*a.mid().man_exp())
        # the midpoint exactly; the radius as written or a unit above (python-flint rounds
        # a radius up): the loaded ball holds the one written
        return (a.mid().man_exp() == b.mid().man_exp() and a.rad() <= b.rad()
                and b.rad() <= a.rad() * (1 + 2.0**-28) and bool(b.contains(a)))
    return F(a) == F(b)


@settings(max_examples=6, derandomize=True, deadline=None)
@given(st.lists(st.fractions(min_value=-1, max_value=1, max_denominator=60), min_size=1,
                max_size=3, unique=True),
       st.lists(st.fractions(min_value=F(1, 10), max_value=2, max_denominator=60),
                min_size=3, max_size=3), st.booleans())
def test_a_loaded_recovery_has_its_enclosure(atoms, weights, complex_atoms):
    atoms = [complex(a, a / 3) if complex_atoms else a for a in atoms]
    weights = weights[: len(atoms)]
    moments = [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(2 * len(atoms))]
    r = momentrnn.recover_measure(moments, precision=momentrnn.Ball(30), throw=False)
    doc = json.loads(json.dumps(_schema.document(r), allow_nan=False))
    assert not list(VALIDATOR.iter_errors(doc))
    loaded = momentrnn.load(doc)
    if r.enclosure is None:
        assert loaded.enclosure is None
        return
    assert "enclosure" in doc
    for got, want in zip(loaded.enclosure.atoms + loaded.enclosure.weights,
                         r.enclosure.atoms + r.enclosure.weights):
        assert _same_ball(want, got)
    assert loaded.to_dict() == r.to_dict()


@settings(max_examples=10, derandomize=True, deadline=None)
@given(st.integers(2, 30), st.sampled_from([F(1), F(39, 100), F(7, 3)]))
def test_a_loaded_determinate_verdict_has_its_representing_measure(k, mass):
    """m = (mass, 0, mass/k, 0, mass/k^2) on [-1, 1]: determinate, atoms +-1/sqrt(k)."""
    m = [mass, 0, mass / k, 0, mass / k**2]
    feas = moment_feasible(m, support=(-1, 1))
    assert feas.feasible and feas.determinate and feas.measure is not None
    doc = json.loads(json.dumps(_schema.document(BoundsReport.of(feas))))
    assert not list(VALIDATOR.iter_errors(doc))
    loaded = momentrnn.load(doc).feasibility
    assert loaded.measure is not None
    for got, want in zip(loaded.measure.atoms + loaded.measure.weights,
                         feas.measure.atoms + feas.measure.weights):
        assert _same_ball(want, got)
    assert loaded.to_dict() == feas.to_dict()


def test_an_output_without_them_still_loads():
    feas = moment_feasible([1, 0, F(1, 2), 0, F(1, 4)], support=(-1, 1))
    d = feas.to_dict()
    d.pop("measure")
    assert type(feas).from_dict(d).measure is None
