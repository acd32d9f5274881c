"""The briefing's words: every controlled vocabulary, with each word's label and meaning.

One source of truth for the checks (which words a field accepts), the JSON Schemas (their
``enum``), the field reference, and every page, legend and heading that shows a word. The
lists below are the defaults; ``briefing.yml`` may replace each of them (``config``), in the
order pages show them. Certainty and the eight stances are the method, shown on every page:
fixed, though a briefing may add stance words, each borrowing a fixed stance's colour.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

#: What readers call the group of actors without a side (and of those whose side is it).
OTHER_SIDE = "Other"

# Default vocabularies: word -> what it means (shown on the methodology page and the field
# reference). Labels are made from the words (``default_label``).
CERTAINTY: dict[str, str] = {
    "confirmed": "On the record, or several independent sources agree.",
    "reported": "One credible source says so.",
    "possible": "The source itself hedges: 'possibly', 'may', 'reportedly considering'.",
    "disputed": "Sources disagree.",
    "denied": "The subject denies it.",
}
STANCE: dict[str, str] = {
    "supports": "Backs it as it stands.",
    "conditional": "Backs it if stated conditions are met.",
    "seeks-changes": "Engages with it but wants it changed.",
    "sceptical": "Doubts it or warns against it without rejecting it outright.",
    "opposes": "Argues against it.",
    "rejects": "Refuses it outright.",
    "undecided": "Has said it has not made up its mind.",
    "unknown": "The sources do not say.",
}
CERTAINTY_SYMBOLS = {
    "confirmed": "●",
    "reported": "◉",
    "possible": "?",
    "disputed": "⇄",
    "denied": "✕",
}
STANCE_SYMBOLS = {
    "supports": "✔",
    "conditional": "◐",
    "seeks-changes": "✎",
    "sceptical": "⚠",
    "opposes": "✖",
    "rejects": "⊘",
    "undecided": "…",
    "unknown": "?",
}
TERM_CATEGORY: dict[str, str] = {
    "territory": "Borders, control of land, lines of contact.",
    "sovereignty": "Recognition, status and self-determination.",
    "alliances": "Membership of alliances and blocs.",
    "security-guarantees": "Guarantees against renewed attack.",
    "sanctions": "Imposing, keeping or lifting sanctions.",
    "economy": "Trade, investment, reconstruction and incentives.",
    "military-aid": "Weapons, funding and limits on armed forces.",
    "governance": "Elections, institutions, oversight of the deal.",
    "humanitarian": "Prisoners, civilians, returns and relief.",
    "other": "Anything else.",
}
PLAN_STATUS: dict[str, str] = {
    "drafted": "Written, not yet shown to all parties.",
    "leaked": "Made public without the drafters' consent.",
    "presented": "Put to one or more parties.",
    "under-negotiation": "Being negotiated by the parties.",
    "revised": "Changed after negotiation.",
    "superseded": "Replaced by a later plan.",
    "agreed": "Accepted by the parties.",
    "rejected": "Turned down by a party whose consent it needs.",
}
ACTOR_KIND: dict[str, str] = {
    "person": "A named individual.",
    "organisation": "A company, fund, agency or other body.",
    "government": "A government, administration or office of one.",
    "state": "A country as a party.",
    "group": "Several people or bodies the sources treat together.",
}
RELATION_KIND: dict[str, str] = {
    "heads": "Leads the other.",
    "member-of": "Belongs to the other.",
    "works-for": "Is employed by or acts for the other.",
    "advises": "Advises the other.",
    "represents": "Speaks or acts on the other's behalf.",
    "met": "Met the other.",
    "negotiated-with": "Negotiated with the other.",
    "collaborated-with": "Worked together with the other.",
    "linked-to": "Has a business or other tie to the other.",
    "intermediary-for": "Passed messages or documents for the other.",
}
SOURCE_KIND: dict[str, str] = {
    "news": "A news report or summary.",
    "official": "An official document or record.",
    "statement": "A statement by a party.",
    "leak": "A document published without consent.",
    "analysis": "Analysis or commentary.",
}
PLACE_KIND: dict[str, str] = {
    "city": "A city or town.",
    "venue": "A building or site.",
    "region": "A region or area.",
    "country": "A country.",
}

#: The vocabularies a briefing may replace, by the key ``briefing.yml`` declares them under,
#: with their defaults. (``side`` has none: without a declaration a side is any text;
#: ``stance`` is added to, never replaced.)
REPLACEABLE: dict[str, dict[str, str]] = {
    "term_category": TERM_CATEGORY,
    "plan_status": PLAN_STATUS,
    "actor_kind": ACTOR_KIND,
    "relation_kind": RELATION_KIND,
    "source_kind": SOURCE_KIND,
    "place_kind": PLACE_KIND,
}
#: Every vocabulary by key, in the order the field reference lists them.
NAMES: tuple[str, ...] = ("certainty", "stance", *REPLACEABLE, "side")


def default_label(word: str) -> str:
    """What readers see for a default word: ``security-guarantees`` -> ``Security guarantees``."""
    text = word.replace("-", " ")
    return text[:1].upper() + text[1:]


def title(name: str) -> str:
    """A vocabulary's key as a heading: ``term_category`` -> ``Term category``."""
    return default_label(name.replace("_", "-"))


