"""Minimal realisation over the arithmetic objects: the shift form in exact and mpmath
arithmetic, the balanced SVD form in doubles; a non-dyadic signed impulse response must be
reproduced in each, and a singular leading block is a clear error in each."""

from __future__ import annotations

import json
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import MP, Exact, Float64
from momentrnn.errors import IllConditionedError, RankError
from momentrnn.moments.realization import minimal_realization
from momentrnn.moments.symbolic import symbolic_hankel_determinant

ATOMS = [F(1, 3), F(-2, 7), F(5, 11)]
WEIGHTS = [F(2, 9), F(-3, 13), F(4, 17)]  # a signed system


def _lags(count: int) -> list[F]:
    return [sum(w * x**j for x, w in zip(ATOMS, WEIGHTS)) for j in range(count)]


def _response(A, B, C, count):
    x, out = B, []
    for _ in range(count):
        out.append(sum(c * v for c, v in zip(C, x)))
        x = [sum(a * v for a, v in zip(row, x)) for row in A]
    return out


@pytest.mark.parametrize("count", [6, 9])
def test_exact_shift_realization_is_exact(count):
    r = minimal_realization(_lags(count), precision=Exact())
    assert r.order == 3 and r.residual == 0.0
    assert all(isinstance(v, F) for row in r.A for v in row)
    assert r.B == [1, 0, 0] and r.C == _lags(3)
    # the shift realisation reproduces every lag exactly, beyond those it was built from
    assert _response(r.A, r.B, r.C, 12) == _lags(12)
    # A is the companion matrix of the Prony polynomial: its last column gives the
    # characteristic polynomial, whose roots are the atoms
    import sympy

    M = sympy.Matrix([[sympy.Rational(v.numerator, v.denominator) for v in row] for row in r.A])
    lam = sympy.Symbol("lam")
    roots = sorted(sympy.roots(M.charpoly(lam).as_expr(), lam))
    assert roots == sorted(sympy.Rational(x.numerator, x.denominator) for x in ATOMS)


@pytest.mark.parametrize("dps", [20, 50])
def test_mp_shift_realization_matches_exact(dps):
    exact = minimal_realization(_lags(8))
    r = minimal_realization(_lags(8), precision=MP(dps))
    assert (r.A.rows, r.A.cols) == (3, 3) and (r.B.rows, r.B.cols) == (3, 1)
    assert r.B[0, 0] == 1 and r.B[1, 0] == r.B[2, 0] == 0
    assert (r.C.rows, r.C.cols) == (1, 3)
    for i in range(3):
        for j in range(3):
            assert float(abs(r.A[i, j] - exact.A[i][j])) < 10.0 ** (8 - dps)
        assert float(abs(r.C[0, i] - exact.C[i])) < 10.0 ** (2 - dps)
    assert r.residual < 1e-15


def test_float_balanced_realization_has_the_atoms_as_eigenvalues():
    r = minimal_realization([float(v) for v in _lags(10)])
    assert r.precision == Float64() and isinstance(r.A, np.ndarray)
    eig = np.sort(np.linalg.eigvals(r.A).real)
    assert np.allclose(eig, sorted(float(x) for x in ATOMS), atol=1e-8)
    assert r.residual < 1e-14


def test_singular_leading_block_is_an_error_in_every_arithmetic():
    h = [0, 0, 1, 0, 0, 0]  # order 3; its leading 2x2 block [[0, 0], [0, 1]] is singular
    # exact lags: no order-2 system reproduces them, known exactly in every arithmetic
    for prec in (None, MP(20), Float64()):
        with pytest.raises(RankError, match="no system of order 2.*smallest order that does "
                                            "is 3.*pass rank=3"):
            minimal_realization(h, rank=2, precision=prec)
    # mpmath lags: in mpmath the singularity is numerical: not a verdict, an arithmetic error
    h_mp = [mpmath.mpf(v) for v in h]
    with pytest.raises(IllConditionedError, match="numerically singular in 20 digits"):
        minimal_realization(h_mp, rank=2, precision=MP(20))
    with pytest.raises(RankError, match="no system of order 2"):
        minimal_realization(h_mp, rank=2, precision=Float64())


