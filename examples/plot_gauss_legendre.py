r"""
Gauss–Legendre rules from their moments, to 50 digits
=====================================================

The :math:`n`-point Gauss–Legendre rule is the :math:`n`-atom measure whose moments are those
of the Lebesgue measure on :math:`[-1, 1]`: :math:`m_j = 2/(j+1)` for even :math:`j`, 0 for
odd :math:`j`. Recovering it from the moments is a hard test: the Hankel matrix has condition
number about :math:`5.83^n` (claim M5).
"""

from fractions import Fraction

import matplotlib.pyplot as plt
import mpmath
import numpy as np

from momentrnn import Float64, recover_measure

# %%
# Exact moments, and a reference from an independent code (mpmath's Gauss quadrature) at
# REFERENCE_DPS digits: no error below about 10^-REFERENCE_DPS can be seen against it.
sizes = [5, 10, 20, 30, 40]
REFERENCE_DPS = 120
ctx = mpmath.MPContext()
ctx.dps = REFERENCE_DPS
errors_ours, errors_double, vouched, refused_double = [], [], [], []
for n in sizes:
    moments = [Fraction(2, j + 1) if j % 2 == 0 else 0 for j in range(2 * n)]
    X, _ = ctx.gauss_quadrature(n, "legendre")
    ref = sorted(X[i] for i in range(n))
    r = recover_measure(moments, digits=50)
    got = sorted(ctx.mpmathify(a) for a in r.measure.atoms)
    errors_ours.append(float(max(abs(g - x) for g, x in zip(got, ref))))
    vouched.append(r.digits)
    d = recover_measure([float(v) for v in moments], rank=n, precision=Float64(), throw=False)
    if d.measure is None:  # refused before the work: the predicted loss exceeds 16 digits
        refused_double.append(n)
        errors_double.append(float("nan"))
        continue
    got = sorted(complex(a).real for a in d.measure.atoms)
    errors_double.append(float(max(abs(g - float(x)) for g, x in zip(got, ref))))

# %%
# Errors at the floor are the reference's precision, not the package's: the recovery is at
# least that accurate there.
floor = 10.0 ** -REFERENCE_DPS
fig, ax = plt.subplots(figsize=(7, 4.2))
ax.semilogy(sizes, errors_double, "o-", label="double precision (pencil)")
ax.semilogy(sizes, np.maximum(errors_ours, floor), "s-", label="momentrnn, digits=50")
ax.semilogy(sizes, [10.0 ** -d for d in vouched], "^:", label="momentrnn's vouched bound")
ax.axhline(floor, color="gray", lw=0.8, ls="--")
ax.annotate(f"precision of the reference (mpmath, {REFERENCE_DPS} digits)", (sizes[0], floor),
            xytext=(0, 4), textcoords="offset points", fontsize=8, color="gray")
ax.axhline(1e-50, color="C1", lw=0.6, ls=":")
ax.set(xlabel="number of atoms n", ylabel="largest atom error", ylim=(floor / 1e6, 10))
ax.legend(loc="center right", fontsize=8)
fig.tight_layout()
# Where the Hankel condition number predicts a loss of 16 digits or more, double precision is
# refused before any work (no digit could survive), and the curve stops.
print("double precision refused before the work at n =", refused_double)
print("errors:", ", ".join(f"n={n}: {max(e, floor):.0e}" for n, e in zip(sizes, errors_ours)),
      f"(floor {floor:.0e} = the reference's precision)")

# %%
# Verification: every recovery delivers at least the 50 digits it was asked for, and the true
# error is below what it vouches for.
for n, err, d in zip(sizes, errors_ours, vouched):
    assert d >= 50 and err <= 10.0 ** (-d), (n, err, d)
print("verified: 50 digits at n =", sizes)

# %%
# Run as a script, ``python plot_gauss_legendre.py [folder]``, the example saves its figures
# (``plot_gauss_legendre-1.png`` and on) in the folder, by default the current one; in the
# gallery they are shown instead.
if __name__ == "__main__":
    from momentrnn.experiments.plots import save_figures

    save_figures()
