"""Written results carry only what is vouched or proved: digits, bound sides, exit codes."""

import argparse
import json
import math
import random
import sys
from decimal import Decimal
from fractions import Fraction

import mpmath
import pytest

from momentrnn import recover_measure
from momentrnn._format import UNVOUCHED, format_number, lower_text, upper_text
from momentrnn.cli import main
from momentrnn.cli._main import _call
from momentrnn.errors import (
    DataAccuracyError,
    IllConditionedError,
    InputError,
    PrecisionMismatchError,
    SolverError,
)


def cli(args, capsys, stdin=None, monkeypatch=None):
    if stdin is not None:
        import io

        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def split_parts(text: str) -> list[str]:
    """The written real part (and imaginary part) of a number's text, signs kept."""
    if not text.endswith("j"):
        return [text]
    body = text[:-1]
    cut = max(i for i in range(1, len(body)) if body[i] in "+-" and body[i - 1] not in "eE")
    return [body[:cut], body[cut:]]


def last_place(text: str) -> int:
    """The decimal exponent of the last written digit of a plain or scientific decimal."""
    mantissa, _, exponent = text.lstrip("+-").partition("e")
    decimals = len(mantissa.partition(".")[2])
    return (int(exponent) if exponent else 0) - decimals


# ---------------------------------------------------------------------------- 1. complex


A = [complex(1 / 3, 1 / 7), complex(1 / 3, -1 / 7), -0.4 + 0j]
W = [complex(2 / 3, 1 / 9), complex(-1 / 3, 2 / 9), 1 + 0.5j]


def test_complex_parts_are_written_to_the_absolute_error_bound():
    m = [sum(w * a ** j for a, w in zip(A, W)) for j in range(6)]
    r = recover_measure(m, throw=False)
    d = r.to_dict()
    assert r.measure is not None and 0 < r.digits < 17
    # the imaginary part of the real atom is far below the bound: it is 0, not 18 digits of noise
    real_atom = [t for t in d["atoms"] if t.startswith("-0.4")]
    assert real_atom == ["-0.40000000000000+0j"], d["atoms"]  # 14 decimals: the digits vouched
    for group, truth in (("atoms", A), ("weights", W)):
        scale = max(abs(v) for v in truth)
        bound = 10.0 ** -r.digits * scale
        place = math.floor(math.log10(bound)) + 1  # the last place whose unit exceeds it
        for text in d[group]:
            for part in split_parts(text):
                # no digit is written below that place; a part below it is written 0
                assert part.lstrip("+-") == "0" or last_place(part) >= place, (text, place)
            # each written value is within the bound (plus a written unit) of the truth
            got = complex(text)
            assert min(abs(got - t) for t in truth) <= bound + 10.0 ** place, text


def test_format_number_writes_parts_to_one_absolute_position():
    assert format_number(complex(-0.4, -5.8712759120706e-18), 14, 0.4) == \
        "-0.40000000000000+0j"
    assert format_number(complex(1e-20, 0.5), 10, 0.5) == "0+0.5000000000j"
    assert format_number(0.123456789, 3, 1.0) == "0.12"
    # a value wholly below the bound is zero to the written position (its accuracy is
    # absolute): its zeros down to that position, not a digit of noise and not "?"
    assert format_number(1.2345e-5, 3, 1.0) == "0.00"
    assert format_number(-1.2345e-5, 3, 1.0) == "0.00"
    assert format_number(complex(1e-6, -2e-6), 3, 1.0) == "0.00+0j"
    # the scale's own digits: a value as large as the scale keeps floor(digits) of them
    assert format_number(0.3333333333333333, 14) == "0.33333333333333"
    assert format_number(mpmath.mpf("1e-400") * 7, 5, mpmath.mpf("1e-399")) == "7.0000e-400"


# -------------------------------------------------------------------- 2. no vouched digit


def _near_moments() -> list[str]:
    atoms = [Fraction(1, 3), Fraction(1, 3) + Fraction(1, 10**6), Fraction(-1, 2)]
    return [repr(float(sum(x ** j for x in atoms))) for j in range(6)]


