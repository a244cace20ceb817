"""The sweep runner: resumable JSONL results, in-process, local-process and Dask executors."""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass

from .. import __version__
from .._limits import MAX_JOBS
from .._output import _standard, json_text, restore_non_finite
from .._progress import ProgressLine
from .._schema import SCHEMA_VERSION, number_of
from .._validate import blas_thread_count, positive_int
from ..dynamics import blas_threads_limited
from ..dynamics.gd import load_torch, torch_device
from ..errors import (
    InputError,
    IntegrationError,
    MissingDependencyError,
    MomentRNNError,
    OutputError,
)
from .families import FAMILIES, SweepRow, family_named, register_family
from .spec import SweepSpec, load_spec

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock
    fcntl = None  # type: ignore[assignment]

__all__ = ["run_sweep", "read_results", "scan_results", "unique_rows", "ResultsScan",
           "SweepSummary", "SweepResults", "SweepInterrupted", "EXECUTORS"]

EXECUTORS = ("inprocess", "processes", "dask")


@dataclass(frozen=True)
class SweepSummary:
    """What a call of :func:`run_sweep` did.

    Attributes
    ----------
    results : str
        The results file.
    spec_digest : str
        The digest of the spec (:attr:`SweepSpec.digest`), stored in each of its rows.
    total : int
        The spec's runs.
    skipped : int
        Runs the results file already held.
    completed : int
        Runs done and appended by this call.
    diverged : int
        Of these, runs whose training diverged.
    seconds : float
        Wall time of the runs.
    executor : str
        The executor used.
    notes : tuple of str
        Problems found in the results file (lines that are not rows, repeats).
    """

    results: str
    spec_digest: str
    total: int
    skipped: int
    completed: int
    diverged: int
    seconds: float
    executor: str
    notes: tuple = ()

    @property
    def runs_per_second(self) -> float:
        """Completed runs per second of wall time."""
        return self.completed / self.seconds if self.seconds > 0 else float("inf")


@dataclass(frozen=True)
class SweepResults:
    """A sweep's rows, with what the call that ran it did (kind ``"sweep"``: the JSON of
    ``momentrnn sweep --format json``, or a results file read with :meth:`from_file`).

    Attributes
    ----------
    rows : list of dict
        The rows as a results file holds them (non-finite numbers as floats).
    summary : SweepSummary or None
        What the sweep call did; None for rows read from a file.
    """

    rows: list
    summary: SweepSummary | None = None

    @classmethod
    def from_file(cls, path: str) -> SweepResults:
        """The rows of a results file (each run once)."""
        rows, _ = unique_rows(scan_results(path).rows)
        return cls(rows)

    def typed_rows(self) -> list:
        """The rows as :class:`SweepRow` (by each row's family; rows of no known family
        left out)."""
        out = []
        for row in self.rows:
            family = FAMILIES.get(row.get("family", "linear"))
            typed = family.read_row(row) if family is not None else None
            if typed is not None:
                out.append(typed)
        return out

    def to_dict(self) -> dict:
        """What the call did (where known) and ``rows``; standard JSON as it is (a number
        that is not finite as ``"inf"``, ``"-inf"`` or ``"nan"``)."""

        s = self.summary
        head = ({} if s is None else
                {"results": s.results, "spec_digest": s.spec_digest, "total": s.total,
                 "skipped": s.skipped, "completed": s.completed, "diverged": s.diverged,
                 "seconds": s.seconds, "executor": s.executor, "notes": list(s.notes)})
        return _standard({**head, "rows": [dict(r) for r in self.rows]})

    @classmethod
    def from_dict(cls, data: dict) -> SweepResults:
        """The results of its :meth:`to_dict` (or of a ``"sweep"`` output)."""

        rows = [restore_non_finite(r) for r in data["rows"]]
        if "spec_digest" not in data:
            return cls(rows)
        summary = SweepSummary(data["results"], data["spec_digest"], data["total"],
                               data["skipped"], data["completed"], data["diverged"],
                               number_of(data["seconds"]), data["executor"],
                               tuple(data["notes"]))
        return cls(rows, summary)

    def to_dataframe(self):
        """The rows as a pandas DataFrame, one line per run and one column per key of the rows
        (``loss_curve`` as a column of lists; a key a row lacks is missing there).

        Raises
        ------
        MissingDependencyError
            When pandas is not installed (``pip install pandas``).
        """
        try:
            import pandas as pd
        except ImportError:
            raise MissingDependencyError(
                "SweepResults.to_dataframe needs pandas; install it with pip install pandas"
            ) from None
        return pd.DataFrame.from_records([dict(r) for r in self.rows])


