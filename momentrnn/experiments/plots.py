"""Figures of a sweep's results (matplotlib, one consistent style)."""

from __future__ import annotations

import math
import os
import warnings
from collections import defaultdict

import numpy as np

from ..errors import InputError, MissingDependencyError, MomentRNNError, OutputError
from .families import DEFAULT_FAMILY, FAMILIES, ScaleFigure, SweepRow, family_named
from .runner import scan_results, unique_rows

__all__ = ["plot_results"]

# the largest value a log axis shows: matplotlib's log ticks overflow for data near 1e250
LOG_CEILING = 1e200

STYLE = {"figure.figsize": (5.5, 3.8), "axes.grid": True, "grid.alpha": 0.3,
         "axes.spines.top": False, "axes.spines.right": False, "font.size": 10,
         "legend.fontsize": 8, "savefig.dpi": 150, "savefig.bbox": "tight"}


class _Figures:
    """The part of pyplot the figures use, without pyplot: no backend is chosen or changed and
    no figure is kept in a global registry (each is a ``Figure`` that is saved and dropped),
    so plotting from a notebook or a GUI session leaves it as it was."""

    def __init__(self) -> None:
        try:
            import matplotlib
            from matplotlib.figure import Figure
        except ImportError:
            raise MissingDependencyError(
                "plots need matplotlib; install it with pip install 'momentrnn[plot]'"
            ) from None
        self._matplotlib, self._figure = matplotlib, Figure

    def rc_context(self, style: dict):
        return self._matplotlib.rc_context(style)

    def subplots(self, *args, **kwargs):
        """``(figure, axes)`` as ``pyplot.subplots`` gives them."""
        figsize = kwargs.pop("figsize", None)
        fig = self._figure(figsize=figsize)
        return fig, fig.subplots(*args, **kwargs)

    def get_cmap(self, name: str):
        return self._matplotlib.colormaps[name]

    def close(self, fig) -> None:
        """Nothing to release: the figure is not registered anywhere."""


def _plt() -> _Figures:
    return _Figures()


def _family_of(row: dict) -> str:
    family = row.get("family", DEFAULT_FAMILY)
    return family if isinstance(family, str) else repr(family)


def _median_band(values: list[float]) -> tuple[float, float, float]:
    """Median and quartiles; an infinite value (an atom outside the unit disc) counts as +inf,
    it is not dropped."""
    arr = np.array([math.inf if v is None else v for v in values], dtype=float)
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        return math.nan, math.nan, math.nan
    with np.errstate(invalid="ignore"):
        return (float(np.median(arr)), float(np.percentile(arr, 25)),
                float(np.percentile(arr, 75)))


def _curves(rows: list[SweepRow], group_keys: tuple, value) -> dict:
    by: dict = defaultdict(lambda: defaultdict(list))
    for r in rows:
        by[tuple(r.run[k] for k in group_keys)][r.run["scale"]].append(value(r))
    return by


def plot_results(results: str, out_dir: str, *, formats: tuple = ("png", "svg")) -> list[str]:
    """Write the sweep's figures to ``out_dir``; returns the file paths.

    Linear sweeps: extrapolation error and effective dimension against the initialisation scale
    (median and interquartile band over seeds, one curve per teacher and mode), learned atoms
    against the teacher's, training curves. Non-linear sweeps: relative extrapolation error and
    hidden-state rank against the scale, training curves.
    """
    if not formats:
        raise InputError("formats is empty: give png, svg or pdf")
    for f in formats:
        if f not in ("png", "svg", "pdf"):
            raise InputError(f"format {str(f)[:40]!r}: use png, svg or pdf")
    if not os.path.exists(results):
        raise InputError(f"results file {results!r} does not exist")
    if os.path.isdir(results):
        raise InputError(f"results file {results!r} is a folder; give the JSONL file")
    scan = scan_results(results)
    notes = scan.notes()
    names = [_family_of(r) for r in scan.rows]
    # the first registered family named; a file of an unregistered family is refused by name
    name = next((f for f in names if f in FAMILIES), names[0] if names else DEFAULT_FAMILY)
    family = family_named(name)
    if "scale" not in family.run_fields:
        raise InputError(f"{results} holds {name} runs, which have no 'scale' field: the "
                         "figures are drawn against the initialisation scale")
    rows, repeats = unique_rows([r for r in scan.rows if _family_of(r) == name])
    typed = [family.read_row(r) for r in rows]
    usable = [r for r in typed if r is not None and family.usable(r)]
    if len(usable) < len(rows):
        notes.append(f"{results}: {len(rows) - len(usable)} row(s) lack the fields of a "
                     f"completed {name} run and were skipped")
    if repeats:
        notes.append(f"{results}: {repeats} repeated row(s) of one run were counted once")
    other = sum(1 for r in scan.rows if _family_of(r) != name)
    if other:
        notes.append(f"{results}: {other} row(s) of another family than {name} were skipped")
    for note in notes:
        warnings.warn(note, stacklevel=2)
    rows = usable
    if not rows:
        raise InputError(f"{results} holds no completed runs")
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the figures folder {out_dir!r}: "
                          f"{exc.strerror or exc}") from None
    if not os.access(out_dir, os.W_OK):
        raise OutputError(f"the figures folder {out_dir!r} is not writable")
    plt = _plt()
    written: list[str] = []
    pending: list[tuple[str, bytes]] = []  # every figure is drawn before any is written
    try:
        with plt.rc_context(STYLE):
            for figure in family.scale_figures(rows):
                written += _scale_figure(rows, figure, out_dir, formats, plt, pending)
            written += family.extra_figures(
                rows, out_dir, formats, plt,
                lambda fig, name: _save(fig, out_dir, name, formats, plt, pending))
            written += _training_curves(rows, out_dir, formats, plt, pending)
    except MomentRNNError:
        raise
    except (ValueError, OverflowError) as exc:  # matplotlib cannot place these values
        raise InputError(f"the figures cannot be drawn from {results} ({str(exc)[:120]}); "
                         "no figure was written: check the results' values (a diverged "
                         "run's atoms?)") from None
    from .._output import write_output

    for path, data in pending:
        write_output(path, lambda p, data=data: _write_bytes(p, data), option="figure")
    return written


