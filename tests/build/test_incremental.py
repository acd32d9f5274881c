"""Incremental rebuilds give exactly the pages of a full build, after any sequence of edits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.build.incremental import ALL, LENGTH, PageIndex
from generator.build.workspace import Prepared, Workspace, prepare
from generator.content.briefing import Briefing, facts_of, lookup
from generator.content.check import ContentCheck
from generator.content.schema import Actor, Source

REPO = Path(__file__).resolve().parent.parent.parent
#: The day every build here is for, so that an incremental and a full build of one test agree
#: on it (the review page, overdue reviews) whatever the clock says.
DAY = dt.date(2025, 11, 28)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    for name in ("content", "briefings"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "briefing.yml", root / "briefing.yml")
    return root


def pages_of(prepared: Prepared) -> dict[str, tuple[str, str, str | None, str | None]]:
    return {p.path: (p.markdown, p.title, p.source, p.jsonld) for p in prepared.pages}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def rename_everywhere(root: Path, old_id: str, new_id: str, folder: str) -> None:
    (root / "content" / folder / f"{old_id}.yml").rename(
        root / "content" / folder / f"{new_id}.yml"
    )
    for sheet in (root / "content").rglob("*.yml"):
        text = sheet.read_text(encoding="utf-8")
        if old_id in text:
            sheet.write_text(text.replace(old_id, new_id), encoding="utf-8")


NEW_POSITION = """# yaml-language-server: $schema=../../schemas/positions.schema.json
id: us-lawmakers-on-crimea-recognised-as-russian
actor: us-lawmakers
on: crimea-recognised-as-russian
stance: unknown
facts:
  - text: A test position added by an edit.
    sources: [miami-peace-plan-report-2025-11]
    certainty: possible
