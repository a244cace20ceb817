"""
Why 2d moments are not enough (R9)
==================================

delta_1 and (delta_0 + delta_2)/2 share m_0 and m_1, so a balanced student that fits two lags
of the long-memory teacher need not extrapolate. With a third lag the range of the next moment
collapses to a point (R8).
"""

import matplotlib.pyplot as plt
import numpy as np

from momentrnn import next_moment_range

r2 = next_moment_range([1, 1], support=(0, 2))
r3 = next_moment_range([1, 1, 1], support=(0, 2))
print("m_2 given m_0, m_1:", r2.lower, r2.upper, "ends:", r2.lower_measure, r2.upper_measure)
print("m_3 given m_0..m_2:", r3.lower, r3.upper)

# %%
j = np.arange(8)
fig, ax = plt.subplots()
ax.plot(j, np.ones_like(j), "o-", label="delta_1 (the teacher)")
ax.plot(j, [1.0] + [2.0 ** (i - 1) for i in j[1:]], "s-", label="(delta_0 + delta_2)/2")
ax.set(xlabel="lag j", ylabel="h_j", yscale="log")
ax.legend()

# %%
# Verification.
assert (r2.lower, r2.upper) == (1, 2) and not r2.collapsed
assert r3.collapsed and r3.lower == 1
print("verified: two lags leave m_2 in [1, 2]; three lags determine the measure")

# %%
# Run as a script, ``python plot_r9_tightness.py [folder]``, the example saves its figures
# (``plot_r9_tightness-1.png`` and on) in the folder, by default the current one; in the
# gallery they are shown instead.
if __name__ == "__main__":
    from momentrnn.experiments.plots import save_figures

    save_figures()
