"""The effective-dimension figure draws the runs the summary's median counts (runs that
trained) and says how many it left out, and why."""

from __future__ import annotations

import numpy as np

from momentrnn.experiments.families.base import SweepRow
from momentrnn.experiments.families.linear import LinearFamily


def _row(dim, seed, status):
    metrics = {"effective_dimension": dim, "effective_dimension_verdict": "clear",
               "effective_dimension_range": [dim, dim]}
    return SweepRow({"teacher": "long_memory", "dim": 4, "mode": "random", "scale": 0.01,
                     "seed": seed, "k": 5, "run_id": str(seed)}, 1e-12,
                    {100: {"extrapolation_max": 1e-3, "extrapolation_sq": 1e-6}}, metrics,
                    status)


def test_the_figure_leaves_out_the_runs_the_summary_leaves_out(tmp_path, monkeypatch):
    from tests.helpers import plotted_figures

    rows = [_row(1, s, "converged") for s in range(2)]
    rows += [_row(4, 10 + s, status) for s, status in enumerate(["max_steps", "stalled",
                                                                  "max_steps"])]
    head, body = LinearFamily().summary_table(rows)
    cell = body[0][head.index("median effective dimension (runs that trained)")]
    assert cell.startswith("1 (2 of 5)"), cell
    data = [r.to_json() for r in rows]
    for r in data:
        r["spec_digest"] = "x"
        r["family"] = "linear"
    fig = plotted_figures(data, tmp_path, monkeypatch)["effective_dimension_vs_scale"]
    ax = fig.axes[0]
    drawn = [y for line in ax.get_lines() for y in line.get_ydata() if np.isfinite(y)]
    assert drawn and all(y == 1 for y in drawn), drawn
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "2 did not train (max_steps)" in texts and "1 did not train (stalled)" in texts