@dataclass(frozen=True)
class ResultsScan:
    """What a results file holds: its valid rows, and the lines that are not rows.

    Attributes
    ----------
    path : str
        The file read.
    rows : list of dict
        Every valid row, in file order (a row is a JSON object with ``run_id`` and
        ``spec_digest``).
    bad_lines : tuple of (int, str)
        Line numbers (from 1) of complete lines that are not rows, with the reason.
    torn_line : int or None
        Number of a last line cut off before its end (a write stopped by a kill).
    torn_offset : int
        Byte offset where that line starts (the file size when there is none).
    own_torn : bool
        The cut-off line starts as this package starts a row.
    complete_tail : bool
        The last line lacks only its newline: it is a whole row, counted, and the newline is
        added before anything is appended.
    """

    path: str
    rows: list
    bad_lines: tuple = ()
    torn_line: int | None = None
    torn_offset: int = 0
    own_torn: bool = False
    complete_tail: bool = False

    def notes(self) -> list[str]:
        """One line per problem found, naming the file and the line numbers."""
        out = []
        if self.bad_lines:
            shown = ", ".join(f"{n} ({why})" for n, why in self.bad_lines[:10])
            more = f" and {len(self.bad_lines) - 10} more" if len(self.bad_lines) > 10 else ""
            out.append(f"{self.path}: line(s) {shown}{more} are not result rows and were "
                       f"skipped; the {len(self.rows)} valid rows were read")
        if self.torn_line is not None and not self.complete_tail:
            out.append(f"{self.path}: line {self.torn_line} is incomplete (a write cut off by "
                       "a kill) and is not counted")
        return out


# the start of every row this package writes (run_id first): recognises a cut-off first row
_ROW_PREFIX = b'{"run_id": "'


def _row_problem(line: bytes) -> tuple[dict | None, str]:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    try:
        row = restore_non_finite(json.loads(text))
    except RecursionError:
        return None, "JSON nested too deeply"
    except ValueError:
        return None, "not JSON"
    if not isinstance(row, dict):
        return None, f"a JSON {type(row).__name__}, not an object"
    missing = [k for k in ("run_id", "spec_digest") if not isinstance(row.get(k), str)]
    if missing:
        return None, f"lacks {' and '.join(missing)}"
    return row, ""


def _scan_bytes(path: str, data: bytes) -> ResultsScan:
    if not data:
        return ResultsScan(path, [], torn_offset=0)
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a newline
    first = lines[0] if lines else tail
    tail_row = _row_problem(tail)[0] if tail else None
    if _row_problem(first)[0] is None:
        if not lines and tail.startswith(_ROW_PREFIX) and tail_row is None:
            return ResultsScan(path, [], torn_line=1, torn_offset=0, own_torn=True)
        raise InputError(
            f"{path!r} is not a results file of momentrnn sweeps (its first line is not a sweep "
            "row); it was left unchanged: choose another results file (--out)")
    rows, bad = [], []
    for number, line in enumerate(lines, start=1):
        row, why = _row_problem(line)
        if row is None:
            bad.append((number, why))
        else:
            rows.append(row)
    if tail and tail_row is not None:
        # a whole row whose newline is missing (written by another tool, or an editor):
        # keep it, and end it before appending
        return ResultsScan(path, rows + [tail_row], tuple(bad), len(lines) + 1, len(data),
                           False, complete_tail=True)
    if tail:
        return ResultsScan(path, rows, tuple(bad), len(lines) + 1, len(data) - len(tail),
                           tail.startswith(_ROW_PREFIX))
    return ResultsScan(path, rows, tuple(bad), None, len(data))


def scan_results(path: str) -> ResultsScan:
    """Read a results file: every valid row, and the numbers of the lines that are not rows.

    Parameters
    ----------
    path : str
        The JSONL results file (a missing file holds no rows).

    Returns
    -------
    ResultsScan

    Raises
    ------
    InputError
        For a file whose first line is not a row of this package, a folder, or a file that
        cannot be read.
    """
    if not os.path.exists(path):
        return ResultsScan(path, [])
    if not os.path.isfile(path):
        raise InputError(f"results file {path!r} is not a regular file; give the JSONL file")
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise InputError(f"cannot read results file {path!r}: {exc.strerror or exc}") from None
    return _scan_bytes(path, data)


def read_results(path: str) -> list[dict]:
    """Every valid row of a results file (lines that are not rows are skipped with a warning).

    Parameters
    ----------
    path : str
        The JSONL results file.

    Returns
    -------
    list of dict
        The rows, in file order; none for a missing file.

    Raises
    ------
    InputError
        For a file that is not a results file.
    """
    scan = scan_results(path)
    for note in scan.notes():
        warnings.warn(note, stacklevel=2)
    return scan.rows


