"""Content text is data: every payload of tests/cases/injection/payloads.txt, put into every
text field of every kind, comes out as the visible text written and as nothing else.

One build holds every payload: payload NN gets its own sheet of each kind (ids ending in
``-pNN``), so each page below shows one payload in all its fields, and the composed pages
show all of them side by side.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sitekit import (
    EPOCH,
    Element,
    Html,
    built,
    make_sample,
    page,
    read_html,
    read_payloads,
    shown,
    squash,
)

from generator.build.workspace import prepare
from generator.content.loader import MAX_TEXT_CHARS
from generator.pdf import book
from generator.reference.jsonschema import schema_line

PAYLOADS = read_payloads()
IDS = [f"p{i:02d}" for i in range(len(PAYLOADS))]

#: Source addresses that pass validation (http/https with a host; no quote, angle bracket,
#: backslash, space or control character) but try to break out of the link they are written
#: into. Those that hold one of those characters are refused: tests/cases/invalid/url-*.yml.
URLS = [
    "https://evil.example/)](javascript:alert(1))",
    "https://evil.example/?a=1&b=%3Cb%3E&c=%3Cscript%3E",
    "https://evil.example/?q=&quot;onmouseover=alert(1)//&lt;script&gt;",
    "https://evil.example/{{7*7}}|x|[^1]",
    "https://evil.example/*[HTML]:_x_[click](javascript:alert(1))",
]

#: An actor whose name and role are as long as the loader allows, of characters that DOT
#: spells in more bytes: far beyond the most Graphviz reads in one string (16,384 bytes).
LONG_NAME = "&\\" * (MAX_TEXT_CHARS // 2)
LONG_ACTOR = {
    "id": "actor-long", "name": LONG_NAME, "kind": "person",
    "roles": [{"title": LONG_NAME, "of": "northland-fund", "facts": [
        {"text": "Has a role.", "sources": ["wire-report"], "certainty": "reported"}]}],
    "relations": [{"to": "ben-south", "kind": "met", "facts": [
        {"text": "Met.", "sources": ["wire-report"], "certainty": "reported"}]}],
    "facts": [{"text": "Has a long name.", "sources": ["wire-report"], "certainty": "reported"}],
}
#: Most characters the relationship graph writes in a box or on an arrow.
GRAPH_BOX = 80

SITE_TITLE = "<script>alert(1)</script> {{ 7*7 }} | x |"
SITE_SUBTITLE = "</script><img src=x onerror=alert(1)> **b** [^1]"

#: Tags that no page has (the theme uses none of them), so content made them.
FORBIDDEN_TAGS = {"img", "iframe", "frame", "object", "embed", "style", "audio", "video",
                  "template", "math"}
#: Tags the theme has but the content area never does.
FORBIDDEN_IN_ARTICLE = {"form", "input", "button", "textarea", "select", "link", "meta", "base",
                        "foreignobject", "animate", "set"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


def sheet_files(n: str, p: str) -> dict[str, dict[str, Any]]:
    """The seven sheets of payload ``p``, every text field holding it."""
    src = f"src-{n}"

    def facts(certainty: str = "reported") -> list[dict[str, Any]]:
        return [{"text": p, "sources": [src], "certainty": certainty}]

    return {
        f"sources/{src}": {
            "id": src, "title": p, "kind": "news", "publisher": p, "author": p,
            "published": "2025-11", "url": f"https://example.org/{n}", "summary": p,
            "facts": facts("confirmed"),
        },
        f"actors/actor-{n}": {
            "id": f"actor-{n}", "name": p, "kind": "person", "aliases": [p], "side": p,
            "summary": p,
            "roles": [{"title": p, "of": "northland-fund", "facts": facts("possible")}],
            "relations": [{"to": "ben-south", "kind": "met", "facts": facts("denied")}],
            "facts": facts(),
        },
        f"plans/plan-{n}": {
            "id": f"plan-{n}", "title": p, "aliases": [p], "status": "drafted", "points": 3,
            "drafted_by": [f"actor-{n}"], "drafted_at": f"event-{n}",
            "deadline": {"date": "2025-12-01", "label": p}, "summary": p, "facts": facts(),
        },
        f"terms/term-{n}": {
            "id": f"term-{n}", "plan": f"plan-{n}", "number": 2, "title": p, "aliases": [p],
            "category": "other", "summary": p, "facts": facts("disputed"),
        },
        f"positions/position-{n}": {
            "id": f"position-{n}", "actor": f"actor-{n}", "on": f"term-{n}",
            "stance": "rejects", "as_of": "2025-11", "summary": p, "facts": facts(),
        },
        f"events/event-{n}": {
            "id": f"event-{n}", "date": "late 2025-10", "title": p, "place": f"place-{n}",
            "participants": [f"actor-{n}"], "plans": [f"plan-{n}"], "summary": p,
            "facts": facts(),
        },
        f"places/place-{n}": {
            "id": f"place-{n}", "name": p, "kind": "venue", "city": p, "country": p,
            "linked_to": [f"actor-{n}"], "summary": p, "facts": facts(),
        },
    }


def url_source(i: int, url: str) -> dict[str, Any]:
    return {
        "id": f"url-{i}", "title": f"Address case {i}", "kind": "news", "url": url,
        "facts": [{"text": "Has an address.", "sources": [f"url-{i}"],
                   "certainty": "reported"}],
    }


def write_sheet(root: Path, relative: str, data: dict[str, Any]) -> None:
    # JSON is YAML: every string double-quoted. Characters beyond ASCII are written as they are
    # (YAML reads JSON's surrogate pairs as two lone surrogates), but for the line breaks YAML
    # knows and JSON does not, which are escaped.
    kind = relative.split("/")[0]
    path = root / "content" / f"{relative}.yml"
    body = json.dumps(data, indent=1, ensure_ascii=False)
    body = body.replace("\x85", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    path.write_text(f"{schema_line(kind)}\n{body}\n", encoding="utf-8", newline="\n")


@pytest.fixture(scope="module")
def injected(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = make_sample(tmp_path_factory.mktemp("injection") / "project")
    for n, p in zip(IDS, PAYLOADS, strict=True):
        for relative, data in sheet_files(n, p).items():
            write_sheet(root, relative, data)
    for i, url in enumerate(URLS):
        write_sheet(root, f"sources/url-{i}", url_source(i, url))
    write_sheet(root, "actors/actor-long", LONG_ACTOR)
    settings = yaml.safe_load((root / "briefing.yml").read_text(encoding="utf-8"))
    settings.update(title=SITE_TITLE, subtitle=SITE_SUBTITLE)
    (root / "briefing.yml").write_text(json.dumps(settings, indent=1) + "\n", encoding="utf-8")
    return root, built(root, root / "site")


@pytest.fixture(scope="module")
def site_name(injected: tuple[Path, Path]) -> str:
    config = yaml.safe_load((injected[0] / "mkdocs.yml").read_text(encoding="utf-8"))
    return str(config["site_name"])


@pytest.fixture(scope="module")
def exported(injected: tuple[Path, Path]) -> dict[str, dict[str, Any]]:
    data = json.loads((injected[1] / "briefing.json").read_text(encoding="utf-8"))
    return {record["id"]: record for records in data["sheets"].values() for record in records}


# --- what no page may contain -----------------------------------------------------------


def _is_theme_script(script: Element) -> bool:
    attrs = script.attrs
    if attrs.get("type") == "application/ld+json":
        return True
    if attrs.get("id") == "__config" and attrs.get("type") == "application/json":
        return True
    bundle = r"(/|(\.\./)*)assets/javascripts/bundle\.[0-9a-f]+\.min\.js"
    if re.fullmatch(bundle, attrs.get("src", "")):
        return True
    # Material's own inline scripts (palette, scope): no attributes, no content words.
    return not attrs and "alert" not in script.text


def assert_inert(html: Html, where: str) -> None:
    for element in html.elements:
        forbidden = FORBIDDEN_TAGS | (FORBIDDEN_IN_ARTICLE if element.in_article else set())
        assert element.tag not in forbidden, f"{where}: <{element.tag}> {element.attrs}"
        for name, value in element.attrs.items():
            assert not name.startswith("on"), f"{where}: <{element.tag} {name}={value!r}>"
            if name in URL_ATTRS:
                scheme = re.sub(r"[\x00-\x20]", "", value).lower()
                assert not scheme.startswith(("javascript:", "vbscript:", "data:")), (
                    f"{where}: <{element.tag} {name}={value!r}>"
                )
    for script in html.scripts:
        assert _is_theme_script(script), f"{where}: script {script.attrs} {script.text[:80]!r}"
    for block in html.jsonld():
        assert "</script" not in block.lower(), where
        json.loads(block)
    for table in html.tables:
        assert len(set(table)) == 1, f"{where}: table rows with different cell counts {table}"


def every_page(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_no_page_has_anything_content_should_not_make(injected: tuple[Path, Path]) -> None:
    site = injected[1]
    pages = every_page(site)
    assert len(pages) > 7 * len(PAYLOADS)
    for path in pages:
        assert_inert(read_html(path.read_text(encoding="utf-8")), str(path.relative_to(site)))


def test_search_index_is_inert(injected: tuple[Path, Path]) -> None:
    index = json.loads((injected[1] / "search" / "search_index.json").read_text("utf-8"))
    for doc in index["docs"]:
        for part in ("title", "text"):
            assert_inert(read_html(doc[part]), f"search index {doc['location']} {part}")


def test_site_title_and_subtitle_are_text(injected: tuple[Path, Path], site_name: str) -> None:
    html = read_html(page(injected[1], ""))
    assert html.title == f"{shown(SITE_TITLE)} - {site_name}"
    assert squash(html.find("h1")[0].text) == shown(SITE_TITLE)
    assert shown(SITE_SUBTITLE) in squash(html.article_text)
    assert "49" not in html.article_text


# --- each payload, each page ------------------------------------------------------------------

KIND_URLS = {
    "sources": "sources/src-{n}/",
    "actors": "actors/actor-{n}/",
    "plans": "plans/plan-{n}/",
    "terms": "terms/term-{n}/",
    "positions": "positions/position-{n}/",
    "events": "events/event-{n}/",
    "places": "places/place-{n}/",
}


@pytest.mark.parametrize(("n", "payload"), list(zip(IDS, PAYLOADS, strict=True)), ids=IDS)
def test_payload_is_visible_text(
    injected: tuple[Path, Path], site_name: str, n: str, payload: str
) -> None:
    site = injected[1]
    text = shown(payload)
    for kind, pattern in KIND_URLS.items():
        url = pattern.format(n=n)
        html = read_html(page(site, url))
        name = f"{text} on {text}" if kind == "positions" else text
        # Actors, plans and terms have the payload as an alias too, shown in the heading.
        heading = f"{name} ({text})" if kind in ("actors", "plans", "terms") else name
        h1 = html.find("h1")
        assert h1 and squash(h1[0].text) == heading, f"{url}: heading {h1[0].text!r}"
        assert html.title == f"{name} - {site_name}", f"{url}: <title> {html.title!r}"
        body = squash(html.article_text)
        # Every fact on the page starts with the payload and keeps its certainty label.
        facts = [li for li in html.find("li") if li.find("span", "certainty")]
        assert facts, f"{url}: no fact shown"
        for li in facts:
            if li.attrs.get("id", "").startswith("fn:"):
                continue
            assert text in squash(li.text), f"{url}: fact shows {squash(li.text)!r}"
        if "7*7" in payload:
            assert "49" not in body, f"{url}: a template expression was evaluated"
        assert_inert(html, url)


@pytest.mark.parametrize(("n", "payload"), list(zip(IDS, PAYLOADS, strict=True)), ids=IDS)
def test_payload_is_exact_in_structured_data(
    injected: tuple[Path, Path], exported: dict[str, dict[str, Any]], n: str, payload: str
) -> None:
    actor = exported[f"actor-{n}"]
    assert actor["name"] == payload
    assert actor["aliases"] == [payload]
    assert actor["side"] == payload
    assert actor["roles"][0]["title"] == payload
    assert actor["relations"][0]["facts"][0]["text"] == payload
    assert exported[f"plan-{n}"]["deadline"]["label"] == payload
    assert exported[f"plan-{n}"]["aliases"] == [payload]
    assert exported[f"term-{n}"]["aliases"] == [payload]
    assert exported[f"place-{n}"]["city"] == payload
    assert exported[f"src-{n}"]["publisher"] == payload
    for kind in ("sources", "actors", "events", "places", "plans", "terms"):
        url = KIND_URLS[kind].format(n=n)
        blocks = read_html(page(injected[1], url)).jsonld()
        assert len(blocks) == 1, url
        assert "</script" not in blocks[0].lower()
        assert json.loads(blocks[0])["name"] == payload, url


@pytest.mark.parametrize("i", range(len(URLS)))
def test_source_address_stays_one_link(
    injected: tuple[Path, Path], exported: dict[str, dict[str, Any]], i: int
) -> None:
    url = URLS[i]
    html = read_html(page(injected[1], f"sources/url-{i}/"))
    assert_inert(html, f"sources/url-{i}/")
    links = [a for a in html.article() if a.tag == "a" and "evil" in a.attrs.get("href", "")]
    assert len(links) == 1, [a.attrs for a in links]
    assert links[0].attrs["href"].startswith("https://evil.example/")
    assert exported[f"url-{i}"]["url"] == url
    assert json.loads(html.jsonld()[0])["url"] == url


# --- the relationship graph, and what no page or book may hold -----------------------------------


def boxed(text: str) -> str:
    """Text as a box or an arrow of the relationship graph shows it (shortened if long)."""
    return text if len(text) <= GRAPH_BOX else text[: GRAPH_BOX - 1].rstrip() + "…"


def test_the_graph_says_what_the_pages_say(injected: tuple[Path, Path], site_name: str) -> None:
    """Every box of the relationship graph (laid out by Graphviz) shows the name that the page
    it links to has as its title (in lines, broken at its spaces), and its tooltip all of it;
    every role's arrow its title, as written: Graphviz reads no escape (\\N, \\G) and no entity
    (&lt;, &#1;) in them."""
    site = injected[1]
    graph = read_html(page(site, "actors/")).find("figure", "briefing-graph")
    assert len(graph) == 1
    links = {a.attrs["href"]: a for a in graph[0].inner if a.tag == "a"}
    payload_actors = {f"actor-{n}/" for n in IDS} | {"actor-long/"}
    assert payload_actors <= set(links), (
        f"not in the graph (more than its 60 boxes?): {sorted(payload_actors - set(links))}")
    for href, link in links.items():
        url = posixpath.normpath(f"actors/{href}") + "/"
        # The title, not the heading: the heading adds the actor's aliases.
        title = read_html(page(site, url)).title
        assert title.endswith(f" - {site_name}"), url
        heading = squash(title.removesuffix(f" - {site_name}"))
        label = [e.text for e in link.inner if e.tag == "text"]
        assert " ".join(label) == boxed(heading), url
        assert link.attrs["xlink:title"] == heading, url
    arrows = {
        squash(title.text): [e.text for e in edge.inner if e.tag == "text"]
        for edge in graph[0].find("g", "edge") for title in edge.find("title")
    }
    for n, payload in zip(IDS, PAYLOADS, strict=True):
        assert " ".join(arrows[f"actor-{n}->northland-fund"]) == boxed(shown(payload)), n
    assert arrows["actor-long->northland-fund"] == [boxed(LONG_NAME)]


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: A numeric character reference as a browser reads one (the semicolon is optional).
_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+))")


