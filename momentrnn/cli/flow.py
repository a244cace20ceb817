"""``momentrnn flow``: train a student on a teacher and report what it learned."""

from __future__ import annotations

import argparse
import math

import numpy as np

from .._output import check_writable, json_text, restore_non_finite, write_output
from .._progress import ProgressLine
from .._schema import cli_options, document, number_value
from ..dynamics import flow_methods, gradient_descent, integrate_flow
from ..dynamics.flow import check_extrapolation_length
from ..dynamics.integrators import INTEGRATORS
from ..dynamics.trajectory import FlowReport
from ..errors import InputError, MissingDependencyError
from ..moments import DiscreteMeasure, parse_number_text
from ..rnn import init_student, learned_measure, named_teacher, teacher_from_measure
from ..rnn.analysis import extrapolation_rounding, learned_report, run_agreement
from ..rnn.teachers import NAMED_TEACHERS
from ._common import Command, positive_int


def _methods() -> list[str]:
    """The registered flow integrators that run without a precision (which the command does
    not take)."""

    return [m for m in flow_methods() if m == "auto" or not INTEGRATORS[m].needs_precision]


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--teacher", help="named teacher: long_memory, decaying, oscillating, "
                   "two_pole, several, negative_weight (or give --teacher-atoms and "
                   "--teacher-weights)")
    p.add_argument("--teacher-atoms", help="comma-separated teacher atoms, e.g. 0.9,-0.5")
    p.add_argument("--teacher-weights", help="comma-separated teacher weights, e.g. 1,1")
    p.add_argument("--dim", type=positive_int, default=40, help="student state dimension")
    p.add_argument("--k", type=positive_int, default=5, help="number of lags fitted")
    p.add_argument("--init-scale", type=float, default=1e-3,
                   help="initialisation scale (standard deviation of the random parameters)")
    p.add_argument("--init", default="random", help="initialisation: random, balanced, "
                   "unbalanced, zero_output or grid")
    p.add_argument("--seed", type=int, default=0, help="seed of the random initialisation")
    p.add_argument("--gd", action="store_true", help="gradient descent instead of the flow")
    p.add_argument("--lr", type=float, default=0.01, help="GD step size")
    p.add_argument("--steps", type=positive_int, default=100_000, help="GD steps at most")
    p.add_argument("--backend", default="numpy", choices=["numpy", "torch"],
                   help="GD backend (torch needs the torch extra)")
    p.add_argument("--method", default="auto", choices=_methods(),
                   help="flow integrator; auto is LSODA with the analytic Jacobian up to 200 "
                   "parameters, RODAS4 above")
    p.add_argument("--rtol", type=float, default=3e-7,
                   help="relative local error tolerance of the flow integrator")
    p.add_argument("--until-loss", type=float, default=1e-10,
                   help="stop once the training loss is at or below this")
    p.add_argument("--t-max", type=float, default=None,
                   help="stop at this flow time (default: none given; the scipy methods, "
                   "auto's LSODA among them, then stop at flow time 1e12 and RODAS4 at its "
                   "step limit, and a run stopped there above --until-loss has not ended as "
                   "asked: status stalled or max_steps, exit 1)")
    p.add_argument("--length", type=positive_int, default=1000,
                   help="extrapolation length q: errors are measured on lags 0..q-1")
    p.add_argument("--json", help="write the report to this JSON file")
    p.add_argument("--plot", help="write training curves to this PNG, SVG or PDF file (needs "
                   "matplotlib: the plot extra)")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--format", default="table", choices=["table", "json"],
                   help="print the report as a table or as JSON (the --json file's content)")


