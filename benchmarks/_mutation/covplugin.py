"""pytest plugin used by ``bench_mutation_procedural.py collect-tests``: one coverage context per
test.

Loaded with ``-p covplugin`` under ``coverage run``; it switches the coverage context to the
test's node id while the test runs, and exports it in ``MUTCOV_CONTEXT`` so that Python
subprocesses started by the test (measured by ``sitecustomize.py`` beside this file) record
their lines under the same test. Each test's duration and outcome are appended to the JSON-lines
file ``MUTCOV_LOG`` as it ends, and the coverage data is saved at least once a minute, so that a
collection stopped part-way still leaves the contexts of the tests it ran.
"""

from __future__ import annotations

import json
import os
import time

import pytest

# the pytest process itself is measured by ``coverage run``; its subprocesses by sitecustomize
os.environ.pop("MUTCOV_MAIN", None)
_saved = [time.time()]
_runs: dict[str, dict] = {}


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
            if time.time() - _saved[0] > 60:
                cov.save()
                _saved[0] = time.time()
        rec = _runs.pop(item.nodeid, None)
        if rec is not None and os.environ.get("MUTCOV_LOG"):
            with open(os.environ["MUTCOV_LOG"], "a") as fh:
                fh.write(json.dumps(rec) + "\n")


def pytest_runtest_logreport(report):
    rec = _runs.setdefault(report.nodeid, {"test": report.nodeid, "seconds": 0.0,
                                           "outcome": "passed"})
    rec["seconds"] = round(rec["seconds"] + report.duration, 3)
    if report.failed:
        rec["outcome"] = "failed"
    elif report.skipped and rec["outcome"] == "passed":
        rec["outcome"] = "skipped"