def unique_rows(rows: list[dict]) -> tuple[list[dict], int]:
    """Rows with each run id once (the first), and how many repeats were dropped.

    Parameters
    ----------
    rows : list of dict
        Rows of a results file.

    Returns
    -------
    rows : list of dict
        The first row of each (spec digest, run id), in order.
    repeats : int
        The rows dropped.
    """
    seen: set = set()
    out = []
    for r in rows:
        key = (r.get("spec_digest"), r.get("run_id"))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out, len(rows) - len(out)


class _ResultsWriter:
    """An exclusive lock on the results file, and appends that leave it whole."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.created = not os.path.exists(path)
        if os.path.isdir(path):
            raise OutputError(f"results file {path!r} is a folder; give a file name")
        if os.path.exists(path) and not os.path.isfile(path):
            raise OutputError(f"results file {path!r} is not a regular file (a device or a "
                              "pipe); give a file name")
        try:
            self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND
                              | getattr(os, "O_CLOEXEC", 0), 0o666)  # the umask decides
        except OSError as exc:
            raise OutputError(f"cannot open results file {path!r} for writing: "
                              f"{exc.strerror or exc}") from None
        if fcntl is not None:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(self.fd)
                raise InputError(
                    f"results file {path!r} is being written by another sweep (it holds the "
                    "file's lock); wait until it ends, then rerun to resume, or use another "
                    "results file") from None
        self.written = 0

    def read(self) -> ResultsScan:
        chunks = []
        os.lseek(self.fd, 0, os.SEEK_SET)
        while True:
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        return _scan_bytes(self.path, b"".join(chunks))

    def end_torn_line(self, scan: ResultsScan) -> None:
        """A cut-off row of this package is removed; other unfinished text is kept on its own
        line so that appended rows start on a fresh line."""
        if scan.torn_line is None:
            return
        try:
            if scan.own_torn:
                os.ftruncate(self.fd, scan.torn_offset)
            else:
                os.write(self.fd, b"\n")
        except OSError as exc:
            raise OutputError(f"cannot repair results file {self.path!r}: "
                              f"{exc.strerror or exc}") from None

    def append(self, rows: list[dict]) -> None:
        """Append rows, one JSON line each, synced: a kill loses no completed row, and a
        failed write (disk full) is undone so that the file stays whole."""
        data = "".join(json_text(row, default=_jsonable) + "\n" for row in rows).encode()
        size = os.fstat(self.fd).st_size
        try:
            view = memoryview(data)
            while view:
                n = os.write(self.fd, view)
                view = view[n:]
            os.fsync(self.fd)
        except OSError as exc:
            try:
                os.ftruncate(self.fd, size)
            except OSError:
                pass
            raise OutputError(
                f"cannot append to results file {self.path!r}: {exc.strerror or exc}; it holds "
                "every row completed before; fix the cause and rerun to resume") from None
        self.written += len(rows)

    def close(self) -> None:
        try:
            if self.created and self.written == 0 and os.fstat(self.fd).st_size == 0:
                os.unlink(self.path)  # nothing to keep: leave no empty file behind
        except OSError:
            pass
        os.close(self.fd)


def _jsonable(value):
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def run_task(params: dict, runs: list[dict], steps=None) -> list[SweepRow]:
    """Execute runs that share a group key with their family's runner (importable by worker
    processes); ``steps(done, total)``, when given, is passed on to a family that reports its
    training steps (:attr:`SweepFamily.reports_steps`)."""
    family = family_named(params["family"])
    rows = (family.run_group(params, runs) if steps is None
            else family.run_group(params, runs, steps=steps))
    if [getattr(r, "run", {}).get("run_id") for r in rows] != [r["run_id"] for r in runs]:
        raise InputError(f"{type(family).__name__}.run_group returned {len(rows)} row(s) that "
                         f"are not SweepRow objects of the {len(runs)} runs it was given, in "
                         "order; it must return one SweepRow per run, with the run's fields")
    return rows


class SweepInterrupted(KeyboardInterrupt):
    """A sweep stopped by Ctrl-C.

    Parameters
    ----------
    message : str
        What the results file holds and how to resume.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


MAX_WORKERS = MAX_JOBS  # the table: momentrnn._limits
PROGRESS_EVERY = 10.0  # seconds between progress lines when stderr is not a terminal
STEPS_EVERY = 0.5  # seconds between two step reports a worker writes to its file