def test_nothing_vouched_is_written_as_a_question_mark(capsys, monkeypatch):
    stdin = "\n".join(_near_moments()) + "\n"
    code, out, _ = cli(["recover", "-", "--float64", "--format", "json"], capsys, stdin,
                       monkeypatch)
    d = json.loads(out)
    assert d["digits"] == 0
    assert d["atoms"] == [UNVOUCHED] * 3 and d["weights"] == [UNVOUCHED] * 3
    code, out, _ = cli(["recover", "-", "--float64"], capsys, stdin, monkeypatch)
    lines = out.splitlines()
    rows = lines[next(i for i, t in enumerate(lines) if t.startswith("atom  weight")) + 1:]
    assert len(rows) == 3 and all(r.split()[:2] == ["?", "?"] for r in rows), out


def test_format_number_with_no_digit_vouched():
    assert format_number(2.0, 0, 2.0) == UNVOUCHED
    assert format_number(complex(2, 1), 0.0) == UNVOUCHED
    assert format_number(0.01, -3, 2.0) == UNVOUCHED
    assert format_number(0.01, float("nan"), 2.0) == UNVOUCHED


# ----------------------------------------------------------------------- 3. huge and tiny


@pytest.mark.parametrize("moments, atom", [
    ([1, 10**400], Fraction(10**400)),
    (["1", "1e400"], Fraction(10**400)),
    (["1e-400", "1e-800"], Fraction(1, 10**400)),
])
def test_scales_beyond_doubles(moments, atom):
    r = recover_measure(moments, throw=False)
    d = r.to_dict()  # raised OverflowError for 1e400; wrote 0 for 1e-400
    assert r.measure is not None and r.digits >= 10
    got = Fraction(Decimal(d["atoms"][0]))
    assert abs(got - atom) <= atom * Fraction(1, 10**9), d["atoms"]
    w = Fraction(Decimal(d["weights"][0]))
    m0 = Fraction(Decimal(str(moments[0])))
    assert abs(w - m0) <= m0 * Fraction(1, 10**9), d["weights"]


# -------------------------------------------------------------------- 4. proved bound sides


def test_directed_text_is_on_the_right_side():
    rng = random.Random(3)
    for _ in range(3000):
        v = Fraction(rng.randint(-10**30, 10**30), rng.randint(1, 10**30))
        for digits in (4, 17):
            assert Fraction(Decimal(lower_text(v, digits))) <= v
            assert Fraction(Decimal(upper_text(v, digits))) >= v
    huge = Fraction(10**5000 + 1, 3)
    assert Fraction(Decimal(lower_text(huge, 17))) <= huge <= Fraction(
        Decimal(upper_text(huge, 17)))
    assert upper_text(math.inf) == "inf"
    assert lower_text(Fraction(1, 3), 17) == "3.3333333333333333e-01"
    assert upper_text(Fraction(1, 3), 17) == "3.3333333333333334e-01"


def test_bounds_prints_proved_ends_outward(tmp_path, capsys):
    pytest.importorskip("cvxpy")
    f = tmp_path / "m.txt"
    f.write_text("1\n0\n1/3\n0\n")
    args = ["bounds", str(f), "--tolerance", "5e-3", "--order", "4"]
    code, out, _ = cli([*args, "--format", "json"], capsys)
    d = json.loads(out)
    lo, hi = Fraction(d["certified_lower"]["exact"]), Fraction(d["certified_upper"]["exact"])
    assert Fraction(d["certified_lower"]["float"]) <= lo
    assert Fraction(d["certified_upper"]["float"]) >= hi
    code, out, _ = cli(args, capsys)
    line = next(t for t in out.splitlines() if "proved outer ends" in t)
    ends = line.split("[")[1].split("]")[0].split(", ")
    assert Fraction(Decimal(ends[0])) <= lo and Fraction(Decimal(ends[1])) >= hi, line
    assert ends[0] == lower_text(lo, 17) and ends[1] == upper_text(hi, 17)


# ------------------------------------------------------------ 5. long fractions in certify


