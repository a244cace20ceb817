"""``momentrnn sweep`` and ``momentrnn plot``."""

from __future__ import annotations

import argparse
import tomllib
from collections import defaultdict

import numpy as np

from .errors import InputError


def add_parsers(sub) -> None:
    s = sub.add_parser(
        "sweep",
        help="run a teacher-student sweep (linear or non-linear RNNs), resumably",
        description=(
            "Run the runs of a sweep spec (a TOML file, or the defaults changed with --set) "
            "that the results file does not hold yet, appending one JSON line per run. A killed "
            "sweep loses no completed row and resumes where it stopped."
        ),
    )
    s.add_argument("spec", nargs="?", help="TOML spec file (default: the linear defaults)")
    s.add_argument("--out", required=True, help="results file (JSONL)")
    s.add_argument("--family", choices=["linear", "nonlinear"], help="start from these defaults")
    s.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a spec key with a TOML value, e.g. --set 'scales=[1e-3, 1]'")
    s.add_argument("--executor", default="inprocess",
                   choices=["inprocess", "processes", "dask"])
    s.add_argument("--workers", type=int, help="processes (local executors)")
    s.add_argument("--scheduler", help="Dask scheduler address (default: a local cluster)")
    s.add_argument("--runs-per-task", type=int, help="runs per task for processes/dask")
    s.add_argument("--allow-mixed", action="store_true",
                   help="append to a results file made by another spec")
    s.add_argument("--quiet", action="store_true")
    p = sub.add_parser("plot", help="figures of a sweep's results",
                       description="Write the figures of a results file (PNG and SVG).")
    p.add_argument("results")
    p.add_argument("--out", default="figures", help="output folder (default figures/)")
    p.add_argument("--format", default="png,svg", help="comma-separated: png, svg, pdf")


def _spec_dict(args) -> dict:
    from .experiments.spec import read_spec_file

    raw: dict = read_spec_file(args.spec) if args.spec else {}
    if args.family:
        raw["family"] = args.family
    for item in args.set:
        if "=" not in item:
            raise InputError(f"--set {item!r}: write KEY=VALUE")
        key, value = item.split("=", 1)
        try:
            raw[key.strip()] = tomllib.loads(f"v = {value.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            raise InputError(f"--set {item!r}: the value is not a TOML value "
                             "(strings need quotes: --set 'cell=\"gru\"')") from None
    return raw


def run_sweep_cli(args: argparse.Namespace) -> int:
    from .experiments import load_spec, read_results, run_sweep

    spec = load_spec(_spec_dict(args))
    summary = run_sweep(spec, args.out, executor=args.executor, workers=args.workers,
                        scheduler=args.scheduler, runs_per_task=args.runs_per_task,
                        allow_mixed=args.allow_mixed, progress=not args.quiet)
    print(f"{summary.completed} runs done, {summary.skipped} already in {args.out}, "
          f"{summary.diverged} diverged; {summary.seconds:.1f} s "
          f"({summary.runs_per_second:.2f} runs/s, {summary.executor})")
    rows = [r for r in read_results(args.out) if r.get("spec_digest") == spec.digest]
    _summary_table(rows, spec.family)
    return 0


def _summary_table(rows: list[dict], family: str) -> None:
    groups: dict = defaultdict(list)
    if family == "linear":
        q = max(int(k.split("_")[-1]) for k in rows[0] if k.startswith("extrapolation_max_"))
        for r in rows:
            groups[(r["teacher"], r["mode"], r["scale"])].append(r)
        print(f"\n| teacher | init | scale | runs | median extrapolation error (max, q={q}) | "
              "median effective dimension | diverged |")
        print("|---|---|---|---|---|---|---|")
        for (t, m, s), rs in sorted(groups.items()):
            err = np.median([r[f"extrapolation_max_{q}"] for r in rs])
            dims = [r["effective_dimension"] for r in rs if r["effective_dimension"] is not None]
            dim = np.median(dims) if dims else float("nan")
            div = sum(r["status"] == "diverged" for r in rs)
            print(f"| {t} | {m} | {s:g} | {len(rs)} | {err:.3g} | {dim:g} | {div} |")
        return
    q = max(int(k.split("_")[-1]) for k in rows[0] if k.startswith("extrapolation_rel_mse_"))
    for r in rows:
        groups[(r["cell"], r["teacher_dim"], r["dim"], r["scale"])].append(r)
    print(f"\n| cell | teacher dim | student dim | scale | runs | median rel. MSE (length {q}) |"
          f" median state rank (thresholds {rows[0]['thresholds']}) | diverged |")
    print("|---|---|---|---|---|---|---|---|")
    for (c, td, d, s), rs in sorted(groups.items()):
        err = np.median([r[f"extrapolation_rel_mse_{q}"] for r in rs])
        ranks = np.median([r[f"state_rank_{q}"] for r in rs], axis=0)
        div = sum(r["status"] == "diverged" for r in rs)
        print(f"| {c} | {td} | {d} | {s:g} | {len(rs)} | {err:.3g} | "
              f"{', '.join(f'{v:g}' for v in ranks)} | {div} |")


def run_plot_cli(args: argparse.Namespace) -> int:
    from .experiments.plots import plot_results

    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    paths = plot_results(args.results, args.out, formats=formats)
    for p in paths:
        print(p)
    return 0
