"""briefing.yml is untrusted input: addresses, the edit path and the language are checked, and
errors in it are located like every content error. (What reaches the pages is opened in a
browser by tests/browser/test_browser_settings.py.)"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from generator.build.workspace import briefing_json, prepare
from generator.cli import EXIT_OK, EXIT_PROBLEMS, main
from generator.config import Settings, load_project
from generator.content.schema import schema_line
from generator.errors import ContentError
from generator.pdf.book import assemble
from generator.site.plugin import edit_url


def check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["--root", str(root), "check"])
    return code, capsys.readouterr().out.splitlines()


def test_errors_in_settings_are_located(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"briefing.yml": (
        "title: Test briefing\n"
        "language: english\n"
        "repo_url: https://example.org/repo\"><script>alert(1)</script>\n"
        "edit_uri: /edit/main\n"
    )})
    code, out = check(root, capsys)
    assert code == EXIT_PROBLEMS
    assert out == [
        "briefing.yml:2:1: 'language' must be a BCP 47 language tag, like en, fr, pt-BR or "
        "zh-Hant; got 'english' [language]",
        "briefing.yml:3:1: 'repo_url' must not hold the character '\"'; write it as %22; got "
        "'https://example.org/repo\"><script>alert(1)</script>' [url]",
        "briefing.yml:4:1: 'edit_uri' must be a relative path of letters, digits and - . _ ~ "
        "between slashes, like edit/main/; got '/edit/main' [url]",
        "3 errors",
    ]


def test_good_settings_pass(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"briefing.yml": (
        "title: Test briefing\n"
        "language: pt-BR\n"
        "repo_url: https://git.example.org:8443/team/briefing\n"
        "edit_uri: -/edit/main/\n"
    )})
    assert check(root, capsys) == (EXIT_OK, ["11 files checked: no problems"])


def refusal(field: str, value: str) -> str | None:
    """The rule a settings value breaks, or None when it is accepted."""
    try:
        Settings.model_validate({"title": "T", field: value})
    except ValidationError as exc:
        return str(exc.errors()[0]["type"])
    return None


@pytest.mark.parametrize(("value", "rule"), [
    ("https://example.org/", None),
    ("HTTP://EXAMPLE.ORG", None),
    ("https://example.org:8443/a/b?c=d&e=f#g", None),
    ("https://[2001:db8::1]/repo", None),
    ("https://example.org/caf%C3%A9/%22quoted%22", None),
    ("javascript:alert(1)", "url"),
    ("data:text/html,<script>alert(1)</script>", "url"),
    ("ftp://example.org/", "url"),
    ("//example.org/", "url"),
    ("example.org", "url"),
    ("https://", "url"),
    ("https:///path", "url"),
    ("https://example.org:0/", "url"),
    ("https://example.org:65536/", "url"),
    ("https://[::1/", "url"),
    ('https://example.org/"onmouseover="alert(1)', "url"),
    ("https://example.org/'onmouseover='alert(1)'", "url"),
    ("https://example.org/<script>", "url"),
    ("https://example.org/>", "url"),
    ("https://example.org\\@evil.example/", "url"),
    ("https://example.org/`x`", "url"),
    ("https://example.org/a b", "url"),
    (" https://example.org/", "url"),
    ("https://example.org/\t", "url"),
    ("https://example.org/\x00", "url"),
    ("https://example.org/\x7f", "url"),
    ("https://example.org/\u0085", "url"),
    ("https://example.org/\u00a0", "url"),
    ("https://example.org/\u2028", "url"),
    ("https://example.org/\u202egpj.exe", "url"),
    ("https://example.org/\u200b", "url"),
])
def test_addresses(value: str, rule: str | None) -> None:
    assert refusal("repo_url", value) == rule


@pytest.mark.parametrize(("value", "rule"), [
    ("edit/main/", None),
    ("-/edit/main/", None),
    ("src/default/docs", None),
    ("blob/v1.2_x~y/", None),
    ("/edit/main/", "url"),
    ("../edit/", "url"),
    ("edit/./main/", "url"),
    ("edit//main/", "url"),
    ("https://example.org/edit/", "url"),
    ("edit/main/?a=b", "url"),
    ('edit/"onmouseover="alert(1)', "url"),
    ("edit/<script>", "url"),
    ("edit main", "url"),
    ("edit\\main", "url"),
    ("edit/%2e%2e/", "url"),
])
def test_edit_uri(value: str, rule: str | None) -> None:
    assert refusal("edit_uri", value) == rule


@pytest.mark.parametrize(("value", "rule"), [
    ("en", None),
    ("EN", None),
    ("pt-BR", None),
    ("zh-Hant-TW", None),
    ("sr-Latn-RS", None),
    ("es-419", None),
    ("de-CH-1901", None),
    ("en-a-bbb-x-private", None),
    ("x-private", None),
    ("i-klingon", None),
    ("zh-min-nan", None),
    ("english", "language"),
    ("en_GB", "language"),
    ("en-", "language"),
    ("-en", "language"),
    ("e", "language"),
    ("en US", "language"),
    ("en\n", "language"),
    ('en"><script>alert(1)</script>', "language"),
    ("en-x-", "language"),
    ("123", "language"),
])
def test_language(value: str, rule: str | None) -> None:
    assert refusal("language", value) == rule


def test_edit_url_is_made_for_an_attribute() -> None:
    """Material writes page.edit_url into href="..." unescaped: whatever address it is given,
    no quote, angle bracket or character reference reaches the attribute as written."""
    assert edit_url("https://example.org/repo/", "/edit/main/", "content/actors/x.yml") == (
        "https://example.org/repo/edit/main/content/actors/x.yml"
    )
    assert edit_url("https://example.org/a?q=&quot;x", "edit/main/", "content/actors/x.yml") == (
        "https://example.org/a?q=&amp;quot;x/edit/main/content/actors/x.yml"
    )
    # The settings refuse these; should one get through, it still cannot leave the attribute.
    made = edit_url('https://example.org/"><script>alert(1)</script>\' x', 'e"/', "c/x.yml")
    assert made == (
        "https://example.org/%22%3E%3Cscript%3Ealert%281%29%3C/script%3E&#x27;%20x/e%22/c/x.yml"
    )


# --- each setting's effect ---------------------------------------------------------------------
# review_after_days: tests/content/test_freshness.py (test_review_period_is_a_setting);
# repo_url and edit_uri: tests/site/test_site_build.py (test_edit_links_point_at_the_yaml_file,
# test_no_edit_links_without_repo_url), tests/site/test_site_editors.py (the review page's and
# the edit button's links); site_url: tests/site/test_site_editors.py (canonical addresses,
# the sitemap, the errors page's address). The others here.

REPO = Path(__file__).resolve().parent.parent
DAY = dt.date(2025, 12, 1)

#: A second plan, sorting before the sample's "Test peace plan" by title.
ANOTHER_PLAN = {
    "content/plans/harbour-deal.yml": schema_line("plans") + """
