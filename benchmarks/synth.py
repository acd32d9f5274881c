"""Make a synthetic briefing project of N fact sheets, for benchmarks and scale tests.

The project is a copy of the repository's site set-up (``mkdocs.yml`` with the same nav,
``docs/``, ``briefings/``, ``schemas/``, and ``briefing.yml`` with ``plan`` set to a synthetic
plan and ``review_after_days`` long enough that no review is stale) with ``content/``
generated from a seeded random generator:

* a realistic mix of kinds (per 100 sheets: 5 sources, 30 actors, 2 plans, 20 terms,
  20 positions, 15 events, 8 places);
* valid cross-references (positions on plans and terms, events with places, participants and
  plans, roles and relations between actors, places linked to actors, plans drafted by actors
  at events and superseding earlier plans), with a skewed choice of actors and sources so
  that, as in real briefings, a few of them are referred to much more than the rest;
* 1 to 5 facts per sheet of 1 to 3 sentences each, with a realistic certainty mix, every
  source cited at least once;
* every file starting with its ``# yaml-language-server: $schema=...`` line.

The same ``n`` and ``seed`` always give the same bytes. The generated content is checked with
``briefing check --strict`` and must have no problem at all (no error, no warning).

Usage: ``python benchmarks/synth.py DIR --sheets 1000 [--seed 0]``; from Python,
``make_project(root, n, seed)``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import random
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Sheets of each kind per 100 sheets, in the order they are generated.
MIX: dict[str, int] = {
    "sources": 5,
    "actors": 30,
    "plans": 2,
    "terms": 20,
    "positions": 20,
    "events": 15,
    "places": 8,
}
#: Kinds every project needs at least one of (everything else refers to them).
REQUIRED = ("sources", "actors", "plans")
#: Smallest project make_project builds: one sheet of each kind.
MIN_SHEETS = len(MIX)

#: Settings that differ from the repository's briefing.yml ("" = the first synthetic plan).
#: Reviews never go stale, so that the content checks clean whatever the date.
SETTINGS = {"plan": "", "review_after_days": "36500"}

#: Written into every synthetic project; make_project only ever wipes folders holding it.
MARKER = ".synthetic-briefing"

# --- word banks ----------------------------------------------------------------------------------

FIRST_NAMES = (
    "Anna", "Boris", "Carla", "Dmytro", "Elena", "Farid", "Greta", "Hakan", "Irina", "Jonas",
    "Katarzyna", "Leon", "Maria", "Nikolai", "Olena", "Pavel", "Quentin", "Rustam", "Sofia",
    "Taras", "Ulrike", "Viktor", "Wanda", "Yusuf", "Zofia", "Andriy", "Beatrice", "Cem",
    "Daria", "Emil", "Fiona", "Georgy", "Helena", "Ivan", "Julia", "Kemal", "Lina", "Mark",
    "Natalia", "Oleksandr",
)
LAST_NAMES = (
    "Novak", "Petrenko", "Ivanova", "Schmidt", "Kowalski", "Yilmaz", "Horvath", "Bondarenko",
    "Sokolov", "Meyer", "Lindqvist", "Moreau", "Rossi", "Kovacs", "Demir", "Shevchenko",
    "Volkov", "Fischer", "Nowak", "Larsen", "Dubois", "Marchetti", "Tkachenko", "Orlov",
    "Weber", "Jansen", "Arslan", "Melnyk", "Popescu", "Varga", "Kuznetsov", "Hansen",
    "Lefebvre", "Bianchi", "Kaya", "Savchenko", "Morozov", "Keller", "Bakker", "Sahin",
    "Kravets", "Lebedev", "Wagner", "Nielsen", "Girard", "Romano", "Ozturk", "Lysenko",
    "Pavlov", "Becker", "Visser", "Celik", "Marchenko", "Zaitsev", "Koch", "Berg", "Laurent",
    "Greco", "Aydin", "Kovalenko",
)
COUNTRIES = (
    "Ukraine", "Russia", "United States", "Turkey", "Poland", "Germany", "France",
    "United Kingdom", "Hungary", "Finland", "Estonia", "Romania", "Qatar", "Saudi Arabia",
    "Switzerland", "Austria", "Italy", "Norway", "Belarus", "Moldova", "Georgia", "Lithuania",
    "Latvia", "Slovakia", "Czechia", "Sweden", "Denmark", "Netherlands", "Spain", "Canada",
)
SIDE_OF = {
    "Ukraine": "Ukraine",
    "Russia": "Russia",
    "Belarus": "Russia",
    "United States": "United States",
    "Canada": "United States",
    "Turkey": "Intermediaries",
    "Qatar": "Intermediaries",
    "Saudi Arabia": "Intermediaries",
    "Switzerland": "Intermediaries",
}
CITIES = (
    "Miami", "Istanbul", "Geneva", "Doha", "Riyadh", "Warsaw", "Kyiv", "Moscow", "Berlin",
    "Paris", "London", "Vienna", "Helsinki", "Budapest", "Abu Dhabi", "Washington", "Ankara",
    "Rome", "Oslo", "Brussels", "Minsk", "Chisinau", "Tallinn", "Bucharest", "Copenhagen",
)
VENUES = (
    "Hotel", "Palace", "Conference Centre", "Residence", "Embassy", "Club", "Villa", "Forum",
    "Airport Lounge", "Summit Hall",
)
VENUE_NAMES = (
    "Grand", "Riverside", "Harbour", "Imperial", "Crescent", "Lakeside", "Meridian", "Atlas",
    "Aurora", "Continental", "Regent", "Horizon", "Sapphire", "Belvedere", "Liberty",
)
ORG_ADJECTIVES = (
    "National", "Sovereign", "Northern", "Eastern", "Joint", "Independent", "Federal",
    "Strategic", "Atlantic", "Baltic", "Central", "Continental", "Black Sea", "United",
)
ORG_NOUNS = (
    "Investment Fund", "Energy Company", "Security Council", "Reconstruction Agency",
    "Defence Institute", "Trade Council", "Development Bank", "Policy Centre",
    "Grain Consortium", "Shipping Group", "Press Agency", "Monitoring Mission", "Industries",
)
GOVERNMENT_BODIES = (
    "government", "Ministry of Foreign Affairs", "Ministry of Defence", "presidential office",
    "National Security Council", "parliament", "Ministry of Economy", "negotiating delegation",
)
GROUP_NOUNS = (
    "lawmakers", "negotiating team", "business leaders", "military commanders",
    "opposition parties", "regional governors", "veterans' groups", "mediators",
)
ROLE_TITLES = (
    "Head", "Deputy head", "Special envoy", "Adviser", "Spokesperson", "Chief negotiator",
    "Member", "Minister", "Director", "Chair", "Senior official", "Legal counsel",
)
TOPICS = (
    "the line of contact", "the status of occupied territory", "future alliance membership",
    "security guarantees", "the easing of sanctions", "reconstruction funding",
    "prisoner exchanges", "the return of deported children", "limits on armed forces",
    "frozen central-bank assets", "energy transit", "grain exports through the Black Sea",
    "elections after a ceasefire", "monitoring of a ceasefire", "the nuclear power plant",
    "amnesty for wartime acts", "language and church rights", "a demilitarised zone",
)
TERM_TITLES = {
    "territory": ("Line of contact frozen", "Withdrawal from {region}", "Buffer zone along "
                  "the border", "Status of {region} left open"),
    "sovereignty": ("Recognition of {region}", "Referendum in {region}", "Neutral status"),
    "alliances": ("No membership of military alliances", "Partnership without membership",
                  "Limits on foreign troops"),
    "security-guarantees": ("Guarantees against renewed attack", "Guarantor states named",
                            "Consultation mechanism"),
    "sanctions": ("Sanctions eased in phases", "Snap-back of sanctions", "Asset unfreezing"),
    "economy": ("Reconstruction fund", "Joint investment vehicle", "Trade normalisation"),
    "military-aid": ("Cap on armed forces", "Halt to weapons deliveries", "Training missions"),
    "governance": ("Elections within {months} months", "Monitoring commission",
                   "Amnesty provisions"),
    "humanitarian": ("All-for-all prisoner exchange", "Return of civilians",
                     "Humanitarian corridors"),
    "other": ("Dispute settlement", "Cultural heritage", "Implementation timetable"),
}
REGIONS = (
    "Donetsk", "Luhansk", "Zaporizhzhia", "Kherson", "Crimea", "Kharkiv", "the Donbas",
    "the eastern regions", "the southern corridor",
)
EVENT_KINDS = (
    "talks", "meeting", "summit", "phone call", "working-group session", "briefing",
    "press conference", "visit", "hand-over of a draft", "round of consultations",
)
PLAN_WORDS = (
    "peace plan", "framework agreement", "draft agreement", "ceasefire proposal",
    "memorandum of understanding", "roadmap", "joint declaration",
)
PUBLISHERS = (
    "Daily Courier", "Policy Review", "Eastern Wire", "Atlantic Dispatch", "The Observer Desk",
    "Kyiv Monitor", "Moscow Ledger", "Global Affairs Weekly", "Press Service", "State Gazette",
)
SOURCE_KINDS = ("news", "news", "news", "official", "statement", "leak", "analysis")
CERTAINTIES = ("confirmed", "reported", "possible", "disputed", "denied")
CERTAINTY_WEIGHTS = (15, 65, 12, 5, 3)
STANCES = (
    "supports", "conditional", "seeks-changes", "sceptical", "opposes", "rejects",
    "undecided", "unknown",
)
STANCE_WEIGHTS = (20, 15, 20, 10, 12, 8, 8, 7)
PLAN_STATUSES = (
    "drafted", "leaked", "presented", "under-negotiation", "revised", "superseded", "agreed",
    "rejected",
)
RELATION_KINDS = (
    "heads", "member-of", "works-for", "advises", "represents", "met", "negotiated-with",
    "collaborated-with", "linked-to", "intermediary-for",
)
ACTOR_KINDS = ("person", "organisation", "government", "state", "group")
ACTOR_KIND_WEIGHTS = (60, 15, 10, 5, 10)

# Sentence patterns for facts; {a} and {b} are actor names, {p} a place, {t} a topic.
SENTENCES = (
    "{a} met {b} in {p} to discuss {t}.",
    "{a} said that any agreement must address {t} before a ceasefire can hold.",
    "According to the source, {a} raised {t} with {b} during the talks.",
    "{a} was not consulted on {t}, the source says, although {b} was.",
    "The draft was reportedly shown to {a} before it reached {b}.",
    "{a} called the proposal on {t} a starting point rather than a final offer.",
    "Officials close to {a} described the meeting with {b} as 'constructive'.",
    "{a} has pushed for {t} to be settled in a separate agreement.",
    "The source does not say whether {a} agreed to the wording on {t}.",
    "{a} warned that talks could stall over {t} (a point {b} disputes).",
    "Aides to {a} travelled to {p} ahead of the round on {t}.",
    "{a} denied having seen the text before it was published.",
    "{b} is said to have passed messages between {a} and the other side.",
    "A spokesperson for {a} would neither confirm nor deny the report about {t}.",
    "{a} and {b} last spoke in {p}; neither side gave details afterwards.",
    "The plan's section on {t} may have been rewritten after objections from {a}.",
    "{a} set out three conditions, including a timetable for {t}.",
    "Lawmakers close to {a} asked for a briefing on {t}; none had been held by then.",
    "{a} signalled openness to compromise on {t} but not on sovereignty.",
    "The source puts the cost of {t} at more than $10 billion; {a} gave no figure.",
)
SUMMARIES = (
    "Figures in the talks on {t}.",
    "Closely involved in the negotiations over {t}.",
    "Named by the source in connection with {t}.",
    "Took part in several rounds of talks, most recently in {p}.",
)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def counts_for(n: int) -> dict[str, int]:
    """How many sheets of each kind a project of ``n`` sheets has (the total is ``n``)."""
    if n < MIN_SHEETS:
        raise ValueError(f"a synthetic project needs at least {MIN_SHEETS} sheets; got {n}")
    total = sum(MIX.values())
    exact = {kind: n * weight / total for kind, weight in MIX.items()}
    counts = {kind: int(value) for kind, value in exact.items()}
    by_remainder = sorted(MIX, key=lambda k: (-(exact[k] - counts[k]), list(MIX).index(k)))
    for kind in by_remainder[: n - sum(counts.values())]:
        counts[kind] += 1
    for kind in MIX:  # every kind at least once, taken from the largest
        if counts[kind] == 0:
            largest = max(MIX, key=lambda k: counts[k])
            counts[largest] -= 1
            counts[kind] = 1
    return counts


class _Generator:
    """Builds every sheet as plain data (key order as editors write it), then emits YAML."""

    def __init__(self, n: int, seed: int):
        self.rng = random.Random(seed)
        self.counts = counts_for(n)
        self.used: set[str] = set()
        self.sheets: dict[str, list[dict[str, Any]]] = {kind: [] for kind in MIX}
        self.names: dict[str, str] = {}
        self.facts: list[dict[str, Any]] = []
        self._cumulative_weights: dict[int, list[float]] = {}
        self._ids: dict[str, list[str]] = {}
        self._actor_meta: list[tuple[str, str]] = []  # (kind, country) of each actor
        self._bodies: list[str] = []  # organisations and governments: what roles are in

    # --- helpers -------------------------------------------------------------------------------

    def unique_id(self, text: str) -> str:
        base = slugify(text)[:60].strip("-") or "sheet"
        candidate, number = base, 2
        while candidate in self.used:
            candidate = f"{base}-{number}"
            number += 1
        self.used.add(candidate)
        return candidate

    def skewed(self, items: Sequence[str], k: int = 1) -> list[str]:
        """``k`` distinct items, early items far more likely (a few prominent actors)."""
        k = min(k, len(items))
        cumulative = self._cumulative(len(items))
        chosen: list[str] = []
        while len(chosen) < k:
            item = self.rng.choices(items, cum_weights=cumulative)[0]
            if item not in chosen:
                chosen.append(item)
        return chosen

    def _cumulative(self, size: int) -> list[float]:
        if size not in self._cumulative_weights:
            weights = [1 / (rank + 1) ** 0.8 for rank in range(size)]
            self._cumulative_weights[size] = list(itertools.accumulate(weights))
        return self._cumulative_weights[size]

    def date(self, precision: str | None = None) -> str:
        rng = self.rng
        year = rng.choice((2023, 2024, 2024, 2025, 2025, 2025))
        precision = precision or rng.choices(("day", "month", "part", "year"), (50, 30, 15, 5))[0]
        if precision == "year":
            return str(year)
        month = rng.randint(1, 12)
        if precision == "part":
            return f"{rng.choice(('early', 'mid', 'late'))} {year}-{month:02d}"
        if precision == "month":
            return f"{year}-{month:02d}"
        return f"{year}-{month:02d}-{rng.randint(1, 28):02d}"

    def sentence(self) -> str:
        actors = self.ids("actors")
        a, b = (self.names[i] for i in self.skewed(actors, 2)) if len(actors) > 1 else ("X", "Y")
        if len(actors) == 1:
            a = b = self.names[actors[0]]
        return self.rng.choice(SENTENCES).format(
            a=a, b=b, p=self.rng.choice(CITIES), t=self.rng.choice(TOPICS)
        )

    def text(self) -> str:
        """One to three sentences, as facts are written."""
        count = self.rng.choices((1, 2, 3), (60, 30, 10))[0]
        return " ".join(self.sentence() for _ in range(count))

    def fact_list(self, low: int = 1, high: int = 5) -> list[dict[str, Any]]:
        weights = (20, 30, 25, 15, 10)[: high - low + 1]
        count = self.rng.choices(range(low, high + 1), weights)[0]
        return [self.fact() for _ in range(count)]

    def fact(self) -> dict[str, Any]:
        sources = self.skewed(self.ids("sources"), self.rng.choices((1, 2), (80, 20))[0])
        fact: dict[str, Any] = {
            "text": self.text(),
            "sources": sources,
            "certainty": self.rng.choices(CERTAINTIES, CERTAINTY_WEIGHTS)[0],
        }
        if self.rng.random() < 0.5:
            fact["as_of"] = self.date()
        self.facts.append(fact)
        return fact

    def ids(self, kind: str) -> list[str]:
        """Ids of every sheet of ``kind`` (fixed once all ids are chosen)."""
        if kind in self._ids:
            return self._ids[kind]
        return [sheet["id"] for sheet in self.sheets[kind]]

    def freeze_ids(self) -> None:
        self._ids = {kind: [s["id"] for s in sheets] for kind, sheets in self.sheets.items()}

    def maybe(self, probability: float) -> bool:
        return self.rng.random() < probability

    def common(self, sheet: dict[str, Any]) -> dict[str, Any]:
        if self.maybe(0.3):  # reviewed before the build date benchmarks use (2025-11-27)
            year, month = self.rng.choice((2024, 2025)), self.rng.randint(1, 10)
            sheet["reviewed"] = f"{year}-{month:02d}-{self.rng.randint(1, 28):02d}"
        return sheet

    # --- ids and names first, so that every kind can refer to every other -----------------------

    def plan_ids(self) -> None:
        rng = self.rng
        for kind in MIX:
            for index in range(self.counts[kind]):
                name = self._name(kind, index, rng)
                sheet_id = self.unique_id(name)
                self.names[sheet_id] = name
                self.sheets[kind].append({"id": sheet_id})

    def _name(self, kind: str, index: int, rng: random.Random) -> str:
        if kind == "sources":
            publisher = rng.choice(PUBLISHERS)
            return f"{publisher} report on {rng.choice(TOPICS)}"
        if kind == "actors":
            return self._actor_name(index, rng)
        if kind == "plans":
            country = rng.choice(COUNTRIES)
            return f"{country} {rng.randint(5, 40)}-point {rng.choice(PLAN_WORDS)}"
        if kind == "terms":
            return ""  # named once the plan is known
        if kind == "positions":
            return f"position {index}"  # renamed once actor and target are known
        if kind == "events":
            return f"{rng.choice(EVENT_KINDS).capitalize()} in {rng.choice(CITIES)}"
        return f"{rng.choice(VENUE_NAMES)} {rng.choice(VENUES)} {rng.choice(CITIES)}"

    def _actor_name(self, index: int, rng: random.Random) -> str:
        kind = rng.choices(ACTOR_KINDS, ACTOR_KIND_WEIGHTS)[0]
        country = rng.choice(COUNTRIES)
        if kind == "person":
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        elif kind == "organisation":
            name = f"{rng.choice(ORG_ADJECTIVES)} {rng.choice(ORG_NOUNS)} of {country}"
        elif kind == "government":
            name = f"{country} {rng.choice(GOVERNMENT_BODIES)}"
        elif kind == "state":
            name = country
        else:
            name = f"{country} {rng.choice(GROUP_NOUNS)}"
        self._actor_meta.append((kind, country))
        return name

    # --- sheets ----------------------------------------------------------------------------------

    def build(self) -> None:
        self.plan_ids()
        # Terms take their plan's name; positions their actor's and target's.
        plans = self.ids("plans")
        self._term_plan: dict[int, str] = {}
        for index, sheet in enumerate(self.sheets["terms"]):
            self.used.discard(sheet["id"])
            plan = self.skewed(plans)[0]
            category = self.rng.choice(tuple(TERM_TITLES))
            title = self.rng.choice(TERM_TITLES[category]).format(
                region=self.rng.choice(REGIONS), months=self.rng.choice((3, 6, 9, 12))
            )
            sheet["id"] = self.unique_id(f"{title}")
            self.names[sheet["id"]] = title
            sheet["_category"] = category
            self._term_plan[index] = plan
        for sheet in self.sheets["positions"]:
            self.used.discard(sheet["id"])
        self.freeze_ids()
        positions = self.sheets["positions"]
        self.sheets["positions"] = []
        for _ in positions:
            actor = self.skewed(self.ids("actors"))[0]
            targets = self.ids("terms") if self.maybe(0.7) and self.ids("terms") else plans
            target = self.skewed(targets)[0]
            sheet_id = self.unique_id(f"{actor}-on-{target}")
            self.names[sheet_id] = f"{self.names[actor]} on {self.names[target]}"
            self.sheets["positions"].append({"id": sheet_id, "_actor": actor, "_on": target})
        self.freeze_ids()
        self._bodies = [
            sheet_id
            for sheet_id, (kind, _) in zip(self.ids("actors"), self._actor_meta, strict=True)
            if kind in ("organisation", "government")
        ]

        self.sheets["sources"] = [self.source(s["id"]) for s in self.sheets["sources"]]
        self.sheets["actors"] = [
            self.actor(s["id"], *self._actor_meta[i]) for i, s in enumerate(self.sheets["actors"])
        ]
        self.sheets["plans"] = [self.plan(i, s["id"]) for i, s in enumerate(self.sheets["plans"])]
        self.sheets["terms"] = [
            self.term(s["id"], self._term_plan[i], s["_category"])
            for i, s in enumerate(self.sheets["terms"])
        ]
        self.sheets["positions"] = [
            self.position(s["id"], s["_actor"], s["_on"]) for s in self.sheets["positions"]
        ]
        self.sheets["events"] = [self.event(s["id"]) for s in self.sheets["events"]]
        self.sheets["places"] = [self.place(s["id"]) for s in self.sheets["places"]]
        self.cite_every_source()

    def source(self, sheet_id: str) -> dict[str, Any]:
        title = self.names[sheet_id]
        sheet: dict[str, Any] = {
            "id": sheet_id,
            "title": title[:1].upper() + title[1:],
            "kind": self.rng.choice(SOURCE_KINDS),
        }
        if self.maybe(0.8):
            sheet["publisher"] = title.split(" report on ")[0]
        if self.maybe(0.4):
            sheet["author"] = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        sheet["published"] = self.date()
        if self.maybe(0.7):
            sheet["url"] = f"https://news.example.org/{self.rng.randint(2023, 2025)}/{sheet_id}"
        sheet["summary"] = f"A report on {self.rng.choice(TOPICS)} and the talks around it."
        sheet = self.common(sheet)
        if self.maybe(0.3):
            sheet["facts"] = [
                {"text": self.text(), "sources": [sheet_id], "certainty": "reported"}
            ]
        return sheet

    def actor(self, sheet_id: str, kind: str, country: str) -> dict[str, Any]:
        name = self.names[sheet_id]
        sheet: dict[str, Any] = {"id": sheet_id, "name": name, "kind": kind}
        if kind in ("organisation", "government", "group") and self.maybe(0.5):
            acronym = "".join(w[0] for w in name.split() if w[0].isupper())
            sheet["aliases"] = [acronym] if len(acronym) > 1 else [f"{name} (formerly)"]
        if self.maybe(0.85):
            sheet["side"] = SIDE_OF.get(country, "Europe")
        sheet["summary"] = self.rng.choice(SUMMARIES).format(
            t=self.rng.choice(TOPICS), p=self.rng.choice(CITIES)
        )
        sheet = self.common(sheet)
        bodies = self._bodies
        actors = self.ids("actors")
        if kind == "person" and self.maybe(0.5):
            roles = []
            for _ in range(self.rng.choices((1, 2), (75, 25))[0]):
                role: dict[str, Any] = {"title": self.rng.choice(ROLE_TITLES)}
                if bodies and self.maybe(0.8):
                    role["of"] = self.skewed(bodies)[0]
                if self.maybe(0.4):
                    role["since"] = self.date()
                role["facts"] = [self.fact()]
                roles.append(role)
            sheet["roles"] = roles
        count = self.rng.choices((0, 1, 2, 3), (45, 30, 15, 10))[0]
        others = [a for a in self.skewed(actors, count) if a != sheet_id]
        if others:
            sheet["relations"] = [
                {"to": other, "kind": self.rng.choice(RELATION_KINDS), "facts": [self.fact()]}
                for other in others
            ]
        sheet["facts"] = self.fact_list(1, 4)
        return sheet

    def plan(self, index: int, sheet_id: str) -> dict[str, Any]:
        title = self.names[sheet_id]
        points = int(title.split("-point")[0].split()[-1])
        sheet: dict[str, Any] = {
            "id": sheet_id,
            "title": title[:1].upper() + title[1:],
            "status": self.rng.choice(PLAN_STATUSES),
            "points": points,
            "drafted_by": self.skewed(self.ids("actors"), self.rng.randint(1, 3)),
        }
        events = self.ids("events")
        if events and self.maybe(0.5):
            sheet["drafted_at"] = self.rng.choice(events)
        if self.maybe(0.5):
            sheet["deadline"] = {"date": self.date("day"), "label": "Deadline set by the drafters"}
        if index > 0 and self.maybe(0.3):
            sheet["supersedes"] = self.ids("plans")[index - 1]
        sheet["summary"] = f"Proposal covering {self.rng.choice(TOPICS)} and related questions."
        sheet = self.common(sheet)
        sheet["facts"] = self.fact_list()
        return sheet

    def term(self, sheet_id: str, plan: str, category: str) -> dict[str, Any]:
        sheet: dict[str, Any] = {"id": sheet_id, "plan": plan}
        if self.maybe(0.7):
            sheet["number"] = self.rng.randint(1, 28)
        sheet["title"] = self.names[sheet_id]
        sheet["category"] = category
        sheet["summary"] = f"The plan's provision on {self.rng.choice(TOPICS)}."
        sheet = self.common(sheet)
        sheet["facts"] = self.fact_list()
        return sheet

    def position(self, sheet_id: str, actor: str, target: str) -> dict[str, Any]:
        sheet: dict[str, Any] = {
            "id": sheet_id,
            "actor": actor,
            "on": target,
            "stance": self.rng.choices(STANCES, STANCE_WEIGHTS)[0],
        }
        if self.maybe(0.8):
            sheet["as_of"] = self.date()
        sheet["summary"] = f"{self.names[actor]} on {self.names[target]}."
        sheet = self.common(sheet)
        sheet["facts"] = self.fact_list()
        return sheet

    def event(self, sheet_id: str) -> dict[str, Any]:
        sheet: dict[str, Any] = {"id": sheet_id, "date": self.date()}
        sheet["title"] = self.names[sheet_id]
        places = self.ids("places")
        if places and self.maybe(0.7):
            sheet["place"] = self.skewed(places)[0]
        sheet["participants"] = self.skewed(self.ids("actors"), self.rng.randint(1, 4))
        if self.maybe(0.6):
            sheet["plans"] = self.skewed(self.ids("plans"), self.rng.choices((1, 2), (80, 20))[0])
        sheet["summary"] = f"A {self.rng.choice(EVENT_KINDS)} on {self.rng.choice(TOPICS)}."
        sheet = self.common(sheet)
        sheet["facts"] = self.fact_list()
        return sheet

    def place(self, sheet_id: str) -> dict[str, Any]:
        name = self.names[sheet_id]
        city = name.split()[-1] if not name.endswith("Dhabi") else "Abu Dhabi"
        sheet: dict[str, Any] = {"id": sheet_id}
        if self.maybe(0.8):
            sheet.update(name=name, kind="venue", city=city)
        else:
            sheet.update(name=city, kind="city")
        sheet["country"] = self.rng.choice(COUNTRIES)
        if self.maybe(0.4):
            sheet["linked_to"] = self.skewed(self.ids("actors"), self.rng.randint(1, 2))
        sheet["summary"] = f"Venue used for talks on {self.rng.choice(TOPICS)}."
        sheet = self.common(sheet)
        sheet["facts"] = self.fact_list(1, 3)
        return sheet

    def cite_every_source(self) -> None:
        cited = {source for fact in self.facts for source in fact["sources"]}
        for source in self.ids("sources"):
            if source not in cited:
                fact = self.rng.choice(self.facts)
                fact["sources"] = [*fact["sources"], source]


# --- YAML, written as editors write it ------------------------------------------------------------

_PLAIN_UNSAFE = re.compile(r"(: |\s#|^[-?:,\[\]{}#&*!|>'\"%@`\s]|\s$|:$)")
_FLOW_SAFE = re.compile(r"^[a-z0-9-]+$")


def _scalar(value: Any) -> str:
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN_UNSAFE.search(text) or "\n" in text:
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one
    return text


def _emit(data: dict[str, Any], indent: int, lines: list[str], first_prefix: str = "") -> None:
    pad = " " * indent
    for number, (key, value) in enumerate(data.items()):
        lead = first_prefix if number == 0 and first_prefix else pad
        if isinstance(value, dict):
            lines.append(f"{lead}{key}:")
            _emit(value, indent + 2, lines)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{lead}{key}:")
            for item in value:
                _emit(item, indent + 4, lines, first_prefix=" " * (indent + 2) + "- ")
        elif isinstance(value, list) and all(_FLOW_SAFE.match(str(v)) for v in value):
            lines.append(f"{lead}{key}: [{', '.join(str(v) for v in value)}]")
        elif isinstance(value, list):
            lines.append(f"{lead}{key}:")
            lines.extend(f"{pad}  - {_scalar(v)}" for v in value)
        else:
            lines.append(f"{lead}{key}: {_scalar(value)}")


def sheet_text(kind: str, data: dict[str, Any]) -> str:
    lines = [f"# yaml-language-server: $schema=../../schemas/{kind}.schema.json"]
    _emit(data, 0, lines)
    return "\n".join(lines) + "\n"


# --- the project ---------------------------------------------------------------------------------


def _prepare_folder(root: Path) -> None:
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).is_file():
            raise FileExistsError(
                f"{root} is not empty and was not made by synth.py; refusing to overwrite it"
            )
        for name in ("content", "docs", "briefings", "schemas"):
            shutil.rmtree(root / name, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text("made by benchmarks/synth.py; safe to delete\n", encoding="utf-8")


def _copy_setup(root: Path, plan_id: str) -> None:
    shutil.copy2(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    for folder in ("docs", "briefings", "schemas"):
        if (REPO_ROOT / folder).is_dir():
            shutil.copytree(REPO_ROOT / folder, root / folder)
    settings = (REPO_ROOT / "briefing.yml").read_text(encoding="utf-8")
    for key, value in SETTINGS.items():
        line = f"{key}: {value or plan_id}"
        settings, found = re.subn(rf"(?m)^{key}:.*$", line, settings)
        if not found:
            settings = settings.rstrip("\n") + f"\n{line}\n"
    (root / "briefing.yml").write_text(settings, encoding="utf-8")


def generate(n: int, seed: int = 0) -> dict[str, str]:
    """The content files of a project of ``n`` sheets: ``content/<kind>/<id>.yml`` -> text."""
    generator = _Generator(n, seed)
    generator.build()
    files: dict[str, str] = {}
    for kind, sheets in generator.sheets.items():
        for sheet in sheets:
            files[f"content/{kind}/{sheet['id']}.yml"] = sheet_text(kind, sheet)
    return files


def verify(root: Path) -> None:
    """Run ``briefing check --strict`` on the project; raise unless it reports no problem."""
    from generator.cli import main as briefing

    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        status = briefing(["--root", str(root), "check", "--strict"])
    if status != 0:
        lines = output.getvalue().splitlines()
        shown = "\n".join(lines if len(lines) <= 21 else [*lines[:20], "...", lines[-1]])
        raise AssertionError(f"'briefing check --strict' found problems in {root}:\n{shown}")


def make_project(root: Path, n: int, seed: int = 0, *, check: bool = True) -> None:
    """Write a synthetic project of ``n`` fact sheets to ``root`` (made if missing).

    ``root`` must be empty, missing, or an earlier synthetic project (which is replaced).
    With ``check`` (the default) the content is validated and must have no problem at all.
    """
    files = generate(n, seed)
    _prepare_folder(root)
    plan_id = next(p for p in files if p.startswith("content/plans/"))
    _copy_setup(root, Path(plan_id).stem)
    for kind in MIX:
        (root / "content" / kind).mkdir(parents=True, exist_ok=True)
    for relative, text in files.items():
        (root / relative).write_text(text, encoding="utf-8")
    if check:
        verify(root)


def main(argv: Sequence[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("root", type=Path, help="folder to write the project to")
    parser.add_argument("--sheets", "-n", type=int, default=1000, help="number of fact sheets")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--no-check", action="store_true", help="skip 'briefing check'")
    args = parser.parse_args(argv)
    make_project(args.root, args.sheets, args.seed, check=not args.no_check)
    counts = ", ".join(f"{count} {kind}" for kind, count in counts_for(args.sheets).items())
    out(f"wrote {args.sheets} fact sheets to {args.root} ({counts})"
        + ("" if args.no_check else "; briefing check: no problems"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
