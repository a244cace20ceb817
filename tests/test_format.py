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
