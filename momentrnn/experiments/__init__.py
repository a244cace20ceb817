"""Teacher-student sweeps for linear and non-linear RNNs, and the sweep runner."""

from .runner import EXECUTORS, SweepSummary, read_results, run_sweep
from .spec import SweepSpec, load_spec

__all__ = ["EXECUTORS", "SweepSpec", "SweepSummary", "load_spec", "read_results", "run_sweep"]
