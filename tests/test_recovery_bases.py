"""Every method x precision x basis either recovers the measure to the digits it vouches for
or refuses clearly: exact results reproduce all the data exactly, in the basis they are
written in, including overdetermined data; a result is never ``ok`` with weights that do not
reproduce the data."""

from __future__ import annotations

import time
from fractions import Fraction as F

import mpmath
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from momentrnn import MP, Exact, Float64, gauss_rule, recover_measure
from momentrnn.errors import IllConditionedError, InputError, RankError
from momentrnn.moments import methods as methods_module
from momentrnn.moments._data import parse_moments
from momentrnn.moments._exact import exact_prony_polynomial


def power_moments(atoms, weights, count):
    return [sum((w * x**j for x, w in zip(atoms, weights)), F(0)) for j in range(count)]


def chebyshev_moments(atoms, weights, count):
    """int T_j dmu, T_{j+1} = 2x T_j - T_{j-1}, exactly."""
    out = []
    prev = [F(0)] * len(atoms)
    cur = [F(1)] * len(atoms)
    for j in range(count):
        out.append(sum((w * t for w, t in zip(weights, cur)), F(0)))
        prev, cur = cur, [(x if j == 0 else 2 * x) * c - (0 if j == 0 else p)
                          for x, c, p in zip(atoms, cur, prev)]
    return out


def moments_in(basis, atoms, weights, count):
    return (power_moments if basis == "monomial" else chebyshev_moments)(atoms, weights, count)


# ------------------------------------------------------------------------- item 1


@pytest.mark.parametrize("method", ["gauss", "prony", "pencil"])
def test_overdetermined_exact_moments_of_two_symmetric_atoms(method):
    # m_j of (delta_-1 + delta_1) / 2: 1, 0, 1, 0, 1, 0
    r = recover_measure([1, 0, 1, 0, 1, 0], method=method, precision=Exact())
    assert r.status == "ok" and r.rank == 2
    assert r.atoms == (F(-1), F(1)) and r.weights == (F(1, 2), F(1, 2))
    assert r.residual < 1e-50


def test_overdetermined_gauss_legendre_and_chebyshev_moments():
    # 8 power moments of the 3-point Gauss-Legendre rule (nodes 0, +-sqrt(3/5), weights
    # 8/9, 5/9, 5/9): the Lebesgue measure's m_0..m_5, then m_6 = 2 (5/9) (3/5)^3, m_7 = 0
    m = [F(2, j + 1) if j % 2 == 0 else F(0) for j in range(6)]
    m += [2 * F(5, 9) * F(3, 5) ** 3, F(0)]
    r = gauss_rule(m, precision=Exact())
    assert r.status == "ok" and r.rank == 3 and r.residual < 1e-50  # irrational atoms
    assert F(0) in r.atoms and F(8, 9) in r.weights
    # Chebyshev moments of 3 rational atoms, 2 more than the rule needs
    x, w = [F(-2, 3), F(1, 7), F(9, 10)], [F(1, 3), F(5, 2), F(7, 11)]
    nu = chebyshev_moments(x, w, 8)
    r = gauss_rule(nu, basis="chebyshev", precision=Exact())
    assert r.status == "ok" and r.atoms == tuple(x) and r.weights == tuple(w)
    assert r.residual < 1e-50


def test_overdetermined_inconsistent_exact_moments_are_still_refused():
    m = [1, 0, 1, 0, 1, F(1, 3)]  # no 2-atom measure: m_5 breaks the recurrence
    r = gauss_rule(m, rank=2, precision=Exact(), throw=False)
    assert r.status == "inconsistent"
    data = parse_moments(m)
    with pytest.raises(RankError, match="does not reproduce moment 5"):
        exact_prony_polynomial(data, 2, "gauss")
    with pytest.raises(RankError, match="does not reproduce moment"):
        exact_prony_polynomial(data, 2, "prony")


# ------------------------------------------------------------------------- item 2


def test_exact_chebyshev_gauss_weights_are_the_measure_weights():
    nu = [F(7, 2), F(3, 10), F(-11, 5), F(-39, 125), F(58, 125), F(4323, 6250)]
    assert nu == chebyshev_moments([F(-1, 2), F(1, 5), F(4, 5)], [F(1), F(2), F(1, 2)], 6)
    r = gauss_rule(nu, basis="chebyshev", precision=Exact())
    assert r.status == "ok" and r.digits == float("inf")
    assert r.atoms == (F(-1, 2), F(1, 5), F(4, 5))
    assert r.weights == (F(1), F(2), F(1, 2))
    assert r.residual < 1e-50  # in the Chebyshev basis the data are written in
    assert "chebyshev" in r.message


