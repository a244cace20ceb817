"""Non-linear teacher-student runs: batched tanh-RNN and GRU students in torch.

Many students (initialisation scales times seeds) are trained at once: their parameters carry a
leading batch dimension and one batched cell (written out by hand, since ``torch.vmap`` over
``nn.GRU`` does not work) steps all of them. The loss is a sum over students, so gradients and
Adam's elementwise statistics stay independent per student.
"""

from __future__ import annotations

import math
import time

import numpy as np

from ..dynamics.gd import load_torch, torch_device
from ..errors import InputError
from .families.base import SweepRow

__all__ = ["init_cells", "forward", "run_nonlinear_group", "teacher_cell"]


def init_cells(torch, cell: str, batch: int, dim: int, scales, seeds, *, dtype, device):
    """Student parameters of shape (batch, ...), each student drawn with its own scale and seed."""
    gates = 3 if cell == "gru" else 1
    params = {"W": [], "U": [], "b": [], "v": []}
    for scale, seed in zip(scales, seeds):
        g = torch.Generator().manual_seed(int(seed))
        shapes = {"W": (gates * dim, dim), "U": (gates * dim, 1), "b": (gates * dim,),
                  "v": (dim,)}
        for name, shape in shapes.items():
            params[name].append(torch.randn(*shape, generator=g, dtype=dtype) * scale)
    return {k: torch.stack(v).to(device).requires_grad_(True) for k, v in params.items()}


def teacher_cell(torch, cell: str, dim: int, seed: int, gain: float, *, dtype, device):
    """A fixed teacher with a low-dimensional state: recurrent weights of spectral scale gain."""
    gates = 3 if cell == "gru" else 1
    g = torch.Generator().manual_seed(int(seed) + 10_000)
    W = torch.randn(gates * dim, dim, generator=g, dtype=dtype) * gain / math.sqrt(dim)
    U = torch.randn(gates * dim, 1, generator=g, dtype=dtype)
    b = torch.randn(gates * dim, generator=g, dtype=dtype) * 0.1
    v = torch.randn(dim, generator=g, dtype=dtype)
    return {k: t.unsqueeze(0).to(device) for k, t in {"W": W, "U": U, "b": b, "v": v}.items()}


def _per_student(torch, x, y):
    """``x[i] @ y[i]`` for each student ``i``, one product of one shape each: a batched product
    takes another BLAS path for another batch size, and a run's bits would depend on its
    batch."""
    return torch.stack([torch.mm(x[i], y[i]) for i in range(x.shape[0])])


def forward(torch, cell: str, p: dict, x, *, return_states: bool = False):
    """Outputs (batch, sequences) of the final step; x has shape (sequences, T)."""
    W, U, b, v = p["W"], p["U"], p["b"], p["v"]
    batch, dim = v.shape
    S, T = x.shape
    h = torch.zeros(batch, S, dim, dtype=v.dtype, device=v.device)
    states = []
    for t in range(T):
        xt = x[:, t].reshape(1, S, 1)
        gi = xt * U.transpose(1, 2) + b.unsqueeze(1)  # (batch, S, gates*dim)
        gh = _per_student(torch, h, W.transpose(1, 2))  # (batch, S, gates*dim)
        if cell == "tanh":
            h = torch.tanh(gi + gh)
        else:
            r = torch.sigmoid(gi[..., :dim] + gh[..., :dim])
            z = torch.sigmoid(gi[..., dim : 2 * dim] + gh[..., dim : 2 * dim])
            n = torch.tanh(gi[..., 2 * dim :] + r * gh[..., 2 * dim :])
            h = (1 - z) * n + z * h
        if return_states:
            states.append(h)
    y = _per_student(torch, h, v.unsqueeze(2)).squeeze(2)
    if return_states:
        return y, torch.stack(states, dim=2)  # (batch, S, T, dim)
    return y


