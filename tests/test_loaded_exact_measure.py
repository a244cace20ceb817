"""An exact recovery loaded from its JSON keeps its measure, exactly: algebraic atoms and
weights carry their minimal polynomial and an isolating box (``atom_forms``,
``weight_forms``), which the loader checks and rebuilds, never evaluating text."""

import copy
import json
from fractions import Fraction as F

import jsonschema
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import Exact, _schema
from momentrnn._output import json_text
from momentrnn.errors import InputError
from momentrnn.moments.algebraic import AlgebraicNumber, field_moments
from momentrnn.moments.recovery import Recovery, recover_measure

VALIDATOR = jsonschema.Draft202012Validator(_schema.json_schema())


def _doc(r: Recovery) -> dict:
    d = json.loads(json_text(r.to_dict()))
    errors = list(VALIDATOR.iter_errors(_schema.document("recovery", d)))
    assert not errors, [e.message[:200] for e in errors[:3]]
    return d


def _exact_sympy(v):
    if isinstance(v, F):
        return sympy.Rational(v.numerator, v.denominator)
    if isinstance(v, AlgebraicNumber):
        s = v.to_radicals()
        assert s is not None, v
        return s
    return sympy.sympify(v)  # a number the test built (never file text)


def _moments_of(measure, count) -> list:
    out = []
    for j in range(count):
        total = sum((_exact_sympy(w) * _exact_sympy(a) ** j
                     for a, w in zip(measure.atoms, measure.weights)), sympy.Integer(0))
        total = sympy.radsimp(sympy.expand(total))
        assert total.is_Rational, total
        out.append(F(int(total.p), int(total.q)))
    return out


fractions = st.fractions(min_value=-2, max_value=2, max_denominator=30)
positive = st.fractions(min_value=F(1, 10), max_value=3, max_denominator=30)


@settings(max_examples=12, derandomize=True, deadline=None)
@given(st.lists(fractions, min_size=0, max_size=2, unique=True),
       st.lists(positive, min_size=2, max_size=2),
       fractions, st.sampled_from([2, 3, 5, 7, F(3, 7)]), positive, positive,
       st.fractions(min_value=-1, max_value=1, max_denominator=9), st.booleans())
def test_exact_recovery_round_trips_its_measure(rational, rw, centre, radicand, scale,
                                                wmid, wsplit, pair):
    """Rational atoms and (optionally) a conjugate pair centre +- scale*sqrt(radicand) with
    weights wmid +- wsplit*sqrt(radicand): moments rational, atoms quadratic."""
    root = sympy.sqrt(sympy.Rational(radicand.numerator, radicand.denominator)
                      if isinstance(radicand, F) else radicand)
    c, s_ = (sympy.Rational(q.numerator, q.denominator) for q in (centre, scale))
    wm, ws = (sympy.Rational(q.numerator, q.denominator) for q in (wmid, wsplit))
    atoms = [sympy.Rational(a.numerator, a.denominator) for a in rational]
    weights = [sympy.Rational(w.numerator, w.denominator) for w in rw[: len(rational)]]
    if pair:
        atoms += [c - s_ * root, c + s_ * root]
        weights += [wm - ws * root, wm + ws * root]
    if not atoms or any(sympy.simplify(w) == 0 for w in weights) \
            or len({sympy.radsimp(a) for a in atoms}) < len(atoms):
        return
    count = 2 * len(atoms)
    moments = []
    for j in range(count):
        m = sympy.radsimp(sympy.expand(sum(w * a**j for a, w in zip(atoms, weights))))
        moments.append(F(int(m.p), int(m.q)))
    r = recover_measure(moments, precision=Exact())
    assert r.measure is not None and r.rank == len(atoms)
    d = _doc(r)
    loaded = Recovery.from_dict(d)
    assert loaded.measure is not None
    assert _moments_of(loaded.measure, count) == moments
    # written again, the document is the same
    assert json.loads(json_text(loaded.to_dict())) == d