id: harbour-deal
title: A harbour deal
status: drafted
facts:
  - text: Was drafted after the peace plan.
    sources: [test-report]
    certainty: reported
""",
}


def rendered(root: Path) -> dict[str, str]:
    """Each page's Markdown, as the build renders it with the repository's templates."""
    shutil.copytree(REPO / "briefings", root / "briefings")
    return {p.path: p.markdown for p in prepare(root, DAY).pages}


def pages_json(root: Path) -> str:
    """site/briefing.json, as the build writes it."""
    prepared = prepare(root, DAY)
    return briefing_json(load_project(root), prepared.briefing)


def plan_headings(overview: str) -> list[str]:
    return re.findall(r"(?m)^## \[([^\]]+)\]", overview)


def test_title_and_subtitle_head_the_overview_and_the_export(
    make_project: Callable[..., Path],
) -> None:
    root = make_project({"briefing.yml": "title: Talks on the Lake\nsubtitle: Who wants what\n"})
    pages = rendered(root)
    assert pages["index.md"].splitlines()[1:7] == [
        'title: "Talks on the Lake"', "---", "", "# Talks on the Lake", "", "*Who wants what*",
    ]
    data = json.loads(pages_json(root))
    assert (data["title"], data["subtitle"]) == ("Talks on the Lake", "Who wants what")


def test_without_a_subtitle_the_overview_has_none(make_project: Callable[..., Path]) -> None:
    lines = rendered(make_project({"briefing.yml": "title: Talks on the Lake\n"}))["index.md"]
    assert lines.splitlines()[4:6] == ["# Talks on the Lake", ""]
    assert lines.splitlines()[6].startswith("Current to the newest source:")


def test_language_is_the_print_editions_and_the_exports(
    make_project: Callable[..., Path],
) -> None:
    root = make_project({"briefing.yml": "title: T\nlanguage: pt-BR\n"})
    rendered(root)
    book = assemble(prepare(root, DAY), "1764547200")
    assert '<html lang="pt-BR">' in book.start
    assert json.loads(pages_json(root))["language"] == "pt-BR"


def test_plan_chooses_the_plan_the_overview_leads_with(
    make_project: Callable[..., Path],
) -> None:
    # Without it, the plans follow their titles; with it, the one it names comes first.
    unset = make_project({**ANOTHER_PLAN}, name="unset")
    assert plan_headings(rendered(unset)["index.md"]) == ["A harbour deal", "Test peace plan"]
    chosen = make_project(
        {**ANOTHER_PLAN, "briefing.yml": "title: T\nplan: peace-plan\n"}, name="chosen"
    )
    assert plan_headings(rendered(chosen)["index.md"]) == ["Test peace plan", "A harbour deal"]


@pytest.mark.parametrize(("value", "message"), [
    ("peace-plam", "'plan' refers to plan 'peace-plam', which does not exist; did you mean "
                   "'peace-plan'?"),
    ("alice-envoy", "'plan' must refer to a plan; 'alice-envoy' is an actor"),
])
def test_plan_must_name_a_plan(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str], value: str,
    message: str,
) -> None:
    root = make_project({"briefing.yml": f"title: T\nplan: {value}\n"})
    assert check(root, capsys) == (EXIT_PROBLEMS, [
        f"briefing.yml:2:7: {message} [reference]", "11 files checked: 1 error",
    ])
    shutil.copytree(REPO / "briefings", root / "briefings")
    with pytest.raises(ContentError) as stopped:
        prepare(root, DAY)
    problems = [p.format() for p in stopped.value.problems]
    assert problems == [f"briefing.yml:2:7: {message} [reference]"]


def test_plan_naming_a_plan_passes(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_project({"briefing.yml": "title: T\nplan: peace-plan\n"})
    assert check(root, capsys) == (EXIT_OK, ["11 files checked: no problems"])
