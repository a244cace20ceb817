"""Reports that mislead (issue 22, fresh review): each test pins one true statement."""
from __future__ import annotations

import io
import json
import sys
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.cli import main
from momentrnn.moments import recover_measure
from momentrnn.precision import MP, Ball

# the decimals of a three-point Gauss rule (m1 = m3 = m5 = 0): its middle atom is proved
# exactly zero at MP and Ball precision
GAUSS3 = ["2", "0", "0.6666666666666666", "0", "0.4", "0"]


def _cli(args, capsys, monkeypatch, stdin=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def _exact_zero_atoms(result) -> list[int]:
    """Indices of atoms proved exactly zero; each must be written ``0``."""
    out = result.to_dict()
    flagged = [i for i, (a, e) in enumerate(zip(result.atoms, out["atom_exact"] or []))
               if e and a == 0]
    for i in flagged:
        assert out["atoms"][i] == "0", out["atoms"]
    return flagged


def test_exact_zero_atom_prints_zero_at_mp_and_ball(capsys, monkeypatch):
    for precision in (Ball(35), MP(30)):
        r = recover_measure(GAUSS3, precision=precision, throw=False)
        assert _exact_zero_atoms(r) == [1]
    for extra in ([], ["--dps", "30"], ["--certify"]):
        _, text, _ = _cli(["recover", "-", *extra], capsys, monkeypatch, "\n".join(GAUSS3))
        row = [ln for ln in text.splitlines() if "  exact, " in ln and not ln.startswith("status")]
        assert row and row[0].split()[0] == "0", text
        _, js, _ = _cli(["recover", "-", *extra, "--format", "json"], capsys, monkeypatch,
                        "\n".join(GAUSS3))
        doc = json.loads(js)
        res = doc.get("result", doc)
        assert res["atoms"][1] == "0" and res["atom_exact"][1] is True


@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.integers(1, 99), st.integers(1, 9), st.integers(1, 9))
def test_symmetric_measure_zero_atom_is_written_zero(a100, wa, w0):
    # atoms -a, 0, a (a = a100/100, non-dyadic), weights wa, w0, wa: the odd moments are
    # exactly zero, and where the recovery proves the middle atom exact it must read "0"
    a = Fraction(a100, 100)
    m = [2 * wa * a**k if k % 2 == 0 else 0 for k in range(6)]
    m[0] += w0
    for precision in (Ball(40), MP(30)):
        r = recover_measure([str(x) for x in m], precision=precision, throw=False)
        if r.measure is not None and r.atom_digits is not None:
            _exact_zero_atoms(r)


@settings(max_examples=15, deadline=None, derandomize=True)
@given(st.integers(2, 9), st.integers(10, 90), st.integers(11, 99), st.integers(1, 9))
def test_rank_range_starts_at_the_values_proved_above_the_floor(w, x100, above10, tiny):
    # a student dominated by one atom w at x (non-dyadic), a second one far below: sigma_1
    # is `above10/10` times the noise floor, inside the ambiguity window (factor 10) but
    # above the floor, so at that accuracy the rank is at least 1 (never "from 0")
    import mpmath

    from momentrnn import DiagonalRNN
    from momentrnn.rnn.analysis import effective_dimension

    x = x100 / 100
    model = DiagonalRNN([x, -x / 3], [1.0, 1.0], [float(w), tiny * 1e-9])
    size = 3
    sigma1 = float(mpmath.svd_r(mpmath.matrix(
        [[float(w) * x ** (i + j) for j in range(size)] for i in range(size)]),
        compute_uv=False)[0])
    tol = sigma1 / (above10 / 10) / size  # the floor is about size * tol
    ev = effective_dimension(model, tolerance=tol)
    proved = sum(1 for v in ev.singular_values if v > ev.noise_floor)
    assert proved >= 1
    assert ev.rank_range[0] == proved, (ev.rank_range, ev.message,
                                        [mpmath.nstr(v, 3) for v in ev.singular_values])
    assert ev.rank_range[0] <= ev.rank <= ev.rank_range[1]
    assert "between 0" not in ev.message


# lags of a two-pole system written as printed doubles: read exactly, their exact order is 5
# (the decimals' noise), with a 5x5 Hankel block of condition about 2.5e21
H_DOUBLES = ["2.0", "0.2", "0.33999999999999997", "0.098", "0.0706", "0.028820000000000002",
             "0.016354", "0.0075938", "0.00397186", "0.001933442"]


