"""A strict build of the shipped briefing (and of the sample project): every page kind is
there, facts carry certainty and source footnotes, structured data is valid, edit links and
the nav are as promised."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import yaml
from sitekit import REPO_ROOT, Html, page, read_html, shown, squash

from generator.content.schema import KINDS, SHEET_TYPES
from generator.content.vocabularies import DEFAULT
from generator.render.renderer import COMPOSED as RENDER_COMPOSED

#: The composed pages the issue promises (URL -> what it is); each must be in the nav.
IN_NAV = {
    "": "overview",
    "plans/": "plans",
    "terms/": "terms by category",
    "positions/": "position matrix",
    "actors/": "who's who",
    "events/": "timeline",
    "places/": "places",
    "open-questions/": "open questions",
    "sources/": "sources",
    "methodology/": "methodology (hand-written)",
}


def served_at(path: str) -> str:
    """Where MkDocs serves a docs page: a/index.md -> a/, a/b.md -> a/b/, index.md -> ''."""
    stem = path.removesuffix(".md").removesuffix("index")
    return stem if not stem or stem.endswith("/") else f"{stem}/"


#: Every composed page the generator writes, and the hand-written ones.
COMPOSED = {served_at(path): title for path, (_, title) in RENDER_COMPOSED.items()} | IN_NAV


def sheets(root: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, id, raw data) of every fact sheet of a project."""
    found = []
    for kind in KINDS:
        for path in sorted((root / "content" / kind).glob("*.yml")):
            # BaseLoader: every scalar a string, so that the key 'on' stays 'on' (YAML 1.1
            # would read it as true) and dates stay as written.
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
            found.append((kind, path.stem, data))
    return found


def facts_in(data: dict[str, Any]) -> list[dict[str, Any]]:
    """A sheet's own facts, then its roles' and relations' facts."""
    facts = list(data.get("facts") or [])
    for part in ("roles", "relations"):
        for item in data.get(part) or []:
            facts.extend(item.get("facts") or [])
    return facts


@pytest.fixture(scope="module")
def overview(shipped_site: Path) -> Html:
    return read_html((shipped_site / "index.html").read_text(encoding="utf-8"))


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", list(COMPOSED), ids=list(COMPOSED.values()))
def test_composed_page_exists(shipped_site: Path, url: str) -> None:
    html = read_html(page(shipped_site, url))
    assert html.find("h1"), f"{url or 'index'}: no heading"


def test_every_sheet_has_its_page(shipped_root: Path, shipped_site: Path) -> None:
    found = sheets(shipped_root)
    assert {kind for kind, _, _ in found} == set(KINDS), "the shipped content lacks a kind"
    missing = [f"{kind}/{i}/" for kind, i, _ in found if not (shipped_site / kind / i).is_dir()]
    assert not missing


def test_no_pages_beyond_content(shipped_root: Path, shipped_site: Path) -> None:
    expected = {f"{kind}/{i}" for kind, i, _ in sheets(shipped_root)}
    built = {
        path.parent.relative_to(shipped_site).as_posix()
        for kind in KINDS
        for path in (shipped_site / kind).glob("*/index.html")
    }
    assert built == expected


def test_overview_shows_status_as_of_and_deadline(shipped_root: Path, overview: Html) -> None:
    plan_file = shipped_root / "content" / "plans" / "us-russia-28-point-plan.yml"
    plan = yaml.safe_load(plan_file.read_text(encoding="utf-8"))
    text = squash(overview.article_text)
    assert f"Status: {DEFAULT.plan_status.label(plan['status'])}" in text  # its label
    assert "Current to the newest source: November 2025." in text
    assert "Deadline: 27 November 2025 (Thanksgiving (US))" in text


def test_timeline_keeps_the_precision_of_dates(shipped_site: Path) -> None:
    html = read_html(page(shipped_site, "events/"))
    headings = [squash(h.text) for h in html.headings]
    assert any(h.startswith("late October 2025: ") for h in headings), headings
    assert any(h.startswith("27 November 2025: ") for h in headings), headings
    assert any(h.startswith("late 2025: ") for h in headings), headings


