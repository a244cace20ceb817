"""
Symbolic derivations (computed at build time)
=============================================

The package's sympy tools derive the identities the theory chapter uses.
"""

from fractions import Fraction

import sympy

from momentrnn import next_moment_range
from momentrnn.moments.symbolic import prony_polynomial, symbolic_hankel_determinant

# %%
# The Hankel determinant of a measure with n atoms factors as the product of the weights times
# the squared Vandermonde determinant (the reason behind M1).
for n in (1, 2, 3):
    print(f"n = {n}:", symbolic_hankel_determinant(n))

# %%
# Prony polynomials: the 3-point Gauss-Legendre rule is the Legendre polynomial P_3 (monic).
print(prony_polynomial([2, 0, Fraction(2, 3), 0, Fraction(2, 5), 0]))

# %%
# The conservation law of R4: with w = b c and L depending on w only, d/dt (b^2 - c^2) = 0.
b, c, G = sympy.symbols("b c G")
b_dot, c_dot = -c * G, -b * G  # -dL/db, -dL/dc with G = dL/dw
print("d/dt (b^2 - c^2) =", sympy.simplify(2 * b * b_dot - 2 * c * c_dot))
# and one gradient step multiplies it by 1 - eta^2 G^2 (R5)
eta = sympy.Symbol("eta")
step = sympy.factor((b - eta * c * G) ** 2 - (c - eta * b * G) ** 2)
print("after one step:", step)

# %%
# Exact next-moment ranges for small k (uniform measure on [-1, 1], m_j = 1/(j+1)).
ranges = {}
for k in (1, 2, 3):
    m = [Fraction(1, j + 1) if j % 2 == 0 else 0 for j in range(2 * k + 1)]
    r = next_moment_range(m)
    ranges[2 * k + 1] = (r.lower, r.upper)
    print(f"m_{2 * k + 1} in [{r.lower}, {r.upper}]")

# %%
# The exact ranges shrink as more moments are fixed (each end is a Gauss-Radau rule).
import matplotlib.pyplot as plt  # noqa: E402

fig, ax = plt.subplots(figsize=(6, 3.2))
for q, (lo, hi) in ranges.items():
    ax.plot([q, q], [float(lo), float(hi)], "-", lw=6, color="C0", solid_capstyle="butt")
ax.axhline(0, color="gray", lw=0.8, ls=":")
ax.set(xlabel="index q of the next moment", ylabel="exact range of m_q",
       xticks=list(ranges), title="Next-moment ranges given m_0, ..., m_(q-1)")
fig.tight_layout()

# %%
# Verification.
x1, x2, w1, w2 = sympy.symbols("x1 x2 w1 w2")
assert sympy.expand(symbolic_hankel_determinant(2) - w1 * w2 * (x1 - x2) ** 2) == 0
assert sympy.simplify(2 * b * b_dot - 2 * c * c_dot) == 0
assert sympy.expand(step - (b**2 - c**2) * (1 - eta**2 * G**2)) == 0
print("verified")

# %%
# Run as a script, ``python plot_symbolic_derivations.py [folder]``, the example saves its figures
# (``plot_symbolic_derivations-1.png`` and on) in the folder, by default the current one; in the
# gallery they are shown instead.
if __name__ == "__main__":
    from momentrnn.experiments.plots import save_figures

    save_figures()
