"""``momentrnn certify``: read a trained student and a teacher, print the proved bounds of
:func:`momentrnn.moments.certify_extrapolation`."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
from fractions import Fraction

from .._format import upper_text
from .._limits import (
    MAX_CERTIFY_SDP_ORDER,
    MAX_CERTIFY_TOTAL_BITS,
    MAX_CERTIFY_UNITS,
    MAX_LAGS,
    MAX_LENGTH,
)
from .._output import check_writable, json_text, restore_non_finite, write_output
from .._schema import SCHEMA_VERSION, cli_options, document, read_number_value
from ..dynamics.trajectory import OK_STATUSES
from ..errors import InputError
from ..moments import parse_number_text
from ..moments.extrapolation_bound import CertificateRefused, certify_extrapolation, check_powers
from ..rnn import named_teacher
from ._common import Command, brief, positive_int, read_moments, write_table


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("student", help="flow report (.json), model (.json) or .npz file")
    p.add_argument("--teacher", help="named teacher (as for 'flow')")
    p.add_argument("--teacher-atoms", help="comma-separated teacher atoms, e.g. 9/10,-1/2")
    p.add_argument("--teacher-weights", help="comma-separated teacher weights")
    p.add_argument("--teacher-moments", help="file with the teacher's h_0..h_{Q-1} (one per "
                   "line or a JSON list), read exactly")
    p.add_argument("--length", type=positive_int, help="certify every q < LENGTH (default: the "
                   "flow report's extrapolation length, else 100)")
    p.add_argument("--lags", type=positive_int, help="number of lags whose errors are measured "
                   "(default: the flow report's k, else 2 * teacher atoms + 1)")
    p.add_argument("--sdp-max-order", type=int, default=24, help="use the SDP for q up to this "
                   "order (0: R11 only; at most 32; each order is one SDP, about 0.1-3 s)")
    p.add_argument("--json", help="write the certificate table to this JSON file")
    p.add_argument("--format", default="table", choices=["table", "json"],
                   help="output: an aligned table or JSON")


def _requires(args: argparse.Namespace) -> list[tuple[str, str]]:
    """cvxpy for the SDP, checked before any work (``--sdp-max-order 0`` needs none)."""
    if args.sdp_max_order > 0:
        return [("cvxpy", f"--sdp-max-order {args.sdp_max_order} (the SDP; --sdp-max-order 0 "
                          "bounds by R11 alone)")]
    return []


# ----------------------------------------------------------------------------------------
# reading


def _exact(value: object, where: str) -> Fraction:
    if isinstance(value, bool) or value is None:
        raise InputError(f"{where} = {value!r} is not a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"{where} = {value!r} is not finite")
        return Fraction(value)
    if isinstance(value, str):
        re, im = parse_number_text(value, where)
        if im:
            raise InputError(f"{where} = {value!r} is complex; certify needs real parameters")
        return re
    raise InputError(f"{where} = {str(value)[:60]!r} is not a number")


def _double(value: object, where: str) -> Fraction:
    """A number written by 'momentrnn flow --json' (a double, or its shortest decimal text),
    as the exact value of that double: the text ``-0.3333333333333333`` is the double
    nearest -1/3, not that decimal. A fraction written into the report (``1/3``) is no
    double's text and is read exactly."""
    exact = _exact(value, where)
    if isinstance(value, str) and "/" in value:
        return exact
    try:
        return Fraction(float(exact))  # the nearest double, as float(text) reads it
    except OverflowError:
        raise InputError(f"{where} = {str(value)[:60]!r} is beyond the range of a double, "
                         "so it is not a value a flow report records") from None


def _reported(value: object, where: str) -> Fraction:
    """A teacher atom or weight of a flow report: an exact value ``{"exact", "float"}`` (the
    double trained against), or, in a report of an earlier version, a double or its text
    (:func:`_double`)."""
    if not isinstance(value, dict):
        return _double(value, where)

    read = read_number_value(value)
    if isinstance(read, complex):
        raise InputError(f"{where} = {read!r} is complex; certify needs real parameters")
    if not isinstance(read, Fraction):
        raise InputError(f"{where} = {read!r} is not finite")
    return read