@pytest.mark.parametrize(
    ("kind", "sheet_id", "data"),
    [pytest.param(k, i, d, id=f"{k}/{i}") for k, i, d in sheets(REPO_ROOT)],
)
def test_every_fact_shows_certainty_and_footnotes(
    shipped_site: Path, kind: str, sheet_id: str, data: dict[str, Any]
) -> None:
    html = read_html(page(shipped_site, f"{kind}/{sheet_id}/"))
    items = html.find("li")
    for fact in facts_in(data):
        text = shown(fact["text"])
        matches = [li for li in items if li.in_article and squash(li.text).startswith(text)]
        assert matches, f"fact not on the page: {text}"
        li = matches[-1]  # the innermost list item
        certainty = fact["certainty"]
        labels = li.find("span", f"certainty-{certainty}")
        assert labels and squash(labels[0].text).endswith(certainty), squash(li.text)
        refs = {a.attrs.get("href") for a in li.find("a", "footnote-ref")}
        # A source's own page cites it in no footnote: the reader is already on it.
        expected = {s for s in fact["sources"] if not (kind == "sources" and s == sheet_id)}
        assert refs == {f"#fn:{s}" for s in expected}, squash(li.text)
    cited = {s for fact in facts_in(data) for s in fact["sources"]}
    for source in cited:
        notes = [li for li in items if li.attrs.get("id") == f"fn:{source}"]
        if kind == "sources" and sheet_id == source:
            assert notes == [], "a source's page has no footnote to itself"
            continue
        assert len(notes) == 1, f"no footnote for {source}"
        hrefs = [a.attrs.get("href") for a in notes[0].find("a")]
        assert f"../../sources/{source}/" in hrefs, hrefs


def test_open_questions_lists_every_hedged_fact(shipped_root: Path, shipped_site: Path) -> None:
    text = squash(read_html(page(shipped_site, "open-questions/")).article_text)
    hedged = [
        f
        for _, _, data in sheets(shipped_root)
        for f in facts_in(data)
        if f["certainty"] in ("possible", "disputed", "denied")
    ]
    assert hedged, "the shipped content has no open question to show"
    for fact in hedged:
        assert shown(fact["text"]) in text


# --- structured data --------------------------------------------------------------------------


def test_briefing_json_has_every_sheet_with_documented_fields(
    shipped_root: Path, shipped_site: Path
) -> None:
    data = json.loads((shipped_site / "briefing.json").read_text(encoding="utf-8"))
    assert set(data) == {"format", "title", "subtitle", "language", "as_of", "sheets"}
    assert data["format"] == "briefing/1"
    assert data["as_of"] == "2025-11"
    assert set(data["sheets"]) == set(KINDS)
    for kind, sheet_id, raw in sheets(shipped_root):
        records = [r for r in data["sheets"][kind] if r["id"] == sheet_id]
        assert len(records) == 1, f"{kind}/{sheet_id} missing from briefing.json"
        record = records[0]
        model = SHEET_TYPES[kind]
        documented = {
            name for name, info in model.model_fields.items() if info.description
        }
        assert set(record) - {"path"} <= documented, f"{kind}/{sheet_id}: undocumented field"
        assert set(raw) <= set(record), f"{kind}/{sheet_id}: fields lost in briefing.json"
        assert record["path"] == f"content/{kind}/{sheet_id}.yml"


@pytest.mark.parametrize(
    ("url", "schema_type", "name"),
    [
        ("actors/kirill-dmitriev/", "Person", "Kirill Dmitriev"),
        ("actors/russian-direct-investment-fund/", "Organization",
         "Russian Direct Investment Fund"),
        ("events/miami-drafting-meeting-2025-10/", "Event",
         "US officials and Kirill Dmitriev draft a peace plan in Miami"),
        ("sources/miami-peace-plan-report-2025-11/", "CreativeWork",
         "News summary on the US-Russia draft 28-point peace plan for Ukraine"),
    ],
)
def test_jsonld(shipped_site: Path, url: str, schema_type: str, name: str) -> None:
    html = read_html(page(shipped_site, url))
    blocks = html.jsonld()
    assert len(blocks) == 1, f"{url}: expected one JSON-LD block"
    data = json.loads(blocks[0])
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == schema_type
    assert data["name"] == name
    assert "</script" not in blocks[0].lower()


