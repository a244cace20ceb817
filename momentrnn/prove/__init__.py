"""Theorems about one training run, proved by validated integration (``momentrnn prove``).

:func:`prove_flow` encloses the exact gradient flow of the diagonal model in ball arithmetic
(:class:`~momentrnn.prove.validated.ValidatedFlow`: Taylor series, a checked a-priori
enclosure, the Lagrange remainder, a QR-Lohner mean-value form) and states what holds at the
end time for every student in the enclosure (:class:`FlowProof`).
"""

from .flow_proof import FlowProof, prove_flow
from .validated import ValidatedFlow, ValidatedRun

__all__ = ["FlowProof", "prove_flow", "ValidatedFlow", "ValidatedRun"]
