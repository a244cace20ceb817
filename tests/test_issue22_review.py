"""Reports and JSON that the review of issue 22 found saying more than was proved."""

from __future__ import annotations

import json
from fractions import Fraction

from flint import fmpq_poly
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from momentrnn import Exact, load, recover_measure
from momentrnn._schema import document
from momentrnn.moments.algebraic import AlgebraicField, AlgebraicNumber

_SETTINGS = settings(max_examples=8, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@st.composite
def _irreducible(draw):
    """An irreducible integer polynomial of degree 3 or 4 with distinct roots."""
    degree = draw(st.sampled_from([3, 4]))
    coeffs = [draw(st.integers(-6, 6)) for _ in range(degree)] + [draw(st.integers(1, 5))]
    f = fmpq_poly(coeffs)
    _, factors = f.factor()
    if len(factors) != 1 or factors[0][1] != 1 or factors[0][0].degree() != degree:
        from hypothesis import assume
        assume(False)
    return f


@_SETTINGS
@given(_irreducible())
def test_exact_algebraic_atoms_load_back_as_the_same_numbers_never_fractions(f):
    """Every root of an irreducible cubic or quartic (weight 1) beside the atom 39/100: the
    exact recovery's JSON reads back to the same algebraic numbers, not to a Fraction of a
    truncated decimal."""
    field = AlgebraicField(f)
    n = field.degree + 1
    p = field.power_sums(2 * n)
    moments = [Fraction(int(x.p), int(x.q)) + Fraction(39, 100) ** j for j, x in enumerate(p)]
    r = recover_measure(moments, precision=Exact())
    assert r.ok and r.rank == n
    doc = json.loads(json.dumps(document(r), allow_nan=False))
    for text, atom in zip(doc["atoms"], r.atoms):
        if isinstance(atom, Fraction) or (isinstance(atom, AlgebraicNumber) and atom.is_rational):
            assert text == "39/100"
        else:  # the text names the polynomial, never a decimal labelled exact
            assert text.startswith("root of ")
    back = load(doc)
    assert back.measure is not None
    for got, want in zip(back.atoms, r.atoms):
        if isinstance(got, Fraction):
            assert got == Fraction(39, 100)
        else:
            assert isinstance(got, AlgebraicNumber) and got == want
            assert got.minimal_polynomial().degree() == field.degree


@settings(max_examples=6, deadline=None, derandomize=True)
@given(st.integers(20, 60), st.sampled_from([5.0, 12.0, 39.0]))
def test_rank_is_not_clear_when_the_noise_floor_dwarfs_the_first_lags(exponent, x):
    """A student with an atom 39/100 (weight 1) beside three huge cancelling ones at x - 1, x,
    x + 1: its first lags are of order one, the rounding of its double response is far above
    them, so neither the rank (truly 4) nor a learned measure can be read at the data's scale."""
    import math

    from momentrnn import DiagonalRNN
    from momentrnn.rnn.analysis import effective_dimension, learned_measure

    w = 10.0 ** exponent
    r, r2 = math.sqrt(w), math.sqrt(2 * w)
    student = DiagonalRNN([0.39, x - 1, x, x + 1], [1, r, r2, r], [1, r, -r2, r])
    evidence = effective_dimension(student, tolerance=1e-10)
    assert evidence.verdict == "undetermined"
    assert evidence.rank_range[0] <= 4 <= evidence.rank_range[1]
    learned = learned_measure(student, 0.0)
    assert learned.measure is None and learned.status == "undetermined"


@settings(max_examples=6, deadline=None, derandomize=True)
@given(st.sampled_from([0.05, 0.1, 0.2]), st.sampled_from([1e-3, 1e-4, 3.9e-5]),
       st.integers(0, 3), st.sampled_from(["numpy", "torch"]))
def test_gradient_descent_stops_at_the_first_step_at_or_below_the_target(lr, target, seed,
                                                                         backend):
    """With ``until_loss`` a run stops at the first step whose loss is at or below it (the
    same step a full run with every loss recorded shows), and its trajectory ends there."""
    import numpy as np
    import pytest

    from momentrnn.dynamics import gradient_descent
    from momentrnn.rnn import init_student, named_teacher

    if backend == "torch":
        pytest.importorskip("torch")
    teacher = named_teacher("decaying")
    student = init_student(6, scale=0.1, seed=seed)
    full = gradient_descent(student, teacher, k=4, lr=lr, steps=3000, record_every=1,
                            backend=backend)
    below = np.flatnonzero(full.loss[:, 0] <= target)
    res = gradient_descent(student, teacher, k=4, lr=lr, steps=3000, until_loss=target,
                           backend=backend)
    if below.size == 0:
        assert res.status[0] == "max_steps"
        return
    first = int(full.record_steps[below[0]])
    assert res.status[0] == "converged" and int(res.reached_at[0]) == first
    assert res.loss[-1, 0] == full.loss[below[0], 0]
    run = res.trajectory(0, teacher, k=4)
    assert run.steps == first and run.times[-1] == first * lr


@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.lists(st.fractions(min_value=-3, max_value=3, max_denominator=100), min_size=1,
                max_size=3, unique=True),
       st.sampled_from([1, 2, Fraction(1, 3)]), st.booleans())
