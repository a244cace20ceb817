"""Bounded work for long inputs (issue 23's open findings): each case is refused before work
with a one-line error naming the value, the limit and the fix, or runs in seconds."""

from __future__ import annotations

import time
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.errors import InputError
from tests.helpers import one_line_refusal

_one_line_refusal = one_line_refusal  # CPU seconds, within 5


# ------------------------- item 1: recover at tens of thousands of digits, roots by polishing

@settings(max_examples=12, derandomize=True, deadline=None)
@given(st.lists(st.fractions(min_value=-3, max_value=3, max_denominator=400), min_size=1,
                max_size=4, unique=True),
       st.sampled_from([1100, 1500]), st.booleans())
def test_high_precision_roots_agree_with_exact_roots(atoms, dps, pair):
    # above 3000 bits the roots are polished by Newton's method at doubling precision; they
    # must agree with the exact roots to the working precision, for simple roots, complex
    # pairs and near roots
    import mpmath

    from momentrnn.moments._arith import MPArith

    ctx = mpmath.MPContext()
    ctx.dps = dps
    wide = mpmath.MPContext()
    wide.dps = dps + 40
    roots = [wide.mpf(a.numerator) / a.denominator for a in atoms]
    if pair:  # roots 1/6 +- i sqrt(35)/6 (of x**2 - x/3 + 1) and 39/100, 391/1000
        roots += [wide.mpc(1, s * wide.sqrt(35)) / 6 for s in (1, -1)]
        roots += [wide.mpf(39) / 100, wide.mpf(391) / 1000]
    poly = [wide.mpf(1)]  # highest coefficient first
    for r in roots:
        poly = [a - r * b for a, b in zip(poly + [0], [0] + poly)]
    coeffs = [ctx.mpmathify(c.real) for c in poly[1:]][::-1]  # lowest first, real
    got = MPArith(ctx).monic_roots(coeffs)
    assert len(got) == len(roots)
    for r in roots:
        near = min(abs(wide.mpmathify(g) - r) for g in got)
        tol = wide.mpf(2) ** (24 - ctx.prec)
        assert near <= tol * 1000, (r, near)


def test_high_precision_roots_take_a_fraction_of_polyroots():
    # main: recover --dps 40000 of four moments spent 6 of its 7.4 s of CPU in mpmath's
    # polyroots (Durand-Kerner at 40 000 digits); the polished roots take a small part of that
    import mpmath

    from momentrnn.moments._arith import MPArith

    ctx = mpmath.MPContext()
    ctx.dps = 20000
    start = time.process_time()
    roots = MPArith(ctx).monic_roots([ctx.mpf(-1) / 3, ctx.mpf(0)])  # x**2 - 1/3
    took = time.process_time() - start
    assert took < 0.6, took  # main: 1.3 s (load average 1)
    assert abs(abs(roots[0]) - ctx.sqrt(ctx.mpf(1) / 3)) < ctx.mpf(2) ** (8 - ctx.prec)


# ------------------- item 2: an exact Hankel rank is bounded by its rows times the moments' bits

def _long_rationals(count: int, digits: int, seed: int = 1) -> list:
    import random

    rng = random.Random(seed)
    return [Fraction(rng.randrange(1, 10**digits), rng.randrange(1, 10**digits))
            for _ in range(count)]


@pytest.mark.parametrize("count", [1200, 3000])
def test_long_exact_moments_are_refused_before_their_elimination(count):
    # main: 1200 moments of 1000 digits (a 600x600 Hankel matrix) ran past 40 s; 2000 to 3000
    # aborted inside FLINT (exit 134, its memory)
    import momentrnn as m
    from momentrnn._limits import MAX_EXACT_RANK_BITS

    data = _long_rationals(count, 1000)
    s = (count + 1) // 2
    message = _one_line_refusal(lambda: m.hankel_rank(data), f"{s}x{s} Hankel matrix over Q",
                                str(MAX_EXACT_RANK_BITS), "pass at most", "precision=")
    most = int(message.split("pass at most ")[1].split()[0])
    assert 1 <= most < count and most % 2 == 1
    _one_line_refusal(lambda: m.recover_measure(data), str(MAX_EXACT_RANK_BITS))


