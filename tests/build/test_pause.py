"""The garbage collector is paused while the generator builds, and restored after."""

from __future__ import annotations

import gc
import shutil
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from generator.config import Settings
from generator.gcpause import collector_paused, without_collector

REPO = Path(__file__).resolve().parent.parent.parent


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
    from generator.content import check as validate
    from generator.render import renderer as render

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


def test_a_build_sets_aside_what_it_keeps_and_the_next_takes_it_back(tmp_path: Path) -> None:
    """What a full build keeps is out of the collector's sight while MkDocs works; the next
    build (a rebuild under mkdocs serve) takes it back, so that what the first build left
    behind is still collected."""
    from generator.build.workspace import Workspace

    project = tmp_path / "project"
    for name in ("content", "briefings"):
        shutil.copytree(REPO / name, project / name)
    shutil.copy(REPO / "briefing.yml", project / "briefing.yml")
    gc.unfreeze()
    gc.enable()
    workspace = Workspace(project)

    class Leftover:
        pass

    leftover = Leftover()
    leftover.cycle = leftover  # type: ignore[attr-defined]  # only the collector frees it
    gone = weakref.ref(leftover)
    try:
        workspace.build()
        first = gc.get_freeze_count()
        assert first > 0
        workspace.build()  # nothing changed (the plugin's build after `briefing build`)
        assert gc.get_freeze_count() > first // 2, "a build with nothing to redo keeps it aside"
        edit = project / "content/places/miami.yml"
        edit.write_text(edit.read_text().replace("name: Miami", "name: Miami, Florida"))
        del leftover  # garbage now, but set aside with everything alive at the build's end
        gc.collect()
        assert gone() is not None
        for _ in range(3):
            workspace.build()  # rebuilds set nothing aside
        assert gc.get_freeze_count() == 0
        gc.collect()
        assert gone() is None, "the next build must hand set-aside objects back"
    finally:
        gc.unfreeze()
