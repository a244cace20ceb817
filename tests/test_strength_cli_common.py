"""What every command shares (``momentrnn.cli._common``), stated over generated values.

The argument types accept exactly their documented ranges (a positive integer; 5 to MAX_DPS
digits; digits above 0 and at most MAX_RECOVERY_DIGITS) and quote a refused value whole up to
40 characters, else its first 30 and its length; ``brief`` keeps a line of at most ``limit``
characters and cuts a longer one to its head, its length and its last 40; the help shows an
option's value default unless it has none or the help names it; a moments file is UTF-8 (mark
dropped) or UTF-16 with its mark, read from standard input with ``-``; the exit statuses are
0 to 4 and 130 as the help table states.
"""

from __future__ import annotations

import argparse
import io
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn._limits import MAX_DPS, MAX_RECOVERY_DIGITS
from momentrnn.cli import _common as c
from momentrnn.errors import InputError, MissingDependencyError

SETTINGS = settings(max_examples=60, derandomize=True, deadline=None)


def _quoted(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:30]}... ({len(text)} characters)"


def test_the_exit_statuses_are_the_table_of_the_help():
    assert (c.EXIT_OK, c.EXIT_FAIL, c.EXIT_INPUT, c.EXIT_ERROR, c.EXIT_MISSING) == (0, 1, 2, 3, 4)
    assert [code for code, _ in c.EXIT_STATUSES] == [0, 1, 2, 3, 4, 130]


@SETTINGS
@given(st.integers(-10**6, 10**6) | st.integers(10**40, 10**60))
def test_positive_int_accepts_exactly_the_positive_integers(n):
    text = str(n)
    if n >= 1:
        assert c.positive_int(text) == n
    else:
        with pytest.raises(argparse.ArgumentTypeError) as info:
            c.positive_int(text)
        assert str(info.value) == f"{_quoted(text)} must be a positive integer"


@SETTINGS
@given(st.text(alphabet="xyz. ", min_size=1, max_size=80))
def test_a_value_that_is_no_integer_is_quoted_briefly(text):
    with pytest.raises(argparse.ArgumentTypeError) as info:
        c.positive_int(text)
    assert str(info.value) == f"{_quoted(text)!r} is not an integer"


@SETTINGS
@given(st.integers(-5, 20) | st.integers(MAX_DPS - 5, MAX_DPS + 5)
       | st.sampled_from([10**38, 10**39, 10**40, 10**41, -10**39, -10**40]))
def test_dps_is_accepted_from_5_to_the_limit_and_refused_outside(n):
    text = str(n)
    if n < 1:
        with pytest.raises(argparse.ArgumentTypeError, match="must be a positive integer"):
            c.dps_arg(text)
    elif 5 <= n <= MAX_DPS:
        assert c.dps_arg(text) == n
    else:
        with pytest.raises(argparse.ArgumentTypeError) as info:
            c.dps_arg(text)
        assert str(info.value) == (f"{_quoted(text)} is outside 5 to {MAX_DPS}, the digits of "
                                   "working precision this package computes with")


@pytest.mark.parametrize("digits", [39, 40, 41, 42])
def test_a_refused_value_is_quoted_whole_up_to_40_characters(digits):
    text = "9" * digits  # an integer past every limit, of this many characters
    for check in (c.dps_arg, c.digits_arg):
        with pytest.raises(argparse.ArgumentTypeError) as info:
            check(text)
        assert str(info.value).startswith(f"{_quoted(text)} ")
        assert (text in str(info.value)) is (digits <= 40)


@SETTINGS
@given(st.sampled_from(["0", "-0.0", "1e-300", "0.5", "39/100", "inf", "nan", "-3",
                        str(MAX_RECOVERY_DIGITS), str(MAX_RECOVERY_DIGITS + 1),
                        f"{MAX_RECOVERY_DIGITS}.000001", "1" * 45]))
def test_digits_are_accepted_above_0_up_to_the_limit(text):
    try:
        value = float(text)
    except ValueError:
        with pytest.raises(argparse.ArgumentTypeError) as info:
            c.digits_arg(text)
        assert str(info.value) == f"{_quoted(text)!r} is not a number"
        return
    if 0 < value <= MAX_RECOVERY_DIGITS:
        assert c.digits_arg(text) == value
    else:
        with pytest.raises(argparse.ArgumentTypeError) as info:
            c.digits_arg(text)
        assert str(info.value).startswith(f"{_quoted(text)} must be a number of digits above 0 "
                                          f"and at most {MAX_RECOVERY_DIGITS}")


@SETTINGS
@given(st.text(alphabet="ab \n\t", max_size=400), st.integers(61, 300))
def test_brief_keeps_a_short_line_and_cuts_a_long_one(text, limit):
    line = " ".join(text.split())
    out = c.brief(text, limit)
    if len(line) <= limit:
        assert out == line
    else:
        assert out == f"{line[:limit - 60]}... [{len(line)} characters] ...{line[-40:]}"
    if limit == 300:
        assert c.brief(text) == out


def test_digit_text_is_a_dash_for_no_digits():
    assert c.digit_text(None) == "-" and c.digit_text(0) == "0" and c.digit_text(17) == "17"