class StepFile:
    """A task's step report, ``steps(done, total)``, written to a file (at most every
    ``every`` seconds, and at the last step) for the sweep's process to read: the way a worker
    process tells how far its task is. Picklable; a failed write is ignored (progress is not
    worth failing a run for)."""

    def __init__(self, path: str, every: float | None = None) -> None:
        self.path, self.last = path, -math.inf
        self.every = STEPS_EVERY if every is None else every

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < self.every:
            return
        self.last = now
        try:
            with open(self.path + ".tmp", "w") as handle:
                handle.write(f"{int(done)} {int(total)}\n")
            os.replace(self.path + ".tmp", self.path)
        except OSError:
            pass


class _TaskSteps:
    """The training steps of the tasks in flight, for the progress line: reported by calls
    in this process, or read from the :class:`StepFile` of each task in ``folder``."""

    def __init__(self, folder: str | None = None) -> None:
        self.folder = folder
        self.lock = threading.Lock()
        self.runs: dict = {}  # task index -> its number of runs, while in flight
        self.noted: dict = {}  # task index -> (done, total), reported in this process

    def reporter(self, index: int, runs: int):
        """The ``steps(done, total)`` callable of task ``index`` of ``runs`` runs."""
        with self.lock:
            self.runs[index] = runs
        if self.folder is None:
            return lambda done, total: self._note(index, done, total)
        return StepFile(os.path.join(self.folder, f"task-{index}"))

    def _note(self, index: int, done: int, total: int) -> None:
        with self.lock:
            self.noted[index] = (int(done), int(total))

    def finished(self, index: int) -> None:
        with self.lock:
            self.runs.pop(index, None)
            self.noted.pop(index, None)
        if self.folder is not None:
            with contextlib.suppress(OSError):
                os.remove(os.path.join(self.folder, f"task-{index}"))

    def in_flight(self) -> list[tuple[int, int, int]]:
        """``(done, total, runs)`` of each task in flight that has reported a step."""
        with self.lock:
            runs = dict(self.runs)
            noted = dict(self.noted)
        out = []
        for index, count in sorted(runs.items()):
            got = noted.get(index) if self.folder is None else self._read(index)
            if got is not None and got[1] > 0:
                out.append((min(got[0], got[1]), got[1], count))
        return out

    def _read(self, index: int) -> tuple[int, int] | None:
        try:
            with open(os.path.join(self.folder, f"task-{index}")) as handle:
                done, total = map(int, handle.read().split())
        except (OSError, ValueError):
            return None
        return done, total


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class _Pace:
    """The time left of a sweep at the pace so far: the share of its work done (a run in
    flight counted by its share of training steps) against the time it took since
    ``(elapsed, share)`` of the first progress seen (the start, or with step reports the first
    step seen, so that setup before the first step, such as importing torch, is not taken for
    the pace of the steps)."""

    def __init__(self, from_first_step: bool) -> None:
        self.base: tuple[float, float] | None = None if from_first_step else (0.0, 0.0)

    def left(self, elapsed: float, share: float) -> float | None:
        if self.base is None:
            if share > 0:
                self.base = (elapsed, share)
            return None
        e0, s0 = self.base
        if not s0 < share < 1 or elapsed <= e0:
            return None
        return (elapsed - e0) * (1 - share) / (share - s0)


def _progress_text(completed: int, total: int, flight: list, elapsed: float,
                   pace: _Pace | None = None) -> str:
    """The sweep's progress line: runs done, the training steps of the runs in flight, the
    time so far and, once the pace is known, the time left at that pace (:class:`_Pace`)."""
    text = f"sweep: {completed}/{total} runs"
    if flight:
        runs = sum(r for _, _, r in flight)
        done, steps = sum(d for d, _, _ in flight), sum(t for _, t, _ in flight)
        text += (f", {runs} in flight at step {done}/{steps}" if len(flight) == 1 else
                 f", {runs} in flight in {len(flight)} tasks at steps {done}/{steps}")
    text += f", {elapsed:.0f} s"
    share = (completed + sum(r * d / t for d, t, r in flight)) / total if total else 1.0
    left = pace.left(elapsed, share) if pace is not None else None
    if left is not None:
        text += f", about {_duration(left)} left"
    return text
SCHEDULER_TIMEOUT = 10  # seconds to reach a Dask scheduler before giving up


