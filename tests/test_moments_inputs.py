"""Bad input to the basis conversions and the method registry gets a clear error."""

from __future__ import annotations

import pytest

from momentrnn.errors import InputError
from momentrnn.moments import (
    METHODS,
    RecoveryMethod,
    chebyshev_to_monomial,
    monomial_to_chebyshev,
    register_method,
)


@pytest.mark.parametrize("convert", [chebyshev_to_monomial, monomial_to_chebyshev])
def test_basis_conversion_of_no_moments_is_refused(convert):
    with pytest.raises(InputError, match="no moments"):
        convert([])


def test_a_method_with_an_unregistered_certifier_is_refused():
    method = RecoveryMethod("orphan", "certified by nothing", None, None, None, None,
                            certifier="no-such-method")
    with pytest.raises(InputError, match="certifier 'no-such-method'.*not registered"):
        register_method(method)
    assert "orphan" not in METHODS


def test_complex_hankel_determinant_in_doubles():
    from momentrnn import MP, Float64, hankel_determinant

    det = hankel_determinant([1j, 1, 1], precision=Float64())  # 1j * 1 - 1 * 1
    assert det == complex(-1, 1)
    assert complex(hankel_determinant([1j, 1, 1], precision=MP(20))) == complex(-1, 1)
    # a real matrix keeps a float determinant
    assert hankel_determinant([1.0, 0.5, 0.5], precision=Float64()) == 0.25
