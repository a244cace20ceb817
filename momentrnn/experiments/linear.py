"""Linear teacher-student runs: batched gradient descent or per-run gradient flow."""

from __future__ import annotations

import math
import time

import numpy as np

from ..dynamics import gradient_descent, integrate_flow
from ..errors import InputError
from ..precision import Float64
from ..rnn import (
    DiagonalRNN,
    effective_dimension,
    init_student,
    learned_measure,
    moment_accuracy,
    named_teacher,
)
from ..rnn.analysis import (
    effective_dimension_keys,
    extrapolation_rounding,
    learned_report,
    run_agreement,
)
from .families.base import SweepRow

__all__ = ["run_linear_group", "linear_metrics", "extrapolation_errors"]

#: a sweep row's effective_dimension_verdict where no rank could be computed (besides the
#: verdicts of a HankelRank)
NO_RANK_VERDICT = "error"


def extrapolation_errors(model: DiagonalRNN, teacher: DiagonalRNN, lengths: list) -> dict:
    """The student's impulse response against the teacher's up to each length ``q``:
    ``{q: {"extrapolation_max": max |h_j - t_j|, "extrapolation_sq": sum (h_j - t_j)^2}}``
    (infinite when the student's response overflows)."""
    out: dict = {}
    with np.errstate(over="ignore", invalid="ignore"):
        for q in lengths:
            h = np.asarray(model.impulse_response(q))
            t = np.asarray(teacher.impulse_response(q))
            diff = np.abs(h - t)
            finite = bool(np.all(np.isfinite(diff)))
            out[q] = {"extrapolation_max": float(diff.max()) if finite else math.inf,
                      "extrapolation_sq": float(np.sum(diff**2)) if finite else math.inf}
    return out


def linear_metrics(model: DiagonalRNN, loss: float, *, status: str | None = None,
                   teacher: DiagonalRNN | None = None,
                   extrapolation: dict | None = None) -> dict:
    """What a sweep row reports about a trained linear student besides its loss and its
    extrapolation errors: the effective dimension and the learned measure read as the flow
    report reads them (:func:`momentrnn.rnn.analysis.effective_dimension_keys`: undetermined
    for a run that ``status`` says diverged, or whose loss allows no rank decision), and,
    given the ``teacher``, the ``agreement`` of the learned measure with its measure
    (:func:`momentrnn.rnn.analysis.run_agreement`, with the largest error of
    ``extrapolation``, the rows' ``{q: {"extrapolation_max": ...}}``, at the longest ``q``)."""

    out: dict = {}
    b, c = model.b, model.c
    denom = float(np.linalg.norm(b + c))
    out["imbalance"] = float(np.linalg.norm(b - c) / denom) if denom > 0 else math.inf
    w = model.weights
    out["negative_mass"] = float(np.sum(np.maximum(-w, 0.0)))
    try:
        # double precision resolves singular values far below this tolerance (>= 1e-12 of
        # h_0's scale and 1e-15 rounding), and is 50x cheaper than the MP default
        eff = effective_dimension(model, tolerance=moment_accuracy(loss), precision=Float64())
        out.update(effective_dimension_keys(eff, status=status))
        out.pop("effective_dimension_evidence", None)  # a row keeps the singular values
        out["hankel_singular_values"] = [float(v) for v in eff.singular_values[:6]]
    except (InputError, ArithmeticError) as exc:
        eff = None
        out.update(effective_dimension_keys(None, status=status))
        if status != "diverged":
            out["effective_dimension_reason"] = f"no rank was read: {exc}"
    # the learned measure as the flow report writes it (learned_report: one function for
    # both), each key its learned_measure key with the prefix learned_, the agreement as
    # agreement: vouched text ("?" where no digit is vouched, "-0.4+0.12j" for a complex
    # atom), the vouched digits an integer where whole
    out["learned_atoms"], out["learned_weights"], out["learned_vouched_digits"] = [], [], 0
    learned = None
    if eff is not None and status != "diverged" and np.all(np.isfinite(model.a)):
        # the flow report's call (no cap on the atoms read): one learned_status for both
        learned = learned_measure(model, loss, effective=eff)
    agreement = None
    if teacher is not None:
        errors = extrapolation or {}
        q = max(errors) if errors else None
        agreement = run_agreement(
            learned, teacher.measure().sorted(), status=status, length=q,
            extrapolation_max=None if q is None else errors[q]["extrapolation_max"],
            extrapolation_rounding=None if q is None else extrapolation_rounding(
                model, teacher, q), loss=loss)
        out["agreement"] = agreement.to_dict()
    if learned is not None:
        shown = (learned_report(learned, agreement) if agreement is not None else
                 {k: v for k, v in learned.to_dict().items()
                  if not k.startswith("effective_dimension")})
        for key, value in shown.items():
            out[key if key == "agreement" else f"learned_{key}"] = value
    return out


