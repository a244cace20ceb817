"""Tests that catch one-line mutants of ``momentrnn._validate`` that the rest of the suite let
through (found by ``benchmarks/bench_mutation_procedural.py``)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn._validate import positive_int
from momentrnn.errors import InputError


@settings(max_examples=30, derandomize=True, deadline=None)
@given(st.integers(min_value=1, max_value=10**6), st.booleans())
def test_positive_int_accepts_its_maximum_and_refuses_one_more(maximum, as_numpy):
    """``maximum`` is the most accepted: the maximum itself passes, one more is refused with
    the value and the cap named."""
    value = np.int64(maximum) if as_numpy else maximum
    assert positive_int(value, "steps", maximum=maximum) == maximum
    with pytest.raises(InputError, match=f"steps={maximum + 1!r} is more than {maximum}"):
        positive_int(maximum + 1, "steps", maximum=maximum)
