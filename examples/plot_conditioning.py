r"""
Conditioning of Hankel matrices (M5)
====================================

The spectral condition number :math:`\kappa_2(H_n)` of the :math:`n \times n` Hankel matrix
:math:`H_n = [m_{i+j}]_{i,j<n}` of power moments, measured by the package at high precision,
against the rates :math:`(1 + \sqrt 2)^{2n}` on :math:`[-1, 1]` and :math:`(1 + \sqrt 2)^{4n}`
on :math:`[0, 1]` (claim M5).
"""

from fractions import Fraction

import matplotlib.pyplot as plt
import mpmath
import numpy as np

from momentrnn import MP
from momentrnn.moments import hankel_singular_values

ns = list(range(4, 31, 2))
conds = {}
for name, moment in (("[-1, 1]", lambda j: Fraction(1, j + 1) if j % 2 == 0 else 0),
                     ("[0, 1]", lambda j: Fraction(1, j + 1))):
    out = []
    for n in ns:
        sv = hankel_singular_values([moment(j) for j in range(2 * n - 1)], n,
                                    precision=MP((64 + 12 * n) // 3 + 1))
        out.append(float(mpmath.log10(sv[0] / sv[-1])))
    conds[name] = out

# %%
fig, ax = plt.subplots()
for (name, vals), rate in zip(conds.items(), (2, 4)):
    ax.plot(ns, vals, "o", label=f"measured, {name}")
    slope = rate * np.log10(1 + np.sqrt(2))
    ax.plot(ns, [vals[-1] + slope * (n - ns[-1]) for n in ns], "--",
            label=f"(1+sqrt 2)^({rate}n)")
ax.set(xlabel="n", ylabel="log10 condition number")
ax.legend()

# %%
# Verification: the measured growth per atom is within 10 % of the predicted rate.
for (name, vals), rate in zip(conds.items(), (2, 4)):
    fitted = 10 ** np.polyfit(ns[4:], vals[4:], 1)[0]
    assert abs(fitted / (1 + np.sqrt(2)) ** rate - 1) < 0.1, (name, fitted)
print("verified")

# %%
# Run as a script, ``python plot_conditioning.py [folder]``, the example saves its figures
# (``plot_conditioning-1.png`` and on) in the folder, by default the current one; in the
# gallery they are shown instead.
if __name__ == "__main__":
    from momentrnn.experiments.plots import save_figures

    save_figures()
