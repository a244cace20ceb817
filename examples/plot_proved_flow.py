"""
A proved training run: the enclosure through the escape
=======================================================

``momentrnn prove`` encloses the *exact* gradient-flow solution of the diagonal model in ball
arithmetic (Taylor series, a checked a-priori enclosure, the Lagrange remainder, a QR-Lohner
frame; guide page "Proving what gradient flow does"). Here the two_pole teacher
(atoms 0.9 and -0.5) is fitted on :math:`k = 5` lags by a student of the same size,
:math:`d = 2`, from a random initialisation of scale :math:`\\sigma = 0.1` (seed 0), up to
:math:`T = 3`: the escape from the origin happens near :math:`t = 1`. To keep the page fast
the initialisation is larger than the command's default :math:`10^{-3}` (whose escape comes
later and costs a few thousand steps), and the remainder aimed at is a fixed
:math:`10^{-14}` per step instead of the default budget (remainders adding up to at most
:math:`10^{-12}` over the run) (398 steps, about 9 s of CPU): the widths are larger, the
statements are as proved.

The first figure shows the largest radius of the enclosure along the run next to the loss
of the floating-point run (LSODA): flat while the flow sits near the saddle at the origin,
growing through the escape (the flow separates nearby trajectories there), flat again after
it (the remainders accepted at each step add to it too). The second shows the proved bound
:math:`B_q \\ge |h_q - \\hat h_q|` for every student in the end enclosure, next to the error of
the floating-point student at :math:`T`. At :math:`T = 3` the flow has not converged (loss
about 0.03), so the bound is loose over 200 lags; at :math:`T = 25` from scale
:math:`10^{-3}` the command proves convergence to a limit whose error is below
:math:`10^{-16}` (guide page).
"""

import matplotlib.pyplot as plt
import numpy as np

from momentrnn import init_student, integrate_flow, named_teacher, prove_flow

teacher = named_teacher("two_pole")
T, length = 3.0, 200
proof = prove_flow("two_pole", 2, 5, 0.1, 0, T, length=length, tolerance=1e-14,
                   converge=False)
print(proof.status, f"{proof.steps} steps, {proof.seconds:.1f} s")
for line in proof.statements():
    print(" ", line)

# the same flow in floating point (LSODA, tight tolerances)
run = integrate_flow(init_student(2, scale=0.1, seed=0), teacher, k=5, t_max=T,
                     method="LSODA", rtol=1e-11, atol=1e-14, record=300)

# %%
# The width of the enclosure through the escape: it grows through the escape, by the factor
# by which the flow separates nearby trajectories there, and stays flat in the contracting
# phase after it.
times = np.array([t for t, _ in proof.widths])
widths = np.array([w for _, w in proof.widths])
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(times[1:], widths[1:], color="tab:blue", label="largest radius (proved)")
ax.set(xlabel="t", ylabel="largest radius of the enclosure")
twin = ax.twinx()
twin.semilogy(run.times, run.loss, color="tab:gray", ls="--",
              label="loss (floating point)")
twin.set_ylabel("loss L_k")
ax.legend(loc="upper left")
twin.legend(loc="lower left")
ax.set_title("two_pole, d = 2, k = 5, init scale 0.1")
fig.tight_layout()

# %%
# The proved extrapolation bound over the end enclosure, and the error of the floating-point
# student at :math:`T` (its impulse response against the teacher's, lag by lag).
bounds = np.array([float(b) for b in proof.extrapolation_bounds])
gap = np.abs(run.final.impulse_response(length) - teacher.impulse_response(length))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(np.arange(length), bounds, label="proved bound B_q (every student in the box)")
ax.semilogy(np.arange(length), np.maximum(gap, 1e-18), ls="--",
            label="|h_q - h_hat_q| of the floating-point student")
ax.set(xlabel="lag q", title=f"extrapolation at T = {T:g}")
ax.legend()
fig.tight_layout()

# %%
# Verification: the enclosure reached T, the floating-point end point lies in it, the
# floating-point student's error is below the proved bound at every lag, and the width grew
# through the escape by more than a factor of 3 while staying far below the parameters.
assert proof.status == "finite-time"
final = [*run.final.a, *run.final.b, *run.final.c]
for (lo, hi), x in zip([*proof.a, *proof.b, *proof.c], final):
    assert float(lo) - 1e-9 <= x <= float(hi) + 1e-9
assert np.all(gap <= bounds * (1 + 1e-9) + 1e-15)
before = widths[(times > 0) & (times < 0.5)].max()
after = widths[times > 1.2].max()
assert after > 3 * before and after < 1e-9
print(f"width {before:.1e} before the escape, {after:.1e} after it; "
      f"max proved bound {bounds.max():.3g}, max float error {gap.max():.3g}")
print("verified")

# %%
# Run as a script, ``python plot_proved_flow.py [folder]``, the example saves its figures
# (``plot_proved_flow-1.png`` and on) in the folder, by default the current one; in the
# gallery they are shown instead.
if __name__ == "__main__":
    from momentrnn.experiments.plots import save_figures

    save_figures()
