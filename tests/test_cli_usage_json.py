"""Issue 22: a usage error shows the command's own usage, and with ``--format json`` is also
the JSON error object that every refusal is (kind ``"error"`` on stdout, exit 2)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from momentrnn import _schema
from momentrnn.cli import main
from momentrnn.cli._main import build_parser

VALIDATOR = jsonschema.Draft202012Validator(_schema.json_schema())


def _takes_json(name: str) -> bool:
    _, p = build_parser().commands[name]
    return any("--format" in a.option_strings and "json" in (a.choices or ())
               for a in p._actions)


JSON_COMMANDS = sorted(n for n in build_parser().commands if _takes_json(n))


def _usage_error(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    out, err = capsys.readouterr()
    return stop.value.code, out, err


def test_the_commands_with_a_json_format_are_found():
    assert {"recover", "bounds", "flow", "check", "prove"} <= set(JSON_COMMANDS)


@pytest.mark.parametrize("name", JSON_COMMANDS)
@pytest.mark.parametrize("how", [["--format", "json"], ["--format=json"]])
def test_an_unrecognised_argument_with_format_json_is_a_json_error(name, how, capsys):
    code, out, err = _usage_error([name, "--no-such-option", "3/7", *how], capsys)
    assert code == 2
    doc = json.loads(out)
    assert not list(VALIDATOR.iter_errors(doc))
    assert doc["kind"] == "error" and doc["error"] == "UsageError" and doc["exit_code"] == 2
    assert "--no-such-option" in doc["message"] or "required" in doc["message"]
    assert err.startswith(f"usage: momentrnn {name}"), err  # the command's usage


@pytest.mark.parametrize("name", JSON_COMMANDS)
def test_an_unrecognised_argument_shows_the_command_usage(name, capsys):
    code, out, err = _usage_error([name, "--no-such-option"], capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"usage: momentrnn {name}"), err
    assert f"momentrnn {name}: error: " in err  # an unrecognised or a missing argument


def test_options_that_do_not_go_together_with_format_json(capsys):
    code, out, err = _usage_error(["recover", "-", "--exact", "--float64", "--format",
                                   "json"], capsys)
    doc = json.loads(out)
    assert code == 2 and doc["kind"] == "error" and "--exact" in doc["message"]
    assert doc["options"]["argv"][0] == "recover"
    assert err.startswith("usage: momentrnn recover")
    # a bad --format is a usage error in text: the format asked for is not known
    code, out, err = _usage_error(["recover", "-", "--format", "xml"], capsys)
    assert code == 2 and out == "" and "invalid choice: 'xml'" in err
    # no command: the top-level usage
    code, out, err = _usage_error(["--no-such-option"], capsys)
    assert code == 2 and err.startswith("usage: momentrnn [-h]")
