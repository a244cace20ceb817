r"""ESPRIT: the atoms from the shift invariance of the Hankel matrix's signal subspace.

The ``R x K`` Hankel matrix of the moments of :math:`\mu = \sum_i w_i \delta_{x_i}` factors as
:math:`H = V_R \operatorname{diag}(w) V_K^\top` with :math:`V_R = [x_i^j]_{j < R}`, so the left
singular vectors :math:`U_n` of its ``n`` largest singular values span the columns of
:math:`V_R`: :math:`U_n = V_R T`. Dropping the last row of :math:`V_R` and dropping its first
row differ by the factor :math:`\operatorname{diag}(x)`, hence

.. math:: U_n^{\uparrow} = U_n^{\downarrow}\, T^{-1} \operatorname{diag}(x)\, T,

and the atoms are the eigenvalues of :math:`\operatorname{pinv}(U_n^{\downarrow})
U_n^{\uparrow}` (:math:`U_n^{\downarrow}`: every row but the last, :math:`U_n^{\uparrow}`:
every row but the first). The weights are the least-squares solution of the Vandermonde system
of every moment. Written once over the arithmetics that have an SVD (doubles and mpmath
contexts); the certified and exact results are the pencil's, which certifies it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...errors import RankError
from .._arith import FLOAT, Arithmetic, MPArith, SingularSystem, hankel, vandermonde_fit
from ..methods import METHODS, RecoveryMethod, register_method

__all__ = ["esprit", "hankel_shape"]


def hankel_shape(count: int, n: int) -> tuple[int, int]:
    """Rows and columns of the Hankel matrix ESPRIT takes from ``count`` moments for ``n``
    atoms: as square as the moments allow, with at least ``n`` columns and ``n + 1`` rows
    (``n + 1`` by ``n`` from ``2n`` moments)."""
    cols = max(n, count // 2)
    return count - cols + 1, cols


def esprit(ar: Arithmetic, m: Sequence, n: int):
    """Atoms and weights of the ``n``-atom measure with moments ``m`` (at least ``2n`` of
    them) in the arithmetic ``ar``, which needs :meth:`~Arithmetic.left_singular_vectors`;
    each a sequence of the arithmetic's numbers (numpy arrays in doubles, lists in mpmath).

    Raises :class:`~momentrnn.errors.RankError` for fewer than ``2n`` moments or when the
    shifted subspace is singular in ``ar``.
    """
    if len(m) < 2 * n:
        raise RankError(f"ESPRIT needs 2*rank = {2 * n} moments, got {len(m)}")
    rows, cols = hankel_shape(len(m), n)
    with ar.working():
        U = ar.left_singular_vectors(hankel(ar, m, rows, cols), n)
        try:
            shift = ar.solve(ar.matrix(U[:-1]), ar.matrix(U[1:]))
        except SingularSystem:
            raise RankError(f"the signal subspace of the {rows}x{cols} Hankel matrix is "
                            f"singular in {ar.name}: the data do not carry {n} atoms; pass a "
                            "smaller rank") from None
        atoms = ar.eigenvalues(shift)
        return atoms, vandermonde_fit(ar, m, atoms)


register_method(RecoveryMethod(
    name="esprit",
    summary="eigenvalues of the shift of the Hankel signal subspace (SVD), least-squares "
            "weights",
    float_impl=lambda m, n, basis: esprit(FLOAT, m, n),
    mp_impl=lambda ctx, m, n, basis: esprit(MPArith(ctx), m, n),
    ball_impl=METHODS["pencil"].ball_impl,
    exact_impl=METHODS["pencil"].exact_impl,
    certifier="pencil",
))
