"""pytest plugin used by ``bench_mutation_procedural.py collect``: one coverage context per test.

Loaded with ``-p covplugin`` under ``coverage run``; it switches the coverage context to the
test's node id while the test runs, and exports it in ``MUTCOV_CONTEXT`` so that Python
subprocesses started by the test (measured by ``sitecustomize.py`` beside this file) record
their lines under the same test.
"""

from __future__ import annotations

import os

import pytest

# the pytest process itself is measured by ``coverage run``; its subprocesses by sitecustomize
os.environ.pop("MUTCOV_MAIN", None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    import coverage

    cov = coverage.Coverage.current()
    if cov is not None:
        cov.switch_context(item.nodeid)
    os.environ["MUTCOV_CONTEXT"] = item.nodeid
    try:
        yield
    finally:
        os.environ.pop("MUTCOV_CONTEXT", None)
        if cov is not None:
            cov.switch_context("")
