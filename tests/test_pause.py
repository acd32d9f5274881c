"""The garbage collector is paused while the generator builds, and restored after."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from generator.config import Settings
from generator.pause import collector_paused, without_collector


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_paused_inside_and_restored_after_even_on_error() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "the inner block must not resume it early"
        raise RuntimeError
    assert gc.isenabled()


def test_a_collector_paused_by_someone_else_stays_paused() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_decorated_function_runs_paused() -> None:
    @without_collector
    def state() -> bool:
        return gc.isenabled()

    gc.enable()
    assert state() is False
    assert gc.isenabled()


def test_check_and_render_run_paused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from generator import render, validate

    seen: list[bool] = []

    def record(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return ([], []) if not args or isinstance(args[0], Path) else []

    monkeypatch.setattr(validate, "discover", record)
    monkeypatch.setattr(render, "page_plan", record)
    gc.enable()
    validate.check(tmp_path, tmp_path)
    render.render_pages(cast(Any, None), tmp_path, Settings(title="T"))
    assert seen == [False, False]
    assert gc.isenabled()