def test_an_exact_recovery_has_residual_exactly_zero(atoms, scale, irrational):
    """Exact moments of rational atoms (or of the roots of x^2 - 3 beside them): the exact
    recovery says the moments equal the data exactly, so its residual is 0, not a rounding."""
    import io
    from contextlib import redirect_stdout

    from momentrnn.cli import main

    pts = [Fraction(a) for a in atoms]
    wts = [scale * (i + 1) for i in range(len(pts))]
    n = len(pts) + (2 if irrational else 0)
    moments = [sum(w * p ** j for p, w in zip(pts, wts)) + (2 * 3 ** (j // 2) if irrational
                                                           and j % 2 == 0 else 0)
               for j in range(2 * n)]
    r = recover_measure(moments, precision=Exact())
    assert r.ok and r.rank == n
    assert r.residual == 0
    text = "\n".join(str(m) for m in moments) + "\n"
    import sys
    old, sys.stdin = sys.stdin, io.StringIO(text)
    try:
        buf = io.StringIO()
        with redirect_stdout(buf):
            code = main(["recover", "-", "--exact"])
    finally:
        sys.stdin = old
    assert code == 0 and "residual   0 (exact)" in buf.getvalue()


def _cli_out(args):
    import io
    from contextlib import redirect_stdout

    from momentrnn.cli import main

    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(args)
    return code, buf.getvalue()


@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.sampled_from([Fraction(39, 100), Fraction(1, 3), Fraction(1, 100)]),
       st.sampled_from([4, 5]))
def test_bounds_headline_is_the_proved_outward_ends(tmp_path, tolerance, order):
    """The first line of the range is the proved outer ends rounded outward, never the
    solver's doubles (which may lie inside the true range)."""
    import pytest

    from momentrnn._format import lower_text, upper_text

    pytest.importorskip("cvxpy")
    f = tmp_path / "m.txt"
    f.write_text("1\n1/2\n39/100\n")
    args = ["bounds", str(f), "--tolerance", str(tolerance), "--order", str(order)]
    code, out = _cli_out([*args, "--format", "json"])
    d = json.loads(out)
    if not d.get("certified_lower"):
        return
    lo, hi = Fraction(d["certified_lower"]["exact"]), Fraction(d["certified_upper"]["exact"])
    code, out = _cli_out(args)
    head = next(t for t in out.splitlines() if t.startswith(f"m_{order} range"))
    ends = head.split("[")[1].split("]")[0].split(", ")
    assert ends == [lower_text(lo, 17), upper_text(hi, 17)], head


@settings(max_examples=10, deadline=None, derandomize=True)
@given(st.integers(13_001, 14_000), st.integers(1, 10**6), st.booleans())
def test_a_loaded_certificate_keeps_a_fraction_too_long_to_write_unwritten(bits, odd, row):
    """A bound whose fraction was too long to write (``"exact": null``) reads back as its
    rounded-up double and is written again with ``"exact": null``, never as the fraction of
    that double."""
    from momentrnn.moments.extrapolation_bound import CertifiedOrder, ExtrapolationCertificate

    huge = Fraction(2 ** bits + odd, 3 * 2 ** bits + 1)
    rows = [CertifiedOrder(3, 0.25, huge if row else Fraction(39, 100), "R11",
                           huge if row else Fraction(39, 100), None)]
    cert = ExtrapolationCertificate(5, 3, True, "|h_q - h_hat_q| <= bound", huge, 0.25,
                                    [Fraction(1, 3)], 0, [], rows)
    first = json.loads(json.dumps(cert.to_dict(), allow_nan=False))
    assert first["max_bound"]["exact"] is None
    again = ExtrapolationCertificate.from_dict(first).to_dict()
    assert again["max_bound"] == first["max_bound"]
    assert again["rows"] == first["rows"]
    assert Fraction(again["max_bound"]["float"]) >= huge  # still a bound


@settings(max_examples=6, deadline=None, derandomize=True)
@given(st.lists(st.fractions(min_value=-2, max_value=2, max_denominator=50), min_size=1,
                max_size=3, unique=True), st.booleans())
