"""The learned-atoms figure's scale axis spans the scales of the panel's runs, drawn or not: a
panel with no vouched atom is labelled, says it has nothing to draw, and has no range of
matplotlib's own (it showed 1 to 10 for runs at 1e-3 and 0.1)."""

from __future__ import annotations

import math
import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from momentrnn.experiments.families.base import SweepRow


def _row(scale, seed, atoms, weights):
    metrics = {"effective_dimension": 1, "effective_dimension_verdict": "clear",
               "effective_dimension_range": [1, 1], "learned_atoms": atoms,
               "learned_weights": weights}
    row = SweepRow({"teacher": "long_memory", "dim": 4, "mode": "random", "scale": scale,
                    "seed": seed, "k": 5, "run_id": f"{scale!r}-{seed}"}, 1e-12,
                   {100: {"extrapolation_max": 1e-3, "extrapolation_sq": 1e-6}}, metrics,
                   "converged").to_json()
    return dict(row, spec_digest="x", family="linear")


def _figure(rows, tmp_path, monkeypatch):
    from tests.helpers import plotted_figures

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning of matplotlib's or numpy's
        return plotted_figures(rows, tmp_path, monkeypatch)["learned_atoms"]


scales = st.lists(st.integers(-60, 10).map(lambda e: 10.0 ** (e / 10)), min_size=1,
                  max_size=4, unique=True)
unvouched = st.sampled_from([["?"], ["0.5+0.25j"], ["?", "0.1-0.3j"]])


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scales=scales, atoms=unvouched)
def test_a_panel_with_no_vouched_atom_spans_its_runs_scales(tmp_path, monkeypatch, scales,
                                                             atoms):
    rows = [_row(s, 0, atoms, ["1"] * len(atoms)) for s in scales]
    fig = _figure(rows, tmp_path, monkeypatch)
    (ax,) = fig.axes
    lo, hi = ax.get_xlim()
    assert ax.get_xscale() == "log"
    assert lo < min(scales) and hi > max(scales)
    span = math.log10(max(scales)) - math.log10(min(scales))
    # 5% of the span each side, half a decade for one scale: never a range of its own
    assert math.log10(hi) - math.log10(lo) <= max(1.1 * span, 1.0) + 1e-9
    assert ax.get_xlabel() == "initialisation scale"
    assert ax.get_ylabel() == "learned atoms (dashed: teacher's)"
    assert ax.get_title() == "teacher long_memory"
    texts = [t.get_text() for t in ax.texts]
    assert "no learned atom to draw" in texts
    counts = {"complex": sum("j" in a for a in atoms) * len(scales),
              "unvouched": atoms.count("?") * len(scales)}
    said = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
    assert f"not drawn: {said} atom(s)" in texts, texts
    assert not ax.collections  # nothing scattered


def test_a_panel_spans_the_scales_of_runs_it_cannot_draw(tmp_path, monkeypatch):
    rows = [_row(1e-4, 0, ["?"], ["1"]), _row(0.5, 0, ["0.9"], ["1"]),
            _row(1.0, 1, ["0.8"], ["1"])]
    fig = _figure(rows, tmp_path, monkeypatch)
    (ax,) = fig.axes
    lo, hi = ax.get_xlim()
    assert lo < 1e-4 and 1.0 < hi < 2.0
    texts = [t.get_text() for t in ax.texts]
    assert "no learned atom to draw" not in texts
    assert any("not drawn: 1 unvouched" in t for t in texts)
    (points,) = ax.collections
    assert sorted(x for x, _ in points.get_offsets()) == [0.5, 1.0]


