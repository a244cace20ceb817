"""
Non-linear students: a batched GRU sweep (small)
================================================

GRU students of dimension 16 learn a GRU teacher with a 2-dimensional state from sequences of
length 10; the hidden-state trajectories of small-initialisation students are lower-rank and
extrapolate to length 100 better.
"""

import os
import statistics
import tempfile

import matplotlib.pyplot as plt

from momentrnn.experiments import read_results, run_sweep

spec = {"family": "nonlinear", "cell": "gru", "scales": [1e-3, 1e-1, 1.0], "seeds": 2,
        "student_dims": [16], "teacher_dims": [2], "steps": 200, "lengths": [10, 100],
        "train_sequences": 64, "test_sequences": 32}
path = os.path.join(tempfile.mkdtemp(), "gru.jsonl")
run_sweep(spec, path, progress=False)
rows = read_results(path)

# %%
scales = sorted({r["scale"] for r in rows})
med = [statistics.median(r["extrapolation_rel_mse_100"] for r in rows if r["scale"] == s)
       for s in scales]
rank = [statistics.median(r["state_rank_100"][0] for r in rows if r["scale"] == s)
        for s in scales]
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
axes[0].loglog(scales, med, "o-")
axes[0].set(xlabel="initialisation scale", ylabel="relative MSE at length 100")
axes[1].semilogx(scales, rank, "o-")
axes[1].set(xlabel="initialisation scale", ylabel="hidden-state rank (sv > 1e-2)")
fig.tight_layout()

# %%
# Verification.
assert rank[0] < rank[-1] and med[0] < med[-1], (rank, med)
print("verified: small initialisation gives a lower-rank state and a smaller error")

# %%
# Run as a script, ``python plot_nonlinear_students.py [folder]``, the example saves its figures
# (``plot_nonlinear_students-1.png`` and on) in the folder, by default the current one; in the
# gallery they are shown instead.
if __name__ == "__main__":
    from momentrnn.experiments.plots import save_figures

    save_figures()