def run_sweep(spec: object, results: str, *, executor: str = "inprocess",
              workers: int | None = None, scheduler: str | None = None,
              runs_per_task: int | None = None, allow_mixed: bool = False,
              progress: bool = True, blas_threads: int | None = 1) -> SweepSummary:
    """Run every run of ``spec`` that ``results`` does not hold yet, appending one row per run.

    Parameters
    ----------
    spec : SweepSpec, dict, TOML text or path
    results : str
        A JSONL file; created if missing. Runs already in it are skipped (resume). A file
        whose first line is not a row of this package is refused and left unchanged; lines
        that are not rows are reported by number and skipped. The file is locked while the
        sweep runs: a second sweep on it is refused.
    executor : {'inprocess', 'processes', 'dask'}
        ``'inprocess'`` batches runs of one shape into one array program; ``'processes'``
        spreads tasks of ``runs_per_task`` runs over local processes; ``'dask'`` submits them to
        a Dask cluster (``scheduler`` address, or a local cluster of ``workers`` processes,
        whose scratch folder is a temporary one removed when it closes; its workers leave
        Ctrl-C to this process, which ignores it while they start).
    workers : int, optional
        Worker processes of the local executors (default: the executor's own choice).
    scheduler : str, optional
        Address of a Dask scheduler such as ``'tcp://host:8786'`` (default: a local cluster).
    runs_per_task : int, optional
        Runs per task (default: all runs of one group in-process, 8 for the others).
    allow_mixed : bool
        Append to a results file made by another spec.
    progress : bool
        Show progress on stderr: a line redrawn in place on a terminal, otherwise a line at
        least every 10 s while the sweep runs (also while one long task is running). It
        gives the runs done, the training steps of the runs in flight (for a family that
        reports them, :attr:`SweepFamily.reports_steps`, run in this process, by local
        processes or by a local Dask cluster; not from the workers of a ``scheduler``, which
        may not share this machine's files) and the time left at the pace so far.
    blas_threads : int or None
        BLAS threads in each worker of the ``'processes'`` and ``'dask'`` executors (default 1:
        workers that share the cores run several times faster with one thread each); ``None``
        leaves the workers' setting alone. The ``'inprocess'`` executor keeps this process's
        setting (the flow integrator limits its own solves).

    Returns
    -------
    SweepSummary

    Raises
    ------
    SweepInterrupted
        On Ctrl-C, after the completed rows are written; its message says how to resume.
    """
    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    if executor not in EXECUTORS:
        raise InputError(f"executor={executor!r}: use one of {', '.join(EXECUTORS)}")
    workers = positive_int(workers, "workers", maximum=MAX_WORKERS, or_none="for the default")
    blas_threads = blas_thread_count(blas_threads)
    runs_per_task = positive_int(runs_per_task, "runs_per_task", or_none="for the default")
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise InputError(f"scheduler={scheduler!r} must be an address such as "
                         "'tcp://host:8786'")
    if not isinstance(results, (str, os.PathLike)) or not str(results):
        raise InputError(f"results={results!r} must be a file path")
    results = os.fspath(results)
    if spec.params.get("device") not in (None, "cpu"):
        torch_device(load_torch(), spec.params["device"])  # a device this machine lacks

    writer = _ResultsWriter(results)
    try:
        return _run_locked(spec, writer, executor, workers, scheduler, runs_per_task,
                           allow_mixed, progress, __version__, blas_threads)
    finally:
        writer.close()


