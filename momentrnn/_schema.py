"""The one convention of every JSON output, its JSON Schema, and reading an output back.

Every JSON object that momentrnn writes (each command's ``--format json`` and ``--json``
files, and :func:`document` for a result made through the API) is one object with

* ``schema_version``: the string ``"1"`` (:data:`SCHEMA_VERSION`); a reader refuses a newer one;
* ``momentrnn_version``: the version that wrote it;
* ``kind``: the result type (:data:`KINDS`), which :func:`load` dispatches on;
* ``options``: the options used (the command's parsed arguments, or the API call's keywords);
* the result's own keys (its ``to_dict()``), beside these.

The rules for values, the same in every kind:

* an exact value (a rational number, or an end of a support) is the object
  ``{"exact": "p/q", "float": x}``: ``"exact"`` the fraction as text (``"-1"``, ``"39/100"``;
  ``None`` where it is too long to write), ``"float"`` a double near it (rounded the way the
  key says where the side matters); an infinite end is ``{"exact": "inf", "float": "inf"}``;
* a number that is not finite is the string ``"inf"``, ``"-inf"`` or ``"nan"`` (never
  ``Infinity``/``NaN``, which strict parsers refuse);
* other numbers are JSON numbers; a non-zero one below the double range is written as the
  smallest double of its sign, never as 0;
* a count of digits is a number, or ``null`` with a flag saying why: ``"exact": true`` beside
  ``"digits": null``, and for lists a parallel boolean list (``atom_digits`` and
  ``atom_exact``): never the string ``"exact"`` inside a list of numbers;
* ``support`` is always a two-element list of exact values.

:func:`json_schema` builds the JSON Schema of all kinds from :data:`KIND_SCHEMAS` (written
here once, per result type); ``docs/_static/momentrnn.schema.json`` is its published copy.
"""

from __future__ import annotations

import importlib
import json
import math
import os
from dataclasses import dataclass
from fractions import Fraction

from ._output import NON_FINITE, _standard, rounded_float
from .errors import InputError
from .precision import MP, Ball, Exact, Float64

__all__ = ["SCHEMA_VERSION", "KINDS", "document", "load", "json_schema", "schema_text",
           "exact_value", "read_exact", "number_value", "read_number_value", "support_value",
           "read_support", "double", "cli_options"]

SCHEMA_VERSION = "1"

#: kind -> "module:Class" of the typed result that :func:`load` returns for it
KINDS = {
    "recovery": "momentrnn.moments.recovery:Recovery",
    "realization": "momentrnn.moments.realization:Realization",
    "bounds": "momentrnn.moments.bounds_report:BoundsReport",
    "certificate": "momentrnn.moments.extrapolation_bound:ExtrapolationCertificate",
    "certificate_refused": "momentrnn.moments.extrapolation_bound:CertificateRefused",
    "flow": "momentrnn.dynamics.trajectory:FlowReport",
    "gd": "momentrnn.dynamics.gd:GDResult",
    "flow_proof": "momentrnn.prove.flow_proof:FlowProof",
    "check": "proofs_checks.runner:CheckReport",
    "sweep": "momentrnn.experiments.runner:SweepResults",
    "sweep_row": "momentrnn.experiments.families.base:SweepRow",
    "error": "momentrnn._schema:CommandError",
    "claim_list": "momentrnn._schema:ClaimList",
    "sweep_spec": "momentrnn._schema:SweepSpec",
}


@dataclass(frozen=True)
class CommandError:
    """A command's refusal or failure as ``--format json`` writes it (kind ``"error"``).

    Attributes
    ----------
    error : str
        The exception's class (``"InputError"``, ...).
    message : str
        What went wrong and how to fix it.
    exit_code : int
        The command's exit status.
    """

    error: str
    message: str
    exit_code: int

    def to_dict(self) -> dict:
        """``{"error", "message", "exit_code"}``."""
        return {"error": self.error, "message": self.message, "exit_code": self.exit_code}

    @classmethod
    def from_dict(cls, data: dict) -> CommandError:
        """The refusal of its :meth:`to_dict`."""
        return cls(data["error"], data["message"], data["exit_code"])



@dataclass(frozen=True)
class ClaimList:
    """The claims ``momentrnn check --list`` names (kind ``"claim_list"``): ``claims``, a
    tuple of ``(label, title)``."""

    claims: tuple

    def to_dict(self) -> dict:
        """``{"claims": [{"label", "title"}, ...]}``."""
        return {"claims": [{"label": label, "title": title} for label, title in self.claims]}

    @classmethod
    def from_dict(cls, data: dict) -> ClaimList:
        """The list of its :meth:`to_dict`."""
        return cls(tuple((c["label"], c["title"]) for c in data["claims"]))


