"""The measured phase diagram of R13: where small initialisation extrapolates and where not.

``python benchmarks/bench_r13_phase.py run --csv FILE`` integrates the gradient flow
(``integrate_flow``, method ``'auto'``: LSODA with the analytic Jacobian at these sizes) over
the grid below and appends one CSV row per run as it finishes; run again with the same file,
it skips the rows already there (a killed run loses nothing). ``summary --csv FILE`` prints
the per-cell markdown table; ``mechanism`` prints the seed-0 counterexample's numbers (the
negative weight against sigma, the |b - c| of the unit that turns negative along the flow);
``compact --sigma S`` one row per teacher and k at one sigma; ``tighten`` the second pass
(the runs with error > 0.05 continued to loss 1e-16, into ``--tight-csv``).

Grid (``--quick`` shrinks it to a smoke test):

- teachers: ``delta_1`` (:math:`\\delta_1`, ``long_memory``: an atom at 1),
  ``delta_1/2`` (:math:`\\delta_{1/2}`, ``decaying``: interior), ``two_interior``
  (:math:`\\delta_{0.9} + \\delta_{-0.5}`, ``two_pole``) and ``two_one_end``
  (:math:`\\delta_1 + \\delta_{-0.5}`: one atom at 1);
- k - 2 d_hat in {1, 2, 3, 5} (d_hat the number of teacher atoms);
- initialisation ``random`` (every parameter N(0, sigma^2)) and ``balanced`` (b = c);
- student dimension d in {4, 20}; sigma in {1e-2, 1e-3, 1e-4}; seeds 0..9.

Each run stops at the first of: loss <= LOSS_TARGET (``until_loss``), flow time T_MAX,
MAX_STEPS integrator steps, or WALL_CAP seconds of wall time (counted through the progress
callback); the ``stop`` column says which. Measured per run: the max extrapolation error
over LENGTH lags, the negative mass (sum of |b_i c_i| over the units with b_i c_i < 0), the
atom overshoot (max_i a_i - 1, and max_i a_i minus the teacher's top atom), the Hankel
numerical rank of the trained response at the accuracy its loss allows
(``effective_dimension(model, tolerance=moment_accuracy(loss))``) and the loss reached.
The rows run in order of priority (``grid``), so a run cut short holds the most informative
part.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import statistics
import sys
import time

import numpy as np

from momentrnn import (
    DiscreteMeasure,
    effective_dimension,
    extrapolation_error,
    init_student,
    integrate_flow,
    moment_accuracy,
    named_teacher,
    teacher_from_measure,
)

TEACHERS = {  # name: (atoms, weights)
    "delta_1": ([1.0], [1.0]),
    "delta_1/2": ([0.5], [1.0]),
    "two_interior": ([0.9, -0.5], [1.0, 1.0]),
    "two_one_end": ([1.0, -0.5], [1.0, 1.0]),
}
GAPS = (1, 2, 3, 5)            # k - 2 d_hat
INITS = ("random", "balanced")
DIMS = (4, 20)
SIGMAS = (1e-3, 1e-2, 1e-4)    # sigma = 1e-3 first
SEEDS = tuple(range(10))
LOSS_TARGET = 1e-12
T_MAX = 1e9
MAX_STEPS = 200_000
WALL_CAP = 60.0                # seconds per run
LENGTH = 1000                  # extrapolation horizon
BAD = 0.05                     # "fails to extrapolate": max error over LENGTH lags above this

FIELDS = ["teacher", "at_one", "d_hat", "gap", "k", "init", "dim", "sigma", "seed", "status",
          "stop", "final_loss", "t_final", "steps", "wall_s", "max_error", "negative_mass",
          "min_weight", "overshoot", "overshoot_top", "rank"]


def teacher(name: str):
    atoms, weights = TEACHERS[name]
    return teacher_from_measure(DiscreteMeasure(atoms, weights))


class _WallCap(Exception):
    pass


def one_run(name: str, gap: int, init: str, dim: int, sigma: float, seed: int) -> dict:
    """One flow and its measurements, as a CSV row."""
    atoms = TEACHERS[name][0]
    d_hat = len(atoms)
    k = 2 * d_hat + gap
    row = {"teacher": name, "at_one": int(max(atoms) == 1.0), "d_hat": d_hat, "gap": gap,
           "k": k, "init": init, "dim": dim, "sigma": sigma, "seed": seed}
    tea = teacher(name)
    student = init_student(dim, scale=sigma, mode=init, seed=seed)
    start = time.perf_counter()

    def cap(_t: float, _loss: float) -> None:
        if time.perf_counter() - start > WALL_CAP:
            raise _WallCap

    try:
        run = integrate_flow(student, tea, k=k, until_loss=LOSS_TARGET, t_max=T_MAX,
                             max_steps=MAX_STEPS, progress=cap)
    except _WallCap:
        row.update(status="wall_cap", stop="wall", wall_s=f"{time.perf_counter() - start:.3f}")
        return row
    wall = time.perf_counter() - start
    model, loss = run.final, float(run.final_loss)
    stop = {"converged": "loss", "max_steps": "max_steps"}.get(run.status, run.status)
    if run.status not in ("converged", "max_steps") and run.times[-1] >= T_MAX * (1 - 1e-9):
        stop = "t_max"
    w = np.asarray(model.b) * np.asarray(model.c)
    a = np.asarray(model.a)
    row.update(status=run.status, stop=stop, final_loss=f"{loss:.6e}",
               t_final=f"{float(run.times[-1]):.6e}", steps=run.steps, wall_s=f"{wall:.3f}")
    if math.isfinite(loss) and np.all(np.isfinite(a)):
        rank = effective_dimension(model, tolerance=moment_accuracy(loss)).rank
        row.update(max_error=f"{extrapolation_error(model, tea, length=LENGTH)[1]:.6e}",
                   negative_mass=f"{float(np.sum(np.maximum(-w, 0.0))):.6e}",
                   min_weight=f"{float(w.min()):.6e}",
                   overshoot=f"{float(a.max()) - 1.0:.6e}",
                   overshoot_top=f"{float(a.max()) - max(atoms):.6e}", rank=rank)
    return row


TIGHT_TARGET = 1e-16              # the second pass: failing runs continued to this loss
TIGHT_TOLERANCES = (1e-10, 1e-15)  # rtol, atol of the continuation
TIGHT_FIELDS = ["teacher", "gap", "init", "dim", "sigma", "seed", "max_error", "status",
                "stop", "final_loss", "t_final", "wall_s", "max_error_tight",
                "negative_mass_tight", "overshoot_tight", "rank_tight"]


def tighten_one(name: str, gap: int, init: str, dim: int, sigma: float, seed: int) -> dict:
    """The same flow to LOSS_TARGET, then continued from its end to TIGHT_TARGET at tighter
    tolerances: an error that stays is the limit's (a signed measure), one that shrinks was
    limited by the loss target."""
    atoms = TEACHERS[name][0]
    k = 2 * len(atoms) + gap
    tea = teacher(name)
    first = integrate_flow(init_student(dim, scale=sigma, mode=init, seed=seed), tea, k=k,
                           until_loss=LOSS_TARGET, t_max=T_MAX, max_steps=MAX_STEPS)
    row = {"teacher": name, "gap": gap, "init": init, "dim": dim, "sigma": sigma, "seed": seed,
           "max_error": f"{extrapolation_error(first.final, tea, length=LENGTH)[1]:.6e}"}
    start = time.perf_counter()

    def cap(_t: float, _loss: float) -> None:
        if time.perf_counter() - start > WALL_CAP:
            raise _WallCap

    try:
        run = integrate_flow(first.final, tea, k=k, until_loss=TIGHT_TARGET, t_max=T_MAX,
                             rtol=TIGHT_TOLERANCES[0], atol=TIGHT_TOLERANCES[1],
                             max_steps=MAX_STEPS, progress=cap)
    except _WallCap:
        row.update(status="wall_cap", stop="wall", wall_s=f"{time.perf_counter() - start:.3f}")
        return row
    m, loss = run.final, float(run.final_loss)
    w = np.asarray(m.b) * np.asarray(m.c)
    stop = {"converged": "loss", "max_steps": "max_steps"}.get(run.status, run.status)
    row.update(status=run.status, stop=stop, final_loss=f"{loss:.6e}",
               t_final=f"{float(first.times[-1]) + float(run.times[-1]):.6e}",
               wall_s=f"{time.perf_counter() - start:.3f}")
    if math.isfinite(loss) and np.all(np.isfinite(m.a)):
        row.update(max_error_tight=f"{extrapolation_error(m, tea, length=LENGTH)[1]:.6e}",
                   negative_mass_tight=f"{float(np.sum(np.maximum(-w, 0.0))):.6e}",
                   overshoot_tight=f"{float(np.max(m.a)) - 1.0:.6e}",
                   rank_tight=effective_dimension(m, tolerance=moment_accuracy(loss)).rank)
    return row


def tighten(path: str, out: str, only: dict | None = None) -> None:
    """The second pass over the runs of ``path`` with error > BAD (sigma = 1e-3 first);
    ``only`` as for :func:`grid`."""
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if not (_f(r, "max_error") <= BAD)
                and _selected(_key(r), only)]
    rows.sort(key=lambda r: (float(r["sigma"]) != 1e-3, _key(r)))
    done = set()
    if os.path.exists(out):
        with open(out, newline="") as f:
            done = {_key(r) for r in csv.DictReader(f)}
    new = not os.path.exists(out) or os.path.getsize(out) == 0
    with open(out, "a", newline="") as f:
        writer = csv.DictWriter(f, TIGHT_FIELDS)
        if new:
            writer.writeheader()
        for r in rows:
            if _key(r) in done:
                continue
            row = tighten_one(*_key(r))
            writer.writerow(row)
            f.flush()
            os.fsync(f.fileno())
            print(",".join(str(row.get(k, "")) for k in TIGHT_FIELDS), flush=True)


def _selected(params: tuple, only: dict | None) -> bool:
    """Whether the run ``(teacher, gap, init, dim, sigma, seed)`` is in the subset ``only``
    (``{"teacher": ..., "init": ...}``, None entries not restricting)."""
    return not only or all(v is None or params[i] == v
                           for i, v in ((0, only.get("teacher")), (2, only.get("init"))))


def grid(quick: bool, only: dict | None = None):
    """The runs in order of priority, so that a run cut short holds the most informative
    part: sigma = 1e-3 over both one-atom teachers; the sigma axis on the cells of the atom at
    1 with k - 2d_hat in {1, 2} (where sigma = 1e-3 fails), then on the interior atom at
    k - 2d_hat = 1; the two-atom teachers at sigma = 1e-3; everything else last. ``only``
    (``--teacher``, ``--init``) keeps the runs of one teacher and/or one init."""
    seeds = SEEDS[:2] if quick else SEEDS
    one = ("delta_1", "delta_1/2")
    tiers = [(one, GAPS, (1e-3,)), (("delta_1",), (1, 2), (1e-2, 1e-4)),
             (("delta_1/2",), (1,), (1e-2, 1e-4)), (tuple(TEACHERS), GAPS, (1e-3,)),
             (tuple(TEACHERS), GAPS, SIGMAS)]
    if quick:
        tiers = tiers[:1]
    seen = set()
    for names, gaps, sigmas in tiers:
        for sigma in sigmas:
            for name in names:
                for gap in gaps:
                    for init in INITS:
                        for dim in DIMS:
                            for seed in seeds:
                                params = (name, gap, init, dim, sigma, seed)
                                if params not in seen and _selected(params, only):
                                    seen.add(params)
                                    yield params


def _key(row) -> tuple:
    return (row["teacher"], int(row["gap"]), row["init"], int(row["dim"]),
            float(row["sigma"]), int(row["seed"]))


def run(path: str, quick: bool, only: dict | None = None) -> None:
    done = set()
    if os.path.exists(path):
        with open(path, newline="") as f:
            done = {_key(r) for r in csv.DictReader(f)}
    new = not os.path.exists(path) or os.path.getsize(path) == 0
    with open(path, "a", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        if new:
            writer.writeheader()
        for params in grid(quick, only):
            if params in done:
                continue
            row = one_run(*params)
            writer.writerow(row)
            f.flush()
            os.fsync(f.fileno())
            print(",".join(str(row.get(k, "")) for k in FIELDS), flush=True)


def _median(xs):
    xs = [x for x in xs if x == x]
    return statistics.median(xs) if xs else math.nan


def _f(row, key) -> float:
    v = row.get(key, "")
    return float(v) if v not in ("", None) else math.nan


SIGNED = 1e-5  # negative mass above this at loss <= 1e-12: a signed measure, not a residue


def _tight_text(failing: list, tight: dict) -> str:
    """Of the failing runs: how many still fail at loss TIGHT_TARGET (reached), and how many
    are undecided (the second pass stopped above the target with the error still > BAD, or
    was not run on them)."""
    persist = undecided = 0
    for r in failing:
        t = tight.get(_key(r))
        if t is None:
            undecided += 1
        elif t["stop"] == "loss":
            persist += not (_f(t, "max_error_tight") <= BAD)
        else:
            undecided += not (_f(t, "max_error_tight") <= BAD)
    return f"{persist}" + (f" + {undecided} undecided" if undecided else "")


def summary(path: str, tight_path: str | None = None) -> str:
    """The per-cell table of ``path``; with the second pass's file, the failing runs that
    still fail at loss TIGHT_TARGET."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    tight = {}
    if tight_path and os.path.exists(tight_path):
        with open(tight_path, newline="") as f:
            tight = {_key(r): r for r in csv.DictReader(f)}
    cells: dict[tuple, list] = {}
    for r in rows:
        cells.setdefault((r["teacher"], int(r["gap"]), r["init"], int(r["dim"]),
                          float(r["sigma"])), []).append(r)
    order = list(TEACHERS)
    out = ["| teacher | k - 2d_hat (k) | init | d | sigma | seeds | error > 0.05 | "
           "median error | median negative mass | signed (neg. mass > 1e-5) | "
           "median overshoot (max a - 1) | median rank | reached loss | "
           "still > 0.05 at loss 1e-16 (of the failing) | median wall (s) |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for key in sorted(cells, key=lambda c: (order.index(c[0]), c[1], c[2], c[3], -c[4])):
        rs = cells[key]
        errs = [_f(r, "max_error") for r in rs]
        # a run without a measured error (wall cap) counts as failing: nothing says it did not
        failing = [r for r, e in zip(rs, errs) if not (e <= BAD)]
        reached = sum(1 for r in rs if r["stop"] == "loss")
        signed = sum(1 for r in rs if _f(r, "negative_mass") > SIGNED)
        tight_cell = _tight_text(failing, tight) if failing else "-"
        name, gap, init, dim, sigma = key
        k = int(rs[0]["k"])
        out.append(f"| {name} | {gap} ({k}) | {init} | {dim} | {sigma:g} | {len(rs)} | "
                   f"{len(failing)}/{len(rs)} | {_median(errs):.3g} | "
                   f"{_median([_f(r, 'negative_mass') for r in rs]):.2g} | {signed}/{len(rs)} | "
                   f"{_median([_f(r, 'overshoot') for r in rs]):.3g} | "
                   f"{_median([_f(r, 'rank') for r in rs]):g} | {reached}/{len(rs)} | "
                   f"{tight_cell} | {_median([_f(r, 'wall_s') for r in rs]):.2f} |")
    walls = [_f(r, "wall_s") for r in rows]
    out.append("")
    out.append(f"{len(rows)} runs, {sum(w for w in walls if w == w):.0f} s of integration "
               f"wall time in all; stops: " + ", ".join(
                   f"{s}: {sum(1 for r in rows if r['stop'] == s)}"
                   for s in sorted({r['stop'] for r in rows})))
    if tight:
        tw = [_f(r, "wall_s") for r in tight.values()]
        out.append(f"second pass: {len(tight)} runs continued to loss {TIGHT_TARGET:g}, "
                   f"{sum(w for w in tw if w == w):.0f} s; stops: " + ", ".join(
                       f"{s}: {sum(1 for r in tight.values() if r['stop'] == s)}"
                       for s in sorted({r['stop'] for r in tight.values()})))
    return "\n".join(out)


def compact(path: str, tight_path: str | None, sigma: float) -> str:
    """One row per teacher and k at one sigma: per (init, d), the seeds with error > 0.05 and,
    in brackets, how many of them still have it at loss TIGHT_TARGET (and how many the second
    pass left undecided)."""
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if float(r["sigma"]) == sigma]
    tight = {}
    if tight_path and os.path.exists(tight_path):
        with open(tight_path, newline="") as f:
            tight = {_key(r): r for r in csv.DictReader(f)}
    combos = [(init, dim) for init in INITS[::-1] for dim in DIMS]
    out = ["| teacher | k - 2d_hat (k) | " + " | ".join(f"{i}, d = {d}" for i, d in combos)
           + " |", "|---|---|" + "---|" * len(combos)]
    for name in TEACHERS:
        for gap in GAPS:
            cells = []
            for init, dim in combos:
                rs = [r for r in rows if (r["teacher"], int(r["gap"]), r["init"],
                                          int(r["dim"])) == (name, gap, init, dim)]
                if not rs:
                    cells.append("not run")
                    continue
                failing = [r for r in rs if not (_f(r, "max_error") <= BAD)]
                text = f"{len(failing)}/{len(rs)}"
                if failing:
                    text += f" ({_tight_text(failing, tight)})"
                cells.append(text)
            if all(c == "not run" for c in cells):
                continue
            k = 2 * len(TEACHERS[name][0]) + gap
            out.append(f"| {name} | {gap} ({k}) | " + " | ".join(cells) + " |")
    return "\n".join(out)