def _run_locked(spec, writer, executor, workers, scheduler, runs_per_task, allow_mixed,
                progress, version, blas_threads=None) -> SweepSummary:
    results = writer.path
    scan = writer.read()
    notes = list(spec.notes) + scan.notes()
    existing = scan.rows
    others = {r.get("spec_digest") for r in existing} - {spec.digest}
    if others and not allow_mixed:
        raise InputError(
            f"{results} holds rows of another spec ({', '.join(sorted(map(str, others)))}); use "
            "a new results file or allow_mixed=True (--allow-mixed)"
        )
    writer.end_torn_line(scan)
    mine = [r for r in existing if r.get("spec_digest") == spec.digest]
    done = {r["run_id"] for r in mine}
    repeats = len(mine) - len(done)
    if repeats:
        notes.append(f"{results}: {repeats} row(s) repeat a run already in the file; each run "
                     "counts once")
    for note in notes:
        if progress:
            print(f"  note: {note}", file=sys.stderr, flush=True)
        else:
            warnings.warn(note, stacklevel=3)
    pending = [r for r in spec.runs if r["run_id"] not in done]
    family = spec.sweep_family
    groups: dict = defaultdict(list)
    for run in pending:
        groups[family.group_key(run)].append(run)
    size = runs_per_task or (10**9 if executor == "inprocess" else 8)
    tasks = [runs[i : i + size] for runs in groups.values() for i in range(0, len(runs), size)]
    meta = {"spec_digest": spec.digest, "momentrnn_version": version, "family": spec.family,
            "schema_version": SCHEMA_VERSION}
    start = time.perf_counter()
    counts = {"completed": 0, "diverged": 0}
    total = len(pending)
    # the runs in flight report their training steps when the family can (the workers of
    # the other executors to files in a folder of this sweep's own)
    reports = bool(progress and total > 0 and getattr(family, "reports_steps", False))
    folder = (tempfile.mkdtemp(prefix="momentrnn-steps-")
              if reports and executor != "inprocess" and scheduler is None else None)
    steps = (_TaskSteps(folder) if reports and (executor == "inprocess" or folder)
             else None)
    pace = _Pace(from_first_step=steps is not None)
    shown = ProgressLine(lambda elapsed, tty: _progress_text(
                             counts["completed"], total,
                             steps.in_flight() if steps is not None else [], elapsed, pace),
                         enabled=progress and total > 0, every=PROGRESS_EVERY, start=start)

    def deliver(rows: list[SweepRow]) -> None:
        stamped = [{**row.to_json(), **meta, "finished_at": time.time()} for row in rows]
        writer.append(stamped)
        counts["completed"] += len(rows)
        counts["diverged"] += sum(1 for r in rows if r.status == "diverged")
        shown.report(force=counts["completed"] == total)

    def where() -> str:
        held = len(done) + counts["completed"]
        if writer.created and writer.written == 0:  # removed when closed: nothing to keep
            return (f"no run of the spec's {len(spec.runs)} completed and {results} was not "
                    "written; run the same command again to start the sweep")
        return (f"{results} holds {held} of the spec's {len(spec.runs)} runs, every row "
                "complete; run the same command again to resume")

    params = spec.params
    shown.begin()
    try:
        if executor == "inprocess":
            for index, task in enumerate(tasks):
                if steps is None:
                    rows = run_task(params, task)
                else:
                    rows = run_task(params, task, steps=steps.reporter(index, len(task)))
                    steps.finished(index)
                deliver(rows)
        elif executor == "processes":
            _run_processes(params, tasks, deliver, workers, where, blas_threads=blas_threads,
                           family=family, steps=steps)
        else:
            _run_dask(params, tasks, deliver, scheduler, workers, where,
                      blas_threads=blas_threads, family=family, steps=steps)
    except KeyboardInterrupt:
        shown.end()
        raise SweepInterrupted(f"interrupted: {where()}") from None
    finally:
        shown.end()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    return SweepSummary(results, spec.digest, len(spec.runs), len(spec.runs) - len(pending),
                        counts["completed"], counts["diverged"],
                        time.perf_counter() - start, executor, tuple(notes))


def _limited_task(fn, blas_threads, params, task, family=None, steps=None):
    """Run one task in a worker with at most ``blas_threads`` BLAS threads; ``family`` (a
    family registered in the sweep's process only) is registered in the worker first;
    ``steps`` (a :class:`StepFile`) receives the task's step reports."""
    if family is not None and family.name not in FAMILIES:
        register_family(family)
    with blas_threads_limited(blas_threads):
        return fn(params, task) if steps is None else fn(params, task, steps=steps)


