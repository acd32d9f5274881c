"""The content model, declared once.

Every fact-sheet kind is a frozen pydantic model; every field carries a one-line description.
The JSON Schema for editors (``schemas/``) and the field reference in the docs are generated
from these declarations, and the validator checks content against them.
"""

from __future__ import annotations

import re
import typing
import unicodedata
from collections.abc import Container, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, ClassVar
from urllib.parse import quote, urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from generator.content.dates import PartialDate, type_name
from generator.content.vocabularies import CONTEXT_KEY, DEFAULT, Vocabularies

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_SLUG_RE = re.compile(SLUG_PATTERN)

#: Where a JSON Schema made from the models names the vocabulary of a field (replaced by
#: the briefing's words, then removed, before any schema is written).
SCHEMA_MARK = "x-briefing-vocabulary"


class Vocabulary:
    """Marks a text field whose value must be a word of one of the briefing's vocabularies
    (``vocabularies``): the briefing's own words when a check passes them in pydantic's
    context (under ``CONTEXT_KEY``), else the defaults."""

    def __init__(self, name: str):
        self.name = name

    @property
    def words(self) -> tuple[str, ...]:
        """The default words (the briefing's own are ``Vocabularies[name]``)."""
        return DEFAULT[self.name].names

    def check(self, value: Any, info: core_schema.ValidationInfo) -> Any:
        context = info.context
        vocabularies: Vocabularies = (context.get(CONTEXT_KEY, DEFAULT)
                                      if isinstance(context, dict) else DEFAULT)
        if self.name == "side":
            if vocabularies.side.open:
                return value  # undeclared: any text is a side (checked as text)
            accepted = vocabularies.side_accepted()
        else:
            words = vocabularies[self.name]
            if isinstance(value, str) and value in words:  # every fact: the quick way
                return value
            accepted = words.names
        if not isinstance(value, str) or value not in accepted:
            raise PydanticCustomError(
                "vocabulary",
                "must be one of {choices}; got {got}",
                {"choices": ", ".join(accepted), "got": type_name(value)},
            )
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.with_info_before_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # Marked with the vocabulary's key: the schemas a briefing gets carry its own words
        # there (``reference.jsonschema``), which pydantic's generator cannot know.
        if self.name == "side":
            return {**handler(schema), SCHEMA_MARK: self.name}
        return {"type": "string", "enum": list(self.words), SCHEMA_MARK: self.name}


def _check_slug(value: str) -> str:
    if not _SLUG_RE.match(value):
        raise PydanticCustomError(
            "slug",
            "must be a lower-case slug (a-z, 0-9, single hyphens); got '{got}'",
            {"got": value},
        )
    return value


def _check_text(value: Any) -> Any:
    # Scalars arrive as text (the loader keeps YAML's words as written); anything else is
    # a structure where text belongs.
    if not isinstance(value, str):
        raise PydanticCustomError("type", "must be text; got {got}", {"got": type_name(value)})
    if not value.strip():
        raise PydanticCustomError("empty", "must not be empty", {})
    return value


def _check_day(value: PartialDate) -> PartialDate:
    if value.precision != "day":
        raise PydanticCustomError(
            "date", "must be a day, like 2024-03-15; got '{got}'", {"got": str(value)}
        )
    return value


Day = Annotated[PartialDate, AfterValidator(_check_day)]


#: Characters no address may hold, however it is written: each could end the attribute,
#: the Markdown link or the line it is written into (quotes, angle brackets, the backtick),
#: is read differently by browsers and servers (backslash), or cannot be seen (spaces,
#: control and formatting characters such as direction overrides).
_NOT_IN_URL = frozenset("\"'<>\\`")
_INVISIBLE = frozenset(("Cc", "Cf", "Zs", "Zl", "Zp"))


