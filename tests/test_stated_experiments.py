"""Sweep specs and the value axes of the sweep figures, stated from their docstrings.

A spec's digest and a run's id are written into every results file and compared when a sweep
resumes, so their definition (the first 16 hexadecimal characters of SHA-256 of the canonical
JSON) is a file format: a results file written today must resume tomorrow. The value axis of
a figure (``plots._Axis``) follows the range rule its comment states (``LOG_FENCE`` decades,
``LINEAR_FENCE`` times the spread, a 5 % pad); the expected limits here are worked out by hand
from that rule.
"""

from __future__ import annotations

import hashlib
import json
import math

import pytest

from momentrnn._limits import MAX_SPEC_BYTES
from momentrnn.errors import InputError
from momentrnn.experiments import spec as spec_module
from momentrnn.experiments.spec import load_spec, read_spec_file


def _sha16(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[
        :16]


SPECS = [
    {"teachers": ["long_memory"], "modes": ["random"], "scales": [1e-3, 1.0], "seeds": 2},
    {"teachers": ["decaying", "two_pole"], "dims": [3, 5], "seeds": 1, "scales": [0.39]},
]


@pytest.mark.parametrize("raw", SPECS)
def test_a_spec_digest_and_run_ids_are_16_hex_characters_of_sha256(raw):
    spec = load_spec(raw)
    assert spec.digest == _sha16(spec.params)
    assert len(spec.digest) == 16 and int(spec.digest, 16) >= 0
    for run in spec.runs:
        fields = {k: v for k, v in run.items() if k != "run_id"}
        assert run["run_id"] == _sha16(fields)
    assert len({r["run_id"] for r in spec.runs}) == len(spec.runs)


def test_repeated_grid_values_are_named_five_at_most():
    spec = load_spec({"teachers": ["long_memory"], "modes": ["random"], "seeds": 1,
                      "scales": [1.0, 1.0, 1, 2.0, 2, 3, 3.0, 4, 4.0, 5, 5.0]})
    assert spec.params["scales"] == [1.0, 2.0, 3, 4, 5]
    (note,) = spec.notes
    assert note.startswith("scales repeats 1.0, 1, 2, 3.0, 4.0, ... (equal values are one run)")
    assert note.endswith("; 6 repeated value(s) dropped")
    spec = load_spec({"teachers": ["long_memory"], "modes": ["random"], "seeds": 1,
                      "scales": [1.0, 1.0, 2.0, 2.0, 3, 3, 4, 4, 5, 5]})
    (note,) = spec.notes
    assert "..." not in note and "; 5 repeated value(s) dropped" in note


def test_a_spec_file_of_one_mib_is_read_and_one_byte_more_is_refused(tmp_path):
    assert MAX_SPEC_BYTES == 2**20
    body = b'family = "linear"\n'
    path = tmp_path / "spec.toml"
    pad = MAX_SPEC_BYTES - len(body) - 3  # "# " ... "\n"
    path.write_bytes(body + b"# " + b"x" * pad + b"\n")
    assert path.stat().st_size == MAX_SPEC_BYTES
    assert read_spec_file(str(path)) == {"family": "linear"}
    assert load_spec(str(path)).family == "linear"
    path.write_bytes(body + b"# " + b"x" * (pad + 1) + b"\n")
    with pytest.raises(InputError, match="is longer than 1 MiB"):
        read_spec_file(str(path))


def test_a_spec_file_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_bytes(b"\xef\xbb\xbf" + b'seeds = 3\n')
    assert read_spec_file(str(path)) == {"seeds": 3}


def test_a_path_ending_in_toml_is_a_file_and_text_is_toml(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("seeds = 2\n")
    assert len(load_spec(str(path)).params["seeds"]) == 2
    assert len(load_spec("seeds = 4").params["seeds"]) == 4
    # a one-line text that ends in .toml but is TOML: read as TOML text only if it has a line
    # break; without one it names a file
    with pytest.raises(InputError, match="cannot read spec"):
        load_spec(str(tmp_path / "missing.toml"))


def test_the_run_limit_accepts_its_bound_and_refuses_one_more(monkeypatch):
    raw = {"teachers": ["long_memory"], "modes": ["random"], "scales": [1e-3, 1.0], "seeds": 2}
    monkeypatch.setattr(spec_module, "MAX_RUNS", 4)
    assert len(load_spec(raw).runs) == 4
    monkeypatch.setattr(spec_module, "MAX_RUNS", 3)
    with pytest.raises(InputError, match="the spec expands to 4 runs, more than 3"):
        load_spec(raw)


def test_a_value_of_the_wrong_type_is_refused_and_a_flag_is_no_number():
    with pytest.raises(InputError, match="seeds=True has the wrong type"):
        load_spec({"seeds": True})
    with pytest.raises(InputError, match="has the wrong type: a list expected"):
        load_spec({"scales": 0.5})


# ------------------------------------------------------------------------ figure axes

def _axis(values, log, **kw):
    from momentrnn.experiments.plots import _Axis

    return _Axis(values, log, **kw)


def _close(pair, expected):
    return all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(pair, expected))


def test_a_log_axis_spans_the_values_with_a_five_percent_pad():
    axis = _axis([1.0, 10.0, 100.0], log=True)
    # logs 0, 1, 2: median 1, spread 1, fence 8 decades: all inside; pad 0.1 decade
    assert axis.log and _close((axis.lo, axis.hi), (10**-0.1, 10**2.1))
    assert axis.place(10.0) == (10.0, None)


def test_a_log_axis_leaves_an_outlier_at_its_edge():
    axis = _axis([1.0, 10.0, 100.0, 1e40], log=True)
    # logs 0, 1, 2, 40: median 1.5, deviations 1.5, .5, .5, 38.5: spread 1, fence 8 decades
    assert _close((axis.lo, axis.hi), (10**-0.1, 10**2.1))
    assert axis.place(1e40) == (axis.hi, "above")
    assert axis.place(1e-30) == (axis.lo, "below")
    assert axis.place(math.inf) == (axis.hi, "unbounded")
    assert axis.place(1e201) == (axis.hi, "unbounded")  # above the ceiling
    assert axis.place(0.0) == (axis.lo, "not positive")
    assert axis.place(-3) == (axis.lo, "not positive")
    assert math.isnan(axis.place(math.nan)[0]) and axis.place(None)[1] is None
    assert axis.place(True)[1] is None and math.isnan(axis.place(True)[0])


def test_a_log_axis_shows_values_up_to_its_ceiling():
    from momentrnn.experiments.plots import LOG_CEILING

    assert LOG_CEILING == 1e200
    axis = _axis([1e200], log=True)
    # one value: half a decade either side
    assert _close((axis.lo, axis.hi), (10**199.5, 10**200.5))
    assert axis.place(1e200) == (1e200, None) and not axis.beyond_ceiling
    above = _axis([1.0, 1e201], log=True)
    assert above.beyond_ceiling and _close((above.lo, above.hi), (10**-0.5, 10**0.5))


def test_a_log_axis_needs_a_positive_value():
    axis = _axis([-1.0, 0.0], log=True)
    assert not axis.log and _close((axis.lo, axis.hi), (-1.05, 0.05))
    empty = _axis([], log=True)
    assert not empty.log and (empty.lo, empty.hi) == (0.0, 1.0)
    only_above = _axis([1e300], log=True)  # a log axis with nothing below its ceiling
    assert only_above.log and (only_above.lo, only_above.hi) == (1.0, 10.0)
    assert (_axis([], log=False).lo, _axis([], log=False).hi) == (0.0, 1.0)
    assert _axis([0.0, 2.0], log=True).log


def test_a_linear_axis_fences_at_a_hundred_times_the_spread():
    axis = _axis([1.0, 2.0, 3.0, 1000.0, -1000.0], log=False)
    # median 2, deviations 1, 0, 1, 998, 1002: spread 1; fence 100 max(|2|, 1) = 200
    assert _close((axis.lo, axis.hi), (0.9, 3.1))
    assert axis.place(1000.0) == (axis.hi, "above")
    assert axis.place(-1000.0) == (axis.lo, "below")
    assert axis.place(-1000.0)[1] == "below"
    inside = _axis([1.0, 2.0, 3.0, 201.0], log=False)  # 2.5 +- 100 * 2.5: 201 inside
    assert _close((inside.lo, inside.hi), (1.0 - 10.0, 201.0 + 10.0))


def test_the_fence_is_measured_from_the_median_by_the_median_deviation():
    # median 10.5, deviations 1.5, .5, .5, 1489.5: spread 1; fence 100 max(10.5, 1) = 1050
    axis = _axis([9.0, 10.0, 11.0, 1500.0], log=False)
    assert axis.place(1500.0) == (axis.hi, "above") and _close((axis.lo, axis.hi), (8.9, 11.1))
    # a fence below 1: 0.0025 +- 100 * 0.0025
    small = _axis([0.001, 0.002, 0.003, 5.0], log=False)
    assert small.place(5.0)[1] == "above" and small.hi < 1
    # no spread and a zero median: no fence, every value inside
    flat = _axis([0.0, 0.0, 0.0, 5.0], log=False)
    assert _close((flat.lo, flat.hi), (-0.25, 5.25))


def test_values_exactly_at_the_fence_are_inside():
    # logs 0, 8, 8, 8: median 8, spread 0, fence 8 decades: 1 is exactly at its lower end
    low = _axis([1.0, 1e8, 1e8, 1e8], log=True)
    assert _close((low.lo, low.hi), (10**-0.4, 10**8.4)) and low.place(1.0) == (1.0, None)
    high = _axis([1.0, 1.0, 1.0, 1e8], log=True)
    assert _close((high.lo, high.hi), (10**-0.4, 10**8.4)) and high.place(1e8) == (1e8, None)


def test_a_linear_axis_of_one_value_is_padded_by_a_tenth_or_a_half():
    assert _close((_axis([5.0], log=False).lo, _axis([5.0], log=False).hi), (4.5, 5.5))
    assert _close((_axis([50.0], log=False).lo, _axis([50.0], log=False).hi), (45.0, 55.0))
    assert _close((_axis([-50.0], log=False).lo, _axis([-50.0], log=False).hi), (-55.0, -45.0))


def test_anchors_are_always_inside_and_a_falling_loss_is_no_outlier():
    axis = _axis([0.1, 0.2, 0.3], log=False, anchors=[100.0])
    assert axis.lo < 0.1 and axis.hi > 100.0
    loss = _axis([1.0, 1e-3, 1e-30], log=True, clip_low=False)
    assert loss.lo < 1e-30 and loss.place(1e-30)[1] is None


def test_a_median_band_counts_none_as_unbounded_and_drops_nan():
    from momentrnn.experiments.plots import _median_band

    assert _median_band([1.0, 2.0, 3.0, 4.0, 5.0]) == (3.0, 2.0, 4.0)
    med, q1, q3 = _median_band([1.0, 2.0, 3.0, None])
    assert (med, q1, q3) == (2.5, 1.75, math.inf)
    assert _median_band([1.0, math.nan, 3.0]) == (2.0, 1.5, 2.5)
    assert all(math.isnan(v) for v in _median_band([math.nan]))
    assert all(math.isnan(v) for v in _median_band([]))


@pytest.mark.parametrize("count, rows, cols", [(0, 1, 1), (1, 1, 1), (3, 1, 3), (4, 2, 3),
                                               (7, 3, 3)])
def test_panels_are_three_a_row(count, rows, cols):
    pytest.importorskip("matplotlib")
    from momentrnn.experiments.plots import PANEL_COLUMNS, _panel_axes, _plt

    assert PANEL_COLUMNS == 3
    fig, axes = _panel_axes(_plt(), count, "title", width=2.0, height=1.0)
    assert len(axes) == max(count, 1) and len(fig.axes) == count  # the unused ones removed
    assert tuple(fig.get_size_inches()) == (2.0 * cols, 1.0 * rows)
    assert axes[0].get_subplotspec().get_gridspec().get_geometry() == (rows, cols)


def test_panels_are_in_a_stable_order_by_their_values():
    from types import SimpleNamespace

    from momentrnn.experiments.plots import _panels

    rows = [SimpleNamespace(run={"teacher": t, "dim": d}) for t, d in
            (("b", 2), ("a", 10), ("b", 1), ("a", 2))]
    panels = _panels(rows, ("teacher", "dim"))
    assert list(panels) == [("a", 10), ("a", 2), ("b", 1), ("b", 2)]  # by their text
    assert list(_panels(rows, ())) == [()] and len(_panels(rows, ())[()]) == 4
