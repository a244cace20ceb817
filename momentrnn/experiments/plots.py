"""Figures of a sweep's results (matplotlib, one consistent style)."""

from __future__ import annotations

import math
import os
import warnings
from collections import defaultdict

import numpy as np

from .._output import write_output
from ..errors import InputError, MissingDependencyError, MomentRNNError, OutputError
from .families import DEFAULT_FAMILY, FAMILIES, ScaleFigure, SweepRow, family_named
from .runner import scan_results, unique_rows

__all__ = ["plot_results", "save_figures"]

# the largest value a log axis shows: matplotlib's log ticks overflow for data near 1e250
LOG_CEILING = 1e200
# the meaningful range of an axis: on a log axis the values within LOG_FENCE decades times
# max(1, the median absolute deviation of their logarithms) of their median; on a linear
# axis those within LINEAR_FENCE times max(|median|, median absolute deviation) of the
# median. Values beyond it (a diverged run's 1e40, an atom at 4e5) are outliers: drawn at the
# axis edge, marked, and counted in a note on the panel
LOG_FENCE = 8.0
LINEAR_FENCE = 100.0
# the median and its deviation say nothing when half the values are outliers (a sweep of two
# scales whose larger one blew up: 1e-4 and 1e40): on a log axis, values more than LOG_GAP
# decades from any other split them into clusters, and the fence is taken around the
# cluster of the most values (the lowest on a tie: on these axes, errors and losses, the
# large values are those of runs that blew up). LOG_GAP is the width of the narrowest fence,
# wider than the span of any trained run's errors (about 1e-16 to 1)
LOG_GAP = 2 * LOG_FENCE
PANEL_COLUMNS = 3

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


class _Axis:
    """The value axis of one panel: log or linear, its limits (the meaningful range of the
    values, :data:`LOG_FENCE`), and what was drawn at its edges.

    ``anchors`` (a teacher's atoms, say) count among the values for the range and are always
    inside it; with ``clip_low=False`` only values above the range are outliers (a loss
    that falls far is no outlier)."""

    def __init__(self, values, log: bool, anchors=(), clip_low: bool = True) -> None:
        finite = [float(v) for v in values if _real(v) and math.isfinite(v)]
        # a log axis only for positive values: a value <= 0 is drawn at its lower edge
        self.log = log and any(v > 0 for v in finite)
        shown = [v for v in finite if not self.log or 0 < v <= LOG_CEILING]
        anchors = [float(a) for a in anchors if math.isfinite(float(a))
                   and (not self.log or 0 < float(a) <= LOG_CEILING)]
        self.beyond_ceiling = self.log and any(v > LOG_CEILING for v in finite)
        self.lo, self.hi = self._limits(shown, anchors, clip_low)
        self.clipped = {"above": 0, "below": 0, "not positive": 0, "unbounded": 0}

    def _limits(self, values: list[float], anchors: list[float],
                clip_low: bool) -> tuple[float, float]:
        values = values + anchors
        if not values:
            return (1.0, 10.0) if self.log else (0.0, 1.0)
        t = np.log10(values) if self.log else np.array(values)
        core = _main_cluster(t) if self.log else t
        center = float(np.median(core))
        spread = float(np.median(np.abs(core - center)))
        half = LOG_FENCE * max(spread, 1.0) if self.log else \
            LINEAR_FENCE * max(abs(center), spread)
        low = center - half if clip_low else -math.inf
        inside = t[(t >= low) & (t <= center + half)] if half > 0 else t
        if anchors:
            inside = np.concatenate([inside, np.log10(anchors) if self.log else anchors])
        lo, hi = float(inside.min()), float(inside.max())
        pad = 0.05 * (hi - lo) if hi > lo else (0.5 if self.log else max(abs(hi) * 0.1, 0.5))
        lo, hi = lo - pad, hi + pad
        return (10.0**lo, 10.0**hi) if self.log else (lo, hi)

    def place(self, value) -> tuple[float, str | None]:
        """Where a value is drawn (NaN: nowhere), and why at an edge (None: where it is)."""
        if not _real(value) or math.isnan(value):
            return math.nan, None
        if value == math.inf or (self.log and value > LOG_CEILING):
            return self.hi, "unbounded"
        if self.log and value <= 0:
            return self.lo, "not positive"
        if value > self.hi:
            return self.hi, "above"
        if value < self.lo:
            return self.lo, "below"
        return float(value), None

    def mark(self, ax, x, value, color, count: bool = True) -> float:
        """Draw a marker where an edge value is placed (and count it); the value drawn."""
        y, why = self.place(value)
        if why is not None:
            if count:
                self.clipped[why] += 1
            up = why in ("above", "unbounded")
            ax.plot([x], [y], ls="none", marker="^" if up else "v", ms=9, color=color,
                    clip_on=False)
        return y

    def finish(self, ax, axis: str = "y", unbounded: str = "unbounded",
               what: str = "value") -> None:
        """Set the scale and limits, and write a note of what was drawn at the edges."""
        getattr(ax, f"set_{axis}scale")("log" if self.log else "linear")
        getattr(ax, f"set_{axis}lim")(self.lo, self.hi)
        notes = []
        if self.clipped["unbounded"]:
            ceiling = f", or above {LOG_CEILING:.0e}" if self.beyond_ceiling else ""
            notes.append(f"^ at the top: {unbounded}{ceiling}")
        outliers = self.clipped["above"] + self.clipped["below"]
        if outliers:
            notes.append(f"{outliers} outlier {what}(s) clipped to the axis edge (^ v)")
        if self.clipped["not positive"]:
            notes.append(f"{self.clipped['not positive']} {what}(s) <= 0 drawn at the "
                         "bottom (v): not on a log axis")
        if notes:
            _note(ax, "\n".join(notes), (0.02, 0.97), "top")