def test_event_jsonld_has_date_place_and_attendees(shipped_site: Path) -> None:
    html = read_html(page(shipped_site, "events/miami-drafting-meeting-2025-10/"))
    data = json.loads(html.jsonld()[0])
    assert data["location"] == {"@type": "Place", "name": "Miami"}
    assert {a["name"] for a in data["attendee"]} == {
        "Jared Kushner", "Steve Witkoff", "Kirill Dmitriev"
    }
    assert data["startDate"]


def test_composed_pages_have_no_jsonld(shipped_site: Path) -> None:
    for url in COMPOSED:
        assert not read_html(page(shipped_site, url)).jsonld(), url


# --- nav and edit links -------------------------------------------------------------------


def _nav_pages(nav: list[Any]) -> list[str]:
    found: list[str] = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        found.extend(_nav_pages(value) if isinstance(value, list) else [value])
    return found


def nav_urls(root: Path) -> list[str]:
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    return [served_at(p) for p in _nav_pages(config["nav"])]


def test_mkdocs_nav_lists_composed_pages_only(shipped_root: Path) -> None:
    urls = nav_urls(shipped_root)
    hand_written = {served_at(p.name) for p in (shipped_root / "docs").glob("*.md")}
    assert set(IN_NAV) <= set(urls), "a page the issue promises is missing from the nav"
    assert set(urls) <= set(COMPOSED) | hand_written, "the nav lists a page nobody composes"
    sheets_listed = [u for u in urls if u.split("/")[0] in KINDS and u.count("/") > 1]
    assert not sheets_listed, "the nav lists fact sheets: Material's build turns quadratic"


def _primary_nav_links(html: Html, url: str) -> set[str]:
    """Site-relative URLs of the pages the primary nav of the page at ``url`` links to."""
    navs = [n for n in html.find("nav") if "md-nav--primary" in n.classes]
    assert len(navs) == 1
    base = f"http://site/{url}"
    return {
        urljoin(base, a.attrs["href"]).removeprefix("http://site/")
        for a in navs[0].find("a", "md-nav__link")
        if not a.attrs["href"].startswith("#")
    }


@pytest.mark.parametrize(
    "url", ["", "actors/", "actors/kirill-dmitriev/", "terms/crimea-recognised-as-russian/"]
)
def test_rendered_nav_is_the_configured_one(
    shipped_root: Path, shipped_site: Path, url: str
) -> None:
    html = read_html(page(shipped_site, url))
    assert _primary_nav_links(html, url) == set(nav_urls(shipped_root))


def _edit_links(html: Html) -> list[str]:
    return [a.attrs["href"] for a in html.find("a") if a.attrs.get("rel") == "edit"]


def test_edit_links_point_at_the_yaml_file(sample_root: Path, sample_site: Path) -> None:
    settings = yaml.safe_load((sample_root / "briefing.yml").read_text(encoding="utf-8"))
    base = f"{settings['repo_url'].rstrip('/')}/{settings['edit_uri'].strip('/')}"
    for kind, sheet_id, _ in sheets(sample_root):
        html = read_html(page(sample_site, f"{kind}/{sheet_id}/"))
        assert _edit_links(html) == [f"{base}/content/{kind}/{sheet_id}.yml"], sheet_id
    for url in COMPOSED:
        # Composed pages come from no single file; the methodology page has no repo_url in
        # the sample's mkdocs.yml.
        assert _edit_links(read_html(page(sample_site, url))) == [], url


def test_no_edit_links_without_repo_url(shipped_site: Path) -> None:
    assert _edit_links(read_html(page(shipped_site, "actors/kirill-dmitriev/"))) == []
