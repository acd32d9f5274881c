"""Writing output: only files whose bytes changed, and whole folders swapped in atomically."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
import os
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

_RENAME_EXCHANGE = 2


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically unless it already holds exactly those bytes."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def why_not_written(exc: OSError) -> str:
    """What stopped a file or folder being written, and what to do, for a one-line message."""
    if isinstance(exc, FileExistsError) and exc.filename:
        return f"{exc.filename} is not a folder"  # making the folders: a file stood in the way
    fix = _FIXES.get(exc.errno or 0)
    return f"{exc.strerror or exc}; {fix}" if fix else exc.strerror or str(exc)


def while_writing(exc: OSError) -> bool:
    """Whether only writing can have failed so (a full disk, a read-only one)."""
    return exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS)


_SPACE = "free some space on that disk, then run the command again"
_ELSEWHERE = "make the folder writable, or write the output elsewhere (--site-dir, --output)"
_FIXES = {
    errno.ENOSPC: _SPACE,
    errno.EDQUOT: _SPACE,
    errno.EROFS: "write the output to another disk (--site-dir, --output)",
    errno.EACCES: _ELSEWHERE,
    errno.EPERM: _ELSEWHERE,
}


def staging_dir(final: Path) -> Path:
    """A fresh folder beside ``final`` (same file system) to build into."""
    final.parent.mkdir(parents=True, exist_ok=True)
    for stale in final.parent.glob(f".{final.name}.building-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staged = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.building-"))
    # mkdtemp makes the folder private (0700); the published site must be readable as any
    # folder made here would be (0777 less the umask), e.g. by a web server's user.
    umask = os.umask(0)
    os.umask(umask)
    staged.chmod(0o777 & ~umask)
    return staged


def publish(staged: Path, final: Path) -> None:
    """Put ``staged`` in place of ``final`` in one step; the old output is then removed.

    Readers (and a build killed at any moment) see either the old folder or the new one.
    """
    if final.exists() and _exchange(staged, final):
        shutil.rmtree(staged)
        return
    if final.exists():
        # No atomic exchange here: two renames, the old output kept until the new is in place.
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        os.rename(final, old)
        os.rename(staged, final)
        shutil.rmtree(old)
    else:
        os.rename(staged, final)


def _exchange(a: Path, b: Path) -> bool:
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)
