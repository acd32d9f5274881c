"""Writing output: only files whose bytes changed, and whole folders swapped in atomically.

Nothing here reads or replaces what is not a regular file or a folder: a fifo, a device or a
link where a file is to be written is refused (``NotAFile``), never opened.

A site is built into a staging folder beside its final place (``Staging``) and swapped in
(``publish``). Each staging folder is locked (``flock``) by the build that owns it, for as long
as that build runs, so a build removes only the staging folders whose owner is gone, and a
killed build's are removed by the next. Where the site folder cannot be swapped (a mount
point: a container's volume), it is updated in place instead, file by file.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import logging
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path
from types import TracebackType

from generator.errors import BriefingError

log = logging.getLogger(__name__)

_RENAME_EXCHANGE = 2
#: The owner's process id in a staging folder's name (``.site.building-<pid>-<random>``) or an
#: old site's (``.site.old-<pid>``).
_OWNER = re.compile(r"\.(?:building|old)-(\d+)")
#: Why a folder cannot be renamed: it is a mount point, or on another file system than the
#: staging folder.
_CANNOT_SWAP = (errno.EBUSY, errno.EXDEV)


class NotAFile(OSError, BriefingError):
    """Something other than a regular file is where a file is to be written."""

    def __init__(self, path: Path, kind: str):
        super().__init__(errno.EEXIST, f"it is {kind}, not a regular file", str(path))


class NotAFolder(OSError, BriefingError):
    """Something other than a folder is where an output folder is to be written."""

    def __init__(self, path: Path, kind: str):
        super().__init__(errno.ENOTDIR, f"it is {kind}, not a folder", str(path))


class NotASite(OSError, BriefingError):
    """A folder that holds files but no site a build made is where the site is to be written:
    publishing would delete them."""

    def __init__(self, path: Path, mark: str):
        super().__init__(errno.EEXIST, f"it holds files but no {mark}, so it is not a site a "
                         "build made, and building there would delete them", str(path))


def file_target(path: Path) -> Path:
    """Where writing the file ``path`` lands: links followed, so that a link to a file is
    kept and its target updated. NotAFile unless a regular file or nothing is there (or a
    link to nothing: its target is made)."""
    kind = _kind_at(path)
    if kind is not None and kind != "a regular file":
        raise NotAFile(path, kind)
    return Path(os.path.realpath(path))


def folder_target(path: Path, mark: str) -> Path:
    """Where writing the folder ``path`` lands: links followed, so that a link to a folder is
    kept and its target updated. NotAFolder if something else is there; NotASite if a folder
    there holds files but not ``mark`` (the file every build writes at the top of the site):
    the folder is replaced whole, and a mistyped path must not take someone's files with it."""
    kind = _kind_at(path)
    if kind is not None and kind != "a folder":
        raise NotAFolder(path, kind)
    target = Path(os.path.realpath(path))
    if kind is not None and not os.path.lexists(target / mark):
        with os.scandir(target) as entries:
            if any(True for _ in entries):
                raise NotASite(path, mark)
    return target


def write_if_changed(path: Path, data: bytes, *, mode: int | None = None) -> bool:
    """Write ``data`` to ``path`` atomically unless it already holds exactly those bytes;
    ``mode`` (default: private, 0600) is set before the file appears. NotAFile if something
    other than a regular file is at ``path``."""
    if _regular_bytes(path, len(data)) == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
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


class Staging:
    """A fresh folder beside ``final`` (same file system) to build into, locked while this
    process owns it. Making one removes the staging folders of builds that have ended.

    ``publish`` puts it in place of ``final``; leaving the ``with`` block without publishing
    removes it.
    """

    def __init__(self, final: Path):
        self.final = final
        final.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(final)
        self.path, self._fd = _owned_folder(final)
        # mkdtemp makes the folder private (0700); the published site must be readable as any
        # folder made here would be (0777 less the umask), e.g. by a web server's user.
        umask = os.umask(0)
        os.umask(umask)
        self.path.chmod(0o777 & ~umask)
        self.published = False

    def publish(self) -> None:
        publish(self.path, self.final)
        self.published = True
        self._release()

    def discard(self) -> None:
        if not self.published:
            shutil.rmtree(self.path, ignore_errors=True)
        self._release()

    def _release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.discard()