def _check_url(value: str) -> str:
    """One check for every web address in the content and the settings (``Url``)."""
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unclosed [ in the host
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https"):
        raise PydanticCustomError(
            "url", "must be an http:// or https:// address; got '{got}'", {"got": value}
        )
    bad = next((c for c in value if c in _NOT_IN_URL
                or unicodedata.category(c) in _INVISIBLE), None)
    if bad is not None:
        shown = (f"U+{ord(bad):04X}" if not bad.isprintable() or bad.isspace()
                 else '"\'"' if bad == "'" else f"'{bad}'")
        # Quoted with invisible characters written out: a direction override would reorder
        # the error line itself.
        got = "".join(c if c == " " or unicodedata.category(c) not in _INVISIBLE
                      else f"\\u{ord(c):04x}" for c in value)
        raise PydanticCustomError(
            "url",
            "must not hold the character {char}; write it as {encoded}; got '{got}'",
            {"char": shown, "encoded": quote(bad, safe=""), "got": got},
        )
    if not parts.hostname:
        raise PydanticCustomError(
            "url", "must name a host after {scheme}://, like {scheme}://example.org/; got '{got}'",
            {"scheme": parts.scheme.lower(), "got": value},
        )
    try:
        port = parts.port
    except ValueError:  # not a number, or out of range
        port = 0
    if port == 0:
        raise PydanticCustomError(
            "url", "must have a port from 1 to 65535 after the host, or none; got '{got}'",
            {"got": value},
        )
    return value


#: A path of plain segments, like edit/main/ or -/edit/main/ (no scheme, no leading slash,
#: no '.' or '..' segment): what a repository host puts between its address and a file's.
_URI_PATH = re.compile(r"(?!\.{1,2}(/|$))[A-Za-z0-9._~-]+(/(?!\.{1,2}(/|$))[A-Za-z0-9._~-]+)*/?")


def _check_uri_path(value: str) -> str:
    if not _URI_PATH.fullmatch(value):
        raise PydanticCustomError(
            "url",
            "must be a relative path of letters, digits and - . _ ~ between slashes, like "
            "edit/main/; got '{got}'",
            {"got": value},
        )
    return value


# BCP 47 (RFC 5646) language tags, well-formed: language[-script][-region](-variant)*
# (-extension)*[-privateuse], a private-use tag, or one of the grandfathered tags. Languages
# of 4 to 8 letters are well-formed too, but none is registered: 'english' is a mistake.
_LANGUAGE_TAG = re.compile(
    r"""
    (?:
      [a-z]{2,3}(?:-[a-z]{3}){0,3}                  # language, extended language subtags
      (?:-[a-z]{4})?                                # script
      (?:-(?:[a-z]{2}|[0-9]{3}))?                   # region
      (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*      # variants
      (?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*           # extensions
      (?:-x(?:-[a-z0-9]{1,8})+)?                    # private use
    | x(?:-[a-z0-9]{1,8})+
    | en-gb-oed | i-(?:ami|bnn|default|enochian|hak|klingon|lux|mingo|navajo|pwn|tao|tay|tsu)
    | sgn-(?:be-fr|be-nl|ch-de)
    | art-lojban | cel-gaulish | no-bok | no-nyn | zh-(?:guoyu|hakka|min|min-nan|xiang)
    )
    """,
    re.VERBOSE | re.IGNORECASE | re.ASCII,
)


def _check_language(value: str) -> str:
    if not _LANGUAGE_TAG.fullmatch(value):
        raise PydanticCustomError(
            "language",
            "must be a BCP 47 language tag, like en, fr, pt-BR or zh-Hant; got '{got}'",
            {"got": value},
        )
    return value


def annotation_parts(annotation: Any) -> Iterator[Any]:
    """A field's type, its ``Annotated`` metadata and the same of its arguments, depth first:
    how the validator, the reference page and others find Refs, Vocabularies and models."""
    yield annotation
    yield from getattr(annotation, "__metadata__", ())
    for arg in typing.get_args(annotation):
        yield from annotation_parts(arg)


@dataclass(frozen=True)
class Ref:
    """Marks a field whose value is the id of another sheet of one of ``kinds``."""

    kinds: tuple[str, ...]


Text = Annotated[str, BeforeValidator(_check_text)]
Slug = Annotated[
    str,
    BeforeValidator(_check_text),
    AfterValidator(_check_slug),
    WithJsonSchema({"type": "string", "pattern": SLUG_PATTERN}),
]
Url = Annotated[
    str,
    BeforeValidator(_check_text),
    AfterValidator(_check_url),
    WithJsonSchema({"type": "string", "pattern": "^https?://", "format": "uri"}),
]
UriPath = Annotated[
    str,
    BeforeValidator(_check_text),
    AfterValidator(_check_uri_path),
    WithJsonSchema({"type": "string", "pattern": f"^{_URI_PATH.pattern}$"}),
]
LanguageTag = Annotated[
    str,
    BeforeValidator(_check_text),
    AfterValidator(_check_language),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$"}),
]


ActorRef = Annotated[Slug, Ref(("actors",))]
PlanRef = Annotated[Slug, Ref(("plans",))]
EventRef = Annotated[Slug, Ref(("events",))]
PlaceRef = Annotated[Slug, Ref(("places",))]
SourceRef = Annotated[Slug, Ref(("sources",))]
PlanOrTermRef = Annotated[Slug, Ref(("plans", "terms"))]


def _one_or_more(value: Any) -> Any:
    # One id alone may be written bare (after: talks-open), as editors write it.
    return [value] if isinstance(value, str) else value


EventRefs = Annotated[
    list[EventRef],
    BeforeValidator(_one_or_more),
    WithJsonSchema({"anyOf": [
        {"type": "string", "pattern": SLUG_PATTERN},
        {"type": "array", "items": {"type": "string", "pattern": SLUG_PATTERN}},
    ]}),
]

Certainty = Annotated[str, Vocabulary("certainty")]
Stance = Annotated[str, Vocabulary("stance")]
TermCategory = Annotated[str, Vocabulary("term_category")]
PlanStatus = Annotated[str, Vocabulary("plan_status")]
ActorKind = Annotated[str, Vocabulary("actor_kind")]
RelationKind = Annotated[str, Vocabulary("relation_kind")]
SourceKind = Annotated[str, Vocabulary("source_kind")]
PlaceKind = Annotated[str, Vocabulary("place_kind")]
#: Any text, unless the briefing declares its sides: then one of them, or Other.
Side = Annotated[Text, Vocabulary("side")]

#: Other names of an actor, a plan or a term: shown beside its name, and searched as its name.
Aliases = list[Text]


class Node(BaseModel):
    """Base of every declared structure: frozen, no unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


class Fact(Node):
    """One statement of fact, with its sources and how sure they are."""

    text: Text = Field(description="The statement, in the briefing's own words.")
    sources: list[SourceRef] = Field(
        min_length=1, description="Ids of the source sheets that say so (at least one)."
    )
    certainty: Certainty = Field(description="How sure the sources are (see methodology).")
    as_of: PartialDate | None = Field(
        default=None, description="When the statement was true or made, if it matters."
    )


Facts = list[Fact]
SourcedFacts = Annotated[list[Fact], Field(min_length=1)]


class Sheet(Node):
    """Fields every fact sheet has."""

    folder: ClassVar[str] = ""
    label: ClassVar[str] = ""

    id: Slug = Field(description="Lower-case slug, equal to the file name without .yml.")
    reviewed: Day | None = Field(
        default=None,
        description="The day an editor last checked this sheet against its sources.",
    )

    @property
    def name_text(self) -> str:  # pragma: no cover - overridden
        return self.id


class Source(Sheet):
    """A document that facts rest on."""

    folder: ClassVar[str] = "sources"
    label: ClassVar[str] = "source"

    title: Text = Field(description="The document's title as published.")
    kind: SourceKind = Field(description="What sort of document it is.")
    publisher: Text | None = Field(default=None, description="Who published it, if known.")
    author: Text | None = Field(default=None, description="Who wrote it, if known.")
    published: PartialDate | None = Field(
        default=None, description="When it was published, as precisely as known."
    )
    url: Url | None = Field(default=None, description="Where to read it (http or https).")
    summary: Text | None = Field(default=None, description="One sentence on what it covers.")
    facts: Facts = Field(default_factory=list, description="Facts about the document itself.")

    @property
    def name_text(self) -> str:
        return self.title


class Role(Node):
    """An office or position an actor holds."""

    title: Text = Field(description="The role, e.g. 'Special envoy' or 'Head'.")
    of: ActorRef | None = Field(default=None, description="Id of the body the role is in.")
    since: PartialDate | None = Field(default=None, description="When the role began.")
    until: PartialDate | None = Field(default=None, description="When the role ended.")
    facts: SourcedFacts = Field(description="The facts that establish the role.")


class Relation(Node):
    """A tie from this actor to another."""

    to: ActorRef = Field(description="Id of the other actor.")
    kind: RelationKind = Field(description="What the tie is.")
    facts: SourcedFacts = Field(description="The facts that establish the tie.")


class Actor(Sheet):
    """A person, organisation, government, state or group."""

    folder: ClassVar[str] = "actors"
    label: ClassVar[str] = "actor"

    name: Text = Field(description="Name as readers know it.")
    kind: ActorKind = Field(description="What sort of actor this is.")
    aliases: Aliases = Field(
        default_factory=list, description="Other names and abbreviations (searchable)."
    )
    side: Side | None = Field(
        default=None, description="Which side the actor is grouped with on who's who (one "
        "of the briefing's sides, when it declares them)."
    )
    summary: Text | None = Field(default=None, description="One sentence on who this is.")
    roles: list[Role] = Field(default_factory=list, description="Offices the actor holds.")
    relations: list[Relation] = Field(
        default_factory=list, description="Ties to other actors."
    )
    facts: Facts = Field(default_factory=list, description="Facts about the actor.")

    @property
    def name_text(self) -> str:
        return self.name


class Deadline(Node):
    """A date by which something is expected."""

    date: PartialDate = Field(description="The deadline.")
    label: Text = Field(description="What the date is called, e.g. 'End of the session'.")


class Plan(Sheet):
    """A plan or draft agreement."""

    folder: ClassVar[str] = "plans"
    label: ClassVar[str] = "plan"

    title: Text = Field(description="The plan's name.")
    aliases: Aliases = Field(
        default_factory=list, description="Other names and abbreviations (searchable)."
    )
    status: PlanStatus = Field(description="Where the plan stands now.")
    points: int | None = Field(default=None, ge=1, description="How many points it has.")
    drafted_by: list[ActorRef] = Field(
        default_factory=list, description="Ids of the actors who drafted it."
    )
    drafted_at: EventRef | None = Field(
        default=None, description="Id of the event where it was drafted."
    )
    deadline: Deadline | None = Field(default=None, description="When a decision is expected.")
    supersedes: PlanRef | None = Field(default=None, description="Id of the plan it replaces.")
    summary: Text | None = Field(default=None, description="One sentence on what it proposes.")
    facts: SourcedFacts = Field(description="Facts about the plan.")

    @property
    def name_text(self) -> str:
        return self.title


class Term(Sheet):
    """One provision of a plan."""

    folder: ClassVar[str] = "terms"
    label: ClassVar[str] = "term"

    plan: PlanRef = Field(description="Id of the plan this term belongs to.")
    number: int | None = Field(default=None, ge=1, description="Its number in the plan, if known.")
    title: Text = Field(description="Short name of the provision.")
    aliases: Aliases = Field(
        default_factory=list, description="Other names and abbreviations (searchable)."
    )
    category: TermCategory = Field(description="What the provision is about.")
    summary: Text | None = Field(default=None, description="One sentence on what it provides.")
    facts: SourcedFacts = Field(description="Facts about the provision.")

    @property
    def name_text(self) -> str:
        return self.title


class Position(Sheet):
    """Where one actor stands on a plan or a term, as of a date."""

    folder: ClassVar[str] = "positions"
    label: ClassVar[str] = "position"

    actor: ActorRef = Field(description="Id of the actor whose position this is.")
    on: PlanOrTermRef = Field(description="Id of the plan or term the position is on.")
    stance: Stance = Field(description="The position, in one word (see methodology).")
    as_of: PartialDate | None = Field(default=None, description="When the position was taken.")
    summary: Text | None = Field(default=None, description="One sentence on the position.")
    facts: SourcedFacts = Field(description="The facts the stance rests on.")

    @property
    def name_text(self) -> str:
        return self.id


class Event(Sheet):
    """Something that happened (or is due) on a date."""

    folder: ClassVar[str] = "events"
    label: ClassVar[str] = "event"

    date: PartialDate = Field(description="When it happened, as precisely as known.")
    title: Text = Field(description="What happened, in a few words.")
    place: PlaceRef | None = Field(default=None, description="Id of the place it happened.")
    participants: list[ActorRef] = Field(
        default_factory=list, description="Ids of the actors who took part."
    )
    plans: list[PlanRef] = Field(
        default_factory=list, description="Ids of the plans it concerned."
    )
    after: EventRefs = Field(
        default_factory=list,
        description="Ids of events it came after, where the sources give the order (one id "
        "may be written alone); orders vague dates.",
    )
    before: EventRefs = Field(
        default_factory=list,
        description="Ids of events it came before, where the sources give the order.",
    )
    summary: Text | None = Field(default=None, description="One sentence on the event.")
    facts: SourcedFacts = Field(description="Facts about the event.")

    @property
    def name_text(self) -> str:
        return self.title


class Place(Sheet):
    """A venue, city or area that matters to the story."""

    folder: ClassVar[str] = "places"
    label: ClassVar[str] = "place"

    name: Text = Field(description="The place's name.")
    kind: PlaceKind = Field(description="What sort of place it is.")
    city: Text | None = Field(default=None, description="The city it is in, if a venue.")
    country: Text | None = Field(default=None, description="The country it is in.")
    linked_to: list[ActorRef] = Field(
        default_factory=list, description="Ids of actors the place is tied to."
    )
    summary: Text | None = Field(default=None, description="One sentence on why it matters.")
    facts: SourcedFacts = Field(description="Facts about the place.")

    @property
    def name_text(self) -> str:
        return self.name


SHEET_TYPES: dict[str, type[Sheet]] = {
    cls.folder: cls for cls in (Source, Actor, Plan, Term, Position, Event, Place)
}
KINDS: tuple[str, ...] = tuple(SHEET_TYPES)


# --- references: the ids a sheet names, found by walking its declared fields ----------------


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The declared structure (a model) a field of this type holds, if any."""
    return next(
        (p for p in annotation_parts(annotation)
         if isinstance(p, type) and issubclass(p, BaseModel)),
        None,
    )


@cache
def _fields(cls: type[BaseModel]) -> tuple[tuple[str, Ref | None, type[BaseModel] | None], ...]:
    """Each field of ``cls`` with what it holds: ids of other sheets (its Ref), or a model."""
    found = []
    for name, field in cls.model_fields.items():
        ref = next((m for m in field.metadata if isinstance(m, Ref)), None) or next(
            (p for p in annotation_parts(field.annotation) if isinstance(p, Ref)), None)
        found.append((name, ref, None if ref is not None else model_in(field.annotation)))
    return tuple(found)


#: Where a value stands in a sheet: its keys and list indexes (as ``loader.DataPath``).
Where = tuple[str | int, ...]
#: One id a sheet refers to: where it stands, which kinds it may name, and the id.
Reference = tuple[Where, Ref, str]


def iter_references(node: Node | dict[str, Any], path: Where = (),
                    model: type[BaseModel] | None = None,
                    skip: Container[Where] = ()) -> Iterator[Reference]:
    """Every id ``node`` refers to, with where it stands and which kinds it may name. ``node``
    is a validated model, or the data of one that failed validation, walked by the fields
    ``briefing`` declares: then values at or under a path in ``skip`` (found wrong already) and
    values of the wrong shape are passed over."""
    data: dict[str, Any] | None = None
    if isinstance(node, dict):
        data = node
        assert model is not None, "the data of a sheet is walked by its model"
        cls = model
    else:
        cls = type(node)
    for name, ref, inner in _fields(cls):
        value = getattr(node, name) if data is None else data.get(name)
        if value is None:
            continue
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            where = (*path, name) if index is None else (*path, name, index)
            if skip and (where in skip or index is not None and where[:-1] in skip):
                continue  # found wrong already (the walk never enters what is)
            if ref is not None:
                if isinstance(item, str):
                    yield where, ref, item
            elif isinstance(item, Node):
                yield from iter_references(item, where)
            elif isinstance(item, dict) and inner is not None:
                yield from iter_references(item, where, inner, skip)


def schema_line(folder: str) -> str:
    """The first line of every content file: tells the editor's YAML server which schema
    (``schemas/`` is generated from these models by ``jsonschema``)."""
    return f"# yaml-language-server: $schema=../../schemas/{folder}.schema.json"
