"""Declarative sweep specifications (TOML files or dictionaries) and their expansion into runs."""

from __future__ import annotations

import hashlib
import itertools
import json
import tomllib
from dataclasses import dataclass, field

from ..errors import InputError
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


def _seeds(value) -> list[int]:
    if isinstance(value, int):
        if value < 1:
            raise InputError(f"seeds={value} must be a positive count or a list of seeds")
        return list(range(value))
    if not value or not all(isinstance(s, int) and not isinstance(s, bool) for s in value):
        raise InputError(f"seeds={value!r} must be a positive count or a list of integers")
    return list(value)


def read_spec_file(path: str) -> dict:
    """The raw key-value table of a TOML spec file, with read and syntax errors named."""
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise InputError(f"cannot read spec {path!r}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"spec {path!r} is not valid TOML: {exc}") from None


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
            try:
                raw = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise InputError(f"spec is not valid TOML: {exc}") from None
    family = raw.get("family", "linear")
    defaults = {"linear": LINEAR_DEFAULTS, "nonlinear": NONLINEAR_DEFAULTS}.get(family)
    if defaults is None:
        raise InputError(f"family={family!r} is not known; use 'linear' or 'nonlinear'")
    unknown = sorted(set(raw) - set(defaults))
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(unknown)} for a {family} sweep; known: "
                         f"{', '.join(sorted(defaults))}")
    params = {**defaults, **raw}
    for key, value in params.items():
        if not isinstance(value, _TYPES[key]) or isinstance(value, bool):
            raise InputError(f"{key}={value!r} has the wrong type")
    params["seeds"] = _seeds(params["seeds"])
    _check_values(params)
    return SweepSpec(params, _expand(params))


def _positive_list(params: dict, key: str, integer: bool = False) -> None:
    values = params[key]
    if not values:
        raise InputError(f"{key} must not be empty")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0 or (
                integer and not isinstance(v, int)):
            raise InputError(f"{key} contains {v!r}; it must hold positive "
                             f"{'integers' if integer else 'numbers'}")


def _check_values(p: dict) -> None:
    _positive_list(p, "scales")
    _positive_list(p, "lengths", integer=True)
    if not p["lr"] > 0:
        raise InputError(f"lr={p['lr']!r} must be positive")
    if p["steps"] < 1:
        raise InputError(f"steps={p['steps']!r} must be positive")
    if p["family"] == "linear":
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
        if p["k"] < 1:
            raise InputError(f"k={p['k']!r} must be positive")


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
