"""The recovery-method registry and its wrappers (``moments.methods``) as properties: the
real-part cleanup of mpmath results at exactly half the working digits, the refusal of
non-finite double results naming the rank, the Chebyshev-basis conversion of exact data for
power-moment methods only, and the registry's refusals (nothing is registered here)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import flint
import mpmath
import numpy as np
import pytest

from momentrnn import MP, Ball, Exact, Float64
from momentrnn.errors import IllConditionedError, InputError
from momentrnn.moments._data import parse_moments
from momentrnn.moments.chebyshev import monomial_to_chebyshev
from momentrnn.moments.methods import METHODS, as_monomial, method_named, register_method


def _fake(method, **impls):
    return dataclasses.replace(METHODS[method], **impls)


def test_mp_results_are_made_real_within_half_the_digits_only():
    ctx = mpmath.mp.clone()
    ctx.dps = 20  # tol = 1e-10 of the largest atom
    t = ctx.mpf(10) ** (-10) * 4
    edge = [ctx.mpc(4, 0), ctx.mpc(-1, t)]  # |imag| = tol * scale: made real
    m = _fake("prony", mp_impl=lambda c, m, n, b: (edge, [ctx.mpc(1, 1e-30), ctx.mpc(2, 0)]))
    atoms, weights = m.run_mp(ctx, [ctx.mpf(1)] * 4, 2, "monomial")
    assert all(isinstance(a, ctx.mpf) for a in atoms + weights)
    assert atoms == [4, -1] and weights == [1, 2]
    over = [ctx.mpc(4, 0), ctx.mpc(-1, t * (1 + ctx.mpf(10) ** -15))]
    m = _fake("prony", mp_impl=lambda c, m, n, b: (over, [ctx.mpc(1), ctx.mpc(2)]))
    atoms, _ = m.run_mp(ctx, [ctx.mpf(1)] * 4, 2, "monomial")
    assert isinstance(atoms[1], ctx.mpc) and atoms[1].imag != 0
    # complex moments: nothing is made real
    m = _fake("prony", mp_impl=lambda c, m, n, b: (edge, [ctx.mpc(1), ctx.mpc(2)]))
    atoms, _ = m.run_mp(ctx, [ctx.mpc(1, 1)] * 4, 2, "monomial")
    assert isinstance(atoms[0], ctx.mpc)
    # all atoms zero: the scale is 1
    zero = [ctx.mpc(0, 0)]
    m = _fake("prony", mp_impl=lambda c, m, n, b: (zero, [ctx.mpc(1)]))
    got = m.run_mp(ctx, [ctx.mpf(1)] * 2, 1, "monomial")[0]
    assert got == [0] and isinstance(got[0], ctx.mpf)


def test_double_results_that_are_not_finite_are_refused_naming_the_rank():
    for bad in ((np.array([np.nan]), np.array([1.0])), (np.array([1.0]), np.array([np.inf]))):
        m = _fake("pencil", float_impl=lambda v, n, b, bad=bad: bad)
        with pytest.raises(IllConditionedError, match="double precision pencil produced "
                                                      "non-finite values for rank 3"):
            m.run_float(np.ones(6), 3, "monomial")
    m = _fake("pencil", float_impl=lambda v, n, b: (np.array([2 + 1e-10j]), np.array([1 + 0j])))
    atoms, weights = m.run_float(np.ones(2), 1, "monomial")
    assert not np.iscomplexobj(atoms) and atoms[0] == 2.0


def test_exact_chebyshev_data_is_converted_for_power_moment_methods_only():
    m = [Fraction(1, 3) * Fraction(-1, 3) ** j + 2 * Fraction(2, 7) ** j for j in range(4)]
    nu = monomial_to_chebyshev(m)
    data = parse_moments(nu)
    seen = []
    prony = _fake("prony", exact_impl=lambda d, n, b: seen.append((list(d.real), b)),
                  ball_impl=lambda d, n, bits, b: seen.append((list(d.real), b)))
    prony.run_exact(data, 2, "chebyshev")
    prony.run_ball(data, 2, 80, "chebyshev")
    gauss = _fake("gauss", exact_impl=lambda d, n, b: seen.append((list(d.real), b)),
                  ball_impl=lambda d, n, bits, b: seen.append((list(d.real), b)))
    gauss.run_exact(data, 2, "chebyshev")
    gauss.run_ball(data, 2, 80, "chebyshev")
    want_m = [flint.fmpq(v.numerator, v.denominator) for v in m]
    want_nu = [flint.fmpq(v.numerator, v.denominator) for v in nu]
    assert seen == [(want_m, "monomial"), (want_m, "monomial"), (want_nu, "chebyshev"),
                    (want_nu, "chebyshev")]
    assert as_monomial(data, "monomial") is data


def test_auto_and_unknown_names():
    assert method_named("auto").name == "prony"
    assert method_named("auto", Float64()).name == "pencil"
    for prec in (Exact(), MP(30), Ball(30)):
        assert method_named("auto", prec).name == "prony"
    with pytest.raises(InputError, match="method='nope' is not known; use one of auto, prony"):
        method_named("nope")
    with pytest.raises(InputError, match="method=3 is not known"):
        method_named(3)


def test_the_registry_refuses_by_name_and_registers_nothing():
    before = dict(METHODS)
    prony = METHODS["prony"]
    with pytest.raises(InputError, match="needs a RecoveryMethod, got str"):
        register_method("prony")
    with pytest.raises(InputError, match="replace='yes' must be True or False"):
        register_method(prony, replace="yes")
    for bad in ("", "-x", "a b", 7):
        with pytest.raises(InputError, match="must be a non-empty string"):
            register_method(dataclasses.replace(prony, name=bad, certifier="prony"))
    for auto in ("auto", "AUTO"):
        with pytest.raises(InputError, match="'auto' is reserved"):
            register_method(dataclasses.replace(prony, name=auto))
    with pytest.raises(InputError, match=r"'prony' is already registered; pass replace=True "
                                         r"to replace it \(and the certificates of pencil\)"):
        register_method(prony)
    with pytest.raises(InputError, match="'gauss' is already registered; pass replace=True "
                                         "to replace it, or choose"):
        register_method(METHODS["gauss"])
    with pytest.raises(InputError, match="names the certifier 'nope', which is not registered"):
        register_method(dataclasses.replace(prony, name="new-one", certifier="nope"))
    with pytest.raises(InputError, match="names the certifier 5"):
        register_method(dataclasses.replace(prony, name="new-one", certifier=5))
    assert METHODS == before
