"""Helpers the templates call on every page: fast, and the same as the slow originals."""

from __future__ import annotations

import posixpath
import shutil
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
from hypothesis import given
from hypothesis import strategies as st

from generator import render, templating
from generator.config import Settings
from generator.render import Renderer, md_text, relative_path

REPO = Path(__file__).resolve().parent.parent

part = st.sampled_from(["actors", "terms", "index.md", "x.md", "a", "b"])
path = st.lists(part, min_size=0, max_size=3).map("/".join)


@given(target=path.filter(bool), here=path)
def test_relative_path_is_posixpath_relpath(target: str, here: str) -> None:
    assert relative_path(target, here) == posixpath.relpath(target, here or ".")


def test_escaping_is_the_same_when_remembered() -> None:
    text = "C# & <b>[x](javascript:alert(1))</b> 1. item"
    first, second = md_text(text), md_text(text)
    assert first == second == (
        "C\\# &amp; &lt;b&gt;\\[x\\]\\(javascript:alert\\(1\\)\\)&lt;/b&gt; 1. item"
    )


def test_template_calls_behave_as_in_jinja(tmp_path: Path) -> None:
    """The fast call path: plain functions and macros directly, pass_context callables with
    their context, loop variables not leaking into arguments, StopIteration undefined."""
    (tmp_path / "t.md.j2").write_text(
        "{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}"
        "{% for i in [1, 2] %}{{ plain(i) }}:{{ with_context() }}:{{ twice(i) }};{% endfor %}"
        "{{ stops() is undefined }}"
    )
    renderer = Renderer(tmp_path, Settings(title="T"))

    @jinja2.pass_context
    def with_context(context: Any) -> str:
        return str(context["shown"])

    def stops() -> str:
        raise StopIteration

    renderer.env.globals.update(plain=lambda i: i * 10, with_context=with_context, stops=stops)
    out = renderer.env.get_template("t.md.j2").render(shown="ctx")
    assert out == "10:ctx:11;20:ctx:22;True"


def _cached_renderer(templates: Path, cache: Path) -> Renderer:
    renderer = Renderer(templates, Settings(title="T"))
    renderer.env.bytecode_cache = templating.BytecodeCache(str(cache))
    return renderer


def test_compiled_templates_are_kept_and_an_edit_is_seen(tmp_path: Path) -> None:
    templates, cache = tmp_path / "t", tmp_path / "cache"
    templates.mkdir()
    cache.mkdir()
    (templates / "p.md.j2").write_text("one {{ x }}")
    assert _cached_renderer(templates, cache).env.get_template("p.md.j2").render(x=1) == "one 1"
    assert len(list(cache.iterdir())) == 1
    (templates / "p.md.j2").write_text("two {{ x }}")
    assert _cached_renderer(templates, cache).env.get_template("p.md.j2").render(x=2) == "two 2"


def test_a_damaged_or_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    templates, cache = tmp_path / "t", tmp_path / "cache"
    templates.mkdir()
    cache.mkdir()
    (templates / "p.md.j2").write_text("{{ x }}")
    _cached_renderer(templates, cache).env.get_template("p.md.j2")
    for entry in cache.iterdir():
        entry.write_bytes(jinja2.bccache.bc_magic + b"garbage")
    assert _cached_renderer(templates, cache).env.get_template("p.md.j2").render(x=3) == "3"
    gone = _cached_renderer(templates, cache)
    shutil.rmtree(cache)  # the folder vanishes: the compiled template cannot be kept
    (templates / "p.md.j2").write_text("{{ x }}!")
    assert gone.env.get_template("p.md.j2").render(x=4) == "4!"


def test_a_remembered_citation_still_notes_its_footnotes() -> None:
    """The second page that shows a citation takes the remembered line, and still lists the
    sources it cites; a page elsewhere, or a page about one of those sources, gets its own."""
    from generator import pipeline

    prepared = pipeline.prepare(REPO)
    briefing = prepared.briefing
    renderer = Renderer(REPO / "briefings", prepared.project.settings)
    citation = briefing.open_questions[0]
    source = citation.fact.sources[0]

    def shown(path: str, subject: str | None = None) -> tuple[str, list[str]]:
        page = render.PageContext(briefing, path, subject, renderer.fact_text,
                                  renderer._citations)
        return page.citation(citation), [s.id for s in page.cited]

    first = shown("open-questions.md")
    assert first[1] == [source] and f"[^{source}]" in first[0]
    assert shown("open-questions.md") == first
    elsewhere = shown("sources/x.md")
    assert elsewhere[0] != first[0] and elsewhere[1] == [source]
    on_the_source = shown("sources/x.md", subject=source)
    assert f"[^{source}]" not in on_the_source[0] and on_the_source[1] == []
