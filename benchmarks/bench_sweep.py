"""Sweep throughput: runs per second, and the batched non-linear cell against torch.nn.GRU.

``python benchmarks/bench_sweep.py [--device cpu|cuda] [--quick]`` prints markdown tables (one
process). Linear: the default-style sweep (2 teachers x 2 modes x 5 scales x seeds, d = 20,
5000 GD steps; 500 with --quick) as a Python loop of single runs, batched numpy, batched
torch, local processes (CPU), or batched torch on the GPU. Non-linear: time per student
training step for B GRU (and tanh) students trained at once by the hand-written batched cell,
against a loop over B ``torch.nn.GRU`` modules doing the same work one by one.
"""

from __future__ import annotations

import argparse
import functools
import os
import tempfile
import time

from momentrnn.experiments import load_spec, run_sweep


def linear_rows(device: str, quick: bool) -> list[str]:
    seeds = 2 if quick else 4
    base = {"family": "linear", "teachers": ["long_memory", "two_pole"],
            "modes": ["random", "balanced"], "scales": [1e-4, 1e-3, 1e-2, 1e-1, 1.0],
            "seeds": seeds, "dims": [20], "trainer": "gd", "lr": 0.01,
            "steps": 500 if quick else 5000,
            "lengths": [100]}
    variants = []
    if device == "cpu":
        variants = [("Python loop of single runs (numpy)", {"backend": "numpy"},
                     {"runs_per_task": 1}),
                    ("batched numpy", {"backend": "numpy"}, {}),
                    ("batched torch CPU", {"backend": "torch"}, {}),
                    ("local processes (2), numpy", {"backend": "numpy"},
                     {"executor": "processes", "workers": 2, "runs_per_task": 10})]
    else:
        variants = [("Python loop of single runs (torch GPU)", {"backend": "torch",
                                                                "device": "cuda"},
                     {"runs_per_task": 1}),
                    ("batched torch GPU", {"backend": "torch", "device": "cuda"}, {})]
    rows = []
    for label, spec_over, run_over in variants:
        spec = load_spec({**base, **spec_over})
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "r.jsonl")
            start = time.perf_counter()
            s = run_sweep(spec, path, progress=False, **run_over)
            wall = time.perf_counter() - start
        rows.append(f"| {label} | {s.completed} | {wall:.2f} | {s.completed / wall:.1f} |")
    return rows


def nonlinear_rows(device: str, quick: bool) -> list[str]:
    import torch

    from momentrnn.experiments.nonlinear import forward, init_cells

    dev = torch.device(device)
    dtype = torch.float32
    dim, S, T = 32, 64, 10
    x = torch.randn(S, T, dtype=dtype, device=dev)
    y = torch.randn(S, dtype=dtype, device=dev)
    out = []
    sizes = [16, 64] if quick else ([16, 64, 256] if device == "cpu" else [64, 256, 1024])
    for cell in ("gru", "tanh"):
        for B in sizes:
            p = init_cells(torch, cell, B, dim, [0.1] * B, list(range(B)), dtype=dtype,
                           device=dev)
            opt = torch.optim.Adam(list(p.values()), lr=1e-3)
            step = functools.partial(_batched_step, torch, forward, cell, p, opt, x, y)
            t_b = _time(step, dev, 3 if device == "cpu" else 10)
            loop, ratio = "-", "-"
            if cell == "gru" and B <= (64 if device == "cpu" else 256):
                models = [torch.nn.GRU(1, dim, batch_first=True).to(dev).to(dtype)
                          for _ in range(B)]
                heads = [torch.nn.Linear(dim, 1).to(dev).to(dtype) for _ in range(B)]
                params = [q for m, h in zip(models, heads) for q in
                          list(m.parameters()) + list(h.parameters())]
                opt2 = torch.optim.Adam(params, lr=1e-3)
                step = functools.partial(_loop_step, models, heads, opt2, x.unsqueeze(-1), y)
                t_l = _time(step, dev, 2 if device == "cpu" else 5)
                loop = f"{t_l / B * 1e6:.1f}"
                ratio = f"{t_l / t_b:.1f}x"
            out.append(f"| {cell} | {B} | {t_b / B * 1e6:.1f} | {loop} | {ratio} |")
    return out


def _batched_step(torch, forward, cell, p, opt, x, y) -> None:
    opt.zero_grad()
    loss = ((forward(torch, cell, p, x) - y) ** 2).mean(dim=1).sum()
    loss.backward()
    opt.step()


def _loop_step(models, heads, opt, xin, y) -> None:
    opt.zero_grad()
    for m, h in zip(models, heads):
        _, hn = m(xin)
        loss = ((h(hn[0]).squeeze(-1) - y) ** 2).mean()
        loss.backward()
    opt.step()


def _time(fn, dev, reps: int) -> float:
    import torch

    fn()  # warm-up
    if dev.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(reps):
        fn()
    if dev.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / reps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--part", default="both", choices=["both", "linear", "nonlinear"])
    args = parser.parse_args()
    if args.device == "cuda":
        import torch

        print(f"device: {torch.cuda.get_device_name(0)}, torch {torch.__version__}\n")
    if args.part in ("both", "linear"):
        print("| linear sweep executor | runs | wall (s) | runs per second |")
        print("|---|---|---|---|")
        for row in linear_rows(args.device, args.quick):
            print(row, flush=True)
        print()
    if args.part in ("both", "nonlinear"):
        print("| cell | students B | batched cell (us per student-step) | loop over nn.GRU "
              "(us per student-step) | speed-up |")
        print("|---|---|---|---|---|")
        for row in nonlinear_rows(args.device, args.quick):
            print(row, flush=True)


if __name__ == "__main__":
    main()
