"""One build at a time in a project: an ``flock`` on ``.cache/briefing/build.lock``.

The lock is the project's, not the output folder's: ``briefing build`` and ``briefing pdf``
both write the print edition (``pdf`` to any path, often inside ``site/``), so only a lock
they share keeps them apart; a lock file beside a PDF or a site folder would be written into
folders the command does not own (a web server's root, say), while the project's ``.cache/``
is the project's own and git ignores it. Two builds of different projects into one folder
are kept apart by the staging folders' own locks (``write.Staging``).

The kernel releases an ``flock`` when its holder ends, however it ends (SIGKILL too), so a
lock is never left behind; the file stays (removing it would let a waiting build and a new
one lock two different files). It holds the holder's process id, for the message a second
build prints.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

from generator.errors import BriefingError

LOCK_FILE = Path(".cache") / "briefing" / "build.lock"


class Busy(BriefingError):
    """Another process holds the lock."""

    def __init__(self, pid: int | None):
        super().__init__(f"another build (pid {pid}) is running" if pid else
                         "another build is running")
        self.pid = pid


class Unavailable(BriefingError):
    """The lock file cannot be made or opened (a read-only project folder, say)."""


class ProjectLock:
    """The build lock of the project at ``root``; ``acquire`` it, then ``release`` it."""

    def __init__(self, root: Path):
        self.root = root
        self.path = root / LOCK_FILE
        self._fd: int | None = None

    def acquire(self, *, wait: bool) -> None:
        """Take the lock; without ``wait``, raise Busy (with the holder's pid) if it is held.

        A signal handler that raises (the CLI's) interrupts a wait.
        """
        fd = self._open()
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                raise Busy(_holder(fd)) from None
            try:
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            except OSError:
                pass  # opened read-only (another user's file): locked all the same
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)  # no stale pid for the next build's message
        except OSError:
            pass
        os.close(self._fd)  # closing the last descriptor releases the lock
        self._fd = None

    def _open(self) -> int:
        """Open the lock file, making its folders; links on the way are refused, not followed."""
        try:
            folder = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
            try:
                for name in LOCK_FILE.parent.parts:
                    try:
                        os.mkdir(name, 0o777, dir_fd=folder)
                    except FileExistsError:
                        pass
                    inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW,
                                    dir_fd=folder)
                    os.close(folder)
                    folder = inner
                flags = os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
                try:
                    return os.open(LOCK_FILE.name, os.O_RDWR | flags, 0o666, dir_fd=folder)
                except PermissionError:
                    return os.open(LOCK_FILE.name, os.O_RDONLY | flags, 0o666, dir_fd=folder)
            finally:
                os.close(folder)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                why = "a link or a file stands where a folder or the lock file should be"
            else:
                why = exc.strerror or str(exc)
            raise Unavailable(f"cannot lock {self.path}: {why}") from None


def _holder(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None
