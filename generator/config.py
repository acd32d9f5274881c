"""The briefing's own settings (``briefing.yml`` at the project root), shared by CLI and plugin."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, ValidationError

from generator.content.check import problem_from_pydantic
from generator.content.loader import RawSheet, load_file
from generator.content.schema import LanguageTag, Node, PlanRef, Text, UriPath, Url
from generator.errors import ContentError, Problem

CONFIG_FILE = "briefing.yml"


class Settings(Node):
    """Settings of one briefing (``briefing.yml``)."""

    title: Text = Field(description="The briefing's title, on every page and the PDF cover.")
    subtitle: Text | None = Field(default=None, description="One line under the title.")
    language: LanguageTag = Field(
        default="en", description="Language of the content (BCP 47 tag: en, fr, pt-BR)."
    )
    plan: PlanRef | None = Field(
        default=None,
        description="Id of the plan the overview leads with (default: the first by title).",
    )
    review_after_days: int = Field(
        default=90, ge=1, description="Days after which a sheet's 'reviewed' date is stale."
    )
    repo_url: Url | None = Field(
        default=None,
        description="Web address of the content repository; when set, sheet pages and the "
        "review page link to the file's edit page.",
    )
    edit_uri: UriPath = Field(
        default="edit/main/",
        description="Path under repo_url that edits a file (letters, digits, - . _ ~ and /).",
    )
    site_url: Url | None = Field(
        default=None,
        description="Address the site is published at, for canonical links, the sitemap and "
        "the errors page the tools name (mkdocs.yml's site_url, when it has none).",
    )

    def edit_url(self, path: str) -> str | None:
        """Where a project file (``content/actors/x.yml``) is edited, or None without repo_url."""
        return edit_address(self.repo_url, self.edit_uri, path) if self.repo_url else None


def edit_address(repo_url: str, edit_uri: str, path: str) -> str:
    """``repo_url``, ``edit_uri`` and a project file's path joined into one address."""
    parts = (repo_url.rstrip("/"), edit_uri.strip("/"), path)
    return "/".join(part for part in parts if part)


@dataclass(frozen=True)
class Project:
    """Where a briefing's files are, and its settings."""

    root: Path
    settings: Settings
    #: briefing.yml as read, with the marks of its values (where a problem with one is).
    source: RawSheet | None = None

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "briefings"


def load_project(root: Path) -> Project:
    """Read ``briefing.yml`` under ``root``; raises ContentError with located problems."""
    path = root / CONFIG_FILE
    if not path.is_file():
        raise ContentError([Problem(CONFIG_FILE, 0, 0, f"{CONFIG_FILE} not found in {root}", "io")])
    raw, problems = load_file(path, CONFIG_FILE, "")
    if raw is None or problems:
        raise ContentError(problems)
    try:
        settings = Settings.model_validate(raw.data)
    except ValidationError as exc:
        raise ContentError(_problems(exc, raw)) from None
    return Project(root, settings, raw)


def _problems(exc: ValidationError, raw: RawSheet) -> list[Problem]:
    return [problem_from_pydantic(error, raw, Settings) for error in exc.errors()]
