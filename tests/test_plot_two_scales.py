"""`momentrnn plot` of a sweep of two initialisation scales (issue 22, item 10 left over):
when the larger scale's runs blew up, half the values are outliers, and the median and its
deviation no longer see them; the value axis still shows the meaningful range, the outliers
drawn at its edge and counted."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.experiments.plots import LOG_FENCE, _Axis
from tests.helpers import plotted_figures as _figures


def _rows(blown: float, trained=(3.9e-4, 1.7e-4, 7.1e-4), scales=(1e-3, 1.0)) -> list:
    """Rows of one teacher, two scales and three seeds: the small scale's runs trained to the
    errors ``trained``, the large scale's blew up to ``blown``."""
    rows = []
    for scale in scales:
        for seed, err in enumerate(trained):
            diverged = scale == scales[-1]
            value = blown * (1 + seed / 3) if diverged else err
            rows.append({"run_id": f"{scale}-{seed}", "spec_digest": "d", "family": "linear",
                         "teacher": "two_pole", "dim": 4,
                         "mode": "random", "scale": scale, "seed": seed, "k": 7,
                         "training_loss": 1e30 if diverged else 1e-9,
                         "extrapolation_max_50": value, "extrapolation_sq_50": value ** 2,
                         "effective_dimension": None if diverged else 2,
                         "effective_dimension_verdict": "undetermined" if diverged
                         else "clear", "learned_atoms": [], "learned_weights": [],
                         "learned_vouched_digits": 0,
                         "status": "diverged" if diverged else "converged",
                         "diverged_step": 7 if diverged else None,
                         "loss_curve": [[0, 1.0], [10, 1e30 if diverged else 1e-9]],
                         "seconds": 0.1})
    return rows


@pytest.mark.parametrize("blown", [1e40, 3.9e31, 1e150])
def test_two_scales_whose_larger_blew_up_are_clipped(tmp_path, monkeypatch, blown):
    figs = _figures(_rows(blown), tmp_path, monkeypatch)
    (ax,) = figs["extrapolation_vs_scale"].axes
    lo, hi = ax.get_ylim()
    assert ax.get_yscale() == "log"
    band = np.percentile([3.9e-4, 1.7e-4, 7.1e-4], [25, 50, 75])  # what is drawn
    assert lo <= band[0] and band[2] <= hi < 1e-2, (lo, hi)  # the trained runs' range
    notes = "\n".join(t.get_text() for t in ax.texts)
    assert "1 outlier median(s) clipped to the axis edge" in notes
    assert any(line.get_marker() == "^" and list(line.get_ydata()) == [hi]
               for line in ax.lines)


def test_two_scales_of_trained_runs_are_not_clipped(tmp_path, monkeypatch):
    """The control: two scales whose errors are 9 decades apart, both trained, both shown."""
    figs = _figures(_rows(3.9e-13, trained=(3.9e-4, 1.7e-4, 7.1e-4)), tmp_path, monkeypatch)
    (ax,) = figs["extrapolation_vs_scale"].axes
    lo, hi = ax.get_ylim()
    assert lo <= 3.9e-13 and hi >= 7.1e-4
    assert "clipped" not in "\n".join(t.get_text() for t in ax.texts)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.floats(-16, -16 + LOG_FENCE), min_size=1, max_size=6), st.data())
def test_outliers_no_more_than_the_trained_values_never_set_the_range(trained, data):
    """Trained values within a fence's width, and as many or fewer blown-up ones (above
    1e30, or infinite): the axis covers every trained value and no blown-up one."""
    blown = data.draw(st.lists(st.one_of(st.floats(30, 300), st.just(math.inf)),
                               min_size=1, max_size=len(trained)))
    values = [10.0 ** t for t in trained] + [10.0 ** b for b in blown]
    axis = _Axis(values, log=True)
    for t in trained:
        assert axis.lo <= 10.0 ** t <= axis.hi
    for b in blown:
        assert axis.place(10.0 ** b)[1] is not None  # drawn at the edge, marked
