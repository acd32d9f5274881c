"""The Jinja environment the pages are rendered with: Jinja's own, made faster where a build of
thousands of pages spends its time, with the same results.
"""

from __future__ import annotations

import hashlib
import logging
import types
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
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


class BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs, in Jinja's private per-user temporary folder:
    compiling the site's templates takes longer than rendering a hundred sheets' pages. Jinja
    checks each template's text; the key adds this module's own text, since it changes how
    templates compile. A cache that cannot be read or written is only slower."""

    _KEY = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self._KEY}|{name}", filename)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - a damaged entry: compile afresh
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as exc:
            log.debug("compiled template not kept: %s", exc)


def bytecode_cache() -> jinja2.BytecodeCache | None:
    try:
        return BytecodeCache()
    except (OSError, RuntimeError) as exc:  # no private temporary folder to be had
        log.debug("compiled templates not kept between runs: %s", exc)
        return None


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
