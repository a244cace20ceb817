"""No over-claim and no false verdict: every vouched digit of the moment engine is checked
against an independently computed truth, for every number kind the package reads.

The measures have non-dyadic atoms and weights (so no double is exact); the true moments are
computed at 200 digits and rounded to the kind under test the way a user's data would be: a
correctly rounded double, an mpmath number of its own context, a sympy Float, decimal text with
a stated normwise accuracy, per-moment absolute errors. For each recovery the true normwise
and per-component errors are measured and compared with what the result vouches for.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import mpmath
import pytest
import sympy

from momentrnn import MP, Float64, hankel_rank, recover_measure
from momentrnn.errors import MomentRNNError, RankError
from momentrnn.moments.realization import minimal_realization
from tests.helpers import exact_mp

TRUTH = mpmath.MPContext()
TRUTH.prec = 700


def _measure(rng: random.Random, n: int, *, signed=False, complex_=False):
    """Non-dyadic rational atoms in (-0.95, 0.95) (well separated) and weights."""
    while True:
        atoms = [Fraction(rng.randint(-950, 950), rng.choice([999, 997, 991, 983]))
                 for _ in range(n)]
        xs = sorted(float(a) for a in atoms)
        if all(b - a > 0.08 for a, b in zip(xs, xs[1:])):
            break
    weights = [Fraction(rng.randint(100, 900), 997) * (rng.choice([-1, 1]) if signed else 1)
               for _ in range(n)]
    atoms_t = [TRUTH.mpf(a.numerator) / a.denominator for a in atoms]
    weights_t = [TRUTH.mpf(w.numerator) / w.denominator for w in weights]
    if complex_:
        atoms_t = [a * TRUTH.mpc(TRUTH.mpf(3) / 5, TRUTH.mpf(4) / 7 * (1 if i % 2 else -1))
                   for i, a in enumerate(atoms_t)]
        weights_t = [w * TRUTH.mpc(1, TRUTH.mpf(1) / 3) for w in weights_t]
    return atoms_t, weights_t


def _moments(atoms, weights, count):
    return [TRUTH.fsum(w * a**j for a, w in zip(atoms, weights)) for j in range(count)]


def _true_errors(r, atoms, weights):
    """(normwise digits, per-atom digits, per-weight digits) actually achieved by ``r``."""
    got_a = [TRUTH.mpmathify(_as_mp(v)) for v in r.measure.atoms]
    got_w = [TRUTH.mpmathify(_as_mp(v)) for v in r.measure.weights]
    pairs = []
    free = set(range(len(atoms)))
    for g in got_a:
        j = min(free, key=lambda k: abs(atoms[k] - g))
        free.discard(j)
        pairs.append(j)

    def digits(err, scale):
        if err == 0:
            return math.inf
        return float(-TRUTH.log10(err / scale)) if scale else float(-TRUTH.log10(err))

    ea = [abs(g - atoms[j]) for g, j in zip(got_a, pairs)]
    ew = [abs(g - weights[j]) for g, j in zip(got_w, pairs)]
    norm = min(digits(max(ea), max(abs(a) for a in atoms)),
               digits(max(ew), max(abs(w) for w in weights)))
    each_a = [digits(e, abs(atoms[j])) for e, j in zip(ea, pairs)]
    each_w = [digits(e, abs(weights[j])) for e, j in zip(ew, pairs)]
    return norm, each_a, each_w


def _as_mp(v):
    """Any returned number exactly, in TRUTH."""
    return exact_mp(TRUTH, v)


def _assert_honest(r, atoms, weights, label):
    assert r.status != "inconsistent", f"{label}: false 'inconsistent' ({r.message})"
    if r.measure is None or r.digits == 0:
        return
    norm, each_a, each_w = _true_errors(r, atoms, weights)
    assert norm >= r.digits, f"{label}: vouched {r.digits} digits, true {norm:.2f}"
    if getattr(r, "atom_digits", None) is not None:
        order_ok = len(r.atom_digits) == len(each_a)
        assert order_ok
        for v, t in zip(r.atom_digits, each_a):
            assert v == 0 or t >= v, f"{label}: atom vouched {v}, true {t:.2f}"
        for v, t in zip(r.weight_digits, each_w):
            assert v == 0 or t >= v, f"{label}: weight vouched {v}, true {t:.2f}"


# ------------------------------------------------------------------------- number kinds


def _double(x):
    return float(x) if not isinstance(x, mpmath.mpc) else complex(x)


KINDS = {
    "float": lambda xs: [_double(x) for x in xs],
    "mpf from doubles": lambda xs: [mpmath.mpf(float(x)) for x in xs],
    "mpf mixed 50/16": lambda xs: [_ctx(50).mpf(xs[0])] + [mpmath.mpf(float(x)) for x in xs[1:]],
    "mpf 40 digits": lambda xs: [_ctx(40).mpf(x) for x in xs],
    "sympy Float 30": lambda xs: [sympy.Float(mpmath.nstr(x, 45), 30) for x in xs],
}


def _ctx(dps):
    c = mpmath.MPContext()
    c.dps = dps
    return c


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("signed", [False, True])
def test_vouched_digits_are_true_for_every_number_kind(kind, signed):
    rng = random.Random(hash((kind, signed)) % 1000)
    for n in (2, 3, 4):
        for overdetermined in (False, True):
            atoms, weights = _measure(rng, n, signed=signed)
            count = 4 * n if overdetermined else 2 * n
            data = KINDS[kind](_moments(atoms, weights, count))
            for digits in (8, 30):
                r = recover_measure(data, rank=n, digits=digits, throw=False)
                _assert_honest(r, atoms, weights, f"{kind} n={n} M={count} digits={digits}")
            r = recover_measure(data, rank=n, precision=MP(30), throw=False)
            _assert_honest(r, atoms, weights, f"{kind} n={n} M={count} MP(30)")


def test_negative_mpmath_and_sympy_values_keep_their_sign():
    third = mpmath.mpf(-1) / 3
    r = recover_measure([mpmath.mpf(1), third], digits=10)
    assert float(r.atoms[0]) < 0
    r = recover_measure([sympy.Float(1, 30), sympy.Float(-1, 30) / 3], digits=10)
    assert float(r.atoms[0]) < 0
    real = minimal_realization([third**j for j in range(4)])
    assert real.as_arrays()[0][0, 0] < 0
    for tiny in (mpmath.mpf("-1e-300"), mpmath.mpf("-1e-5000"), sympy.Float("-1e-300", 20)):
        d = recover_measure([1, tiny], digits=5, throw=False)
        assert mpmath.sign(d.atoms[0]) == -1


def test_one_accurate_number_does_not_lend_its_accuracy_to_others():
    rng = random.Random(5)
    atoms, weights = _measure(rng, 2)
    m = _moments(atoms, weights, 4)
    data = [_ctx(50).mpf(m[0])] + [mpmath.mpf(float(x)) for x in m[1:]]
    r = recover_measure(data, digits=30, throw=False)
    assert r.status == "data_limited" and r.data_digits < 17
    _assert_honest(r, atoms, weights, "mixed")


def test_data_digits_is_normwise():
    # moments of a measure with near-zero odd moments: per-moment relative radii would be
    # far too small for them
    data = ["1", "5e-10", "1/6", "-5e-10", "1/24", "5e-10"]
    r = recover_measure(data, rank=3, data_digits=9, digits=1, throw=False)
    # the truth for the data "up to 1e-9 * max|m|": recovery from the exact values of a
    # perturbed sequence within that radius must be within the vouched digits
    base = recover_measure(data, rank=3, digits=40)
    scale = 1e-9
    for signs in ((1, -1, 1, -1, 1, -1), (-1, -1, 1, 1, -1, 1), (1, 1, 1, 1, 1, 1)):
        pert = [Fraction(s) * Fraction(scale) * Fraction(sg) for s, sg in
                zip([1] * 6, signs)]
        shifted = [Fraction(v) + p for v, p in zip(data, pert)]
        truth = recover_measure(shifted, rank=3, digits=40)
        a_t = [TRUTH.mpmathify(v) for v in truth.atoms]
        w_t = [TRUTH.mpmathify(v) for v in truth.weights]
        _assert_honest(r, a_t, w_t, f"data_digits signs={signs}")
    assert r.data_digits == pytest.approx(9, abs=1e-9)
    assert base.status == "ok"


def test_data_error_per_moment():
    rng = random.Random(11)
    atoms, weights = _measure(rng, 3)
    m = _moments(atoms, weights, 6)
    errs = [10.0 ** -(8 + j) for j in range(6)]
    data = [mpmath.nstr(x + TRUTH.mpf(e) * 0.9 * (-1) ** j, 30) for j, (x, e) in
            enumerate(zip(m, errs))]
    r = recover_measure(data, data_error=errs, digits=1, throw=False)
    _assert_honest(r, atoms, weights, "data_error")
    with pytest.raises(MomentRNNError, match="data_error"):
        recover_measure(data, data_error=[1e-8] * 5)
    with pytest.raises(MomentRNNError, match="either"):
        recover_measure(data, data_error=1e-8, data_digits=8)


def test_no_false_inconsistent_with_rounded_overdetermined_data():
    rng = random.Random(3)
    for trial in range(25):
        n = rng.choice([2, 3, 4])
        atoms, weights = _measure(rng, n)
        data = [float(x) for x in _moments(atoms, weights, 4 * n)]
        r = recover_measure(data, rank=n, digits=5, throw=False)
        _assert_honest(r, atoms, weights, f"trial {trial}")


def test_inconsistent_is_said_when_proved():
    # three atoms' moments cannot come from two atoms, even allowing for double rounding
    atoms, weights = _measure(random.Random(8), 3)
    data = [float(x) for x in _moments(atoms, weights, 10)]
    r = recover_measure(data, rank=2, digits=5, throw=False)
    assert r.status == "inconsistent" and "Hankel block" in r.message
    with pytest.raises(RankError):
        recover_measure(data, rank=2, digits=5)


def test_complex_atoms_are_certified_beyond_double_precision():
    atoms, weights = _measure(random.Random(2), 3, complex_=True)
    c = _ctx(130)
    data = [c.mpc(x) for x in _moments(atoms, weights, 6)]
    r = recover_measure(data, digits=100, throw=False)
    assert r.status == "ok" and r.digits >= 100
    _assert_honest(r, atoms, weights, "complex 130")


def test_complex_least_squares_fit_is_not_called_inconsistent():
    rng = random.Random(4)
    for trial in range(6):
        atoms, weights = _measure(rng, 4, complex_=True)
        data = [complex(x) for x in _moments(atoms, weights, 24)]
        r = recover_measure(data, rank=4, digits=3, throw=False)
        _assert_honest(r, atoms, weights, f"complex LS {trial}")
        r = recover_measure(data, rank=4, precision=Float64(), throw=False)
        _assert_honest(r, atoms, weights, f"complex LS float {trial}")


# ------------------------------------------------------------------------- crashes


def test_realization_with_exactly_two_order_lags_in_double():
    real = minimal_realization([1.0, 0.3], precision=Float64())
    assert real.order == 1 and abs(real.as_arrays()[0][0, 0] - 0.3) < 1e-15


def test_fibonacci_in_mp_with_a_leading_zero():
    r = recover_measure([0, 1, 1, 2, 3, 5, 8, 13], precision=MP(30))
    golden = (1 + TRUTH.sqrt(5)) / 2
    assert abs(TRUTH.mpmathify(max(r.atoms)) - golden) < TRUTH.mpf(10) ** -28
    assert r.digits >= 28
    assert hankel_rank([0, 1, 1, 2, 3, 5, 8, 13]).rank == 2


def test_purely_imaginary_atoms_in_mp_never_raise():
    r = recover_measure([1, 0, Fraction(-1, 4), 0], precision=MP(50), throw=False)
    assert r.status == "ok"
    assert all(abs(abs(a) - 0.5) < 1e-45 for a in r.atoms)


def test_rank_above_the_hankel_rank_is_a_rank_error_not_an_overflow():
    with pytest.raises(RankError, match="singular"):
        recover_measure([1] * 6, rank=3, throw=False)


def test_throw_false_never_raises_for_numerical_reasons():
    cases = [
        [1, 0, Fraction(-1, 4), 0],
        [1e-300, 1e-301, 1e-302, 1e-303],
        [1, 1 + 1e-15, 1, 1 + 2e-15],
        [complex(0, 1), 0, complex(0, -1), 0],
    ]
    for data in cases:
        for prec in (None, MP(20), Float64()):
            try:
                r = recover_measure(data, precision=prec, throw=False)
            except RankError:
                continue  # a rank the data cannot have is an input error, said by name
            assert r.status in ("ok", "data_limited", "ill_conditioned", "precision_exhausted",
                                "rank_ambiguous", "inconsistent")


def test_rounded_decimals_are_flagged():
    text = [repr(float(Fraction(1, 3) ** j)) for j in range(4)]
    r = recover_measure(text, digits=30)
    assert "rounded doubles" in r.message and "data_digits=15" in r.message
    r = recover_measure(["1", "0.25", "0.0625", "0.015625"], digits=30)
    assert "rounded doubles" not in r.message


def test_more_moments_never_give_a_worse_answer():
    atoms = [TRUTH.mpf(1), TRUTH.mpf(-40) / 23, TRUTH.mpf(25) / 36]
    weights = [TRUTH.mpf(-17) / 8, TRUTH.mpf(4) / 33, TRUTH.mpf(37) / 15]
    c = _ctx(30)
    results = []
    for count in (6, 40, 60):
        data = [c.mpf(x) for x in _moments(atoms, weights, count)]
        r = recover_measure(data, rank=3, digits=20, throw=False)
        _assert_honest(r, atoms, weights, f"{count} moments")
        results.append(_true_errors(r, atoms, weights)[0])
    assert min(results) >= 25, results


def test_gauss_failures_on_rounded_data_are_statuses_not_verdicts():
    from momentrnn.errors import NotPositiveError

    close = [Fraction(98, 101), Fraction(98, 101) + Fraction(1, 10**10), Fraction(-1, 3)]
    w = [Fraction(8, 7), Fraction(8, 7), Fraction(1)]
    data = [float(sum(wi * a**j for a, wi in zip(close, w))) for j in range(6)]
    r = recover_measure(data, method="gauss", rank=3, throw=False)
    assert r.status == "data_limited" and r.digits == 0
    r = recover_measure([1.5**j for j in range(8)], rank=4, precision=MP(30), method="gauss",
                        throw=False)
    assert r.status in ("data_limited", "ill_conditioned")
    # a sign pattern no sequence within half an ulp escapes is proved, and said so
    with pytest.raises(NotPositiveError):
        recover_measure([1.0, 0.0, -1.0, 0.0], method="gauss", precision=Float64(), throw=False)
    with pytest.raises(NotPositiveError, match="beta_0"):
        recover_measure([0, 1, 1, 2, 3, 5, 8, 13], method="gauss")
