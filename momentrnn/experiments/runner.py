"""The sweep runner: resumable JSONL results, in-process, local-process and Dask executors."""

from __future__ import annotations

import json
import os
import sys
import time
from collections import defaultdict
from dataclasses import dataclass

from ..errors import InputError, MissingDependencyError
from .spec import SweepSpec, load_spec

__all__ = ["run_sweep", "read_results", "SweepSummary", "EXECUTORS"]

EXECUTORS = ("inprocess", "processes", "dask")


@dataclass(frozen=True)
class SweepSummary:
    """What a call of :func:`run_sweep` did."""

    results: str
    spec_digest: str
    total: int
    skipped: int
    completed: int
    diverged: int
    seconds: float
    executor: str

    @property
    def runs_per_second(self) -> float:
        return self.completed / self.seconds if self.seconds > 0 else float("inf")


def read_results(path: str) -> list[dict]:
    """Complete rows of a results file; a trailing partial line (a killed write) is ignored."""
    if not os.path.exists(path):
        return []
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.endswith("\n"):
                break  # the last write was cut off
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                break
    return rows


def _repair(path: str) -> None:
    """Cut a partial last line so that appends start on a fresh line."""
    if not os.path.exists(path):
        return
    with open(path, "rb+") as handle:
        data = handle.read()
        keep = data.rfind(b"\n") + 1
        if keep != len(data):
            handle.truncate(keep)


def _append(path: str, rows: list[dict]) -> None:
    """Append rows, one JSON line each, flushed and synced: a kill loses no completed row."""
    with open(path, "a", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, default=_jsonable) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _jsonable(value):
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def _group_key(spec: SweepSpec, run: dict) -> tuple:
    if spec.family == "linear":
        return (run["teacher"], run["dim"], run["k"])
    return (run["cell"], run["teacher_dim"], run["dim"], run["k"])


def run_task(params: dict, runs: list[dict]) -> list[dict]:
    """Execute runs that share a shape (importable by worker processes)."""
    if params["family"] == "linear":
        from .linear import run_linear_group

        return run_linear_group(params, runs)
    from .nonlinear import run_nonlinear_group

    return run_nonlinear_group(params, runs)


def run_sweep(spec: object, results: str, *, executor: str = "inprocess",
              workers: int | None = None, scheduler: str | None = None,
              runs_per_task: int | None = None, allow_mixed: bool = False,
              progress: bool = True) -> SweepSummary:
    """Run every run of ``spec`` that ``results`` does not hold yet, appending one row per run.

    Parameters
    ----------
    spec : SweepSpec, dict, TOML text or path
    results : str
        A JSONL file; created if missing. Runs already in it are skipped (resume).
    executor : {'inprocess', 'processes', 'dask'}
        ``'inprocess'`` batches runs of one shape into one array program; ``'processes'``
        spreads tasks of ``runs_per_task`` runs over local processes; ``'dask'`` submits them to
        a Dask cluster (``scheduler`` address, or a local cluster of ``workers`` processes).
    allow_mixed : bool
        Append to a results file made by another spec.
    """
    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    if executor not in EXECUTORS:
        raise InputError(f"executor={executor!r}: use one of {', '.join(EXECUTORS)}")
    from .. import __version__

    _repair(results)
    existing = read_results(results)
    others = {r.get("spec_digest") for r in existing} - {spec.digest}
    if others and not allow_mixed:
        raise InputError(
            f"{results} holds rows of another spec ({', '.join(sorted(map(str, others)))}); use "
            "a new results file or allow_mixed=True (--allow-mixed)"
        )
    done = {r["run_id"] for r in existing if r.get("spec_digest") == spec.digest}
    pending = [r for r in spec.runs if r["run_id"] not in done]
    groups: dict = defaultdict(list)
    for run in pending:
        groups[_group_key(spec, run)].append(run)
    size = runs_per_task or (10**9 if executor == "inprocess" else 8)
    tasks = [runs[i : i + size] for runs in groups.values() for i in range(0, len(runs), size)]
    meta = {"spec_digest": spec.digest, "version": __version__, "family": spec.family}
    start = time.perf_counter()
    counts = {"completed": 0, "diverged": 0}

    def deliver(rows: list[dict]) -> None:
        stamped = [{**row, **meta, "finished_at": time.time()} for row in rows]
        _append(results, stamped)
        counts["completed"] += len(rows)
        counts["diverged"] += sum(1 for r in rows if r.get("status") == "diverged")
        if progress:
            print(f"\r  sweep: {counts['completed']}/{len(pending)} runs", end="",
                  file=sys.stderr, flush=True)

    params = spec.params
    if executor == "inprocess":
        for task in tasks:
            deliver(run_task(params, task))
    elif executor == "processes":
        import concurrent.futures

        with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(run_task, params, task) for task in tasks]
            for fut in concurrent.futures.as_completed(futures):
                deliver(fut.result())
    else:
        _run_dask(params, tasks, deliver, scheduler, workers)
    if progress and pending:
        print(file=sys.stderr)
    return SweepSummary(results, spec.digest, len(spec.runs), len(spec.runs) - len(pending),
                        counts["completed"], counts["diverged"],
                        time.perf_counter() - start, executor)


def _run_dask(params, tasks, deliver, scheduler, workers) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise MissingDependencyError(
            "executor='dask' needs dask.distributed; install it with "
            "pip install 'momentrnn[dask]' (and dask-jobqueue for SLURM/PBS clusters)"
        ) from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = [client.submit(run_task, params, task, pure=False) for task in tasks]
        for fut in as_completed(futures):
            deliver(fut.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
