"""Teacher-student sweeps for linear and non-linear RNNs, and the sweep runner."""

from .families import (
    FAMILIES,
    ScaleFigure,
    SweepFamily,
    SweepRow,
    family_named,
    register_family,
)
from .runner import (
    EXECUTORS,
    ResultsScan,
    SweepInterrupted,
    SweepResults,
    SweepSummary,
    read_results,
    run_sweep,
    scan_results,
    unique_rows,
)
from .spec import SweepSpec, load_spec

__all__ = ["EXECUTORS", "FAMILIES", "ResultsScan", "ScaleFigure", "SweepFamily", "SweepInterrupted",
           "SweepResults", "SweepRow", "SweepSpec", "SweepSummary", "family_named", "load_spec",
           "read_results", "register_family", "run_sweep", "scan_results", "unique_rows"]