def test_exact_chebyshev_gauss_with_irrational_nodes():
    # Chebyshev moments of the Lebesgue measure on [-1, 1]: int T_j = 2/(1-j^2), j even
    nu = [F(2, 1 - j * j) if j % 2 == 0 else F(0) for j in range(4)]
    r = gauss_rule(nu, basis="chebyshev", precision=Exact())
    assert r.status == "ok"
    assert list(r.weights) == [1, 1] and r.residual < 1e-50


# ------------------------------------------------------------------------- item 12


@pytest.mark.parametrize("method", ["prony", "pencil"])
@pytest.mark.parametrize("precision", [Float64(), MP(30)])
def test_fixed_precision_power_methods_honour_the_chebyshev_basis(method, precision):
    x, w = [F(-1, 2), F(1, 5), F(4, 5)], [F(1), F(2), F(1, 2)]
    nu = chebyshev_moments(x, w, 6)
    r = recover_measure(nu, method=method, basis="chebyshev", precision=precision)
    assert r.status == "ok" and r.rank == 3 and r.digits >= 12
    for got, want in zip(list(r.atoms) + list(r.weights), x + w):
        assert abs(complex(got) - float(want)) < 1e-12
    assert r.residual < 1e-12


def test_gauss_with_rounded_overdetermined_data():
    m = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]
    r = gauss_rule(m, throw=False)
    assert r.status == "ok" and r.rank == 2
    assert [float(a) for a in r.atoms] == [-1.0, 1.0]
    assert all(abs(float(v) - 0.5) < 1e-14 for v in r.weights)
    m = [float(v) for v in power_moments([F(-3, 7), F(2, 9)], [F(1, 3), F(6, 5)], 8)]
    r = gauss_rule(m, rank=2, throw=False)
    assert r.status == "ok"
    assert abs(float(r.atoms[0]) + 3 / 7) < 1e-13 and abs(float(r.weights[1]) - 1.2) < 1e-13


@pytest.mark.parametrize("precision", [None, MP(30), Float64()])
def test_rounded_overdetermined_chebyshev_moments_must_all_fit(precision):
    x, w = [F(-1, 2), F(1, 5), F(4, 5)], [F(1), F(2), F(1, 2)]
    nu = [float(v) for v in chebyshev_moments(x, w, 8)]
    r = gauss_rule(nu, rank=3, basis="chebyshev", precision=precision)
    assert r.status == "ok" and r.residual < 1e-13
    # m_7 moved far outside its half-ulp radius: no 3-atom measure fits, which is proved
    # from the certified enclosure of the measures that fit m_0..m_5 (it used to be 'ok'
    # with a residual of 0.5)
    for shift in (1e-12, 0.5):
        bad = nu[:7] + [nu[7] + shift]
        r = gauss_rule(bad, rank=3, basis="chebyshev", precision=precision, throw=False)
        assert r.status == "inconsistent" and "moment 7 (chebyshev basis)" in r.message
    # within the stated accuracy it fits
    r = recover_measure(nu[:7] + [nu[7] + 1e-12], rank=3, method="gauss", basis="chebyshev",
                        precision=precision, data_error=1e-10, throw=False)
    assert r.status != "inconsistent"


def test_hopeless_fixed_precision_is_refused_before_the_work(monkeypatch):
    # the 100-point discrete uniform measure on {1/100, ..., 1}: H_100 loses ~177 digits
    atoms = [F(k, 100) for k in range(1, 101)]
    m = power_moments(atoms, [F(1, 100)] * 100, 200)
    calls = []
    original = methods_module.RecoveryMethod.run_mp

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(methods_module.RecoveryMethod, "run_mp", counting)
    start = time.perf_counter()
    r = recover_measure(m, rank=100, precision=MP(40), throw=False)
    elapsed = time.perf_counter() - start
    assert r.status == "ill_conditioned" and r.measure is None and not calls
    assert "not computed" in r.message and "MP(" in r.message and r.predicted_loss > 170
    assert elapsed < 20  # the condition estimate only (was 35-90 s of futile work)
    with pytest.raises(IllConditionedError, match="predicted to lose at least 177"):
        recover_measure(m, rank=100, precision=MP(40))


# ---------------------------------------------------------------- property test

DENOMINATORS = [3, 5, 7, 9, 10, 11, 13, 25]


@st.composite
def measures(draw, separation):
    n = draw(st.integers(1, 4))
    pool = sorted({F(p, q) for q in DENOMINATORS for p in range(-q, q + 1)})
    atoms: list[F] = []
    for _ in range(n):
        candidates = [a for a in pool if all(abs(a - b) >= separation for b in atoms)]
        if not candidates:
            break
        atoms.append(draw(st.sampled_from(candidates)))
    weights = [F(draw(st.integers(1, 40)), draw(st.sampled_from(DENOMINATORS)))
               for _ in atoms]
    return atoms, weights


