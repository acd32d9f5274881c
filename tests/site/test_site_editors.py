"""Settings an editor turns on in briefing.yml, seen in the built site: `repo_url` gives every
sheet page an edit button and every row of the review page a link to its file's edit page;
`site_url` gives pages their canonical address and the sitemap its entries. The editors' pages
(the review page, and the errors page every site gets from the generator) are in neither the
navigation, the search index nor the sitemap."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sitekit import Html, build, built, make_sample, page, read_html

from generator.content.schema import KINDS
from generator.errors import ERRORS_SOURCE

LOC = re.compile(r"<loc>([^<]*)</loc>")


def settings(root: Path) -> dict[str, Any]:
    return dict(yaml.safe_load((root / "briefing.yml").read_text(encoding="utf-8")))


def edit_base(root: Path) -> str:
    found = settings(root)
    return f"{found['repo_url'].rstrip('/')}/{found['edit_uri'].strip('/')}"


def edit_buttons(html: Html) -> list[str]:
    return [a.attrs["href"] for a in html.find("a") if a.attrs.get("rel") == "edit"]


def canonical(html: Html) -> list[str]:
    return [e.attrs["href"] for e in html.find("link") if e.attrs.get("rel") == "canonical"]


def sitemap(site: Path) -> list[str]:
    return LOC.findall((site / "sitemap.xml").read_text(encoding="utf-8"))


def built_pages(site: Path) -> set[str]:
    """Directory URLs of every page the build wrote (the 404 page is no directory)."""
    found = set()
    for path in site.rglob("index.html"):
        url = path.parent.relative_to(site).as_posix()
        found.add("" if url == "." else f"{url}/")
    return found


# --- the editors' pages stay with editors ------------------------------------------------------

EDITORS_PAGES = ["review/", "errors/"]


@pytest.mark.parametrize("url", EDITORS_PAGES)
def test_editors_page_is_built_but_not_searchable(sample_site: Path, url: str) -> None:
    assert read_html(page(sample_site, url)).find("h1")
    index = json.loads((sample_site / "search" / "search_index.json").read_text("utf-8"))
    locations = {doc["location"].split("#", 1)[0] for doc in index["docs"]}
    assert "actors/ben-south/" in locations  # the index is the whole site's
    assert not [loc for loc in locations if loc.startswith(url)]


@pytest.mark.parametrize("url", EDITORS_PAGES)
def test_editors_page_is_not_in_the_navigation(sample_site: Path, url: str) -> None:
    links = {a.attrs.get("href") for a in read_html(page(sample_site, "")).find("a")}
    assert "methodology/" in links  # the navigation is on the page
    assert url not in links


def test_sitemap_lists_every_page_but_the_editors_pages(
    sample_root: Path, sample_site: Path
) -> None:
    site_url = settings(sample_root)["site_url"]
    pages = built_pages(sample_site)
    assert {*EDITORS_PAGES, "actors/ben-south/"} <= pages
    assert sorted(sitemap(sample_site)) == sorted(
        f"{site_url}{url}" for url in pages if url not in EDITORS_PAGES
    )


def test_errors_page_has_an_anchor_per_rule(sample_site: Path) -> None:
    """The errors page comes from the generator (the project's docs/ has none), and each
    rule's entry is at errors/#<rule>: the address the tools print."""
    html = read_html(page(sample_site, "errors/"))
    ids = {h.attrs.get("id") for h in html.headings}
    assert {"vocabulary", "yaml-syntax", "stale-review", "environment-faults"} <= ids
    rules = re.findall(r"^### ([a-z-]+)$", ERRORS_SOURCE.read_text(encoding="utf-8"), re.M)
    assert set(rules) <= ids
    assert edit_buttons(html) == []  # nothing under docs/ to edit


def test_a_hand_written_errors_page_is_refused(tmp_path: Path) -> None:
    root = make_sample(tmp_path / "project")
    (root / "docs" / "errors.md").write_text("# Our errors\n", encoding="utf-8")
    result = build(root, root / "site")
    assert result.returncode == 1
    assert ("docs/errors.md is hand-written but the briefing generates that page; "
            "rename or remove it") in result.stderr


def test_review_rows_link_to_the_files_edit_pages(
    sample_root: Path, sample_site: Path
) -> None:
    base = edit_base(sample_root)
    html = read_html(page(sample_site, "review/"))
    rows = [tr.find("td") for tr in html.find("tr") if tr.find("td")]
    assert len(rows) == sum(1 for kind in KINDS
                            for _ in (sample_root / "content" / kind).glob("*.yml"))
    for cells in rows:
        links = cells[-1].find("a")
        assert [a.attrs["href"] for a in links] == [f"{base}/{cells[-1].text.strip()}"]


# --- site_url and the edit button --------------------------------------------------------------


def test_pages_have_the_canonical_address_from_site_url(
    sample_root: Path, sample_site: Path
) -> None:
    site_url = settings(sample_root)["site_url"]
    for url in ("", "actors/ben-south/", "methodology/"):
        assert canonical(read_html(page(sample_site, url))) == [f"{site_url}{url}"], url


def test_no_canonical_address_and_no_sitemap_entries_without_site_url(shipped_site: Path) -> None:
    assert canonical(read_html(page(shipped_site, "actors/kirill-dmitriev/"))) == []
    assert sitemap(shipped_site) == []


@pytest.fixture(scope="module")
def own_config_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with an mkdocs.yml of its own: its own site_url, and no Material feature
    for edit buttons."""
    root = make_sample(tmp_path_factory.mktemp("own-config") / "project")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "    - content.action.edit\n" in text
    text = text.replace("    - content.action.edit\n", "")
    config.write_text(text + "site_url: https://docs.example.net/harbour/\n", encoding="utf-8")
    return built(root, root / "site")


def test_edit_button_needs_only_repo_url(sample_root: Path, own_config_site: Path) -> None:
    html = read_html(page(own_config_site, "actors/ben-south/"))
    assert edit_buttons(html) == [f"{edit_base(sample_root)}/content/actors/ben-south.yml"]
    assert edit_buttons(read_html(page(own_config_site, "actors/"))) == []


def test_mkdocs_yml_site_url_wins(own_config_site: Path) -> None:
    html = read_html(page(own_config_site, "actors/ben-south/"))
    assert canonical(html) == ["https://docs.example.net/harbour/actors/ben-south/"]
