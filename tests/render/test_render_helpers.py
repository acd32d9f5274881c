"""Helpers the templates call on every page (fast, and the same as the slow originals), the
escaping every page rests on, and the cache of compiled templates."""

from __future__ import annotations

import contextlib
import os
import posixpath
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup
from sitekit import EPOCH, EPOCH_DAY, make_sample
from test_site_injection import sheet_files, write_sheet

from generator.build.workspace import prepare
from generator.config import Settings
from generator.content.schema import KINDS
from generator.pdf import book
from generator.render import jinja_env as templating
from generator.render import renderer as render
from generator.render.renderer import Renderer, md_text, relative_path

REPO = Path(__file__).resolve().parent.parent.parent

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


#: Content text that would be markup if it reached a page as it is.
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def test_jinja_escapes_what_finalize_lets_through(tmp_path: Path) -> None:
    """Escaping rests on Jinja's own autoescape: ``md_text`` (the finalize) escapes content
    text for Markdown, and whatever it lets through as plain text Jinja escapes for HTML.
    Only Markup (what a helper or macro made safe) passes as it is."""
    (tmp_path / "t.md.j2").write_text("{{ x }}|{{ y }}")
    plain = templating.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)),
                                   finalize=lambda value: value)
    out = plain.get_template("t.md.j2").render(x=HOSTILE, y=Markup("<em>made</em>"))
    assert out == ("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
                   "|<em>made</em>")
    renderer = Renderer(tmp_path, Settings(title="T"))
    assert renderer.env.get_template("t.md.j2").render(x=HOSTILE, y="*b*") == (
        "&lt;script&gt;alert\\(1\\)&lt;/script&gt;&lt;img src=x onerror=alert\\(1\\)&gt;"
        "|\\*b\\*")


def test_no_template_marks_anything_safe() -> None:
    """Every template the generator ships, the site's and the print edition's: none turns
    autoescaping off or marks a value safe, so content text reaching any of them is escaped
    (Markup comes only from the helpers and macros, which escape what they are given)."""
    env = Renderer(REPO / "briefings", Settings(title="T")).env
    assert env.autoescape is True
    templates = sorted((REPO / "briefings").rglob("*.j2"))
    assert len(templates) > 20
    for path in templates:
        tree = env.parse(path.read_text(encoding="utf-8"))
        safe = [f for f in tree.find_all(jinja2.nodes.Filter) if f.name == "safe"]
        assert not safe, path.name
        assert not list(tree.find_all((jinja2.nodes.MarkSafe, jinja2.nodes.MarkSafeIfAutoescape,
                                       jinja2.nodes.EvalContextModifier))), path.name


def test_content_text_reaching_any_page_is_escaped(tmp_path: Path) -> None:
    """Every text field of a sheet of every kind holds markup: no page of the site, nor the
    print edition's HTML, holds it as markup; each sheet's page shows it as text."""
    root = make_sample(tmp_path / "project")
    for relative, data in sheet_files("hostile", HOSTILE).items():
        write_sheet(root, relative, data)
    prepared = prepare(root, EPOCH_DAY)
    kinds = {sheet.folder for sheet in prepared.briefing.sheets.values()
             if sheet.id.endswith("-hostile")}
    assert kinds == set(KINDS)
    shown = md_text(HOSTILE)
    for page in prepared.pages:
        assert "<script>" not in page.markdown and "<img" not in page.markdown, page.path
        if page.path.split("/")[-1].endswith("-hostile.md"):
            assert shown in page.markdown, page.path
    html = book.assemble(prepared, EPOCH).html
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _cached_renderer(templates: Path, cache: Path) -> Renderer:
    renderer = Renderer(templates, Settings(title="T"))
    renderer.env.bytecode_cache = templating.bytecode_cache(cache)
    return renderer


def _compiles(renderer: Renderer, name: str) -> int:
    """How many times loading template ``name`` compiles it (0: it came from the cache)."""
    count = 0
    compile_ = renderer.env.compile

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        return compile_(*args, **kwargs)

    renderer.env.compile = counting  # type: ignore[method-assign]
    renderer.env.get_template(name)
    return count


def test_compiled_templates_are_kept_and_an_edit_is_seen(tmp_path: Path) -> None:
    templates, cache = tmp_path / "t", tmp_path / "cache"
    templates.mkdir()
    cache.mkdir()
    (templates / "p.md.j2").write_text("one {{ x }}")
    assert _cached_renderer(templates, cache).env.get_template("p.md.j2").render(x=1) == "one 1"
    assert len(list(cache.iterdir())) == 1
    (templates / "p.md.j2").write_text("two {{ x }}")
    assert _cached_renderer(templates, cache).env.get_template("p.md.j2").render(x=2) == "two 2"


