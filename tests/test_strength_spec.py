"""A sweep spec as ``load_spec`` documents it, over generated grids.

Stated: the digest is the first 16 hexadecimal characters of the SHA-256 of the parameters'
JSON (keys sorted), and each run id the same of the run's fields; a grid list with repeated
values runs each value once and says which were dropped (the first five named, then "...");
a spec file of exactly ``MAX_SPEC_BYTES`` is read and one byte more is refused; a UTF-8 byte
order mark is skipped; TOML text and a ``.toml`` path are both specs; unknown keys and flags
given for numbers are refused with the key named.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn._limits import MAX_SPEC_BYTES
from momentrnn.errors import InputError
from momentrnn.experiments.spec import load_spec, read_spec_file

BASE = {"family": "linear", "teachers": ["long_memory"], "modes": ["random"], "seeds": 1}
# scales as a spec writes them: exact short decimals, and the same numbers as integers
SCALES = st.sampled_from([1, 1.0, 0.5, 0.25, 2, 0.001, 1e-3, 0.39, 3, 3.0, 0.125, 7])


def _sha16(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


@settings(max_examples=25, derandomize=True, deadline=None)
@given(scales=st.lists(SCALES, min_size=1, max_size=14), seeds=st.integers(1, 3))
def test_repeated_grid_values_run_once_and_the_note_names_them(scales, seeds):
    spec = load_spec(dict(BASE, scales=scales, seeds=seeds))
    unique, repeated = [], []
    for v in scales:
        (repeated if any(v == u for u in unique) else unique).append(v)
    assert spec.params["scales"] == unique
    assert len(spec.runs) == len(unique) * seeds
    assert sorted({r["scale"] for r in spec.runs}) == sorted(set(unique))
    # the only notes: the repeats of the grid list (no run repeats another after that)
    if not repeated:
        assert spec.notes == ()
    else:
        shown = ", ".join(str(v) for v in repeated[:5]) + (", ..." if len(repeated) > 5 else "")
        assert spec.notes == (f"scales repeats {shown} (equal values are one run); "
                              f"{len(repeated)} repeated value(s) dropped",)
    # the digest and the run ids are the documented hashes
    assert spec.digest == _sha16(spec.params)
    for r in spec.runs:
        assert r["run_id"] == _sha16({k: v for k, v in r.items() if k != "run_id"})
        assert len(r["run_id"]) == 16 and int(r["run_id"], 16) >= 0
    assert len({r["run_id"] for r in spec.runs}) == len(spec.runs)


def _spec_text(size: int, bom: bool = False) -> bytes:
    body = (b"\xef\xbb\xbf" if bom else b"") + (
        b'family = "linear"\nteachers = ["long_memory"]\nmodes = ["random"]\n'
        b"scales = [0.39]\nseeds = 2\n# ")
    return body + b"x" * (size - len(body) - 1) + b"\n"


@pytest.mark.parametrize("bom", [False, True])
def test_a_spec_file_of_the_byte_limit_is_read_and_one_byte_more_is_refused(tmp_path, bom):
    path = tmp_path / "edge.toml"
    path.write_bytes(_spec_text(MAX_SPEC_BYTES, bom))
    assert path.stat().st_size == MAX_SPEC_BYTES
    spec = load_spec(str(path))
    assert [r["scale"] for r in spec.runs] == [0.39, 0.39] and spec.params["seeds"] == [0, 1]
    assert read_spec_file(str(path))["scales"] == [0.39]
    path.write_bytes(_spec_text(MAX_SPEC_BYTES + 1, bom))
    with pytest.raises(InputError, match=r"longer than 1 MiB"):
        load_spec(str(path))


def test_toml_text_of_one_line_is_text_not_a_path():
    assert load_spec("seeds = 2").params["seeds"] == [0, 1]
    assert load_spec('family = "linear"').family == "linear"


def test_toml_text_and_a_toml_path_are_the_same_spec(tmp_path):
    text = _spec_text(400).decode()
    path = tmp_path / "s.toml"
    path.write_text(text)
    assert load_spec(text).digest == load_spec(str(path)).digest
    assert load_spec(text).runs == load_spec(str(path)).runs


@pytest.mark.parametrize("key, value, words", [
    ("colour", "red", "unknown key(s) colour for a linear sweep"),
    ("seeds", True, "seeds=True has the wrong type: an integer or a list expected"),
    ("lr", False, "lr=False has the wrong type"),
    ("scales", 0.5, "scales=0.5 has the wrong type: a list expected"),
])
def test_an_unknown_key_or_a_value_of_another_type_is_refused_with_the_key(key, value, words):
    with pytest.raises(InputError) as info:
        load_spec({**BASE, "scales": [0.5], key: value})
    assert words in str(info.value)