@dataclass(frozen=True)
class SweepSpec:
    """The spec ``momentrnn sweep --print-spec`` writes (kind ``"sweep_spec"``): its
    ``family``, the number of ``runs``, and ``spec``, every key of the family as given or by
    default (``None`` where a key is not set: its default), the keys a TOML spec file has."""

    family: str
    runs: int
    spec: dict

    def to_dict(self) -> dict:
        """``{"family", "runs", "spec"}``."""
        return {"family": self.family, "runs": self.runs, "spec": dict(self.spec)}

    @classmethod
    def from_dict(cls, data: dict) -> SweepSpec:
        """The spec of its :meth:`to_dict`."""
        return cls(data["family"], data["runs"], dict(data["spec"]))


ENVELOPE_KEYS = ("schema_version", "momentrnn_version", "kind", "options")


def _version() -> str:
    from . import __version__

    return __version__


# ------------------------------------------------------------------------------------------
# values


def double(value) -> float:
    """``value`` as a double; a non-zero value below the double range as the smallest double
    of its sign (never 0), one beyond it as an infinity (written ``"inf"``)."""
    try:
        f = float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf
    except TypeError:  # an mpmath or flint number without __float__ for its type
        import mpmath

        f = float(mpmath.mpf(str(value)))
    if f == 0 and value != 0:
        return math.copysign(5e-324, float(_sign(value)))
    return f


def _sign(value) -> int:
    try:
        return 1 if value > 0 else -1
    except TypeError:
        return 1


def exact_value(value, direction: int = 0) -> dict:
    """``{"exact": "p/q", "float": x}`` of a rational (or integer) value; ``{"exact": "inf",
    "float": "inf"}`` of an infinite one. ``direction`` rounds the float down (-1), up (+1) or
    to nearest (0)."""
    if isinstance(value, float) and math.isinf(value):
        return {"exact": "inf" if value > 0 else "-inf", "float": value}
    from ._format import exact_text

    v = Fraction(value)
    return {"exact": exact_text(v), "float": rounded_float(v, direction)}


def read_exact(value) -> Fraction | float:
    """The inverse of :func:`exact_value`: the Fraction (or ``inf``/``-inf``); where the
    exact text is absent, the float as a Fraction."""
    if not isinstance(value, dict) or "exact" not in value:
        raise InputError(f"{_short(value)} is not an exact value; write it as "
                         '{"exact": "p/q", "float": x}')
    text = value["exact"]
    if text in ("inf", "-inf"):
        return math.inf if text == "inf" else -math.inf
    if text is None:
        f = _number(value.get("float"))
        return f if math.isinf(f) else Fraction(f)
    try:
        if isinstance(text, str) and not text.isascii():  # Fraction reads any Unicode digit
            raise ValueError(text)
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise InputError(f"the exact value {text[:60]!r} is not a fraction p/q") from None


def number_value(value) -> dict:
    """A double (or rational) as an exact value (:func:`exact_value`), a complex one as
    ``{"re": exact value, "im": exact value}``: the value itself, not its decimal text."""
    if isinstance(value, complex) or (hasattr(value, "imag") and not isinstance(
            value, (int, float, Fraction)) and value.imag != 0):
        return {"re": exact_value(value.real), "im": exact_value(value.imag)}
    return exact_value(value)


def read_number_value(value) -> Fraction | complex:
    """The inverse of :func:`number_value`: a Fraction, or a complex of the two doubles."""
    if isinstance(value, dict) and set(value) == {"re", "im"}:
        return complex(float(read_exact(value["re"])), float(read_exact(value["im"])))
    return read_exact(value)


def support_value(support) -> list:
    """``support`` (two ends) as a two-element list of exact values."""
    return [exact_value(end) for end in support]


def read_support(value) -> tuple:
    """The inverse of :func:`support_value`."""
    if not isinstance(value, list) or len(value) != 2:
        raise InputError(f"support {_short(value)} must be a list of two ends")
    return tuple(read_exact(end) for end in value)


def ball_value(value) -> dict:
    """A python-flint ball exactly: ``{"mid": "p/q", "rad": "p/q"}`` (a dyadic midpoint and
    radius, the ball's own); a complex ball as ``{"re": ball, "im": ball}``; a rational value
    as the ball of radius ``"0"``."""
    import flint

    from ._format import exact_text

    if isinstance(value, flint.acb):
        return {"re": ball_value(value.real), "im": ball_value(value.imag)}
    if isinstance(value, flint.arb):
        mid, rad = (_dyadic(*v.man_exp()) for v in (value.mid(), value.rad()))
        return {"mid": exact_text(mid), "rad": exact_text(rad)}
    return {"mid": exact_text(Fraction(value)), "rad": "0"}