def test_a_stage_is_printed_once_the_call_has_run_the_given_seconds(monkeypatch, capsys):
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    show = c.stage_printer("recover", after=2.0)
    now[0] = 101.5
    show("early")
    now[0] = 102.0  # exactly the seconds given
    show("ranks")
    now[0] = 105.4
    show("atoms")
    assert capsys.readouterr().err == "recover: ranks (2 s)\nrecover: atoms (5 s)\n"


def _help(**kw) -> str:
    parser = argparse.ArgumentParser(prog="p", formatter_class=c.HelpFormatter, **kw)
    parser.add_argument("--three", type=int, default=3, help="a count")
    parser.add_argument("--named", default=2, help="the Default is two")
    parser.add_argument("--none", default=None, help="nothing")
    parser.add_argument("--flag", action="store_true", help="a flag")
    parser.add_argument("--list", default=[], nargs="*", help="a list")
    parser.add_argument("--hidden", default=argparse.SUPPRESS, help="suppressed")
    parser.add_argument("must", help="a positional")
    parser.add_argument("maybe", nargs="?", default="x", help="an optional positional")
    return " ".join(parser.format_help().split())


def test_the_help_shows_each_value_default_unless_there_is_none_or_it_is_named():
    text = _help()
    assert "a count (default: 3)" in text
    assert "the Default is two --none" in text  # named by the help: not added again
    for words in ("nothing", "a flag", "a list", "suppressed", "a positional"):
        assert f"{words} (default" not in text
    assert "an optional positional (default: x)" in text


def test_a_description_in_lines_keeps_them_and_one_line_is_wrapped():
    lines = argparse.ArgumentParser(prog="p", formatter_class=c.HelpFormatter,
                                    description="col  a\ncol  bb").format_help().splitlines()
    assert "col  a" in lines and "col  bb" in lines
    long = "word " * 60
    wrapped = argparse.ArgumentParser(prog="p", formatter_class=c.HelpFormatter,
                                      description=long).format_help()
    assert max(len(x) for x in wrapped.splitlines()) < 100


def test_a_missing_module_is_named_with_its_extra_before_any_work():
    assert c.module_available("json") and not c.module_available("no_such_module_xyz")
    assert not c.module_available("")
    c.require([("json", "reading")])  # installed: nothing raised
    with pytest.raises(MissingDependencyError) as info:
        c.require([("json", "reading"), ("no_such_module_xyz", "the plot"),
                   ("no_such_module_xyz", "the table")])
    assert str(info.value) == (
        "the plot needs no_such_module_xyz; the table needs no_such_module_xyz, which is not "
        "installed; install it with pip install 'momentrnn[no_such_module_xyz]' "
        "(nothing was run)")


@pytest.mark.parametrize("encoding, mark", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"),
                                            ("utf-16-le", b"\xff\xfe"),
                                            ("utf-16-be", b"\xfe\xff")])
def test_a_moments_file_is_read_in_its_encoding(tmp_path, encoding, mark):
    path = tmp_path / "m.txt"
    path.write_bytes(mark + "1\n39/100\n-1/3\n".encode(encoding))
    assert c.read_moments(str(path)) == ["1", "39/100", "-1/3"]


def test_a_moments_file_that_is_not_text_names_the_byte_and_its_offset(tmp_path):
    path = tmp_path / "m.bin"
    path.write_bytes(b"1\n2\n\x9f3\n")
    with pytest.raises(InputError, match=r"byte 0x9f at offset 4 is not UTF-8"):
        c.read_moments(str(path))
    with pytest.raises(InputError, match="cannot read moments file"):
        c.read_moments(str(tmp_path / "absent.txt"))


class _In(io.StringIO):
    def __init__(self, text: str, tty: bool, binary: bool) -> None:
        super().__init__(text)
        self.tty = tty
        if binary:
            self.buffer = io.BytesIO(text.encode())

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("binary", [True, False])
@pytest.mark.parametrize("tty", [True, False])
def test_moments_are_read_from_standard_input_with_a_prompt_on_a_terminal(
        monkeypatch, capsys, tty, binary):
    monkeypatch.setattr(sys, "stdin", _In("0.39\n1/3\n", tty, binary))
    assert c.read_moments("-") == ["0.39", "1/3"]
    err = capsys.readouterr().err
    assert ("reading moments from standard input" in err) is tty


@pytest.mark.parametrize("source", ["file", "binary", "text"])
def test_moments_of_the_byte_limit_are_read_and_one_byte_more_refused(
        monkeypatch, tmp_path, source):
    monkeypatch.setattr(c, "MAX_INPUT_BYTES", 12)  # the limit, small enough to reach

    def read(text):
        if source == "file":
            (tmp_path / "m.txt").write_text(text)
            return c.read_moments(str(tmp_path / "m.txt"))
        monkeypatch.setattr(sys, "stdin", _In(text, False, source == "binary"))
        return c.read_moments("-")

    assert read("0.39\n-1/3\n1\n") == ["0.39", "-1/3", "1"]  # 12 bytes
    with pytest.raises(InputError, match="are longer than 0 MiB"):
        read("0.39\n-1/3\n10\n")


def test_a_closed_standard_input_is_refused(monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(InputError, match="standard input is closed"):
        c.read_moments("-")
