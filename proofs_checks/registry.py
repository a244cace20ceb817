"""The registry of the claims that ``momentrnn check`` runs: imported first, by everything
that names a claim.

:data:`LABELS` is the one list of claim labels, in the theory chapter's order; the check of
label ``X1`` is the module ``proofs_checks.x1``, which registers its claim with
:func:`register_claim`. Adding a claim is one new module and one line here; the runner,
``momentrnn check --list`` and ``--only``, the documentation's claim pages and links and the
tests all take the labels from here.
"""

from __future__ import annotations

import re

from momentrnn.errors import InputError

#: the labels of the claims, in the theory chapter's order (one line a claim)
LABELS: tuple[str, ...] = (
    "R1",
    "R2",
    "R3",
    "R4",
    "R5",
    "R6",
    "R7",
    "R8",
    "R9",
    "R10",
    "R11",
    "R12",
    "R13",
    "R14",
    "M1",
    "M2",
    "M3",
    "M4",
    "M5",
    "M6",
    "M7",
)

# the registered claims (label -> Claim), filled as each check module is imported
_REGISTERED: dict = {}


def module_name(label: str) -> str:
    """The check module of a claim label: ``proofs_checks.<label in lower case>``."""
    return f"{__package__}.{label.lower()}"


def label_pattern() -> re.Pattern:
    """A regular expression matching a registered label as a word (longest labels first, so
    that ``R14`` is not read as ``R1``)."""
    words = sorted(LABELS, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b")


def register_claim(claim):
    """Register the claim of a check module; returns it, so that the module writes
    ``CLAIM = register_claim(Claim(...))`` (or decorates a function that returns the claim).

    Refused (``InputError``, naming the label) when the label is not in :data:`LABELS`.
    """
    if callable(claim) and not hasattr(claim, "label"):
        claim = claim()
    label = getattr(claim, "label", None)
    if label not in LABELS:
        raise InputError(f"claim label {label!r} is not registered; add it to "
                         f"{__name__}.LABELS (known: {', '.join(LABELS)})")
    _REGISTERED[label] = claim
    return claim


def registered(label: str):
    """The claim registered under ``label`` (None before its module is imported)."""
    return _REGISTERED.get(label)