def test_the_issue_case_and_a_cubic_field_round_trip():
    r = recover_measure([2, 0, F(2, 3), 0], precision=Exact())
    d = _doc(r)
    assert d["atoms"] == ["-sqrt(3)/3", "sqrt(3)/3"]
    assert d["atom_forms"][1] == {"polynomial": [-1, 0, 3],
                                  "real": ["0.57735026918962576450", "0.57735026918962576451"]}
    loaded = Recovery.from_dict(d)
    assert loaded.measure is not None and _moments_of(loaded.measure, 4) == [2, 0, F(2, 3), 0]

    # the moments of sqrt(x) dx on [0, 1] (x -> x^2 of Lebesgue): atoms in a cubic field
    moments = [F(1, 2 * j + 1) for j in range(6)]
    r = recover_measure(moments, precision=Exact())
    d = _doc(r)
    assert all(len(f["polynomial"]) == 4 for f in d["atom_forms"] + d["weight_forms"])
    loaded = Recovery.from_dict(d)
    assert list(loaded.measure.atoms) == list(r.measure.atoms)
    assert list(loaded.measure.weights) == list(r.measure.weights)
    back = field_moments(list(loaded.measure.atoms), list(r.measure.weights), 6)
    assert [F(int(m.p), int(m.q)) for m in back] == moments


def _bad(d, key, index, form, why=""):
    d = copy.deepcopy(d)
    d[key][index] = form
    with pytest.raises(InputError, match=rf"{key}\[{index}\].*{why}"):
        Recovery.from_dict(d)


def test_malformed_or_inconsistent_forms_are_refused_naming_the_field():
    d = _doc(recover_measure([2, 0, F(2, 3), 0], precision=Exact()))
    _bad(d, "atom_forms", 1, {"polynomial": [-1, 0, 3], "real": ["0.5", "0.56"]})  # no root
    _bad(d, "atom_forms", 1, {"polynomial": [-1, 0, 3], "real": ["-1", "1"]})  # two roots
    _bad(d, "atom_forms", 0, {"polynomial": [-4, 0, 1], "real": ["1", "3"]},
         "not irreducible")
    # a box beside the root, meeting its 64-bit ball but not holding it
    _bad(d, "atom_forms", 1, {"polynomial": [-1, 0, 3],
                              "real": ["0.5773502691896257645091487805019574556477", "0.6"]},
         "does not isolate")
    _bad(d, "atom_forms", 0, {"polynomial": [-1, 0, 3], "real": ["1e999999999", "2"]})
    _bad(d, "atom_forms", 0, {"polynomial": ["-1", 0, 3], "real": ["-1", "0"]})
    _bad(d, "atom_forms", 0, {"polynomial": [-1, 0, 3], "real": ["-1", "0"], "x": 1})
    # the form is well made but names the other root: the text disagrees
    _bad(d, "atom_forms", 0, d["atom_forms"][1])
    # a rational text with the form of an irrational number, and radical text with no form
    _bad(d, "weight_forms", 0, d["atom_forms"][1])
    _bad(d, "atom_forms", 0, None)
    # text that is not radical text is never evaluated
    e = copy.deepcopy(d)
    e["atoms"][0] = "__import__('os').getcwd()"
    with pytest.raises(InputError, match=r"atom_forms\[0\]"):
        Recovery.from_dict(e)
    e = copy.deepcopy(d)
    e["atom_forms"] = e["atom_forms"][:1]
    with pytest.raises(InputError, match="atom_forms"):
        Recovery.from_dict(e)


def test_an_old_document_without_forms_loads_without_its_measure_and_says_why():
    d = _doc(recover_measure([2, 0, F(2, 3), 0], precision=Exact()))
    del d["atom_forms"], d["weight_forms"]
    loaded = Recovery.from_dict(d)
    assert loaded.measure is None and "no atom_forms/weight_forms" in loaded.message
    assert loaded.vouched_text() == (["-sqrt(3)/3", "sqrt(3)/3"], ["1", "1"])
    again = Recovery.from_dict(json.loads(json_text(loaded.to_dict())))
    assert again.message == loaded.message  # the reason is stated once