#: a note's font size (points), and the width of its average character in ems (DejaVu Sans
#: lower case with spaces, about 0.55; 0.62 leaves room for capitals and digits)
NOTE_SIZE = 7
NOTE_CHAR_EMS = 0.62


def _note(ax, text: str, xy: tuple, va: str) -> None:
    """Write a note on a panel, each line wrapped to the panel's width (the figure's width
    over its columns, of which the axes take at most 70% once labelled), so that it stays
    inside its panel and the figure."""
    import textwrap

    fig = ax.figure
    spec = ax.get_subplotspec()
    cols = spec.get_gridspec().ncols if spec is not None else 1
    width = fig.get_figwidth() / cols * 0.7 * (1 - xy[0]) * 72  # points
    chars = max(16, int(width / (NOTE_SIZE * NOTE_CHAR_EMS)))
    wrapped = "\n".join(textwrap.fill(line, chars) for line in text.split("\n"))
    ax.annotate(wrapped, xy, xycoords="axes fraction", va=va, fontsize=NOTE_SIZE,
                color="0.3")


def _main_cluster(t: np.ndarray) -> np.ndarray:
    """The values of ``t`` (logarithms) of the cluster the fence is taken around: ``t``
    split where consecutive sorted values are more than :data:`LOG_GAP` apart, the cluster
    of the most values, the lowest on a tie (``t`` itself when there is no such gap)."""
    ordered = np.sort(t)
    cuts = np.flatnonzero(np.diff(ordered) > LOG_GAP)
    if cuts.size == 0:
        return t
    clusters = np.split(ordered, cuts + 1)
    return max(clusters, key=lambda c: (c.size, -c[0]))


def _real(value) -> bool:
    return isinstance(value, (int, float, np.floating, np.integer)) and \
        not isinstance(value, bool)


def _panels(rows: list[SweepRow], fields: tuple) -> dict:
    """The rows of each panel (one per value of ``fields``; one panel when there are none),
    in a stable order."""
    by: dict = defaultdict(list)
    for r in rows:
        by[tuple(r.run.get(f) for f in fields)].append(r)
    return dict(sorted(by.items(), key=lambda kv: tuple(map(str, kv[0]))))


def _panel_axes(plt, count: int, title: str, width: float = 5.0, height: float = 3.6):
    """A figure of ``count`` panels (up to :data:`PANEL_COLUMNS` a row) and its title."""
    cols = min(max(count, 1), PANEL_COLUMNS)
    nrows = math.ceil(max(count, 1) / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(width * cols, height * nrows),
                             squeeze=False)
    flat = list(axes.ravel())
    for ax in flat[count:]:
        fig.delaxes(ax)
    if hasattr(fig, "set_layout_engine"):  # the titles clear of each other
        fig.set_layout_engine("constrained")
    fig.suptitle(title)
    return fig, flat[:max(count, 1)]


