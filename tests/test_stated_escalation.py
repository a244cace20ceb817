"""How the certified recovery raises its precision, and what it says when that runs out.

``recovery._certify`` raises the working precision by the digits still missing, in at most
``MAX_ROUNDS`` rounds, up to a cap. Its docstring and ``recover_measure``'s status table state
what a run that ends short of its target means: for rounded data, once more precision no
longer adds a whole digit, or once the cap is reached short of the target, the data limit is
the digits reached (status ``data_limited``); for exact data precision alone limits the digits
(``precision_exhausted``); a target reached sets no data limit. Here the ball method is
replaced by one whose enclosures have a radius chosen per precision, so each case is reached
on purpose and the bits of every round can be followed.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import flint
import pytest

from momentrnn.moments import _ball, recovery
from momentrnn.moments._ball import BallSolution
from momentrnn.moments._data import MomentData


def _data(exact: bool) -> MomentData:
    real = tuple(flint.fmpq(p, q) for p, q in ((1, 1), (39, 100), (1521, 10000)))
    return MomentData(real, None, (0.0,) * 3 if exact else (1e-20,) * 3)


def _method(digits_at):
    """A one-atom ball method (the atom 3/8, weight 1) whose enclosures carry
    ``digits_at(bits, round)`` relative digits in its ``round``-th call (from 1)."""
    seen = []

    def run_ball(data, n, bits, basis):
        seen.append(bits)
        d = digits_at(bits, len(seen))
        rad = flint.arb(10) ** (-d) if math.isfinite(d) else 0
        atom = flint.arb(flint.fmpq(3, 8), rad * flint.fmpq(3, 8))  # a midpoint held exactly
        return BallSolution([atom], [flint.arb(1, rad)], True, bits, True)

    return SimpleNamespace(name="fake", run_ball=run_ball), seen


@pytest.fixture(autouse=True)
def _enclosure_is_the_midpoints(monkeypatch):
    monkeypatch.setattr(_ball, "krawczyk_enclosure", lambda data, sol, basis, bits: sol)


def _certify(data, digits_at, target, start_bits=64):
    method, seen = _method(digits_at)
    cert = recovery._certify(data, 1, method, "monomial", target, start_bits, escalate=True)
    return cert, seen


@pytest.mark.parametrize("exact", [False, True])
def test_a_target_reached_sets_no_data_limit(exact):
    cert, seen = _certify(_data(exact), lambda bits, r: bits / 4, 30)
    # 16 digits at 64 bits: raised by the 14 digits missing and a margin of 10
    assert seen == [64, 64 + recovery.digits_to_bits(30 - 16 + 10)]
    assert cert.digits >= 30 and cert.data_limit == math.inf and not cert.stalled


def test_rounded_data_that_reach_the_cap_short_of_the_target_are_data_limited():
    # two digits a round, 100 asked for: each round raises the precision by the digits
    # missing (about 100), so the cap, the bits of 4 * 100 + 200 digits, comes first
    cap = max(8 * 64, recovery.digits_to_bits(4 * 100 + 200))
    cert, seen = _certify(_data(False), lambda bits, r: 2 * r, 100)
    assert seen[-1] == cap == cert.bits and len(seen) < recovery.MAX_ROUNDS
    assert seen[-2] < cap and cert.digits < 100 and not cert.stalled
    assert cert.data_limit == pytest.approx(cert.digits)


def test_exact_data_that_reach_the_cap_are_limited_by_precision_only():
    cap = max(8 * 64, recovery.digits_to_bits(4 * 100 + 200))
    cert, seen = _certify(_data(True), lambda bits, r: 2 * r, 100)
    assert seen[-1] == cap and cert.digits < 100 and cert.data_limit == math.inf


def test_rounds_that_run_out_below_the_cap_set_no_data_limit():
    # 20 + 1.5 r digits in round r, 40 asked for: each round adds little precision (the digits
    # missing), so the eight rounds end below the cap, short of the target but neither
    # stalled nor at the cap: the precision limited them, not the data
    cert, seen = _certify(_data(False), lambda bits, r: 20 + 1.5 * r, 40)
    assert len(seen) == recovery.MAX_ROUNDS == 8
    assert cert.bits < max(8 * 64, recovery.digits_to_bits(4 * 40 + 200))
    assert cert.digits == pytest.approx(20 + 1.5 * 8, abs=0.01)
    assert cert.data_limit == math.inf and not cert.stalled


def test_a_round_that_adds_no_whole_digit_stalls_rounded_data_at_their_limit():
    cert, seen = _certify(_data(False), lambda bits, r: 5 if bits > 64 else 4.5, 30)
    assert len(seen) == 2 and cert.stalled and cert.data_limit == pytest.approx(cert.digits)
    exact, seen = _certify(_data(True), lambda bits, r: 5 if bits > 64 else 4.5, 30)
    assert len(seen) > 2 and not exact.stalled and exact.data_limit == math.inf
