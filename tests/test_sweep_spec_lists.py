"""One rule for every list of a sweep spec: values equal as numbers are one value (the first
kept, a note said), a whole number written as a float (``5.0``) is the integer in a list of
integers, and a value that is not a whole number is refused there by name."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.errors import InputError
from momentrnn.experiments import load_spec

LINEAR = {"family": "linear", "teachers": ["long_memory"], "modes": ["random"],
          "scales": [0.39], "seeds": [0], "dims": [3], "lengths": [10], "k": 5}
NONLINEAR = {"family": "nonlinear", "teacher_dims": [2], "student_dims": [4], "scales": [0.5],
             "seeds": [0], "lengths": [10], "k": 5, "train_sequences": 4,
             "test_sequences": 4}

#: family, key -> the spec it goes in; every list key whose values are integers
INTEGER_KEYS = [(LINEAR, "k"), (LINEAR, "dims"), (LINEAR, "lengths"), (LINEAR, "seeds"),
                (NONLINEAR, "teacher_dims"), (NONLINEAR, "student_dims"),
                (NONLINEAR, "lengths"), (NONLINEAR, "seeds")]


def _written(draw, values):
    """Each value written as an int or as the equal float, as a TOML or JSON writer might."""
    return [float(v) if draw(st.booleans()) else v for v in values]


@st.composite
def integer_lists(draw):
    """A list of whole numbers with repeats, each written as int or float."""
    distinct = draw(st.lists(st.integers(1, 12), min_size=1, max_size=4, unique=True))
    picks = draw(st.lists(st.sampled_from(distinct), max_size=6))
    values = distinct + picks
    order = draw(st.permutations(values))
    return _written(draw, list(order))


def _first_each(values):
    """The values, each (by numeric value) once, first occurrence kept, as integers."""
    seen, out = set(), []
    for v in values:
        if v not in seen:
            seen.add(v)
            out.append(int(v))
    return out


@pytest.mark.parametrize("base, key", INTEGER_KEYS,
                         ids=[f"{b['family']}-{k}" for b, k in INTEGER_KEYS])
@settings(max_examples=25, deadline=None)
@given(values=integer_lists())
def test_an_integer_list_merges_equal_numbers_whatever_their_type(base, key, values):
    spec = load_spec(dict(base, **{key: values}))
    expected = _first_each(values)
    got = spec.params[key]
    assert got == expected
    assert all(type(v) is int for v in got)
    repeats = len(values) - len(expected)
    notes = [n for n in spec.notes if n.startswith(f"{key} repeats")]
    assert bool(notes) == bool(repeats)
    if repeats:
        assert f"{repeats} repeated value(s) dropped" in notes[0]
    # the same spec written with plain integers, once each: the same runs and digest
    plain = load_spec(dict(base, **{key: expected}))
    assert plain.digest == spec.digest
    assert [r["run_id"] for r in plain.runs] == [r["run_id"] for r in spec.runs]
    field = {"k": "k", "dims": "dim", "seeds": "seed", "teacher_dims": "teacher_dim",
             "student_dims": "dim"}.get(key)
    if field is not None and not (base is NONLINEAR and key == "k"):
        assert [r[field] for r in spec.runs] == expected  # one run per distinct value
    assert len(spec.runs) == len({r["run_id"] for r in spec.runs})


@st.composite
def number_lists(draw):
    """A list of positive numbers with repeats, each written as int or float where whole."""
    distinct = draw(st.lists(st.sampled_from([1, 2, 0.5, 0.25, 1e-3, 0.39, 3]), min_size=1,
                             max_size=4, unique=True))
    values = draw(st.permutations(distinct + draw(st.lists(st.sampled_from(distinct),
                                                           max_size=5))))
    return [float(v) if isinstance(v, int) and draw(st.booleans()) else v for v in values]


@settings(max_examples=40, deadline=None)
@given(values=number_lists())
def test_a_number_list_merges_equal_numbers(values):
    spec = load_spec(dict(LINEAR, scales=values))
    seen, expected = set(), []
    for v in values:
        if v not in seen:
            seen.add(v)
            expected.append(v)
    assert spec.params["scales"] == expected
    assert [type(v) for v in spec.params["scales"]] == [type(v) for v in expected]
    assert [r["scale"] for r in spec.runs] == expected


@pytest.mark.parametrize("base, key", INTEGER_KEYS,
                         ids=[f"{b['family']}-{k}" for b, k in INTEGER_KEYS])
@settings(max_examples=15, deadline=None)
@given(whole_part=st.integers(1, 9),
       fraction=st.sampled_from([0.5, 0.1, 1 / 3, 0.999, 1e-9]),
       others=st.lists(st.integers(1, 9), max_size=3), at=st.integers(0, 3))
def test_a_number_that_is_not_whole_is_refused_by_name(base, key, whole_part, fraction,
                                                       others, at):
    bad = whole_part + fraction
    values = list(others)
    values.insert(min(at, len(values)), bad)
    with pytest.raises(InputError) as info:
        load_spec(dict(base, **{key: values}))
    message = str(info.value)
    assert key in message and repr(bad) in message


@pytest.mark.parametrize("k, runs", [([5, 5.0], 1), ([5.0, 5], 1), ([5.0], 1), (5.0, 1),
                                     ([9, 5.0, 5, 9.0], 2)])
def test_k_takes_whole_floats_and_merges_them(k, runs):
    spec = load_spec(dict(LINEAR, k=k))
    assert len(spec.runs) == runs
    assert all(type(r["k"]) is int for r in spec.runs)


@pytest.mark.parametrize("k", [[5, 5.5], 5.5, [2.0**60], [float("nan")], [True], []])
def test_k_that_is_not_a_whole_number_is_refused_clearly(k):
    with pytest.raises(InputError, match=r"^k=.* (holds .*, not an integer|is empty): k must "
                                         r"be a positive integer or a non-empty list"):
        load_spec(dict(LINEAR, k=k))
