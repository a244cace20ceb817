"""The checks see the engine they rest on: a one-line mutant of the package code behind a
claim, applied in-process, makes that claim's quick check fail (issue 21, the mutants that
passed every check)."""

from __future__ import annotations

import inspect
import sys
import textwrap

import pytest

from proofs_checks.harness import load_claims, run_claim


def mutate(monkeypatch, module, name: str, old: str, new: str) -> None:
    """Replace ``module.name`` (a function) by a copy whose source has ``old`` (which must
    occur exactly once) replaced by ``new``: the one-line mutant, in this process only."""
    func = getattr(module, name)
    source = textwrap.dedent(inspect.getsource(func))
    assert source.count(old) == 1, f"{old!r} occurs {source.count(old)} times in {name}"
    namespace = dict(vars(module))
    exec(compile(source.replace(old, new), inspect.getsourcefile(func), "exec"), namespace)
    # every module that imported the function by name gets the mutant too (the check modules
    # are imported first, so that none picks the mutant up and keeps it after the test)
    load_claims()
    for other in list(sys.modules.values()):
        if (getattr(other, "__name__", "").startswith(("momentrnn", "proofs_checks"))
                and getattr(other, name, None) is func):
            monkeypatch.setattr(other, name, namespace[name])


def quick_verdict(label: str) -> str:
    import importlib

    module = importlib.import_module(f"proofs_checks.{label.lower()}")
    outcome = run_claim(module.CLAIM, quick=True, seed=0)
    print(label, outcome.verdict, outcome.message)
    return outcome.verdict


# -- R11: the certified SDP and certify_extrapolation ---------------------------------------

R11_MUTANTS = {
    # the dual multipliers scaled by 1.001: the certificates stay valid, only looser (the SDP
    # then says 'loose'); the check compares the proved ends with the exact range at
    # tolerance 0 and needs them within 1e-6 of its width
    "multipliers scaled": (
        "momentrnn.moments.sdp", "_certified_result",
        "lam = [Fraction(float(sign * y[j] * scale * norms[q] / norms[j])) for j in range(N + 1)]",
        "lam = [Fraction(float(sign * y[j] * scale * norms[q] / norms[j] * 1.001)) "
        "for j in range(N + 1)]"),
    # the reported double of a proved end rounded outwards instead of inwards: where the
    # checked measure attains the proved end exactly (a teacher at an end of the support),
    # the double then lies beyond the proved end
    "upper end rounded outwards": (
        "momentrnn.moments.sdp", "_certified_result",
        "end = min(end, _round(bound, -1)) if upper",
        "end = min(end, _round(bound, 1)) if upper"),
    "lower end rounded outwards": (
        "momentrnn.moments.sdp", "_certified_result",
        "max(end, _round(bound, 1))", "max(end, _round(bound, -1))"),
    # R11 used with 2d lags, one fewer than it needs
    "R11 with 2d lags": (
        "momentrnn.moments.extrapolation_bound", "certify_extrapolation",
        "2 * len(teacher_atoms) + 1 <= lags", "2 * len(teacher_atoms) <= lags"),
}


@pytest.mark.parametrize("which", sorted(R11_MUTANTS))
def test_r11_check_fails_on_an_engine_mutant(monkeypatch, which):
    import importlib

    module_name, func, old, new = R11_MUTANTS[which]
    mutate(monkeypatch, importlib.import_module(module_name), func, old, new)
    assert quick_verdict("R11") == "FAIL"


def test_r11_exact_range_comparison_sees_loose_multipliers(monkeypatch):
    """The tolerance-0 comparison alone: correct multipliers put the proved ends within 1e-6
    of the exact range's width of it (about 1e-11 is measured), multipliers scaled by 1.001 do
    not; 1/3, 1/5 and 7/9 are not dyadic."""
    from fractions import Fraction as F

    import momentrnn.moments.sdp as sdp
    from proofs_checks import r11

    atoms, weights = [F(-1, 3), F(1, 5), F(7, 9)], [F(1, 3), F(1, 2), F(1, 6)]
    assert r11._exact_sdp_faults(atoms, weights, 6) == []
    real = sdp.certify_end
    monkeypatch.setattr(sdp, "certify_end",
                        lambda lam, *a, **k: real([v * F(1001, 1000) for v in lam], *a, **k))
    faults = r11._exact_sdp_faults(atoms, weights, 6)
    assert faults and "beyond the exact range" in faults[0]


