"""Tests that catch one-line mutants of ``momentrnn.rnn.teachers`` that the rest of the suite
let through (found by ``benchmarks/bench_mutation_procedural.py``)."""

import numpy as np
import pytest

from momentrnn.errors import InputError
from momentrnn.rnn.teachers import random_teacher


def test_random_teacher_takes_seed_zero_and_refuses_negative_seeds():
    """0 is a non-negative seed (and numpy's int 0 too); -1 is refused with the value named."""
    t = random_teacher(3, seed=0)
    assert t.dim == 3
    assert np.array_equal(random_teacher(3, seed=np.int64(0)).a, t.a)
    with pytest.raises(InputError, match="seed=-1 must be a non-negative integer"):
        random_teacher(3, seed=-1)
