"""Problems found in content: located, explained, collected, never raised one at a time."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

#: The page that explains every rule, under a heading of the rule's own name (the rule is the
#: heading's anchor), and every environment fault. The generator owns it: the plugin adds it to
#: every project's site at ERRORS_PAGE, so no project's docs/ has to keep a copy.
ERRORS_SOURCE = Path(__file__).with_name("errors.md")
#: Its docs path on the site (served at errors/).
ERRORS_PAGE = "errors.md"
#: Its path in the generator's repository, for where the site's address is not known.
ERRORS_IN_REPOSITORY = "generator/errors.md"


def explanation(rule: str) -> tuple[str, str]:
    """Where ``rule`` is explained on the site: the errors page's docs path and the anchor of
    the rule's entry. Every link to a rule's explanation on the site is made from this."""
    return ERRORS_PAGE, rule


def errors_address(site_url: str | None) -> str:
    """The errors page's address: on the published site when ``site_url`` is known (MkDocs
    serves ``errors.md`` at ``errors/``), else its path in the generator's repository, whose
    host also makes each heading an anchor."""
    if site_url:
        return f"{site_url.rstrip('/')}/{ERRORS_PAGE.removesuffix('.md')}/"
    return ERRORS_IN_REPOSITORY


def explained_at(site_url: str | None) -> str:
    """The line that ends a list of problems: where each of their rules is explained."""
    return f"Each [rule] is explained at {errors_address(site_url)}#<rule>"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, at a place an editor can go to."""

    path: str  # POSIX path as the editor sees it, e.g. content/actors/x.yml
    line: int  # 1-based; 0 when the problem is about the file as a whole
    column: int  # 1-based; 0 when the problem is about the file as a whole
    message: str
    rule: str
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column}"
        return self.path

    def format(self) -> str:
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{self.location()}: {prefix}{_one_line(self.message)} [{self.rule}]"

    def format_github(self, site_url: str | None = None) -> str:
        """A GitHub Actions annotation: the rule as its title, the message, and on a line of
        its own the address of the rule's explanation (``errors_address(site_url)``)."""
        level = "error" if self.is_error else "warning"
        props = f"file={_gh_escape_property(self.path)}"
        if self.line:
            props += f",line={self.line},col={self.column}"
        props += f",title={_gh_escape_property(self.rule)}"
        text = f"{self.message}\nExplained at {errors_address(site_url)}#{self.rule}"
        return f"::{level} {props}::{_gh_escape_data(text)}"


#: Line breaks (as str.splitlines knows them) that a message can quote from content: written
#: out, so that text in a sheet cannot add lines that look like problems of their own.
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _one_line(text: str) -> str:
    return _LINE_BREAK.sub(lambda m: repr(m.group())[1:-1], text)


def _gh_escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_property(text: str) -> str:
    return _gh_escape_data(text).replace(":", "%3A").replace(",", "%2C")


class BriefingError(Exception):
    """The base of every exception the package raises on purpose, so that a caller (a hook, a
    notebook, the CLI) can tell the generator's refusals from a bug's."""


class ContentError(BriefingError):
    """The content has errors; ``problems`` holds every one of them, sorted."""

    def __init__(self, problems: Iterable[Problem], files: int | None = None):
        self.problems = sorted(problems, key=sort_key)
        self.files = files  # content files checked, when the problems came from checking them
        errors = [p for p in self.problems if p.is_error]
        super().__init__(
            "\n".join(p.format() for p in errors) or "content has errors"
        )


def sort_key(problem: Problem) -> tuple[str, int, int, str, str]:
    return (problem.path, problem.line, problem.column, problem.rule, problem.message)


def summary(problems: Iterable[Problem], files: int | None) -> str:
    """``N files checked: 1 error, 2 warnings``; without the count when ``files`` is None."""
    problems = list(problems)
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    checked = "" if files is None else f"{files} {'file' if files == 1 else 'files'} checked: "
    if not problems:
        return f"{checked}no problems"
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return checked + ", ".join(parts)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``; did you mean 'x'?`` suffix, or an empty string when nothing is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def quote_list(values: Iterable[str]) -> str:
    return ", ".join(values)


class EnvironmentFault(BriefingError):
    """The machine, not the content, stops a command (a program it needs is missing): the
    message is one line saying what happened, where, and how to fix it."""
