"""The linear family: diagonal linear RNN students of named teachers, by gradient flow or GD."""

from __future__ import annotations

import itertools
import math

from ..._limits import MAX_EXTRAPOLATION_LENGTH, MAX_LAG_WORK, check_memory
from ..._validate import finite
from ...errors import InputError
from ...rnn.teachers import INIT_MODES, NAMED_TEACHERS
from .base import (
    ScaleFigure,
    SweepFamily,
    SweepRow,
    check_training,
    longest_common_length,
    median,
    positive_list,
    seed_list,
    short,
)
from .registry import register_family_class

__all__ = ["LinearFamily"]


# The statuses of a run that trained as asked: the loss target reached (flow or gradient
# descent), the flow's time limit or a stationary point. 'max_steps' (steps exhausted above the
# target), 'stalled', 'diverged', and 'finished' (gradient descent rows written before its
# statuses said whether the target was reached) are not.
TRAINED = ("converged", "t_max", "stationary")


def _status_counts(rows: list[SweepRow]) -> str:
    """How the runs ended: ``'3 converged, 1 max_steps'``."""
    counts: dict = {}
    for r in rows:
        counts[r.status or "unknown"] = counts.get(r.status or "unknown", 0) + 1
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def _agreement_counts(rows: list[SweepRow]) -> str:
    """The runs' agreements with the teacher: ``'2 yes, 1 undetermined'`` (``'-'`` for rows
    written before the rows held one)."""
    counts = {"yes": 0, "no": 0, "undetermined": 0}
    for r in rows:
        a = r.value("agreement")
        if isinstance(a, dict) and a.get("verdict") in counts:
            counts[a["verdict"]] += 1
    return ", ".join(f"{n} {v}" for v, n in counts.items() if n) or "-"


def _k_list(value) -> list:
    """The spec's ``k`` as the list of its values (a grid axis): ``None`` (each teacher's
    default) and a number are one value."""
    return list(value) if isinstance(value, list) else [value]


