"""The examples in the docstrings of the precision objects, the recovery-method registry, the
algebraic numbers and the minimal realisation run as doctests."""

from __future__ import annotations

import doctest
import importlib

import pytest

import momentrnn


@pytest.mark.parametrize("module", ["momentrnn.precision", "momentrnn.moments.algebraic",
                                    "momentrnn.moments.realization"])
def test_docstring_examples(module):
    mod = importlib.import_module(module)
    globs = dict(vars(momentrnn))
    globs.update(vars(mod))
    result = doctest.testmod(mod, extraglobs=globs, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
