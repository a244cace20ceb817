"""Recovery methods come from one registry: a new method is one object and one line."""

from fractions import Fraction

import pytest

from momentrnn import recover_measure
from momentrnn.errors import InputError
from momentrnn.moments import METHODS, RecoveryMethod, Status, _numeric, register_method
from momentrnn.moments._ball import ball_prony

from .helpers import legendre_moments


@pytest.fixture
def toy_method():
    # a toy: Prony's implementations under another name, certified by Prony
    toy = RecoveryMethod(
        name="toy",
        summary="Prony again, to show what registering a method takes",
        float_impl=lambda m, n, basis: _numeric.float_prony(m, n),
        mp_impl=lambda ctx, m, n, basis: _numeric.mp_prony(ctx, m, n),
        ball_impl=lambda data, n, bits, basis: ball_prony(data, n, bits),
        exact_impl=lambda data, n, basis: METHODS["prony"].exact_impl(data, n, basis),
        certifier="prony",
    )
    register_method(toy)
    yield toy
    del METHODS["toy"]


def test_a_registered_method_is_used_everywhere(toy_method):
    m = legendre_moments(5)
    for kwargs in ({"digits": 20}, {"precision": "exact"}):
        if kwargs.get("precision") == "exact":
            from momentrnn import Exact

            kwargs = {"precision": Exact()}
        r = recover_measure(m, method="toy", **kwargs)
        assert r.method == "toy" and r.status == Status.OK
    from momentrnn.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["recover", "-", "--method", "toy"])
    assert args.method == "toy"


def test_unknown_methods_are_refused_with_the_choices():
    with pytest.raises(InputError, match="prony, pencil, gauss"):
        recover_measure([1, Fraction(1, 2)], method="nope")
    with pytest.raises(InputError, match="reserved"):
        register_method(RecoveryMethod("auto", "", None, None, None, None, "prony"))


def test_status_members_explain_themselves():
    r = recover_measure(legendre_moments(3), digits=10)
    assert r.status == "ok" and r.status is Status.OK and repr(r.status) == "'ok'"
    assert "vouched" in Status.OK.explanation
    assert Status.INCONSISTENT.error.__name__ == "RankError"