def _requires(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The optional modules the options need, checked before the training starts."""
    needs = []
    if args.plot:
        needs.append(("matplotlib", "--plot"))
    if args.gd and args.backend == "torch":
        needs.append(("torch", "--backend torch"))
    return needs


def _teacher(args):
    """The teacher model (doubles, as the student is trained against it) and its definition
    as text: a named teacher's atoms and weights in their shortest form, or the
    ``--teacher-atoms``/``--teacher-weights`` entries as written (``1/3`` stays ``1/3``)."""

    model = _teacher_model(args)
    if args.teacher:
        atoms, weights = ([_shortest(v) for v in values]
                          for values in NAMED_TEACHERS[args.teacher])
    else:
        atoms, weights = ([t.strip() for t in text.split(",")]
                          for text in (args.teacher_atoms, args.teacher_weights))
    return model, {"name": args.teacher, "atoms": atoms, "weights": weights}


def _shortest(value: float) -> str:
    """The shortest decimal text of a double, an integer without ``.0`` (``1``, ``0.9``), as
    an entry of ``--teacher-atoms`` is written."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _teacher_model(args):
    if args.teacher and (args.teacher_atoms or args.teacher_weights):
        raise InputError("give either --teacher NAME or --teacher-atoms/--teacher-weights")
    if args.teacher:
        return named_teacher(args.teacher)
    if not args.teacher_atoms or not args.teacher_weights:
        raise InputError("give --teacher NAME, or both --teacher-atoms and --teacher-weights")

    def numbers(text: str, what: str) -> list[float]:
        out = []
        for i, token in enumerate(text.split(",")):
            re, im = parse_number_text(token, f"{what} entry {i + 1}")
            try:
                out.append(complex(float(re), float(im)) if im else float(re))
            except OverflowError:  # the flow runs in doubles
                raise InputError(f"{what} entry {i + 1} {token.strip()[:40]!r} is beyond the "
                                 "range of a double (about 1.8e308), where the flow runs"
                                 ) from None
        return out

    atoms, weights = numbers(args.teacher_atoms, "--teacher-atoms"), numbers(
        args.teacher_weights, "--teacher-weights")
    if len(atoms) != len(weights):
        raise InputError(f"{len(atoms)} teacher atoms but {len(weights)} weights")
    return teacher_from_measure(DiscreteMeasure(atoms, weights))


class _Progress:
    """The flow's sign of life on stderr, a :class:`~momentrnn._progress.ProgressLine`: on a
    terminal the flow time, the loss, a bar of the loss decades gained and the seconds spent,
    redrawn in place; in a log a plain line at least every ``every`` seconds, so that a long
    step, or the analysis after the integration, still shows the command is alive."""

    def __init__(self, quiet: bool, every: float = 10.0, stage: str = "flow") -> None:
        self.stage = stage
        self.state: tuple[float, float] | None = None
        self.loss0: float | None = None
        self.line = ProgressLine(self._describe, enabled=not quiet, every=every, redraw=1.0,
                                 tty_gap=0.1)
        self.line.begin()

    def __call__(self, t: float, loss: float) -> None:
        with self.line.lock:
            self.state = (float(t), float(loss))
            if self.loss0 is None:
                self.loss0 = float(loss)
        self.line.report()

    def set_stage(self, stage: str) -> None:
        with self.line.lock:
            self.stage = stage

    def done(self) -> None:
        self.line.end()

    def _describe(self, elapsed: float, tty: bool) -> str:
        if self.state is None:
            text = f"{self.stage}: running, {elapsed:.0f} s"
        else:
            t, loss = self.state
            text = f"{self.stage}: t = {t:.4g}, loss = {loss:.3e}, {elapsed:.0f} s"
        if not tty:
            return text
        bar = ""
        if self.state is not None and self.loss0 and self.state[1] > 0:
            gained = math.log10(max(self.loss0, 1e-300) / max(self.state[1], 1e-300))
            bar = "#" * min(30, max(0, int(gained * 3)))
        return f"{text:<60} {bar:<30}"


def run_flow(args: argparse.Namespace) -> int:
    teacher, defined = _teacher(args)
    if args.json:
        check_writable(args.json, "--json")
    if args.plot:
        if not args.plot.lower().endswith((".png", ".svg", ".pdf")):
            raise InputError(f"--plot {args.plot[:80]!r}: name a .png, .svg or .pdf file")
        check_writable(args.plot, "--plot")
    for name, value in (("--init-scale", args.init_scale), ("--lr", args.lr),
                        ("--rtol", args.rtol)):
        if not (math.isfinite(value) and value > 0):
            raise InputError(f"{name} {value!r} must be a positive finite number")
    student = init_student(args.dim, scale=args.init_scale, mode=args.init, seed=args.seed)

    check_extrapolation_length(args.length, max(args.dim, teacher.dim), "--length")
    progress = _Progress(args.quiet, stage="gd" if args.gd else "flow")
    try:
        if args.gd:
            res = gradient_descent(student, teacher, k=args.k, lr=args.lr, steps=args.steps,
                                   backend=args.backend, until_loss=args.until_loss)
            run = res.trajectory(0, teacher, k=args.k, extrapolation_length=args.length)
        else:
            run = integrate_flow(student, teacher, k=args.k, method=args.method, rtol=args.rtol,
                                 until_loss=args.until_loss, t_max=args.t_max,
                                 extrapolation_length=args.length, progress=progress)
        progress.set_stage("analysing the trained student")
        eff = run.effective_dimension
        report = {"k": args.k, "dim": args.dim, "init_scale": args.init_scale,
                  "init": args.init, "seed": args.seed}
        measure = teacher.measure()
        order = measure.sort_order()
        teacher_measure = measure.sorted()
        # the doubles the student was trained against, as exact values ('certify' reads
        # these) ...
        report["teacher_atoms"] = [number_value(a) for a in teacher_measure.atoms]
        report["teacher_weights"] = [number_value(w) for w in teacher_measure.weights]
        # ... and the teacher as it was defined, in the same order
        report["teacher"] = {"name": defined["name"],
                             "atoms": [defined["atoms"][i] for i in order],
                             "weights": [defined["weights"][i] for i in order]}
        if eff is not None:
            learned = learned_measure(run.final, run.final_loss, effective=eff)
            extrapolation = run.extrapolation_error
            agreement = run_agreement(
                learned, teacher_measure, status=run.status, length=args.length,
                extrapolation_max=None if extrapolation is None else extrapolation[1],
                extrapolation_rounding=extrapolation_rounding(run.final, teacher, args.length),
                loss=run.final_loss)
            report["learned_measure"] = learned_report(learned, agreement)  # a row's too
        report = FlowReport.of(run, **report).to_dict()
    finally:
        progress.done()
    text = json_text(document("flow", report, cli_options(args)), indent=2)
    # the files first: a closed standard output (a broken pipe) does not lose them
    if args.json:

        def dump(path: str) -> None:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)

        write_output(args.json, dump, option="--json")
    if args.plot:
        write_output(args.plot, lambda path: _plot(run, path), option="--plot")
    if args.format == "json":
        print(text)
    else:
        _print_report(restore_non_finite(report), args)  # numbers, "inf" as inf
    return 0 if run.ok else 1


