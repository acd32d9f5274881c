"""The "What changed" page as readers get it, on the site and in the print edition's
appendix: the sample project with a history of its own (a branch merged as a pull request,
and a commit that only changes a review date), built, then read as HTML."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from sitekit import SAMPLE, Element, built, commit_sample, make_sample, page, read_html, squash

from generator.build import workspace as pipeline
from generator.pdf import book

EPOCH = "1764000000"
REPO_URL = "https://example.org/briefings/harbour"  # the sample's repo_url


def git(root: Path, *args: str, day: int = 21) -> str:
    stamp = f"2025-11-{day:02d}T12:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_NAME": "Editor", "GIT_AUTHOR_EMAIL": "editor@example.org",
           "GIT_COMMITTER_NAME": "Editor", "GIT_COMMITTER_EMAIL": "editor@example.org",
           "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    return subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=root, env=env,
                          capture_output=True, text=True, check=True, timeout=60).stdout.strip()


def replace(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the sample changed: {relative} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@dataclass
class History:
    root: Path
    site: Path
    merge: str  # the merge commit's hash
    branch: list[str]  # the branch's own commits
    reviewed: str  # a commit that only set a review date


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    tmp = tmp_path_factory.mktemp("changes")
    root = commit_sample(make_sample(tmp / "project"))
    main = git(root, "rev-parse", "--abbrev-ref", "HEAD")
    git(root, "checkout", "-q", "-b", "port-access")
    replace(root, "content/terms/shared-port-access.yml",
            "Opens the port to ships of both sides.",
            "Opens the port to the ships of both sides in turn.")
    git(root, "commit", "-q", "-am", "Reword the port-access fact", day=21)
    branch = [git(root, "rev-parse", "HEAD")]
    replace(root, "content/positions/ada-north-on-shared-port-access.yml",
            "stance: supports", "stance: conditional")
    git(root, "commit", "-q", "-am", "wip (#12)", day=22)
    branch.append(git(root, "rev-parse", "HEAD"))
    git(root, "checkout", "-q", main)
    git(root, "merge", "-q", "--no-ff", "port-access", "-m",
        "Merge pull request #12 from editor/port-access", "-m", "Port access: reworded, "
        "Ada North's stance", day=23)
    merge = git(root, "rev-parse", "HEAD")
    replace(root, "content/actors/ben-south.yml", "\nfacts:", "\nreviewed: 2025-11-24\nfacts:")
    git(root, "commit", "-q", "-am", "Review Ben South", day=24)
    reviewed = git(root, "rev-parse", "HEAD")
    return History(root, built(root, tmp / "site"), merge, branch, reviewed)


def top_items(html_list: Element) -> list[Element]:
    """The items of a list, without those of the lists nested in them."""
    items = html_list.find("li")
    nested = {id(e) for item in items for e in item.find("li")}
    return [item for item in items if id(item) not in nested]


def sample_ids() -> set[str]:
    return {path.stem for path in (SAMPLE / "content").rglob("*.yml")}


def test_a_merged_pull_request_is_one_change_in_readers_words(history: History) -> None:
    html = read_html(page(history.site, "changes"))
    headings = [squash(h.text) for h in html.headings if h.tag == "h2"]
    # The merge once (not its branch's commits), the first commit; not the review-date one.
    assert headings == ["23 November 2025", "20 November 2025"]
    (note, _first) = html.find("p", "change-commit")
    links = note.find("a")
    assert [(a.attrs["href"], squash(a.text)) for a in links] == [
        (f"{REPO_URL}/commit/{history.merge}", history.merge[:7])]
    # Readers get the change in the editors' words below; the commit's message (here git's
    # own merge subject) stays behind the link.
    assert squash(note.text) == f"Commit {history.merge[:7]}"
    text = html.article_text
    for commit in (*history.branch, history.reviewed):
        assert commit[:7] not in text
    for sheet_id in sample_ids():  # names, never ids
        assert sheet_id not in text, sheet_id
    assert "Reviewed" not in text and "wip" not in text and "Merge" not in text


def test_changes_are_nested_under_their_sheet_and_link_to_it(history: History) -> None:
    html = read_html(page(history.site, "changes"))
    first = next(e for e in html.article() if e.tag == "ul")
    items = {squash(item.text).split(" Fact ")[0].split(" Stance")[0]: item
             for item in top_items(first)}
    assert sorted(items) == ["Changed position: Ada North on Shared port access",
                             "Changed term: Shared port access"]
    term = items["Changed term: Shared port access"]
    assert [a.attrs["href"] for a in term.find("a")] == ["../terms/shared-port-access/"]
    (inner,) = term.find("ul")  # the changes are a list inside the sheet's item
    (reworded,) = inner.find("li")
    assert squash(reworded.text) == ("Fact reworded: “Opens the port to the ships of both "
                                     "sides in turn.” (reported; source: Wire report on the "
                                     "Harbour Accord)")
    assert [squash(e.text) for e in reworded.find("ins")] == ["the", "in turn"]
    position = items["Changed position: Ada North on Shared port access"]
    assert [a.attrs["href"] for a in position.find("a")] == [
        "../positions/ada-north-on-shared-port-access/"]
    (inner,) = position.find("ul")
    assert [squash(li.text) for li in inner.find("li")] == ["Stance: supports → conditional"]


def test_a_new_sheet_is_one_line_with_its_link(history: History) -> None:
    html = read_html(page(history.site, "changes"))
    lists = [e for e in html.article() if e.tag == "ul"]
    first_commit = next(ul for ul in lists if "New actor" in ul.text)
    ada = next(li for li in top_items(first_commit) if squash(li.text).startswith(
        "New actor: Ada North"))
    assert [a.attrs["href"] for a in ada.find("a")] == ["../actors/ada-north/"]
    (inner,) = ada.find("ul")
    assert [squash(li.text) for li in inner.find("li")] == [
        "Kind: person · Side: Northland · 4 facts"]
    source = next(li for li in top_items(first_commit) if squash(li.text).startswith(
        "New source: Wire report on the Harbour Accord"))
    assert squash(source.find("ul")[0].text).endswith("Cited by 13 facts")


def test_without_a_repository_address_the_commit_is_its_short_hash(
    history: History, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    shutil.copytree(history.root, root, ignore=shutil.ignore_patterns("site"))
    replace(root, "briefing.yml", f"repo_url: {REPO_URL}\n", "")
    changes = next(p for p in pipeline.prepare(root).pages if p.path == "changes.md")
    assert f"Commit `{history.merge[:7]}`" in changes.markdown.splitlines()
    assert "/commit/" not in changes.markdown


def test_the_print_appendix_is_nested_and_links_inside_the_book(history: History) -> None:
    assembled = book.assemble(pipeline.prepare(history.root), EPOCH)
    start = assembled.html.index('id="changes"')
    html = read_html(assembled.html[start:])
    first = html.find("ul")[0]
    term = next(li for li in top_items(first) if "Changed term" in li.text)
    (inner,) = term.find("ul")
    # Printed with the marker of a list inside a list.
    assert squash(inner.find("li")[0].text).startswith(f"{book.BULLETS[1]} Fact reworded: ")
    assert [a.attrs["href"] for a in term.find("a")] == ["#terms-shared-port-access"]
    commit_links = [a.attrs["href"] for a in html.find("a") if "/commit/" in a.attrs["href"]]
    assert commit_links[0] == f"{REPO_URL}/commit/{history.merge}"