def _write_bytes(path: str, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)


def _scale_figure(rows: list[SweepRow], figure: ScaleFigure, out_dir, formats, plt,
                  pending: list | None = None) -> list[str]:
    """Median and interquartile band over seeds against the scale, one curve per group."""
    curves = _curves(rows, figure.group_fields, figure.value)
    fig, ax = plt.subplots()
    finite = [v for by in curves.values() for vs in by.values() for v in vs
              if v is not None and math.isfinite(v)]
    # values beyond the ceiling (a diverged run) are drawn at the cap, as infinite ones are
    beyond = figure.log and any(v > LOG_CEILING for v in finite)
    if figure.log:
        finite = [v for v in finite if v <= LOG_CEILING]
    cap = (max(finite) * 100 if figure.log else max(finite) + 1) if finite else (
        LOG_CEILING if beyond else 1.0)
    unbounded = False
    for key, by_scale in sorted(curves.items(), key=lambda kv: str(kv[0])):
        scales = sorted(by_scale)
        stats = [[min(v, cap) for v in _median_band(by_scale[s])] for s in scales]
        med = [s[0] for s in stats]
        line, = ax.plot(scales, med, marker="o", label=" / ".join(map(str, key)))
        ax.fill_between(scales, [s[1] for s in stats], [s[2] for s in stats], alpha=0.2,
                        color=line.get_color())
        top = [(s, m) for s, m in zip(scales, med) if m >= cap]
        if top:
            unbounded = True
            ax.plot(*zip(*top), ls="none", marker="^", ms=10, color=line.get_color())
    if unbounded:
        ax.axhline(cap, color="0.5", lw=0.8, ls=":")
        note = f"{figure.unbounded}, or above {LOG_CEILING:.0e}" if beyond else \
            figure.unbounded
        ax.annotate(note, (0.02, 0.97), xycoords="axes fraction", va="top", fontsize=8,
                    color="0.3")
    ax.set_xscale("log")
    if figure.log:
        ax.set_yscale("log")
    ax.set(xlabel="initialisation scale", ylabel=figure.ylabel)
    ax.legend()
    return _save(fig, out_dir, figure.name, formats, plt, pending)


def _save(fig, out_dir, name, formats, plt, pending: list | None = None) -> list[str]:
    """Draw ``fig`` in each format into memory (``pending``); plot_results writes them once
    every figure has been drawn, so a figure that cannot be drawn leaves no file behind
    (without ``pending`` each is written at once)."""
    import io

    paths = []
    try:
        for f in formats:
            path = os.path.join(out_dir, f"{name}.{f}")
            buffer = io.BytesIO()
            try:
                fig.savefig(buffer, format=f)
            except (ValueError, OverflowError) as exc:
                raise InputError(f"the figure {name!r} cannot be drawn from these results "
                                 f"({str(exc)[:120]}); no figure was written: check the "
                                 "results file's values") from None
            if pending is None:
                from .._output import write_output

                data = buffer.getvalue()
                write_output(path, lambda p, data=data: _write_bytes(p, data), option="figure")
            else:
                pending.append((path, buffer.getvalue()))
            paths.append(path)
    finally:
        plt.close(fig)
    return paths


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _training_curves(rows, out_dir, formats, plt, pending: list | None = None) -> list[str]:
    fig, ax = plt.subplots()
    scales = sorted({r.run["scale"] for r in rows})
    cmap = plt.get_cmap("viridis")
    for i, s in enumerate(scales):
        for r in rows:
            curve = [p for p in _list(r.loss_curve) if isinstance(p, list) and len(p) == 2
                     and all(isinstance(v, (int, float)) for v in p)]
            if r.run["scale"] == s and curve:
                xs = [max(p[0], 1e-3) for p in curve]
                ys = [max(p[1], 1e-300) for p in curve]
                ax.plot(xs, ys, color=cmap(i / max(len(scales) - 1, 1)), alpha=0.6, lw=1)
        ax.plot([], [], color=cmap(i / max(len(scales) - 1, 1)), label=f"scale {s:g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(xlabel="time or step", ylabel="training loss")
    ax.legend()
    return _save(fig, out_dir, "training_curves", formats, plt, pending)
