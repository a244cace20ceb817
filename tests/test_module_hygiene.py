"""The package's modules: one check of a positive count, no dead code left behind, every module
in a layer and no private name reached across packages, and the imports made inside functions
listed with the reason each one is there."""

from __future__ import annotations

import numpy as np
import pytest

from momentrnn import gradient_descent, init_student, integrate_flow, named_teacher
from momentrnn.errors import InputError


def _flow(**kwargs):
    return integrate_flow(init_student(2, scale=1e-2, seed=0), named_teacher("decaying"), k=3,
                          t_max=1.0, **kwargs)


def _gd(**kwargs):
    return gradient_descent([init_student(2, scale=1e-2, seed=0)], named_teacher("decaying"),
                            k=3, lr=1e-3, steps=2, **kwargs)


def _sweep(tmp_path, **kwargs):
    from momentrnn.experiments import run_sweep

    return run_sweep({"family": "linear"}, str(tmp_path / "r.jsonl"), progress=False, **kwargs)


def _prove(**kwargs):
    from momentrnn.prove import prove_flow

    return prove_flow("decaying", 2, 3, 1e-2, **kwargs)


# every argument that is a positive count, and how to pass it; each was checked by a validator
# of its own before (five of them), each is checked by momentrnn._validate.positive_int now
COUNTS = [
    ("record", lambda v, tmp: _flow(record=v)),
    ("max_steps", lambda v, tmp: _flow(max_steps=v)),
    ("extrapolation_length", lambda v, tmp: _flow(extrapolation_length=v)),
    ("blas_threads", lambda v, tmp: _flow(blas_threads=v)),
    ("record_every", lambda v, tmp: _gd(record_every=v)),
    ("workers", lambda v, tmp: _sweep(tmp, workers=v, executor="processes")),
    ("runs_per_task", lambda v, tmp: _sweep(tmp, runs_per_task=v)),
    ("blas_threads", lambda v, tmp: _sweep(tmp, blas_threads=v)),
    ("length", lambda v, tmp: _prove(length=v)),
]


@pytest.mark.parametrize("name, call", COUNTS, ids=[f"{n}-{i}" for i, (n, _) in
                                                    enumerate(COUNTS)])
@pytest.mark.parametrize("bad, kind", [(0, ""), (-3, ""), (2.5, " (got a float)"),
                                       (True, " (got a bool)"), ("2", ""),
                                       (np.float64(1.0), " (got a float64)")])
def test_every_positive_count_is_judged_by_the_one_check(name, call, bad, kind, tmp_path):
    with pytest.raises(InputError) as info:
        call(bad, tmp_path)
    message = str(info.value)
    assert message.startswith(f"{name}={bad!r} must be a positive integer{kind}"), message
    assert not (tmp_path / "r.jsonl").exists()


def test_the_one_check_accepts_numpy_integers_and_offers_none_where_it_means_something():
    from momentrnn._validate import blas_thread_count, positive_int

    assert positive_int(np.int64(3), "n") == 3 and type(positive_int(np.int64(3), "n")) is int
    assert blas_thread_count(None) is None and blas_thread_count(np.int32(2)) == 2
    with pytest.raises(InputError, match=r"^blas_threads=0 must be a positive integer or None "
                                         r"to leave the BLAS thread count as it is \(1 is "
                                         r"fastest on shared cores\)$"):
        blas_thread_count(0)
    with pytest.raises(InputError, match=r"^n=None must be a positive integer$"):
        positive_int(None, "n")
    assert positive_int(None, "n", or_none="for the default") is None


def test_dead_code_is_gone():
    import proofs_checks._common as common
    import proofs_checks.m1 as m1
    from momentrnn.moments import algebraic

    assert not hasattr(algebraic, "roots_as_numbers")
    assert not hasattr(m1, "OLD_STATEMENT")
    assert not hasattr(common, "random_rational_matrix")
