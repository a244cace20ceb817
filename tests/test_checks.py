"""Every check can fail: its negative controls fail, and a broken implementation fails it."""

import pytest

from proofs_checks.harness import load_claims, run_claim

CLAIMS = load_claims()


@pytest.mark.parametrize("label", sorted(CLAIMS))
def test_claim_passes_and_controls_fail(label):
    outcome = run_claim(CLAIMS[label], quick=True, seed=0)
    assert outcome.verdict == "PASS", outcome.message
    assert outcome.controls_total >= 1
    assert outcome.controls_failed == outcome.controls_total
    for d in outcome.details:
        if "control" in d:
            assert any(m <= 0 for m in d["margins"])


def test_broken_rank_makes_m1_fail(monkeypatch):
    import proofs_checks.m1 as m1
    from momentrnn.moments.hankel import HankelRank

    real = m1.hankel_rank

    def off_by_one(*args, **kwargs):
        r = real(*args, **kwargs)
        return HankelRank(r.rank + 1, *[getattr(r, f) for f in
                                         ("size", "singular_values", "noise_floor", "gap",
                                          "verdict", "rank_range", "precision", "message")])

    monkeypatch.setattr(m1, "hankel_rank", off_by_one)
    assert run_claim(m1.CLAIM, quick=True, seed=0).verdict == "FAIL"


def test_broken_recovery_makes_m3_fail(monkeypatch):
    import proofs_checks.m3 as m3
    from momentrnn import DiscreteMeasure

    real = m3.recover_measure

    def perturbed(*args, **kwargs):
        r = real(*args, **kwargs)
        if r.measure is None:
            return r
        atoms = [a * (1 + 1e-20) for a in r.measure.atoms]
        import dataclasses

        return dataclasses.replace(r, measure=DiscreteMeasure(atoms, r.measure.weights))

    monkeypatch.setattr(m3, "recover_measure", perturbed)
    assert run_claim(m3.CLAIM, quick=True, seed=0).verdict == "FAIL"


def test_broken_gauss_makes_m4_fail(monkeypatch):
    import dataclasses

    import proofs_checks.m4 as m4
    from momentrnn import DiscreteMeasure

    real = m4.recover_measure

    def wrong_weights(*args, **kwargs):
        r = real(*args, **kwargs)
        if kwargs.get("method") != "gauss":
            return r
        w = [v * (1 + 1e-25) for v in r.measure.weights]
        return dataclasses.replace(r, measure=DiscreteMeasure(r.measure.atoms, w))

    monkeypatch.setattr(m4, "recover_measure", wrong_weights)
    assert run_claim(m4.CLAIM, quick=True, seed=0).verdict == "FAIL"


def test_every_claim_of_the_theory_has_a_check():
    from proofs_checks.harness import ALL_LABELS

    assert sorted(CLAIMS) == sorted(ALL_LABELS)
    for claim in CLAIMS.values():
        assert claim.statement.startswith(claim.label + " ")


def test_wrong_gradient_sign_breaks_the_conservation_checks(monkeypatch):
    """A gradient with one component of the wrong sign makes R4 fail."""
    import momentrnn.dynamics.mp_flow as mp_flow
    import proofs_checks.r4 as r4

    real = mp_flow.mp_gradient

    def wrong_sign(problem, theta, ctx):
        g = real(problem, theta, ctx)
        g[2] = -g[2]  # dL/dc_1 with the wrong sign
        return g

    monkeypatch.setattr(mp_flow, "mp_gradient", wrong_sign)
    assert run_claim(r4.CLAIM, quick=True, seed=0).verdict == "FAIL"


def test_broken_impulse_response_breaks_r2(monkeypatch):
    import momentrnn.rnn.models as models
    import proofs_checks.r2 as r2

    real = models._exact_or_mp_response

    def off(model, count, prec):
        h = real(model, count, prec)
        return [v + (j == 7) for j, v in enumerate(h)]

    monkeypatch.setattr(models, "_exact_or_mp_response", off)
    assert run_claim(r2.CLAIM, quick=True, seed=0).verdict == "FAIL"


