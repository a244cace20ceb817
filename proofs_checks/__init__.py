"""Numeric checks of the claims of THEORY (the labels of :data:`proofs_checks.registry.LABELS`).

Each module registers ``CLAIM``, a :class:`proofs_checks.harness.Claim`: the statement, a grid
of cases, the check (a margin: positive means the claim holds on that case with room to spare)
and at least one negative control (a case with a hypothesis dropped, whose margin must be
negative). ``momentrnn check`` runs them.
"""

# isort: off
from .registry import LABELS, register_claim  # the registry is imported first
from .harness import ALL_LABELS, Claim, load_claims
# isort: on

__all__ = ["ALL_LABELS", "LABELS", "Claim", "load_claims", "register_claim"]
