"""The gradient-flow vector field of a linear RNN in flat-parameter form."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..rnn.losses import (
    diagonal_hessian_parts,
    full_hessian_vector,
    full_loss_grad,
    powers,
)
from ..rnn.models import DiagonalRNN, LinearRNN

DENSE_LIMIT = 0  # diagonal models: Woodbury is faster from d = 10 on (measured)


@dataclass
class FlowProblem:
    """Packs a model into a flat vector and evaluates L, grad L and solves with I + s*Hess."""

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
            k = self.target.shape[0]
            V = powers(a, k)  # (k, d): a_i^j
            r = V @ (b * c) - self.target
            u = 2.0 * self.rho * r
            Vu = u @ V
            Du = (self._lags[1:] * u[1:]) @ V[: k - 1]
            g = np.empty((d, 3))
            g[:, 0] = b * c * Du
            g[:, 1] = c * Vu
            g[:, 2] = b * Vu
            return float(self.rho @ (r * r)), g.ravel()
        A = theta[: d * d].reshape(d, d)
        loss, gA, gB, gC = full_loss_grad(A, theta[d * d : d * d + d], theta[d * d + d :],
                                          self.target, self.rho)
        return loss, np.concatenate([gA.ravel(), gB, gC])

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        d = self.dim
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

    def shifted_solver(self, theta: np.ndarray, s: float):
        """A function y -> (I + s * Hess L(theta))^{-1} y.

        Diagonal models: the Hessian is block-diagonal (3x3 per unit) plus the rank-k term
        2 J^T diag(rho) J, so the Woodbury identity solves in O(d k^2) without forming a dense
        matrix (:eq:`eq-woodbury`); small problems (3d <= DENSE_LIMIT) and full models use a
        dense factorisation.
        """
        d = self.dim
        if not self.diagonal or 3 * d <= DENSE_LIMIT:
            M = np.eye(theta.size) + s * self.hessian(theta)
            Minv = np.linalg.inv(M)
            return lambda y: Minv @ y
        t = theta.reshape(d, 3)
        blocks, J = diagonal_hessian_parts(t[:, 0], t[:, 1], t[:, 2], self.target, self.rho)
        Bd_inv = np.linalg.inv(np.eye(3)[None] + s * blocks)  # (d, 3, 3)
        k = J.shape[0]
        # Z = Bd^{-1} J^T, stored as (k, 3d); K = (2 s diag(rho))^{-1} + J Z^T
        Jd = np.ascontiguousarray(J.reshape(k, d, 3).transpose(1, 2, 0))  # (d, 3, k)
        Zd = np.empty_like(Jd)
        for i in range(3):  # Zd[:, i] = sum_j Bd_inv[:, i, j] Jd[:, j], nine (d, k) products
            Zd[:, i] = (Bd_inv[:, i, 0, None] * Jd[:, 0] + Bd_inv[:, i, 1, None] * Jd[:, 1]
                        + Bd_inv[:, i, 2, None] * Jd[:, 2])
        Z = Zd.transpose(2, 0, 1).reshape(k, 3 * d)
        Kinv = np.linalg.inv(np.diag(1.0 / (2.0 * s * self.rho)) + J @ Z.T)

        def solve(y: np.ndarray) -> np.ndarray:
            y3 = y.reshape(d, 3)
            x0 = (Bd_inv * y3[:, None, :]).sum(-1).ravel()
            return x0 - (Kinv @ (J @ x0)) @ Z

        return solve

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
