"""briefing.yml is untrusted input: addresses, the edit path and the language are checked, and
errors in it are located like every content error. (What reaches the pages is opened in a
browser by tests/browser/test_browser_settings.py.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from generator.cli import EXIT_OK, EXIT_PROBLEMS, main
from generator.config import Settings
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
