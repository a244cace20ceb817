"""``momentrnn sweep`` and ``momentrnn plot``."""

from __future__ import annotations

import argparse
import tomllib

from ..errors import InputError
from ._common import Command, positive_int


def _sweep_arguments(s: argparse.ArgumentParser) -> None:
    from ..experiments.families import FAMILIES

    s.add_argument("spec", nargs="?", help="TOML spec file (default: the linear defaults)")
    s.add_argument("--out", required=True, help="results file (JSONL)")
    s.add_argument("--family", choices=list(FAMILIES), help="start from these defaults")
    s.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a spec key with a TOML value, e.g. --set 'scales=[1e-3, 1]'")
    s.add_argument("--executor", default="inprocess",
                   choices=["inprocess", "processes", "dask"])
    s.add_argument("--workers", type=positive_int, help="processes (local executors)")
    s.add_argument("--scheduler", help="Dask scheduler address (default: a local cluster)")
    s.add_argument("--runs-per-task", type=positive_int,
                   help="runs per task for processes/dask")
    s.add_argument("--allow-mixed", action="store_true",
                   help="append to a results file made by another spec")
    s.add_argument("--quiet", action="store_true")


def _plot_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results")
    p.add_argument("--out", default="figures", help="output folder (default figures/)")
    p.add_argument("--format", default="png,svg", help="comma-separated: png, svg, pdf")


def _spec_dict(args) -> dict:
    from ..experiments.spec import read_spec_file

    raw: dict = read_spec_file(args.spec) if args.spec else {}
    if args.family:
        raw["family"] = args.family
    for item in args.set:
        if "=" not in item:
            raise InputError(f"--set {item!r}: write KEY=VALUE")
        key, value = item.split("=", 1)
        shown = item if len(item) <= 60 else f"{item[:50]}... ({len(item)} characters)"
        try:
            parsed = tomllib.loads(f"v = {value.strip()}")
        except (tomllib.TOMLDecodeError, ValueError):
            raise InputError(f"--set {shown!r}: the value is not a TOML value "
                             "(strings need quotes: --set 'cell=\"gru\"')") from None
        except RecursionError:
            raise InputError(f"--set {shown!r}: the value is nested too deeply") from None
        if set(parsed) != {"v"} or not key.strip():
            raise InputError(f"--set {shown!r}: write one KEY=VALUE per --set")
        raw[key.strip()] = parsed["v"]
    return raw


def run_sweep_cli(args: argparse.Namespace) -> int:
    from ..experiments import load_spec, run_sweep, scan_results, unique_rows

    spec = load_spec(_spec_dict(args))
    summary = run_sweep(spec, args.out, executor=args.executor, workers=args.workers,
                        scheduler=args.scheduler, runs_per_task=args.runs_per_task,
                        allow_mixed=args.allow_mixed, progress=not args.quiet)
    print(f"{summary.completed} runs done, {summary.skipped} already in {args.out}, "
          f"{summary.diverged} diverged; {summary.seconds:.1f} s "
          f"({summary.runs_per_second:.2f} runs/s, {summary.executor})")
    rows = [r for r in scan_results(args.out).rows if r.get("spec_digest") == spec.digest]
    rows, repeats = unique_rows(rows)
    if repeats:
        print(f"note: {args.out} holds {repeats} repeated row(s) of runs already counted; the "
              "table counts each run once")
    print("\n" + "\n".join(spec.sweep_family.table(rows)))
    return 0


def run_plot_cli(args: argparse.Namespace) -> int:
    from ..experiments.plots import plot_results

    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    paths = plot_results(args.results, args.out, formats=formats)
    for p in paths:
        print(p)
    return 0


COMMANDS = (
    Command(
        name="sweep",
        help="run a teacher-student sweep (linear or non-linear RNNs), resumably",
        description=(
            "Run the runs of a sweep spec (a TOML file, or the defaults changed with --set) "
            "that the results file does not hold yet, appending one JSON line per run. A killed "
            "sweep loses no completed row and resumes where it stopped."
        ),
        arguments=_sweep_arguments,
        run=run_sweep_cli,
    ),
    Command(
        name="plot",
        help="figures of a sweep's results",
        description="Write the figures of a results file (PNG and SVG).",
        arguments=_plot_arguments,
        run=run_plot_cli,
    ),
)
