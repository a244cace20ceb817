"""Writing output files: checked before the work, written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable

from .errors import OutputError

__all__ = ["check_writable", "write_output"]


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


def write_output(path: str, produce: Callable[[str], None], *, option: str) -> None:
    """Call ``produce(name)`` to write the file, then move it to ``path``.

    A regular file is written to a temporary name in the same folder and renamed, so a failure
    (disk full, a read-only folder) leaves neither a partial nor an empty file behind; a device
    or a pipe is written in place. Errors are :class:`OutputError` naming the option and file.
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
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{base}.", suffix=ext)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write {option} {path!r}: {_reason(exc)}; nothing was "
                          "written") from None
    try:
        produce(tmp)
        mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644
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
