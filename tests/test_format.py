"""Number and table text: a written bound is never below the bound."""

import random
from fractions import Fraction

from momentrnn._format import table_lines, upper_text


def test_upper_text_never_rounds_a_bound_down():
    rng = random.Random(7)
    for _ in range(2000):
        value = Fraction(rng.randrange(1, 10**12), rng.randrange(1, 10**12)) * \
            Fraction(10) ** rng.randrange(-320, 30)
        for digits in (4, 7):
            text = upper_text(value, digits)
            mantissa, exponent = text.split("e")
            written = Fraction(mantissa) * Fraction(10) ** int(exponent)
            assert written >= value, (value, text)
            # and not by more than one unit in the last written digit
            assert written - value <= Fraction(10) ** (int(exponent) - digits + 1), (value, text)
    assert upper_text(Fraction(12364, 10**7)) == "1.237e-03"
    assert upper_text(0.5) == "5.000e-01" and upper_text(0) == "0.000e+00"


def test_table_lines_align_and_write_markdown():
    assert table_lines(["a", "bb"], [[1, "x"], ["long", 2]]) == \
        ["a     bb", "1     x", "long  2"]
    assert table_lines(["a", "b"], [[1, 2]], markdown=True) == \
        ["| a | b |", "|---|---|", "| 1 | 2 |"]


def test_exact_numbers_past_the_int_string_limit_are_written_exactly():
    # Python refuses str() of an int of more than 4300 digits; an exact value is still written
    import flint
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from momentrnn._format import format_number

    @settings(max_examples=25, derandomize=True, deadline=None)
    @given(st.integers(4200, 4400), st.integers(-7, 7).filter(bool), st.booleans())
    def check(e, k, invert):
        v = Fraction(k * 10**e + 39) if not invert else Fraction(k * 3, 10**e + 1)
        text = format_number(v, float("inf"))
        num, _, den = text.partition("/")
        assert flint.fmpq(flint.fmpz(num), flint.fmpz(den or "1")) == flint.fmpq(
            flint.fmpz(v.numerator), flint.fmpz(v.denominator))

    check()


def test_recover_of_a_5001_digit_moment_writes_its_atoms(capsys, monkeypatch):
    import io
    import json
    import sys

    from momentrnn import Exact, recover_measure
    from momentrnn.cli import main

    for fmt in ([], ["--format", "json"]):
        monkeypatch.setattr(sys, "stdin", io.StringIO("1e5000\n0\n1\n0\n"))
        assert main(["recover", "-", "--exact", *fmt]) == 0
        out = capsys.readouterr().out
        assert "internal error" not in out
        if fmt:
            json.loads(out)
    text = repr(recover_measure([10**5000, 0, 1, 0], precision=Exact()))
    assert "{1/1" + "0" * 2500 + ":" in text  # the atoms are +-10^-2500
