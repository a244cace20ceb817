"""
Initialisation scale against extrapolation (a small sweep)
==========================================================

A linear teacher-student sweep over initialisation scales and seeds, run by the sweep runner
and drawn by its plotting function (claim R13).
"""

import os
import statistics
import tempfile

from momentrnn.experiments import read_results, run_sweep
from momentrnn.experiments.plots import plot_results

spec = {"family": "linear", "teachers": ["two_pole"], "scales": [1e-3, 1e-2, 1e-1, 1.0],
        "modes": ["random"], "seeds": 3, "dims": [20], "lengths": [1000]}
tmp = tempfile.mkdtemp()
path = os.path.join(tmp, "results.jsonl")
summary = run_sweep(spec, path, progress=False)
print(summary)
rows = read_results(path)

# %%
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

figures = plot_results(path, tmp, formats=("png",))
fig, ax = plt.subplots(figsize=(6, 4))
ax.imshow(mpimg.imread(os.path.join(tmp, "extrapolation_vs_scale.png")))
ax.axis("off")

# %%
# Verification: small initialisation extrapolates far better than scale 1.
small = statistics.median(r["extrapolation_max_1000"] for r in rows if r["scale"] == 1e-3)
large = statistics.median(r["extrapolation_max_1000"] for r in rows if r["scale"] == 1.0)
assert large > 100 * small, (small, large)
print(f"verified: median error {small:.2e} at scale 1e-3 against {large:.2e} at scale 1")
