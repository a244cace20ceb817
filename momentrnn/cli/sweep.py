"""``momentrnn sweep`` and ``momentrnn plot``."""

from __future__ import annotations

import argparse
import tomllib

from .._output import json_text
from .._schema import SweepSpec, cli_options, document
from ..errors import InputError
from ._common import Command, UsageError, positive_int


def _sweep_arguments(s: argparse.ArgumentParser) -> None:
    from ..experiments.families import FAMILIES

    s.add_argument("spec", nargs="?", help="TOML spec file (default: the linear defaults; "
                   "--print-spec writes one to start from)")
    s.add_argument("--out", help="results file (JSONL); required unless --print-spec")
    s.add_argument("--family", choices=list(FAMILIES), help="start from these defaults "
                   "(default: the spec's family, else linear)")
    s.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a spec key with a TOML value, e.g. --set 'scales=[1e-3, 1]'")
    s.add_argument("--print-spec", action="store_true",
                   help="print the spec that would run (the defaults with the spec file, "
                   "--family and --set applied) as TOML, and exit without running")
    s.add_argument("--executor", default="inprocess",
                   choices=["inprocess", "processes", "dask"],
                   help="where the runs run: batched in this process, in local processes, or "
                   "on a Dask cluster (the dask extra)")
    s.add_argument("--workers", type=positive_int, help="processes (local executors; default: "
                   "the CPU count for processes, 2 for a local Dask cluster)")
    s.add_argument("--scheduler", help="Dask scheduler address (default: a local cluster)")
    s.add_argument("--runs-per-task", type=positive_int,
                   help="runs per task for processes/dask (default: 8)")
    s.add_argument("--allow-mixed", action="store_true",
                   help="append to a results file made by another spec")
    s.add_argument("--quiet", action="store_true", help="no progress display")
    s.add_argument("--format", default="table", choices=["table", "json"],
                   help="print the summary table, or the spec's rows and what the call did as "
                   "JSON")
    s.epilog = _exit_text() + "\n\n" + _spec_keys_text()


#: the exit statuses of ``momentrnn sweep`` (its ``--help`` and the experiments guide)
SWEEP_EXIT_STATUSES = (
    (0, "the sweep ran: every run of the spec is in the results file, now or from before "
        "(also --print-spec). A run that diverged or stopped above its loss target is a "
        "result, not an error: the summary line counts the runs that diverged (all of them, "
        "if all did) and the table's status column how each ended"),
    (1, "a computation could not reach the accuracy it needs and stopped the sweep (the "
        "rows written before it are kept)"),
    (2, "bad spec, option or results file, or a results file that another sweep is "
        "writing (the message names the key and the fix): nothing was run"),
    (3, "an error: a run or worker that failed, a results file that could not be written; "
        "the rows written are kept and the same command resumes"),
    (4, "an optional dependency that the spec or options need (torch, dask) is missing: "
        "checked before any run"),
    (130, "interrupted (Ctrl-C or SIGTERM): the completed rows are kept and the same command "
          "resumes"),
)


def _exit_text() -> str:
    """The sweep's exit statuses, for ``sweep --help``."""
    import textwrap

    return "exit status:\n" + "\n".join(
        textwrap.fill(text, 78, initial_indent=f"  {code:<4} ", subsequent_indent=" " * 7)
        for code, text in SWEEP_EXIT_STATUSES)


def _spec_keys_text() -> str:
    """The keys of each family's spec with their defaults, for ``sweep --help``."""
    import textwrap

    from ..experiments.families import FAMILIES

    lines = ["spec keys (a TOML file or --set KEY=VALUE; the defaults shown):"]
    for name, family in FAMILIES.items():
        lines.append(f"  family = {_toml_value(name)}"
                     + (f": {family.description}" if family.description else ""))
        for key, value in family.defaults.items():
            shown = _toml_value(value) if value is not None else "(not set)"
            lines.extend(textwrap.wrap(f"{key} = {shown}", 76, initial_indent="    ",
                                       subsequent_indent="        "))
    return "\n".join(lines)


