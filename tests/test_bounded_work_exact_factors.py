"""Bounded work, scale-aware separation and ASCII-only numbers (issue 23, second review)."""

import random
import time
from fractions import Fraction

import pytest
from flint import fmpq, fmpq_poly
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import Exact, recover_measure
from momentrnn._limits import MAX_EXACT_FACTOR_WORK
from momentrnn.errors import InputError
from momentrnn.moments.algebraic import AlgebraicField, AlgebraicNumber, field_moments
from tests.helpers import one_line_refusal

# ---------------------------------------------------------------------------------------
# exact recovery of long integers: the moments checked over the integers, the factors' work
# bounded before the weights are reduced


def test_twenty_3000_bit_integers_are_recovered_exactly_within_the_bound():
    # 61 s before (52 s of it reducing fractions in the moments' check over Q)
    rng = random.Random(1)
    ints = [rng.getrandbits(3000) for _ in range(20)]
    start = time.process_time()
    result = recover_measure(ints, precision=Exact())
    assert time.process_time() - start < 20
    assert len(result.atoms) == 10
    back = field_moments(list(result.atoms), list(result.weights), 20)
    assert [Fraction(int(b.p), int(b.q)) for b in back] == ints


@pytest.mark.parametrize("count, bits", [(20, 6000), (40, 1000), (10, 30000), (60, 150)])
def test_exact_recoveries_past_the_factor_work_are_refused_before_it(count, bits):
    rng = random.Random(count + bits)
    ints = [rng.getrandbits(bits) for _ in range(count)]
    one_line_refusal(lambda: recover_measure(ints, precision=Exact()), "exact recovery",
                     str(MAX_EXACT_FACTOR_WORK), "digits=", seconds=2.0)


def test_the_command_refuses_in_one_line(tmp_path, capsys):
    from momentrnn.cli import main

    rng = random.Random(7)
    path = tmp_path / "m.txt"
    path.write_text("\n".join(str(rng.getrandbits(6000)) for _ in range(20)))
    start = time.process_time()
    assert main(["recover", str(path), "--exact"]) == 2
    err = capsys.readouterr().err
    assert time.process_time() - start < 5
    assert err.count("\n") == 1 and str(MAX_EXACT_FACTOR_WORK) in err, err


def _reference_power_sums(f: fmpq_poly, count: int) -> list[Fraction]:
    """Newton's identities over Fractions, independently of python-flint's arithmetic."""
    d = f.degree()
    lead = Fraction(int(f[d].p), int(f[d].q))
    a = [Fraction(int(f[d - i].p), int(f[d - i].q)) / lead for i in range(d + 1)]
    p = [Fraction(d)]
    for k in range(1, count):
        total = sum((a[i] * p[k - i] for i in range(1, min(k, d + 1))), Fraction(0))
        if k <= d:
            total += k * a[k]
        p.append(-total)
    return p


_rational = st.fractions(min_value=-10**30, max_value=10**30, max_denominator=10**20)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(_rational, min_size=1, max_size=7), _rational.filter(bool),
       st.integers(1, 25))
def test_power_sums_over_the_integers_are_those_over_q(coeffs, lead, count):
    f = fmpq_poly([fmpq(c.numerator, c.denominator) for c in coeffs]
                  + [fmpq(lead.numerator, lead.denominator)])
    got = AlgebraicField(f).power_sums(count)
    assert [Fraction(int(g.p), int(g.q)) for g in got] == _reference_power_sums(f, count)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.integers(1, 10**12), min_size=2, max_size=5, unique=True),
       st.lists(st.fractions(min_value=Fraction(1, 10**9), max_value=10**9), min_size=5,
                max_size=5))