def test_broken_feasibility_breaks_r8_and_r12(monkeypatch):
    import proofs_checks.r8 as r8
    import proofs_checks.r12 as r12
    from momentrnn.moments.truncated import Feasibility

    def always_interior(moments, *, support=(-1, 1)):
        return Feasibility(True, True, False, None, {}, None, support, "stub")

    monkeypatch.setattr(r8, "moment_feasible", always_interior)
    monkeypatch.setattr(r12, "moment_feasible", always_interior)
    assert run_claim(r8.CLAIM, quick=True, seed=0).verdict == "FAIL"
    assert run_claim(r12.CLAIM, quick=True, seed=0).verdict == "FAIL"


def test_precision_disagreement_is_never_a_pass():
    from proofs_checks.harness import Claim

    claim = Claim("X1", "toy", "X1 toy", lambda quick, seed: [{"x": 1}], lambda case: 1.0,
                  [("control", lambda quick, seed: [{"x": -1}])],
                  confirm=lambda case: -1.0)
    claim = Claim(claim.label, claim.title, claim.statement, claim.cases,
                  lambda case: float(case["x"]), claim.controls, claim.confirm)
    outcome = run_claim(claim, quick=True, seed=0)
    assert outcome.verdict == "PRECISION INSUFFICIENT"


def test_a_control_that_passes_makes_the_check_vacuous():
    from proofs_checks.harness import Claim

    claim = Claim("X2", "toy", "X2 toy", lambda quick, seed: [{"x": 1}], lambda case: 1.0,
                  [("control", lambda quick, seed: [{"x": 1}])])
    assert run_claim(claim, quick=True, seed=0).verdict == "VACUOUS"


def test_a_missing_optional_dependency_is_reported_as_skipped(monkeypatch, capsys):
    import proofs_checks.r11 as r11
    from momentrnn.cli import main
    from momentrnn.errors import MissingDependencyError

    def no_cvxpy(*args, **kwargs):
        raise MissingDependencyError("needs cvxpy: pip install 'momentrnn[sdp]'")

    monkeypatch.setattr(r11, "extrapolation_range", no_cvxpy)
    code = main(["check", "--quick", "--only", "R11"])
    out = capsys.readouterr().out
    assert code == 4 and "SKIPPED" in out and "not counted as passing" in out
    code = main(["check", "--quick", "--only", "R11", "--allow-skip"])
    assert code == 0 and "SKIPPED" in capsys.readouterr().out


def test_the_old_m1_statement_fails_on_a_signed_measure():
    """rank H_N = min(N, n) is false for signed weights: atoms -1, 0, 1 with weights 1, -2, 1
    have rank H_2 = 1; a check of the old statement fails there, the corrected one passes."""
    from fractions import Fraction as F

    import proofs_checks.m1 as m1
    from momentrnn import Exact, hankel_rank

    case = {"name": "counterexample", "kind": "signed", "atoms": [F(-1), F(0), F(1)],
            "weights": [F(1), F(-2), F(1)]}
    assert hankel_rank([0, 0, 2], precision=Exact(), size=2).rank == 1
    assert m1.check(case, rule="min") == -1.0
    assert m1.check(case) == 1.0
    old = [c for c in m1.cases(True, 0) if c["kind"] != "model"]
    assert any(m1.check(c, rule="min") <= 0 for c in old)