def _worker_init(parent: int) -> None:
    """Pool workers ignore Ctrl-C (the parent stops them) and exit when the sweep's process
    dies (even by SIGKILL, which leaves it no chance to stop them)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _run_processes(params, tasks, deliver, workers, where, fn=None, blas_threads=None,
                   family=None, steps=None) -> None:
    import concurrent.futures
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    # spawn: workers are children of this process (they see it die) and do not inherit its
    # descriptors (the results file's lock)
    context = multiprocessing.get_context("spawn")
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                                  initializer=_worker_init,
                                                  initargs=(os.getpid(),))
    futures = []
    try:
        futures = [pool.submit(_limited_task, fn or run_task, blas_threads, params, task,
                               family, _reporter(steps, i, task))
                   for i, task in enumerate(tasks)]
        index = {fut: i for i, fut in enumerate(futures)}
        for fut in concurrent.futures.as_completed(futures):
            rows = fut.result()
            if steps is not None:
                steps.finished(index[fut])
            deliver(rows)
    except BrokenProcessPool:
        raise IntegrationError(
            "a worker process died while running a task (killed, or out of memory); "
            f"{where()} (fewer --workers or --runs-per-task use less memory)") from None
    except BaseException:
        for fut in futures:
            fut.cancel()
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_dask(params, tasks, deliver, scheduler, workers, where, fn=None,
              blas_threads=None, family=None, steps=None) -> None:
    try:
        from distributed import Client, KilledWorker, LocalCluster, as_completed
    except ImportError:
        raise MissingDependencyError(
            "executor='dask' needs dask.distributed; install it with "
            "pip install 'momentrnn[dask]' (and dask-jobqueue for SLURM/PBS clusters)"
        ) from None
    import tempfile

    cluster = None
    scratch = None
    if scheduler is None:
        # the workers' scratch space (and its lock files) in a folder of this sweep's own,
        # removed when the cluster closes
        scratch = tempfile.mkdtemp(prefix="momentrnn-dask-")
        count = workers or 2
        try:
            # the worker processes start ignoring Ctrl-C, and quiet: this process reports
            # what fails (a task's error, a dead worker) in one line, and stops them
            with _quiet_worker_logs():
                cluster, stopped = _start_deaf(lambda: LocalCluster(
                    n_workers=count, threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address=None, local_directory=scratch,
                    # its HTTP server (metrics, no dashboard) on a free port of this
                    # machine: never the warning of a port 8787 another cluster holds
                    scheduler_kwargs={"local_directory": scratch,
                                      "dashboard_address": "127.0.0.1:0"},
                    silence_logs=logging.CRITICAL), count)
            if stopped:  # Ctrl-C while the workers came up
                raise KeyboardInterrupt
            client = Client(cluster)
        except Exception as exc:  # noqa: BLE001 - named below, with the settings to check
            _close_cluster(cluster, scratch)
            raise _dask_error(exc, "start a local Dask cluster") from None
        except BaseException:
            _close_cluster(cluster, scratch)
            raise
    else:
        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(
                f"cannot reach the Dask scheduler {scheduler!r} within {SCHEDULER_TIMEOUT} s "
                f"({reason[:200]}); check the address (tcp://host:port) and that the scheduler "
                "runs, or omit --scheduler for a local cluster") from None
        except Exception as exc:  # noqa: BLE001 - a bad DASK_ setting (KeyError, ...)
            raise _dask_error(exc, f"connect to the Dask scheduler {scheduler!r}") from None
    futures = []
    stopping = False
    try:
        futures = [client.submit(_limited_task, fn or run_task, blas_threads, params, task,
                                 family, _reporter(steps, i, task), pure=False)
                   for i, task in enumerate(tasks)]
        index = {} if steps is None else {fut.key: i for i, fut in enumerate(futures)}
        for fut in as_completed(futures):
            try:
                rows = fut.result()
            except KilledWorker:
                raise IntegrationError(
                    "Dask workers died running a task (KilledWorker: killed, or out of "
                    f"memory); {where()} (fewer --runs-per-task use less memory per "
                    "task)") from None
            if steps is not None:
                steps.finished(index[fut.key])
            deliver(rows)
    except KeyboardInterrupt:
        stopping = True
        raise
    finally:
        # a second Ctrl-C does not cut the stopping short, and the scheduler of this process
        # does not log the workers it loses
        with _interrupts_ignored(), _quiet_local_logs(stopping):
            for fut in futures:
                fut.cancel()
            if stopping and cluster is not None:
                _stop_workers_now(cluster)
            try:
                client.close()
            except Exception:  # noqa: BLE001 - closing after a failure: it is reported
                pass
            if cluster is not None:
                _close_cluster(cluster, scratch)


def _stop_workers_now(cluster) -> None:
    """After Ctrl-C, a local cluster's worker processes are stopped at once (SIGTERM), their
    nannies first told not to start them again: Dask's close would give each running task
    4 s (0.8 of its 5 s timeout) to end, and a sweep's task runs on for minutes."""
    nannies = list(getattr(cluster, "workers", {}).values())
    told = threading.Event()

    def tell() -> None:  # in the cluster's event loop, where the nannies live
        try:
            for nanny in nannies:
                nanny.close_gracefully(reason="the sweep was interrupted")
        finally:
            told.set()

    try:
        cluster.loop.add_callback(tell)
    except Exception:  # noqa: BLE001 - no loop: the close stops them, more slowly
        return
    if not told.wait(5.0):
        return
    for nanny in nannies:
        pid = getattr(nanny, "pid", None)
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:  # gone already
                pass


def _reporter(steps, index: int, task: list):
    """The step reporter of task ``index`` (None when steps are not reported)."""
    return None if steps is None else steps.reporter(index, len(task))


def _interrupts_ignored():
    """A context in which Ctrl-C (SIGINT) is ignored: processes started in it (Dask's worker
    processes) inherit that and leave Ctrl-C to this process, which stops them; outside the
    main thread, a context that does nothing."""
    @contextlib.contextmanager
    def ignored():
        previous = signal.getsignal(signal.SIGINT)
        if previous is None:  # set outside Python: it could not be restored
            yield
            return
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    if threading.current_thread() is not threading.main_thread():
        return contextlib.nullcontext()
    return ignored()


