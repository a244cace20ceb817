import json
import math
import time
from fractions import Fraction

import flint
import pytest
import sympy


def legendre_moments(n):
    return [Fraction(2, j + 1) if j % 2 == 0 else 0 for j in range(2 * n)]


def laguerre_moments(n):
    out, f = [], 1
    for j in range(2 * n):
        out.append(f)
        f *= j + 1
    return out


def hermite_moments_over_sqrt_pi(n):
    """int x^j exp(-x^2) dx / sqrt(pi): (2k)! / (4^k k!) for j = 2k, 0 for odd j."""
    out = []
    for j in range(2 * n):
        if j % 2:
            out.append(0)
        else:
            k = j // 2
            out.append(Fraction(math.factorial(2 * k), 4**k * math.factorial(k)))
    return out


def correct_digits(got, want, ctx):
    """Normwise relative correct digits of two lists (sorted alike)."""
    err = max(abs(ctx.mpmathify(g) - w) for g, w in zip(got, want))
    scale = max(abs(w) for w in want)
    if err == 0:
        return float("inf")
    return float(-ctx.log10(err / scale))


def plotted_figures(rows, tmp_path, monkeypatch) -> dict:
    """Plot the rows; the figures drawn, by name, kept instead of written."""
    pytest.importorskip("matplotlib")
    from momentrnn.experiments import plots

    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    seen = {}

    def keep(fig, out_dir, name, formats, plt, pending=None):
        fig.canvas.draw()  # as saving would: texts and limits final
        seen[name] = fig
        return [name]

    monkeypatch.setattr(plots, "_save", keep)
    plots.plot_results(str(path), str(tmp_path / "figs"), formats=("png",))
    return seen


def one_line_refusal(call, *patterns: str, seconds: float = 5.0, clock=time.process_time) -> str:
    """The one-line package error ``call`` raises before any work (within ``seconds`` of
    ``clock``), holding every one of ``patterns``; returns its message."""
    import pytest

    from momentrnn.errors import InputError

    start = clock()
    with pytest.raises(InputError) as info:
        call()
    assert clock() - start < seconds  # before any work
    message = str(info.value)
    assert "\n" not in message
    for pattern in patterns:
        assert pattern in message, message
    return message


def exact_mp(ctx, v):
    """A returned number (int, Fraction, float, complex, numpy scalar, mpmath, sympy, an
    AlgebraicNumber, a python-flint ball's midpoint) as a number of the mpmath context
    ``ctx``: exactly, where ``ctx`` has the bits (sympy values evaluated 20 digits past it)."""
    if isinstance(v, flint.acb):
        return ctx.mpc(exact_mp(ctx, v.real), exact_mp(ctx, v.imag))
    if isinstance(v, flint.arb):
        man, exp = v.mid().man_exp()
        return ctx.ldexp(ctx.mpf(int(man)), int(exp))
    if isinstance(v, (int, Fraction)):
        return ctx.mpf(Fraction(v).numerator) / Fraction(v).denominator
    if isinstance(v, complex) or (hasattr(v, "dtype") and v.dtype.kind == "c"):
        return ctx.mpc(float(v.real), float(v.imag))
    if isinstance(v, float) or (hasattr(v, "dtype") and v.dtype.kind == "f"):
        return ctx.mpf(float(v))
    if hasattr(v, "to_mp"):  # an AlgebraicNumber
        return v.to_mp(ctx)
    if isinstance(v, sympy.Basic):
        re, im = sympy.N(v, ctx.dps + 20).as_real_imag()
        return ctx.mpc(ctx.mpf(str(re)), ctx.mpf(str(im)))
    return ctx.mpmathify(v)