"""

Edit = Callable[[Path], None]

EDITS: list[tuple[str, Edit]] = [
    ("rename an actor", lambda root: edit(
        root / "content/actors/anna-luna.yml", "name: Anna Luna", "name: Anna P. Luna")),
    ("add a position", lambda root: (
        root / "content/positions/us-lawmakers-on-crimea-recognised-as-russian.yml"
    ).write_text(NEW_POSITION, encoding="utf-8")),
    ("change a stance", lambda root: edit(
        root / "content/positions/us-lawmakers-on-us-russia-28-point-plan.yml",
        "stance: sceptical", "stance: opposes")),
    ("make a fact an open question", lambda root: edit(
        root / "content/actors/keith-kellogg.yml", "certainty: reported", "certainty: disputed")),
    ("rename a sheet and its references", lambda root: rename_everywhere(
        root, "dmitriev-luna-faena-meeting", "dmitriev-meets-luna", "events")),
    ("delete a position", lambda root: (
        root / "content/positions/us-lawmakers-on-crimea-recognised-as-russian.yml").unlink()),
    ("move an event's date", lambda root: edit(
        root / "content/events/thanksgiving-deadline-2025-11-27.yml",
        "date: 2025-11-27", "date: late 2025-11")),
    ("edit an open question's text", lambda root: edit(
        root / "content/actors/marco-rubio.yml", "May also have been", "Might also have been")),
    ("close an open question", lambda root: edit(
        root / "content/actors/marco-rubio.yml", "certainty: possible", "certainty: reported")),
    ("reopen it", lambda root: edit(
        root / "content/actors/marco-rubio.yml",
        "firmly.\n    sources: [miami-peace-plan-report-2025-11]\n    certainty: reported",
        "firmly.\n    sources: [miami-peace-plan-report-2025-11]\n    certainty: denied")),
    ("edit a role's fact", lambda root: edit(
        root / "content/actors/marco-rubio.yml", "Holds the post of", "Holds the office of")),
    ("retitle the cited source", lambda root: edit(
        root / "content/sources/miami-peace-plan-report-2025-11.yml",
        "title: News summary", "title: A news summary")),
    ("date the source to the day", lambda root: edit(
        root / "content/sources/miami-peace-plan-report-2025-11.yml",
        "published: 2025-11", "published: 2025-11-20")),
    ("move an actor to another side", lambda root: edit(
        root / "content/actors/anna-luna.yml", "side: United States", "side: Congress")),
    ("review a sheet", lambda root: edit(
        root / "content/actors/anna-luna.yml", "\nname: ", "\nreviewed: 2025-11-20\nname: ")),
    ("rename an actor named on positions", lambda root: edit(
        root / "content/actors/us-lawmakers.yml", "name: ", "name: The ")),
    # The order of events: the windows of the events after the meeting, and the order of
    # each list they are in, hang on its date and on every order.
    ("move the event an order hangs on", lambda root: edit(
        root / "content/events/miami-drafting-meeting-2025-10.yml",
        "date: late 2025-10", "date: mid 2025-10")),
    ("put an event after another", lambda root: edit(
        root / "content/events/dmitriev-meets-luna.yml",
        "\ntitle: ", "\nafter: [umerov-witkoff-talks-miami]\ntitle: ")),
    ("change a template", lambda root: edit(
        root / "briefings/place.md.j2", "## Facts", "## Facts about the place")),
]


def test_incremental_equals_full_after_each_edit(project: Path) -> None:
    workspace = Workspace(project, DAY)
    first = workspace.build()
    total = len(first.pages)
    assert workspace.stats == {"files_parsed": 39, "pages_rendered": total}
    assert pages_of(first) == pages_of(prepare(project, DAY))
    for name, change in EDITS:
        change(project)
        incremental = workspace.build()
        assert pages_of(incremental) == pages_of(prepare(project, DAY)), name
        if name != "change a template":
            assert workspace.stats["pages_rendered"] < len(incremental.pages), name


def test_one_edit_rereads_one_file_and_rerenders_few_pages(project: Path) -> None:
    workspace = Workspace(project, DAY)
    workspace.build()
    edit(project / "content/places/miami.yml", "name: Miami", "name: Miami, Florida")
    workspace.build()
    assert workspace.stats["files_parsed"] == 1
    # Miami's page and the pages that name it (its events, their participants, the places
    # index, the timeline...), never the whole site.
    assert 1 < workspace.stats["pages_rendered"] < 48 / 2


def test_unchanged_content_renders_nothing(project: Path) -> None:
    workspace = Workspace(project, DAY)
    workspace.build()
    workspace.content._checked_ns -= 10_000_000_000  # pretend the last check was long ago
    workspace.build()
    assert workspace.stats == {"files_parsed": 0, "pages_rendered": 0}


def test_same_size_edit_within_the_clock_tick_is_seen(project: Path) -> None:
    path = project / "content/places/miami.yml"
    path.touch()  # written just now, as an editor's save is
    workspace = Workspace(project, DAY)
    workspace.build()
    stat = path.stat()
    edit(path, "name: Miami", "name: Miama")  # the same size,
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # within the same clock tick
    rebuilt = workspace.build()
    assert any("Miama" in p.markdown for p in rebuilt.pages)


def test_content_error_then_fix(project: Path) -> None:
    from generator.errors import ContentError

    workspace = Workspace(project, DAY)
    workspace.build()
    path = project / "content/places/miami.yml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("kind: city", "kind: town"), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        workspace.build()
    assert [p.rule for p in caught.value.problems if p.is_error] == ["vocabulary"]
    path.write_text(good, encoding="utf-8")
    assert pages_of(workspace.build()) == pages_of(prepare(project, DAY))


def test_briefing_build_reads_each_file_once(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI hands its workspace to the MkDocs plugin: content is not validated twice."""
    import generator.content.check
    from generator.cli import main

    for name in ("docs", "mkdocs.yml"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        else:
            shutil.copy(source, project / name)
    calls: list[str] = []
    parsed: list[str] = []
    real_read, real_load = generator.content.check.read_file, generator.content.check.load_one

    def reading(path: str, display: str):  # type: ignore[no-untyped-def]
        calls.append(display)
        return real_read(path, display)

    def loading(path: str, display: str, folder: str, data: bytes, *words):  # type: ignore[no-untyped-def]
        parsed.append(display)
        return real_load(path, display, folder, data, *words)

    monkeypatch.setattr(generator.content.check, "read_file", reading)
    monkeypatch.setattr(generator.content.check, "load_one", loading)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    site = tmp_path / "site"
    assert main(["--root", str(project), "build", "--no-pdf", "--site-dir", str(site)]) == 0
    assert (site / "actors" / "kirill-dmitriev" / "index.html").is_file()
    assert sorted(calls) == sorted(set(calls)) and len(calls) == 39
    assert sorted(parsed) == sorted(calls)


def test_composed_pages_redone_only_when_what_they_show_changed(project: Path) -> None:
    workspace = Workspace(project, DAY)
    workspace.build()
    edit(project / "content/actors/jared-kushner.yml", "no official title", "no title")
    workspace.build()  # a reported fact: no index shows its text
    assert "actors/jared-kushner.md" in workspace.rendered
    assert not {"positions/index.md", "actors/index.md", "open-questions.md", "index.md",
                "review.md"} & set(workspace.rendered)
    edit(project / "content/actors/marco-rubio.yml", "May also have been", "Might also have been")
    workspace.build()  # an open question: its page shows the text
    assert "open-questions.md" in workspace.rendered
    assert "positions/index.md" not in workspace.rendered
    edit(project / "content/actors/us-lawmakers.yml", "name: US lawmakers", "name: Congress")
    rebuilt = workspace.build()  # a name: every page naming them
    assert {"positions/index.md", "actors/index.md"} <= set(workspace.rendered)
    assert pages_of(rebuilt) == pages_of(prepare(project, DAY))


PROBLEM_EDITS: list[tuple[str, Edit]] = [
    ("delete a sheet others refer to", lambda root: (
        root / "content/places/miami.yml").unlink()),
    ("put it back under another id", lambda root: (
        root / "content/places/miama.yml").write_text(MIAMA, encoding="utf-8")),
    ("a second sheet with that id", lambda root: (
        root / "content/actors/miama.yml").write_text(
            MIAMA.replace("places.schema", "actors.schema"), encoding="utf-8")),
    ("remove the duplicate", lambda root: (root / "content/actors/miama.yml").unlink()),
    ("give the place the old id back", lambda root: (
        root / "content/places/miama.yml").rename(root / "content/places/miami.yml")),
    ("break a sheet others refer to", lambda root: edit(
        root / "content/places/miami.yml", "kind: city", "kind: town")),
    ("mend it", lambda root: edit(
        root / "content/places/miami.yml", "kind: town", "kind: city")),
    ("refer to a missing actor", lambda root: edit(
        root / "content/positions/us-lawmakers-on-us-russia-28-point-plan.yml",
        "actor: us-lawmakers", "actor: us-lawmaker")),
    ("stop citing the source", lambda root: rename_everywhere(
        root, "miami-peace-plan-report-2025-11", "renamed-report", "sources")),
    ("review a sheet long ago", lambda root: edit(
        root / "content/actors/anna-luna.yml", "\nname: ", "\nreviewed: 2020-01-01\nname: ")),
    ("add an actor with nothing", lambda root: (
        root / "content/actors/nobody.yml").write_text(NOBODY, encoding="utf-8")),
    ("a position of that actor", lambda root: edit(
        root / "content/positions/us-lawmakers-on-us-russia-28-point-plan.yml",
        "actor: us-lawmaker\n", "actor: nobody\n")),
    # Sheets with errors of their own still have their references and ids checked, and
    # their citations and positions still count.
    ("a field error beside a bad reference", lambda root: (
        edit(lawmakers(root), "stance: sceptical", "stance: doubtful"),
        edit(lawmakers(root), "actor: nobody\n", "actor: nobodi\n"))),
    ("mend the reference, keep the field error", lambda root: edit(
        lawmakers(root), "actor: nobodi\n", "actor: nobody\n")),
    ("a new source cited only by the broken sheet", lambda root: (
        (root / "content/sources/lonely-report.yml").write_text(LONELY, encoding="utf-8"),
        edit(lawmakers(root), "Voiced doubts about the proposal.\n    sources: [renamed-report]",
             "Voiced doubts about the proposal.\n    sources: [lonely-report]"))),
    ("a broken sheet before a valid one with its id", lambda root: (
        root / "content/actors/faena-hotel.yml").write_text(BROKEN_FAENA, encoding="utf-8")),
    ("an id unlike the file name, and a bad reference", lambda root: (
        root / "content/events/misnamed.yml").write_text(MISNAMED, encoding="utf-8")),
    ("the broken sheet's reference resolves once a sheet appears", lambda root: (
        root / "content/actors/nobodi.yml").write_text(
            NOBODY.replace("nobody", "nobodi").replace("Nobody", "Nobodi"), encoding="utf-8")),
    ("mend them all", lambda root: (
        edit(lawmakers(root), "stance: doubtful", "stance: sceptical"),
        edit(root / "content/places/miami.yml", "id: miama", "id: miami"),
        (root / "content/actors/faena-hotel.yml").unlink(),
        (root / "content/events/misnamed.yml").unlink(),
        (root / "content/actors/nobodi.yml").unlink())),
]


def lawmakers(root: Path) -> Path:
    return root / "content/positions/us-lawmakers-on-us-russia-28-point-plan.yml"


LONELY = """# yaml-language-server: $schema=../../schemas/sources.schema.json
id: lonely-report
title: A report only a broken sheet cites
kind: news
"""

BROKEN_FAENA = """# yaml-language-server: $schema=../../schemas/actors.schema.json
id: faena-hotel
name: Faena Hotel
kind: venue
facts:
  - text: An actor with the id of a place, and a word outside the vocabulary.
    sources: [lonely-report]
    certainty: reported
"""

#: Problems (file, rule) some edits must bring, and must not, besides agreeing with a full check.
SHOWN = {
    "a field error beside a bad reference": {
        ("content/positions/us-lawmakers-on-us-russia-28-point-plan.yml", "vocabulary"),
        ("content/positions/us-lawmakers-on-us-russia-28-point-plan.yml", "reference")},
    "a broken sheet before a valid one with its id": {
        ("content/actors/faena-hotel.yml", "vocabulary"),
        ("content/places/faena-hotel.yml", "duplicate-id")},
    "an id unlike the file name, and a bad reference": {
        ("content/events/misnamed.yml", "id-mismatch"),
        ("content/events/misnamed.yml", "reference")},
}
NOT_SHOWN = {
    "mend the reference, keep the field error": {("content/actors/nobody.yml",
                                                  "actor-without-facts")},
    "a new source cited only by the broken sheet": {("content/sources/lonely-report.yml",
                                                      "unused-source")},
    "the broken sheet's reference resolves once a sheet appears": {("content/events/misnamed.yml",
                                                                     "reference")},
}

MISNAMED = """# yaml-language-server: $schema=../../schemas/events.schema.json
id: other-name
date: 2025-11
title: An event whose id is not its file name
participants: [nobodi]
facts:
  - text: Refers to an actor that does not exist yet.
    sources: [lonely-report]
    certainty: reported
"""

NOBODY = """# yaml-language-server: $schema=../../schemas/actors.schema.json
id: nobody
name: Nobody
kind: person
"""


def _miama() -> str:
    return (REPO / "content/places/miami.yml").read_text(encoding="utf-8").replace(
        "id: miami", "id: miama")


MIAMA = _miama()


def test_incremental_check_reports_what_a_full_check_does(project: Path) -> None:
    from generator.config import load_project
    from generator.content.check import check

    # The content alone (the settings' own references are not the full check's business).
    loaded = dataclasses.replace(load_project(project), source=None)
    settings = loaded.settings
    workspace = Workspace(project, DAY)
    workspace.check(loaded)
    for name, change in PROBLEM_EDITS:
        change(project)
        incremental = workspace.check(loaded)
        full = check(project / "content", project, settings.review_after_days, DAY)
        assert incremental.problems == full.problems, name
        assert incremental.sheets == full.sheets, name
        assert incremental.files == full.files, name
        found = {(p.path, p.rule) for p in incremental.problems}
        assert SHOWN.get(name, set()) <= found, name
        assert not NOT_SHOWN.get(name, set()) & found, name
        if incremental.ok:
            assert pages_of(workspace.build()) == pages_of(prepare(project, DAY)), name
    assert incremental.ok, "the last edit mends everything"


# --- a Briefing lookup added by a newcomer: tracked with no registration ----------------------


def _same_side(self: Briefing, side: str | None) -> list[Actor]:
    """Unmarked, as a newcomer might first write it: tracked by what it reads."""
    return [a for a in self.actors if a.side == side]


def _reviewed_ids(self: Briefing) -> list[str]:
    """Unmarked, reading the sheets mapping itself."""
    return [i for i, sheet in self.sheets.items() if sheet.reviewed is not None]


@lookup
def _sources_cited_by(self: Briefing, sheet_id: str) -> list[Source]:
    """Marked: the sources a sheet's facts cite are one reference away from it."""
    cited = {s for c in facts_of(self.get(sheet_id)) for s in c.fact.sources}
    return [self.get(s) for s in sorted(cited)]  # type: ignore[misc]


NEW_LOOKUPS = {"same_side": _same_side, "reviewed_ids": _reviewed_ids,
               "sources_cited_by": _sources_cited_by}

#: Templates that use them: a sheet's own page (kept coarse) and a composed one (fine).
USES = {
    "actor.md.j2": ("## Facts", "Same side: {% for a in briefing.same_side(sheet.side) %}"
                    "{{ a.name }}; {% endfor %}\n\nCites: {% for s in "
                    "briefing.sources_cited_by(sheet.id) %}{{ s.title }}; {% endfor %}\n\n"
                    "## Facts"),
    "whos-who.md.j2": ("# Who's who", "# Who's who\n\nReviewed: "
                       "{{ briefing.reviewed_ids()|join(', ') }}. Same side as the first: "
                       "{% for a in briefing.same_side(briefing.actors[0].side) %}{{ a.name }}; "
                       "{% endfor %}"),
}


@pytest.fixture
def newcomer(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project with three new Briefing methods (written here as a newcomer would add them
    to model.py) used by its templates; none is registered anywhere else."""
    for name, method in NEW_LOOKUPS.items():
        monkeypatch.setattr(Briefing, name, method, raising=False)
    for template, (old, new) in USES.items():
        edit(project / "briefings" / template, old, new)
    return project


def test_a_new_lookup_needs_no_registration(newcomer: Path) -> None:
    workspace = Workspace(newcomer, DAY)
    first = workspace.build()
    assert "Same side: " in next(p.markdown for p in first.pages
                                 if p.path == "actors/anna-luna.md")
    assert pages_of(first) == pages_of(prepare(newcomer, DAY))
    for name, change in EDITS:
        if name == "change a template":
            continue
        change(newcomer)
        incremental = workspace.build()
        assert pages_of(incremental) == pages_of(prepare(newcomer, DAY)), name
        assert workspace.stats["pages_rendered"] < len(incremental.pages), name


def test_a_new_lookup_redoes_the_pages_whose_answer_changed(newcomer: Path) -> None:
    workspace = Workspace(newcomer, DAY)
    workspace.prepare_rebuilds()  # as a preview may, before the first edit
    workspace.build()
    workspace.prepare_rebuilds()
    edit(newcomer / "content/sources/miami-peace-plan-report-2025-11.yml",
         "title: News summary", "title: A news summary")
    rebuilt = workspace.build()
    # Every page citing the source shows its title through the marked lookup.
    assert "actors/anna-luna.md" in workspace.rendered
    assert "A news summary" in next(p.markdown for p in rebuilt.pages
                                    if p.path == "actors/anna-luna.md")
    edit(newcomer / "content/actors/anna-luna.yml", "\nname: ", "\nreviewed: 2025-11-20\nname: ")
    rebuilt = workspace.build()
    assert "actors/index.md" in workspace.rendered  # it lists the reviewed sheets
    assert pages_of(rebuilt) == pages_of(prepare(newcomer, DAY))


def test_a_position_named_on_a_page_follows_its_actor_s_name(project: Path) -> None:
    """A page that only names a position ("<actor> on <plan>") asks nothing of the actor:
    the name's question is asked again because the position refers to the renamed actor."""
    content = ContentCheck(project / "content", project)
    before = content.run().briefing()
    pages = PageIndex()
    observer = pages.observer(before)
    position = "us-lawmakers-on-us-russia-28-point-plan"
    seen = observer.page(fine=False)
    assert seen.name(position).startswith("US lawmakers on ")
    pages.record("a page naming the position", observer.done())
    seen = observer.page(fine=True)
    assert [p.id for p in seen.positions[:1]] == [before.positions[0].id]
    pages.record("a composed page listing the first position", observer.done())
    edit(project / "content/actors/us-lawmakers.yml", "name: US lawmakers", "name: Congress")
    after = content.run().briefing(before, content.changed)
    assert content.changed == {"us-lawmakers"}
    assert pages.affected(before, after, content.changed) == {"a page naming the position"}


def test_a_composed_page_sees_views_that_note_what_it_reads(project: Path) -> None:
    briefing = ContentCheck(project / "content", project).run().briefing()
    observer = PageIndex().observer(briefing)
    seen = observer.page(fine=True)
    actor = seen.get("anna-luna")
    assert isinstance(actor, Actor) and actor.id == "anna-luna"
    assert actor.name_text == "Anna Luna"  # a property of the model, run on the view
    with pytest.raises(AttributeError):
        actor.name = "Someone else"
    assert briefing.get("anna-luna").name == "Anna Luna"
    assert len(seen.events) > 0
    record = observer.done()
    assert record.reads == {"anna-luna": {"name"}}
    assert sorted((q[0].name, *q[1:], *parts) for q, parts in record.parts.items()) == [
        ("events", LENGTH), ("get", "anna-luna", ALL)]
    assert "name" not in vars(Actor)  # no class was changed to note the read


def _event(root: Path, event_id: str, date: str, extra: str = "") -> None:
    (root / "content" / "events" / f"{event_id}.yml").write_text(
        f"id: {event_id}\ndate: {date}\n{extra}title: {event_id.replace('-', ' ')}\nfacts:\n"
        "  - text: It took place.\n    sources: [miami-peace-plan-report-2025-11]\n"
        "    certainty: reported\n", encoding="utf-8")


def test_an_order_far_away_reorders_an_actors_events(project: Path) -> None:
    """An actor's events are ordered by orders that may run through events the actor's page
    never names: where their dates tie, an event comes after those it follows, so an edit to
    the first event of a chain (here its title, which orders the events free to go first)
    reorders the list at the chain's far end, two orders away."""
    _event(project, "b-early-visit", "2025", "participants: [steve-witkoff]\n")
    _event(project, "a-late-visit", "2025",
           "participants: [steve-witkoff]\nafter: [a-middle-step]\n")
    _event(project, "a-middle-step", "2025", "after: [a-root-step]\n")
    _event(project, "a-root-step", "2025")
    workspace = Workspace(project, DAY)
    before = workspace.build().pages
    page = next(p.markdown for p in before if p.path == "actors/steve-witkoff.md")
    assert page.index("a late visit") < page.index("b early visit")
    edit(project / "content/events/a-root-step.yml", "title: a root step", "title: c root step")
    incremental = workspace.build()
    assert pages_of(incremental) == pages_of(prepare(project, DAY))
    page = next(p.markdown for p in incremental.pages if p.path == "actors/steve-witkoff.md")
    assert page.index("b early visit") < page.index("a late visit")
