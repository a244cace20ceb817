"""The gradient-flow vector field of a linear RNN in flat-parameter form."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._limits import check_memory
from ..rnn.losses import (
    diagonal_hessian_parts,
    full_hessian_vector,
    full_loss_grad,
    powers,
)
from ..rnn.models import DiagonalRNN, LinearRNN


@dataclass
class FlowProblem:
    """The gradient flow of the moment loss as a problem on a flat parameter vector: packs a
    model, evaluates :math:`L` and :math:`\\nabla L`, and solves with
    :math:`I + s \\nabla^2 L` (what an integrator needs). Build one with :meth:`for_model`.

    Attributes
    ----------
    diagonal : bool
        True for a diagonal model (parameters ``a, b, c``), False for a full one
        (``A, B, C``).
    dim : int
        The state dimension :math:`d`.
    target : ndarray
        The teacher's impulse response on the fitted lags, shape (k,).
    rho : ndarray
        The lag weights :math:`\\rho_j`, shape (k,).
    """

    diagonal: bool
    dim: int
    target: np.ndarray
    rho: np.ndarray

    def __post_init__(self) -> None:
        self._lags = np.arange(self.target.shape[0], dtype=float)

    @classmethod
    def for_model(cls, model, target, rho) -> FlowProblem:
        return cls(isinstance(model, DiagonalRNN), model.dim, target, rho)

    # -- packing ---------------------------------------------------------------------------
    def pack(self, model) -> np.ndarray:
        if self.diagonal:
            return np.stack([model.a, model.b, model.c], axis=1).ravel().astype(float)
        return np.concatenate([model.A.ravel(), model.B, model.C]).astype(float)

    def unpack(self, theta: np.ndarray):
        d = self.dim
        if self.diagonal:
            t = theta.reshape(d, 3)
            return DiagonalRNN(t[:, 0], t[:, 1], t[:, 2])
        return LinearRNN(theta[: d * d].reshape(d, d), theta[d * d : d * d + d],
                         theta[d * d + d :])

    # -- values ----------------------------------------------------------------------------
    def loss_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        d = self.dim
        if self.diagonal:
            # the formulas of diagonal_loss_grad, specialised to one run (no einsum overhead)
            t = theta.reshape(d, 3)
            a, b, c = t[:, 0], t[:, 1], t[:, 2]
            V = powers(a, self.target.shape[0])  # (k, d): a_i^j
            r = V @ (b * c) - self.target
            u = 2.0 * self.rho * r
            sV, sD = self._moments_of(V, u, 2)
            g = np.empty((d, 3))
            g[:, 0] = b * c * sD
            g[:, 1] = c * sV
            g[:, 2] = b * sV
            return float(self.rho @ (r * r)), g.ravel()
        A = theta[: d * d].reshape(d, d)
        loss, gA, gB, gC = full_loss_grad(A, theta[d * d : d * d + d], theta[d * d + d :],
                                          self.target, self.rho)
        return loss, np.concatenate([gA.ravel(), gB, gC])

    def _moments_of(self, V: np.ndarray, u: np.ndarray, order: int) -> np.ndarray:
        """sum_j u_j a_i^j, sum_j j u_j a_i^(j-1) (and sum_j j (j-1) u_j a_i^(j-2) when
        order == 3) for every unit i, in one pass over the powers V (k, d)."""
        lags = self._lags
        U = np.zeros((order, V.shape[0]))
        U[0] = u
        U[1, :-1] = (lags * u)[1:]
        if order == 3:
            U[2, :-2] = (lags * (lags - 1.0) * u)[2:]
        return U @ V

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        d = self.dim
        check_memory(3 * 8.0 * theta.size ** 2, f"the Hessian of {theta.size} parameters",
                     "use a smaller model or an explicit integrator")
        if self.diagonal:
            t = theta.reshape(d, 3)
            blocks, J = diagonal_hessian_parts(t[:, 0], t[:, 1], t[:, 2], self.target, self.rho)
            H = 2 * J.T @ (self.rho[:, None] * J)
            idx = np.arange(d)[:, None] * 3 + np.arange(3)
            H[idx[:, :, None], idx[:, None, :]] += blocks
            return H
        n = theta.size
        A = theta[: d * d].reshape(d, d)
        B, C = theta[d * d : d * d + d], theta[d * d + d :]
        H = np.column_stack([full_hessian_vector(A, B, C, self.target, self.rho, e)
                             for e in np.eye(n)])
        return 0.5 * (H + H.T)

    def linearise(self, theta: np.ndarray, recycle: Linearisation | None = None
                  ) -> Linearisation:
        """Loss, gradient and the Hessian's parts at ``theta``, from one set of powers; its
        ``solver(s)`` gives y -> (I + s Hess)^{-1} y for any s without recomputing them.

        ``recycle``: a linearisation no longer needed, whose work arrays are reused (fresh
        arrays of this size cost page faults at every step); its ``solver`` is disabled, while
        solvers it already returned stay valid.
        """
        # diagonal models: the Woodbury solve, faster than the dense one from d = 10 on
        if not self.diagonal:
            loss, grad = self.loss_grad(theta)
            return _DenseLinearisation(loss, grad, self, theta)
        return _DiagonalLinearisation(self, theta, recycle)

    def shifted_solver(self, theta: np.ndarray, s: float):
        """A function y -> (I + s * Hess L(theta))^{-1} y.

        Diagonal models: the Hessian is block-diagonal (3x3 per unit) plus the rank-k term
        2 J^T diag(rho) J, so the Woodbury identity solves in O(d k^2) without forming a dense
        matrix (:eq:`eq-woodbury`); full models use a dense factorisation.
        """
        return self.linearise(theta).solver(s)

    # -- diagnostics -----------------------------------------------------------------------
    def invariants(self, theta: np.ndarray) -> np.ndarray:
        """b_i^2 - c_i^2 (diagonal) or Q = A A^T - A^T A + B B^T - C^T C (full)."""
        d = self.dim
        if self.diagonal:
            t = theta.reshape(d, 3)
            return t[:, 1] ** 2 - t[:, 2] ** 2
        A = theta[: d * d].reshape(d, d)
        B, C = theta[d * d : d * d + d], theta[d * d + d :]
        return A @ A.T - A.T @ A + np.outer(B, B) - np.outer(C, C)

    def invariant_scale(self, theta: np.ndarray) -> float:
        d = self.dim
        if self.diagonal:
            t = theta.reshape(d, 3)
            return float(np.max(t[:, 1] ** 2 + t[:, 2] ** 2))
        return float(np.sum(theta**2))

    def imbalance(self, theta: np.ndarray) -> float:
        d = self.dim
        if self.diagonal:
            t = theta.reshape(d, 3)
            b, c = t[:, 1], t[:, 2]
        else:
            b, c = theta[d * d : d * d + d], theta[d * d + d :]
        denom = np.linalg.norm(b + c)
        return float(np.linalg.norm(b - c) / denom) if denom > 0 else float("inf")

    def negative_mass(self, theta: np.ndarray) -> float:
        if self.diagonal:
            t = theta.reshape(self.dim, 3)
            w = t[:, 1] * t[:, 2]
            return float(np.sum(np.maximum(-w, 0.0)))
        w = np.asarray(self.unpack(theta).measure().weights, dtype=complex)
        return float(np.sum(np.maximum(-w.real, 0.0)))


class Linearisation:
    """What a Rosenbrock step needs at one point: the loss, its gradient, and solves with
    :math:`I + s \\nabla^2 L` there (``solver(s)`` returns a function of the right-hand side).

    Attributes
    ----------
    loss : float
        :math:`L` at the point.
    grad : ndarray
        :math:`\\nabla L` at the point, flat.
    """

    loss: float
    grad: np.ndarray

    def solver(self, s: float):  # pragma: no cover - interface
        raise NotImplementedError


class _DenseLinearisation(Linearisation):
    def __init__(self, loss: float, grad: np.ndarray, problem: FlowProblem,
                 theta: np.ndarray) -> None:
        self.loss, self.grad = loss, grad
        self._hessian = problem.hessian(theta)

    def solver(self, s: float):
        Minv = np.linalg.inv(np.eye(self._hessian.shape[0]) + s * self._hessian)
        return lambda y: Minv @ y


class _DiagonalLinearisation(Linearisation):
    r"""Diagonal model at one point.

    With the powers :math:`V_{ji} = a_i^j` and :math:`D_{ji} = j a_i^{j-1}`, the Gauss-Newton
    factor is :math:`J = [D_i w_i, V_i c_i, V_i b_i]_i = [D_i\ V_i] P_i` per unit, with
    :math:`P_i = ((w_i, 0, 0), (0, c_i, b_i))` and :math:`w_i = b_i c_i`. The Woodbury core
    :math:`(2 s R)^{-1} + J B^{-1} J^\top` (B the block-diagonal part of I + s Hess) is then
    :math:`\sum_i [D_i\ V_i] S_i [D_i\ V_i]^\top` with the 2x2 matrices
    :math:`S_i = P_i B_i^{-1} P_i^\top`: one (k, 2d) by (2d, k) product, and each solve reads
    the powers twice (:eq:`eq-woodbury`). J itself is never formed.
    """

    def __init__(self, problem: FlowProblem, theta: np.ndarray,
                 recycle: Linearisation | None = None) -> None:
        d, k = problem.dim, problem.target.shape[0]
        t = theta.reshape(d, 3)
        a, b, c = t[:, 0], t[:, 1], t[:, 2]
        w = b * c
        V = powers(a, k)  # (k, d)
        r = V @ w - problem.target
        u = 2.0 * problem.rho * r
        sV, sD, sE = problem._moments_of(V, u, 3)
        g = np.empty((d, 3))
        g[:, 0] = w * sD
        g[:, 1] = c * sV
        g[:, 2] = b * sV
        self.loss, self.grad = float(problem.rho @ (r * r)), g.ravel()
        # the block-diagonal part of the Hessian: (0,0) w sE, (0,1) c sD, (0,2) b sD, (1,2) sV
        self._h = (w * sE, c * sD, b * sD, sV)
        self._b, self._c, self._w = b.copy(), c.copy(), w
        self._rho, self._lags, self._d, self._k = problem.rho, problem._lags, d, k
        self._V = V
        work = getattr(recycle, "_work", None)
        if work is None or work[0].shape != (k, 2, d):
            # [D; V] interleaved per lag (row j is (D_j, V_j)), and scratch for solver(s)
            work = (np.empty((k, 2, d)), np.empty((k, 2, d)), np.empty((k, d)))
        if recycle is not None:
            recycle._work = None  # its solver(s) would read overwritten arrays: disabled
        DV = work[0]
        DV[0, 0] = 0.0
        np.multiply(V[:-1], problem._lags[1:, None], out=DV[1:, 0])
        DV[:, 1] = V
        self._work = work

    def solver(self, s: float):
        d, k = self._d, self._k
        h00, h01, h02, h12 = self._h
        Bd = np.empty((d, 3, 3))
        Bd[:, 0, 0] = 1.0 + s * h00
        Bd[:, 0, 1] = Bd[:, 1, 0] = s * h01
        Bd[:, 0, 2] = Bd[:, 2, 0] = s * h02
        Bd[:, 1, 1] = Bd[:, 2, 2] = 1.0
        Bd[:, 1, 2] = Bd[:, 2, 1] = s * h12
        Bi = np.linalg.inv(Bd)  # (d, 3, 3)
        b, c, w = self._b, self._c, self._w
        S00 = w * w * Bi[:, 0, 0]
        S01 = w * (c * 0.5 * (Bi[:, 0, 1] + Bi[:, 1, 0]) + b * 0.5 * (Bi[:, 0, 2] + Bi[:, 2, 0]))
        S11 = c * c * Bi[:, 1, 1] + b * c * (Bi[:, 1, 2] + Bi[:, 2, 1]) + b * b * Bi[:, 2, 2]
        if self._work is None:
            raise RuntimeError("this linearisation was recycled; linearise again")
        DV, R, tmp = self._work
        # R = S DV per unit, in place (temporaries of this size cost more than the products)
        np.multiply(DV[:, 0], S00, out=R[:, 0])
        np.multiply(DV[:, 1], S01, out=tmp)
        R[:, 0] += tmp
        np.multiply(DV[:, 0], S01, out=R[:, 1])
        np.multiply(DV[:, 1], S11, out=tmp)
        R[:, 1] += tmp
        K = DV.reshape(k, 2 * d) @ R.reshape(k, 2 * d).T
        K[np.diag_indices(k)] += 1.0 / (2.0 * s * self._rho)
        Kinv = np.linalg.inv(K)
        V, lags = self._V, self._lags
        X = np.empty((d, 2))
        Z = np.empty((2, k))

        def solve(y: np.ndarray) -> np.ndarray:
            x0 = np.einsum("dij,dj->di", Bi, y.reshape(d, 3))
            X[:, 0] = w * x0[:, 0]
            X[:, 1] = c * x0[:, 1] + b * x0[:, 2]
            P = V @ X  # (k, 2)
            Jx = P[:, 1].copy()
            Jx[1:] += lags[1:] * P[:-1, 0]
            z = Kinv @ Jx
            Z[0, :-1] = (lags * z)[1:]
            Z[0, -1] = 0.0
            Z[1] = z
            qD, qV = Z @ V  # D^T z and V^T z
            JTz = np.empty((d, 3))
            JTz[:, 0] = w * qD
            JTz[:, 1] = c * qV
            JTz[:, 2] = b * qV
            return (x0 - np.einsum("dij,dj->di", Bi, JTz)).ravel()

        return solve


class OnSetProblem:
    r"""The flow of a diagonal model whose units in ``signs`` are held on their invariant sets
    :math:`b_i = s_i c_i` (:math:`s_i = \pm 1`), in reduced coordinates: such a unit is
    :math:`(a_i, r_i)` with :math:`b_i = r_i`, :math:`c_i = s_i r_i` (the sign change is exact,
    so every point it gives is exactly on the set, and the start is the model's own), the other
    units :math:`(a_i, b_i, c_i)` as they are. With :math:`P` the map of the reduced
    coordinates to the full ones (columns :math:`e_{b_i} + s_i e_{c_i}` for the held units) and
    :math:`M = (P^\top P)^{-1}` (1/2 on the :math:`r_i`), the exact flow restricted to the sets
    is :math:`\dot x = -M P^\top \nabla L(Px)`: :math:`\dot r_i = -\partial L/\partial b_i`,
    the exact flow's own (its :math:`\partial L/\partial c_i` is :math:`s_i` times that there).

    It offers what an integrator uses of a :class:`FlowProblem`: ``loss_grad`` (the loss and
    :math:`M P^\top \nabla L`, the negated right-hand side), ``hessian`` (its Jacobian
    :math:`M P^\top \nabla^2 L\, P`, not symmetric) and ``linearise``/``shifted_solver``: the
    Hessian maps the sets' tangent space to itself (the loss is unchanged by
    :math:`b_i, c_i \to s_i c_i, s_i b_i`, whose fixed set this is), so
    :math:`(I + s M P^\top \nabla^2 L P)^{-1} y = M P^\top (I + s\nabla^2 L)^{-1} P y`, and the
    full model's structured solve serves unchanged. ``expand`` gives the full parameters.
    """

    def __init__(self, problem: FlowProblem, signs: np.ndarray) -> None:
        d = problem.dim
        signs = np.asarray(signs, dtype=float)  # +1 (b = c), -1 (b = -c), 0 (not held)
        self.full, self.signs = problem, signs
        held = signs != 0
        self._b_of = 3 * np.nonzero(held)[0] + 1  # full index of b_i (its r_i) per held unit
        self._c_of = self._b_of + 1
        self._held_signs = signs[held]
        keep = []
        for i in range(d):
            keep += [3 * i, 3 * i + 1] if held[i] else [3 * i, 3 * i + 1, 3 * i + 2]
        self._keep = np.array(keep)
        position = np.full(3 * d, -1)
        position[self._keep] = np.arange(len(keep))
        self._r = position[self._b_of]  # reduced index of r_i per held unit
        self.size = len(keep)

    def reduce(self, theta: np.ndarray) -> np.ndarray:
        """The reduced coordinates of full parameters on the sets."""
        return np.asarray(theta, dtype=float)[self._keep].copy()

    def expand(self, x: np.ndarray) -> np.ndarray:
        """The full parameters :math:`Px`, exactly on the sets (:math:`c_i = s_i b_i`)."""
        theta = np.empty(3 * self.full.dim)
        theta[self._keep] = x
        theta[self._c_of] = self._held_signs * theta[self._b_of]
        return theta

    def _project(self, v: np.ndarray) -> np.ndarray:
        """:math:`M P^\\top v` for a full vector ``v``."""
        out = v[self._keep].copy()
        out[self._r] = 0.5 * (v[self._b_of] + self._held_signs * v[self._c_of])
        return out

    def loss_grad(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        loss, grad = self.full.loss_grad(self.expand(x))
        return loss, self._project(grad)

    def hessian(self, x: np.ndarray) -> np.ndarray:
        H = self.full.hessian(self.expand(x))
        HP = H[:, self._keep]
        HP[:, self._r] += self._held_signs * H[:, self._c_of]
        out = HP[self._keep]
        out[self._r] = 0.5 * (HP[self._b_of] + self._held_signs[:, None] * HP[self._c_of])
        return out

    def linearise(self, x: np.ndarray, recycle: Linearisation | None = None) -> Linearisation:
        previous = None if recycle is None else recycle._full_linearisation
        return _OnSetLinearisation(self, self.full.linearise(self.expand(x), previous))

    def shifted_solver(self, x: np.ndarray, s: float):
        return self.linearise(x).solver(s)


class _OnSetLinearisation(Linearisation):
    """A full model's linearisation seen in the reduced coordinates of an
    :class:`OnSetProblem`."""

    def __init__(self, problem: OnSetProblem, full: Linearisation) -> None:
        self._problem, self._full_linearisation = problem, full
        self.loss, self.grad = full.loss, problem._project(full.grad)

    def solver(self, s: float):
        solve, problem = self._full_linearisation.solver(s), self._problem
        return lambda y: problem._project(solve(problem.expand(y)))
