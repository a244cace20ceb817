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

from .._validate import _kind
from ..errors import InputError


def check_blas_threads(value: object, name: str = "blas_threads") -> int | None:
    """``value`` is None (leave BLAS alone) or a positive integer."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{name}={value!r} must be a positive integer{_kind(value)} (1 is "
                         "fastest on shared "
                         "cores) or None to leave the BLAS thread count as it is")
    return int(value)


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
