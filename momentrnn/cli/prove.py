"""``momentrnn prove``: a theorem about one gradient-flow run, by validated integration."""

from __future__ import annotations

import argparse
import math
import re

from .._output import json_text, restore_non_finite
from .._schema import cli_options, document
from ..errors import InputError
from ..prove import prove_flow
from ._common import Command, positive_int


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--teacher", default="two_pole", help="named teacher: long_memory, "
                   "decaying, oscillating, two_pole, several, negative_weight")
    p.add_argument("--dim", type=positive_int, default=2,
                   help="student state dimension")
    p.add_argument("--k", type=positive_int, default=5, help="number of lags fitted")
    p.add_argument("--init-scale", type=float, default=1e-3, help="initialisation scale")
    p.add_argument("--init", default="random", help="random, balanced, unbalanced, "
                   "zero_output or grid (as momentrnn flow)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the random initialisation (as momentrnn flow)")
    p.add_argument("--init-radius", type=float, default=0.0,
                   help="prove the theorem for every initialisation whose coordinates are "
                   "each within this of the given one (a box; default 0: that one)")
    p.add_argument("--t-end", type=float, default=25.0, help="the time T to reach")
    p.add_argument("--length", type=positive_int, default=1000,
                   help="the extrapolation bound is proved for q < LENGTH")
    p.add_argument("--order", type=positive_int, default=10, help="Taylor order")
    p.add_argument("--prec", type=positive_int, default=128, help="ball precision in bits")
    p.add_argument("--method", default="lohner", choices=["lohner", "ball"],
                   help="wrapping control: QR-Lohner mean-value form or plain balls")
    p.add_argument("--tolerance", type=float, default=None,
                   help="Lagrange remainder aimed at per step (default: the remainders of "
                   "the run add up to at most 1e-12)")
    p.add_argument("--max-seconds", type=float, default=math.inf,
                   help="the budget of the proof in seconds, counted from its start and "
                   "checked between steps (a step in progress finishes first: seconds at a "
                   "large --k): the integration stops, not proved, when it is spent, and an "
                   "extrapolation bound or convergence argument after T that it cuts short is "
                   "not given (the reason says so)")
    p.add_argument("--no-converge", dest="converge", action="store_false",
                   help="skip the local convergence argument after T (by default it runs)")
    p.add_argument("--format", default="table", choices=["table", "json"],
                   help="a table of the theorem, or its JSON")


# prove_flow's parameters as the command line spells them
_OPTIONS = {"teacher": "--teacher", "dim": "--dim", "k": "--k", "init_scale": "--init-scale",
            "seed": "--seed", "t_end": "--t-end", "init": "--init", "length": "--length",
            "order": "--order", "prec": "--prec", "method": "--method",
            "tolerance": "--tolerance", "max_seconds": "--max-seconds",
            "init_radius": "--init-radius",
            "mode": "--init"}  # init_student's name for the initialisation
_PARAMETER = re.compile(r"(?<![\w.\-])(" + "|".join(sorted(_OPTIONS, key=len, reverse=True))
                        + r")=")


# names with an underscore are parameters wherever they stand
_SPELLED = re.compile(r"(?<![\w.\-])(" + "|".join(k for k in _OPTIONS if "_" in k) + r")(?!\w)")


def option_names(message: str) -> str:
    """``message`` with each ``parameter=`` of prove_flow (and each parameter whose name has
    an underscore) written as its option: ``dim=3000`` as ``--dim=3000``."""
    message = _PARAMETER.sub(lambda match: _OPTIONS[match.group(1)] + "=", message)
    return _SPELLED.sub(lambda match: _OPTIONS[match.group(1)], message)