def test_a_claim_that_raises_is_an_error_and_the_others_still_run(monkeypatch, capsys):
    import json

    import proofs_checks.m2 as m2
    from momentrnn.cli import main

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(m2, "moment_feasible", broken)
    code = main(["check", "--quick", "--only", "M2,M1", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    verdicts = {c["label"]: c for c in data["claims"]}
    assert code == 3
    assert verdicts["M2"]["verdict"] == "ERROR" and "boom" in verdicts["M2"]["message"]
    assert verdicts["M1"]["verdict"] == "PASS"
    assert verdicts["M1"]["statement"].startswith("M1 ") and verdicts["M1"]["unit"] == "exact"


def test_the_table_shows_titles_and_units(capsys):
    from momentrnn.cli import main

    code = main(["check", "--quick", "--only", "M1,R5"])
    out = capsys.readouterr().out
    assert code == 0
    assert CLAIMS["M1"].title in out and CLAIMS["R5"].title in out
    line = next(x for x in out.splitlines() if x.startswith("M1 "))
    assert " exact " in line
    line = next(x for x in out.splitlines() if x.startswith("R5 "))
    assert " digits " in line


def _scaled(real, factor):
    def wrapper(*args, **kwargs):
        return real(*args, **kwargs) * factor
    return wrapper


def _control_margins(claim):
    return [[claim.check(case) for case in make(True, 0)] for _, make in claim.controls]


CONTROL_PATCHES = [
    # (claim, module whose name is patched, name, wrapper): a different answer from the
    # package function the control calls must move the control's margin
    ("R1", "proofs_checks.r1", "moment_loss", lambda real: _scaled(real, 1.5)),
    ("R3", "proofs_checks._flowcheck", "mp_gradient",
     lambda real: lambda problem, theta, ctx: [-v for v in real(problem, theta, ctx)]),
    ("R4", "proofs_checks._flowcheck", "mp_gradient",
     lambda real: lambda problem, theta, ctx: [-v for v in real(problem, theta, ctx)]),
    ("R7", "momentrnn.dynamics._problem", "FlowProblem.imbalance",
     lambda real: lambda self, theta: real(self, theta) ** 0.5),
    ("R13", "proofs_checks.r13", "extrapolation_error",
     lambda real: lambda *a, **k: (0.0, 0.0)),
    ("M5", "proofs_checks.m5", "hankel_singular_values",
     lambda real: lambda m, n, **kw: [v * (1 + n) for v in real(m, n, **kw)][:-1]
     + [real(m, n, **kw)[-1]]),
    ("R5", "proofs_checks.r5", "gradient_descent",
     lambda real: lambda *a, **k: __import__("dataclasses").replace(
         real(*a, **k), parameters=real(*a, **k).parameters * 1.01)),
    ("R6", "proofs_checks.r6", "gradient_descent",
     lambda real: lambda *a, **k: __import__("dataclasses").replace(
         real(*a, **k), b=real(*a, **k).b * 1.5)),
    ("R12", "proofs_checks.r12", "moment_feasible",
     lambda real: lambda m, **k: __import__("types").SimpleNamespace(feasible=False)),
    ("R10", "proofs_checks.r10", "DiagonalRNN",
     lambda real: lambda a, b, c: real(a, b * 1.5, c)),

]


@pytest.mark.parametrize("label, module, name, make", CONTROL_PATCHES,
                         ids=[p[0] for p in CONTROL_PATCHES])
def test_a_control_margin_moves_when_the_package_answers_differently(monkeypatch, label,
                                                                     module, name, make):
    import importlib

    claim = CLAIMS[label]
    before = _control_margins(claim)
    mod = importlib.import_module(module)
    if "." in name:
        cls_name, attr = name.split(".")
        cls = getattr(mod, cls_name)
        monkeypatch.setattr(cls, attr, make(getattr(cls, attr)))
    else:
        monkeypatch.setattr(mod, name, make(getattr(mod, name)))
    after = _control_margins(claim)
    assert after != before


def test_the_full_mode_adds_a_falsification_search():
    from proofs_checks.harness import Claim

    drawn = []

    def search(seed, count):
        drawn.append((seed, count))
        return [{"x": -1}] * count  # a counterexample among the random cases

    claim = Claim("X3", "toy", "X3 toy", lambda quick, seed: [{"x": 1}],
                  lambda case: float(case["x"]), [("control", lambda quick, seed: [{"x": -1}])],
                  search=search)
    assert run_claim(claim, quick=True, seed=0).verdict == "PASS"
    assert drawn == []
    outcome = run_claim(claim, quick=False, seed=5, search_seconds=0.0)
    assert drawn[0] == (5, 2)
    assert outcome.verdict == "FAIL" and outcome.searched >= 1
    assert outcome.worst_case == {"x": -1}
    assert outcome.search["worst_case"] == {"x": -1} and outcome.search["worst_margin"] == -1


EXACT_CONTROL_PATCHES = [
    # R11's control: a smaller analytic bound from the package moves its margin
    ("R11", "proofs_checks.r11", "stability_bound", lambda real: _scaled(real, 1e-3)),
]


@pytest.mark.parametrize("label, module, name, make", EXACT_CONTROL_PATCHES,
                         ids=[p[0] for p in EXACT_CONTROL_PATCHES])
def test_the_r11_control_margin_moves(monkeypatch, label, module, name, make):
    import importlib

    claim = CLAIMS[label]
    before = _control_margins(claim)
    mod = importlib.import_module(module)
    monkeypatch.setattr(mod, name, make(getattr(mod, name)))
    after = _control_margins(claim)
    assert after != before, (before, after)


def _signed_flat_feasibility(real):
    # a PSD test that tolerates the negative eigenvalue, and a flat extension that keeps the
    # atoms Prony finds whatever the signs of their weights
    from momentrnn import Exact, recover_measure

    def wrapper(m, **kwargs):
        even = list(m)[: len(m) - len(m) % 2]
        measure = recover_measure(even, rank=len(even) // 2, precision=Exact()).measure
        return __import__("dataclasses").replace(real(m, **kwargs), feasible=True,
                                                 determinate=True, measure=measure)
    return wrapper


def _widened_upper(real):
    # the upper end reported 10^6 too high: the signed measure's next moment falls inside
    def wrapper(*args, **kwargs):
        r = real(*args, **kwargs)
        return __import__("dataclasses").replace(r, upper=r.upper + 10**6)
    return wrapper


EXACT_ANSWER_PATCHES = [
    # (claim, module, name, wrapper, the control then passes): a wrong answer from the package
    # function that decides the control's verdict must move its margin
    ("M2", "proofs_checks.m2", "moment_feasible", _signed_flat_feasibility, True),
    ("M6", "proofs_checks.m6", "next_moment_range", _widened_upper, False),
    # the Hankel of the effective dimension off by its size: rank at most d (the learned
    # measure of R14 decides its rank through this function)
    ("R14", "momentrnn.rnn.analysis", "effective_dimension",
     lambda real: lambda model, **k: real(model, **{**k, "size": 2}), True),
    # the order taken as the state dimension instead of the rank: the realisation is not
    # similar to the system, so the margin moves but cannot become positive
    ("M7", "proofs_checks.m7", "minimal_realization",
     lambda real: lambda h, **k: real(h, **{**k, "rank": (len(h) - 4) // 2}), False),
    # the range of the last moment given instead of the next one: its end measure does not
    # reproduce m_k, which the check verifies, so the margin moves from 0 to -1
    ("R9", "proofs_checks.r9", "next_moment_range",
     lambda real: lambda m, **k: real(list(m)[:-1], **k), False),
]


@pytest.mark.parametrize("label, module, name, make, passes", EXACT_ANSWER_PATCHES,
                         ids=[p[0] for p in EXACT_ANSWER_PATCHES])
def test_an_exact_control_margin_moves_when_the_package_answers_differently(
        monkeypatch, label, module, name, make, passes):
    import importlib

    claim = CLAIMS[label]
    before = _control_margins(claim)
    assert all(v <= 0 for row in before for v in row), before
    mod = importlib.import_module(module)
    monkeypatch.setattr(mod, name, make(getattr(mod, name)))
    after = _control_margins(claim)
    assert after != before, (before, after)
    if passes:
        assert all(v > 0 for row in after for v in row), (before, after)


def test_nan_margins_empty_grids_and_missing_controls_do_not_pass():
    from proofs_checks.harness import Claim, run_claim

    def claim(check, cases=lambda q, s: [{"x": 1}], controls=None):
        return Claim("X3", "toy", "X3 toy", cases, check,
                     [("control", lambda q, s: [{"x": 0}])] if controls is None else controls)

    nan_on_cases = claim(lambda c: float("nan") if c["x"] else -1.0)
    out = run_claim(nan_on_cases, quick=True, seed=0)
    assert out.verdict == "FAIL" and "NaN" in out.message
    assert run_claim(claim(lambda c: 1.0 if c["x"] else -1.0, cases=lambda q, s: []),
                     quick=True, seed=0).verdict == "VACUOUS"
    assert run_claim(claim(lambda c: 1.0, controls=[]), quick=True, seed=0).verdict == "VACUOUS"
    # a control whose margin is NaN has not failed for the claim's reason
    nan_control = claim(lambda c: 1.0 if c["x"] else float("nan"))
    assert run_claim(nan_control, quick=True, seed=0).verdict == "VACUOUS"
    # and a sound toy still passes
    assert run_claim(claim(lambda c: 1.0 if c["x"] else -1.0), quick=True, seed=0).verdict == \
        "PASS"