def test_a_compiled_template_is_read_back(tmp_path: Path) -> None:
    templates, cache = tmp_path / "t", tmp_path / "cache"
    templates.mkdir()
    (templates / "p.md.j2").write_text("{{ x }}")
    assert _compiles(_cached_renderer(templates, cache), "p.md.j2") == 1
    assert _compiles(_cached_renderer(templates, cache), "p.md.j2") == 0


@contextlib.contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def test_the_cache_is_the_users_own_and_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the user's cache folder (XDG_CACHE_HOME here), never a shared temporary folder: the
    folder 0700 whatever the umask (and made so when it was not), each entry 0600."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    templates = tmp_path / "t"
    templates.mkdir()
    (templates / "p.md.j2").write_text("{{ x }}")
    folder = tmp_path / "xdg" / "briefing-generator"
    with _umask(0o002):
        assert templating.cache_folder() == folder
        renderer = Renderer(templates, Settings(title="T"))
        assert renderer.env.get_template("p.md.j2").render(x=1) == "1"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    entries = list(folder.iterdir())
    assert len(entries) == 1 and stat.S_IMODE(entries[0].stat().st_mode) == 0o600
    folder.chmod(0o755)
    assert templating.bytecode_cache() is not None
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def _outside(tmp_path: Path, mode: int) -> tuple[Path, dict[str, bytes], int]:
    """A folder a link is planted to: its files and mode, to compare afterwards."""
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_bytes(b"not the cache's")
    target.chmod(mode)
    return target, {p.name: p.read_bytes() for p in target.iterdir()}, mode


def test_a_link_planted_at_the_cache_folder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program (or user, where the cache folder was shared) makes the cache folder a
    link: nothing is written through it, its target keeps its mode, the build goes on."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    templates = tmp_path / "t"
    templates.mkdir()
    (templates / "p.md.j2").write_text("{{ x }}")
    target, files, mode = _outside(tmp_path, 0o755)
    folder = tmp_path / "xdg" / "briefing-generator"
    folder.parent.mkdir()
    folder.symlink_to(target, target_is_directory=True)
    renderer = Renderer(templates, Settings(title="T"))
    assert renderer.env.bytecode_cache is None
    assert renderer.env.get_template("p.md.j2").render(x=1) == "1"
    assert folder.is_symlink()
    assert {p.name: p.read_bytes() for p in target.iterdir()} == files
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_a_link_planted_later_is_refused_too(tmp_path: Path) -> None:
    """The folder becomes a link after the cache was opened (between two builds of a
    `mkdocs serve`): reading and writing refuse it."""
    templates, cache = tmp_path / "t", tmp_path / "cache"
    templates.mkdir()
    (templates / "p.md.j2").write_text("{{ x }}")
    renderer = _cached_renderer(templates, cache)
    assert renderer.env.bytecode_cache is not None
    shutil.rmtree(cache)
    # Private and this user's, as the cache folder would be: only the link gives it away.
    target, files, mode = _outside(tmp_path, 0o700)
    cache.symlink_to(target, target_is_directory=True)
    assert _compiles(renderer, "p.md.j2") == 1
    assert {p.name: p.read_bytes() for p in target.iterdir()} == files
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_a_link_or_a_pipe_at_a_cache_entry_is_refused(tmp_path: Path) -> None:
    """An entry that is a link is not read (its target is not even opened) and is replaced by
    the compiled template, never written through; a pipe there does not make the build wait."""
    templates, cache = tmp_path / "t", tmp_path / "cache"
    templates.mkdir()
    (templates / "p.md.j2").write_text("{{ x }}")
    assert _compiles(_cached_renderer(templates, cache), "p.md.j2") == 1
    (entry,) = cache.iterdir()
    compiled = entry.read_bytes()
    outside = tmp_path / "outside.cache"
    outside.write_bytes(compiled)  # a valid entry: following the link would load it
    entry.unlink()
    entry.symlink_to(outside)
    assert _compiles(_cached_renderer(templates, cache), "p.md.j2") == 1
    assert outside.read_bytes() == compiled
    assert not entry.is_symlink() and entry.read_bytes() == compiled
    entry.unlink()
    os.mkfifo(entry)
    assert _compiles(_cached_renderer(templates, cache), "p.md.j2") == 1


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="needs root to give a folder to another user")
def test_a_cache_folder_of_another_user_is_refused(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o777)
    cache.chmod(0o777)
    os.chown(cache, 65534, 65534)
    assert templating.bytecode_cache(cache) is None
    assert stat.S_IMODE(cache.stat().st_mode) == 0o777


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
    from generator.build import workspace as pipeline

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
