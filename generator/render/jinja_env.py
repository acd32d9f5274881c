"""The Jinja environment the pages are rendered with, and the cache of compiled templates it
keeps between runs. Both use Jinja's documented interfaces only (``Environment`` options,
``BytecodeCache``); the speed of a large build comes from what the templates call, not from
changes to Jinja.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import platformdirs
from markupsafe import Markup

log = logging.getLogger(__name__)


#: The folder under the user's cache folder (platformdirs) that keeps compiled templates.
CACHE_NAME = "briefing-generator"
# Opening a file or folder of the cache never follows a link at it, and never waits on a
# pipe planted there.
_NO_LINK = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class BytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept between runs in ``directory``: compiling the site's templates
    takes longer than rendering a hundred sheets' pages. Jinja checks each template's text; the
    key adds this module's own text, so that code compiled before a change to how this module
    sets Jinja up is never read after it.

    The folder is private (0700, created so, or made so if this user owns it) and neither it
    nor a file in it is used through a link: a link planted there is refused (not followed,
    not changed), as is a folder another user owns. A cache that cannot be read or written,
    or is damaged, is only slower."""

    _KEY = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self._KEY}|{name}", filename)

    def _file(self, bucket: jinja2.bccache.Bucket) -> str:
        return f"jinja-{bucket.key}.cache"

    @contextlib.contextmanager
    def _folder(self) -> Iterator[int]:
        """The cache folder, open; OSError if it is missing, a link, not a folder, someone
        else's or open to others."""
        fd = _own_folder(self.directory)
        try:
            if stat.S_IMODE(os.fstat(fd).st_mode) != 0o700:
                raise PermissionError(f"{self.directory} is open to other users")
            yield fd
        finally:
            os.close(fd)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            with self._folder() as folder:
                fd = os.open(self._file(bucket), os.O_RDONLY | _NO_LINK, dir_fd=folder)
                with open(fd, "rb") as entry:
                    if not stat.S_ISREG(os.fstat(entry.fileno()).st_mode):
                        return
                    bucket.load_bytecode(entry)
        except Exception:  # noqa: BLE001 - none kept, a link, unreadable or damaged: compile
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        name = self._file(bucket)
        # A new file of its own, renamed over the old one when whole: another build never
        # reads half of it, and a link at the name is replaced, never written through.
        temporary = f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            with self._folder() as folder:
                fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_LINK,
                             0o600, dir_fd=folder)
                try:
                    with open(fd, "wb") as entry:
                        bucket.write_bytecode(entry)
                    os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(temporary, dir_fd=folder)
                    raise
        except OSError as exc:
            log.debug("compiled template not kept: %s", exc)


def _own_folder(path: Path) -> int:
    """``path`` opened as a folder; OSError if it is missing, a link, not a folder, or another
    user's."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | _NO_LINK)
    if os.fstat(fd).st_uid != os.geteuid():
        os.close(fd)
        raise PermissionError(f"{path} belongs to another user")
    return fd


def cache_folder() -> Path:
    """Where compiled templates are kept: a folder of the user's own cache folder
    (``~/.cache/briefing-generator`` on Linux, or under ``$XDG_CACHE_HOME``)."""
    return platformdirs.user_cache_path(CACHE_NAME, appauthor=False)


def bytecode_cache(directory: Path | None = None) -> jinja2.BytecodeCache | None:
    """The cache of compiled templates in ``directory`` (by default ``cache_folder()``), made
    if missing, private (0700) if this user owns it; None if it cannot be had safely (a link,
    another user's folder, no home): templates are then compiled on every run."""
    folder = directory or cache_folder()
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
        fd = _own_folder(folder)
        try:
            os.fchmod(fd, 0o700)  # the folder itself, never what a link there points at
        finally:
            os.close(fd)
    except OSError as exc:
        log.debug("compiled templates not kept between runs: %s", exc)
        return None
    return BytecodeCache(folder)


class Environment(jinja2.Environment):
    """Jinja's environment as the pages use it: always autoescaping, with a ``finalize`` that
    escapes content text (``md_text``) and lets through what is already Markup. Nothing of
    Jinja's is changed: every ``{{ value }}`` goes through ``finalize`` and then Jinja's own
    ``escape()``, which leaves Markup as it is."""

    def __init__(self, *, finalize: Callable[[Any], Markup], **options: Any):
        super().__init__(finalize=finalize, autoescape=True, **options)