def test_field_moments_are_the_moments_of_the_atoms(atoms_num, weights):
    # rational atoms held as roots of a reducible product are summed directly; here the atoms
    # of an irreducible field: the roots of x**2 - a for non-squares a, weights R = r0 + r1 x
    a = next(v for v in atoms_num if int(v**0.5) ** 2 != v and (int(v**0.5) + 1) ** 2 != v
             ) if any(int(v**0.5) ** 2 != v for v in atoms_num) else 2
    field = AlgebraicField(fmpq_poly([-a, 0, 1]))
    r0, r1 = weights[0], weights[1]
    R = fmpq_poly([fmpq(r0.numerator, r0.denominator), fmpq(r1.numerator, r1.denominator)])
    atoms = [AlgebraicNumber(field, k) for k in range(2)]
    ws = [AlgebraicNumber(field, k, R) for k in range(2)]
    got = field_moments(atoms, ws, 9)
    # sum over x = +-sqrt(a) of (r0 + r1 x) x**j: even j 2 r0 a**(j/2), odd j 2 r1 a**((j+1)/2)
    want = [2 * r0 * a ** (j // 2) if j % 2 == 0 else 2 * r1 * a ** ((j + 1) // 2)
            for j in range(9)]
    assert [Fraction(int(g.p), int(g.q)) for g in got] == want


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(2, 10**40), st.integers(1, 10**6), st.integers(0, 1))
def test_equality_of_roots_stays_exact(radicand, scale, index):
    # sqrt(a) as the root of x**2 - a, and as (1/s) times the root of x**2 - a s**2: equal,
    # with equal hashes; never equal to the other root, nor to a root of a nearby radicand
    if int(radicand**0.5) ** 2 == radicand or (int(radicand**0.5) + 1) ** 2 == radicand:
        radicand += 1
    if int(radicand**0.5) ** 2 == radicand or (int(radicand**0.5) + 1) ** 2 == radicand:
        return
    root = AlgebraicNumber(AlgebraicField(fmpq_poly([-radicand, 0, 1])), index)
    scaled = AlgebraicNumber(AlgebraicField(fmpq_poly([-radicand * scale**2, 0, 1])), index,
                             fmpq_poly([0, fmpq(1, scale)]))
    assert root == scaled and hash(root) == hash(scaled)
    assert root != AlgebraicNumber(root.field, 1 - index)
    nearby = AlgebraicNumber(AlgebraicField(fmpq_poly([-radicand - 1, 0, 1])), index)
    assert root != nearby
    assert root.minimal_polynomial() == scaled.minimal_polynomial()


def test_a_root_of_a_reducible_polynomial_is_identified_by_its_own_factor():
    # x (x**2 - 2): the root sqrt(2) has the minimal polynomial x**2 - 2, not the product
    field = AlgebraicField(fmpq_poly([0, -2, 0, 1]))
    roots = [AlgebraicNumber(field, k) for k in range(3)]
    assert not field.irreducible()
    assert [r.minimal_polynomial().degree() for r in roots] == [2, 1, 2]
    assert roots[1] == 0 and roots[2] == AlgebraicNumber(AlgebraicField(
        fmpq_poly([-2, 0, 1])), 1)


# ---------------------------------------------------------------------------------------
# numbers are read from ASCII text only: Python reads every Unicode decimal digit

def _unicode_digits() -> list[str]:
    import sys
    import unicodedata

    return [chr(c) for c in range(128, sys.maxunicode + 1)
            if unicodedata.decimal(chr(c), None) is not None]


_UNICODE_DIGITS = _unicode_digits()


def _spelled(value: int, draw_digit) -> str:
    """``value`` with at least one digit written as a non-ASCII digit of the same value."""
    import unicodedata

    text = list(str(value))
    positions = [i for i, c in enumerate(text) if c.isdigit()]
    for i in positions[:1] + positions[1:][::2]:
        same = [d for d in _UNICODE_DIGITS if unicodedata.decimal(d) == int(text[i])]
        text[i] = draw_digit(same)
    return "".join(text)


def _numeric_options():
    from momentrnn.cli._main import build_parser

    parser = build_parser()
    out = []
    for name, (_, sub) in sorted(parser.commands.items()):
        for action in sub._actions:
            if action.type is not None and action.option_strings:
                out.append((name, action.option_strings[-1]))
    return out


