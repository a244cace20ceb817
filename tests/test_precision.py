import math

import mpmath
import pytest
from hypothesis import given
from hypothesis import strategies as st

from momentrnn import MP, Ball, Exact, Float64
from momentrnn.errors import InputError, MomentRNNError
from momentrnn.precision import as_precision, bits_to_digits, digits_to_bits


def test_value_objects_are_frozen_and_compare_by_value():
    assert MP(30) == MP(30) and MP(30) != MP(31)
    assert Ball(20).bits == digits_to_bits(20)
    with pytest.raises(AttributeError):
        MP(30).dps = 40  # type: ignore[misc]


@pytest.mark.parametrize("bad", [0, 3, 1.5, "30", True, 10**6])
def test_bad_dps_is_refused_with_the_value(bad):
    with pytest.raises(InputError, match="dps"):
        MP(bad)
    with pytest.raises(ValueError):
        Ball(bad)


def test_mp_context_is_local():
    ctx = MP(50).context()
    assert ctx.dps == 50
    assert mpmath.mp.dps == 15


def test_as_precision_refuses_other_things():
    assert as_precision(None, default=Float64()) == Float64()
    assert as_precision(Exact) == Exact()
    with pytest.raises(MomentRNNError, match="precision object"):
        as_precision("mp")


def test_bits_digits_round_trip():
    assert bits_to_digits(digits_to_bits(30)) >= 30


@given(st.integers(5, 5000))
def test_each_precision_says_what_it_is(dps):
    """The attributes the package asks instead of the class: one kind each, a working
    precision where the caller chose one, and the digits a number carries."""
    for prec in (Exact(), MP(dps), Ball(dps), Float64()):
        assert [prec.exact, prec.encloses, prec.rounded].count(True) == 1, prec
        assert prec.rounded == (prec.mpmath or prec.doubles) and not (prec.mpmath and prec.doubles)
    assert MP(dps).mpmath and Float64().doubles and Ball(dps).encloses and Exact().exact
    assert MP(dps).dps == Ball(dps).dps == dps and Exact().dps is None and Float64().dps is None
    assert MP(dps).carried_digits == Ball(dps).carried_digits == float(dps)
    assert Float64().carried_digits == bits_to_digits(53) and Exact().carried_digits == math.inf
    assert Ball(dps).arithmetic().bits == Ball(dps).bits
    assert MP(dps).arithmetic().ctx.dps == dps and mpmath.mp.dps == 15
