"""The local convergence argument after the finite-time enclosure (``prove_flow(...,
converge=True)``): its rate and path length checked against independent float and mpmath flows,
the limit against an mpmath Newton solve, and the cases where it must fail (d > d_hat)."""

from __future__ import annotations

import json
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from momentrnn.errors import InputError
from momentrnn.precision import flint_precision
from momentrnn.prove import prove_flow
from momentrnn.prove.converge import _ball, _gradient_hessian, _interval_ball, prove_convergence
from momentrnn.prove.validated import ball_bounds
from tests.prove_setups import prove_command


def _box(a, b, c, radius):
    return tuple(tuple((x - radius, x + radius) for x in xs) for xs in (a, b, c))


def _loss_hi(A, B, C, target, rho):
    """The upper end of the loss over the box (A, B, C), in balls (inside a flint precision)."""
    loss, _, _ = _gradient_hessian(
        [_interval_ball(*x) for x in A],
        [_interval_ball(*x) * _interval_ball(*y) for x, y in zip(B, C)],
        [_ball(x) for x in target], [_ball(x) for x in rho])
    return ball_bounds(loss)[1]


def _argument(a, b, c, target, rho, t_atoms, t_weights, radius=Fraction(1, 10**12),
              length=200):
    """prove_convergence on the box of the given radius around the point (a, b, c), with the
    loss bounded over the box in balls."""
    A, B, C = _box(a, b, c, radius)
    delta = [x * x - y * y for x, y in zip(b, c)]
    with flint_precision(128):
        loss_hi = _loss_hi(A, B, C, target, rho)
        return prove_convergence(A, B, C, delta, loss_hi, target, rho, t_atoms, t_weights,
                                 length), loss_hi


def _rhs(target, rho):
    k = len(target)
    tg, two_rho = np.array([float(x) for x in target]), 2 * np.array([float(r) for r in rho])

    def f(_, z):
        d = len(z) // 3
        a, b, c = z[:d], z[d:2 * d], z[2 * d:]
        w = b * c
        P = a[None, :] ** np.arange(k)[:, None]  # k x d
        u = two_rho * (P @ w - tg)
        S = P.T @ u
        D = np.array([sum(j * a[i] ** (j - 1) * u[j] for j in range(1, k)) for i in range(d)])
        return np.concatenate([-w * D, -c * S, -b * S])

    return f


def _loss(z, target, rho):
    d = len(z) // 3
    a, w = z[:d], z[d:2 * d] * z[2 * d:]
    return sum(float(r) * (np.sum(w * a**j) - float(t)) ** 2
               for j, (t, r) in enumerate(zip(target, rho)))


DYADIC = ([Fraction(3, 4), Fraction(-1, 2)], [Fraction(1), Fraction(1)])


def _exact_target(atoms, weights, k):
    return [sum((w * x**j for x, w in zip(atoms, weights)), Fraction(0)) for j in range(k)]


def test_the_limit_is_the_teacher_exactly_when_the_targets_are_its_moments():
    atoms, weights = DYADIC
    target, rho = _exact_target(atoms, weights, 5), [Fraction(1)] * 5
    # unit 0 near the teacher's atom -1/2, unit 1 near 3/4: the order is found, not assumed
    a = [Fraction(-1, 2) + Fraction(3, 10**7), Fraction(3, 4) - Fraction(1, 10**7)]
    b = [Fraction(13, 10), Fraction(3, 5)]
    c = [1 / b[0] + Fraction(1, 10**7), 1 / b[1] - Fraction(2, 10**7)]
    cv, _ = _argument(a, b, c, target, rho, atoms, weights)
    assert cv.proved, cv.reason
    assert cv.limit_is_teacher and cv.teacher_order == (1, 0)
    assert cv.limit_a == ((Fraction(-1, 2),) * 2, (Fraction(3, 4),) * 2)
    assert cv.limit_w == ((Fraction(1),) * 2, (Fraction(1),) * 2)
    assert cv.limit_loss == (0, 0) and cv.limit_extrapolation == 0
    assert cv.effective_dimension == 2 and cv.rate > 0
    # the limit in (a, b, c) is on the student's leaf: b*^2 - c*^2 = b^2 - c^2, b* c* = 1
    for (blo, bhi), (clo, chi), x, y in zip(cv.limit_b, cv.limit_c, b, c):
        assert blo * clo <= 1 <= bhi * chi
        assert blo**2 - chi**2 <= x * x - y * y <= bhi**2 - clo**2
    # the start is within the proved path length of the limit
    dist = sum(float(x - y) ** 2 for x, y in zip(a, [Fraction(-1, 2), Fraction(3, 4)]))
    assert dist**0.5 <= float(cv.path_length)