def _row(run: dict, model: DiagonalRNN, teacher: DiagonalRNN, loss: float, lengths: list,
         status: str) -> SweepRow:
    errors = extrapolation_errors(model, teacher, lengths)
    # the flow report's names for the run's initialisation (``init``, ``init_scale``), with
    # its types and values, beside the run fields ``mode`` and ``scale`` that the run ids
    # are made of (kept as they are, so that a table resumes by them)
    named = {"init": run["mode"], "init_scale": float(run["scale"])}
    row = SweepRow(dict(run), float(loss), errors,
                   {**named, **linear_metrics(model, loss, status=status, teacher=teacher,
                                              extrapolation=errors)})
    row.status = status
    return row


def _own_curve(res, i: int, steps: int) -> list:
    """Run ``i``'s loss curve as a few ``[step, loss]`` points that depend on the run alone,
    not on its batch: the records before the step it stopped at (diverged or target reached;
    else the last step), every ``max(1, (n + 1) // 20)``-th of those ``n`` (19 to 38 of them
    when ``n >= 19``, all of them below), then that step with its frozen loss. A batch goes
    on recording after one run stops, and ends when its last run does, so its record steps
    are the batch's; the points taken from them are the run's own."""
    stop = int(res.diverged_at[i])
    if res.reached_at is not None and int(res.reached_at[i]) >= 0:
        stop = max(stop, int(res.reached_at[i]))
    stop = steps if stop < 0 else stop
    record_steps = [int(step) for step in res.record_steps]
    before = [j for j, step in enumerate(record_steps) if step < stop]
    at = next((j for j, step in enumerate(record_steps) if step >= stop), len(record_steps) - 1)
    points = [[record_steps[j], float(res.loss[j, i])] for j in before]
    points = points[:: max(1, (len(points) + 1) // 20)]
    return points + [[stop, float(res.loss[at, i])]]


def run_linear_group(params: dict, runs: list[dict]) -> list[SweepRow]:
    """Run linear runs that share (teacher, dim, k); one batched program for GD."""
    teacher = named_teacher(runs[0]["teacher"])
    dim, k = runs[0]["dim"], runs[0]["k"]
    if any((r["teacher"], r["dim"], r["k"]) != (runs[0]["teacher"], dim, k) for r in runs):
        raise InputError("a group must share teacher, dim and k")
    students = [init_student(dim, scale=r["scale"], mode=r["mode"], seed=r["seed"])
                for r in runs]
    rows = []
    start = time.perf_counter()
    if params["trainer"] == "gd":
        res = gradient_descent(students, teacher, k=k, lr=params["lr"], steps=params["steps"],
                               backend=params["backend"], device=params["device"],
                               until_loss=params["until_loss"])
        seconds = (time.perf_counter() - start) / len(runs)
        for i, r in enumerate(runs):
            row = _row(r, res.model(i), teacher, float(res.loss[-1, i]), params["lengths"],
                       res.status[i])
            row.diverged_step = int(res.diverged_at[i]) if res.diverged_at[i] >= 0 else None
            row.loss_curve = _own_curve(res, i, params["steps"])
            row.seconds = seconds
            rows.append(row)
        return rows
    for r, student in zip(runs, students):
        t0 = time.perf_counter()
        run = integrate_flow(student, teacher, k=k, until_loss=params["until_loss"],
                             max_steps=50_000)
        row = _row(r, run.final, teacher, run.final_loss, params["lengths"], run.status)
        row.diverged_step = None
        idx = np.unique(np.linspace(0, len(run.times) - 1, 20).round().astype(int))
        row.loss_curve = [[float(run.times[j]), float(run.loss[j])] for j in idx]
        row.seconds = time.perf_counter() - t0
        rows.append(row)
    return rows
