"""The briefing's own settings (``briefing.yml`` at the project root), shared by CLI and plugin."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationError
from pydantic_core import PydanticCustomError

from generator.content.check import problem_from_pydantic
from generator.content.loader import RawSheet, load_file
from generator.content.schema import (
    LanguageTag,
    Node,
    PlanRef,
    Slug,
    Text,
    UriPath,
    Url,
    Vocabulary,
)
from generator.content.vocabularies import (
    FIXED_STANCES,
    REPLACEABLE,
    Vocabularies,
    Word,
)
from generator.errors import ContentError, Problem

CONFIG_FILE = "briefing.yml"


class WordEntry(Node):
    """One word of a vocabulary the briefing declares."""

    word: Slug = Field(description="What sheets write: a lower-case slug, e.g. enrichment.")
    label: Text = Field(description="What readers see, in headings and tables.")
    meaning: Text = Field(description="What the word means, in one sentence.")


class SideEntry(Node):
    """One side of who's who, in the order the page shows them."""

    word: Text = Field(description="Exactly what actors write in 'side' (any text).")
    label: Text | None = Field(
        default=None, description="What readers see as its heading (default: the word).")
    meaning: Text = Field(description="Who is on this side, in one sentence.")


class StanceEntry(Node):
    """A stance word the briefing adds to the eight fixed ones."""

    word: Slug = Field(description="What positions write: a lower-case slug, e.g. ratified.")
    label: Text = Field(description="What readers see, after the symbol.")
    meaning: Text = Field(description="What the stance means, in one sentence.")
    symbol: Text = Field(description="The symbol shown before the label, e.g. a star.")
    colour: Annotated[str, Vocabulary("stance")] = Field(
        description="The fixed stance whose colour it takes.")


def _not_empty(words: list[Node]) -> list[Node]:
    if not words:
        raise PydanticCustomError("empty", "must list at least one word", {})
    return words


Words = Annotated[list[WordEntry], AfterValidator(_not_empty)]


class VocabularySettings(Node):
    """The briefing's own words: each list replaces the built-in one, in the order pages show
    them (the field reference lists the defaults)."""

    term_category: Words | None = Field(
        default=None, description="What a term is about (its heading on the terms' pages).")
    plan_status: Words | None = Field(default=None, description="Where a plan stands.")
    actor_kind: Words | None = Field(default=None, description="What sort of actor it is.")
    relation_kind: Words | None = Field(default=None, description="What a tie between actors is.")
    source_kind: Words | None = Field(default=None, description="What sort of document it is.")
    place_kind: Words | None = Field(default=None, description="What sort of place it is.")
    side: Annotated[list[SideEntry], AfterValidator(_not_empty)] | None = Field(
        default=None,
        description="The sides of who's who, in order; then actors' 'side' must be one of "
        "them (or Other, always last).")
    stance: Annotated[list[StanceEntry], AfterValidator(_not_empty)] | None = Field(
        default=None, description="Stance words added to the eight fixed ones.")


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
    vocabularies: VocabularySettings = Field(
        default_factory=VocabularySettings,
        description="The briefing's own words for term categories, plan statuses, actor, "
        "relation, source and place kinds and sides, and added stances (see Vocabularies).",
    )

    @cached_property
    def words(self) -> Vocabularies:
        """Every vocabulary of the briefing: its declared lists, the defaults for the rest."""
        declared = self.vocabularies
        lists: dict[str, tuple[Word, ...] | None] = {
            name: tuple(Word(e.word, e.label, e.meaning) for e in entries)
            if (entries := getattr(declared, name)) else None
            for name in REPLACEABLE
        }
        if declared.side:
            lists["side"] = tuple(Word(e.word, e.label or e.word, e.meaning)
                                  for e in declared.side)
        if declared.stance:
            lists["stance"] = tuple(Word(e.word, e.label, e.meaning, e.symbol, e.colour)
                                    for e in declared.stance)
        return Vocabularies.of(lists)

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
    duplicates = _duplicate_words(settings.vocabularies, raw)
    if duplicates:
        raise ContentError(duplicates)
    return Project(root, settings, raw)


def _duplicate_words(declared: VocabularySettings, raw: RawSheet) -> list[Problem]:
    """A word declared twice in one vocabulary (or an added stance that is a fixed one),
    located at its second declaration."""
    problems = []
    for name in VocabularySettings.model_fields:
        entries = getattr(declared, name) or []
        seen: dict[str, int] = {w: 0 for w in FIXED_STANCES} if name == "stance" else {}
        for index, entry in enumerate(entries):
            line, column = raw.marks.of_value(("vocabularies", name, index, "word"))
            if entry.word in seen:
                first = seen[entry.word]
                where = ("is one of the fixed stances" if first == 0 and name == "stance"
                         else f"is already word {first} of '{name}'")
                problems.append(Problem(
                    raw.path, line, column,
                    f"'{entry.word}' {where}; each word is declared once", "duplicate-word"))
            else:
                seen[entry.word] = index + 1
    return problems


def _problems(exc: ValidationError, raw: RawSheet) -> list[Problem]:
    return [problem_from_pydantic(error, raw, Settings) for error in exc.errors()]
