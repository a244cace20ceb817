"""Teacher-student sweeps for linear and non-linear RNNs, and the sweep runner."""

from .runner import (
    EXECUTORS,
    ResultsScan,
    SweepInterrupted,
    SweepSummary,
    read_results,
    run_sweep,
    scan_results,
    unique_rows,
)
from .spec import SweepSpec, load_spec

__all__ = ["EXECUTORS", "ResultsScan", "SweepInterrupted", "SweepSpec", "SweepSummary",
           "load_spec", "read_results", "run_sweep", "scan_results", "unique_rows"]
