"""A loaded result holds what the original held (issue 22): ``load(x.to_dict())`` writes the
same dictionary again, with attributes of the same types."""

from __future__ import annotations

import json
from fractions import Fraction

import flint
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import _schema, moment_feasible
from momentrnn._output import json_text
from momentrnn.moments import Feasibility
from momentrnn.moments.bounds_report import BoundsReport

_atom = st.fractions(-1, 1, max_denominator=1000) | st.sampled_from(
    [Fraction(39, 100), Fraction(-1, 3), Fraction(1, 10**12)])
_weight = st.fractions(Fraction(1, 1000), 3, max_denominator=1000)


@st.composite
def _moments(draw):
    atoms = draw(st.lists(_atom, min_size=1, max_size=3, unique=True))
    weights = [draw(_weight) for _ in atoms]
    count = draw(st.integers(2, 7))
    moments = [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(count)]
    if draw(st.booleans()):  # a perturbed, maybe infeasible, sequence
        moments[-1] += draw(st.sampled_from([Fraction(-1, 7), Fraction(1, 10**9)]))
    return moments


@settings(max_examples=25, deadline=None, derandomize=True)
@given(_moments(), st.sampled_from([(-1, 1), (0, 1), (Fraction(-1, 3), Fraction(39, 100)),
                                    (0, float("inf"))]))
def test_a_loaded_feasibility_verdict_has_its_exact_matrices(moments, support):
    feas = moment_feasible(moments, support=support)
    doc = json.loads(json_text(_schema.document("bounds", BoundsReport.of(feas).to_dict())))
    loaded = _schema.load(doc).feasibility
    assert isinstance(loaded, Feasibility)
    assert loaded.to_dict() == feas.to_dict()
    assert set(loaded.matrices) == set(feas.matrices)
    for name, (M, inertia) in feas.matrices.items():
        N, loaded_inertia = loaded.matrices[name]
        assert type(N) is type(M) is flint.fmpq_mat
        assert N == M and loaded_inertia == inertia
