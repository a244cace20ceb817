"""Tests that catch one-line mutants of ``momentrnn.dynamics.flow`` that the rest of the suite
let through (found by ``benchmarks/bench_mutation_procedural.py``)."""

import warnings

from momentrnn import init_student, integrate_flow, named_teacher


def test_overparameterization_warning_points_at_the_callers_line():
    """The warning that the student is smaller than the teacher names the line that called
    integrate_flow (the user's code), not a line inside the package."""
    teacher = named_teacher("two_pole")
    student = init_student(teacher.dim - 1, scale=0.1, seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        integrate_flow(student, teacher, k=4, t_max=1.0)
    ours = [w for w in caught if "not overparameterized" in str(w.message)]
    assert len(ours) == 1
    assert ours[0].filename == __file__