@settings(max_examples=6, derandomize=True, deadline=None)
@given(st.sampled_from([-23, -7, 5, 11, 29]), st.sampled_from([-19, -6, 8, 17]),
       st.sampled_from([-13, 3, 9, 31]),
       st.sampled_from([Fraction(13, 10), Fraction(3, 5), Fraction(2), Fraction(3, 10)]),
       st.sampled_from([Fraction(1), Fraction(7, 10), Fraction(1, 3)]))
def test_proved_rate_and_path_length_hold_for_the_float_flow(da, dw, dc, b0, b1):
    """The observed decay of the loss along an accurate float flow from the box's centre is
    never slower than the proved rate (L(t) <= L_+(T) exp(-mu t)), its path never longer than
    the proved bound nor out of R; and the proved rate is within a factor 4 of the observed
    one (the bound is not vacuous; a factor 2 too many in mu is caught by the decay)."""
    atoms, weights = [Fraction(39, 100), Fraction(-1, 3)], [Fraction(1), Fraction(1, 2)]
    k = 5
    target, rho = _exact_target(atoms, weights, k), [Fraction(k - j) for j in range(k)]
    eps = Fraction(1, 10**8)
    a = [atoms[0] + da * eps, atoms[1] - dc * eps]
    b = [b0, b1]
    c = [weights[0] / b0 + dw * eps, weights[1] / b1 + da * eps]
    cv, loss_hi = _argument(a, b, c, target, rho, atoms, weights)
    assert cv.proved, cv.reason
    assert cv.limit_is_teacher
    mu = float(cv.rate)
    z0 = np.array([float(x) for x in a + b + c])
    ts = np.linspace(0.0, 5.0 / mu, 31)
    sol = solve_ivp(_rhs(target, rho), (0.0, ts[-1]), z0, t_eval=ts, method="DOP853",
                    rtol=1e-13, atol=1e-16)
    losses = np.array([_loss(sol.y[:, i], target, rho) for i in range(len(ts))])
    seen = losses > 1e-20  # above the float flow's own error
    assert seen.sum() >= 10
    bound = float(loss_hi) * np.exp(-mu * ts)
    assert np.all(losses[seen] <= bound[seen] * (1 + 1e-6))
    # the asymptotic decay: the slowest mode, after the faster ones have died out
    late = np.flatnonzero(seen)[np.flatnonzero(seen).size // 2:]
    observed = -np.polyfit(ts[late], np.log(losses[late]), 1)[0]
    assert mu <= observed * (1 + 1e-6) and observed < 4 * mu
    path = np.sum(np.linalg.norm(np.diff(sol.y, axis=1), axis=0))
    assert path <= float(cv.path_length)
    # the flow never leaves R: (a, w) moves by less than the margin in every coordinate
    y = np.concatenate([sol.y[:2], sol.y[2:4] * sol.y[4:]])
    assert np.max(np.abs(y - y[:, :1])) < float(cv.margin)


def test_rounded_targets_give_an_enclosed_limit_next_to_the_teacher():
    """Targets that are the teacher's moments rounded to doubles (as prove_flow fits): the limit
    is not the teacher; its enclosure holds the zero of grad L found by mpmath at 60 digits."""
    atoms, weights = [Fraction(39, 100), Fraction(-1, 3)], [Fraction(1), Fraction(1, 2)]
    k = 5
    exact = _exact_target(atoms, weights, k)
    target, rho = [Fraction(float(x)) for x in exact], [Fraction(1)] * k
    assert target != exact
    a = [atoms[0] + Fraction(1, 10**8), atoms[1]]
    b = [Fraction(11, 10), Fraction(-2, 3)]
    c = [weights[0] / b[0], weights[1] / b[1] - Fraction(1, 10**8)]
    cv, _ = _argument(a, b, c, target, rho, atoms, weights)
    assert cv.proved, cv.reason
    assert not cv.limit_is_teacher and cv.teacher_order == (0, 1)
    assert 0 < cv.teacher_distance < 1e-14 and cv.limit_extrapolation < 1e-14
    ctx = mpmath.mp.clone()
    ctx.dps = 60
    tg = [ctx.mpf(x.numerator) / x.denominator for x in target]

    def grad(*y):
        av, wv = y[:2], y[2:]
        r = [sum(wv[i] * av[i] ** j for i in range(2)) - tg[j] for j in range(k)]
        return ([2 * sum(r[j] * j * wv[i] * av[i] ** (j - 1) for j in range(1, k))
                 for i in range(2)] + [2 * sum(r[j] * av[i] ** j for j in range(k))
                                      for i in range(2)])

    start = [ctx.mpf(x.numerator) / x.denominator for x in atoms + weights]
    ystar = ctx.findroot(grad, start)
    for value, (lo, hi) in zip(ystar, cv.limit_a + cv.limit_w):
        assert ctx.mpf(lo.numerator) / lo.denominator <= value
        assert value <= ctx.mpf(hi.numerator) / hi.denominator
    assert cv.limit_loss[1] > 0  # L* > 0: the rounded targets are not 2-atomic
    # signs of b and c are kept on the limit
    assert cv.limit_b[1][1] < 0 and cv.limit_c[1][1] < 0


def test_a_dead_unit_is_a_degenerate_limit_and_not_proved():
    """d = 3 > d_hat = 2: a third unit of weight 1e-9 near the teacher: the Hessian on the
    leaf is singular in the limit, and the argument says so."""
    atoms, weights = DYADIC
    target, rho = _exact_target(atoms, weights, 5), [Fraction(1)] * 5
    a = [Fraction(3, 4), Fraction(-1, 2), Fraction(1, 10)]
    b = [Fraction(1), Fraction(1), Fraction(1, 10**4)]
    c = [Fraction(1), Fraction(1) - Fraction(1, 10**9), Fraction(1, 10**5)]
    cv, _ = _argument(a, b, c, target, rho, atoms, weights)
    assert not cv.proved
    assert "d = 3 > d_hat = 2" in cv.reason and "degenerate" in cv.reason
    # the failed test is reported as such, never as a proof that the limit is degenerate
    assert ": the limit is degenerate" not in cv.reason
    assert "not prove that the limit is degenerate" in cv.reason
    assert "Hessian" in cv.reason or "vanish" in cv.reason
    assert cv.rate is None and not cv.limit_is_teacher


def test_prove_flow_with_more_units_than_atoms_stays_finite_time():
    p = prove_flow("two_pole", 3, 5, 1e-3, 0, 0.25, length=20)
    assert p.status == "finite-time" and p.proved
    assert p.reason.startswith("convergence not proved")
    assert "d = 3 > d_hat = 2" in p.reason
    assert p.to_dict()["convergence"] == {"proved": False,
                                          "reason": p.convergence.reason}


def test_converge_false_skips_the_argument_and_bad_values_are_refused():
    p = prove_flow("two_pole", 2, 5, 1e-3, 0, 0.125, length=20, converge=False)
    assert p.status == "finite-time" and p.reason == "" and p.convergence is None
    with pytest.raises(InputError, match="converge"):
        prove_flow("two_pole", 2, 5, 1e-3, 0, 0.125, length=20, converge="yes")


@pytest.mark.slow
def test_two_pole_d2_converges_to_its_limit(capsys):
    """The issue's instance: two_pole, d = d_hat = 2, k = 5, sigma = 1e-3, seed 0, T = 25."""
    from momentrnn.cli.prove import _table

    p = prove_flow("two_pole", 2, 5, 1e-3, 0, 25.0)
    assert p.status == "converged" and p.proved, p.reason
    cv = p.convergence
    assert cv.effective_dimension == 2 and cv.rate > 0
    # the fitted targets are the doubles of the teacher's moments: the limit is next to it
    assert cv.teacher_order is not None and cv.teacher_distance < 1e-12
    assert cv.path_length < 1e-6
    # a float flow continued from the end box's centre stays within the path length bound
    d, k = 2, 5
    from momentrnn.rnn import named_teacher
    from momentrnn.rnn.losses import _target

    target = [Fraction(float(x)) for x in _target(named_teacher("two_pole"), k)]
    z = np.array([float((lo + hi) / 2) for lo, hi in p.a + p.b + p.c])
    sol = solve_ivp(_rhs(target, [Fraction(1)] * k), (0.0, 30.0), z, method="DOP853",
                    rtol=1e-13, atol=1e-16)
    zend = sol.y[:, -1]
    assert np.linalg.norm(zend - z) <= float(cv.path_length) + 1e-15
    for i in range(d):
        lo, hi = cv.limit_a[i]
        assert float(lo) - 1e-12 <= zend[i] <= float(hi) + 1e-12
    text = json.dumps(p.to_dict())
    assert '"converged"' in text and p.to_dict()["convergence"]["proved"]
    _table(p)
    out = capsys.readouterr().out
    assert "converged" in out and "path length after T" in out


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(st.integers(-40, 40), min_size=6, max_size=6),
       st.lists(st.integers(0, 30), min_size=6, max_size=6))