# -- M3: the inconsistency witness reads the data's radius -----------------------------------

def test_m3_check_fails_when_the_witness_ignores_the_radius(monkeypatch):
    import momentrnn.moments._ball as ball

    mutate(monkeypatch, ball, "inconsistency_witness",
           "vals = ar.values(data, with_radius=True)", "vals = ar.values(data, with_radius=False)")
    assert quick_verdict("M3") == "FAIL"


def test_m3_within_radius_cases_have_inconsistent_midpoints():
    """The cases test what they say: the rounded values fit no measure with n atoms (a Hankel
    block of size n + 1 has a non-zero determinant, exactly over Q(i)), while the true moments
    are within the radius (rounding errs by at most the radius)."""
    from fractions import Fraction as F

    from proofs_checks import m3
    from proofs_checks._measures import exact_rank

    cases = m3._within_radius(quick=False)
    assert {c["form"] for c in cases} == {"float", "text12", "complex float"}
    for case in cases:
        n = len(case["atoms"])
        values = m3._within_radius_moments(case)
        mid = [(F(v.real), F(v.imag)) if isinstance(v, complex) else F(v) for v in values]
        blocks = [[[mid[s + i + j] for j in range(n + 1)] for i in range(n + 1)]
                  for s in range(len(mid) - 2 * n)]
        assert any(exact_rank(block) == n + 1 for block in blocks), case["name"]


# -- R14 (2): the noise floor of the numerical Hankel rank is s eps, not eps ------------------

def test_r14_check_fails_when_the_noise_floor_drops_the_size(monkeypatch):
    import momentrnn.moments.hankel as hankel

    mutate(monkeypatch, hankel, "_numeric_verdict",
           "floor_c = (s * ctx.mpf(max(data.radius))", "floor_c = (ctx.mpf(max(data.radius))")
    assert quick_verdict("R14") == "FAIL"


def test_r14_within_eps_case_needs_the_factor_s():
    """The case sits where the factor matters: the student's sigma_{d_hat+1} lies between eps
    and s eps (Weyl's bound), so a floor of eps counts the extra unit and one of s eps does
    not."""
    import numpy as np

    from momentrnn import DiagonalRNN, effective_dimension
    from proofs_checks import r14

    case = next(c for c in r14.cases(True, 0) if c["student"] == "within eps")
    assert r14.check(case) == 1.0
    eps, s = case["eps"], case["size"]
    a = [-1 / 3, 0.39, 1.0]
    b = [1 / 7, 2.0, 0.9 * eps]
    r = effective_dimension(DiagonalRNN(np.array(a), np.array(b), np.ones(3)), tolerance=eps,
                            size=s)
    assert eps < float(r.singular_values[2]) < s * eps


# -- R13: the searched flows are cheap enough for >= 10 flows in the search's budget ----------

def test_r13_searched_flows_take_half_the_evaluations():
    """The search's first four cases (12 flows: delta_1 at k = 5 with 20 units, an interior
    atom at k = 3, and two-atom teachers) converge within 36,000 gradient evaluations in all
    (32,029 measured with teachers of weights 0.05 to 20 and atoms down to 0.02 apart, 24,056
    with weights in [0.3, 1]; 48,838 when every searched flow ran to 1e-14 at rtol 1e-9): an
    atom at 1 still runs to 1e-14, interior atoms stop at the grid's 1e-10."""
    from momentrnn import init_student, integrate_flow
    from proofs_checks import r13

    cases = r13.search(0, 4)
    assert any(r13._atom_at_one(c) for c in cases) and not all(r13._atom_at_one(c)
                                                               for c in cases)
    evaluations = 0
    for case in cases:
        assert case["until_loss"] == (1e-14 if r13._atom_at_one(case) else 1e-10)
        options = {k: v for k, v in r13._flow_options(case).items() if k != "budget"}
        for seed in case["seeds"]:
            count = [0]

            def tick(_t, _loss, count=count):
                count[0] += 1

            run = integrate_flow(init_student(case["dim"], scale=case["scale"],
                                              mode=case["init"], seed=seed),
                                 r13._teacher(case), k=r13._k(case), progress=tick, **options)
            # a balanced start is integrated on b_i = c_i (it once could end 'left_invariant'
            # where rounding moved the computed run off that set)
            assert run.status == "converged", (case, seed, run.status)
            evaluations += count[0]
    assert evaluations <= 36_000, evaluations