def _print_report(report: dict, args) -> None:
    print(f"status               {report['status']}: {report['message']}")
    print(f"method               {report['method']} ({report['steps']} steps, "
          f"{report['seconds']:.2f} s, final time {report['final_time']:.4g})")
    print(f"training loss        {report['training_loss']:.3e}  (k = {args.k})")
    if "extrapolation_sq" in report:
        print(f"extrapolation error  sum of squares {report['extrapolation_sq']:.3e}, max "
              f"{report['extrapolation_max']:.3e}  (length {args.length})")
    if report.get("effective_dimension_verdict") == "undetermined":
        print(f"effective dimension  undetermined  ({report['effective_dimension_reason']})")
    elif "effective_dimension_evidence" in report:
        e = report["effective_dimension_evidence"]
        lo, hi = e["rank_range"]
        shown = e["rank"] if lo == hi else f"between {lo} and {hi} (not one number)"
        print(f"effective dimension  {shown}  ({e['verdict']}: {e['message']})")
    print(f"invariant drift      {report['invariant_drift']:.2e} (relative)")
    print(f"imbalance            {report['imbalance']:.3e}   negative mass "
          f"{report['negative_mass']:.3e}")
    t = report["teacher"]
    print(f"teacher measure      atoms {', '.join(t['atoms'])}; weights "
          f"{', '.join(t['weights'])}" + (f"  (named teacher {t['name']})" if t["name"] else ""))
    m = report.get("learned_measure")
    if m is None:
        return
    agrees = m["agreement"]["verdict"]
    if m["status"] == "empty":
        print("learned measure      none: the learned impulse response is below its accuracy "
              f"{m['moment_accuracy']:.1e} (effective dimension 0); agrees with the teacher: "
              f"{agrees}")
    elif not m["atoms"]:
        print(f"learned measure      not recovered ({m['status']}); agrees with the teacher: "
              f"{agrees}")
    else:
        print(f"learned measure      atoms {', '.join(m['atoms'])}; weights "
              f"{', '.join(m['weights'])}")
        print(f"                     {m['vouched_digits']:g} vouched digits (moments accurate to "
              f"{m['moment_accuracy']:.1e}); agrees with the teacher: {agrees}")
    print(f"                     because {m['agreement']['reason']}")


def _plot(run, path: str) -> None:
    try:
        from matplotlib.figure import Figure  # no pyplot: the backend is left as it is
    except ImportError:
        raise MissingDependencyError(
            "--plot needs matplotlib; install it with pip install 'momentrnn[plot]'"
        ) from None
    fig = Figure(figsize=(12, 3.5))
    axes = fig.subplots(1, 3)
    t = np.maximum(run.times, 1e-12)
    axes[0].loglog(t, np.maximum(run.loss, 1e-300))
    axes[0].set(xlabel="t", ylabel="loss", title="training loss")
    axes[1].semilogx(np.maximum(run.record_times, 1e-12), run.imbalance)
    axes[1].set(xlabel="t", ylabel="|b-c|/|b+c|", title="imbalance")
    inv = run.invariants.reshape(len(run.record_times), -1)
    axes[2].semilogx(np.maximum(run.record_times, 1e-12), np.abs(inv - inv[0]).max(axis=1))
    axes[2].set(xlabel="t", ylabel="max |I(t) - I(0)|", title="invariant drift")
    fig.tight_layout()
    fig.savefig(path, format=path.rsplit(".", 1)[-1].lower())


COMMANDS = (
    Command(
        name="flow",
        help="train a linear RNN student by gradient flow or descent and report it",
        description=(
            "Integrate the gradient flow (or run gradient descent) of a diagonal linear RNN "
            "student on the first k lags of a teacher's impulse response, then report the "
            "training loss, the extrapolation error at a long length, the effective state "
            "dimension with its evidence, the learned measure recovered from the learned "
            "impulse response beside the teacher's, and the drift of the conserved quantities."
        ),
        arguments=_arguments,
        run=run_flow,
        requires=_requires,
    ),
)