def _dyadic(man, exp) -> Fraction:
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def read_ball(value):
    """The inverse of :func:`ball_value`: the python-flint ball (``arb``, ``acb``) exactly; a
    ball of radius 0 as its Fraction."""
    import flint

    if isinstance(value, dict) and set(value) == {"re", "im"}:
        re_, im = (read_ball(value[k]) for k in ("re", "im"))
        return flint.acb(*(v if isinstance(v, flint.arb) else _as_arb(v) for v in (re_, im)))
    if not isinstance(value, dict) or set(value) != {"mid", "rad"}:
        raise InputError(f"{_short(value)} is not a ball; write it as "
                         '{"mid": "p/q", "rad": "p/q"}')
    try:
        mid, rad = Fraction(value["mid"]), Fraction(value["rad"])
    except (TypeError, ValueError, ZeroDivisionError):
        raise InputError(f"the ball {_short(value)} has an end that is not a fraction "
                         "p/q") from None
    if rad < 0:
        raise InputError(f"the ball {_short(value)} has a negative radius")
    return mid if rad == 0 else _as_arb((mid, rad))


def _as_arb(value):
    """An exact ``arb`` of a Fraction or of (mid, rad), at the bits its midpoint needs."""
    import flint

    mid, rad = value if isinstance(value, tuple) else (value, Fraction(0))
    bits = max(64, mid.numerator.bit_length() + mid.denominator.bit_length() + 8)
    with flint.ctx.workprec(bits):
        return flint.arb(flint.fmpq(mid.numerator, mid.denominator),
                         flint.fmpq(rad.numerator, rad.denominator))


def measure_balls(measure) -> dict | None:
    """A measure's atoms and weights as balls (:func:`ball_value`); ``None`` for none."""
    if measure is None:
        return None
    return {"atoms": [ball_value(a) for a in measure.atoms],
            "weights": [ball_value(w) for w in measure.weights]}


def read_measure_balls(value):
    """The inverse of :func:`measure_balls`: a DiscreteMeasure of the balls (or None)."""
    if value is None:
        return None
    from .moments.measure import DiscreteMeasure

    return DiscreteMeasure([read_ball(a) for a in value["atoms"]],
                           [read_ball(w) for w in value["weights"]])


def _number(value) -> float:
    """A JSON number or one of the strings of a non-finite number, as a float."""

    if isinstance(value, str) and value in NON_FINITE:
        return NON_FINITE[value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{_short(value)} is not a number")
    return float(value)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ------------------------------------------------------------------------------------------
# the document


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Fraction):
        return str(value)
    return repr(value)


def cli_options(args) -> dict:
    """The parsed arguments of a command as JSON (the command's function and name left out)."""
    return {k: _jsonable(v) for k, v in sorted(vars(args).items())
            if k not in ("func", "command") and not k.startswith("_") and not callable(v)}


def document(kind, body: dict | None = None, options: dict | None = None) -> dict:
    """The JSON object of one output: the envelope and the result's keys.

    Parameters
    ----------
    kind : str or result
        A kind of :data:`KINDS`, or a result object of one of them (a
        :class:`~momentrnn.Recovery`, ...): ``document(result, options)`` finds its kind and
        uses its ``to_dict()``.
    body : dict, optional
        The result's keys (with a kind given as a string).
    options : dict, optional
        The options used: a command's arguments, or the keywords of the call that made the
        result (written as JSON; anything else as its ``repr``).

    Returns
    -------
    dict
        ``schema_version``, ``momentrnn_version``, ``kind``, ``options`` and the result's keys;
        non-finite numbers already the strings ``"inf"``, ``"-inf"``, ``"nan"``, so that
        ``json.dumps`` writes it as standard JSON and :func:`load` reads it back.

    Raises
    ------
    InputError
        For an unknown kind, or an object that is not a result type.
    """

    if not isinstance(kind, str):  # document(result, options)
        result = kind
        if options is None:
            options, body = body, None
        if body is not None:
            raise InputError("document(result, options): a result brings its own keys; give "
                             "only the options")
        found = [k for k, where in KINDS.items()
                 if where.rsplit(":", 1)[1] == type(result).__name__]
        if not found or not hasattr(result, "to_dict"):
            names = ", ".join(v.split(":")[1] for v in KINDS.values())
            raise InputError(f"a {type(result).__name__} is not a result type with a JSON "
                             f"form; those are: {names}")
        kind, body = found[0], result.to_dict()
    if kind not in KINDS:
        raise InputError(f"kind {kind!r} is not known; known: {', '.join(KINDS)}")
    body = dict(body or {})
    clash = [k for k in ENVELOPE_KEYS if k in body]
    if clash:
        raise InputError(f"the result's keys {clash} are the envelope's own")
    return _standard({"schema_version": SCHEMA_VERSION, "momentrnn_version": _version(),
                      "kind": kind, "options": _jsonable(dict(options or {})), **body})


def body_of(data: dict) -> dict:
    """The result's keys of a document (the envelope left out), non-finite strings kept."""
    return {k: v for k, v in data.items() if k not in ENVELOPE_KEYS}