def test_eigenvalue_bound_holds_for_every_member_of_the_ball_matrix(mids, rads):
    """The bound of _smallest_eigenvalue is below the smallest eigenvalue of sampled members
    (the corners and the midpoint) of a symmetric 3 x 3 ball matrix; ignoring the radii is
    caught (a midpoint-only bound is above some member's)."""
    import itertools

    import flint

    from momentrnn.prove.converge import _smallest_eigenvalue

    idx = [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)]
    mid = {ij: Fraction(m, 10) + (Fraction(5) if ij[0] == ij[1] else 0)
           for ij, m in zip(idx, mids)}
    rad = {ij: Fraction(r, 20) for ij, r in zip(idx, rads)}
    with flint_precision(128):
        H = [[flint.arb(float(mid[min(p, q), max(p, q)]), float(rad[min(p, q), max(p, q)]))
              for q in range(3)] for p in range(3)]
        m, why = _smallest_eigenvalue(H)
    if m is None:
        assert why
        return
    assert m > 0
    for signs in itertools.product((-1, 0, 1), repeat=6):
        M = np.zeros((3, 3))
        for s, ij in zip(signs, idx):
            M[ij] = M[ij[::-1]] = float(mid[ij] + s * rad[ij])
        assert np.linalg.eigvalsh(M)[0] >= float(m) * (1 - 1e-12)