def test_certificate_numbers_too_long_to_write():
    from momentrnn.moments.extrapolation_bound import _fraction_text
    from momentrnn.moments.sdp import _round

    def _up(value):  # the one rounding of a bound to a double above it
        return _round(value, 1)

    assert _fraction_text(Fraction(10**5000, 3)) is None
    assert _fraction_text(Fraction(1, 3 * 10**5000)) is None
    assert _fraction_text(Fraction(10**100, 3)) == f"{10**100}/3"
    assert _up(Fraction(10**400)) == math.inf
    assert _up(-Fraction(10**400)) == -sys.float_info.max
    assert _up(Fraction(1, 10**400)) == 5e-324
    assert _up(-Fraction(1, 10**400)) == 0.0
    for v in (Fraction(1, 3), -Fraction(1, 3), Fraction(10**300, 7), Fraction(2, 10**310)):
        assert Fraction(_up(v)) >= v and Fraction(math.nextafter(_up(v), -math.inf)) < v


def test_certify_long_run_writes_a_table(tmp_path, capsys):
    # a student trained by 'momentrnn flow' on the teacher 9/10, -1/3 (weights 1, 1/3)
    a = [-0.3344065538714467, -0.30236322324202397, 0.9000033564880974,
         0.9000033467815037, -0.3343551748833927, -0.018318097674705564]
    b = [-0.3386139556183947, 0.10671455602764444, -0.6982015635852866,
         -0.7158927057266676, -0.4551561001200981, 0.0016691110694029652]
    c = [-0.33916064925721506, 0.10631597848294208, -0.6982772575762521,
         -0.7158183139137545, -0.4551459657709195, -0.003552423172156759]
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"a": a, "b": b, "c": c}))
    out_json = tmp_path / "cert.json"
    # teacher atoms given as long decimals are exact: h_q has a denominator of 10^(16 q)
    code, out, err = cli(["certify", str(path), "--teacher-atoms",
                          "0.9000000000000001,-0.3333333333333333", "--teacher-weights",
                          "1,0.3333333333333333", "--lags", "5", "--length", "200",
                          "--sdp-max-order", "0", "--json", str(out_json)], capsys)
    assert code in (0, 1) and "error" not in err, err
    d = json.loads(out_json.read_text())
    rows = [r for r in d["rows"] if r["bound"] is not None]
    # R11's bounds are rounded up to 64 significant bits: short, so every one is written
    # (the exact ones, with denominators of 10^(16 q), were too long to write: null)
    assert all(r["bound"]["exact"] is not None for r in rows)
    for r in rows:
        if r["bound"]["exact"] is not None:
            assert Fraction(r["bound"]["float"]) >= Fraction(r["bound"]["exact"])
    assert "199 " in out and "proved" in out


# --------------------------------------------------------------------------- 6. exit codes


def _exit(exc, capsys, monkeypatch):
    def boom(args):
        raise exc

    monkeypatch.delenv("MOMENTRNN_DEBUG", raising=False)
    args = argparse.Namespace(command="recover", func=boom)
    code = _call(argparse.ArgumentParser(prog="momentrnn"), args)
    return code, capsys.readouterr().err


@pytest.mark.parametrize("exc, code, says", [
    (DataAccuracyError("data too coarse"), 1, "error: data too coarse"),
    (IllConditionedError("lost"), 1, "error: lost"),
    (InputError("bad value"), 2, "error: bad value"),
    (PrecisionMismatchError("mixed"), 2, "error: mixed"),
    (SolverError("solver failed"), 3, "error: solver failed"),
    (OverflowError("int too large"), 3, "internal error"),
    (ZeroDivisionError("division by zero"), 3, "internal error"),
    (ValueError("deep inside"), 3, "internal error"),
    (TypeError("unsupported operand"), 3, "internal error"),
])
def test_exit_codes_follow_the_exception_tree(exc, code, says, capsys, monkeypatch):
    got, err = _exit(exc, capsys, monkeypatch)
    assert got == code and says in err, err
    if says == "internal error":
        assert "a bug in momentrnn" in err and "MOMENTRNN_DEBUG=1" in err


# ------------------------------------------------------------- 7. flow reports hold doubles