def test_realize_precision_failure_is_not_called_a_missing_system(capsys, monkeypatch, tmp_path):
    import pytest

    from momentrnn.errors import IllConditionedError, RankError
    from momentrnn.moments import minimal_realization

    # exactly: order 5, residual 0; at 30 digits the same order, its residual at 30 digits
    # (evaluated in doubles, the rounding of A alone missed the lags by 1.4e-9)
    assert minimal_realization(H_DOUBLES).order == 5
    r = minimal_realization(H_DOUBLES, precision=MP(30))
    assert r.ok and r.order == 5 and r.residual < 1e-15
    # at 20 digits the precision is short: said so (IllConditionedError, exit 1), never
    # "no system of order 5 reproduces these lags" (RankError, bad input)
    with pytest.raises(IllConditionedError) as failed:
        minimal_realization(H_DOUBLES, precision=MP(20))
    assert not isinstance(failed.value, RankError)
    assert "reproduces these 10 lags exactly" in str(failed.value)
    assert "--dps" in str(failed.value)
    path = tmp_path / "h.json"
    path.write_text("[" + ", ".join(H_DOUBLES) + "]")
    code, _, err = _cli(["realize", str(path), "--dps", "20"], capsys, monkeypatch)
    assert code == 1 and "no system" not in err, err
    code, _, _ = _cli(["realize", str(path), "--dps", "30"], capsys, monkeypatch)
    assert code == 0


@settings(max_examples=10, deadline=None, derandomize=True)
@given(st.lists(st.integers(-99, 99).filter(bool), min_size=2, max_size=3, unique=True),
       st.integers(1, 9), st.integers(0, 3))
def test_exact_lags_at_mp_are_never_refused_as_unreproducible(poles100, c, noise):
    # exact lags of a system of distinct non-dyadic poles, a last digit nudged by 10^-17:
    # where the exact path realises them, MP reproduces them too or says that its precision
    # fell short, never that no system of the order reproduces them
    from momentrnn.errors import IllConditionedError, RankError
    from momentrnn.moments import minimal_realization

    poles = [Fraction(p, 100) for p in poles100]
    h = [sum(c * p**j for p in poles) for j in range(2 * len(poles) + 2 * noise)]
    h[-1] += Fraction(noise, 10**17)
    try:
        minimal_realization(h)
    except RankError:
        return  # the exact lags are not identified: a refusal is true
    for dps in (15, 30):
        try:
            minimal_realization(h, precision=MP(dps))
        except RankError as exc:
            raise AssertionError(f"MP({dps}) refused exact lags as unreproducible: {exc}") from None
        except IllConditionedError:
            pass


@settings(max_examples=3, deadline=None, derandomize=True)
@given(st.integers(160, 300), st.integers(2, 5))
def test_a_flow_that_cannot_start_says_so_without_warnings(exponent, dim):
    # initial parameters whose loss overflows doubles: no time of blow-up (never t = -1),
    # the loss inf (it is beyond the largest double), no floating-point warnings
    import contextlib
    import io as _io

    out, err = _io.StringIO(), _io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["flow", "--teacher", "decaying", "--dim", str(dim),
                     "--init-scale", f"1e{exponent}", "--format", "json"])
    doc = json.loads(out.getvalue())
    assert code != 0 and doc["status"] == "diverged", doc["status"]
    assert "t = -1" not in doc["message"] and "cannot start" in doc["message"], doc["message"]
    assert "warning" not in err.getvalue(), err.getvalue()
    text = json.dumps(doc)
    assert doc["training_loss"] == "inf", text[:2000]


def test_resumed_sweep_counts_the_diverged_runs_of_its_table(tmp_path, capsys):
    # two runs that diverge (their loss overflows at the start); rerun, every row is already
    # there: the summary counts the table's diverged rows, never "0 diverged" above them
    path = tmp_path / "s.jsonl"
    args = ["sweep", "--out", str(path), "--set", "scales=[1e200]", "--set", "seeds=2",
            "--set", "dims=[3]", "--set", 'teachers=["decaying"]', "--set",
            'modes=["random"]', "--quiet"]
    main(args)
    first = capsys.readouterr().out
    assert "2 runs done, 0 already in" in first, first
    assert "2 of the 2 runs in the table diverged" in first, first
    main(args)
    again = capsys.readouterr().out
    assert "0 runs done, 2 already in" in again, again
    assert "2 of the 2 runs in the table diverged (0 of those done now)" in again, again


def test_list_and_print_spec_answer_format_json(capsys):
    import tomllib

    import jsonschema

    import momentrnn
    from momentrnn import _schema

    validator = jsonschema.Draft202012Validator(_schema.json_schema())
    assert main(["check", "--list", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    validator.validate(doc)
    assert doc["kind"] == "claim_list" and doc["claims"][0]["label"] == "R1"
    assert momentrnn.load(doc).to_dict() == _schema.body_of(doc)
    assert main(["check", "--list"]) == 0
    text = capsys.readouterr().out
    assert [c["label"] for c in doc["claims"]] == [ln.split()[0] for ln in text.splitlines()]
    assert main(["sweep", "--print-spec", "--set", "seeds=3", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    validator.validate(doc)
    assert doc["kind"] == "sweep_spec" and doc["spec"]["seeds"] == 3
    assert momentrnn.load(doc).to_dict() == _schema.body_of(doc)
    assert main(["sweep", "--print-spec", "--set", "seeds=3"]) == 0
    toml = tomllib.loads(capsys.readouterr().out)
    assert toml == {k: v for k, v in doc["spec"].items() if v is not None}
