"""
Gradient flow on a long-memory teacher, and the learned measure
================================================================

The teacher is one atom at 1 (h_j = 1 for every j). A 40-dimensional student from a random
initialisation of scale 1e-3 is trained by gradient flow on 5 lags. The moments engine then
recovers the learned measure from the student's impulse response (claim R14).
"""

import matplotlib.pyplot as plt
import numpy as np

from momentrnn import init_student, integrate_flow, learned_measure, named_teacher

teacher = named_teacher("long_memory")
run = integrate_flow(init_student(40, scale=1e-3, mode="random", seed=0), teacher, k=5)
print(run.status, run.message)
print("effective dimension:", run.effective_dimension.rank, run.effective_dimension.message)

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
axes[0].loglog(np.maximum(run.times, 1e-3), run.loss)
axes[0].set(xlabel="t", ylabel="loss")
axes[1].semilogx(np.maximum(run.record_times, 1e-3), run.imbalance)
axes[1].set(xlabel="t", ylabel="||b - c|| / ||b + c||")
fig.tight_layout()

# %%
# The learned measure: as many atoms as the effective dimension, read from the student's
# impulse response to the accuracy its loss allows (10 sqrt(L)).
learned = learned_measure(run.final, run.final_loss, effective=run.effective_dimension)
rec = learned.measure
atoms, weights = learned.recovery.vouched_text()  # only the vouched digits
print("learned atom", atoms[0], "weight", weights[0], f"({learned.digits:g} digits)")

# %%
# Verification: one state dimension, and the teacher recovered to the vouched digits.
assert run.effective_dimension.rank == 1 and run.invariant_drift < 1e-9
assert abs(float(rec.atoms[0]) - 1) <= 10.0 ** -learned.digits
assert abs(float(rec.weights[0]) - 1) <= 10.0 ** -learned.digits
print("verified")

# %%
# Run as a script, ``python plot_long_memory_flow.py [folder]``, the example saves its figures
# (``plot_long_memory_flow-1.png`` and on) in the folder, by default the current one; in the
# gallery they are shown instead.
if __name__ == "__main__":
    from momentrnn.experiments.plots import save_figures

    save_figures()