def _check_version(data: dict) -> None:
    version = data.get("schema_version")
    if not isinstance(version, str) or not version.isdigit():
        raise InputError(f"schema_version {_short(version)} is not a schema version; this "
                         f"momentrnn reads schema version {SCHEMA_VERSION}")
    if int(version) > int(SCHEMA_VERSION):
        raise InputError(
            f"the output has schema_version {version!r}, newer than {SCHEMA_VERSION!r}, the "
            f"newest this momentrnn {_version()} reads (written by momentrnn "
            f"{data.get('momentrnn_version')!r}); upgrade momentrnn to read it")


def result_class(kind: str):
    """The typed result class of ``kind``."""
    if kind not in KINDS:
        raise InputError(f"kind {_short(kind)} is not known; known: {', '.join(KINDS)}")
    module, name = KINDS[kind].split(":")
    return getattr(importlib.import_module(module), name)


def load(source):
    """Read any momentrnn JSON output back to its typed result.

    Parameters
    ----------
    source : str, os.PathLike or dict
        A file of a command's JSON output, a sweep's JSONL results file (read as a
        ``SweepResults``), or the parsed object (a results file's row as a ``SweepRow``).

    Returns
    -------
    The result type of the output's ``kind`` (:data:`KINDS`), via its ``from_dict``.

    Raises
    ------
    InputError
        For a file that is not an output of momentrnn, an unknown kind, or a
        ``schema_version`` newer than this package reads (the message names both versions).
    """
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as exc:
            raise InputError(f"cannot read {path!r}: {exc.strerror or exc}") from None
        try:
            data = json.loads(text)
        except ValueError:
            data = None
            if len([line for line in text.splitlines() if line.strip()]) < 2:
                raise InputError(f"{path!r} is not JSON: give a momentrnn JSON output") from None
        if data is None or (isinstance(data, dict) and "kind" not in data
                            and "run_id" in data and "spec_digest" in data):
            from .experiments.runner import SweepResults  # a sweep's JSONL results file

            return SweepResults.from_file(path)
    else:
        data = source
    if not isinstance(data, dict):
        raise InputError(f"a momentrnn output is a JSON object, not a {type(data).__name__}")
    if "kind" not in data and "run_id" in data and "spec_digest" in data:
        data = {**data, "kind": "sweep_row", "schema_version": SCHEMA_VERSION}
    if "kind" not in data:
        raise InputError("the object has no 'kind': it is not a momentrnn output of schema "
                         f"version {SCHEMA_VERSION} (outputs before it carry none)")
    _check_version(data)
    return result_class(data["kind"]).from_dict(data)


# ------------------------------------------------------------------------------------------
# the schema: written once per result type

_NUMBER = {"$ref": "#/$defs/number"}
_EXACT = {"$ref": "#/$defs/exact"}
_OPT_EXACT = {"anyOf": [_EXACT, {"type": "null"}]}
_STR = {"type": "string"}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}
_OPT_NUMBER = {"anyOf": [_NUMBER, {"type": "null"}]}
_OPT_STR = {"type": ["string", "null"]}
_OPT_INT = {"type": ["integer", "null"]}


def _list(item) -> dict:
    return {"type": "array", "items": item}


def _object(required: dict, optional: dict | None = None, *, extra: bool = False) -> dict:
    out = {"type": "object", "properties": {**required, **(optional or {})},
           "required": list(required)}
    if not extra:
        out["additionalProperties"] = False
    return out