def _power_bits(values) -> int:
    """The bits of the exact rationals ``values`` (numerator and denominator)."""
    return sum(x.numerator.bit_length() + x.denominator.bit_length() for x in values or ())


def check_total_work(student: str, a, teacher_atoms, length: int) -> None:
    """Refuse, before any power is taken, a certificate whose atoms' exact powers hold more
    than :data:`MAX_CERTIFY_TOTAL_BITS` bits together, naming ``--length`` and the longest
    length that fits."""
    bits = _power_bits(a) + _power_bits(teacher_atoms)
    total = bits * length * (length - 1) // 2
    if total <= MAX_CERTIFY_TOTAL_BITS:
        return
    fits = int((1 + math.isqrt(1 + 8 * MAX_CERTIFY_TOTAL_BITS // max(bits, 1))) // 2)
    while fits > 1 and bits * fits * (fits - 1) // 2 > MAX_CERTIFY_TOTAL_BITS:
        fits -= 1
    raise InputError(
        f"certifying every q < {length} for student {student!r} ({len(a)} units) takes the "
        f"exact powers x**q of all its atoms and the teacher's: about {total:.2g} bits in all, "
        f"more than the {MAX_CERTIFY_TOTAL_BITS:.2g} certified in about a minute (measured "
        f"about 5e7 bits a second): give --length {fits} or less, or certify a smaller student")


# how a non-finite double is written in a JSON report: the Infinity/NaN of json.dumps (read
# back as floats) or the strings of the standard-JSON writer
_NON_FINITE_TEXT = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan"}


def _non_finite(value: object) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    return isinstance(value, str) and value.strip().lower() in _NON_FINITE_TEXT


class NotCertified(Exception):
    """A student the package itself recorded, of which nothing can be proved (its parameters
    are not finite): not bad input, a certificate that does not exist (exit 1)."""


def _vector(values: object, name: str, path: str, read=_exact) -> list[Fraction]:
    if not isinstance(values, list) or not values:
        raise InputError(f"student {path!r}: {name} must be a non-empty list of numbers")
    return [read(v, f"student {path!r} {name}[{i}]") for i, v in enumerate(values)]


def _check_kind(report: dict, path: str) -> None:
    """A document the package wrote must be a flow report of this schema (a model file, with
    neither key, is read as it is)."""

    version = report.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise InputError(f"student {path!r} has schema_version {brief(repr(version), 60)}; "
                         f"certify reads schema_version {SCHEMA_VERSION!r}: write the report "
                         "again with this version's 'momentrnn flow --json'")
    kind = report.get("kind", "flow")
    if kind != "flow":
        raise InputError(f"student {path!r} is a document of kind {brief(repr(kind), 60)}; "
                         "certify reads kind 'flow' (written by 'momentrnn flow --json') or a "
                         "model file with the arrays a, b and c")


def read_student(path: str) -> tuple[list, list, list, dict]:
    """``(a, b, c, report)`` exactly, from a flow report, a JSON model or an .npz file."""
    if not os.path.isfile(path):
        raise InputError(f"student {path!r} is not a file; give the JSON written by "
                         "'momentrnn flow --json' or a model file")
    if path.lower().endswith(".npz"):
        import zipfile

        import numpy as np

        try:
            loaded = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            raise InputError(f"student {path!r} is not a readable .npz file ({exc or 'empty'}); "
                             "save the student with numpy.savez(path, a=..., b=..., c=...)"
                             ) from None
        if not isinstance(loaded, np.lib.npyio.NpzFile):  # a renamed .npy
            raise InputError(f"student {path!r} holds one array, not an .npz archive of the "
                             "arrays a, b and c; save it with numpy.savez(path, a=..., b=..., "
                             "c=...)")
        try:
            with loaded as z:
                data = {k: np.asarray(z[k]).ravel().tolist() for k in ("a", "b", "c")
                        if k in z.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            raise InputError(f"student {path!r} is not a readable .npz file ({exc})") from None
        report: dict = {}
    else:
        try:
            with open(path, encoding="utf-8") as handle:
                report = json.load(handle)
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            # ValueError: also an integer beyond Python's digit limit; RecursionError: nesting
            raise InputError(f"student {path!r} is not a JSON file the student can be read "
                             f"from ({brief(str(exc), 160)})") from None
        if not isinstance(report, dict):
            raise InputError(f"student {path!r}: expected a JSON object with the student")
        _check_kind(report, path)
        data = report.get("student", report)
        if "status" in report and "student" not in report:
            raise InputError(f"student {path!r} is a flow report without the trained "
                             "parameters; rerun 'momentrnn flow --json' to record them")
    if not isinstance(data, dict) or any(k not in data for k in ("a", "b", "c")):
        raise InputError(f"student {path!r} has no arrays a, b and c (a diagonal student)")
    # a flow report records doubles: read them as those doubles; a model file is read exactly
    read = _double if "student" in report else _exact
    if "student" in report:
        for k in ("a", "b", "c"):
            values = data[k] if isinstance(data[k], list) else []
            for i, v in enumerate(values):
                if _non_finite(v):
                    # a run that overflowed: the report is the package's own, not bad input
                    raise NotCertified(
                        f"the student's parameter {k}[{i}] = {v} is not finite (the run's "
                        f"status is {report.get('status', 'not recorded')!r}): its response "
                        "is not a number, so no bound on it can be proved")
        loss = report.get("training_loss")
        if _non_finite(loss):
            # finite parameters of a run that blew up (e.g. --init-scale 1e300): their
            # response is beyond the doubles the report and the certificate are written in
            raise NotCertified(
                f"the flow run's training_loss is {loss} (status "
                f"{report.get('status', 'not recorded')!r}): the student is the state a "
                "diverged run left, whose response is not a number in double precision, so "
                "no bound on it is reported; rerun the flow (e.g. with a smaller --init-scale)")
    a, b, c = (_vector(data[k], k, path, read) for k in ("a", "b", "c"))
    if not len(a) == len(b) == len(c):
        raise InputError(f"student {path!r}: a, b and c have lengths {len(a)}, {len(b)}, "
                         f"{len(c)}; they must be equal")
    return a, b, c, report


def read_teacher(args: argparse.Namespace, report: dict) -> tuple[list | None, list | None,
                                                                   list | None, str]:
    """``(atoms, weights, moments, description)``; moments when given as a response."""
    given = [bool(args.teacher), bool(args.teacher_atoms or args.teacher_weights),
             bool(args.teacher_moments)]
    if sum(given) > 1:
        raise InputError("give one teacher: --teacher NAME, --teacher-atoms with "
                         "--teacher-weights, or --teacher-moments FILE")
    if args.teacher:
        mu = named_teacher(args.teacher).measure()
        return ([_exact(float(x), "teacher atom") for x in mu.atoms],
                [_exact(float(w), "teacher weight") for w in mu.weights], None,
                f"named teacher {args.teacher}")
    if args.teacher_moments:
        tokens = read_moments(args.teacher_moments)
        return None, None, [_exact(t, f"--teacher-moments entry {i + 1}")
                            for i, t in enumerate(tokens)], f"moments {args.teacher_moments}"
    if args.teacher_atoms or args.teacher_weights:
        if not (args.teacher_atoms and args.teacher_weights):
            raise InputError("give both --teacher-atoms and --teacher-weights")
        atoms = [_exact(t, f"--teacher-atoms entry {i + 1}")
                 for i, t in enumerate(args.teacher_atoms.split(","))]
        weights = [_exact(t, f"--teacher-weights entry {i + 1}")
                   for i, t in enumerate(args.teacher_weights.split(","))]
        if len(atoms) != len(weights):
            raise InputError(f"{len(atoms)} teacher atoms but {len(weights)} weights")
        return atoms, weights, None, "atoms and weights"
    if "teacher_atoms" in report and "teacher_weights" in report:
        # the doubles the student was trained against, not the decimals they print as
        listed = [report["teacher_atoms"], report["teacher_weights"]]
        if not all(isinstance(v, list) and v for v in listed):
            raise InputError("the flow report's teacher_atoms and teacher_weights must be "
                             "non-empty lists of numbers; give the teacher with --teacher-atoms "
                             "and --teacher-weights")
        if len(listed[0]) != len(listed[1]):  # never zipped: the bounds would be another's
            raise InputError(f"the flow report has {len(listed[0])} teacher atoms but "
                             f"{len(listed[1])} teacher weights; give the teacher with "
                             "--teacher-atoms and --teacher-weights")
        atoms = [_reported(t, "flow report teacher atom") for t in listed[0]]
        weights = [_reported(t, "flow report teacher weight") for t in listed[1]]
        return atoms, weights, None, "the teacher of the flow report"
    raise InputError("no teacher: give --teacher NAME, --teacher-atoms with "
                     "--teacher-weights, or --teacher-moments FILE")


# ----------------------------------------------------------------------------------------
# the command


def _report_count(report: dict, key: str, default: int | None, maximum: int,
                  option: str) -> int | None:
    """A positive integer field of the flow report (``default`` when absent), at most
    ``maximum``: a report is input, its fields are checked as the options are."""
    if key not in report:
        return default
    value = report[key]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        shown = brief(repr(value) if not isinstance(value, int) or value.bit_length() < 200
                      else f"an integer of {len(str(value))} digits", 60)
        raise InputError(f"the flow report's {key!r} is {shown}; it must be an integer from 1 "
                         f"to {maximum}: fix the report, or give {option}")
    return value


def run_certify(args: argparse.Namespace) -> int:
    if args.json:
        check_writable(args.json, "--json")
    if args.sdp_max_order < 0:
        raise InputError(f"--sdp-max-order {args.sdp_max_order} must be >= 0")
    if args.sdp_max_order > MAX_CERTIFY_SDP_ORDER:
        raise InputError(f"--sdp-max-order {args.sdp_max_order} is more than "
                         f"{MAX_CERTIFY_SDP_ORDER}, the highest order certified by the "
                         "semidefinite program (one SDP per order: 64 took 34 s); give a lower "
                         "--sdp-max-order")
    try:
        a, b, c, report = read_student(args.student)
    except NotCertified as exc:
        return _not_certified(args, str(exc))
    atoms, weights, moments, described = read_teacher(args, report)
    if len(a) > MAX_CERTIFY_UNITS:  # named as given, before any work
        raise InputError(f"student {args.student!r} has {len(a)} units, more than the "
                         f"{MAX_CERTIFY_UNITS} certified at once: certify a smaller student")
    if atoms is not None and len(atoms) > MAX_CERTIFY_UNITS:
        raise InputError(f"--teacher-atoms has {len(atoms)} entries, more than the "
                         f"{MAX_CERTIFY_UNITS} certified at once: give a smaller teacher")
    if args.length is not None and args.length > MAX_LENGTH:
        raise InputError(f"--length {args.length} is more than {MAX_LENGTH}, the most orders "
                         "certified (exact work grows with each order); give a smaller --length")
    if args.lags is not None and args.lags > MAX_LAGS:
        raise InputError(f"--lags {args.lags} is more than {MAX_LAGS}, the most lags measured")
    length = args.length or _report_count(report, "extrapolation_length", 100, MAX_LENGTH,
                                          "--length")
    if atoms is not None:
        default_lags = _report_count(report, "k", 2 * len(atoms) + 1, MAX_LAGS, "--lags")
    else:
        default_lags = _report_count(report, "k", None, MAX_LAGS, "--lags")
        if args.lags is None and default_lags is None:
            raise InputError("give --lags: the number of fitted lags whose errors are measured")
    lags = args.lags or default_lags
    if lags >= length:
        raise InputError(f"--length {length} must exceed the number of lags {lags}")
    if moments is not None and len(moments) < length:
        raise InputError(f"--teacher-moments has {len(moments)} values; --length {length} "
                         f"needs h_0..h_{length - 1}")
    check_powers({f"student {args.student!r} a": a, "--teacher-atoms entry {}": atoms},
                 length, "--length",  # named as given, before any power is taken
                 weights={f"student {args.student!r} b": b, f"student {args.student!r} c": c,
                          "--teacher-weights entry {}": weights})
    check_total_work(args.student, a, atoms, length)  # every atom together, before any work
    cert = certify_extrapolation(a, b, c, teacher_atoms=atoms, teacher_weights=weights,
                                 teacher_moments=moments, length=length, lags=lags,
                                 sdp_max_order=args.sdp_max_order)
    cert = dataclasses.replace(cert, student=args.student, teacher=described)

    status = report.get("status") if "student" in report else None
    if status is not None and status not in OK_STATUSES:
        # a run that did not end as asked: what is proved is true of the computed student
        # it left, which is not a trained network; said first, in the table and the JSON
        shown = brief(str(status), 60)
        caveat = (f"the flow run ended with status {shown!r}, not as asked: the bounds are "
                  f"proved for the computed student that run left, not for a trained network")
        cert = dataclasses.replace(cert, run_status=shown,
                                   statement=f"{caveat}; {cert.statement}",
                                   notes=[caveat, *cert.notes])
    out = cert.to_dict()
    text = json_text(document("certificate", out, cli_options(args)), indent=2)
    if args.format == "json":
        print(text)
    else:
        _print_table(restore_non_finite(out))  # numbers, "inf" as inf
    if args.json:
        def dump(path: str) -> None:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)

        write_output(args.json, dump, option="--json")
    return 0 if out["complete"] else 1


def _not_certified(args: argparse.Namespace, reason: str) -> int:
    """Say that nothing is certified, and why; the exit status of an incomplete certificate."""

    out = CertificateRefused(args.student, f"not certified: {reason}").to_dict()
    text = json_text(document("certificate_refused", out, cli_options(args)), indent=2)
    print(text if args.format == "json" else out["statement"])
    if args.json:
        def dump(path: str) -> None:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)

        write_output(args.json, dump, option="--json")
    return 1


def _print_table(out: dict) -> None:
    if "run_status" in out:
        print(f"NOTE: {out['notes'][0]}")
    print(f"student   {out['student']}  (teacher: {out['teacher']}; errors measured on "
          f"{out['lags']} lags)")
    errs = [e["float"] for e in out["moment_errors"]]
    print(f"moment errors  max {max(errs):.3e} over j < {out['lags']}")
    def f(v):  # a proved bound, written rounded up (from the rounded-up double when the
        # exact fraction is too long to write)
        if not v:
            return "-"
        return upper_text(Fraction(v["exact"]) if v["exact"] is not None else v["float"])

    shown = _sample([r["q"] for r in out["rows"]], out["lags"])
    write_table(["q", "observed", "proved bound", "R11", "SDP", "by"],
                [[r["q"], f"{r['observed']:.3e}", f(r["bound"]) if r["bound"] else "none",
                  f(r["r11"]), f(r["sdp"]), r["method"] or "-"]
                 for r in out["rows"] if r["q"] in shown])
    print(out["statement"] + f" (largest observed {out['max_observed']:.3e})")
    for note in out["notes"][1 if "run_status" in out else 0:]:
        print(f"note: {note}")


def _sample(qs: list, lags: int) -> set:
    """The rows shown: the last lag, the first orders beyond, then about 4 per decade."""
    shown = {q for q in qs if lags - 1 <= q <= lags + 4}
    q = lags + 5
    while q < len(qs):
        shown.add(q)
        q = max(q + 1, int(q * 1.8))
    shown.add(qs[-1])
    return shown


COMMANDS = (
    Command(
        name="certify",
        help="prove how far a trained student's impulse response can be from the teacher's",
        description=(
            "Read a trained diagonal student (the JSON of 'momentrnn flow --json', a JSON "
            "model {\"a\": [...], \"b\": [...], \"c\": [...]}, or an .npz with arrays a, b, c) "
            "and a teacher (the one in the flow report, a named teacher, atoms and weights, or "
            "its impulse response h_0..h_{Q-1}). Measure the student's moment errors on the "
            "fitted lags exactly and prove a bound on |h_q - h_hat_q| for every q below the "
            "length: the stability bound R11 over Q and, where tighter, the worst case of the "
            "SDP with dual certificates checked over Q."
        ),
        arguments=_arguments,
        run=run_certify,
        requires=_requires,
    ),
)