@settings(max_examples=15, derandomize=True, deadline=None)
@given(st.integers(1, 60), st.integers(1, 40), st.integers(0, 3))
def test_the_exact_rank_limit_is_rows_times_bits(digits, count, seed):
    # just inside the limit the rank is decided; just outside refused, naming the most moments
    # that are decided (a smaller limit here, the same rule)
    import momentrnn as m
    from momentrnn.moments import hankel

    cap = 40_000
    data = _long_rationals(count, digits, seed)
    s = (count + 1) // 2
    used = data[:2 * s - 1]
    work = s * sum(x.numerator.bit_length() + x.denominator.bit_length() for x in used)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hankel, "MAX_EXACT_RANK_BITS", cap)
        if work <= cap:
            assert m.hankel_rank(data).rank == min(s, m.hankel_rank(data).size)
            return
        message = _one_line_refusal(lambda: m.hankel_rank(data), str(work), str(cap))
        most = int(message.split("pass at most ")[1].split()[0])
        if most:
            m.hankel_rank(data[:most])  # decided
        _one_line_refusal(lambda: m.hankel_rank(data[:most + 2]), str(cap))


# -------- items 3 and 6: exact roots whose radicands sympy would factor are held in python-flint

@pytest.mark.parametrize("base, power", [(3, 3000), (10, 5000), (7, 2500)])
def test_exact_recovery_of_a_long_radicand_ends_and_is_exact(base, power):
    # main: the atoms +-sqrt(3**3000 / (3**3000 + 1)) never came back (sympy.roots factored
    # the radicand), +-sqrt(10**5000 / (10**5000 + 1)) took 27 s; the atoms are exact roots
    # held in python-flint, printed without sympy
    import flint

    import momentrnn as m
    from momentrnn.moments.algebraic import AlgebraicNumber

    c = Fraction(base**power, base**power + 1)
    start = time.process_time()
    result = m.recover_measure([1, 0, c, 0], precision=m.Exact())
    texts = [str(a) for a in result.atoms] + [repr(w) for w in result.weights]
    assert time.process_time() - start < 10
    assert result.ok and result.residual == 0
    assert all(isinstance(a, AlgebraicNumber) for a in result.atoms)
    for a in result.atoms:  # each atom is a root of x**2 - c, exactly
        assert a.minimal_polynomial() == flint.fmpq_poly(
            [-flint.fmpq(c.numerator, c.denominator), 0, 1])
    assert sorted(float(a) for a in result.atoms) == [-float(c) ** 0.5, float(c) ** 0.5]
    assert all(w == Fraction(1, 2) for w in result.weights), texts


@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.fractions(max_denominator=2**40), st.fractions(max_denominator=2**40),
       st.integers(0, 2200))
def test_radicals_are_written_up_to_the_radicand_bits(b, c, shift):
    # the rule: sympy radicals while the radicand b**2 - 4c has at most MAX_RADICAND_BITS bits
    # above and below (or a perfect square there), python-flint's isolated roots beyond
    import math

    import flint

    from momentrnn.moments._exact import _has_radicals
    from momentrnn.moments.algebraic import MAX_RADICAND_BITS

    c = c * 2**shift + Fraction(1, 3) if shift % 3 else Fraction(-(3**shift), 4 * 5**shift)
    disc = b * b - 4 * c
    f = flint.fmpq_poly([flint.fmpq(c.numerator, c.denominator),
                         flint.fmpq(b.numerator, b.denominator), 1])
    fits = all(n.bit_length() <= MAX_RADICAND_BITS or math.isqrt(n) ** 2 == n
               for n in (abs(disc.numerator), disc.denominator))
    assert _has_radicals(f) == fits


def test_a_degree_two_number_with_a_long_radicand_prints_at_once():
    # main: str() of such an AlgebraicNumber called sympy.sqrt of the radicand (factoring it)
    import flint

    from momentrnn.moments.algebraic import AlgebraicField, AlgebraicNumber

    n = 3**3000
    field = AlgebraicField(flint.fmpq_poly([-flint.fmpq(n, n + 1), 0, 1]))
    start = time.process_time()
    text = str(AlgebraicNumber(field, 1))
    assert time.process_time() - start < 5
    assert text.startswith("root of ") and "degree-" not in text  # exact, never rounded
    # a short radicand is still written in square roots
    small = AlgebraicField(flint.fmpq_poly([flint.fmpq(-39, 100), 0, 1]))
    assert "sqrt" in str(AlgebraicNumber(small, 1))


# ------------------ item 5: every integer parameter of the public API refuses a non-int alike

def _integer_parameters():
    """(function name, parameter) of every public function whose parameter is an int."""
    import inspect

    import momentrnn as m
    import momentrnn.moments as mm

    found = {}
    for mod in (m, mm):
        for name in mod.__all__:
            f = getattr(mod, name)
            if inspect.isfunction(f):
                for p in inspect.signature(f).parameters.values():
                    if str(p.annotation) in ("int", "int | None"):
                        found[(name, p.name)] = f
    return found