def assert_no_control_characters(text: str, where: str) -> None:
    """No control character in ``text``, neither as itself nor as a reference a browser would
    turn into one (or into a lone surrogate)."""
    found = _CONTROL.search(text)
    assert found is None, (
        f"{where}: U+{ord(found.group()):04X} in {text[found.start() - 40:][:80]!r}")
    for reference in _REFERENCE.finditer(text):
        code = int(reference[1], 16) if reference[1] else int(reference[2])
        character = chr(code) if code <= 0x10FFFF else "\ufffd"
        assert not _CONTROL.match(character) and not 0xD800 <= code <= 0xDFFF, (
            f"{where}: {reference.group()} in {text[reference.start() - 40:][:80]!r}")


def test_no_page_holds_a_control_character(injected: tuple[Path, Path]) -> None:
    """Content spells control characters in ways the loader lets through (&#1;, &#x1b;, &#0;,
    U+0085, &#xD800;): every page, and the search index a browser shows results from, hold
    them as the text written, never as the character."""
    site = injected[1]
    for path in every_page(site):
        assert_no_control_characters(path.read_text(encoding="utf-8"), str(path))
    index = json.loads((site / "search" / "search_index.json").read_text("utf-8"))
    for doc in index["docs"]:
        for part in ("title", "text"):
            assert_no_control_characters(doc[part], f"search index {doc['location']} {part}")


def test_the_print_edition_holds_no_control_character(injected: tuple[Path, Path]) -> None:
    """The PDF's book (its HTML, pictures included, before layout) holds none either."""
    assembled = book.assemble(prepare(injected[0]), EPOCH)
    assert "briefing-graph" in assembled.html
    assert_no_control_characters(assembled.html, "the book")