def test_the_flow_from_every_corner_of_a_box_stays_in_the_proved_region():
    """A box of radius 1e-9 that holds the teacher: the flow from its corners moves by about
    its radius; the proved region R must contain all of it (a region accepted without the
    path-length check, e.g. the first margin 2^-40 tried, is caught)."""
    import itertools

    atoms, weights = DYADIC
    target, rho = _exact_target(atoms, weights, 5), [Fraction(1)] * 5
    b = [Fraction(13, 10), Fraction(3, 5)]
    a, c = list(atoms), [weights[0] / b[0], weights[1] / b[1]]
    radius = Fraction(1, 10**9)
    cv, _ = _argument(a, b, c, target, rho, atoms, weights, radius=radius)
    assert cv.proved, cv.reason
    f = _rhs(target, rho)
    moved = 0.0
    for signs in itertools.islice(itertools.product((-1, 1), repeat=6), 0, 64, 9):
        z0 = np.array([float(x + s * radius) for x, s in zip(a + b + c, signs)])
        sol = solve_ivp(f, (0.0, 40.0), z0, method="DOP853", rtol=1e-13, atol=1e-18)
        y = np.concatenate([sol.y[:2], sol.y[2:4] * sol.y[4:]])
        moved = max(moved, float(np.max(np.abs(y - y[:, :1]))))
    assert moved > 1e-10  # the corners do move
    assert moved < float(cv.margin)
    assert moved <= float(cv.path_length_leaf)


