import mpmath
import pytest

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
