"""Measure Python subprocesses during ``bench_mutation_procedural.py collect``.

Active only when ``MUTCOV_DATA`` is set (the collection step sets it); records the lines run by
the subprocess under the context in ``MUTCOV_CONTEXT`` (the test that started it).
"""

import os

if os.environ.get("MUTCOV_DATA") and not os.environ.get("MUTCOV_MAIN"):
    try:
        import coverage

        _cov = coverage.Coverage(
            data_file=os.environ["MUTCOV_DATA"], data_suffix=True,
            source=os.environ["MUTCOV_SOURCE"].split(os.pathsep),
            context=os.environ.get("MUTCOV_CONTEXT", "subprocess"))
        _cov.start()
        import atexit

        atexit.register(lambda: (_cov.stop(), _cov.save()))
    except Exception:  # measuring is best effort: never break the program measured
        pass
