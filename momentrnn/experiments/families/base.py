"""What a sweep family is: the :class:`SweepFamily` protocol and the typed :class:`SweepRow`.

A family owns everything that differs between kinds of sweep: the spec keys and their defaults,
their validation, the expansion of the grid into runs, which runs share one batched task, the
runner of one task, the summary table and the figures. The sweep runner, the results file, the
command line and the plots are written once, over this interface.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..._format import table_lines
from ..._limits import MAX_LAGS, MAX_SEED
from ..._limits import MAX_SEEDS as _MAX_SEEDS
from ..._output import restore_non_finite
from ..._validate import finite
from ...errors import InputError

__all__ = ["SweepFamily", "SweepRow", "ScaleFigure", "positive_list", "seed_list", "short",
           "check_training", "longest_common_length", "median", "whole"]


@dataclass
class SweepRow:
    """One run's results, typed: the run's parameters, its metrics and how training ended.

    A results file holds one flat JSON object per row (:meth:`to_json`; standard JSON, a
    non-finite number written as ``"inf"``, ``"-inf"`` or ``"nan"`` and read back as the
    float): the run's fields,
    ``training_loss``, each per-length metric as ``<metric>_<length>``, the other metrics, then
    ``status``, ``diverged_step``, ``loss_curve`` and ``seconds``. :meth:`SweepFamily.read_row`
    reads such an object back.

    Attributes
    ----------
    run : dict
        The run as the family's expansion made it (with ``run_id``).
    training_loss : float or None
        The loss at the end of training (left out of the JSON object when None).
    at_length : dict of int to dict
        Per-length metrics: ``at_length[q][name]`` is metric ``name`` measured at length ``q``.
    metrics : dict
        The other metrics, by name.
    status : str or None
        How training ended (``'diverged'`` counts as diverged in summaries); None in a row
        read back without one.
    diverged_step : int or None
    loss_curve : list of [time or step, loss]
    seconds : float or None
        Run time (one task's time shared among its runs when they run batched).
    """

    run: dict
    training_loss: float | None = None
    at_length: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    status: str | None = "finished"
    diverged_step: int | None = None
    loss_curve: list = field(default_factory=list)
    seconds: float | None = 0.0

    def value(self, name: str, length: int | None = None) -> Any:
        """Metric ``name`` (at ``length`` for a per-length metric); None when absent."""
        if length is not None:
            return self.at_length.get(length, {}).get(name)
        return self.metrics.get(name)

    def lengths(self, name: str) -> set[int]:
        """The lengths at which the row has metric ``name``."""
        return {q for q, values in self.at_length.items() if name in values}

    def to_json(self) -> dict:
        """The flat JSON object of the row (run_id first)."""
        out = {"run_id": self.run.get("run_id")}
        out.update(self.run)
        if self.training_loss is not None:
            out["training_loss"] = self.training_loss
        for q, values in self.at_length.items():
            for name, v in values.items():
                _put(out, f"{name}_{q}", v)
        for name, v in self.metrics.items():
            _put(out, name, v)
        for name, v in (("status", self.status), ("diverged_step", self.diverged_step),
                        ("loss_curve", self.loss_curve), ("seconds", self.seconds)):
            _put(out, name, v)
        return out


    @classmethod
    def from_dict(cls, data: dict) -> SweepRow:
        """The row of a results file's JSON object (or a ``"sweep_row"`` document), read by
        its family (``"family"``, default linear)."""
        from .registry import FAMILIES

        data = restore_non_finite({k: v for k, v in data.items() if k != "kind"})
        name = data.get("family", "linear")
        family = FAMILIES.get(name)
        row = family.read_row(data) if family is not None else None
        if row is None:
            raise InputError(f"the object is not a sweep row of a known family ({name!r}): "
                             "its run fields are missing or of the wrong type")
        return row


def _put(out: dict, key: str, value) -> None:
    if key in out:
        raise InputError(f"a sweep row would hold {key!r} twice (a metric named like a run "
                         "field or another metric); rename the metric")
    out[key] = value


_LENGTH_SUFFIX = re.compile(r"_(\d+)")
_TRAILER = ("status", "diverged_step", "loss_curve", "seconds")


@dataclass(frozen=True)
class ScaleFigure:
    """A figure of one value against the initialisation scale: the median and quartiles over
    seeds, one curve per value of ``group_fields``.

    Attributes
    ----------
    name : str
        The file name (without extension).
    ylabel : str
        The label of the value axis.
    group_fields : tuple of str
        Run fields: one curve per value.
    value : callable
        ``value(row: SweepRow) -> float or None``: the value drawn for a row.
    log : bool
        A logarithmic value axis.
    unbounded : str
        What an infinite value means; such values are drawn on a line above the others,
        marked, and explained by this text.
    panel_fields : tuple of str
        Run fields: one panel per value (a teacher), titled with it; the curves of a panel
        are those of the other ``group_fields``.
    left_out : callable or None
        ``left_out(row) -> str or None``: why a row's value is not one number (``value``
        gives NaN for it, which no median counts), e.g. ``'ambiguous'``; the panel counts
        them in a note.
    """

    name: str
    ylabel: str
    group_fields: tuple
    value: Callable[[SweepRow], float | None]
    log: bool = True
    unbounded: str = "unbounded"
    panel_fields: tuple = ()
    left_out: Callable[[SweepRow], str | None] | None = None


class SweepFamily:
    """A kind of sweep. Subclass it, fill in the class attributes and the methods marked
    "subclasses define", and register one instance with
    :func:`~momentrnn.experiments.families.register_family`.

    Attributes
    ----------
    name : str
        The value of the spec's ``family`` key.
    description : str
        One line saying what the family's runs are.
    defaults : dict
        Every key a spec of the family may set (``family`` excepted), with its default.
    types : dict
        The accepted Python type(s) of each key of ``defaults``.
    grid_keys : tuple of str
        The list-valued keys crossed by the grid (their lengths multiply to the run count).
    run_fields : dict
        The fields of a run (besides ``run_id``) and their types, in row order.
    group_fields : tuple of str
        The run fields that the runs of one task share (one batched program per value).
    table_fields : tuple of str
        The run fields of one line of the summary table.
    length_metrics : tuple of str
        The metrics measured at each length ``q``, stored as ``<metric>_<q>``.
    headline : str
        The per-length metric the summary table and the first figure show.
    panel_fields : tuple of str
        The run fields that name a teacher: the figures have one panel per value.
    metric_schemas : dict
        The JSON Schema of each metric a row holds, by name (a per-length metric once, under
        its name; the row's ``<metric>_<q>``): with :attr:`run_fields` it makes the
        published schema of a row (``momentrnn._schema.json_schema``), which refuses any other
        key.
    reports_steps : bool
        Its :meth:`run_group` takes a keyword ``steps``, a callable ``steps(done, total)`` to
        call as training goes (the sweep's progress line shows the steps of the runs in
        flight and the time left).
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    defaults: ClassVar[dict] = {}
    types: ClassVar[dict] = {}
    grid_keys: ClassVar[tuple] = ()
    run_fields: ClassVar[dict] = {}
    group_fields: ClassVar[tuple] = ()
    table_fields: ClassVar[tuple] = ()
    length_metrics: ClassVar[tuple] = ()
    headline: ClassVar[str] = ""
    panel_fields: ClassVar[tuple] = ()
    metric_schemas: ClassVar[dict] = {}
    reports_steps: ClassVar[bool] = False

    # -- the spec ------------------------------------------------------------------------

    def validate(self, params: dict) -> dict:
        """Check the values of a spec whose keys and types are already checked; return the
        parameters (normalised, e.g. a seed count as the list of seeds). Raise
        :class:`InputError` naming the key and the fix."""
        return params

    def check_size(self, params: dict) -> int:
        """Refuse, before anything runs, a sweep whose arrays cannot fit in memory; return the
        number of runs (computed without expanding the grid)."""
        return math.prod(len(params[k]) for k in self.grid_keys)

    def expand(self, params: dict) -> list[dict]:
        """The runs of a validated spec, each a dict of the ``run_fields`` (subclasses
        define)."""
        raise NotImplementedError

    def group_key(self, run: dict) -> tuple:
        """Runs with the same key may run as one batched task."""
        return tuple(run[f] for f in self.group_fields)

    # -- running -------------------------------------------------------------------------

    def run_group(self, params: dict, runs: list[dict]) -> list[SweepRow]:
        """Execute runs that share a group key; one row per run, in order (subclasses
        define; with :attr:`reports_steps`, it also takes the keyword ``steps``)."""
        raise NotImplementedError

    # -- reading results -----------------------------------------------------------------

    def read_row(self, data: dict) -> SweepRow | None:
        """The typed row of a JSON object of a results file; None when its run fields are
        missing or of the wrong kind (not a completed run of this family)."""
        run = {}
        for name, kind in self.run_fields.items():
            v = data.get(name)
            if isinstance(v, bool) or not isinstance(v, kind):
                return None
            run[name] = v
        run["run_id"] = data.get("run_id")
        at_length: dict = {}
        metrics: dict = {}
        for key, v in data.items():
            if key in run or key in _TRAILER or key == "training_loss":
                continue
            for name in self.length_metrics:
                if key.startswith(name):
                    m = _LENGTH_SUFFIX.fullmatch(key, len(name))
                    if m:
                        at_length.setdefault(int(m.group(1)), {})[name] = v
                        break
            else:
                metrics[key] = v
        loss, status, step, curve, seconds = (data.get(k) for k in (
            "training_loss", "status", "diverged_step", "loss_curve", "seconds"))
        return SweepRow(run, loss if _number(loss) else None, at_length, metrics,
                        status if isinstance(status, str) else None,
                        step if isinstance(step, int) and not isinstance(step, bool) else None,
                        curve if isinstance(curve, list) else [],
                        seconds if _number(seconds) else None)

    def usable(self, row: SweepRow) -> bool:
        """A row the figures can draw: a status, a positive scale and the headline metric at
        some length (families add their own conditions)."""
        scale = row.run.get("scale")
        return (row.status is not None and _number(scale) and scale > 0
                and any(self.headline in values for values in row.at_length.values()))

    def summary_table(self, rows: list[SweepRow]) -> tuple[list[str], list[list]]:
        """The summary of the (typed, non-empty) rows of one spec as ``(head, rows)``: column
        titles and the cells of each line (subclasses define; :meth:`table` writes it)."""
        raise NotImplementedError

    def table(self, rows: list[dict]) -> list[str]:
        """The summary table of rows read from a results file: those that are runs of this
        family, typed; a line saying so when there is none."""
        typed = [r for r in map(self.read_row, rows) if r is not None]
        if not typed:
            return ["(no complete rows to summarise)"]
        head, body = self.summary_table(typed)
        return table_lines(head, body, markdown=True)

    # -- figures -------------------------------------------------------------------------

    def scale_figures(self, rows: list[SweepRow]) -> list[ScaleFigure]:
        """The figures drawn against the initialisation scale."""
        return []

    def extra_figures(self, rows: list[SweepRow], out_dir: str, formats: tuple, plt,
                      save: Callable) -> list[str]:
        """Figures of the family's own kind; ``save(fig, name)`` writes one, returning the
        paths."""
        return []


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def median(values) -> float:
    """The median of the numbers among ``values`` (NaN when there is none)."""
    import numpy as np

    vals = [float(v) for v in values if _number(v)]
    return float(np.median(vals)) if vals else float("nan")


def longest_common_length(rows: list[SweepRow], metric: str) -> int | None:
    """The largest length at which every row has ``metric``."""
    common = None
    for r in rows:
        have = r.lengths(metric)
        common = have if common is None else common & have
    return max(common) if common else None


# -- checks shared by the families -------------------------------------------------------


def short(value) -> str:
    """A value quoted for an error message, cut when long."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text)} characters)"


MAX_SEEDS = _MAX_SEEDS  # the table: momentrnn._limits


def seed_list(value) -> list[int]:
    """A seed count or list of seeds as the list of seeds."""
    if isinstance(value, int):
        if value < 1 or value > MAX_SEEDS:
            raise InputError(f"seeds={short(value)} must be a count from 1 to {MAX_SEEDS} or a "
                             "list of seeds")
        return list(range(value))
    value = [whole(s) for s in value]
    if not value or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                            for s in value):
        raise InputError(f"seeds={short(value)} must be a positive count or a non-empty list "
                         "of non-negative integers")

    big = [s for s in value if s > MAX_SEED]
    if big:  # torch and numpy seeds are C long longs
        raise InputError(f"seeds holds {short(big[0])}, beyond 2**63 - 1, the largest seed "
                         "the random generators take; use seeds below 2**63")
    return list(value)


def whole(value):
    """A whole number written as a float (``5.0``, ``2e4``) as the integer it is; any other
    value as it is. Beyond 2**53 a float is not always the integer written (its neighbours
    are 2 apart): it is left a float, which an integer key refuses."""
    if (isinstance(value, float) and math.isfinite(value) and value == math.floor(value)
            and abs(value) <= 2.0**53):
        return int(value)
    return value


def positive_list(params: dict, key: str, integer: bool = False) -> None:
    """Refuse an empty list, or one holding anything but positive finite numbers; with
    ``integer``, whole numbers, a whole float (``5.0``) being its integer (written back into
    ``params``, so that ``[5, 5.0]`` holds one value twice, which the spec then merges)."""
    values = params[key]
    if integer and isinstance(values, list):
        values = params[key] = [whole(v) for v in values]
    if not values:
        raise InputError(f"{key} must not be empty")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0 or (
                integer and not isinstance(v, int)) or not math.isfinite(v):
            raise InputError(f"{key} contains {short(v)}; it must hold positive finite "
                             f"{'integers' if integer else 'numbers'}")


_DEVICE = re.compile(r"(cpu|cuda(:\d{1,3})?|mps)")


def check_training(p: dict) -> None:
    """The keys every teacher-student family has: scales, lengths, lr, steps, device, k."""

    positive_list(p, "scales")
    positive_list(p, "lengths", integer=True)

    if not (finite(p["lr"]) and p["lr"] > 0):
        raise InputError(f"lr={short(p['lr'])} must be a positive finite step size")
    if p["steps"] < 1:
        raise InputError(f"steps={p['steps']!r} must be positive")
    if p["device"] is not None and not _DEVICE.fullmatch(p["device"]):
        raise InputError(f"device={short(p['device'])} is not a torch device; use 'cpu', "
                         "'cuda', 'cuda:N' or 'mps'")
    # a list: a grid axis; a whole float (5.0) is its integer, as in every integer list
    given = p["k"]
    p["k"] = [whole(k) for k in given] if isinstance(given, list) else whole(given)
    ks = p["k"] if isinstance(p["k"], list) else [p["k"]]
    odd = [k for k in ks if k is not None and (isinstance(k, bool) or not isinstance(k, int))]
    if not ks or odd:
        what = f" holds {short(odd[0])}, not an integer" if odd else " is empty"
        raise InputError(f"k={short(given)}{what}: k must be a positive integer or a "
                         "non-empty list of positive integers, e.g. k = [5, 9]")
    for k in ks:
        if k is not None and k > MAX_LAGS:
            raise InputError(f"k={k} lags are more than the {MAX_LAGS} a sweep fits (each "
                             f"loss evaluation costs k times the dimension); use k <= "
                             f"{MAX_LAGS}")
