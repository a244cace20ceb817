"""Batched gradient-descent throughput: nanoseconds per student-step.

``python benchmarks/bench_gd_throughput.py [--device cpu|cuda] [--quick]`` prints a markdown
table. Students: diagonal, d = 40, k = 10, two-pole teacher (0.9, -0.5), init scale 1e-3,
fp64, lr 0.005. On the CPU it compares a Python loop over single runs (one student at a time,
the fastest single-run code: FlowProblem.loss_grad) with batched numpy and batched torch; on
CUDA, torch eager, CUDA-graph replay and torch.compile. All in one process.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from momentrnn import gradient_descent, init_student, named_teacher
from momentrnn.dynamics import FlowProblem

D, K, LR = 40, 10, 0.005


def students(batch: int):
    rng = np.random.default_rng(0)
    shape = (batch, D)
    return (rng.normal(0, 1e-3, shape), rng.normal(0, 1e-3, shape), rng.normal(0, 1e-3, shape))


def loop_single(teacher, batch: int, steps: int) -> float:
    """ns per student-step of a Python loop over single runs."""
    target = teacher.impulse_response(K)
    problem = FlowProblem(True, D, target, np.ones(K))
    start = time.perf_counter()
    for seed in range(batch):
        theta = problem.pack(init_student(D, scale=1e-3, seed=seed))
        for _ in range(steps):
            theta = theta - LR * problem.loss_grad(theta)[1]
    return (time.perf_counter() - start) / (batch * steps) * 1e9


def batched(teacher, batch: int, steps: int, **kwargs) -> tuple[float, str]:
    # one short warm-up run (allocations, graph capture, compilation) is not timed
    gradient_descent(students(batch), teacher, k=K, lr=LR, steps=min(steps, 64),
                     record_every=min(steps, 64), **kwargs)
    res = gradient_descent(students(batch), teacher, k=K, lr=LR, steps=steps,
                           record_every=steps, **kwargs)
    return res.seconds / (batch * steps) * 1e9, res.device


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    teacher = named_teacher("two_pole")
    print(f"d = {D}, k = {K}, fp64; host {platform.node()} ({platform.processor() or 'cpu'})")
    if args.device == "cpu":
        import torch

        batches = [1, 64, 1024] if args.quick else [1, 64, 1024, 16384]
        loop = loop_single(teacher, 16, 2000)
        print(f"\nPython loop over single runs: {loop:.0f} ns per student-step\n")
        print("| batch | numpy (ns/student-step) | torch CPU (ns/student-step) | "
              "torch CPU speed-up over the loop |")
        print("|---|---|---|---|")
        for batch in batches:
            steps = max(20, min(4000, 200_000 // batch))
            npy, _ = batched(teacher, batch, steps, backend="numpy")
            tch, _ = batched(teacher, batch, steps, backend="torch")
            print(f"| {batch} | {npy:.0f} | {tch:.0f} | {loop / tch:.1f}x |", flush=True)
        print(f"\ntorch {torch.__version__}, {torch.get_num_threads()} threads")
        return
    import torch

    name = torch.cuda.get_device_name(0)
    print(f"GPU: {name}, torch {torch.__version__}\n")
    print("| batch | eager (ns/student-step) | CUDA graph | torch.compile |")
    print("|---|---|---|---|")
    batches = [1, 1024, 4096, 16384, 65536] if args.quick else [1, 64, 1024, 4096, 16384,
                                                                   65536]
    for batch in batches:
        steps = 512 if batch <= 4096 else 256
        row = []
        for mode in ("eager", "graph", "compile"):
            if mode == "compile" and batch not in (4096, 65536):
                row.append("-")  # compiled once per shape: two sizes keep the run short
                continue
            try:
                ns, _ = batched(teacher, batch, steps, backend="torch", device="cuda",
                                torch_mode=mode)
                row.append(f"{ns:.1f}")
            except Exception as exc:  # noqa: BLE001 - a mode that fails is reported
                row.append(f"failed: {type(exc).__name__}")
        print(f"| {batch} | {' | '.join(row)} |", flush=True)


if __name__ == "__main__":
    main()
