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
@given(st.integers(2, 9), st.integers(10, 90), st.integers(2, 8), st.integers(11, 99))
def test_rank_range_starts_at_the_values_proved_above_the_floor(w, x100, size, above10):
    # one atom w at x (non-dyadic): sigma_1 is placed `above10/10` times the noise floor,
    # inside the ambiguity window (factor 10) but above the floor: the rank is at least 1
    import mpmath

    from momentrnn.moments import hankel_rank
    from momentrnn.precision import MP

    x = Fraction(x100, 100)
    m = [w * x**k for k in range(2 * size - 1)]
    sigma1 = float(w * sum(x ** (2 * k) for k in range(size)))
    err = sigma1 / (above10 / 10) / size  # floor ~ size * err = sigma1 / (above10 / 10)
    ev = hankel_rank([str(v) for v in m], precision=MP(30), size=size, data_error=err)
    proved = sum(1 for v in ev.singular_values if v > ev.noise_floor)
    assert ev.rank_range[0] == proved >= 1, (ev.rank_range, ev.message,
                                             [mpmath.nstr(v, 3) for v in ev.singular_values])
    assert ev.rank_range[0] <= ev.rank <= ev.rank_range[1]
