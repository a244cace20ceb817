"""One validation helper: the same argument is judged the same way everywhere."""

import numpy as np
import pytest

from momentrnn import DiscreteMeasure, hankel_rank, recover_measure
from momentrnn._validate import positive_int
from momentrnn.errors import InputError
from momentrnn.moments import hankel_matrix


def test_numpy_integers_are_integers_and_bools_are_not():
    assert positive_int(np.int64(3), "n") == 3 and type(positive_int(np.int32(2), "n")) is int
    for bad in (True, np.bool_(True), 0, -1, 2.0, "3", None):
        with pytest.raises(InputError, match="positive integer"):
            positive_int(bad, "n")
    with pytest.raises(InputError, match="most"):
        positive_int(10, "n", maximum=5)


def test_the_moment_tools_accept_numpy_integers_alike():
    m = [1, 0, 1, 0, 1]
    assert hankel_rank(m, size=np.int64(2)).rank == 2
    assert hankel_matrix(m, np.int64(2), np.int64(3)).nrows() == 2
    assert recover_measure([1, 0, 1, 0], rank=np.int64(2), digits=5).rank == 2
    assert len(DiscreteMeasure([0.5], [1]).moments(np.int64(3))) == 3
    for call in (lambda: hankel_rank(m, size=True), lambda: recover_measure(m[:4], rank=True),
                 lambda: DiscreteMeasure([0.5], [1]).moments(0)):
        with pytest.raises(InputError, match="positive integer"):
            call()


def test_gradient_descent_bounds_the_steps_one_call_can_ask_for():
    from momentrnn import gradient_descent, init_student, named_teacher

    with pytest.raises(InputError, match="split longer runs"):
        gradient_descent([init_student(4, scale=1e-3)], named_teacher("decaying"), k=3,
                         lr=0.01, steps=10**13)