DEFS = {
    "number": {"description": "a JSON number, or a non-finite one as a string",
               "anyOf": [{"type": "number"}, {"enum": ["inf", "-inf", "nan"]}]},
    "exact": {"description": 'an exact rational as text ("p/q"; null where too long to write) '
                             'beside a double; an infinite end as "inf"/"-inf"',
              "type": "object", "required": ["exact", "float"], "additionalProperties": False,
              "properties": {"exact": {"type": ["string", "null"],
                                       "pattern": r"^(-?[0-9]+(/[0-9]+)?|-?inf)$"},
                             "float": _NUMBER}},
    "exact_number": {"description": "an exact real value, or a complex one as its real and "
                                    "imaginary parts, each exact",
                     "anyOf": [{"$ref": "#/$defs/exact"},
                               {"type": "object", "required": ["re", "im"],
                                "additionalProperties": False,
                                "properties": {"re": {"$ref": "#/$defs/exact"},
                                               "im": {"$ref": "#/$defs/exact"}}}]},
    "case_value": {"description": "a value of a check's case: a rational as an exact value, "
                                  "text, a number, or a list of these",
                   "anyOf": [{"type": ["string", "boolean", "null"]},
                             {"$ref": "#/$defs/number"}, {"$ref": "#/$defs/exact"},
                             {"type": "array", "items": {"$ref": "#/$defs/case_value"}}]},
    "support": {"description": "the two ends of an interval, as exact values",
                "type": "array", "items": _EXACT, "minItems": 2, "maxItems": 2},
    "digits": {"description": "correct digits: a number, or null (with a flag saying why)",
               "anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}]},
    "hankel_rank": _object({
        "rank": _INT, "verdict": {"$ref": "#/$defs/rank_verdict"},
        "size": _INT, "rank_range": _list(_INT), "singular_values": _list(_NUMBER),
        "noise_floor": _NUMBER, "gap": _NUMBER, "precision": _STR, "message": _STR}),
    "ball": {"description": "a ball exactly: its dyadic midpoint and radius as fractions "
                            "(a rational value has radius \"0\"); a complex ball as its "
                            "real and imaginary balls",
             "anyOf": [_object({"mid": {"type": "string"}, "rad": {"type": "string"}}),
                       _object({"re": {"$ref": "#/$defs/ball"},
                                "im": {"$ref": "#/$defs/ball"}})]},
    "ball_measure": {"anyOf": [{"type": "null"}, _object({
        "atoms": _list({"$ref": "#/$defs/ball"}),
        "weights": _list({"$ref": "#/$defs/ball"})})]},
    "measure": {"anyOf": [{"type": "null"}, _object({"atoms": _list(_STR),
                                                     "weights": _list(_STR)})]},
}

#: the verdicts of a claim's check (``proofs_checks.harness.VERDICTS``, which the package may
#: not import: a test keeps the two equal)
CHECK_VERDICTS = ("PASS", "FAIL", "VACUOUS", "PRECISION INSUFFICIENT", "ERROR", "SKIPPED")


def status_enums() -> dict:
    """The ``$defs`` of every status and verdict the package writes, each an ``enum`` made
    from the package's own constants (so that the schema refuses any other word): name ->
    (the constants' values, what they are)."""
    from .dynamics.trajectory import RUN_STATUSES
    from .experiments.linear import NO_RANK_VERDICT
    from .moments.hankel import RANK_VERDICTS
    from .moments.recovery import Status
    from .moments.sdp import RANGE_STATUSES
    from .prove.flow_proof import PROOF_STATUSES
    from .rnn.analysis import AGREEMENT_VERDICTS, LEARNED_STATUSES

    recovery = tuple(s.value for s in Status)
    return {
        "recovery_status": (recovery, "a recovery's or realisation's status"),
        "rank_verdict": (RANK_VERDICTS, "a Hankel rank's verdict"),
        "row_rank_verdict": (RANK_VERDICTS + (NO_RANK_VERDICT,),
                             "a sweep row's effective_dimension_verdict"),
        "range_status": (RANGE_STATUSES, "a moment range's status"),
        "run_status": (RUN_STATUSES, "how a training run ended"),
        "learned_status": (LEARNED_STATUSES + recovery, "a learned measure's status"),
        "agreement_verdict": (AGREEMENT_VERDICTS, "whether the learned measure is the "
                                                  "teacher's"),
        "proof_status": (PROOF_STATUSES, "what a flow proof proved"),
        "check_verdict": (CHECK_VERDICTS, "a check's verdict"),
    }


def _enum_ref(name: str) -> dict:
    return {"$ref": f"#/$defs/{name}"}


_DIGITS = {"$ref": "#/$defs/digits"}
_HANKEL = {"$ref": "#/$defs/hankel_rank"}
_MEASURE = {"$ref": "#/$defs/measure"}

_FEASIBILITY = {
    "feasible": _BOOL, "interior": _BOOL, "determinate": _BOOL, "message": _STR,
    "support": {"$ref": "#/$defs/support"}, "data_exact": _BOOL,
    "matrices": {"type": "object", "additionalProperties": _object(
        {"size": _INT, "positive": _INT, "negative": _INT, "zero": _INT},
        {"entries": _list(_list({"type": "string", "pattern": r"^-?[0-9]+(/[0-9]+)?$"}))})},
}
_RANGE = {
    "order": _INT, "lower": _NUMBER, "upper": _NUMBER, "status": _enum_ref("range_status"),
    "exact": _BOOL,
    "range_message": _STR, "lower_exact": _OPT_EXACT, "upper_exact": _OPT_EXACT,
    "collapsed": _BOOL, "lower_measure": _MEASURE, "upper_measure": _MEASURE,
    "accuracy": _NUMBER, "solver": _STR, "certified_lower": _OPT_EXACT,
    "certified_upper": _OPT_EXACT, "inner_lower": _OPT_EXACT, "inner_upper": _OPT_EXACT,
    "gap": _list(_NUMBER), "attempts": _list(_STR), "tolerance": _list(_NUMBER),
}
_CERT_ROW = _object({"q": _INT, "observed": _NUMBER, "bound": _OPT_EXACT,
                     "method": _OPT_STR, "r11": _OPT_EXACT, "sdp": _OPT_EXACT})
_TRAINING = {"status": _enum_ref("run_status"), "message": _STR, "method": _STR, "steps": _INT,
             "evaluations": _INT, "seconds": _NUMBER, "final_time": _NUMBER,
             "training_loss": _NUMBER, "invariant_drift": _NUMBER,
             "imbalance": _NUMBER, "negative_mass": _NUMBER,
             "loss_curve": _list({"type": "array", "items": _NUMBER, "minItems": 2,
                                  "maxItems": 2})}
_LEARNED = _object({
    "atoms": _list(_STR), "weights": _list(_STR), "vouched_digits": _NUMBER,
    "status": _enum_ref("learned_status"), "moment_accuracy": _NUMBER,
    "agrees_with_teacher": {"type": ["boolean", "null"]},
    "agreement": _object({"verdict": _enum_ref("agreement_verdict"), "reason": _STR})})
#: a check's case: a rational as an exact value, alone or in (nested) lists
_CASE = {"anyOf": [{"type": "null"}, {"type": "object",
                                      "additionalProperties": {"$ref": "#/$defs/case_value"}}]}
_CHECK_OUTCOME = _object({"label": _STR, "title": _STR, "verdict": _enum_ref("check_verdict")}, {
    "worst_margin": _NUMBER, "worst_case": _CASE, "cases": _INT,
    "controls_failed": _INT, "controls_total": _INT, "seconds": _NUMBER,
    "details": _list({"type": "object"}), "message": _STR, "statement": _STR, "unit": _STR,
    "searched": _INT, "search": {"type": ["object", "null"]}})
#: the teacher as defined, in a flow report and a flow proof alike
_TEACHER = _object({"name": _OPT_STR, "atoms": _list(_STR), "weights": _list(_STR)})
_INTERVAL = {"type": "array", "items": _STR, "minItems": 2, "maxItems": 2}
#: the ranks ``[low, high]`` consistent with a rank decision's evidence
_RANK_SPAN = {"type": "array", "items": _INT, "minItems": 2, "maxItems": 2}

#: an exact algebraic atom or weight: minimal polynomial (integer coefficients, lowest degree
#: first; one past JSON's integers, above COEFFICIENT_TEXT_BITS bits, as decimal text) and a
#: box of decimal texts that holds that one root; null where the text is rational
_ALGEBRAIC_FORM = {"anyOf": [{"type": "null"}, {
    "type": "object", "additionalProperties": False, "required": ["polynomial", "real"],
    "properties": {
        "polynomial": {"type": "array", "minItems": 2, "items": {"anyOf": [
            _INT, {"type": "string", "pattern": "^-?[0-9]+$"}]}},
        "real": {"type": "array", "items": _STR, "minItems": 2, "maxItems": 2},
        "imag": {"type": "array", "items": _STR, "minItems": 2, "maxItems": 2}}}]}

#: kind -> the JSON Schema of the result's keys (beside the envelope's)
KIND_SCHEMAS = {
    "recovery": _object({
        "status": _enum_ref("recovery_status"), "message": _STR, "rank": _INT,
        "digits": _DIGITS, "exact": _BOOL,
        "method": _STR, "precision": _STR, "cond": _NUMBER, "predicted_loss": _NUMBER,
        "residual": _NUMBER, "data_digits": _DIGITS, "data_exact": _BOOL,
        "atoms": _list(_STR), "weights": _list(_STR),
        "atom_digits": {"anyOf": [_list(_DIGITS), {"type": "null"}]},
        "atom_exact": {"anyOf": [_list(_BOOL), {"type": "null"}]},
        "weight_digits": {"anyOf": [_list(_DIGITS), {"type": "null"}]},
        "weight_exact": {"anyOf": [_list(_BOOL), {"type": "null"}]},
        "rank_evidence": {"anyOf": [_HANKEL, {"type": "null"}]}},
        {"decimals_look_rounded": _INT, "enclosure": {"$ref": "#/$defs/ball_measure"},
         "atom_forms": _list(_ALGEBRAIC_FORM), "weight_forms": _list(_ALGEBRAIC_FORM)}),
    "realization": _object({
        "order": _INT, "status": _enum_ref("recovery_status"), "message": _STR,
        "A": _list(_list(_STR)),
        "B": _list(_STR), "C": _list(_STR), "residual": _NUMBER, "precision": _STR,
        "rank_evidence": _HANKEL}),
    "bounds": _object(_FEASIBILITY, {"failing": _OPT_STR,
                                     "measure": {"$ref": "#/$defs/ball_measure"}, **_RANGE}),
    "certificate": _object({
        "length": _INT, "lags": _INT, "complete": _BOOL, "statement": _STR,
        "max_bound": _EXACT, "max_observed": _NUMBER, "moment_errors": _list(_EXACT),
        "negative_units": _INT, "notes": _list(_STR), "support": {"$ref": "#/$defs/support"},
        "rows": _list(_CERT_ROW)}, {"student": _STR, "teacher": _STR, "run_status": _STR}),
    "certificate_refused": _object({"student": _STR, "complete": {"const": False},
                                    "statement": _STR, "rows": {"maxItems": 0}}),
    "flow": _object({
        **_TRAINING,
        "student": {"type": "object", "additionalProperties": _list(_NUMBER)},
        "k": _INT, "dim": _INT, "init_scale": _NUMBER, "init": _STR, "seed": _INT,
        "teacher_atoms": _list({"$ref": "#/$defs/exact_number"}),
        "teacher_weights": _list({"$ref": "#/$defs/exact_number"}),
        "teacher": _TEACHER},
        {"extrapolation_length": _INT, "extrapolation_sq": _NUMBER,
         "extrapolation_max": _NUMBER, "effective_dimension": _OPT_INT,
         "effective_dimension_verdict": _enum_ref("rank_verdict"),
         "effective_dimension_reason": _STR,
         "effective_dimension_range": _RANK_SPAN,
         "effective_dimension_evidence": _HANKEL,
         "learned_measure": _LEARNED}),
    "gd": _object({
        "batch": _INT, "a": _list(_list(_NUMBER)), "b": _list(_list(_NUMBER)),
        "c": _list(_list(_NUMBER)), "loss": _list(_list(_NUMBER)), "record_steps": _list(_INT),
        "invariants_initial": _list(_list(_NUMBER)),
        "invariants": _list(_list(_NUMBER)), "diverged_at": _list(_INT),
        "status": _list(_enum_ref("run_status")), "messages": _list(_STR), "lr": _NUMBER,
        "steps": _INT, "backend": _STR, "device": _STR, "seconds": _NUMBER,
        "parameters": {"anyOf": [{"type": "null"}, _list(_list(_list(_list(_NUMBER))))]},
        "until_loss": _OPT_NUMBER, "reached_at": {"anyOf": [{"type": "null"},
                                                            _list(_INT)]}}),
    "flow_proof": _object({
        "status": _enum_ref("proof_status"), "reason": _STR,
        "teacher": _TEACHER, "dim": _INT, "k": _INT, "init_scale": _NUMBER, "seed": _INT,
        "init": _STR, "t_end": _NUMBER, "final_time": _NUMBER, "final_time_exact": _STR,
        "loss": _INTERVAL, "atoms": _INTERVAL, "statements": _list(_STR)}, {
        "init_radius": _STR, "initial_conditions": _STR, "final_time_decimal": _STR,
        "t_end_decimal": _STR, "a": _list(_INTERVAL), "b": _list(_INTERVAL),
        "c": _list(_INTERVAL), "positive_units": _list(_INT), "negative_units": _list(_INT),
        "atoms_in_unit_interval": _BOOL, "invariants": _list(_INTERVAL),
        "invariants_initial": _list(_INTERVAL),
        "extrapolation": {"anyOf": [{"type": "null"}, _object(
            {"length": _INT, "max_bound": _STR, "bounds": _list(_STR)})]},
        "extrapolation_note": _STR, "max_radius": _NUMBER,
        "widths": _list(_list(_NUMBER)), "steps": _INT, "rejected": _INT,
        "seconds": _NUMBER, "order": _INT, "prec": _INT, "method": _STR,
        "remainder_budget": _OPT_NUMBER, "tolerance": _OPT_NUMBER,
        "convergence": {"anyOf": [
            {"type": "null"},
            _object({"proved": {"const": False}, "reason": _STR}),
            _object({"proved": {"const": True}, "rate": _STR, "strong_convexity": _STR,
                     "scaled_convexity": _STR, "metric_lower": _STR, "metric_upper": _STR,
                     "margin": _STR, "path_length": _STR, "path_length_leaf": _STR,
                     "distance_to_limit": _STR, "limit_is_teacher": {"type": ["boolean",
                                                                              "null"]},
                     "teacher_order": {"anyOf": [_list(_INT), {"type": "null"}]},
                     "limit_a": _list(_INTERVAL), "limit_w": _list(_INTERVAL),
                     "limit_b": _list(_INTERVAL), "limit_c": _list(_INTERVAL),
                     "limit_loss": _INTERVAL, "teacher_distance": _OPT_STR,
                     "limit_extrapolation": _OPT_STR,
                     "effective_dimension": _OPT_INT})]}}),
    "check": _object({"seed": _INT, "quick": _BOOL, "allow_skip": _BOOL,
                      "claims": _list(_CHECK_OUTCOME), "without_check": _list(_STR)}),
    "sweep": _object({"results": _STR, "spec_digest": _STR, "total": _INT, "skipped": _INT,
                      "completed": _INT, "diverged": _INT, "seconds": _NUMBER,
                      "executor": _STR, "notes": _list(_STR),
                      "rows": _list({"$ref": "#/$defs/sweep_row"})}),
    "error": _object({"error": _STR, "message": _STR, "exit_code": _INT}),
    "claim_list": _object({"claims": _list(_object({"label": _STR, "title": _STR}))}),
    "sweep_spec": _object({"family": _STR, "runs": _INT, "spec": {"type": "object"}}),
    "sweep_row": {"type": "object", "required": ["run_id", "spec_digest", "status"],
                  "properties": {"run_id": _STR, "spec_digest": _STR, "family": _STR,
                                 "momentrnn_version": _STR, "schema_version": _STR,
                                 "version": _STR,  # rows written before momentrnn_version
                                 "training_loss": _NUMBER,
                                 "status": {"anyOf": [_enum_ref("run_status"),
                                                      {"type": "null"}]},
                                 "diverged_step": _OPT_INT,
                                 "loss_curve": _TRAINING["loss_curve"],
                                 "seconds": _OPT_NUMBER, "finished_at": _NUMBER},
                  "additionalProperties": False},
}


_PY_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def sweep_row_schema() -> dict:
    """The schema of a sweep row: the keys every row has (:data:`KIND_SCHEMAS`), and each
    registered family's run fields and metrics (``metric_schemas``; a per-length metric as
    ``<metric>_<q>``); any other key is refused."""
    from .experiments.families import FAMILIES

    base = KIND_SCHEMAS["sweep_row"]
    props, patterns = dict(base["properties"]), {}
    for family in FAMILIES.values():
        for name, kinds in family.run_fields.items():
            kinds = kinds if isinstance(kinds, tuple) else (kinds,)
            names = sorted({_PY_TYPES.get(k, "object") for k in kinds})
            if names == ["integer", "number"]:
                names = ["number"]
            props.setdefault(name, {"type": names[0] if len(names) == 1 else names})
        for name, schema in family.metric_schemas.items():
            if name in family.length_metrics:
                patterns[f"^{name}_[0-9]+$"] = schema
            else:
                props.setdefault(name, schema)
    return {**base, "properties": props, "patternProperties": patterns}


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of every momentrnn JSON output: the envelope, and
    the result's keys of each kind (:data:`KIND_SCHEMAS`); a sweep results file's rows are
    ``#/$defs/sweep_row``."""
    envelope = {"schema_version": {"const": SCHEMA_VERSION}, "momentrnn_version": _STR,
                "kind": {"enum": list(KINDS)}, "options": {"type": "object"}}
    branches = []
    for kind, body in KIND_SCHEMAS.items():
        if kind == "sweep_row":
            continue
        props = dict(body.get("properties", {}))
        branch = {"if": {"properties": {"kind": {"const": kind}}},
                  "then": {**body, "properties": {**envelope, **props},
                           "required": [*envelope, *body.get("required", [])]}}
        branches.append(branch)
    defs = {**DEFS, "sweep_row": sweep_row_schema(),
            **{name: {"description": what, "enum": list(values)}
               for name, (values, what) in status_enums().items()}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"momentrnn JSON output, schema version {SCHEMA_VERSION}",
        "type": "object",
        "required": list(envelope),
        "properties": envelope,
        "allOf": branches,
        "$defs": defs,
    }


def schema_text() -> str:
    """The published text of :func:`json_schema` (``docs/_static/momentrnn.schema.json``)."""
    return json.dumps(json_schema(), indent=2) + "\n"


def main() -> None:  # pragma: no cover - python -m momentrnn._schema > docs/_static/...
    print(schema_text(), end="")


if __name__ == "__main__":  # pragma: no cover
    main()


def precision_from_text(text):
    """The precision object of its text (``"Exact()"``, ``"Float64()"``, ``"MP(30)"``,
    ``"Ball(35)"``), read without evaluating it."""
    import re

    m = re.fullmatch(r"(Exact|Float64)\(\)|(MP|Ball)\((\d{1,7})\)", str(text))
    if m is None:
        raise InputError(f"precision {_short(text)} is not one of Exact(), Float64(), MP(n), "
                         "Ball(n)")
    if m.group(1):
        return Exact() if m.group(1) == "Exact" else Float64()
    return (MP if m.group(2) == "MP" else Ball)(int(m.group(3)))


def number_of(value) -> float:
    """A JSON number of an output (or ``"inf"``, ``"-inf"``, ``"nan"``) as a float."""
    return _number(value)


def digits_list(values) -> tuple[list | None, list | None]:
    """Per-component digits for output: (digits, exact flags): a number or ``None`` where
    exact, and a parallel list of booleans; ``(None, None)`` where absent."""
    if values is None:
        return None, None
    return ([None if math.isinf(v) else int(v) for v in values],
            [bool(math.isinf(v)) for v in values])


def read_digits_list(digits, exact) -> tuple | None:
    """The inverse of :func:`digits_list`."""
    if digits is None:
        return None
    flags = exact or [False] * len(digits)
    return tuple(math.inf if flag else float(d) for d, flag in zip(digits, flags))
