"""Effective state dimension, through the moments engine."""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..moments import HankelRank, hankel_rank
from ..precision import MP, Precision

__all__ = ["effective_dimension"]


def effective_dimension(model: object, *, tolerance: float | None = None,
                        size: int | None = None,
                        precision: Precision | None = None) -> HankelRank:
    r"""The effective state dimension: the rank of the Hankel matrix of the impulse response.

    The rank of :math:`[h_{i+j}]` is the McMillan degree, the order of a minimal realisation,
    and for a diagonal model the number of atoms of :math:`\mu_\Theta` with non-negligible
    weight. It is decided by :func:`momentrnn.hankel_rank`, with its evidence.

    Parameters
    ----------
    model : DiagonalRNN or LinearRNN
    tolerance : float, optional
        Absolute accuracy to which the impulse response is meaningful, e.g. the training
        residual :math:`\sqrt{L}`; singular values at or below it do not count. Default
        :math:`10^{-8} \max_j |h_j|`.
    size : int, optional
        Hankel size; default ``min(dim, 30) + 1``, enough to see rank ``min(dim, 30)``.
    precision : MP, optional
        Arithmetic of the singular values; default MP(40).

    Returns
    -------
    HankelRank
        ``.rank`` is the effective dimension; the evidence explains it.
    """
    dim = getattr(model, "dim", None)
    if dim is None:
        raise InputError(f"model must be a DiagonalRNN or LinearRNN, got {type(model).__name__}")
    s = min(dim, 30) + 1 if size is None else size
    h = np.asarray(model.impulse_response(2 * s - 1))  # type: ignore[attr-defined]
    if np.iscomplexobj(h):
        h = h.real if np.all(np.abs(h.imag) <= 1e-14 * np.abs(h).max()) else h
    scale = float(np.abs(h).max())
    if scale == 0:
        raise InputError("the model's impulse response is zero: it has no state to count")
    tol = 1e-8 * scale if tolerance is None else float(tolerance)
    if not tol > 0:
        raise InputError(f"tolerance={tolerance!r} must be positive")
    return hankel_rank(list(h), precision=precision or MP(40), size=s, accuracy=tol)