@dataclass(frozen=True)
class Word:
    """One word of a vocabulary: what sheets write, what readers see, and what it means."""

    word: str
    label: str
    meaning: str
    #: Stances only: the symbol shown before the word, and the fixed stance whose colour it
    #: takes (a fixed stance's own).
    symbol: str = ""
    colour: str = ""


@dataclass(frozen=True)
class WordList:
    """A vocabulary: its words in the order pages show them."""

    name: str  # the key, e.g. term_category
    words: tuple[Word, ...]
    #: True for a side list nobody declared: any text is a side then.
    open: bool = False
    _by_word: Mapping[str, Word] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_word", {w.word: w for w in self.words})

    def __iter__(self) -> Iterator[Word]:
        return iter(self.words)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self._by_word

    @property
    def names(self) -> tuple[str, ...]:
        """The words as sheets write them, in order."""
        return tuple(self._by_word)

    def get(self, word: str) -> Word | None:
        return self._by_word.get(word)

    def label(self, word: str) -> str:
        """What readers see for ``word`` (a word outside the list: itself)."""
        found = self._by_word.get(word)
        return found.label if found is not None else word

    def meaning(self, word: str) -> str:
        found = self._by_word.get(word)
        return found.meaning if found is not None else ""

    def accepts(self, value: str) -> bool:
        return self.open or value in self._by_word


def word_list(name: str, meanings: Mapping[str, str], labels: Mapping[str, str] | None = None
              ) -> WordList:
    """A list of ``meanings``' words, labelled by ``labels`` or else from the word itself."""
    return WordList(name, tuple(
        Word(w, labels[w] if labels is not None else default_label(w), m)
        for w, m in meanings.items()))


def _fixed_stances() -> tuple[Word, ...]:
    return tuple(Word(w, w, m, STANCE_SYMBOLS[w], w) for w, m in STANCE.items())


@dataclass(frozen=True)
class Vocabularies:
    """Every vocabulary of one briefing (``DEFAULT``: of a briefing that declares none)."""

    term_category: WordList
    plan_status: WordList
    actor_kind: WordList
    relation_kind: WordList
    source_kind: WordList
    place_kind: WordList
    #: The sides of who's who, in order; ``open`` when the briefing declares none.
    side: WordList
    #: The eight fixed stances, then those the briefing adds.
    stance: WordList
    certainty: WordList = field(default_factory=lambda: WordList("certainty", tuple(
        Word(w, w, m, CERTAINTY_SYMBOLS[w]) for w, m in CERTAINTY.items())))

    def __getitem__(self, name: str) -> WordList:
        if name not in NAMES:
            raise KeyError(name)
        found: WordList = getattr(self, name)
        return found

    @classmethod
    def of(cls, declared: Mapping[str, tuple[Word, ...] | None]) -> Vocabularies:
        """The defaults, with each list ``declared`` (key -> words; None: not declared) in
        place of its default, and declared stances after the fixed eight."""
        lists = {
            name: WordList(name, declared[name] or ()) if declared.get(name)
            else word_list(name, meanings)
            for name, meanings in REPLACEABLE.items()
        }
        sides = declared.get("side")
        stances = declared.get("stance") or ()
        return cls(
            **lists,
            side=WordList("side", sides) if sides else WordList("side", (), open=True),
            stance=WordList("stance", (*_fixed_stances(), *stances)),
        )

    def sides_order(self) -> tuple[str, ...]:
        """The declared sides in order (none: sides are listed alphabetically)."""
        return self.side.names

    def side_accepted(self) -> tuple[str, ...]:
        """What an actor's ``side`` may say when sides are declared: a declared side, or
        ``Other`` (the group of actors without a side)."""
        names = self.side.names
        return names if OTHER_SIDE in names else (*names, OTHER_SIDE)

    def other_label(self) -> str:
        """The heading of the actors without a side (or on the side ``Other``)."""
        return self.side.label(OTHER_SIDE)


DEFAULT = Vocabularies.of({})

#: The key under which checks pass a briefing's ``Vocabularies`` to pydantic (its context).
CONTEXT_KEY = "vocabularies"

#: The fixed stances: those an added stance may borrow a colour from.
FIXED_STANCES: tuple[str, ...] = tuple(STANCE)