def test_symbolic_hankel_determinant_is_the_shared_hankel_matrix():
    import sympy

    det = symbolic_hankel_determinant(3)
    x1, x2, x3, w1, w2, w3 = sympy.symbols("x1 x2 x3 w1 w2 w3")
    values = {x1: sympy.Rational(1, 3), x2: sympy.Rational(-2, 7), x3: sympy.Rational(5, 11),
              w1: sympy.Rational(2, 9), w2: sympy.Rational(-3, 13), w3: sympy.Rational(4, 17)}
    m = _lags(5)
    H = sympy.Matrix(3, 3, lambda i, j: sympy.Rational(m[i + j].numerator,
                                                        m[i + j].denominator))
    assert det.subs(values) == H.det()
    assert symbolic_hankel_determinant(2, 3) == 0


def _hidden_mode_lags(lams, bs, cs, count):
    """Lags of the 4-state diagonal system diag(lams), B = bs, C = cs (exact), whose last two
    modes have C-entries 0: an order-2 system with two unobservable modes."""
    return [sum(c * b * lam**j for lam, b, c in zip(lams, bs, cs)) for j in range(count)]


_PART = st.fractions(min_value=F(-9, 10), max_value=F(9, 10), max_denominator=97)
_SIZE = st.fractions(min_value=F(1, 3), max_value=F(9, 10), max_denominator=97)
_SIGN = st.sampled_from([1, -1])


@settings(max_examples=25, deadline=None, derandomize=True)
@given(pos=st.fractions(min_value=F(1, 10), max_value=F(9, 10), max_denominator=97),
       neg=st.fractions(min_value=F(-9, 10), max_value=F(-1, 10), max_denominator=97),
       hidden=st.lists(_PART, min_size=4, max_size=4),
       sizes=st.lists(_SIZE, min_size=4, max_size=4), signs=st.lists(_SIGN, min_size=4,
                                                                    max_size=4))
def test_hidden_modes_give_order_two_or_a_status_that_says_the_order_is_undecided(
        pos, neg, hidden, sizes, signs):
    # observable modes well apart with weights away from zero: the McMillan degree is 2; the
    # two hidden modes have any eigenvalues and B-entries, and C-entries 0
    lams = [pos, neg, hidden[0], hidden[1]]
    bs = [signs[0] * sizes[0], signs[1] * sizes[1], hidden[2], hidden[3]]
    cs = [signs[2] * sizes[2], signs[3] * sizes[3]]
    exact = _hidden_mode_lags(lams, bs, cs + [F(0), F(0)], 12)
    h = [float(v) for v in exact]  # correctly rounded: within half an ulp of order-2 lags
    r = minimal_realization(h, precision=Float64())
    d = r.to_dict()
    assert d["status"] == r.status and d["message"] == r.message
    if r.ok:  # an order vouched at the lags' accuracy is the McMillan degree
        assert r.order == 2, r.message
    else:
        assert r.status == "rank_ambiguous" and "not decided" in r.message
        lo, hi = r.rank_evidence.rank_range
        assert lo <= 2 <= hi and lo <= r.order <= hi
    # stated accuracy of printed doubles (15 digits): decided, order 2
    r = minimal_realization(h, precision=Float64(), data_digits=15)
    assert r.ok and r.order == 2, r.message
    # the exact lags: exact rank 2 over Q
    r = minimal_realization(exact)
    assert r.ok and r.order == 2 and r.rank_evidence.verdict == "exact"


