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
from momentrnn.errors import InputError
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


@settings(max_examples=12, deadline=None, derandomize=True)
@given(_moments(), st.sampled_from([(-1, 1), (0, 1), (Fraction(-1, 3), Fraction(39, 100))]))
def test_a_loaded_bounds_report_has_its_range_typed(moments, support):
    """The exact range of the next moment, and the semidefinite program's range at a
    tolerance, load back as MomentRange and ExtrapolationRange writing the same JSON."""
    from momentrnn import extrapolation_range, next_moment_range
    from momentrnn.moments.sdp import ExtrapolationRange
    from momentrnn.moments.truncated import MomentRange

    feas = moment_feasible(moments, support=support)
    computed = [next_moment_range(moments, support=support)] if feas.feasible else []
    if len(moments) <= 5:
        try:
            computed.append(extrapolation_range(moments, tolerance=Fraction(1, 100),
                                                support=support))
        except InputError:  # no measure within the tolerance: proved, and nothing to load
            pass
    for r in computed:
        report = BoundsReport.of(feas, r)
        doc = json.loads(json_text(_schema.document("bounds", report.to_dict())))
        loaded = _schema.load(doc)
        assert type(loaded.range) is type(r)
        assert isinstance(loaded.range, (MomentRange, ExtrapolationRange))
        again = json.loads(json_text(loaded.to_dict()))
        first = json.loads(json_text(report.to_dict()))
        assert again == first, {k: (first[k], again.get(k)) for k in first
                                if first[k] != again.get(k)}
        assert loaded.status == report.status
        for name in ("lower", "upper", "order"):
            a, b = getattr(loaded.range, name), getattr(r, name)
            assert type(a) is type(b) or (isinstance(a, float) and isinstance(b, float)), name
        if isinstance(r, MomentRange):
            assert loaded.range.feasibility == loaded.feasibility
        else:
            assert loaded.range.tolerance == r.tolerance
            assert loaded.range.certified_lower == r.certified_lower


def test_a_loaded_flow_report_has_its_learned_measure_typed(capsys):
    from momentrnn.cli import main
    from momentrnn.dynamics.trajectory import FlowReport, ReportedMeasure
    from momentrnn.rnn.analysis import Agreement

    assert main(["flow", "--teacher-atoms", "39/100,-1/3", "--teacher-weights", "1,1/2",
                 "--dim", "4", "--k", "5", "--quiet", "--format", "json"]) in (0, 1)
    doc = json.loads(capsys.readouterr().out)
    report = _schema.load(doc)
    assert isinstance(report, FlowReport)
    learned = report.learned_measure
    assert isinstance(learned, ReportedMeasure) and isinstance(learned.agreement, Agreement)
    assert learned.agreement.verdict in ("yes", "no", "undetermined")
    assert learned.agrees_with_teacher == {"yes": True, "no": False}.get(
        learned.agreement.verdict)
    assert "learned_measure" not in report.summary
    assert json.loads(json_text(report.to_dict())) == _schema.body_of(doc)
    again = _schema.load(json.loads(json_text(_schema.document("flow", report.to_dict()))))
    assert again.learned_measure == learned
