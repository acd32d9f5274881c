"""The preview's error page: every problem with its place, message and rule, the rule linked
to its explanation from wherever the page is served, content text escaped; and the pages it
stands in for."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import markdown

from generator.errors import ERRORS_PAGE, Problem, Severity, explanation
from generator.render.renderer import COMPOSED
from generator.site.preview import error_page, page_paths

PROBLEMS = [
    Problem("content/actors/bob-broker.yml", 8, 5,
            "'certainty' must be one of confirmed, reported; got '<b>likely</b> | *x*'",
            "vocabulary"),
    Problem("content/sources/old-report.yml", 2, 5,
            "source 'old-report' is not cited by any fact", "unused-source", Severity.WARNING),
]


def cells(text: str) -> list[list[str]]:
    """The table's rows as HTML cells, as Python-Markdown (tables) writes them."""
    html = markdown.markdown(text, extensions=["tables"])
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in body.split("</tr>")[:-1]]


def test_each_problem_with_place_message_and_rule() -> None:
    page = error_page(PROBLEMS, [], "actors/bob-broker.md")
    assert page.startswith("# Errors in the briefing\n\nThe briefing cannot be built: "
                           "1 error, 1 warning.")
    assert cells(page) == [
        ["<code>content/actors/bob-broker.yml:8:5</code>",
         "'certainty' must be one of confirmed, reported; got '&lt;b&gt;likely&lt;/b&gt; | *x*'",
         '<a href="../errors.md#vocabulary">vocabulary</a>'],
        ["<code>content/sources/old-report.yml:2:5</code>",
         "warning: source 'old-report' is not cited by any fact",
         '<a href="../errors.md#unused-source">unused-source</a>'],
    ]


def test_rule_links_follow_the_page() -> None:
    """The link is relative to the page it is served on (MkDocs turns errors.md#vocabulary
    into errors/#vocabulary), so the errors page is reached from every address."""
    assert explanation("vocabulary") == (ERRORS_PAGE, "vocabulary") == ("errors.md", "vocabulary")
    at_root = error_page(PROBLEMS[:1], [], "index.md")
    assert cells(at_root)[0][2] == '<a href="errors.md#vocabulary">vocabulary</a>'
    nested = error_page(PROBLEMS[:1], [], "terms/sub/other.md")
    assert cells(nested)[0][2] == '<a href="../../errors.md#vocabulary">vocabulary</a>'


def test_a_template_error_is_shown_as_written() -> None:
    note = "template error: briefings/actor.md.j2:3: unexpected '}' (rendering actors/a_b.md)"
    page = error_page([], [note], "index.md")
    html = markdown.markdown(page)
    assert "The briefing cannot be built: a template error." in html
    assert f"<p>{note}</p>" in html


def test_the_error_page_stands_in_for_every_page_the_content_names(
    make_project: Callable[..., Path],
) -> None:
    root = make_project({
        "content/actors/broken.yml": "id: broken\nname: [unclosed\n",
        "content/actors/notes.txt": "not a sheet",
    })
    paths = page_paths(root)
    assert paths[: len(COMPOSED)] == list(COMPOSED)
    assert sorted(paths[len(COMPOSED):]) == [
        "actors/alice-envoy.md", "actors/bob-broker.md", "actors/broken.md",
        "actors/northland.md", "events/drafting-meeting.md", "places/grand-hotel.md",
        "plans/peace-plan.md", "positions/northland-on-ceasefire.md",
        "positions/northland-on-peace-plan.md", "sources/second-report.md",
        "sources/test-report.md", "terms/ceasefire.md",
    ]
