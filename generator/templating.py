"""The Jinja environment the pages are rendered with: Jinja's own, made faster where a build of
thousands of pages spends its time, with the same results.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import stat
import types
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import platformdirs
from markupsafe import Markup

log = logging.getLogger(__name__)


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator without the ``escape()`` that autoescaping wraps around every
    ``{{ value }}``: the environment's ``finalize`` (``md_text``) already returns Markup for
    every value, so that call would only copy it (about a million times in a large build)."""

    def _output_child_pre(self, node: Any, frame: Any, finalize: Any) -> None:
        if finalize.src is None or frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("(" + finalize.src)  # both parentheses are closed by _output_child_post


class _Context(jinja2.runtime.Context):
    """Jinja's template context, calling plain functions, methods and macros directly.

    Every ``{{ f(x) }}`` goes through ``Context.call``, which looks for ``pass_context`` and its
    kin on the callable and on its ``__call__`` (about half a second over 10,000 pages). A
    function or method without those marks, or a macro, is called here as it is; anything else
    takes Jinja's own path."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - as Jinja's
        kind = __obj.__class__
        if kind is jinja2.runtime.Macro or (
            kind in _PLAIN_CALLABLES
            and not hasattr(getattr(__obj, "__func__", __obj), "jinja_pass_arg")
        ):
            if kwargs:  # Jinja's own, for pass_context callables only
                kwargs.pop("_loop_vars", None)
                kwargs.pop("_block_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:  # as Jinja does
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception")
        return super().call(__obj, *args, **kwargs)


_PLAIN_CALLABLES = (types.FunctionType, types.MethodType)


#: The folder under the user's cache folder (platformdirs) that keeps compiled templates.
CACHE_NAME = "briefing-generator"
# Opening a file or folder of the cache never follows a link at it, and never waits on a
# pipe planted there.
_NO_LINK = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class BytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept between runs in ``directory``: compiling the site's templates
    takes longer than rendering a hundred sheets' pages. Jinja checks each template's text; the
    key adds this module's own text, since it changes how templates compile.

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
    """Jinja's environment with the code generator and context above. Always autoescaping,
    with a ``finalize`` that must return Markup for every value (it escapes content text):
    the code generator counts on it."""

    code_generator_class = _CodeGenerator
    context_class = _Context

    def __init__(self, *, finalize: Callable[[Any], Markup], **options: Any):
        super().__init__(finalize=finalize, autoescape=True, **options)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one dict, not Jinja's ChainMap over the environment's:
        every page copies them into its context and compares them again to import
        ``_macros.md.j2``, key by key through ChainMap's Python-level lookups (about 0.2 s over
        10,000 pages). So a global set after a template is loaded is not seen by it; Jinja
        advises against that anyway, and a Renderer sets its globals before loading any."""
        return {**self.globals, **(d or {})}