def test_command_no_converge_skips_the_argument():
    out = prove_command("--t-end", "0.125", "--length", "20", "--no-converge", "--format",
                        "json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["status"] == "finite-time" and d["convergence"] is None and d["reason"] == ""


def test_an_interval_of_invariants_covers_every_leaf_in_it():
    """A box of initial conditions gives b^2 - c^2 only up to an interval: the argument with
    that interval proves the same limit in (a, w), and its b*, c* enclose the limits on the
    leaves at both ends of the interval (each proved with its exact invariant)."""
    atoms, weights = DYADIC
    target, rho = _exact_target(atoms, weights, 5), [Fraction(1)] * 5
    a = [Fraction(-1, 2) + Fraction(3, 10**7), Fraction(3, 4) - Fraction(1, 10**7)]
    b = [Fraction(13, 10), Fraction(3, 5)]
    c = [1 / b[0] + Fraction(1, 10**7), 1 / b[1] - Fraction(2, 10**7)]
    A, B, C = _box(a, b, c, Fraction(1, 10**12))
    spread = Fraction(1, 3 * 10**6)
    exact = [x * x - y * y for x, y in zip(b, c)]
    ends = [[v - spread for v in exact], [v + spread for v in exact]]
    with flint_precision(128):
        loss_hi = _loss_hi(A, B, C, target, rho)
        box = prove_convergence(A, B, C, [(lo, hi) for lo, hi in zip(*ends)], loss_hi,
                                target, rho, atoms, weights, 100)
        leaves = [prove_convergence(A, B, C, delta, loss_hi, target, rho, atoms, weights, 100)
                  for delta in ends]
    assert box.proved, box.reason
    assert box.limit_is_teacher and box.limit_a == leaves[0].limit_a
    for leaf in leaves:
        assert leaf.proved
        for outer, inner in zip(box.limit_b + box.limit_c, leaf.limit_b + leaf.limit_c):
            assert outer[0] <= inner[0] <= inner[1] <= outer[1]
    # the two leaves' limits differ by far more than their enclosures' widths
    assert leaves[0].limit_b[0][1] < leaves[1].limit_b[0][0]


class _Clock:
    """A stand-in for ``time.perf_counter`` that reads 0 for its first ``calls`` readings and
    then 1: with a deadline of 1/2 the budget runs out at the reading number ``calls``."""

    def __init__(self, calls: int) -> None:
        self.left, self.readings = calls, 0

    def perf_counter(self) -> float:
        self.readings += 1
        self.left -= 1
        return 0.0 if self.left >= 0 else 1.0


def test_a_deadline_anywhere_in_the_argument_gives_the_full_result_or_not_proved(monkeypatch):
    """max_seconds reaches the local argument: wherever the deadline passes (before a region,
    or inside the bound on the limit's extrapolation), the result is the one without a
    deadline or 'not proved' with the time budget named, never a verdict from unfinished
    work. The case of the rounded targets (a Newton limit, an extrapolation loop of 200
    orders) at atoms 39/100 and -1/3."""
    import momentrnn.prove.converge as cvmod

    atoms, weights = [Fraction(39, 100), Fraction(-1, 3)], [Fraction(1), Fraction(1, 2)]
    target = [Fraction(float(x)) for x in _exact_target(atoms, weights, 5)]
    rho = [Fraction(1)] * 5
    a = [atoms[0] + Fraction(1, 10**8), atoms[1]]
    b = [Fraction(11, 10), Fraction(-2, 3)]
    c = [weights[0] / b[0], weights[1] / b[1] - Fraction(1, 10**8)]
    A, B, C = _box(a, b, c, Fraction(1, 10**12))
    delta = [x * x - y * y for x, y in zip(b, c)]

    def run(deadline):
        with flint_precision(128):
            return prove_convergence(A, B, C, delta, _loss_hi(A, B, C, target, rho), target,
                                     rho, atoms, weights, 200, deadline=deadline)

    full = run(float("inf"))
    assert full.proved, full.reason
    counting = _Clock(10**9)
    monkeypatch.setattr(cvmod, "time", counting)
    assert run(0.5) == full
    total = counting.readings
    assert total > 200  # the clock is read in the extrapolation loop of the limit
    cut_short = 0
    for calls in sorted({0, 1, 2, total // 2, total - 100, total - 2, total - 1}):
        monkeypatch.setattr(cvmod, "time", _Clock(calls))
        cv = run(0.5)
        assert not cv.proved, calls
        assert "time budget ran out" in cv.reason and cv.rate is None, cv.reason
        cut_short += 1
    monkeypatch.setattr(cvmod, "time", _Clock(total))
    assert run(0.5) == full
    assert cut_short == 7