def test_flow_report_values_are_read_as_doubles(tmp_path):
    from momentrnn.cli.certify import read_student, read_teacher

    report = {"student": {"a": ["0.1", -0.3333333333333333], "b": [1.0, "1"],
                          "c": ["0.5", 0.25]},
              "teacher_atoms": ["-0.3333333333333333", "0.9"],
              "teacher_weights": ["0.3333333333333333", "1.0"]}
    path = tmp_path / "run.json"
    path.write_text(json.dumps(report))
    a, b, c, rep = read_student(str(path))
    assert a == [Fraction(0.1), Fraction(-1 / 3)] and c[0] == Fraction(0.5)
    none = argparse.Namespace(teacher=None, teacher_atoms=None, teacher_weights=None,
                              teacher_moments=None)
    atoms, weights, _, _ = read_teacher(none, rep)
    assert atoms == [Fraction(-1 / 3), Fraction(0.9)]  # the doubles the student saw
    assert weights == [Fraction(1 / 3), Fraction(1)]
    assert atoms[0] != Fraction("-0.3333333333333333")
    # a fraction written into a report is no double's text: read exactly
    atoms, _, _, _ = read_teacher(none, {"teacher_atoms": ["1/3"], "teacher_weights": ["1"]})
    assert atoms == [Fraction(1, 3)]
    # text the user writes stays exact
    given = argparse.Namespace(teacher=None, teacher_atoms="-0.3333333333333333,9/10",
                               teacher_weights="1,1", teacher_moments=None)
    atoms, _, _, _ = read_teacher(given, rep)
    assert atoms == [Fraction("-0.3333333333333333"), Fraction(9, 10)]
    # a model file (not a flow report) is read exactly as written
    model = tmp_path / "model.json"
    model.write_text(json.dumps({"a": ["0.1"], "b": ["1/3"], "c": [1]}))
    a, b, _, _ = read_student(str(model))
    assert a == [Fraction(1, 10)] and b == [Fraction(1, 3)]


def test_the_range_message_writes_its_proved_ends_outward():
    pytest.importorskip("cvxpy")
    from fractions import Fraction

    from momentrnn import extrapolation_range
    from momentrnn._format import lower_text, upper_text
    from momentrnn.moments.sdp import _round

    r = extrapolation_range([1, 0, Fraction(1, 3), 0], tolerance=5e-3, order=4)
    low, high = lower_text(r.certified_lower, 17), upper_text(r.certified_upper, 17)
    assert f"[{low}, {high}] proved" in r.message
    assert Fraction(low) <= r.certified_lower and Fraction(high) >= r.certified_upper
    huge = Fraction(10**400)
    assert _round(huge, 1) == float("inf") and _round(-huge, -1) == float("-inf")
    assert _round(huge, -1) == 1.7976931348623157e308  # the largest double, below the value


def test_exactly_the_vouched_digits_are_written():
    # no decimal below the last vouched place (mpmath's nstr wrote "2.0" for a units digit) ...
    assert format_number(24.0, 1, 24.0) == "2e+01"
    assert format_number(123456.0, 2, 123456.0) == "1.2e+05"
    atoms, weights = [Fraction(3, 10), Fraction(-7, 10)], [Fraction(24, 10), Fraction(123, 100)]
    m = [sum(w * a ** j for a, w in zip(atoms, weights)) for j in range(4)]
    r = recover_measure(m, data_digits=3, throw=False)
    for text in r.to_dict()["weights"]:
        assert "." not in text or r.digits >= 2, (text, r.digits)
    # ... and the vouched trailing zeros are kept
    assert format_number(0.9, 11, 0.9) == "0.90000000000"
    assert format_number(1e-6, 11, 1e-6) == "1.00000000000e-06"


def test_a_certificate_beyond_the_double_range_is_written_not_crashed():
    from momentrnn.moments import certify_extrapolation

    huge = [Fraction(10**308), Fraction(10**308)]
    cert = certify_extrapolation([Fraction(1, 2), Fraction(-1, 3)], [1, 1], [1, 1],
                                 teacher_atoms=[Fraction(1, 2), Fraction(-1, 3)],
                                 teacher_weights=huge, length=12, lags=5, sdp_max_order=0)
    out = cert.to_dict()
    # standard JSON as it is: an infinite double is the string "inf"
    assert cert.max_observed == math.inf and out["max_bound"]["float"] == "inf"
    assert out["rows"][0]["observed"] == "inf"  # |h_0 - hat h_0| is about 2e308