def _exact_value(v):
    """An mpmath number for a Fraction or a returned value, at 300 bits (local context)."""
    ctx = mpmath.MPContext()
    ctx.prec = 300
    if isinstance(v, F):
        return ctx.mpf(v.numerator) / v.denominator
    return ctx.mpmathify(v)


def _agree(got, want, digits):
    """|got - want| <= 10^-digits |want| (digits may be 0: nothing vouched)."""
    if digits == 0:
        return True
    err = abs(_exact_value(got) - _exact_value(want))
    return err <= mpmath.mpf(10) ** (-digits) * abs(_exact_value(want))


@settings(max_examples=80, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_method_precision_and_basis_is_right_or_refuses(data):
    precision = data.draw(st.sampled_from([Exact(), MP(30), Float64(), None]))  # None: 20 digits
    separation = F(1, 4) if isinstance(precision, Float64) else F(1, 25)
    atoms, weights = data.draw(measures(separation))
    n = len(atoms)
    basis = data.draw(st.sampled_from(["monomial", "chebyshev"]))
    method = data.draw(st.sampled_from(["prony", "pencil", "gauss"]))
    count = 2 * n + data.draw(st.sampled_from([0, 2]))  # square and overdetermined
    nu = moments_in(basis, atoms, weights, count)
    r = recover_measure(nu, method=method, basis=basis, precision=precision, throw=False,
                        digits=20 if precision is None else None)
    assert r.status != "inconsistent"
    # well separated atoms lose few digits: every combination delivers (none may refuse for
    # a basis it ignored)
    assert r.status == "ok", r.message
    assert r.rank == n
    order = sorted(range(n), key=lambda i: atoms[i])
    want_x, want_w = [atoms[i] for i in order], [weights[i] for i in order]
    got = sorted(zip(r.atoms, r.weights, r.atom_digits, r.weight_digits),
                 key=lambda t: complex(t[0]).real)
    if isinstance(precision, Exact):
        assert [g[0] for g in got] == want_x and [g[1] for g in got] == want_w
        assert r.residual < 1e-50
        return
    if precision is None:
        assert r.digits >= 20
    for (a, w, da, dw), x, v in zip(got, want_x, want_w):
        assert _agree(a, x, da) and _agree(w, v, dw), (a, x, da, w, v, dw)
    _check_normwise(got, want_x, want_w, r.digits)


def _check_normwise(got, want_x, want_w, digits):
    for k, want in ((0, want_x), (1, want_w)):
        scale = max(abs(v) for v in want) or 1
        worst = max(abs(_exact_value(g[k]) - _exact_value(v)) for g, v in zip(got, want))
        assert worst <= mpmath.mpf(10) ** (-digits) * _exact_value(scale)


@settings(max_examples=40, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_rounded_data_are_right_or_refused_with_no_false_verdict(data):
    # the moments rounded to doubles: the truth lies within the data's accuracy, so an ok
    # result holds it to the vouched digits; inconsistency may never be claimed
    precision = data.draw(st.sampled_from([MP(30), Float64(), None]))
    atoms, weights = data.draw(measures(F(1, 4)))
    n = len(atoms)
    basis = data.draw(st.sampled_from(["monomial", "chebyshev"]))
    method = data.draw(st.sampled_from(["prony", "pencil", "gauss"]))
    count = 2 * n + data.draw(st.sampled_from([0, 2]))
    nu = [float(v) for v in moments_in(basis, atoms, weights, count)]
    if basis == "chebyshev" and method != "gauss":
        with pytest.raises(InputError, match="Chebyshev-basis"):
            recover_measure(nu, method=method, basis=basis, precision=precision)
        return
    r = recover_measure(nu, method=method, basis=basis, precision=precision, throw=False,
                        digits=12 if precision is None else None)
    assert r.status != "inconsistent"
    if r.status != "ok":
        assert r.status in ("data_limited", "ill_conditioned", "rank_ambiguous") and r.message
        return
    assert r.rank == n
    order = sorted(range(n), key=lambda i: atoms[i])
    want_x, want_w = [atoms[i] for i in order], [weights[i] for i in order]
    got = sorted(zip(r.atoms, r.weights, r.atom_digits, r.weight_digits),
                 key=lambda t: complex(t[0]).real)
    for (a, w, da, dw), x, v in zip(got, want_x, want_w):
        assert _agree(a, x, da) and _agree(w, v, dw), (a, x, da, w, v, dw)
    _check_normwise(got, want_x, want_w, r.digits)


@pytest.mark.parametrize("extra", [1, 3])
@pytest.mark.parametrize("basis", ["monomial", "chebyshev"])
def test_an_odd_data_count_is_refused_clearly(extra, basis):
    atoms, weights = [F(-2, 3), F(3, 10)], [F(1, 3), F(7, 5)]
    nu = moments_in(basis, atoms, weights, 4 + extra)
    for method in ("prony", "pencil", "gauss"):
        with pytest.raises(InputError, match="odd number"):
            recover_measure(nu, method=method, basis=basis, precision=Exact())


def test_a_rank_the_package_chose_is_raised_not_called_inconsistent():
    # 0 and 1/100 merge at the rank the singular values suggest (3); moment 6 then proves that
    # no 3-atom measure fits, while the 4-atom measure that produced the data does
    truth_atoms = [F(0), F(1, 100), F(1), F(-1)]
    truth_weights = [F(1), F(1), F(1), F(1, 2)]
    m = [sum(w * a**j for a, w in zip(truth_atoms, truth_weights)) for j in range(8)]
    errors = [0.001, 0.0001, 1e-06, 1e-06, 1e-06, 1e-06, 1e-05, 0.001]
    r = recover_measure(m, precision=Float64(), data_error=errors, method="gauss", throw=False)
    assert r.status != "inconsistent"
    assert r.rank == 4 and "raised from" in r.message
    # asked for, rank 3 is proved impossible
    r3 = recover_measure(m, rank=3, precision=Float64(), data_error=errors, method="gauss",
                         throw=False)
    assert r3.status == "inconsistent"


def test_auto_on_rounded_chebyshev_moments_is_the_gauss_rule():
    # T-moments of (1/4)(delta_{-39/100} + 3 delta_{7/10}) rounded to doubles
    atoms, weights = [F(-39, 100), F(7, 10)], [F(1, 4), F(3, 4)]
    t = [[F(1), a] for a in atoms]
    for a, row in zip(atoms, t):
        while len(row) < 4:
            row.append(2 * a * row[-1] - row[-2])
    m = [float(sum(w * row[j] for w, row in zip(weights, t))) for j in range(4)]
    r = recover_measure(m, basis="chebyshev", precision=Float64())
    assert r.method == "gauss" and r.status == "ok" and r.digits >= 13
    got = sorted(zip(r.measure.atoms, r.measure.weights))
    for (a, w), (ta, tw) in zip(got, zip(atoms, weights)):
        assert abs(F(float(a)) - ta) <= F(10) ** -13 and abs(F(float(w)) - tw) <= F(10) ** -13


def test_rounded_data_say_their_rank_is_what_the_accuracy_resolves():
    # two atoms 1e-8 apart: double moments fit one atom at their midpoint
    r = recover_measure([2.0, 1.99999999, 1.9999999800000001, 1.9999999700000004],
                        precision=Float64())
    assert r.rank == 1 and "the number of atoms the data's accuracy resolves" in r.message
    assert abs(F(float(r.measure.atoms[0])) - F(199999999, 200000000)) < F(10) ** -14


def test_rounded_chebyshev_moments_of_fewer_atoms_than_half_their_count():
    # delta_1, delta_0 and delta_{1/2} + delta_{-1/2} in the Chebyshev basis, as doubles
    for m, atoms in (([1.0, 1.0, 1.0, 1.0], [1]), ([1.0, 0.0, -1.0, 0.0], [0]),
                     ([2.0, 0.0, -1.0, 0.0, -1.0, 0.0], [F(-1, 2), F(1, 2)])):
        for call in (lambda m: gauss_rule(m, precision=Float64(), basis="chebyshev"),
                     lambda m: recover_measure(m, basis="chebyshev")):
            r = call(m)
            assert r.status == "ok" and r.rank == len(atoms) and "was not certified" in r.message
            got = sorted(F(float(a)) for a in r.measure.atoms)
            assert all(abs(g - a) <= F(10) ** -14 for g, a in zip(got, atoms))


@pytest.mark.parametrize("method", ["auto", "prony", "pencil"])
@pytest.mark.parametrize("moments, atoms, weights", [
    ([1, 0, -1, 0], [-1j, 1j], [F(1, 2), F(1, 2)]),
    ([F(1), 0, F(-1, 4), 0], [-0.5j, 0.5j], [F(1, 2), F(1, 2)]),
    ([2, F(1, 2), F(-3, 4), F(1, 8), F(17, 16), F(1, 32)], [-1j, 1j, 0.5],
     [F(1, 2), F(1, 2), F(1)]),
])
def test_exact_purely_imaginary_atoms(moments, atoms, weights, method):
    # an atom whose real part is an exact zero (sympy's Zero has no mpmath value of its own)
    r = recover_measure(moments, precision=Exact(), method=method)
    assert r.status == "ok"
    got = sorted(zip((complex(a) for a in r.measure.atoms), r.measure.weights),
                 key=lambda t: (t[0].real, t[0].imag))
    want = sorted(zip(atoms, weights), key=lambda t: (complex(t[0]).real, complex(t[0]).imag))
    assert [w for _, w in got] == [w for _, w in want]
    assert all(abs(a - complex(b)) == 0 for (a, _), (b, _) in zip(got, want))