def run_prove(args: argparse.Namespace) -> int:
    for name, value in (("--init-scale", args.init_scale), ("--t-end", args.t_end),
                        ("--tolerance", 1.0 if args.tolerance is None else args.tolerance)):
        if not (math.isfinite(value) and value > 0):
            raise InputError(f"{name} {value!r} must be a positive finite number")
    if not (math.isfinite(args.init_radius) and args.init_radius >= 0):
        raise InputError(f"--init-radius {args.init_radius!r} must be a finite number >= 0 "
                         "(a box half-width such as 1e-9)")
    if not args.max_seconds > 0:
        raise InputError(f"--max-seconds {args.max_seconds!r} must be positive")
    try:
        proof = prove_flow(args.teacher, args.dim, args.k, args.init_scale, args.seed,
                           args.t_end, init=args.init, length=args.length, order=args.order,
                           prec=args.prec, method=args.method, tolerance=args.tolerance,
                           max_seconds=args.max_seconds, converge=args.converge,
                           init_radius=args.init_radius)
    except InputError as exc:  # the API names its parameters; the command line its options
        raise InputError(option_names(str(exc))) from None
    if args.format == "json":
        print(json_text(document("flow_proof", proof.to_dict(), cli_options(args)), indent=2))
    else:
        _table(proof)
    return 0 if proof.proved else 1


def _table(proof) -> None:
    d = restore_non_finite(proof.to_dict())  # numbers, "inf" as inf
    where = f"t = {d['final_time_decimal']}"
    if proof.status == "converged":
        print(f"status      converged: proved up to T = {d['final_time_decimal']}, and for all "
              "t >= T by the local argument")
    elif proof.proved:
        print(f"status      finite-time: proved up to T = {d['final_time_decimal']}"
              + (f" ({d['reason']})" if d["reason"] else ""))
    else:
        print(f"status      not proved up to T = {d['t_end_decimal']}: {d['reason']}; what "
              f"follows is proved at {where} only")
    print(f"run         teacher {proof.teacher}, d = {d['dim']}, k = {d['k']}, init "
          f"{d['init']} scale {d['init_scale']:g} seed {d['seed']}"
          + (f"; every initialisation within {d['init_radius']} of it (each coordinate)"
             if proof.init_radius else ""))
    print(f"integrator  Taylor order {d['order']}, {d['prec']}-bit balls, {d['method']}; "
          f"{d['steps']} steps ({d['rejected']} rejected), {d['seconds']:.1f} s, largest "
          f"radius at the end {d['max_radius']:.2e}")
    print(f"enclosure at {where}:")
    for i in range(proof.dim):
        print(f"  unit {i}: a in [{', '.join(d['a'][i])}]")
        print(f"          b in [{', '.join(d['b'][i])}]")
        print(f"          c in [{', '.join(d['c'][i])}]")
        print(f"          b^2 - c^2 in [{', '.join(d['invariants'][i])}] "
              + (f"(at t = 0: in [{', '.join(d['invariants_initial'][i])}] over the box)"
                 if proof.init_radius else f"(at t = 0: {d['invariants_initial'][i][0]})"))
    print("proved:")
    for line in d["statements"]:
        print(f"  {line}")
    if d["extrapolation"] is None or d["extrapolation_note"]:
        print(f"  (extrapolation: {d['extrapolation_note']})")


COMMANDS = (
    Command(
        name="prove",
        help="prove what gradient flow does up to a time T, by validated integration",
        description=(
            "Enclose the exact gradient flow of a diagonal linear RNN student (the "
            "initialisation of momentrnn flow) in ball arithmetic up to a time T, with a "
            "checked a-priori enclosure, the Lagrange remainder and a QR-Lohner mean-value "
            "form, and print the theorem at T: the enclosure of every parameter, the loss, "
            "the units of proved positive weight, the atoms' interval, the conserved "
            "b_i^2 - c_i^2, and a proved bound on the extrapolation error; then a local "
            "argument on the invariant leaf (strong convexity of the loss checked in ball "
            "arithmetic over a box around the end, and a path length below its margin) "
            "proves convergence, its rate and its limit where it can (status converged), "
            "or says why not. Exit status 1 when the enclosure did not reach T (the reason "
            "is printed)."
        ),
        arguments=_arguments,
        run=run_prove,
    ),
)
