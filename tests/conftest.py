import flint
import mpmath
import pytest


@pytest.fixture(autouse=True)
def global_contexts_untouched():
    """Fail any test that leaves mpmath.mp or python-flint's working precision changed."""
    before = (mpmath.mp.prec, mpmath.mp.dps, mpmath.mp.trap_complex)
    flint_before = flint.ctx.prec
    yield
    after = (mpmath.mp.prec, mpmath.mp.dps, mpmath.mp.trap_complex)
    assert after == before, f"mpmath.mp changed from {before} to {after}"
    assert flint.ctx.prec == flint_before, "python-flint ctx.prec changed"
