"""The number of threads BLAS may use inside the integrators and sweep workers.

The structured solves of the flow are small, memory-bound matrix products. When the cores are
shared (other processes, or several sweep workers) a multi-threaded BLAS spends its time waiting
for its own threads: one ``shifted_solver`` call at (d, k) = (1000, 51) took 0.14 s with the
default two OpenBLAS threads and 0.008 s with one on a busy 2-core machine. The hot loops
therefore run with one BLAS thread unless told otherwise.

The limit is set through ``threadpoolctl`` for the duration of a call and restored afterwards. It
applies to the whole process while it lasts (BLAS libraries keep one thread count per process),
so BLAS calls made by other Python threads during that time use it too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def blas_threads_limited(threads: int | None) -> Iterator[None]:
    """Run the block with at most ``threads`` BLAS threads (no change when None).

    Without ``threadpoolctl`` installed the block runs unchanged (slower on shared cores, the
    same numbers).

    Parameters
    ----------
    threads : int or None
        The most BLAS threads inside the block; ``None`` leaves the process's setting.

    Yields
    ------
    None
        The block runs with the limit; the previous setting is restored after it.
    """
    if threads is None:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # a core dependency; an environment without it only loses speed
        yield
        return
    with threadpool_limits(limits=threads, user_api="blas"):
        yield