def _panel_title(fields: tuple, key: tuple) -> str:
    return ", ".join(f"{f.replace('_', ' ')} {v}" for f, v in zip(fields, key))


def _curves(rows: list[SweepRow], group_keys: tuple, value) -> dict:
    by: dict = defaultdict(lambda: defaultdict(list))
    for r in rows:
        by[tuple(r.run[k] for k in group_keys)][r.run["scale"]].append(value(r))
    return by


def save_figures(script: str | None = None, argv: list[str] | None = None) -> list[str]:
    """Save every open pyplot figure of a script run by Python, and nothing under
    sphinx-gallery (whose build shows the open figures itself).

    The examples end with ``if __name__ == "__main__": save_figures()``: run as
    ``python plot_x.py [folder]`` each writes its figures as ``plot_x-1.png``,
    ``plot_x-2.png``, ... (the figure numbers) in the folder, by default the current one,
    and prints ``saved <path>`` for each.

    Parameters
    ----------
    script : str, optional
        The script's path: the file names start with its name. By default the calling
        module's ``__file__``; where it has none (sphinx-gallery runs an example without
        one), nothing is saved.
    argv : list of str, optional
        The command line (default ``sys.argv``); its first argument, if any, is the folder.

    Returns
    -------
    list of str
        The paths written; empty when sphinx-gallery runs the script (it is imported), or
        when no figure is open.

    Raises
    ------
    MissingDependencyError
        Without matplotlib.
    OutputError
        When a figure cannot be written (the folder missing or read-only).
    """
    import sys

    if script is None:
        script = sys._getframe(1).f_globals.get("__file__")
    if script is None or "sphinx_gallery" in sys.modules:  # the gallery's build shows them
        return []
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependencyError(
            "saving figures needs matplotlib; install it with pip install 'momentrnn[plot]'"
        ) from None
    argv = sys.argv if argv is None else argv
    folder = argv[1] if len(argv) > 1 else "."
    stem = os.path.splitext(os.path.basename(script))[0]
    paths = []
    for number in plt.get_fignums():
        path = os.path.join(folder, f"{stem}-{number}.png")
        try:
            plt.figure(number).savefig(path, dpi=150, bbox_inches="tight")
        except OSError as exc:
            raise OutputError(f"cannot write the figure {path!r}: {exc.strerror or exc}"
                              ) from None
        print("saved", path)
        paths.append(path)
    return paths


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
            written += _training_curves(rows, out_dir, formats, plt, pending,
                                        family.panel_fields)
    except MomentRNNError:
        raise
    except (ValueError, OverflowError) as exc:  # matplotlib cannot place these values
        raise InputError(f"the figures cannot be drawn from {results} ({str(exc)[:120]}); "
                         "no figure was written: check the results' values (a diverged "
                         "run's atoms?)") from None

    for path, data in pending:
        write_output(path, lambda p, data=data: _write_bytes(p, data), option="figure")
    return written


def _write_bytes(path: str, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)