def _start_deaf(start, count: int):
    """``start()``, the start of a local cluster that spawns ``count`` worker processes and
    then waits for them to come up (seconds, more on a busy machine), with Ctrl-C ignored only
    while the workers are spawned: they inherit the ignored SIGINT and leave Ctrl-C to this
    process, which stops them. Once they are spawned, a Ctrl-C is noted and the start waited
    for (so that what it started can be closed). Returns ``(start's result, whether Ctrl-C
    came)``.

    The spawned workers are seen as this process's children that run multiprocessing's
    spawn entry point (``--multiprocessing-fork``); where they cannot be seen (no psutil,
    another start method) or outside the main thread, Ctrl-C stays ignored for the whole
    start (:func:`_interrupts_ignored`)."""
    try:
        import psutil

        me = psutil.Process()
        before = {p.pid for p in me.children()}
    except Exception:  # noqa: BLE001 - no psutil (it comes with distributed), or no access
        me = None
    if me is None or threading.current_thread() is not threading.main_thread():
        with _interrupts_ignored():
            return start(), False
    outcome: dict = {}
    done = threading.Event()  # not Thread.join: a join cut by Ctrl-C may end it too early

    def run() -> None:
        try:
            outcome["value"] = start()
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            outcome["error"] = exc
        finally:
            done.set()

    thread = threading.Thread(target=run, name="momentrnn-dask-start", daemon=True)
    with _interrupts_ignored():
        thread.start()
        while not done.wait(0.02) and _spawned(me, before) < count:
            pass
    stopped = False
    while not done.is_set():
        try:
            done.wait(0.1)
        except KeyboardInterrupt:
            stopped = True
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"], stopped


def _spawned(me, before: set) -> int:
    """How many children of ``me`` (a psutil process) not in ``before`` run multiprocessing's
    spawn entry point: started with the dispositions of this process at their fork."""
    count = 0
    try:
        children = me.children()
    except Exception:  # noqa: BLE001 - not readable: none seen (Ctrl-C ignored for the start)
        return 0
    for child in children:
        if child.pid in before:
            continue
        try:
            if "--multiprocessing-fork" in child.cmdline():
                count += 1
        except Exception:  # noqa: BLE001 - gone, or not ours to read
            pass
    return count


@contextlib.contextmanager
def _quiet_worker_logs():
    """A context in which processes started (Dask's workers) log only critical messages of
    ``distributed``: their heartbeat errors while a sweep is stopped are not the user's
    concern. A ``DASK_LOGGING__DISTRIBUTED`` setting of the user's is kept."""
    key = "DASK_LOGGING__DISTRIBUTED"
    if key in os.environ:
        yield
        return
    os.environ[key] = "critical"
    try:
        yield
    finally:
        os.environ.pop(key, None)


@contextlib.contextmanager
def _quiet_local_logs(quiet: bool = True):
    """A context in which this process's ``distributed`` loggers log only critical messages
    (when ``quiet``): after Ctrl-C the in-process scheduler of a local cluster logs, at INFO
    with a traceback, the connections of the workers stopped under it ("Batched Comm
    Closed"), which would break the one-line stop. The level is restored on leaving."""
    if not quiet:
        yield
        return
    logger = logging.getLogger("distributed")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _close_cluster(cluster, scratch) -> None:
    """Close a local cluster (quietly: a failure to close is not the sweep's result) and
    remove its scratch folder."""
    try:
        if cluster is not None:
            with _interrupts_ignored():
                cluster.close()
    except Exception:  # noqa: BLE001
        pass
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _dask_error(exc: BaseException, what: str) -> MomentRNNError:
    """The error of a Dask setup that failed: bad input naming the DASK_ environment settings
    when there are any (the one whose value the message quotes, when one does)."""
    reason = (str(exc).splitlines() or [""])[0].strip("'\"") or type(exc).__name__
    settings = {k: v for k, v in os.environ.items() if k.upper().startswith("DASK_")}
    if not settings:
        return IntegrationError(f"could not {what} ({type(exc).__name__}: {reason[:200]})")
    quoted = [k for k, v in settings.items() if v and v in str(exc)]
    names = (quoted or sorted(settings))[:5]
    named = ", ".join(f"{k}={settings[k]!r}" for k in names)
    which = "the setting" if len(names) == 1 else "the settings"
    return InputError(f"could not {what} ({type(exc).__name__}: {reason[:200]}); check "
                      f"{which} {named} of the environment (Dask reads DASK_* variables as "
                      "its configuration), or unset them")
