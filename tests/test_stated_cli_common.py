"""The command line's shared pieces, stated from ``docs/architecture.md`` and their docstrings:
the exit statuses, the help formatter's defaults, the argument types' ranges (the largest
accepted and the smallest refused value of each), quoting of refused values, ``brief`` and the
stage printer."""

from __future__ import annotations

import argparse
import io
import re
from pathlib import Path

import pytest

from momentrnn.cli import _common
from momentrnn.cli._common import (
    EXIT_STATUSES,
    HelpFormatter,
    brief,
    digit_text,
    digits_arg,
    dps_arg,
    positive_int,
    read_moments,
    stage_printer,
)
from momentrnn.errors import InputError

ROOT = Path(__file__).resolve().parent.parent


def test_exit_statuses_are_the_architecture_guide_s_table():
    table = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    documented = [int(m) for m in re.findall(r"^\| (\d+) \|", table, flags=re.M)]
    assert documented == [0, 1, 2, 3, 4, 130]
    assert [code for code, _ in EXIT_STATUSES] == documented
    assert (_common.EXIT_OK, _common.EXIT_FAIL, _common.EXIT_INPUT, _common.EXIT_ERROR,
            _common.EXIT_MISSING) == (0, 1, 2, 3, 4)


def _help_of(**kw):
    parser = argparse.ArgumentParser(formatter_class=HelpFormatter)
    parser.add_argument("--x", **kw)
    return " ".join(parser.format_help().split())


@pytest.mark.parametrize("kw, shown", [
    (dict(default=24, help="order"), "order (default: 24)"),
    (dict(default=0, help="seed"), "seed (default: 0)"),
    (dict(default=None, help="file"), None),
    (dict(default=False, action="store_true", help="flag"), None),
    (dict(default=[], action="append", help="sets"), None),
    (dict(default=3, help="steps (default 3 a run)"), None),
    (dict(default=3, help="steps (Default three)"), None),
])
def test_help_adds_a_default_that_is_a_value_unless_the_help_says_it(kw, shown):
    text = _help_of(**kw)
    if shown is None:
        assert "(default: " not in text
    else:
        assert shown in text


def test_help_shows_a_positional_default_only_when_it_may_be_left_out():
    parser = argparse.ArgumentParser(formatter_class=HelpFormatter)
    parser.add_argument("file", nargs="?", default="-", help="moments file")
    parser.add_argument("rest", nargs="*", default="r", help="more")
    parser.add_argument("spec", default="s", help="the spec")
    text = " ".join(parser.format_help().split())
    assert "moments file (default: -)" in text and "more (default: r)" in text
    assert "the spec (default" not in text


def test_a_description_in_several_lines_keeps_them_and_one_line_is_wrapped():
    table = "a | b\n1 | 2\n"
    parser = argparse.ArgumentParser(formatter_class=HelpFormatter, description=table)
    assert "a | b\n1 | 2\n" in parser.format_help()
    parser = argparse.ArgumentParser(formatter_class=HelpFormatter, description="word " * 40)
    assert max(len(line) for line in parser.format_help().splitlines()) < 100


def test_positive_int_takes_one_and_refuses_zero():
    assert positive_int("1") == 1 and positive_int("123") == 123
    with pytest.raises(argparse.ArgumentTypeError, match="^0 must be a positive integer$"):
        positive_int("0")
    with pytest.raises(argparse.ArgumentTypeError, match="is not an integer"):
        positive_int("1.5")


def test_a_refused_argument_is_quoted_whole_up_to_forty_characters():
    forty, forty_one = "x" * 40, "x" * 41
    with pytest.raises(argparse.ArgumentTypeError) as info:
        positive_int(forty)
    assert str(info.value) == f"{forty!r} is not an integer"
    with pytest.raises(argparse.ArgumentTypeError) as info:
        positive_int(forty_one)
    assert str(info.value) == f"{'x' * 30 + '... (41 characters)'!r} is not an integer"
    for parse in (dps_arg, digits_arg):
        with pytest.raises(argparse.ArgumentTypeError) as info:
            parse("9" * 41)
        assert str(info.value).startswith("999999999999999999999999999999... (41 characters)")
        with pytest.raises(argparse.ArgumentTypeError) as info:
            parse("9" * 39 + "0")
        assert str(info.value).startswith("9" * 39 + "0 ")


