from decimal import Decimal
from fractions import Fraction

import flint
import mpmath
import numpy as np
import pytest
import sympy

from momentrnn.errors import InputError
from momentrnn.moments._data import parse_moment_text, parse_moments, parse_number_text


@pytest.mark.parametrize(
    "text, value",
    [
        ("0.25", (Fraction(1, 4), 0)),
        ("1e-3", (Fraction(1, 1000), 0)),
        ("-1/3", (Fraction(-1, 3), 0)),
        ("0.5+2j", (Fraction(1, 2), Fraction(2))),
        ("1e-3-1e-2j", (Fraction(1, 1000), Fraction(-1, 100))),
        ("-j", (0, Fraction(-1))),
        ("(1-2j)", (Fraction(1), Fraction(-2))),
        ("3/4-1/2j", (Fraction(3, 4), Fraction(-1, 2))),
    ],
)
def test_number_text_is_read_exactly(text, value):
    assert parse_number_text(text) == value


@pytest.mark.parametrize("text", ["nan", "inf", "-Infinity"])
def test_non_finite_text_is_refused(text):
    with pytest.raises(InputError, match="not a finite number"):
        parse_number_text(text)


def test_bad_line_is_named():
    with pytest.raises(InputError, match="line 3"):
        parse_moment_text("1\n2\nabc\n", "moments.txt")


def test_json_and_lines():
    assert parse_moment_text('[1, 0.5, "1/3"]') == ["1", "0.5", "1/3"]
    assert parse_moment_text("# header\n1\n\n0.5  # half\n") == ["1", "0.5"]
    with pytest.raises(InputError, match="empty"):
        parse_moment_text("  \n")
    with pytest.raises(InputError, match="JSON"):
        parse_moment_text("[1, 2")


def test_types_and_their_accuracy():
    d = parse_moments([1, Fraction(1, 3), "0.1", flint.fmpq(2, 7), sympy.Rational(1, 9),
                       Decimal("0.5")])
    assert d.is_exact and d.is_real
    assert d.real[2] == flint.fmpq(1, 10)
    f = parse_moments([1.0, 0.1])
    assert not f.is_exact and 15 < f.digits < 17
    m = parse_moments([mpmath.mpf(1) / 3])
    assert m.digits > 15
    b = parse_moments([flint.arb(1, 1e-20)])
    assert b.radius[0] == pytest.approx(1e-20, rel=1e-3)
    c = parse_moments([1, 1j])
    assert not c.is_real
    assert parse_moments([1.0, 0.1], data_digits=8).digits == pytest.approx(8, abs=0.1)


@pytest.mark.parametrize("bad", [[1, float("nan")], [1, np.inf], [1, None], [1, "x"], [],
                                 [1, True], "123", [1, object()]])
def test_bad_moments(bad):
    with pytest.raises(InputError):
        parse_moments(bad)


def test_nan_names_the_index():
    with pytest.raises(InputError, match="moment 2"):
        parse_moments([1.0, 2.0, float("nan")])


def test_huge_exponents_and_huge_texts_are_refused_quickly():
    import time

    from momentrnn.moments._data import parse_number_text

    start = time.perf_counter()
    for text in ("1e999999999", "-2.5e-100001", "1" * 1_000_001):
        with pytest.raises(InputError, match="exponent|characters"):
            parse_number_text(text, "moment 0")
    assert time.perf_counter() - start < 2
    assert parse_number_text("3e-400", "m")[0] == Fraction(3, 10**400)
