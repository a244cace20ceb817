"""``momentrnn sweep``'s spec text: ``--set KEY=VALUE`` read as TOML, the help's table of
spec keys with each family's defaults (read back as TOML, they are the defaults), and values
written as TOML."""

from __future__ import annotations

import math
import tomllib
from types import SimpleNamespace

import pytest

from momentrnn.cli.sweep import _spec_dict, _spec_keys_text, _toml_value
from momentrnn.errors import InputError
from momentrnn.experiments.families import FAMILIES


def _set(*items):
    return _spec_dict(SimpleNamespace(spec=None, family=None, set=list(items)))


def test_set_values_are_toml_and_the_key_is_trimmed():
    assert _set("seeds=3", " dims = [4, 5]", "until_loss=1e-9", "trainer=\"gd\"",
                "expr=\"a=b\"") == {"seeds": 3, "dims": [4, 5], "until_loss": 1e-9,
                                   "trainer": "gd", "expr": "a=b"}


@pytest.mark.parametrize("item, message", [
    ("seeds", "write KEY=VALUE"), ("=3", "write one KEY=VALUE per --set"),
    ("cell=gru", "is not a TOML value"), ("a=1\nb = 2", "write one KEY=VALUE per --set"),
])
def test_a_malformed_set_is_refused_naming_it(item, message):
    with pytest.raises(InputError, match=message):
        _set(item)


def test_a_refused_set_is_quoted_whole_up_to_sixty_characters():
    sixty = "k=" + "x" * 58
    with pytest.raises(InputError) as info:
        _set(sixty)
    assert repr(sixty) in str(info.value)
    longer = "k=" + "x" * 59
    with pytest.raises(InputError) as info:
        _set(longer)
    assert repr(longer[:50] + "... (61 characters)") in str(info.value)


def test_the_help_lists_every_family_s_defaults_as_toml_wrapped():
    text = _spec_keys_text()
    lines = text.splitlines()
    assert lines[0].startswith("spec keys")
    # each key's entry wrapped at 76 columns (a long list goes on indented lines)
    assert max(len(line) for line in lines if line.startswith("    ")) <= 76
    for name, family in FAMILIES.items():
        assert f"  family = \"{name}\"" in text
        for key, value in family.defaults.items():
            start = next(i for i, line in enumerate(lines) if line.startswith(f"    {key} = ")
                         and i > lines.index(next(x for x in lines
                                                  if x.startswith(f"  family = \"{name}\""))))
            entry = lines[start].strip()
            j = start + 1
            while j < len(lines) and lines[j].startswith("        "):
                entry += " " + lines[j].strip()
                j += 1
            shown = entry.split(" = ", 1)[1]
            if value is None:
                assert shown == "(not set)"
            else:
                assert tomllib.loads(f"v = {shown}")["v"] == value, (name, key)


@pytest.mark.parametrize("value, text", [
    (True, "true"), (False, "false"), (3, "3"), (0.39, "0.39"), (math.inf, "inf"),
    (-math.inf, "-inf"), ("gru", '"gru"'), ([1, "a", 2.5], '[1, "a", 2.5]'),
])
def test_values_are_written_as_toml_that_reads_back(value, text):
    assert _toml_value(value) == text
    assert tomllib.loads(f"v = {text}")["v"] == value
    assert _toml_value(math.nan) == "nan"
