"""Declarative sweep specifications (TOML files or dictionaries) and their expansion into runs."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import tomllib
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..rnn._limits import MAX_LAGS, check_memory
from ..rnn.teachers import INIT_MODES, NAMED_TEACHERS

__all__ = ["SweepSpec", "load_spec", "read_spec_file", "LINEAR_DEFAULTS", "NONLINEAR_DEFAULTS"]

LINEAR_DEFAULTS: dict = {
    "family": "linear",
    "teachers": ["long_memory", "two_pole"],
    "scales": [1e-4, 1e-3, 1e-2, 1e-1, 1.0],
    "modes": ["random", "balanced"],
    "seeds": 4,
    "dims": [20],
    "k": None,  # default 2 * (teacher atoms) + 3
    "trainer": "flow",  # or "gd"
    "lr": 0.01,
    "steps": 20000,
    "until_loss": 1e-10,
    "lengths": [100, 1000],
    "backend": "numpy",
    "device": None,
}

NONLINEAR_DEFAULTS: dict = {
    "family": "nonlinear",
    "cell": "tanh",  # or "gru"
    "teacher_dims": [2],
    "student_dims": [32],
    "scales": [1e-3, 1e-2, 1e-1, 1.0],
    "seeds": 3,
    "k": 10,
    "lengths": [10, 100, 1000],
    "train_sequences": 256,
    "test_sequences": 128,
    "optimizer": "adam",
    "lr": 0.01,
    "steps": 500,
    "teacher_seed": 0,
    "teacher_gain": 1.2,
    "thresholds": [1e-2, 1e-3],
    "device": None,
}

_TYPES = {
    "family": str, "teachers": list, "scales": list, "modes": list, "seeds": (int, list),
    "dims": list, "k": (int, type(None)), "trainer": str, "lr": (int, float),
    "steps": int, "until_loss": (int, float), "lengths": list, "backend": str,
    "device": (str, type(None)), "cell": str, "teacher_dims": list, "student_dims": list,
    "train_sequences": int, "test_sequences": int, "optimizer": str, "teacher_seed": int,
    "teacher_gain": (int, float), "thresholds": list,
}


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: the parameters and the runs they expand to."""

    params: dict
    runs: list = field(repr=False)

    @property
    def family(self) -> str:
        return self.params["family"]

    @property
    def digest(self) -> str:
        """A hash of the parameters: results files remember which spec made them."""
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


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text)} characters)"


def _type_names(types) -> str:
    types = types if isinstance(types, tuple) else (types,)
    names = {"str": "a string", "list": "a list", "int": "an integer", "float": "a number",
             "NoneType": "nothing"}
    return " or ".join(dict.fromkeys(names.get(t.__name__, t.__name__) for t in types))


MAX_SEEDS = 100_000
MAX_RUNS = 1_000_000


def _seeds(value) -> list[int]:
    if isinstance(value, int):
        if value < 1 or value > MAX_SEEDS:
            raise InputError(f"seeds={_short(value)} must be a count from 1 to {MAX_SEEDS} or a "
                             "list of seeds")
        return list(range(value))
    if not value or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                            for s in value):
        raise InputError(f"seeds={_short(value)} must be a positive count or a non-empty list "
                         "of non-negative integers")
    return list(value)


