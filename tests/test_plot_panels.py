"""`momentrnn plot` figures: one titled panel per teacher, value axes limited to the
meaningful range with outliers drawn at the edge and counted, and no log axis for values
<= 0."""

import json

import pytest

from momentrnn.experiments import run_sweep
from tests.helpers import plotted_figures as _figures

SPEC = {"family": "linear", "teachers": ["decaying", "two_pole"], "dims": [4], "k": 3,
        "scales": [1e-3, 1e-2, 1e-1, 1.0], "modes": ["random"], "seeds": [0, 1],
        "lengths": [50], "trainer": "gd", "lr": 0.05, "steps": 50}


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    path = tmp_path_factory.mktemp("sweep") / "r.jsonl"
    run_sweep(SPEC, str(path), progress=False)
    return [json.loads(line) for line in path.read_text().splitlines()]


def _texts(ax) -> str:
    return "\n".join(t.get_text() for t in ax.texts)


def test_one_titled_panel_per_teacher(rows, tmp_path, monkeypatch):
    figs = _figures(rows, tmp_path, monkeypatch)
    assert set(figs) == {"extrapolation_vs_scale", "effective_dimension_vs_scale",
                         "learned_atoms", "training_curves"}
    for name, fig in figs.items():
        titles = [ax.get_title() for ax in fig.axes]
        assert titles == ["teacher decaying", "teacher two_pole"], (name, titles)
        assert fig._suptitle is not None and fig._suptitle.get_text()


def test_a_planted_outlier_is_clipped_and_said_so(rows, tmp_path, monkeypatch):
    planted = [dict(r) for r in rows]
    for r in planted:
        if r["scale"] == 1.0:  # every seed of the largest scale: a diverged 1e40
            r["extrapolation_max_50"] = 1e40
        if r["scale"] == 1.0 and r["teacher"] == "two_pole" and r["seed"] == 0:
            r["learned_atoms"] = [4e5, *r["learned_atoms"][1:]]
            r["learned_weights"] = r["learned_weights"] or [1.0]
    figs = _figures(planted, tmp_path, monkeypatch)
    for ax in figs["extrapolation_vs_scale"].axes:
        lo, hi = ax.get_ylim()
        assert ax.get_yscale() == "log" and hi < 1e10 and lo > 0
        assert "1 outlier median(s) clipped to the axis edge" in _texts(ax)
        # the clipped median is marked at the edge
        assert any(line.get_marker() == "^" and list(line.get_ydata()) == [hi]
                   for line in ax.lines)
    two_pole = figs["learned_atoms"].axes[1]
    lo, hi = two_pole.get_ylim()
    assert -2 < lo < hi < 2
    assert "outlier atom(s) clipped" in _texts(two_pole)
    # the unplanted figure says nothing of clipping
    assert "clipped" not in _texts(figs["effective_dimension_vs_scale"].axes[0])


def test_values_that_are_not_positive_are_never_on_a_log_axis(rows, tmp_path, monkeypatch):
    planted = [dict(r) for r in rows]
    for r in planted:
        if r["teacher"] == "decaying":
            r["extrapolation_max_50"] = 0.0  # exact: every one
        elif r["scale"] == 1e-3:
            r["extrapolation_max_50"] = 0.0  # two of eight
            r["loss_curve"] = [[s, 0.0 if s else v] for s, v in r["loss_curve"]]
    figs = _figures(planted, tmp_path, monkeypatch)
    zero, some = figs["extrapolation_vs_scale"].axes
    assert zero.get_yscale() == "linear"
    assert some.get_yscale() == "log"
    assert "1 median(s) <= 0 drawn at the bottom" in _texts(some)
    curves = figs["training_curves"].axes[1]
    assert curves.get_yscale() == "log" and curves.get_ylim()[0] > 0
    assert "2 of 8 curve(s) clipped" in _texts(curves)
    # step 0 is on the axis where it is: not a log axis
    assert curves.get_xscale() == "symlog" and curves.get_xlim()[0] == 0
