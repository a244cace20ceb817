"""
R13's counterexample region: a long-memory teacher learned as a signed measure
==============================================================================

The teacher is one atom at 1 (:math:`\\hat h_j = 1` for every lag), fitted on
:math:`k = 3 = 2\\hat d + 1` lags by a 4-dimensional student from a random initialisation of
scale :math:`\\sigma = 10^{-3}` (seed 0), by gradient flow to loss :math:`10^{-12}`. This is
the region where R13 fails (theory chapter, R13; the measured phase diagram is in the guide
"R13's phase diagram"): the flow reaches zero loss, but at a *signed* measure. One unit ends
with a negative weight, the top atom ends above 1, and the error over 1000 lags is large.
The mechanism: R7 keeps each unit balanced (:math:`|b_i - c_i|` small) only until the
escape; afterwards the units the flow pushes down see :math:`|b_i - c_i|` grow, and their
weight :math:`b_i c_i` turns negative.
"""

import matplotlib.pyplot as plt
import numpy as np

from momentrnn import extrapolation_error, init_student, integrate_flow, named_teacher

teacher = named_teacher("long_memory")
run = integrate_flow(init_student(4, scale=1e-3, mode="random", seed=0), teacher, k=3,
                     until_loss=1e-12, record=1000)
model = run.final
weights = model.b * model.c
print(run.status, f"final loss {run.final_loss:.2g} at t = {run.times[-1]:.3g}")
print("atoms  ", np.array2string(model.a, precision=6))
print("weights", np.array2string(weights, precision=6))

# %%
# The learned measure: three positive atoms (one of them above 1) and one negative weight.
# With only three lags fitted, a signed measure matches the teacher's moments 0, 1, 2
# exactly; the flow found one.
fig, ax = plt.subplots(figsize=(6, 3.5))
colors = ["tab:red" if w < 0 else "tab:blue" for w in weights]
ax.vlines(model.a, 0, weights, colors=colors)
ax.scatter(model.a, weights, c=colors, zorder=3)
ax.axhline(0, color="k", lw=0.5)
ax.axvline(1, color="gray", ls=":", lw=1)
ax.set(xlabel="atom a_i", ylabel="weight b_i c_i", yscale="symlog",
       title="learned measure (red: negative weight)")
ax.set_yscale("symlog", linthresh=1e-4)
fig.tight_layout()

# %%
# The extrapolation error: the student's impulse response leaves the teacher's as the
# atom above 1 compounds over the lags.
lags = 1000
gap = np.abs(model.impulse_response(lags) - teacher.impulse_response(lags))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(np.arange(lags), np.maximum(gap, 1e-18))
ax.axhline(0.05, color="gray", ls=":", lw=1)
ax.set(xlabel="lag j", ylabel="|h_j - teacher h_j|", title="extrapolation error")
fig.tight_layout()

# %%
# The imbalance of the unit whose weight ends negative, along the flow: tiny through the
# escape (R7), then growing by four orders of magnitude while its weight changes sign.
unit = int(np.argmin(weights))
params = run.parameters.reshape(len(run.parameters), -1, 3)  # (a_i, b_i, c_i) per unit
t = run.record_times
imbalance = np.abs(params[:, unit, 1] - params[:, unit, 2])
unit_weight = params[:, unit, 1] * params[:, unit, 2]
fig, ax = plt.subplots(figsize=(6, 3.5))
keep = t > 0
ax.loglog(t[keep], imbalance[keep], label="|b_i - c_i|")
ax.loglog(t[keep], np.abs(unit_weight[keep]), label="|b_i c_i|")
flip = t[np.argmax(unit_weight < 0)]
ax.axvline(flip, color="tab:red", ls=":", lw=1, label="weight turns negative")
ax.set(xlabel="t", title=f"unit {unit}")
ax.legend()
fig.tight_layout()

# %%
# Verification: zero loss, a negative weight, an atom above 1, error far above 0.05 over
# 1000 lags, and the imbalance of the negative unit grown by more than 1000x after t = 10.
_, max_error = extrapolation_error(model, teacher, length=lags)
print(f"negative weight {weights.min():.3g}, top atom {model.a.max():.6f}, "
      f"max error over {lags} lags {max_error:.3g}")
early = imbalance[np.searchsorted(t, 10.0)]
print(f"|b - c| of unit {unit}: {early:.2g} near t = 10, {imbalance[-1]:.2g} at the end")
assert run.status == "converged" and run.final_loss <= 1e-12
assert weights.min() < -1e-4 and model.a.max() > 1.0
assert max_error > 0.05 and np.isclose(max_error, gap.max())
assert imbalance[-1] > 1000 * early
print("verified")

# %%
# Run as a script, ``python plot_r13_counterexample.py [folder]``, the example saves its figures
# (``plot_r13_counterexample-1.png`` and on) in the folder, by default the current one; in the
# gallery they are shown instead.
if __name__ == "__main__":
    from momentrnn.experiments.plots import save_figures

    save_figures()