def test_recovery_to_dict_is_strict_json_and_reads_back(atoms, exact):
    """``Recovery.to_dict()`` is JSON as it is (an exact rank's infinite gap the string
    ``"inf"``), and ``from_dict`` reads it back."""
    from momentrnn import MP, Recovery

    pts = [Fraction(a) for a in atoms]
    moments = [sum(Fraction(i + 1, 3) * p ** j for i, p in enumerate(pts))
               for j in range(2 * len(pts))]
    r = recover_measure(moments, precision=Exact() if exact else MP(30), throw=False)
    d = r.to_dict()
    text = json.dumps(d, allow_nan=False)
    back = Recovery.from_dict(json.loads(text))
    assert back.rank == r.rank and str(back.status) == str(r.status)


@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from([0.39, -0.3, 0.7, 1 / 3, 0.05]), min_size=1, max_size=2,
                unique=True), st.sampled_from([0.0, 1e-12, 1e-6, 1e-2, 3.0]))
def test_sweep_row_learned_measure_is_vouched_text_with_integer_digits(atoms, loss):
    """A linear sweep row writes the learned measure as the flow report does: vouched text
    (``"?"`` with no vouched digit, never a double's noise), integer digits, and the row's
    learned keys are defined by the schema."""
    import jsonschema
    import numpy as np

    from momentrnn import DiagonalRNN, _schema
    from momentrnn.experiments.linear import linear_metrics
    from momentrnn.rnn.analysis import learned_measure

    w = np.sqrt(np.arange(1, len(atoms) + 1) / 3)
    model = DiagonalRNN(np.array(atoms), w, w)
    row = linear_metrics(model, loss)
    assert all(isinstance(t, str) for t in row["learned_atoms"] + row["learned_weights"])
    assert row["learned_vouched_digits"] is None or type(row["learned_vouched_digits"]) is int
    if row["learned_atoms"]:
        shown = learned_measure(model, loss, max_rank=8).to_dict()
        assert row["learned_atoms"] == shown["atoms"]
        assert row["learned_weights"] == shown["weights"]
        if row["learned_vouched_digits"] == 0:
            assert set(row["learned_atoms"]) == {"?"}
    defs = _schema.json_schema()["$defs"]["sweep_row"]["properties"]
    for key in ("learned_atoms", "learned_weights", "learned_vouched_digits"):
        assert key in defs
    validator = jsonschema.Draft202012Validator(
        {**_schema.json_schema(), "$ref": "#/$defs/sweep_row", "allOf": [], "required": [],
         "properties": {}})
    clean = {"run_id": "r", "spec_digest": "d", "status": "finished",
             **{k: row[k] for k in ("learned_atoms", "learned_weights",
                                    "learned_vouched_digits")}}
    assert not list(validator.iter_errors(clean))


def test_the_learned_atoms_panel_counts_what_it_does_not_draw():
    """Vouched text is drawn at its value; a complex atom and one with no vouched digit are
    counted (and said on the panel), never dropped silently."""
    from momentrnn.experiments.families.linear import _real_value

    left_out = {"complex": 0, "unvouched": 0}
    values = [_real_value(t, left_out) for t in ["0.39", "-0.33",
                                                 "0.97-0.0037j", "?", 0.5]]
    assert values == [0.39, -0.33, None, None, 0.5]
    assert left_out == {"complex": 1, "unvouched": 1}


@settings(max_examples=4, deadline=None, derandomize=True)
@given(st.sampled_from([3.0, 10.0, 50.0]), st.integers(0, 3))
def test_a_diverged_descent_reports_the_step_and_time_it_stopped(lr, seed):
    """A run that diverged at step s reports s steps and final time s * lr, not the steps
    asked for."""
    from momentrnn.dynamics import gradient_descent
    from momentrnn.rnn import init_student, named_teacher

    teacher = named_teacher("decaying")
    res = gradient_descent(init_student(10, scale=0.5, seed=seed), teacher, k=5, lr=lr,
                           steps=5000)
    if res.status[0] != "diverged":
        return
    at = int(res.diverged_at[0])
    run = res.trajectory(0, teacher, k=5, extrapolation_length=20)
    assert run.steps == at and run.times[-1] == at * lr


@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.fractions(min_value=-2, max_value=2, max_denominator=100), min_size=1,
                max_size=7).filter(lambda m: len(m) % 2 == 1))
def test_a_refusal_with_format_json_is_a_json_error_object(tmp_path, moments):
    """An odd number of moments is refused (exit 2); with ``--format json`` stdout holds a
    JSON object of kind "error" that validates against the schema and loads back."""
    import jsonschema

    from momentrnn import _schema

    f = tmp_path / "m.txt"
    f.write_text("\n".join(str(m) for m in moments) + "\n")
    code, out = _cli_out(["recover", str(f), "--format", "json"])
    assert code == 2
    doc = json.loads(out)
    assert doc["kind"] == "error" and doc["exit_code"] == 2 and doc["error"] == "InputError"
    jsonschema.Draft202012Validator(_schema.json_schema()).validate(doc)
    back = load(doc)
    assert back.exit_code == 2 and back.message == doc["message"]
