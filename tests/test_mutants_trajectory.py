"""Tests that catch one-line mutants of ``momentrnn.dynamics.trajectory`` that the rest of the
suite let through (found by ``benchmarks/bench_mutation_procedural.py``)."""

from momentrnn import init_student, integrate_flow, named_teacher


def test_summary_reports_the_last_recorded_values():
    """``to_dict`` reports how the run ended: the final time, loss, imbalance and negative mass
    are the LAST entries of the recorded curves (not an earlier sample)."""
    run = integrate_flow(init_student(3, scale=0.1, seed=0), named_teacher("two_pole"), k=5,
                         t_max=20.0, extrapolation_length=30)
    assert len(run.times) >= 3
    d = run.to_dict()
    assert d["final_time"] == float(run.times[-1])
    assert d["training_loss"] == float(run.loss[-1])
    assert d["imbalance"] == float(run.imbalance[-1])
    assert d["negative_mass"] == float(run.negative_mass[-1])
    assert (d["extrapolation_sq"], d["extrapolation_max"]) == tuple(
        float(e) for e in run.extrapolation_error)
    assert d["extrapolation_length"] == 30
