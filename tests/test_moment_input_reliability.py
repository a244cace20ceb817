"""Moment and model input that was misread: a precision of 0 digits, integers past Python's
int-string limit, unordered collections, dropped imaginary parts, mixed exact and float data."""

import io
import sys
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import recover_measure
from momentrnn.cli import main
from momentrnn.errors import InputError
from momentrnn.moments._data import MAX_DIGITS_TEXT, parse_moment_text, parse_number_text


@pytest.mark.parametrize("command", ["realize", "recover"])
def test_a_precision_of_zero_digits_is_refused(command, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("2\n1\n1\n1\n"))
    with pytest.raises(SystemExit) as exc:
        main([command, "-", "--dps", "0"])
    assert exc.value.code == 2
    assert "--dps" in capsys.readouterr().err


def test_realize_with_few_digits_is_refused_not_defaulted(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("2\n1\n1\n1\n"))
    with pytest.raises(SystemExit) as exc:  # a usage error, through argparse
        main(["realize", "-", "--dps", "3"])
    assert exc.value.code == 2
    assert "--dps" in capsys.readouterr().err


def _big(digits: str) -> int:
    """The integer of a digit string of any length, 1000 digits at a time (the reference)."""
    value = 0
    for i in range(0, len(digits), 1000):
        chunk = digits[i : i + 1000]
        value = value * 10 ** len(chunk) + int(chunk)
    return value


@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.integers(min_value=4301, max_value=9000), st.sampled_from(["", "-", "+"]),
       st.integers(0, 40), st.integers(-50, 50), st.integers(0, 9))
def test_numbers_past_the_int_string_limit_are_read_exactly(width, sign, point, exponent, seed):
    digits = "9" + "".join(str((7 * i + seed) % 10) for i in range(width - 1))
    text = f"{sign}{digits[:width - point]}" + (f".{digits[width - point:]}" if point else "")
    value = Fraction(-1 if sign == "-" else 1) * Fraction(_big(digits), 10**point)
    assert parse_number_text(text)[0] == value
    assert parse_number_text(f"{text}e{exponent}")[0] == value * Fraction(10) ** exponent
    assert parse_number_text(f"{text}j")[1] == value  # an imaginary part too
    # a fraction of two long integers
    den = digits[:-1] + "7"
    assert parse_number_text(f"{sign}{digits}/{den}")[0] == Fraction(
        -_big(digits) if sign == "-" else _big(digits), _big(den))


def test_a_5001_digit_moment_is_read_and_written(tmp_path, capsys):
    n = "3" + "0" * 5000  # 5001 digits
    path = tmp_path / "m.txt"
    path.write_text(f"{n}\n0\n{n}\n0\n")
    assert parse_moment_text(path.read_text())[0] == "3" + "0" * 5000
    for command in (["bounds", str(path)], ["bounds", str(path), "--format", "json"],
                    ["realize", str(path)], ["realize", str(path), "--format", "json"],
                    ["recover", str(path)]):
        code = main(command)
        out, err = capsys.readouterr()
        assert code == 0, (command, err)
        assert "internal error" not in err and "cannot read" not in err
    main(["bounds", str(path), "--format", "json"])
    assert "3" + "0" * 5000 in capsys.readouterr().out  # m_4 = m_0: exactly, every digit


def test_past_the_package_cap_the_error_names_the_cap():
    with pytest.raises(InputError, match=f"more than {MAX_DIGITS_TEXT} characters"):
        parse_number_text("1" * (MAX_DIGITS_TEXT + 1))
    with pytest.raises(InputError, match="exponent beyond"):
        parse_number_text("1" * 5000 + "e1_000_000_000")
    with pytest.raises(InputError, match="cannot read"):
        parse_number_text("1" * 5000 + "x")


@pytest.mark.parametrize("values", [{1, 0}, frozenset({1, Fraction(1, 3)}), {0: 1, 1: 0},
                                    {"m0": 1, "m1": 0, "m2": 1, "m3": 0}, {1: 2}.keys()])
def test_unordered_collections_are_not_moment_sequences(values):
    from momentrnn.moments import hankel_determinant, moment_feasible

    for f in (recover_measure, hankel_determinant, moment_feasible):
        with pytest.raises(InputError, match="order of moments matters"):
            f(values)


def test_complex_lag_weights_are_refused_not_truncated():
    from momentrnn.rnn import lag_weights_for

    for weights in ([1 + 1j, 1, 1], np.array([1 + 1j, 1, 1]), np.array([1, 2, 3 - 0.5j])):
        with pytest.raises(InputError, match="not real"):
            lag_weights_for(3, weights)
    # no imaginary part to drop: the real weights
    assert lag_weights_for(3, np.array([1 + 0j, 0.39, 3])).tolist() == [1.0, 0.39, 3.0]


def test_complex_students_are_refused_not_truncated():
    from momentrnn.dynamics import gradient_descent
    from momentrnn.rnn import DiagonalRNN, named_teacher

    teacher = named_teacher("decaying")
    one = np.array([[1.0, 0.5]])
    for students in ((np.array([[0.39 + 0.1j, 0.2]]), one, one),
                     (one * 0.3, np.array([[1.0, 1j]]), one),
                     DiagonalRNN([0.39 + 0.1j, 0.2], [1, 1], [1, 1]),
                     [DiagonalRNN([0.39, 0.2], [1, 1], [1, 1 - 2j])]):
        with pytest.raises(InputError, match="complex"):
            gradient_descent(students, teacher, k=3, lr=0.01, steps=2)
    real = gradient_descent((np.array([[0.39 + 0j, 0.2]]), one, one), teacher, k=3, lr=0.01,
                            steps=2)
    assert real.a.dtype == float


@settings(max_examples=12, derandomize=True, deadline=None)
@given(st.lists(st.fractions(min_value=Fraction(1, 10), max_value=1), min_size=1,
                max_size=2, unique=True),
       st.lists(st.fractions(min_value=Fraction(1, 10), max_value=1), min_size=2, max_size=2))
def test_exact_integers_beside_floats_certify_as_well_as_all_floats(atoms, weights):
    # a symmetric measure: odd moments exactly 0, m_0 an integer where the weights sum to one
    total = sum(weights[: len(atoms)])
    w = [x / total for x in weights[: len(atoms)]]
    n = 2 * len(atoms)
    exact = [sum(wi * (a**j + (-a) ** j) for a, wi in zip(atoms, w)) / 2 for j in range(2 * n)]
    floats = [float(m) for m in exact]
    mixed = [int(m) if m.denominator == 1 else float(m) for m in exact]
    assert any(isinstance(m, int) for m in mixed) and any(isinstance(m, float) for m in mixed)
    r_float = recover_measure(floats)
    r_mixed = recover_measure(mixed)
    if r_float.status == "ok":
        assert r_mixed.status == "ok"
        assert r_mixed.digits >= r_float.digits