def _num(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _dimension(row: SweepRow):
    """The row's effective dimension where it is one number; None where it is not: a rank
    undetermined, or ambiguous over a range (a row written before rows said so holds the
    range's low end as a number beside the verdict ``'ambiguous'``: not one number
    either, unless its range is a single rank)."""
    value = _num(row.value("effective_dimension"))
    if value is None or row.value("effective_dimension_verdict") != "ambiguous":
        return value
    span = row.value("effective_dimension_range")
    return value if isinstance(span, list) and len(span) == 2 and span[0] == span[1] else None


def _ambiguous(row: SweepRow) -> bool:
    """A rank decided only to a range (verdict ``'ambiguous'``, no single number)."""
    return (row.value("effective_dimension_verdict") == "ambiguous"
            and _dimension(row) is None)


def _nan_if_none(value):
    """NaN (left out of a median, never drawn) for a value that is not one number."""
    return math.nan if value is None else value


def _fmt(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


@register_family_class
class LinearFamily(SweepFamily):
    """Diagonal linear students of the named teachers, trained by gradient flow (one run at a
    time) or gradient descent (all runs of one shape batched)."""

    name = "linear"
    description = "diagonal linear RNN students of named teachers (gradient flow or GD)"
    defaults = {
        "teachers": ["long_memory", "two_pole"],
        "scales": [1e-4, 1e-3, 1e-2, 1e-1, 1.0],
        "modes": ["random", "balanced"],
        "seeds": 4,
        "dims": [20],
        "k": None,  # default 2 * (teacher atoms) + 3; a list is a grid axis
        "trainer": "flow",  # or "gd"
        "lr": 0.01,
        "steps": 20000,
        "until_loss": 1e-10,
        "lengths": [100, 1000],
        "backend": "numpy",
        "device": None,
    }
    types = {
        "teachers": list, "scales": list, "modes": list, "seeds": (int, list), "dims": list,
        "k": (int, float, list, type(None)), "trainer": str, "lr": (int, float), "steps": int,
        "until_loss": (int, float), "lengths": list, "backend": str, "device": (str, type(None)),
    }
    grid_keys = ("teachers", "dims", "modes", "scales", "seeds")
    run_fields = {"teacher": str, "dim": int, "mode": str, "scale": (int, float), "seed": int,
                  "k": int}
    group_fields = ("teacher", "dim", "k")
    panel_fields = ("teacher",)
    table_fields = ("teacher", "mode", "scale")
    length_metrics = ("extrapolation_max", "extrapolation_sq")
    metric_schemas = {
        "init": {"type": "string"}, "init_scale": {"$ref": "#/$defs/number"},
        "extrapolation_max": {"$ref": "#/$defs/number"},
        "extrapolation_sq": {"$ref": "#/$defs/number"},
        "imbalance": {"$ref": "#/$defs/number"}, "negative_mass": {"$ref": "#/$defs/number"},
        "effective_dimension": {"type": ["integer", "null"]},
        "effective_dimension_verdict": {"$ref": "#/$defs/row_rank_verdict"},
        "effective_dimension_reason": {"type": "string"},
        "effective_dimension_range": {"type": "array", "items": {"type": "integer"},
                                      "minItems": 2, "maxItems": 2},
        "agreement": {"type": "object", "required": ["verdict", "reason"],
                      "additionalProperties": False,
                      "properties": {"verdict": {"$ref": "#/$defs/agreement_verdict"},
                                     "reason": {"type": "string"}}},
        "hankel_singular_values": {"type": "array", "items": {"$ref": "#/$defs/number"}},
        "learned_atoms": {"type": "array", "items": {"type": "string"}},
        "learned_weights": {"type": "array", "items": {"type": "string"}},
        "learned_vouched_digits": {"anyOf": [{"$ref": "#/$defs/number"}, {"type": "null"}]},
        "learned_status": {"$ref": "#/$defs/learned_status"},
        "learned_moment_accuracy": {"$ref": "#/$defs/number"},
        "learned_agrees_with_teacher": {"type": ["boolean", "null"]},
    }
    headline = "extrapolation_max"

    def validate(self, p: dict) -> dict:
        p = dict(p, seeds=seed_list(p["seeds"]))
        check_training(p)
        for key in ("teachers", "modes"):
            if not p[key]:
                raise InputError(f"{key} must not be empty: the sweep would hold no runs")
        if not (finite(p["until_loss"]) and p["until_loss"] >= 0):
            raise InputError(f"until_loss={short(p['until_loss'])} must be a finite loss >= 0")
        if p["backend"] == "numpy" and p["device"] not in (None, "cpu"):
            raise InputError(f"device={p['device']!r} needs backend = \"torch\"")
        for t in p["teachers"]:
            if t not in NAMED_TEACHERS:
                raise InputError(f"teachers contains {t!r}; known: {', '.join(NAMED_TEACHERS)}")
        for m in p["modes"]:
            if m not in INIT_MODES:
                raise InputError(f"modes contains {m!r}; known: {', '.join(INIT_MODES)}")
        positive_list(p, "dims", integer=True)
        if p["trainer"] not in ("flow", "gd"):
            raise InputError(f"trainer={p['trainer']!r}: use 'flow' or 'gd'")
        if p["backend"] not in ("numpy", "torch"):
            raise InputError(f"backend={p['backend']!r}: use 'numpy' or 'torch'")
        for k in _k_list(p["k"]):
            if k is not None and k < 1:
                raise InputError(f"k={p['k']!r} must be positive")
        return p

    def check_size(self, p: dict) -> int:
        q, dim = max(p["lengths"]), max(p["dims"])
        k = max(k if k is not None else 2 * len(NAMED_TEACHERS[t][0]) + 3
                for k in _k_list(p["k"]) for t in p["teachers"])
        check_memory(16.0 * dim * max(q, 2 * min(dim, 30) + 2),
                     f"the impulse response of length {q} of a student of dimension {dim}",
                     "use shorter lengths or smaller dims")

        if q > MAX_EXTRAPOLATION_LENGTH:  # as every row would fail after its training
            raise InputError(f"lengths holds {q}, more than {MAX_EXTRAPOLATION_LENGTH}, the "
                             "longest impulse response compared after a run: use lengths <= "
                             f"{MAX_EXTRAPOLATION_LENGTH}")
        if k * dim > MAX_LAG_WORK:  # as every run would refuse: before any
            raise InputError(f"k={k} lags with dims up to {dim} make {k * dim} values per loss "
                             f"array, more than the {MAX_LAG_WORK} a run fits: use a smaller k "
                             "or smaller dims")
        return super().check_size(p) * len(_k_list(p["k"]))

    def expand(self, p: dict) -> list[dict]:
        runs = []
        grid = itertools.product(p["teachers"], p["dims"], p["modes"], p["scales"], p["seeds"],
                                 _k_list(p["k"]))
        for teacher, dim, mode, scale, seed, k in grid:
            atoms = len(NAMED_TEACHERS[teacher][0])
            k = k if k is not None else 2 * atoms + 3
            runs.append({"teacher": teacher, "dim": dim, "mode": mode, "scale": scale,
                         "seed": seed, "k": k})
        return runs

    def run_group(self, params: dict, runs: list[dict]) -> list[SweepRow]:
        from ..linear import run_linear_group

        return run_linear_group(params, runs)

    def usable(self, row: SweepRow) -> bool:
        return super().usable(row) and "effective_dimension" in row.metrics

    def summary_table(self, rows: list[SweepRow]) -> tuple[list[str], list[list]]:
        q = longest_common_length(rows, self.headline)
        groups: dict = {}
        several_k = len({r.run["k"] for r in rows}) > 1  # a grid over k: a line per k
        for r in rows:
            key = tuple(r.run[k] for k in self.table_fields)
            if several_k:
                key = (f"{key[0]} (k={r.run['k']})", *key[1:])
            groups.setdefault(key, []).append(r)
        head = ["teacher", "init", "scale", "runs", "status", "median training loss",
                f"median extrapolation error (max, q={q})",
                "median effective dimension (runs that trained)", "agrees with the teacher",
                "diverged"]
        body = []
        for (t, m, sc), rs in sorted(groups.items(), key=lambda kv: tuple(map(str, kv[0]))):
            err = median(r.value(self.headline, q) for r in rs)
            loss = median(r.training_loss for r in rs)
            # a run that did not reach its loss target (or diverged) has no dimension to count
            # nor does a run whose loss allows no rank decision (effective dimension None,
            # verdict undetermined), nor one whose rank is a range (ambiguous)
            trained = [r for r in rs if r.status in TRAINED]
            decided = [r for r in trained if _dimension(r) is not None]
            dim = median(_dimension(r) for r in decided)
            dim_text = "-" if math.isnan(dim) else f"{dim:g}"
            if decided and len(decided) < len(rs):
                dim_text += f" ({len(decided)} of {len(rs)})"
            undetermined = sum(r.value("effective_dimension_verdict") == "undetermined"
                               for r in rs)
            if undetermined:
                dim_text += f"; {undetermined} undetermined"
            ambiguous = sum(_ambiguous(r) for r in rs)
            if ambiguous:
                dim_text += f"; {ambiguous} ambiguous (a range, left out)"
            div = sum(r.status == "diverged" for r in rs)
            body.append([t, m, _fmt(sc), len(rs), _status_counts(rs),
                         "-" if math.isnan(loss) else f"{loss:.2g}", f"{err:.3g}", dim_text,
                         _agreement_counts(rs), div])
        return head, body

    def scale_figures(self, rows: list[SweepRow]) -> list[ScaleFigure]:
        q = longest_common_length(rows, self.headline)
        # a grid over k: one curve per init mode and k
        by = ("teacher", "mode", "k") if len({r.run["k"] for r in rows}) > 1 else (
            "teacher", "mode")
        return [
            ScaleFigure("extrapolation_vs_scale", f"max |h_j - h_hat_j|, j < {q}", by,
                        lambda r: _num(r.value(self.headline, q)), log=True,
                        unbounded="unbounded (an atom outside the unit disc)",
                        panel_fields=self.panel_fields),
            # the summary's filter: a run that did not train has no dimension to draw
            ScaleFigure("effective_dimension_vs_scale", "effective state dimension", by,
                        lambda r: (_nan_if_none(_dimension(r)) if r.status in TRAINED
                                   else math.nan), log=False,
                        panel_fields=self.panel_fields,
                        left_out=lambda r: (f"did not train ({r.status})"
                                            if r.status not in TRAINED else "ambiguous"
                                            if _ambiguous(r) else "undetermined"
                                            if _dimension(r) is None else None)),
        ]

    def extra_figures(self, rows, out_dir, formats, plt, save) -> list[str]:
        """The learned atoms of every run against its initialisation scale, one panel per
        teacher, the teacher's atoms dashed; outlier atoms (a diverged run's) are drawn at
        the axis edge, marked and counted."""
        import numpy as np

        from ..plots import _Axis, _note, _panel_axes, _panel_title, _panels

        panels = _panels(rows, self.panel_fields)
        fig, axes = _panel_axes(plt, len(panels), "learned atoms against the initialisation "
                                "scale")
        for (key, panel_rows), ax in zip(panels.items(), axes):
            points, left_out = [], {"complex": 0, "unvouched": 0}
            for r in panel_rows:
                atoms = [_real_value(a, left_out) for a in _list(r.value("learned_atoms"))]
                weights = [_real_value(w, None) for w in _list(r.value("learned_weights"))]
                if atoms and len(atoms) == len(weights):
                    # a diverged run's non-finite atoms have no place on the axis: left out
                    points += [(r.run["scale"], a, 0.0 if w is None else w)
                               for a, w in zip(atoms, weights)
                               if a is not None and math.isfinite(a)
                               and (w is None or math.isfinite(w))]
            gone = [f"{n} {what}" for what, n in left_out.items() if n]
            if gone:  # said on the panel, never dropped silently
                _note(ax, f"not drawn: {', '.join(gone)} atom(s)", (0.01, 0.01), "bottom")
            teacher = NAMED_TEACHERS[key[0]][0] if key[0] in NAMED_TEACHERS else []
            # the teacher's atoms and the unit interval anchor the range: a stable student's
            # atoms lie in [-1, 1]
            axis = _Axis([a for _, a, _ in points], log=False,
                         anchors=[float(a) for a in teacher] + [-1.0, 1.0])
            inside = [(s, a, w) for s, a, w in points if axis.place(a)[1] is None]
            if inside:
                ax.scatter([s for s, _, _ in inside], [a for _, a, _ in inside],
                           s=8 + 40 * np.clip(np.abs([w for _, _, w in inside]), 0, 1),
                           alpha=0.5, color="C0")
            for s, a, _ in points:
                if axis.place(a)[1] is not None:
                    axis.mark(ax, s, a, "C0")
            for a in teacher:
                ax.axhline(a, color="C3", lw=0.8, ls="--")
            axis.finish(ax, what="atom")
            if not points:  # the panel says so, over the axes of its runs
                _note(ax, "no learned atom to draw", (0.02, 0.55), "center")
            ax.set_xscale("log")
            # the scales of the panel's runs, drawn or not: never matplotlib's default range
            ax.set_xlim(*_scale_range([r.run["scale"] for r in panel_rows]))
            ax.set(xlabel="initialisation scale", ylabel="learned atoms (dashed: teacher's)",
                   title=_panel_title(self.panel_fields, key))
        return save(fig, "learned_atoms")


def _scale_range(scales) -> tuple[float, float]:
    """The limits of a log axis of initialisation scales: the positive finite ones with 5%
    of their span (in decades) each side, half a decade for one scale; 0.1 to 10 for none."""
    logs = [math.log10(s) for s in scales
            if isinstance(s, (int, float)) and not isinstance(s, bool) and math.isfinite(s)
            and s > 0]
    if not logs:
        return 0.1, 10.0
    lo, hi = min(logs), max(logs)
    pad = 0.05 * (hi - lo) if hi > lo else 0.5
    return 10.0 ** (lo - pad), 10.0 ** (hi + pad)


def _real_value(value, left_out: dict | None):
    """A learned atom or weight of a row as a float: a number (rows written before the
    vouched text), or its vouched text; ``None`` for a complex one or one with no vouched
    digit (``"?"``), counted in ``left_out``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value)
    kind = "unvouched" if text == "?" else ("complex" if "j" in text else None)
    if kind is None:
        try:
            return float(text)
        except ValueError:
            kind = "complex"
    if left_out is not None:
        left_out[kind] += 1
    return None


def _list(value) -> list:
    return value if isinstance(value, list) else []
