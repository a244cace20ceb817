"""Numeric checks of the claims of THEORY (R1-R14, M1-M7).

Each module defines ``CLAIM``, a :class:`proofs_checks.harness.Claim`: the statement, a grid
of cases, the check (a margin: positive means the claim holds on that case with room to spare)
and at least one negative control (a case with a hypothesis dropped, whose margin must be
negative). ``momentrnn check`` runs them.
"""

from .harness import ALL_LABELS, Claim, load_claims

__all__ = ["ALL_LABELS", "Claim", "load_claims"]
