"""The non-linear family: tanh-RNN and GRU students of a fixed teacher cell, batched in torch."""

from __future__ import annotations

import itertools

import numpy as np

from ..._limits import MAX_SEED, check_memory
from ..._validate import finite
from ...errors import InputError
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

__all__ = ["NonlinearFamily"]


def _num(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _first(value):
    if isinstance(value, list) and value and isinstance(value[0], (int, float)):
        return value[0]
    return None


def _fmt(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


@register_family_class
class NonlinearFamily(SweepFamily):
    """tanh-RNN or GRU students of a teacher cell with a low-dimensional state; all students of
    one shape trained at once."""

    name = "nonlinear"
    description = "tanh-RNN and GRU students of a low-dimensional teacher cell (torch)"
    defaults = {
        "cell": "tanh",  # or "gru"
        "teacher_dims": [2],
        "student_dims": [32],
        "scales": [1e-3, 1e-2, 1e-1, 1.0],
        "seeds": 3,
        "k": 10,
        "lengths": [10, 100, 1000],
        "train_sequences": 256,
        "test_sequences": 128,
        "optimizer": "adam",
        "lr": 0.01,
        "steps": 500,
        "teacher_seed": 0,
        "teacher_gain": 1.2,
        "thresholds": [1e-2, 1e-3],
        "device": None,
    }
    types = {
        "cell": str, "teacher_dims": list, "student_dims": list, "scales": list,
        "seeds": (int, list), "k": (int, float, type(None)), "lengths": list,
        "train_sequences": int, "test_sequences": int, "optimizer": str, "lr": (int, float),
        "steps": int, "teacher_seed": int, "teacher_gain": (int, float), "thresholds": list,
        "device": (str, type(None)),
    }
    grid_keys = ("teacher_dims", "student_dims", "scales", "seeds")
    run_fields = {"cell": str, "teacher_dim": int, "dim": int, "scale": (int, float),
                  "seed": int, "k": int}
    group_fields = ("cell", "teacher_dim", "dim", "k")
    table_fields = ("cell", "teacher_dim", "dim", "scale")
    length_metrics = ("extrapolation_rel_mse", "state_rank")
    metric_schemas = {
        "extrapolation_rel_mse": {"$ref": "#/$defs/number"},
        "state_rank": {"type": "array", "items": {"type": "integer"}},
        "thresholds": {"type": "array", "items": {"$ref": "#/$defs/number"}},
    }
    headline = "extrapolation_rel_mse"
    reports_steps = True
    panel_fields = ("cell", "teacher_dim")

    def validate(self, p: dict) -> dict:
        p = dict(p, seeds=seed_list(p["seeds"]))
        check_training(p)
        if p["cell"] not in ("tanh", "gru"):
            raise InputError(f"cell={p['cell']!r}: use 'tanh' or 'gru'")
        if p["optimizer"] not in ("gd", "adam"):
            raise InputError(f"optimizer={p['optimizer']!r}: use 'gd' or 'adam'")
        positive_list(p, "teacher_dims", integer=True)
        positive_list(p, "student_dims", integer=True)
        positive_list(p, "thresholds")
        if p["k"] is None or p["k"] < 1:
            raise InputError(f"k={p['k']!r} must be a positive number of steps")
        for key in ("train_sequences", "test_sequences"):
            if p[key] < 1:
                raise InputError(f"{key}={p[key]!r} must be positive")
        if not 0 <= p["teacher_seed"] <= MAX_SEED:
            raise InputError(f"teacher_seed={short(p['teacher_seed'])} must be from 0 to "
                             "2**63 - 1 (the seeds the random generators take)")
        if not finite(p["teacher_gain"]):
            raise InputError(f"teacher_gain={short(p['teacher_gain'])} must be finite")
        return p

    def check_size(self, p: dict) -> int:
        q = max(p["lengths"])
        batch = len(p["scales"]) * len(p["seeds"])
        sdim, tdim = max(p["student_dims"]), max(p["teacher_dims"])
        dim = max(sdim, tdim)
        gates = 3 if p["cell"] == "gru" else 1
        # the weights too: each cell holds gates x dim x dim recurrent weights (torch keeps
        # them, their gradients and two Adam moments, in float64: 4 x 8 bytes each); in
        # integers, so that no size overflows a float before it is compared
        parts = {"test_sequences and lengths": p["test_sequences"] * q * dim * 3,
                 "train_sequences and k": p["train_sequences"] * p["k"] * gates * dim * 4,
                 "the dims (weights)": 4 * (gates * dim * dim + 2 * gates * dim)}
        largest = max(parts, key=parts.__getitem__)
        which = "student_dims" if sdim >= tdim else "teacher_dims"
        check_memory(8 * batch * sum(parts.values()),
                     f"the hidden states and weights of {batch} students ({which} up to "
                     f"{dim}, train_sequences={short(p['train_sequences'])} of k={p['k']} "
                     f"steps, test_sequences={short(p['test_sequences'])} of length {q})",
                     f"lower {largest}, which hold the most of it (or {which})")
        return super().check_size(p)

    def expand(self, p: dict) -> list[dict]:
        grid = itertools.product(p["teacher_dims"], p["student_dims"], p["scales"], p["seeds"])
        return [{"cell": p["cell"], "teacher_dim": tdim, "dim": sdim, "scale": scale,
                 "seed": seed, "k": p["k"]} for tdim, sdim, scale, seed in grid]

    def run_group(self, params: dict, runs: list[dict], steps=None) -> list[SweepRow]:
        from ..nonlinear import run_nonlinear_group

        return run_nonlinear_group(params, runs, steps=steps)

    def usable(self, row: SweepRow) -> bool:
        th = row.value("thresholds")
        return super().usable(row) and isinstance(th, list) and bool(th)

    def summary_table(self, rows: list[SweepRow]) -> tuple[list[str], list[list]]:
        q = longest_common_length(rows, self.headline)
        groups: dict = {}
        for r in rows:
            groups.setdefault(tuple(r.run[k] for k in self.table_fields), []).append(r)
        head = ["cell", "teacher dim", "student dim", "scale", "runs",
                f"median rel. MSE (length {q})",
                f"median state rank (thresholds {rows[0].value('thresholds')})", "diverged"]
        body = []
        for (c, td, d, sc), rs in sorted(groups.items(), key=lambda kv: tuple(map(str, kv[0]))):
            err = median(r.value(self.headline, q) for r in rs)
            ranks = [r.value("state_rank", q) for r in rs]
            ranks = [x for x in ranks if isinstance(x, list) and x and all(
                isinstance(v, (int, float)) for v in x)]
            width = min((len(x) for x in ranks), default=0)
            med = np.median([x[:width] for x in ranks], axis=0) if width else []
            div = sum(r.status == "diverged" for r in rs)
            body.append([c, td, d, _fmt(sc), len(rs), f"{err:.3g}",
                         ", ".join(f"{v:g}" for v in med) or "n/a", div])
        return head, body

    def scale_figures(self, rows: list[SweepRow]) -> list[ScaleFigure]:
        q = longest_common_length(rows, self.headline)
        by = ("cell", "teacher_dim", "dim")
        return [
            ScaleFigure("extrapolation_vs_scale", f"relative MSE at length {q}", by,
                        lambda r: _num(r.value(self.headline, q)), log=True,
                        unbounded="unbounded (the students' outputs overflowed)",
                        panel_fields=self.panel_fields),
            ScaleFigure("state_rank_vs_scale",
                        f"hidden-state rank (sv > {rows[0].value('thresholds')[0]})", by,
                        lambda r: _first(r.value("state_rank", q)), log=False,
                        panel_fields=self.panel_fields),
        ]
