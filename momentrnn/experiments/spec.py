"""Declarative sweep specifications (TOML files or dictionaries) and their expansion into runs."""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field

import numpy as np

from .._limits import MAX_RUNS as _MAX_RUNS
from .._limits import MAX_SPEC_BYTES
from ..errors import InputError
from .families import DEFAULT_FAMILY, SweepFamily, family_named
from .families.base import short

__all__ = ["SweepSpec", "load_spec", "read_spec_file"]


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: the parameters and the runs they expand to.

    Attributes
    ----------
    params : dict
        Every key of the family's spec, defaults filled in, validated.
    runs : list of dict
        The runs, each the family's run fields and a ``run_id`` (a hash of them); one run per
        distinct computation (values equal as numbers, such as ``1`` and ``1.0``, are one).
    notes : tuple of str
        What the expansion dropped: repeated grid values and repeated runs, one line each.
    """

    params: dict
    runs: list = field(repr=False)
    notes: tuple = field(default=(), compare=False)

    @property
    def family(self) -> str:
        """The name of the spec's family."""
        return self.params["family"]

    @property
    def sweep_family(self) -> SweepFamily:
        """The registered family object of the spec."""
        return family_named(self.family)

    @property
    def digest(self) -> str:
        """A hash of the parameters: results files remember which spec made them.

        The first 16 hexadecimal characters of the SHA-256 of the parameters' JSON (keys
        sorted); being written into results files, it must not change between versions, or
        their sweeps would no longer resume."""
        text = json.dumps(self.params, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _plain(value):
    """numpy scalars (and lists or tuples of them) as the Python numbers they hold."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _type_names(types) -> str:
    types = types if isinstance(types, tuple) else (types,)
    names = {"str": "a string", "list": "a list", "int": "an integer", "float": "a number",
             "NoneType": "nothing"}
    return " or ".join(dict.fromkeys(names.get(t.__name__, t.__name__) for t in types))


MAX_RUNS = _MAX_RUNS  # the table: momentrnn._limits


def _value_key(value):
    """A key under which values equal as numbers (``1``, ``1.0``; ``1e-3``, ``0.001``) are one,
    and a number never equals a string or a flag."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, str):
        return ("str", value)
    return ("json", json.dumps(value, sort_keys=True, default=repr))


def _unique(values: list) -> tuple[list, list]:
    """The values with each (by :func:`_value_key`) once, the first kept, in order; and the
    repeats dropped."""
    seen: set = set()
    out, repeats = [], []
    for v in values:
        key = _value_key(v)
        if key in seen:
            repeats.append(v)
        else:
            seen.add(key)
            out.append(v)
    return out, repeats


def _deduplicate_lists(params: dict) -> tuple[dict, list[str]]:
    """Each list of the spec (a grid axis, ``k``, ``lengths``, ...) with its repeated values
    dropped (the first kept; values equal as numbers are one), and a note per list that had
    any: a repeated grid value would run one computation under one or two run ids."""
    notes = []
    for key in list(params):
        values = params.get(key)
        if not isinstance(values, list):
            continue
        unique, repeated = _unique(values)
        if repeated:
            shown = ", ".join(short(v) for v in repeated[:5])
            more = ", ..." if len(repeated) > 5 else ""
            notes.append(f"{key} repeats {shown}{more} (equal values are one run); "
                         f"{len(repeated)} repeated value(s) dropped")
            params = dict(params, **{key: unique})
    return params, notes


def read_spec_file(path: str) -> dict:
    """The raw key-value table of a TOML spec file, with read and syntax errors named."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_SPEC_BYTES + 1)  # /dev/zero is never read to the end
    except OSError as exc:
        raise InputError(f"cannot read spec {path!r}: {exc.strerror or exc}") from None
    if len(data) > MAX_SPEC_BYTES:
        raise InputError(f"spec {path!r} is longer than {MAX_SPEC_BYTES // 2**20} MiB: a sweep "
                         "spec is a few lines of TOML; give the spec file")
    return _parse_toml(data, f"spec {path!r}")


def _parse_toml(data: bytes | str, name: str) -> dict:
    if isinstance(data, bytes):
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(f"{name} is UTF-16 text; save it as UTF-8")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{name} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
                             f"offset {exc.start}); save it as UTF-8 TOML") from None
    try:
        return tomllib.loads(data)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise InputError(f"{name} is not valid TOML: {str(exc)[:200]}") from None
    except RecursionError:
        raise InputError(f"{name} is nested too deeply to read") from None


def load_spec(source: object) -> SweepSpec:
    """Read a spec from a TOML file path, TOML text or a dict; unknown keys are refused.

    Parameters
    ----------
    source : str or dict
        A path ending in ``.toml``, TOML text, or a dict of spec keys. ``family`` names a
        registered family (default ``'linear'``); the other keys are the family's.

    Returns
    -------
    SweepSpec

    Raises
    ------
    InputError
        For an unknown family or key, a value of the wrong type or range (the key named), or a
        sweep too large to run.

    Examples
    --------
    >>> spec = load_spec({"family": "linear", "scales": [1e-3, 1.0], "seeds": 2,
    ...                   "teachers": ["long_memory"], "modes": ["random"]})
    >>> len(spec.runs)
    4
    """
    if isinstance(source, dict):
        raw = dict(source)
    else:
        text = str(source)
        if "\n" not in text and text.endswith(".toml"):
            raw = read_spec_file(text)
        else:
            raw = _parse_toml(text, "spec")
    family = family_named(raw.get("family", DEFAULT_FAMILY))
    defaults = {"family": family.name, **family.defaults}
    types = {"family": str, **family.types}
    unknown = sorted(set(raw) - set(defaults))
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(unknown)} for a {family.name} sweep; "
                         f"known: {', '.join(sorted(defaults))}")
    params = {key: _plain(value) for key, value in {**defaults, **raw}.items()}
    for key, value in params.items():
        if not isinstance(value, types[key]) or isinstance(value, bool):
            raise InputError(f"{key}={short(value)} has the wrong type: "
                             f"{_type_names(types[key])} expected")
    params = family.validate(params)
    params, notes = _deduplicate_lists(params)
    count = family.check_size(params)
    if count > MAX_RUNS:
        raise InputError(f"the spec expands to {count} runs, more than {MAX_RUNS}; split it "
                         "into several sweeps")
    runs = family.expand(params)
    kind = type(family).__name__
    if len(runs) != count:
        raise InputError(f"{kind}.check_size counts {count} runs but {kind}.expand makes "
                         f"{len(runs)}; make them agree (the run limit is checked on the count)")
    fields = set(family.run_fields)
    for r in runs:
        if set(r) != fields:
            raise InputError(f"{kind}.expand made a run with the fields {sorted(r)}; its "
                             f"run_fields are {sorted(fields)}")
        for key, kinds in family.run_fields.items():
            # as the results file reads it back: a value of another type would be dropped
            try:
                back = json.loads(json.dumps(r[key]))
            except (TypeError, ValueError):
                back = None
            if isinstance(back, bool) or not isinstance(back, kinds):
                raise InputError(f"{kind}.expand made a run with {key}={r[key]!r} (a "
                                 f"{type(r[key]).__name__}), but run_fields declares "
                                 f"{kinds!r}; its rows would not be read back: make expand "
                                 "and run_fields agree")
    unique: dict = {}
    for r in runs:
        unique.setdefault(tuple((k, _value_key(r[k])) for k in sorted(r)), r)
    if len(unique) < len(runs):
        notes.append(f"{len(runs) - len(unique)} run(s) repeat another run of the grid (equal "
                     "values); each runs once")
        runs = list(unique.values())
    for r in runs:
        r["run_id"] = hashlib.sha256(json.dumps(r, sort_keys=True).encode()).hexdigest()[:16]
    return SweepSpec(params, runs, tuple(notes))