def _scale_figure(rows: list[SweepRow], figure: ScaleFigure, out_dir, formats, plt,
                  pending: list | None = None) -> list[str]:
    """Median and interquartile band over seeds against the scale, one panel per value of the
    figure's ``panel_fields`` (a teacher), one curve per value of its other group fields. The
    value axis shows the meaningful range (:class:`_Axis`): outlier medians, infinite ones and
    (on a log axis) those <= 0 are drawn at its edge, marked, and counted in a note."""
    panels = _panels(rows, figure.panel_fields)
    fig, axes = _panel_axes(plt, len(panels), f"{figure.ylabel} against the initialisation "
                            "scale")
    curve_fields = tuple(f for f in figure.group_fields if f not in figure.panel_fields)
    for (key, panel_rows), ax in zip(panels.items(), axes):
        curves = _curves(panel_rows, curve_fields, figure.value)
        stats = {k: {s: _median_band(vs) for s, vs in by.items()} for k, by in curves.items()}
        axis = _Axis([v for by in stats.values() for band in by.values() for v in band],
                     figure.log)
        labelled = False
        for group, by_scale in sorted(stats.items(), key=lambda kv: str(kv[0])):
            scales = sorted(by_scale)
            if all(math.isnan(by_scale[s][0]) for s in scales):
                continue  # no value that is one number (counted in the left-out note)
            label = _panel_title(curve_fields, group)  # "mode random", "dim 32"
            labelled = labelled or bool(label)
            med = [axis.place(by_scale[s][0])[0] for s in scales]
            line, = ax.plot(scales, med, marker="o", label=label or None)
            color = line.get_color()
            for s in scales:
                axis.mark(ax, s, by_scale[s][0], color)
            ax.fill_between(scales, [axis.place(by_scale[s][1])[0] for s in scales],
                            [axis.place(by_scale[s][2])[0] for s in scales], alpha=0.2,
                            color=color)
        if figure.left_out is not None:  # values that are not one number: counted, said
            why: dict = {}
            for r in panel_rows:
                reason = figure.left_out(r)
                if reason is not None:
                    why[reason] = why.get(reason, 0) + 1
            if why:
                _note(ax, "left out (not one number): " + ", ".join(
                    f"{n} {reason}" for reason, n in sorted(why.items())), (0.02, 0.03),
                    "bottom")
        if axis.clipped["unbounded"]:
            ax.axhline(axis.hi, color="0.5", lw=0.8, ls=":")
        axis.finish(ax, unbounded=figure.unbounded, what="median")
        ax.set_xscale("log")
        if not ax.lines:  # nothing drawn: the scales of the panel's runs still set the axis
            scales = [r.run["scale"] for r in panel_rows]
            ax.set_xlim(min(scales) / 2, max(scales) * 2)
        ax.set(xlabel="initialisation scale", ylabel=figure.ylabel)
        if figure.panel_fields:
            ax.set_title(_panel_title(figure.panel_fields, key))
        if labelled:
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


def _training_curves(rows, out_dir, formats, plt, pending: list | None = None,
                     panel_fields: tuple = ()) -> list[str]:
    """The loss against time or step of every run, one panel per value of ``panel_fields``;
    the loss axis shows its meaningful range (:class:`_Axis`), and a note counts the curves
    that leave it. Time or step 0 is drawn on a symmetric-log axis, not moved."""
    panels = _panels(rows, panel_fields)
    fig, axes = _panel_axes(plt, len(panels), "training loss")
    cmap = plt.get_cmap("viridis")
    scales = sorted({r.run["scale"] for r in rows})
    for (key, panel_rows), ax in zip(panels.items(), axes):
        curves = []
        for r in panel_rows:
            curve = [p for p in _list(r.loss_curve) if isinstance(p, list) and len(p) == 2
                     and all(_real(v) and math.isfinite(v) for v in p)]
            if curve:
                curves.append((r.run["scale"], curve))
        axis = _Axis([p[1] for _, c in curves for p in c], log=True, clip_low=False)
        xs = [p[0] for _, c in curves for p in c]
        leave = 0
        for s, curve in curves:
            color = cmap(scales.index(s) / max(len(scales) - 1, 1))
            ys = [p[1] for p in curve]
            placed = [axis.place(y) for y in ys]
            leave += any(why is not None for _, why in placed)
            ax.plot([p[0] for p in curve], [y for y, _ in placed], color=color, alpha=0.6,
                    lw=1)
        for i, s in enumerate(scales):
            if any(c[0] == s for c in curves):
                ax.plot([], [], color=cmap(i / max(len(scales) - 1, 1)), label=f"scale {s:g}")
        axis.finish(ax)
        if leave:
            _note(ax, f"{leave} of {len(curves)} curve(s) clipped: they leave the axis "
                  "(outliers, or loss <= 0) and run along its edge", (0.02, 0.03), "bottom")
        positive = [x for x in xs if x > 0]
        if positive and min(xs) > 0:
            ax.set_xscale("log")
        elif positive:  # a curve starts at time or step 0: not on a log axis
            ax.set_xscale("symlog", linthresh=min(positive))
            ax.set_xlim(left=min(xs))
        ax.set(xlabel="time or step", ylabel="training loss")
        if panel_fields:
            ax.set_title(_panel_title(panel_fields, key))
        if curves:
            ax.legend()
    return _save(fig, out_dir, "training_curves", formats, plt, pending)