def mechanism() -> str:
    """The seed-0 counterexample (delta_1, k = 3, random init, d = 4)."""
    tea = named_teacher("long_memory")
    lines = ["| sigma | min weight | negative mass | top atom | max error (1000 lags) | "
             "rank | final loss | flow time | wall (s) |", "|---|---|---|---|---|---|---|---|---|"]
    sig, neg = [], []
    for sigma in (1e-2, 1e-3, 1e-4):
        t0 = time.perf_counter()
        r = integrate_flow(init_student(4, scale=sigma, seed=0), tea, k=3,
                           until_loss=LOSS_TARGET, max_steps=MAX_STEPS)
        wall = time.perf_counter() - t0
        m = r.final
        w = m.b * m.c
        nm = float(np.sum(np.maximum(-w, 0)))
        sig.append(sigma)
        neg.append(nm)
        rank = effective_dimension(m, tolerance=moment_accuracy(r.final_loss)).rank
        lines.append(f"| {sigma:g} | {w.min():.3g} | {nm:.3g} | {m.a.max():.6f} | "
                     f"{extrapolation_error(m, tea, length=LENGTH)[1]:.3g} | {rank} | "
                     f"{r.final_loss:.2g} | {r.times[-1]:.3g} | {wall:.2f} |")
    slope = np.polyfit(np.log10(sig), np.log10(neg), 1)[0]
    lines.append("")
    lines.append(f"least-squares slope of log10(negative mass) against log10(sigma): "
                 f"{slope:.3f}")
    lines.append("")
    # the unit that ends with a negative weight, along the flow (sigma = 1e-3)
    s0 = init_student(4, scale=1e-3, seed=0)
    end = integrate_flow(s0, tea, k=3, t_max=7.5e4, max_steps=MAX_STEPS).final
    unit = int(np.argmin(end.b * end.c))
    lines.append(f"sigma = 1e-3, unit {unit} (the one whose weight ends negative); flow "
                 "integrated from t = 0 to each time (LSODA, no loss target):")
    lines.append("")
    lines.append("| t | a_i | b_i c_i | abs(b_i - c_i) | abs(b_i + c_i) | loss |")
    lines.append("|---|---|---|---|---|---|")
    for t in (10.0, 1e2, 1e3, 3e3, 1e4, 3e4, 7.5e4):
        r = integrate_flow(s0, tea, k=3, t_max=t, max_steps=MAX_STEPS)
        m = r.final
        lines.append(f"| {t:g} | {m.a[unit]:.6f} | {m.b[unit] * m.c[unit]:.3g} | "
                     f"{abs(m.b[unit] - m.c[unit]):.3g} | {abs(m.b[unit] + m.c[unit]):.3g} | "
                     f"{r.final_loss:.2g} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=("run", "summary", "compact", "tighten", "mechanism"))
    p.add_argument("--sigma", type=float, default=1e-3)
    p.add_argument("--csv", default="r13_phase.csv")
    p.add_argument("--tight-csv", default="r13_phase_tight.csv")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--teacher", choices=tuple(TEACHERS), default=None,
                   help="run (and tighten) only this teacher's runs (default: all)")
    p.add_argument("--init", choices=INITS, default=None,
                   help="run (and tighten) only this init's runs (default: both)")
    args = p.parse_args(argv)
    only = {"teacher": args.teacher, "init": args.init}
    if args.mode == "run":
        run(args.csv, args.quick, only)
    elif args.mode == "tighten":
        tighten(args.csv, args.tight_csv, only)
    elif args.mode == "summary":
        print(summary(args.csv, args.tight_csv))
    elif args.mode == "compact":
        print(compact(args.csv, args.tight_csv, args.sigma))
    else:
        print(mechanism())
    sys.stdout.flush()


if __name__ == "__main__":
    main()