def _similar_hidden_mode_lags():
    """The lags (computed in doubles) of an order-2 system with two unobservable modes, hidden
    by a similarity: the computed lags are off by a few ulps, more than half an ulp."""
    A = np.diag([-0.20774773, -0.2916123, -0.84449062, -0.52050014])
    B = np.array([0.39, -1.3, 1 / 3, 0.71])
    C = np.array([0.61, -0.37, 0.0, 0.0])
    S = np.array([[3.3, 0.39, -0.7, 1 / 3], [0.21, 2.9, 0.55, -0.13],
                  [-0.47, 0.3, 3.1, 0.9], [0.17, -0.61, 0.29, 2.7]])
    A, B, C = S @ A @ np.linalg.inv(S), S @ B, C @ np.linalg.inv(S)
    h, x = [], B.copy()
    for _ in range(12):
        h.append(float(C @ x))
        x = A @ x
    return h


def test_a_non_minimal_double_system_gets_its_order_or_an_undecided_status():
    from proofs_checks.m7 import _system

    for A, B, C in [_system(2, 0, 2), _system(2, 1, 2), _system(2, 7, 2)]:
        h, x = [], B.copy()
        for _ in range(12):
            h.append(float(C @ x))
            x = A @ x
        r = minimal_realization(h, precision=Float64())
        assert r.status in ("ok", "rank_ambiguous")
        assert r.order == 2 or not r.ok, (r.order, r.message)
        # with the accuracy the computed lags do have, the order is decided: 2
        r = minimal_realization(h, precision=Float64(), data_digits=12)
        assert r.ok and r.order == 2, r.message
    # the M7 control (proofs_checks.m7, seed 0): its answer is order 2, whatever the last bits
    # of the lags, so a package that took the state dimension 4 would move its margin
    A, B, C = _system(2, 0, 2)
    h, x = [], B.copy()
    for _ in range(12):
        h.append(float(C @ x))
        x = A @ x
    def ulps(v, count):  # v moved by count units in the last place
        for _ in range(abs(count)):
            v = np.nextafter(v, np.copysign(np.inf, count))
        return float(v)

    for shift in ([0] * 12, [(-1) ** j * (j % 3) for j in range(12)], [2, -1] * 6):
        r = minimal_realization([ulps(v, s) for v, s in zip(h, shift)], precision=Float64())
        assert r.order == 2 and r.status in ("ok", "rank_ambiguous"), r.message
    # the order as given is the caller's: status ok, and the message says so
    r = minimal_realization(_similar_hidden_mode_lags(), precision=Float64(), rank=2)
    assert r.ok and r.order == 2 and "rank=" in r.message


def test_realize_cli_reads_the_lags_accuracy(tmp_path, capsys):
    from momentrnn.cli import main

    exact = _hidden_mode_lags([F(39, 101), F(-7, 10), F(11, 20), F(1, 5)],
                              [F(1, 3), F(3, 10), F(1, 3), F(4, 5)],
                              [F(3, 5), F(11, 10), F(0), F(0)], 12)
    f = tmp_path / "h.json"
    f.write_text(json.dumps([repr(float(v)) for v in exact]))
    # printed doubles read as exact decimals: the exact rank, with a note that says so
    code = main(["realize", str(f), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["status"] == "ok" and "--data-digits 15" in out["message"]
    for extra in (["--data-digits", "15"], ["--data-error", "1e-15"]):
        code = main(["realize", str(f), "--format", "json", *extra])
        out = json.loads(capsys.readouterr().out)
        assert code == 0 and out["order"] == 2 and out["status"] == "ok", out["message"]
    code = main(["realize", str(f), "--data-digits", "15"])
    assert code == 0 and "status     ok" in capsys.readouterr().out
    # lags computed in doubles, stated more accurate than they are: the order is not decided,
    # and the exit status says so
    from proofs_checks.m7 import _system

    A, B, C = _system(2, 0, 2)
    h, x = [], B.copy()
    for _ in range(12):
        h.append(float(C @ x))
        x = A @ x
    f.write_text(json.dumps([repr(v) for v in h]))
    code = main(["realize", str(f), "--format", "json", "--data-digits", "16"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["status"] == "rank_ambiguous" and "not decided" in out["message"]