def _required(name: str) -> dict:
    import momentrnn as m

    student = m.init_student(2, scale=0.1, seed=0)
    values = {"moments": [1, 0, Fraction(1, 3), 0], "model": student, "student": student,
              "students": student, "teacher": m.random_teacher(2), "a": [Fraction(1, 3)],
              "b": [1], "c": [1], "impulse_response": [1.0, 0.5, 0.25, 0.125],
              "atoms": [Fraction(1, 3)], "loss": 1e-3, "dim": 2, "k": 3, "init_scale": 1e-3}
    if name == "prove_flow":
        values["teacher"] = "two_pole"
    return values


_NOT_INTS = [Decimal("20"), Fraction(20), 20.0, True, "20", np.float64(20.0)]


@pytest.mark.parametrize("key", sorted(_integer_parameters()), ids=lambda k: "-".join(k))
def test_every_integer_parameter_refuses_a_non_int_with_one_message(key):
    # main: digits=Decimal('20') was told it "must be a positive finite number"; a str or None
    # was refused without its type, a Decimal or a Fraction named its type: one message now,
    # "name=value must be a (positive|non-negative) integer (got a T: pass an int)"
    import inspect

    name, parameter = key
    f = _integer_parameters()[key]
    params = inspect.signature(f).parameters
    base = {p: v for p, v in _required(name).items()
            if p in params and params[p].default is inspect.Parameter.empty}
    base.update({p: v for p, v in (("steps", 10), ("lr", 0.01), ("scale", 0.1), ("length", 5),
                                   ("lags", 3), ("tolerance", 1e-3))
                 if p in params and params[p].default is inspect.Parameter.empty})
    for value in _NOT_INTS:
        start = time.process_time()
        with pytest.raises(InputError) as info:
            f(**{**base, parameter: value})
        message = str(info.value)
        assert time.process_time() - start < 5
        assert "\n" not in message
        assert f"{parameter}={value!r} must be a" in message and "integer" in message, message
        assert f"(got a {type(value).__name__}: pass an int)" in message, message


@pytest.mark.parametrize("digits", [Decimal("20"), Fraction(20), Fraction(41, 2), 20, 20.0,
                                    np.float64(20)])
def test_digits_takes_any_exact_or_float_number_of_digits(digits):
    # main: recover_measure(digits=Decimal('20')) was "must be a positive finite number"
    import momentrnn as m

    result = m.recover_measure([1, 0, Fraction(1, 3), 0], digits=digits)
    assert result.ok and result.digits >= float(digits)


@pytest.mark.parametrize("digits, kind", [("20", "str"), (True, "bool"), (1j, "complex")])
def test_digits_of_another_type_is_refused_naming_it(digits, kind):
    import momentrnn as m

    _one_line_refusal(lambda: m.recover_measure([1, 0, Fraction(1, 3), 0], digits=digits),
                      f"(got a {kind}; pass an int or a float)")


# ------------------------ item 4: certify --sdp-max-order is capped where it costs seconds

@pytest.mark.parametrize("order", [33, 64])
def test_certify_sdp_orders_past_32_are_refused_before_work(tmp_path, capsys, order):
    # main: certify --sdp-max-order 64 of a two-unit student and a two-atom teacher took 34 s
    # of CPU (41 s measured before), 32 takes 5.6 s and the default 24 4.1 s
    import momentrnn as m
    from momentrnn._limits import MAX_CERTIFY_SDP_ORDER
    from momentrnn.cli._main import main

    student = tmp_path / "s.json"
    student.write_text('{"a": ["1/2", "-1/3"], "b": ["1", "1"], "c": ["1", "1/2"]}')
    start = time.process_time()
    code = main(["certify", str(student), "--teacher-atoms", "0.39,-0.3", "--teacher-weights",
                 "1,0.5", "--lags", "3", "--sdp-max-order", str(order)])
    err = capsys.readouterr().err
    assert code == 2 and time.process_time() - start < 5
    assert err.count("\n") == 1 and f"--sdp-max-order {order} is more than 32" in err, err
    assert MAX_CERTIFY_SDP_ORDER == 32
    _one_line_refusal(lambda: m.moments.certify_extrapolation(
        [Fraction(1, 2)], [1], [1], teacher_atoms=[Fraction(39, 100)], teacher_weights=[1],
        length=5, lags=3, sdp_max_order=order), f"sdp_max_order={order} is more than 32")
    # the cap itself is accepted
    cert = m.moments.certify_extrapolation(
        [Fraction(1, 2)], [1], [1], teacher_atoms=[Fraction(39, 100)], teacher_weights=[1],
        length=5, lags=3, sdp_max_order=MAX_CERTIFY_SDP_ORDER)
    assert cert.rows