def read_spec_file(path: str) -> dict:
    """The raw key-value table of a TOML spec file, with read and syntax errors named."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise InputError(f"cannot read spec {path!r}: {exc.strerror or exc}") from None
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
    family = raw.get("family", "linear")
    defaults = {"linear": LINEAR_DEFAULTS, "nonlinear": NONLINEAR_DEFAULTS}.get(family)
    if defaults is None:
        raise InputError(f"family={family!r} is not known; use 'linear' or 'nonlinear'")
    unknown = sorted(set(raw) - set(defaults))
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(unknown)} for a {family} sweep; known: "
                         f"{', '.join(sorted(defaults))}")
    params = {key: _plain(value) for key, value in {**defaults, **raw}.items()}
    for key, value in params.items():
        if not isinstance(value, _TYPES[key]) or isinstance(value, bool):
            raise InputError(f"{key}={_short(value)} has the wrong type: "
                             f"{_type_names(_TYPES[key])} expected")
    params["seeds"] = _seeds(params["seeds"])
    _check_values(params)
    _check_size(params)
    return SweepSpec(params, _expand(params))


def _positive_list(params: dict, key: str, integer: bool = False) -> None:
    values = params[key]
    if not values:
        raise InputError(f"{key} must not be empty")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0 or (
                integer and not isinstance(v, int)) or not math.isfinite(v):
            raise InputError(f"{key} contains {_short(v)}; it must hold positive finite "
                             f"{'integers' if integer else 'numbers'}")


_DEVICE = re.compile(r"(cpu|cuda(:\d{1,3})?|mps)")


def _check_values(p: dict) -> None:
    _positive_list(p, "scales")
    _positive_list(p, "lengths", integer=True)
    if not (math.isfinite(p["lr"]) and p["lr"] > 0):
        raise InputError(f"lr={p['lr']!r} must be a positive finite step size")
    if p["steps"] < 1:
        raise InputError(f"steps={p['steps']!r} must be positive")
    if p["device"] is not None and not _DEVICE.fullmatch(p["device"]):
        raise InputError(f"device={_short(p['device'])} is not a torch device; use 'cpu', "
                         "'cuda', 'cuda:N' or 'mps'")
    if p["k"] is not None and p["k"] > MAX_LAGS:
        raise InputError(f"k={p['k']} lags are more than the {MAX_LAGS} a sweep fits (each "
                         f"loss evaluation costs k times the dimension); use k <= {MAX_LAGS}")
    for key in ("teachers", "modes") if p["family"] == "linear" else ():
        if not p[key]:
            raise InputError(f"{key} must not be empty: the sweep would hold no runs")
    if p["family"] == "linear":
        if not (math.isfinite(p["until_loss"]) and p["until_loss"] >= 0):
            raise InputError(f"until_loss={p['until_loss']!r} must be a finite loss >= 0")
        if p["backend"] == "numpy" and p["device"] not in (None, "cpu"):
            raise InputError(f"device={p['device']!r} needs backend = \"torch\"")
        for t in p["teachers"]:
            if t not in NAMED_TEACHERS:
                raise InputError(f"teachers contains {t!r}; known: {', '.join(NAMED_TEACHERS)}")
        for m in p["modes"]:
            if m not in INIT_MODES:
                raise InputError(f"modes contains {m!r}; known: {', '.join(INIT_MODES)}")
        _positive_list(p, "dims", integer=True)
        if p["trainer"] not in ("flow", "gd"):
            raise InputError(f"trainer={p['trainer']!r}: use 'flow' or 'gd'")
        if p["backend"] not in ("numpy", "torch"):
            raise InputError(f"backend={p['backend']!r}: use 'numpy' or 'torch'")
        if p["k"] is not None and p["k"] < 1:
            raise InputError(f"k={p['k']!r} must be positive")
    else:
        if p["cell"] not in ("tanh", "gru"):
            raise InputError(f"cell={p['cell']!r}: use 'tanh' or 'gru'")
        if p["optimizer"] not in ("gd", "adam"):
            raise InputError(f"optimizer={p['optimizer']!r}: use 'gd' or 'adam'")
        _positive_list(p, "teacher_dims", integer=True)
        _positive_list(p, "student_dims", integer=True)
        _positive_list(p, "thresholds")
        if p["k"] is None or p["k"] < 1:
            raise InputError(f"k={p['k']!r} must be a positive number of steps")
        for key in ("train_sequences", "test_sequences"):
            if p[key] < 1:
                raise InputError(f"{key}={p[key]!r} must be positive")
        if p["teacher_seed"] < 0:
            raise InputError(f"teacher_seed={p['teacher_seed']!r} must be >= 0")
        if not math.isfinite(p["teacher_gain"]):
            raise InputError(f"teacher_gain={p['teacher_gain']!r} must be finite")


def _check_size(p: dict) -> None:
    """Refuse, before anything runs, a sweep whose arrays cannot fit in memory."""
    q = max(p["lengths"])
    if p["family"] == "linear":
        dim = max(p["dims"])
        check_memory(16.0 * dim * max(q, 2 * min(dim, 30) + 2),
                     f"the impulse response of length {q} of a student of dimension {dim}",
                     "use shorter lengths or smaller dims")
        count = len(p["teachers"]) * len(p["dims"]) * len(p["modes"]) * len(p["scales"]) * \
            len(p["seeds"])
    else:
        batch = len(p["scales"]) * len(p["seeds"])
        dim = max(p["student_dims"] + p["teacher_dims"])
        gates = 3 if p["cell"] == "gru" else 1
        check_memory(8.0 * batch * (p["test_sequences"] * q * dim * 3
                                    + p["train_sequences"] * p["k"] * gates * dim * 4),
                     f"the hidden states of {batch} students of dimension {dim} over "
                     f"{p['test_sequences']} sequences of length {q}",
                     "use shorter lengths, fewer test sequences or smaller dims")
        count = len(p["teacher_dims"]) * len(p["student_dims"]) * batch
    if count > MAX_RUNS:
        raise InputError(f"the spec expands to {count} runs, more than {MAX_RUNS}; split it "
                         "into several sweeps")


def _expand(p: dict) -> list[dict]:
    runs = []
    if p["family"] == "linear":
        grid = itertools.product(p["teachers"], p["dims"], p["modes"], p["scales"], p["seeds"])
        for teacher, dim, mode, scale, seed in grid:
            atoms = len(NAMED_TEACHERS[teacher][0])
            k = p["k"] if p["k"] is not None else 2 * atoms + 3
            runs.append({"teacher": teacher, "dim": dim, "mode": mode, "scale": scale,
                         "seed": seed, "k": k})
    else:
        grid = itertools.product(p["teacher_dims"], p["student_dims"], p["scales"], p["seeds"])
        for tdim, sdim, scale, seed in grid:
            runs.append({"cell": p["cell"], "teacher_dim": tdim, "dim": sdim, "scale": scale,
                         "seed": seed, "k": p["k"]})
    for r in runs:
        r["run_id"] = hashlib.sha256(json.dumps(r, sort_keys=True).encode()).hexdigest()[:16]
    return runs
