"""Python's cyclic garbage collector, paused while the generator builds.

A build makes millions of objects that live until it ends (sheets, pages, caches) and almost no
reference cycles. Each of the collector's full passes walks every live object, and they come
more often as the heap grows: at 10,000 sheets the collector took about a sixth of the generator's
time and freed nothing (peak memory is the same with it paused). Reference counting still frees
everything as usual; cycles made meanwhile are collected by the first pass after the build.

What a full build keeps (the briefing, its pages) then lives on while MkDocs turns the pages
into HTML, and every full pass MkDocs' own work sets off would walk it again: ``set_aside``
moves the objects alive at the end of a full build out of the collector's sight
(``gc.freeze``; at 10,000 sheets the collector took 5 s of a 77 s site build). ``take_back``
returns them when a later build has something to redo (a rebuild under ``mkdocs serve``,
which sets nothing aside), so that what the first build left behind is collected as usual.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_depth = 0


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the collector inside the block (nested blocks too); restore it as it was."""
    global _depth
    was_enabled = gc.isenabled()
    _depth += 1
    gc.disable()
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0 and was_enabled:
            gc.enable()


def without_collector(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` with the collector paused."""

    @functools.wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        with collector_paused():
            return function(*args, **kwargs)

    return paused


def set_aside() -> None:
    """At the end of a full build: the collector no longer walks what is alive now."""
    gc.freeze()


def take_back() -> None:
    """When a later build redoes something: what was set aside is collectable again."""
    gc.unfreeze()