def test_every_typed_option_is_generated():
    # the options below hold numbers; a new typed option is covered by the next test
    options = _numeric_options()
    assert ("recover", "--dps") in options and ("flow", "--dim") in options
    assert len(options) >= 30


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.sampled_from(_numeric_options()), st.integers(1, 10**6), st.data())
def test_numeric_options_refuse_non_ascii_digits(option, value, data):
    import contextlib
    import io

    from momentrnn.cli import main

    command, flag = option
    text = _spelled(value, lambda same: data.draw(st.sampled_from(same)))
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main([command, flag, text])
        except SystemExit as exc:  # a usage error: argparse exits
            code = exc.code
    assert code == 2
    last = err.getvalue().strip().splitlines()[-1]
    assert flag in last and repr(text) in last and "ASCII digits" in last, last


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.one_of(st.integers(-10**30, 10**30).map(str),
                 st.fractions(max_denominator=10**9).map(str),
                 st.floats(allow_nan=False, allow_infinity=False).map(repr),
                 st.tuples(st.integers(-99, 99), st.integers(1, 99)).map(
                     lambda t: f"{t[0]}+{t[1]}j")),
       st.data())
def test_number_text_refuses_non_ascii_digits(ascii_text, data):
    from momentrnn.moments._data import parse_number_text

    parse_number_text(ascii_text)  # the ASCII spelling reads
    positions = [i for i, c in enumerate(ascii_text) if c.isdigit()]
    i = data.draw(st.sampled_from(positions))
    import unicodedata

    same = [d for d in _UNICODE_DIGITS if unicodedata.decimal(d) == int(ascii_text[i])]
    text = ascii_text[:i] + data.draw(st.sampled_from(same)) + ascii_text[i + 1:]
    with pytest.raises(InputError, match="ASCII digits") as info:
        parse_number_text(text, "entry")
    assert "\n" not in str(info.value) and repr(text[i]) in str(info.value)
    with pytest.raises(InputError, match="ASCII digits"):
        recover_measure([1, 0, text, 0])


@pytest.mark.parametrize("argv, text", [
    (["recover", "{file}"], "1\n0\n٣\n0\n"),
    (["recover", "{file}"], "[1, 0, \"1/３\", 0]"),
    (["bounds", "{file}", "--support", "-1,１"], "1\n0\n1/3\n"),
    (["bounds", "{file}", "--support", "-١,1"], "1\n0\n1/3\n"),
])
def test_text_readers_refuse_non_ascii_digits(argv, text, tmp_path, capsys):
    from momentrnn.cli import main

    path = tmp_path / "m.txt"
    path.write_text(text, encoding="utf-8")
    assert main([a.format(file=path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ASCII digits" in err, err


def test_certify_teacher_text_refuses_non_ascii_digits(tmp_path, capsys):
    from momentrnn.cli import main

    student = tmp_path / "s.json"
    student.write_text('{"a": [0.5], "b": [1], "c": [1]}')
    for atoms, weights in (("0.٥", "1"), ("0.5", "１"), ("0.5,-0.٣", "1,1")):
        code = main(["certify", str(student), "--teacher-atoms", atoms, "--teacher-weights",
                     weights, "--length", "5"])
        err = capsys.readouterr().err
        assert code == 2 and "ASCII digits" in err and err.count("\n") == 1, err


def test_exact_forms_and_root_texts_refuse_non_ascii_digits():
    from momentrnn._schema import read_exact

    with pytest.raises(InputError, match="not a fraction"):
        read_exact({"exact": "１/3", "float": 0.3})
    good = "root of x^2 - 2 in [1.41, 1.42]"
    assert float(AlgebraicNumber.from_root_text(good)) == pytest.approx(2**0.5)
    for bad in ("root of x^2 - ٢ in [1.41, 1.42]", "root of x^2 - 2 in [١.41, 1.42]"):
        with pytest.raises(InputError):
            AlgebraicNumber.from_root_text(bad)
