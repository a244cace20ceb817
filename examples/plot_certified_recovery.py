"""
Certified recovery in ball arithmetic
=====================================

With ``precision=Ball(dps)`` every atom and weight is returned as a python-flint ball that
provably contains the true value, when the moments are exact. Here: a signed measure with
atoms close together.
"""

from fractions import Fraction

import flint

from momentrnn import Ball, DiscreteMeasure, Exact, recover_measure

mu = DiscreteMeasure([Fraction(1, 3), Fraction(1, 3) + Fraction(1, 10**5), Fraction(-4, 5)],
                     [Fraction(2), Fraction(-1), Fraction(1, 2)])
moments = mu.moments(6, precision=Exact())
r = recover_measure(moments, precision=Ball(60))


def carried(ball: flint.arb) -> str:
    """The ball with as many digits as it carries (``str(ball)`` would use flint's 53 bits)."""
    return ball.str(max(1, int(ball.rel_accuracy_bits() * 0.30103)) + 1, radius=True)


for atom, weight in zip(r.measure.atoms, r.measure.weights):
    print("atom  ", carried(atom))
    print("weight", carried(weight))

# %%
# Verification: each true atom and weight lies inside its ball.
with flint.ctx.workprec(400):
    for x, w in zip(sorted(mu.atoms), [mu.weights[mu.atoms.index(a)] for a in sorted(mu.atoms)]):
        i = min(range(3), key=lambda k: abs(float(r.measure.atoms[k].mid()) - float(x)))
        assert r.measure.atoms[i].contains(flint.fmpq(x.numerator, x.denominator))
        assert r.measure.weights[i].contains(flint.fmpq(w.numerator, w.denominator))
print("verified: every enclosure contains the true value;", r.digits, "digits vouched")

# %%
# The width of each enclosure (log scale): every atom is pinned to more than 70 digits and every
# weight to more than 50 (radii below 1e-71 and 1e-54), although two atoms are only 1e-5 apart.
import matplotlib.pyplot as plt  # noqa: E402

labels = [f"x{i}" for i in range(3)] + [f"w{i}" for i in range(3)]
radii = [float(b.rad()) for b in list(r.measure.atoms) + list(r.measure.weights)]
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.bar(labels, radii, color=["C0"] * 3 + ["C1"] * 3)
ax.set(yscale="log", ylabel="radius of the enclosure", title="Ball(60): certified enclosures")
fig.tight_layout()

# %%
# Run as a script, ``python plot_certified_recovery.py [folder]``, the example saves its figures
# (``plot_certified_recovery-1.png`` and on) in the folder, by default the current one; in the
# gallery they are shown instead.
if __name__ == "__main__":
    from momentrnn.experiments.plots import save_figures

    save_figures()
