"""Writing output files: checked before the work, written whole or not at all."""

from __future__ import annotations

import json
import math
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction

from .errors import OutputError

__all__ = ["check_writable", "write_output", "json_text", "restore_non_finite", "NON_FINITE"]


# non-finite numbers in JSON output: the strings that the readers of support ends already accept
NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def _standard(value):
    """``value`` with every non-finite float as ``"inf"``, ``"-inf"`` or ``"nan"`` (numpy
    scalars and arrays as Python numbers and lists first)."""
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _standard(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_standard(v) for v in value]
    if hasattr(value, "dtype") and hasattr(value, "tolist"):  # a numpy scalar or array
        return _standard(value.tolist())
    return value


def json_text(value, **options) -> str:
    """Standard JSON text of ``value`` (``json.dumps`` options pass through): a non-finite
    number is written as the string ``"inf"``, ``"-inf"`` or ``"nan"``, never as the
    ``Infinity``/``NaN`` that strict parsers refuse (``allow_nan=False`` makes any left an
    error)."""
    return json.dumps(_standard(value), allow_nan=False, **options)


def restore_non_finite(value):
    """The inverse of :func:`json_text` for data read back: the strings ``"inf"``, ``"-inf"``
    and ``"nan"`` (values, not keys) as the floats they stand for."""
    if isinstance(value, str):
        return NON_FINITE.get(value, value)
    if isinstance(value, dict):
        return {k: restore_non_finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [restore_non_finite(v) for v in value]
    return value


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def check_writable(path: str, option: str) -> None:
    """Refuse, before any work is done, an output path that cannot be written."""
    if os.path.isdir(path):
        raise OutputError(f"{option} {path!r} is a folder; give a file name")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise OutputError(f"{option} {path!r}: the folder {parent!r} does not exist; create it "
                          "or choose another path")
    if os.path.exists(path) and not os.path.isfile(path):
        return  # a device or a pipe: written in place
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{option} {path!r}: the folder {parent!r} is not writable; choose "
                          "another path")
    if os.path.isfile(path) and _read_only(path):
        raise OutputError(f"{option} {path!r} is read-only; it was left unchanged: make it "
                          "writable (chmod u+w) or choose another path")


def _read_only(path: str) -> bool:
    """A file that its mode keeps from writing (even for a super-user, who may write any file:
    replacing a file marked read-only is not what its owner asked for)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) or not os.access(
        path, os.W_OK)


def _umask() -> int:
    """The process's umask, read without changing it where the system tells it (Linux);
    elsewhere set and restored at once."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8) & 0o777
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


STALE_SECONDS = 600.0  # a temporary of a process that is gone, this old, is a kill's leftover


def _temp_prefix(base: str) -> str:
    return f".{base}.~{os.getpid()}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # another user's process, or a number the system cannot check
    return True


def _remove_stale_temporaries(parent: str, base: str, ext: str) -> None:
    """Remove temporaries of this module's own name pattern (``.<name>.~<pid>.<8 chars><ext>``)
    for the same file, left by a process that was killed while writing: only those whose
    process is gone and that are older than :data:`STALE_SECONDS`."""
    pattern = re.compile(rf"\.{re.escape(base)}\.~(\d{{1,10}})\.[a-z0-9_]{{8}}{re.escape(ext)}")
    try:
        names = os.listdir(parent)
    except OSError:
        return
    now = time.time()
    for name in names:
        m = pattern.fullmatch(name)
        if m is None or int(m.group(1)) == os.getpid() or _alive(int(m.group(1))):
            continue
        full = os.path.join(parent, name)
        try:
            info = os.lstat(full)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_SECONDS:
                os.unlink(full)
        except OSError:
            pass


def write_output(path: str, produce: Callable[[str], None], *, option: str) -> None:
    """Call ``produce(name)`` to write the file, then move it to ``path``.

    A regular file is written to a temporary name in the same folder and renamed, so a failure
    (disk full, a read-only folder) leaves neither a partial nor an empty file behind; a device
    or a pipe is written in place. A new file gets the mode the umask allows (``0o666 &
    ~umask``), a replaced file keeps its mode; a read-only file is refused. Temporaries that a
    killed process left for the same file (its own name pattern, the process gone, older than
    :data:`STALE_SECONDS`) are removed. Errors are :class:`OutputError` naming the option and
    file.
    """
    check_writable(path, option)
    if os.path.exists(path) and not os.path.isfile(path):
        try:
            produce(path)
        except OSError as exc:
            raise OutputError(f"cannot write {option} {path!r}: {_reason(exc)}") from None
        return
    parent = os.path.dirname(os.path.abspath(path))
    base, ext = os.path.splitext(os.path.basename(path))
    _remove_stale_temporaries(parent, base, ext)
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=_temp_prefix(base), suffix=ext)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write {option} {path!r}: {_reason(exc)}; nothing was "
                          "written") from None
    try:
        produce(tmp)
        mode = (os.stat(path).st_mode & 0o777 if os.path.exists(path)
                else 0o666 & ~_umask())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        _unlink(tmp)
        raise OutputError(f"cannot write {option} {path!r}: {_reason(exc)}; nothing was "
                          "written") from None
    except BaseException:
        _unlink(tmp)
        raise


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def rounded_float(value: Fraction, direction: int) -> float:
    """``value`` as a float rounded down (-1), up (+1) or to nearest (0); beyond the largest
    double, ``inf`` on the side it was asked for and the largest double on the other."""
    try:
        f = float(value)
    except OverflowError:
        f = math.inf if value > 0 else -math.inf
    if math.isinf(f):
        if direction * f < 0:  # e.g. rounding down a value beyond the largest double
            return math.nextafter(f, 0.0)
        return f
    if direction > 0 and Fraction(f) < value:
        f = math.nextafter(f, math.inf)
    elif direction < 0 and Fraction(f) > value:
        f = math.nextafter(f, -math.inf)
    return f