def _effective_ranks(torch, states, thresholds) -> list[list[int]]:
    """Per student: numbers of singular values of the stacked hidden states above thresholds
    (relative to the largest)."""
    batch = states.shape[0]
    mats = states.reshape(batch, -1, states.shape[-1])
    sv = torch.linalg.svdvals(mats)
    rel = sv / sv[:, :1].clamp_min(1e-300)
    return [[int((rel[i] > thr).sum()) for thr in thresholds] for i in range(batch)]


def run_nonlinear_group(params: dict, runs: list[dict], steps=None) -> list[SweepRow]:
    """Train runs that share (cell, teacher_dim, dim, k) as one batched program;
    ``steps(done, total)``, when given, is called after each training step."""
    torch = load_torch()
    cell, tdim, dim, k = runs[0]["cell"], runs[0]["teacher_dim"], runs[0]["dim"], runs[0]["k"]
    if any((r["cell"], r["teacher_dim"], r["dim"], r["k"]) != (cell, tdim, dim, k)
           for r in runs):
        raise InputError("a group must share cell, teacher_dim, dim and k")
    device = torch_device(torch, params["device"])
    dtype = torch.float64
    teacher = teacher_cell(torch, cell, tdim, params["teacher_seed"], params["teacher_gain"],
                           dtype=dtype, device=device)
    g = torch.Generator().manual_seed(12345)
    x_train = torch.randn(params["train_sequences"], k, generator=g, dtype=dtype).to(device)
    with torch.no_grad():
        y_train = forward(torch, cell, teacher, x_train)[0]
    students = init_cells(torch, cell, len(runs), dim, [r["scale"] for r in runs],
                          [r["seed"] for r in runs], dtype=dtype, device=device)
    leaves = list(students.values())
    opt = (torch.optim.Adam(leaves, lr=params["lr"]) if params["optimizer"] == "adam"
           else torch.optim.SGD(leaves, lr=params["lr"]))
    diverged = torch.full((len(runs),), -1, dtype=torch.int64)
    start = time.perf_counter()
    curve = []
    every = max(1, params["steps"] // 20)
    for step in range(params["steps"]):
        opt.zero_grad()
        per = ((forward(torch, cell, students, x_train) - y_train) ** 2).mean(dim=1)
        bad = ~torch.isfinite(per).cpu()
        newly = bad & (diverged < 0)
        diverged[newly] = step
        per = torch.where(torch.isfinite(per), per, torch.zeros_like(per))
        per.sum().backward()
        with torch.no_grad():  # frozen runs keep their parameters
            alive = (diverged < 0).to(device)
            for leaf in leaves:
                leaf.grad[~alive] = 0
        opt.step()
        if step % every == 0 or step == params["steps"] - 1:
            curve.append([step, per.detach().cpu().numpy().tolist()])
        if steps is not None:
            steps(step + 1, params["steps"])
    seconds = (time.perf_counter() - start) / len(runs)
    with torch.no_grad():
        final = ((forward(torch, cell, students, x_train) - y_train) ** 2).mean(dim=1)
        gt = torch.Generator().manual_seed(777)
        results = {}
        for length in params["lengths"]:
            x = torch.randn(params["test_sequences"], length, generator=gt, dtype=dtype)
            x = x.to(device)
            yt = forward(torch, cell, teacher, x)[0]
            ys, states = forward(torch, cell, students, x, return_states=True)
            mse = ((ys - yt) ** 2).mean(dim=1) / yt.var().clamp_min(1e-300)
            results[length] = (mse.cpu().numpy(), _effective_ranks(torch, states,
                                                                   params["thresholds"]))
    rows = []
    for i, r in enumerate(runs):
        at_length = {length: {"extrapolation_rel_mse": float(mse[i]) if np.isfinite(mse[i])
                              else math.inf, "state_rank": ranks[i]}
                     for length, (mse, ranks) in results.items()}
        rows.append(SweepRow(
            dict(r), float(final[i]), at_length, {"thresholds": list(params["thresholds"])},
            status="diverged" if diverged[i] >= 0 else "finished",
            diverged_step=int(diverged[i]) if diverged[i] >= 0 else None,
            loss_curve=[[s, float(v[i])] for s, v in curve], seconds=seconds))
    return rows