def _toml_value(value) -> str:
    """A spec value as TOML (strings, numbers, booleans and lists of them)."""
    import json
    import math

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string: the same escapes
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise InputError(f"the spec value {value!r} has no TOML form")


def _plot_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", help="results file (JSONL) of a sweep")
    p.add_argument("--out", default="figures", help="output folder")
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


def _print_spec(spec, raw: dict) -> None:
    """The spec as a TOML file that ``sweep`` reads back: every key of its family, as given
    or by default (a key that is not set is a comment)."""
    family = spec.sweep_family
    print(f"# momentrnn sweep spec ({spec.family} family, {len(spec.runs)} runs)")
    for key, value in {"family": family.name, **family.defaults, **raw}.items():
        if value is None:
            print(f"# {key} is not set (its default)")
        else:
            print(f"{key} = {_toml_value(value)}")


def _sweep_requires(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The optional modules the sweep needs, checked before any run: dask.distributed for
    the dask executor, torch for torch-backed families and backends."""
    if args.print_spec:
        return []
    if not args.out:
        raise UsageError("the following arguments are required: --out (or --print-spec)")
    from ..experiments import load_spec

    spec = load_spec(_spec_dict(args))
    needs = []
    if args.executor == "dask":
        needs.append(("distributed", "--executor dask"))
    if spec.family == "nonlinear":
        needs.append(("torch", "a nonlinear sweep"))
    elif spec.params.get("backend") == "torch" and spec.params.get("trainer") == "gd":
        needs.append(("torch", "backend = \"torch\""))
    return needs


def run_sweep_cli(args: argparse.Namespace) -> int:
    from ..experiments import load_spec, run_sweep, scan_results, unique_rows

    raw = _spec_dict(args)
    spec = load_spec(raw)
    if args.print_spec and args.format == "json":
        family = spec.sweep_family
        keys = {"family": family.name, **family.defaults, **raw}
        print(json_text(document("sweep_spec", SweepSpec(spec.family, len(spec.runs), keys)
                                 .to_dict(), cli_options(args)), indent=2))
        return 0
    if args.print_spec:
        _print_spec(spec, raw)
        return 0
    if not args.out:
        raise UsageError("the following arguments are required: --out (or --print-spec)")
    summary = run_sweep(spec, args.out, executor=args.executor, workers=args.workers,
                        scheduler=args.scheduler, runs_per_task=args.runs_per_task,
                        allow_mixed=args.allow_mixed, progress=not args.quiet)
    rows = [r for r in scan_results(args.out).rows if r.get("spec_digest") == spec.digest]
    rows, repeats = unique_rows(rows)
    if args.format == "json":
        from ..experiments import SweepResults

        print(json_text(document("sweep", SweepResults(rows, summary).to_dict(),
                                 cli_options(args)), indent=2))
        return 0
    # the diverged count is of every run in the table (a resumed sweep's rows included),
    # and this invocation's share of it is said apart
    diverged = sum(1 for r in rows if r.get("status") == "diverged")
    print(f"{summary.completed} runs done, {summary.skipped} already in {args.out}; "
          f"{diverged} of the {len(rows)} runs in the table diverged ({summary.diverged} of "
          f"those done now); {summary.seconds:.1f} s "
          f"({summary.runs_per_second:.2f} runs/s, {summary.executor})")
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
            "sweep loses no completed row and resumes where it stopped. --print-spec prints "
            "the spec as a TOML file to start from."
        ),
        arguments=_sweep_arguments,
        run=run_sweep_cli,
        requires=_sweep_requires,
    ),
    Command(
        name="plot",
        help="figures of a sweep's results",
        description="Write the figures of a results file (PNG and SVG).",
        arguments=_plot_arguments,
        run=run_plot_cli,
        requires=lambda args: [("matplotlib", "momentrnn plot")],
    ),
)
