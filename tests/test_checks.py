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