def test_dps_is_five_to_the_dps_limit():
    assert dps_arg("5") == 5 and dps_arg("100000") == 100_000
    for text in ("4", "100001"):
        with pytest.raises(argparse.ArgumentTypeError, match=f"^{text} is outside 5 to 100000"):
            dps_arg(text)


def test_digits_are_above_zero_and_at_most_the_recovery_limit():
    assert digits_arg("0.5") == 0.5 and digits_arg("10000") == 10_000.0
    assert digits_arg("1e-300") == 1e-300
    for text in ("0", "-1", "10000.000001", "inf", "nan"):
        with pytest.raises(argparse.ArgumentTypeError, match="above 0 and at most 10000"):
            digits_arg(text)
    with pytest.raises(argparse.ArgumentTypeError, match="is not a number"):
        digits_arg("one")


def test_brief_keeps_three_hundred_characters_and_cuts_longer_text():
    assert brief("a  b\n c") == "a b c"
    assert brief("y" * 300) == "y" * 300
    long = "".join(str(i % 10) for i in range(301))
    cut = brief(long)
    assert cut == f"{long[:240]}... [301 characters] ...{long[-40:]}"
    assert digit_text(None) == "-" and digit_text(3) == "3"


def test_a_stage_printer_speaks_once_a_call_has_run_its_time(monkeypatch, capsys):
    import time

    clock = iter([100.0, 101.0, 102.0, 105.5])
    monkeypatch.setattr(time, "monotonic", lambda: next(clock))
    show = stage_printer("recover", after=2.0)  # started at 100
    show("one")  # at 101: 1 s, quiet
    show("two")  # at 102: 2 s, shown
    show("three")  # at 105.5
    assert capsys.readouterr().err == "recover: two (2 s)\nrecover: three (6 s)\n"


def test_a_moments_stream_is_read_to_its_byte_limit(monkeypatch, tmp_path):
    monkeypatch.setattr(_common, "MAX_INPUT_BYTES", 8)
    path = tmp_path / "m.txt"
    path.write_bytes(b"1\n0\n1/3\n")  # 8 bytes
    assert read_moments(str(path)) == ["1", "0", "1/3"]
    path.write_bytes(b"1\n0\n1/3\n\n")
    with pytest.raises(InputError, match="are longer than"):
        read_moments(str(path))
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"1\n2\n3\n")))
    assert read_moments("-") == ["1", "2", "3"]
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"1\n22\n333\n")))
    with pytest.raises(InputError, match="'stdin' are longer than"):
        read_moments("-")


def test_a_missing_module_is_named_with_its_extra_before_any_work():
    from momentrnn.cli._common import module_available, require
    from momentrnn.errors import MissingDependencyError

    assert module_available("json") and not module_available("no_such_module_h22")
    require([("json", "--x")])
    with pytest.raises(MissingDependencyError) as info:
        require([("json", "--x"), ("no_such_module_h22", "--plot")])
    assert str(info.value) == ("--plot needs no_such_module_h22, which is not installed; "
                               "install it with pip install 'momentrnn[no_such_module_h22]' "
                               "(nothing was run)")


def test_moments_from_a_text_stdin_and_from_utf16_bytes(monkeypatch):
    monkeypatch.setattr(_common, "MAX_INPUT_BYTES", 8)
    # a stdin without a byte buffer (a StringIO): read as text, to the same limit
    monkeypatch.setattr("sys.stdin", io.StringIO("1\n0\n1/3\n"))
    assert read_moments("-") == ["1", "0", "1/3"]
    monkeypatch.setattr("sys.stdin", io.StringIO("1\n0\n1/3\n\n"))
    with pytest.raises(InputError, match="'stdin' are longer than"):
        read_moments("-")
    monkeypatch.setattr("sys.stdin", None)
    with pytest.raises(InputError, match="standard input is closed"):
        read_moments("-")
    # the bytes of the stream are decoded by their mark: UTF-16 is read as UTF-16
    monkeypatch.setattr(_common, "MAX_INPUT_BYTES", 100)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO("2\n-1/3\n".encode("utf-16"))))
    assert read_moments("-") == ["2", "-1/3"]


def test_a_terminal_stdin_is_told_how_to_end_the_moments_and_a_pipe_is_not(monkeypatch, capsys):
    class _Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stdin", io.StringIO("1\n"))
    assert read_moments("-") == ["1"]
    assert capsys.readouterr().err == ""
    monkeypatch.setattr("sys.stdin", _Tty("1\n"))
    assert read_moments("-") == ["1"]
    assert capsys.readouterr().err.startswith("momentrnn: reading moments from standard input")