def remove_stale(final: Path) -> None:
    """Remove the staging folders (and old sites) beside ``final`` whose build has ended."""
    prefixes = (f".{final.name}.building-", f".{final.name}.old-")
    try:
        names = sorted(os.listdir(final.parent))
    except FileNotFoundError:
        return
    for name in names:
        if not name.startswith(prefixes):
            continue
        candidate = final.parent / name
        try:
            fd = os.open(candidate, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue  # not a folder, or gone already: not ours to touch
        try:
            if not _ended(fd, name):
                continue
            log.debug("removing %s, left by a build that has ended", candidate)
            shutil.rmtree(candidate, ignore_errors=True)
        finally:
            os.close(fd)


def publish(staged: Path, final: Path) -> None:
    """Put ``staged`` in place of ``final`` in one step; the old output is then removed.

    Readers (and a build killed at any moment) see either the old folder or the new one. A
    ``final`` that cannot be renamed (a mount point) is updated in place instead.
    """
    if not os.path.lexists(final):
        os.rename(staged, final)
        return
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    try:
        exchanged = _exchange(staged, final)
        if not exchanged:
            # No atomic exchange here: two renames, the old output kept until the new is in
            # place.
            os.rename(final, old)
    except OSError as exc:
        if exc.errno not in _CANNOT_SWAP:
            raise
        update_in_place(staged, final)
        return
    if exchanged:
        shutil.rmtree(staged)  # now the old output
        return
    os.rename(staged, final)
    shutil.rmtree(old)


def update_in_place(staged: Path, final: Path) -> None:
    """Make ``final`` hold what ``staged`` holds, file by file, then remove ``staged``.

    New and changed files are written first (each atomically, through a temporary file in its
    folder), then what the new site no longer has is removed. Killed half way, ``final`` holds
    some pages of each build (every file whole), files the new site has dropped and perhaps a
    ``.*.tmp`` file; the next build puts all of that right.
    """
    kept: set[str] = set()
    for folder, dirs, files in os.walk(staged):
        dirs.sort()
        relative = Path(folder).relative_to(staged)
        target = final / relative
        if relative != Path("."):
            _make_folder(target)
            kept.add(relative.as_posix())
        for name in sorted(files):
            source = Path(folder) / name
            _clear_for_file(target / name)
            write_if_changed(target / name, source.read_bytes(),
                             mode=stat.S_IMODE(source.stat().st_mode))
            kept.add((relative / name).as_posix())
    for folder, dirs, files in os.walk(final, topdown=False):
        relative = Path(folder).relative_to(final)
        for name in [*files, *dirs]:
            path = Path(folder) / name
            if (relative / name).as_posix() in kept:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
    shutil.rmtree(staged)


def _make_folder(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        return
    if os.path.lexists(path):
        path.unlink()  # a file or a link where the new site has a folder
    path.mkdir()


def _clear_for_file(path: Path) -> None:
    """Remove what is not a regular file where the new site has a file (inside the site
    folder, which the build owns): write_if_changed would rightly refuse it."""
    kind = _kind_at(path, follow=False)
    if kind == "a folder":
        shutil.rmtree(path)
    elif kind not in (None, "a regular file"):
        path.unlink()


def _owned_folder(final: Path) -> tuple[Path, int | None]:
    """A new staging folder beside ``final``, locked; its name holds this process's id too,
    for file systems without locks."""
    for _ in range(100):
        path = Path(tempfile.mkdtemp(dir=final.parent,
                                     prefix=f".{final.name}.building-{os.getpid()}-"))
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # Another build took it for stale before it was locked, and is removing it.
            os.close(fd)
            continue
        except OSError:
            os.close(fd)
            return path, None  # no locks on this file system: the pid in the name tells
        if _same(fd, path):
            return path, fd
        os.close(fd)  # removed meanwhile by another build's clean-up
    raise OSError(errno.EAGAIN, "could not make a staging folder", str(final.parent))


def _ended(fd: int, name: str) -> bool:
    """Whether the build that made the folder open at ``fd`` has ended."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        pass  # no locks here: ask whether the process named in the folder's name is alive
    else:
        return True
    owner = _OWNER.search(name)
    if owner is None or int(owner[1]) == os.getpid():
        return True
    try:
        os.kill(int(owner[1]), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, another user's
    return False


def _same(fd: int, path: Path) -> bool:
    try:
        there = os.stat(path)
    except OSError:
        return False
    here = os.fstat(fd)
    return (there.st_dev, there.st_ino) == (here.st_dev, here.st_ino)


def _kind_at(path: Path, *, follow: bool = True) -> str | None:
    """What is at ``path`` (following links unless ``follow`` is false), in words; None if
    nothing (or a link to nothing)."""
    try:
        mode = (os.stat if follow else os.lstat)(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    return _kind_of(mode)


def _kind_of(mode: int) -> str:
    for test, kind in (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISLNK, "a link"),
        (stat.S_ISFIFO, "a pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "a special file"


def _regular_bytes(path: Path, size: int) -> bytes | None:
    """The bytes of the regular file at ``path`` when it has ``size`` of them; None when it
    has another size or nothing is there. NotAFile for anything else, which is never opened
    (a fifo would block, a device never end)."""
    kind = _kind_at(path, follow=False)
    if kind is None:
        return None
    if kind != "a regular file":
        raise NotAFile(path, kind)
    try:
        # O_NONBLOCK and O_NOFOLLOW: if a fifo or a link was put there since, opening it
        # neither waits for a writer nor follows it.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO):
            raise NotAFile(path, "a link" if exc.errno == errno.ELOOP else "a socket") from None
        return None  # unreadable: written anew
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotAFile(path, _kind_of(info.st_mode))
        return handle.read(size + 1) if info.st_size == size else None


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` in one step (renameat2 RENAME_EXCHANGE); False where the system
    or the file system has no such call, OSError when it refuses (a mount point: EBUSY)."""
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
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))
