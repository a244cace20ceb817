"""A new recovery method: Prony's polynomial from a linear solve, its roots as the eigenvalues
of the companion matrix. Written for doubles and for an mpmath context; the certified
(ball) and exact steps are Prony's, which also vouch for every digit it returns."""

from fractions import Fraction

import numpy as np

from momentrnn import Float64, recover_measure
from momentrnn.moments import METHODS, RecoveryMethod, register_method


def companion_float(m, n, basis):
    """Atoms and weights in double precision from the moments m_0..m_{2n-1}."""
    hankel = np.array([[m[i + j] for j in range(n)] for i in range(n)])
    coeffs = np.linalg.solve(hankel, -np.asarray(m[n:2 * n]))  # monic, lowest degree first
    companion = np.diag(np.ones(n - 1), -1).astype(hankel.dtype)
    companion[:, -1] = -coeffs
    atoms = np.linalg.eigvals(companion)
    vandermonde = np.vander(atoms, len(m), increasing=True).T
    weights = np.linalg.lstsq(vandermonde, np.asarray(m), rcond=None)[0]
    return atoms, weights


def companion_mp(ctx, m, n, basis):
    """The same in the mpmath context ``ctx`` (its precision, nothing global)."""
    hankel = ctx.matrix([[m[i + j] for j in range(n)] for i in range(n)])
    coeffs = ctx.lu_solve(hankel, ctx.matrix([-v for v in m[n:2 * n]]))
    atoms = ctx.polyroots([1] + [coeffs[k] for k in reversed(range(n))], maxsteps=200,
                          extraprec=2 * ctx.prec)
    vandermonde = ctx.matrix([[x**j for x in atoms] for j in range(n)])
    weights = ctx.lu_solve(vandermonde, ctx.matrix(m[:n]))
    return list(atoms), [weights[k] for k in range(n)]


register_method(RecoveryMethod(
    name="companion",
    summary="Prony's polynomial by a linear solve, its roots by the companion matrix",
    float_impl=companion_float,
    mp_impl=companion_mp,
    ball_impl=METHODS["prony"].ball_impl,
    exact_impl=METHODS["prony"].exact_impl,
    certifier="prony",
))

# The method is now a name like the others: every precision, digits=, the CLI's --method.
atoms, weights = [Fraction(1, 3), Fraction(-2, 7), Fraction(5, 11)], [2, 3, 5]
moments = [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(6)]
result = recover_measure(moments, method="companion", digits=30)
assert result.ok and result.method == "companion" and result.digits >= 30
written = result.to_dict()["atoms"]  # decimal text with the vouched digits only
for text, exact in zip(sorted(written, key=Fraction), sorted(atoms)):
    assert abs(Fraction(text) - exact) < Fraction(1, 10**30)
print(result.status, f"{result.digits:g} digits vouched:", written)

# In double precision the float implementation runs; the digits are still vouched by Prony's
# certificate (ball arithmetic around the returned numbers), never taken on trust.
double = recover_measure(moments, method="companion", precision=Float64())
assert double.method == "companion" and 10 <= double.digits <= 16
