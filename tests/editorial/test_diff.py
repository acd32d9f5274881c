"""`briefing diff` and the content history: a temporary git repository holding the shipped
briefing, with a few commits of real edits. Golden output in tests/cases/diff/, regenerated
with `pytest --update-goldens` (commit hashes are replaced by the commits' names first).

The edits touch shipped sheets; when one of those sheets is edited in content/, the edit
below fails with a message saying which one, and the goldens need regenerating."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.build.workspace import Workspace, prepare
from generator.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, main
from generator.editorial.compare import compare
from generator.editorial.diff import NotARepository, UnknownRevision, semantic_diff
from generator.editorial.diff_markdown import diff_markdown, reader_markdown
from generator.editorial.history import content_history
from generator.editorial.revisions import Repository, Snapshot, read_content

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
GOLDEN_DIR = Path(__file__).parent.parent / "cases" / "diff"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

POSITION = "content/positions/volodymyr-zelenskyy-on-us-russia-28-point-plan.yml"
CRIMEA = "content/terms/crimea-recognised-as-russian.yml"
STATUS_QUO = "content/terms/territorial-status-quo-largely-frozen.yml"

NEW_SOURCE = """\
# yaml-language-server: $schema=../../schemas/sources.schema.json
id: follow-up-report
title: A follow-up report (test fixture)
kind: news
publisher: Test Wire
published: 2025-11-25
"""
NEW_ACTOR = """\
# yaml-language-server: $schema=../../schemas/actors.schema.json
id: delegation-head
name: Head of a delegation (test fixture)
kind: person
side: Ukraine
roles:
  - title: Head of delegation
    of: ukraine-government
    facts:
      - text: Leads the delegation in follow-up talks.
        sources: [follow-up-report]
        certainty: reported
facts:
  - text: Took part in the follow-up talks on the plan.
    sources: [follow-up-report]
    certainty: reported
    as_of: 2025-11
"""


def git(root: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Editor", "GIT_AUTHOR_EMAIL": "editor@example.org",
           "GIT_COMMITTER_NAME": "Editor", "GIT_COMMITTER_EMAIL": "editor@example.org"}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    done = subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false",
                           *args], cwd=root, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def commit(root: Path, subject: str, day: int) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", subject, date=f"2025-11-{day:02d}T09:00:00+00:00")
    return git(root, "rev-parse", "HEAD")


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, (f"shipped content changed: {relative} no longer contains {old!r}; "
                         "update tests/editorial/test_diff.py and regenerate its goldens")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The shipped briefing, then five commits of edits; returns the root and commit hashes."""
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(REPO_ROOT / "content", root / "content")
    shutil.copy(REPO_ROOT / "briefing.yml", root / "briefing.yml")
    git(root, "init", "-q")
    commits = {"import": commit(root, "Import the briefing", 20)}

    (root / "content/sources/follow-up-report.yml").write_text(NEW_SOURCE, encoding="utf-8")
    (root / "content/actors/delegation-head.yml").write_text(NEW_ACTOR, encoding="utf-8")
    commits["add"] = commit(root, "Add a follow-up report and the head of delegation", 21)

    edit(root, POSITION, "stance: rejects", "stance: undecided")
    edit(root, CRIMEA, "Crimea would be acknowledged as belonging to Russia.",
         "Crimea would be recognised as belonging to Russia.")
    edit(root, CRIMEA, "who would give this recognition.\n"
         "    sources: [miami-peace-plan-report-2025-11]\n    certainty: reported",
         "who would give this recognition.\n"
         "    sources: [miami-peace-plan-report-2025-11, follow-up-report]\n"
         "    certainty: confirmed")
    commits["edit"] = commit(root, "Zelenskyy undecided; Crimea term reworded and confirmed", 22)

    (root / "content/terms/phased-sanctions-relief.yml").unlink()
    old = root / STATUS_QUO
    text = old.read_text(encoding="utf-8")
    old.unlink()
    edit_text = text.replace("id: territorial-status-quo-largely-frozen",
                             "id: territorial-status-quo")
    edit_text = edit_text.replace("title: Much of the territorial status quo frozen",
                                  "title: Territorial status quo frozen")
    assert edit_text.count("territorial-status-quo\n") == 1, "shipped status-quo term changed"
    (root / "content/terms/territorial-status-quo.yml").write_text(edit_text, encoding="utf-8")
    commits["delete"] = commit(root, "Drop the sanctions-relief term; shorten a term id", 23)

    edit(root, "content/actors/delegation-head.yml", "    certainty: reported\n    as_of",
         "    certainty: likely\n    as_of")
    commits["break"] = commit(root, "Grade a fact as likely", 24)

    edit(root, "content/actors/delegation-head.yml", "    certainty: likely\n    as_of",
         "    certainty: possible\n    as_of")
    edit(root, CRIMEA, "category: territory", "category: sovereignty")
    commits["fix"] = commit(root, "Grade the fact as possible; Crimea is about sovereignty", 25)
    return root, commits


def normalise(text: str, commits: dict[str, str]) -> str:
    """Commit hashes and file counts depend on the shipped content; goldens leave them out."""
    for name, full in commits.items():
        text = text.replace(full, f"<{name}>").replace(full[:7], f"<{name}>")
    return re.sub(r'"files": \d+', '"files": "<count>"', text)


def check_golden(name: str, output: str, update: bool) -> None:
    path = GOLDEN_DIR / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(output, encoding="utf-8", newline="\n")
        return
    assert path.is_file(), f"{path} is missing; run pytest --update-goldens"
    assert output == path.read_text(encoding="utf-8")


def run_diff(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--root", str(root), "diff", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("fmt, suffix", [("markdown", "md"), ("json", "json")])
def test_golden_diff_of_all_edits(history: tuple[Path, dict[str, str]], fmt: str, suffix: str,
                                  capsys: pytest.CaptureFixture[str],
                                  request: pytest.FixtureRequest) -> None:
    root, commits = history
    code, out, err = run_diff(root, capsys, commits["import"], commits["delete"],
                              "--format", fmt)
    assert code == EXIT_OK, out + err
    update = bool(request.config.getoption("--update-goldens", default=False))
    check_golden(f"edits.{suffix}", normalise(out, commits), update)


def test_diff_in_editors_words(history: tuple[Path, dict[str, str]]) -> None:
    """The changes the issue names, as the comment says them (independent of the goldens)."""
    root, commits = history
    markdown = diff_markdown(semantic_diff(root, commits["import"], commits["delete"]))
    lines = markdown.splitlines()
    report = "News summary on the US-Russia draft 28-point peace plan for Ukraine " \
        "(`miami-peace-plan-report-2025-11`)"
    follow_up = "A follow-up report \\(test fixture\\) (`follow-up-report`)"
    # A new source: its fields, and every fact that cites it (not its own 0 facts).
    source = lines.index("- source `follow-up-report` — A follow-up report \\(test fixture\\)")
    assert lines[source + 1:source + 6] == [
        "    - `kind`: news",
        "    - `publisher`: Test Wire",
        "    - `published`: 2025-11-25",
        "    - Cited by 3 facts:",
        "        - term `crimea-recognised-as-russian` — Crimea recognised as Russian: “The "
        f"source does not say who would give this recognition.” (confirmed; sources: {report}, "
        f"{follow_up})",
    ]
    # A new actor: every fact in full, its role's too.
    assert "    - Fact added: “Took part in the follow-up talks on the plan.” (reported; " \
        f"source: {follow_up}; as of 2025-11)" in lines
    assert "    - Role Head of delegation of Government of Ukraine (`ukraine-government`) — " \
        "Fact added: “Leads the delegation in follow-up talks.” (reported; source: " \
        f"{follow_up})" in lines
    # A removed sheet: its fields and facts.
    assert "- term `phased-sanctions-relief` — Sanctions relief in phases" in lines
    assert "    - `plan`: US-Russia draft 28-point peace plan for Ukraine " \
        "(`us-russia-28-point-plan`)" in lines
    assert "    - Fact removed: “The source does not say which sanctions, on whom, or what the " \
        f"stages would be.” (reported; source: {report})" in lines
    assert "- term `territorial-status-quo-largely-frozen` → `territorial-status-quo` — " \
        "Territorial status quo frozen" in lines
    assert "    - `title`: Much of the territorial status quo frozen → Territorial status quo " \
        "frozen" in lines
    # A position by the names readers know.
    assert "- position `volodymyr-zelenskyy-on-us-russia-28-point-plan` — Volodymyr Zelenskyy " \
        "on US-Russia draft 28-point peace plan for Ukraine" in lines
    assert "    - `stance`: rejects → undecided" in lines
    # Rewording word by word; a re-graded fact in full, not cut short.
    assert "    - Fact reworded: “Under the draft, Crimea would be <del>acknowledged</del>" \
        f"<ins>recognised</ins> as belonging to Russia.” (reported; source: {report})" in lines
    assert "    - Fact “The source does not say who would give this recognition.”: certainty " \
        f"reported → confirmed; source added: {follow_up}" in lines
    assert lines[2] == ("**Sheets:** 2 added (1 new source), 1 removed, 1 renamed, 2 changed · "
                        "**Facts:** 2 added, 2 removed, 1 reworded, 1 changed")


def test_working_tree_is_the_default_head(history: tuple[Path, dict[str, str]],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    root, commits = history
    edit(root, POSITION, "stance: undecided", "stance: seeks-changes")
    try:
        code, out, _ = run_diff(root, capsys, "HEAD")
    finally:
        git(root, "checkout", "--", ".")
    assert code == EXIT_OK
    assert out.splitlines()[0] == f"## Content changes: HEAD ({commits['fix'][:7]}) → working tree"
    assert "    - `stance`: undecided → seeks-changes" in out.splitlines()
    code, out, _ = run_diff(root, capsys, "HEAD")
    assert "No changes to the content." in out


def test_base_that_does_not_validate_is_reported(history: tuple[Path, dict[str, str]],
                                                 capsys: pytest.CaptureFixture[str],
                                                 request: pytest.FixtureRequest) -> None:
    root, commits = history
    code, out, err = run_diff(root, capsys, commits["break"], commits["fix"])
    # A change that repairs broken content must be able to pass: BASE errors do not fail.
    assert code == EXIT_OK, out + err
    assert "does not validate: 1 error." in out
    update = bool(request.config.getoption("--update-goldens", default=False))
    check_golden("invalid-base.md", normalise(out, commits), update)
    data = semantic_diff(root, commits["break"], commits["fix"]).to_dict()
    assert data["base"]["valid"] is False and data["base"]["errors"] == 1
    assert data["not_compared"] == [{"id": "delegation-head",
                                      "base": "content/actors/delegation-head.yml",
                                      "head": "content/actors/delegation-head.yml"}]


def test_head_that_does_not_validate_exits_1(history: tuple[Path, dict[str, str]],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    root, commits = history
    code, out, _ = run_diff(root, capsys, commits["delete"], commits["break"])
    assert code == EXIT_PROBLEMS, out
    assert "> **Content at HEAD (" in out and "does not validate: 1 error." in out


@pytest.mark.parametrize("rev", ["no-such-branch", "0" * 40, "HEAD~99", "-n"])
def test_base_that_is_not_a_revision_is_a_usage_error(
    history: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str], rev: str
) -> None:
    root, _ = history
    code = main(["--root", str(root), "diff", "--", rev])
    captured = capsys.readouterr()
    assert code == EXIT_USAGE, captured.out
    assert f"'{rev}' is not" in captured.err
    assert captured.out == ""
    with pytest.raises(UnknownRevision):
        semantic_diff(root, rev)


def test_outside_a_git_repository_is_a_usage_error(make_project: Callable[..., Path],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project()
    if subprocess.run(["git", "rev-parse"], cwd=root, capture_output=True).returncode == 0:
        pytest.skip("the temporary folder is inside a git repository")
    code, out, err = run_diff(root, capsys, "main")
    assert code == EXIT_USAGE
    assert "is not inside a git repository" in err and out == ""
    with pytest.raises(NotARepository):
        semantic_diff(root, "main")
    history = content_history(root)
    assert list(history) == [] and history.available is False
    assert history.reason and "not inside a git repository" in history.reason


def test_content_history(history: tuple[Path, dict[str, str]]) -> None:
    root, commits = history
    changes = content_history(root)
    assert changes.available and not changes.shallow
    assert [(c.commit, c.date, c.subject) for c in changes] == [
        (commits["fix"], "2025-11-25", "Grade the fact as possible; Crimea is about sovereignty"),
        (commits["break"], "2025-11-24", "Grade a fact as likely"),
        (commits["delete"], "2025-11-23", "Drop the sanctions-relief term; shorten a term id"),
        (commits["edit"], "2025-11-22", "Zelenskyy undecided; Crimea term reworded and confirmed"),
        (commits["add"], "2025-11-21", "Add a follow-up report and the head of delegation"),
        (commits["import"], "2025-11-20", "Import the briefing"),
    ]
    first = changes[-1].diff  # the root commit: against empty content, everything is added
    assert first.base.label == "empty content" and first.base.commit is None
    assert {s.change for s in first.sheets} == {"added"}
    assert len(first.sheets) == first.head.files
    assert changes[0].diff.base.commit == commits["break"]
    assert changes[0].diff.summary()["sheets_changed"] == 1
    assert [c.commit for c in content_history(root, limit=2)] == [commits["fix"], commits["break"]]


def test_history_skips_commits_outside_content(history: tuple[Path, dict[str, str]]) -> None:
    root, commits = history
    (root / "notes.txt").write_text("not content\n", encoding="utf-8")
    try:
        extra = commit(root, "Notes for editors", 26)
        assert [c.commit for c in content_history(root, limit=1)] == [commits["fix"]]
    finally:
        git(root, "reset", "-q", "--hard", commits["fix"])
    assert extra not in {c.commit for c in content_history(root)}


# --- the comparison itself, on the small sample project ------------------------------------------


def snapshot_of(make_project: Callable[..., Path], name: str,
                files: dict[str, str] | None = None) -> Snapshot:
    root = make_project(files, name=name)
    return read_content(root / "content", root, name)


BOB = """\
# yaml-language-server: $schema=../../schemas/actors.schema.json
id: {id}
name: Bob Broker
kind: person
side: Intermediaries
facts:
{facts}"""


def bob(facts: list[tuple[str, str]], sheet_id: str = "bob-broker") -> dict[str, str]:
    body = "".join(f"  - text: {text}\n    sources: [second-report]\n    certainty: {grade}\n"
                   for text, grade in facts)
    return {f"content/actors/{sheet_id}.yml": BOB.format(id=sheet_id, facts=body)}


def rename_bob(root: Path, facts: list[tuple[str, str]]) -> Snapshot:
    """Replace bob-broker by robert-broker with ``facts``, references included."""
    (root / "content/actors/bob-broker.yml").unlink(missing_ok=True)
    (root / "content/actors/robert-broker.yml").write_text(
        bob(facts, "robert-broker")["content/actors/robert-broker.yml"], encoding="utf-8")
    for sheet in ("places/grand-hotel", "events/drafting-meeting", "actors/alice-envoy"):
        path = root / f"content/{sheet}.yml"
        path.write_text(path.read_text(encoding="utf-8").replace("bob-broker", "robert-broker"),
                        encoding="utf-8")
    snapshot = read_content(root / "content", root, "head")
    assert snapshot.valid, snapshot.problems
    return snapshot


def test_reordering_facts_is_not_a_change(make_project: Callable[..., Path]) -> None:
    a = bob([("One fact.", "reported"), ("Another fact.", "possible")])
    b = bob([("Another fact.", "possible"), ("One fact.", "reported")])
    diff = compare(snapshot_of(make_project, "a", a), snapshot_of(make_project, "b", b))
    assert diff.sheets == () and diff.empty
    assert diff_markdown(diff).splitlines()[-1] == "No changes to the content."


def test_reword_threshold(make_project: Callable[..., Path]) -> None:
    base = snapshot_of(make_project, "a", bob([("Passed the draft to Southland in October.",
                                                "disputed")]))
    close = bob([("Passed the draft plan to Southland in late October.", "disputed")])
    far = bob([("Denies any part in the talks.", "disputed")])
    reworded = compare(base, snapshot_of(make_project, "b", close))
    assert [f.change for f in reworded.sheets[0].facts] == ["reworded"]
    replaced = compare(base, snapshot_of(make_project, "c", far))
    assert [f.change for f in replaced.sheets[0].facts] == ["added", "removed"]
    source = "A second report (`second-report`)"
    assert diff_markdown(replaced).splitlines()[-2:] == [
        f"    - Fact added: “Denies any part in the talks.” (disputed; source: {source})",
        "    - Fact removed: “Passed the draft to Southland in October.” (disputed; source: "
        f"{source})",
    ]
    assert diff_markdown(reworded).splitlines()[-1] == (
        "    - Fact reworded: “Passed the draft <ins>plan</ins> to Southland in <ins>late</ins> "
        f"October.” (disputed; source: {source})")


def test_rename_needs_most_facts_unchanged(make_project: Callable[..., Path]) -> None:
    facts = [(f"Fact number {n} about Bob.", "reported") for n in range(5)]
    base = snapshot_of(make_project, "a", bob(facts))
    # 4 of 5 facts kept (80 %): renamed, with the fact changes listed under the rename.
    head = rename_bob(make_project(bob(facts), name="b"), facts[:4] + [("New.", "reported")])
    renames = [s for s in compare(base, head).sheets if s.change == "renamed"]
    assert [(s.old_id, s.id) for s in renames] == [("bob-broker", "robert-broker")]
    assert [f.change for f in renames[0].facts] == ["added", "removed"]
    # 3 of 5: a removal and an addition.
    head = rename_bob(make_project(bob(facts), name="c"),
                      facts[:3] + [("New one.", "reported"), ("New two.", "reported")])
    changes = {(s.change, s.id) for s in compare(base, head).sheets if s.folder == "actors"}
    assert ("added", "robert-broker") in changes and ("removed", "bob-broker") in changes


def test_roles_and_list_items(make_project: Callable[..., Path]) -> None:
    root = make_project(name="a")
    base = read_content(root / "content", root, "a")
    path = root / "content/actors/alice-envoy.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("aliases: [AE]", "aliases: [AE, Envoy A]")
    text = text.replace("since: 2025\n", "since: 2025-10\n")
    path.write_text(text, encoding="utf-8")
    diff = compare(base, read_content(root / "content", root, "b"))
    (sheet,) = diff.sheets
    assert [(c.context, c.field, c.old, c.new, c.item) for c in sheet.fields] == [
        ("", "aliases", None, "Envoy A", True),
        ("role: Special envoy of northland", "since", "2025", "2025-10", False),
    ]
    markdown = diff_markdown(diff).splitlines()
    assert "    - Added to `aliases`: Envoy A" in markdown
    assert "    - Role Special envoy of Northland (`northland`) — `since`: 2025 → 2025-10" \
        in markdown


def test_renamed_role_and_relation_kind_are_changes(make_project: Callable[..., Path]) -> None:
    """A role keeps its identity through a new title (same body), a relation through a new kind
    (same actor): their fields change, their facts are not removed and added again."""
    root = make_project(name="a")
    base = read_content(root / "content", root, "a")
    path = root / "content/actors/alice-envoy.yml"
    text = path.read_text(encoding="utf-8").replace("title: Special envoy", "title: Envoy")
    path.write_text(text.replace("kind: met", "kind: negotiated-with"), encoding="utf-8")
    (sheet,) = compare(base, read_content(root / "content", root, "b")).sheets
    assert [(c.context, c.field, c.old, c.new) for c in sheet.fields] == [
        ("role: Envoy of northland", "title", "Special envoy", "Envoy"),
        ("relation: negotiated-with bob-broker", "kind", "met", "negotiated-with"),
    ]
    assert sheet.facts == ()


def test_markdown_escapes_content_text(make_project: Callable[..., Path]) -> None:
    base = snapshot_of(make_project, "a")
    payload = "<img src=x onerror=alert(1)> **bold** [link](https://evil.example) `code`"
    head = snapshot_of(make_project, "b", bob([(f"'{payload}'", "disputed")]))
    assert head.valid, head.problems
    markdown = diff_markdown(compare(base, head))
    assert "<img" not in markdown and "&lt;img" in markdown
    assert "**bold**" not in markdown and "\\*\\*bold\\*\\*" in markdown
    assert "[link](" not in markdown and "\\[link\\]\\(" in markdown
    assert "`code`" not in markdown
    # Reworded into the payload: only the diff's own tags are HTML, for both audiences.
    base = snapshot_of(make_project, "d", bob([(f"'{payload} Passed the draft.'", "disputed")]))
    head = snapshot_of(make_project, "e", bob([(f"'{payload} Passed the final draft.'",
                                                "disputed")]))
    diff = compare(base, head)
    for markdown in (diff_markdown(diff), reader_markdown(diff, lambda folder, i: None)):
        assert "<ins>final</ins>" in markdown
        assert re.findall(r"<(/?\w+)", markdown) == ["ins", "/ins"], markdown
        assert "**bold**" not in markdown and "[link](" not in markdown


def test_not_a_repository_from_the_library(tmp_path: Path) -> None:
    with pytest.raises(NotARepository):
        Repository(tmp_path / "nowhere")


# --- a reviewer's branch, on the small sample project --------------------------------------------

FIELD_NOTES = """\
# yaml-language-server: $schema=../../schemas/sources.schema.json
id: field-notes
title: Field notes <from> the talks
kind: analysis
published: 2025-11-21
url: https://example.org/notes
"""
CAROL = """\
# yaml-language-server: $schema=../../schemas/actors.schema.json
id: carol-clerk
name: Carol Clerk
kind: person
side: Southland
facts:
  - text: Kept the record of the drafting meeting.
    sources: [field-notes]
    certainty: reported
  - text: May have shared the record with *both* sides.
    sources: [field-notes, second-report]
    certainty: possible
    as_of: late 2025-10
"""
CAROL_ON_CEASEFIRE = """\
# yaml-language-server: $schema=../../schemas/positions.schema.json
id: carol-clerk-on-ceasefire
actor: carol-clerk
on: ceasefire
stance: undecided
facts:
  - text: Has said she has no view on the ceasefire.
    sources: [field-notes]
    certainty: reported
"""


@pytest.fixture
def branch(make_project: Callable[..., Path]) -> Path:
    """The sample project committed on main, then a branch `follow-up` (checked out, with
    nothing left uncommitted) that adds a source, an actor and a position and rewords a fact."""
    root = make_project(name="branch")
    git(root, "init", "-q")
    commit(root, "The briefing", 20)
    git(root, "checkout", "-q", "-b", "follow-up")
    (root / "content/sources/field-notes.yml").write_text(FIELD_NOTES, encoding="utf-8")
    (root / "content/actors/carol-clerk.yml").write_text(CAROL, encoding="utf-8")
    (root / "content/positions/carol-clerk-on-ceasefire.yml").write_text(CAROL_ON_CEASEFIRE,
                                                                          encoding="utf-8")
    edit(root, "content/actors/bob-broker.yml", "Passed the draft to Southland.",
         "Passed the final draft to Southland in October.")
    commit(root, "Follow-up: Carol Clerk and her notes", 21)
    return root


def test_branch_shows_new_sheets_in_full_and_rewording_word_by_word(
    branch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_diff(branch, capsys, "main")
    assert code == EXIT_OK, out + err
    notes = "Field notes &lt;from&gt; the talks (`field-notes`)"
    assert out.splitlines()[2:] == [
        "**Sheets:** 3 added (1 new source), 1 changed · **Facts:** 3 added, 1 reworded",
        "",
        "### New sources",
        "",
        "- source `field-notes` — Field notes &lt;from&gt; the talks",
        "    - `kind`: analysis",
        "    - `published`: 2025-11-21",
        "    - `url`: https://example.org/notes",
        "    - Cited by 3 facts:",
        "        - actor `carol-clerk` — Carol Clerk: “Kept the record of the drafting "
        f"meeting.” (reported; source: {notes})",
        "        - actor `carol-clerk` — Carol Clerk: “May have shared the record with "
        f"\\*both\\* sides.” (possible; sources: {notes}, A second report (`second-report`); "
        "as of late 2025-10)",
        "        - position `carol-clerk-on-ceasefire` — Carol Clerk on Ceasefire along the line "
        f"of contact: “Has said she has no view on the ceasefire.” (reported; source: {notes})",
        "",
        "### Sheets added",
        "",
        "- actor `carol-clerk` — Carol Clerk",
        "    - `kind`: person",
        "    - `side`: Southland",
        "    - Fact added: “Kept the record of the drafting meeting.” (reported; source: "
        f"{notes})",
        "    - Fact added: “May have shared the record with \\*both\\* sides.” (possible; "
        f"sources: {notes}, A second report (`second-report`); as of late 2025-10)",
        "- position `carol-clerk-on-ceasefire` — Carol Clerk on Ceasefire along the line of "
        "contact",
        "    - `actor`: Carol Clerk (`carol-clerk`)",
        "    - `on`: Ceasefire along the line of contact (`ceasefire`)",
        "    - `stance`: undecided",
        "    - Fact added: “Has said she has no view on the ceasefire.” (reported; source: "
        f"{notes})",
        "",
        "### Sheets changed",
        "",
        "- actor `bob-broker` — Bob Broker",
        "    - Fact reworded: “Passed the <ins>final</ins> draft to Southland <ins>in "
        "October</ins>.” (disputed; source: A second report (`second-report`))",
    ]
    # The same from the commits themselves, and as data for tools.
    code, again, _ = run_diff(branch, capsys, "main", "follow-up")
    assert code == EXIT_OK and again.splitlines()[2:] == out.splitlines()[2:]
    code, text, _ = run_diff(branch, capsys, "main", "follow-up", "--format", "json")
    data = json.loads(text)
    assert data["format"] == "briefing-diff/2"
    sheets = {s["id"]: s for s in data["sheets"]}
    (reworded,) = sheets["bob-broker"]["facts"]
    assert reworded["old"] == {"text": "Passed the draft to Southland.", "certainty": "disputed",
                               "sources": ["second-report"], "as_of": None, "line": 7}
    assert reworded["new"]["line"] == 7 and reworded["new"]["sources"] == ["second-report"]
    assert reworded["words"] == [["=", "Passed the"], ["+", " final"], ["=", " draft to Southland"],
                                 ["+", " in October"], ["=", "."]]
    carol = sheets["carol-clerk"]
    assert (carol["old_path"], carol["new_path"]) == (None, "content/actors/carol-clerk.yml")
    assert [(f["new"]["line"], f["new"]["sources"]) for f in carol["facts"]] == [
        (7, ["field-notes"]), (10, ["field-notes", "second-report"])]
    assert [(c["id"], c["fact"]["line"]) for c in sheets["field-notes"]["cited_by"]] == [
        ("carol-clerk", 7), ("carol-clerk", 10), ("carol-clerk-on-ceasefire", 7)]
    assert data["names"]["carol-clerk-on-ceasefire"] == \
        "Carol Clerk on Ceasefire along the line of contact"


def test_removed_sheet_lists_its_facts_and_who_referred_to_it(
    make_project: Callable[..., Path]
) -> None:
    base = snapshot_of(make_project, "a")
    root = make_project(name="b")
    (root / "content/places/grand-hotel.yml").unlink()
    edit(root, "content/events/drafting-meeting.yml", "place: grand-hotel\n", "")
    head = read_content(root / "content", root, "b")
    assert head.valid, head.problems
    diff = compare(base, head)
    removed = next(s for s in diff.sheets if s.change == "removed")
    assert [(r.kind, r.id, r.name) for r in removed.referred_by] == [
        ("event", "drafting-meeting", "Drafting meeting")]
    assert (removed.old_path, removed.new_path) == ("content/places/grand-hotel.yml", None)
    lines = diff_markdown(diff).splitlines()
    at = lines.index("- place `grand-hotel` — Grand Hotel")
    assert lines[at + 1:at + 8] == [
        "    - `kind`: venue",
        "    - `city`: Capital City",
        "    - `country`: Northland",
        "    - `linked_to`: Bob Broker (`bob-broker`)",
        "    - Fact removed: “Hosted the drafting meeting.” (reported; source: A test report "
        "on the peace plan (`test-report`))",
        "    - Referred to at BASE by: event Drafting meeting (`drafting-meeting`)",
        "",
    ]
    assert "    - `place`: Grand Hotel (`grand-hotel`) → *(not set)*" in lines


def test_sheets_with_reference_errors_are_compared_as_the_header_says(
    make_project: Callable[..., Path]
) -> None:
    base = snapshot_of(make_project, "a", {"content/positions/northland-on-ceasefire.yml":
                                           CAROL_ON_CEASEFIRE.replace("carol-clerk-on-ceasefire",
                                                                      "northland-on-ceasefire")})
    assert base.errors == 2  # actor 'carol-clerk' and source 'field-notes' refer to nothing
    head = snapshot_of(make_project, "b")
    diff = compare(base, head)
    assert diff.not_compared == ()
    lines = diff_markdown(diff).splitlines()
    assert "Sheets that fail their own checks there (YAML, fields, ids) are listed under " \
        "“Not compared”; sheets whose only errors are references are compared." in lines[2]
    assert "    - `actor`: `carol-clerk` → Northland (`northland`)" in lines
    assert "- position `northland-on-ceasefire` — Northland on Ceasefire along the line of " \
        "contact" in lines


def test_history_counts_a_merged_branch_once(branch: Path) -> None:
    """First-parent history: a merge is one change against the line it joins; the branch's
    own commits are not listed again."""
    edit(branch, "content/positions/carol-clerk-on-ceasefire.yml", "stance: undecided",
         "stance: opposes")
    fixup = commit(branch, "wip", 22)
    git(branch, "checkout", "-q", "main")
    git(branch, "merge", "-q", "--no-ff", "follow-up", "-m",
        "Merge pull request #7 from editor/follow-up", "-m", "Add Carol Clerk and her notes",
        date="2025-11-23T09:00:00+00:00")
    changes = content_history(branch)
    assert [(c.date, c.subject) for c in changes] == [
        ("2025-11-23", "Merge pull request #7 from editor/follow-up"),
        ("2025-11-20", "The briefing"),
    ]
    assert fixup not in {c.commit for c in changes}
    merged = changes[0].diff
    assert merged.summary()["sheets_added"] == 3 and merged.summary()["facts_reworded"] == 1
    position = next(s for s in merged.sheets if s.id == "carol-clerk-on-ceasefire")
    assert [(c.field, c.new) for c in position.fields if c.field == "stance"] == [
        ("stance", "opposes")]


def test_what_changed_links_follow_the_working_tree(branch: Path) -> None:
    """Under `mkdocs serve`, a sheet deleted (or brought back) in the working tree takes its
    link on "What changed" with it, as a full build would: the page notes which sheets it
    looked for."""
    shutil.copytree(REPO_ROOT / "briefings", branch / "briefings")
    workspace = Workspace(branch)

    def changes_page() -> str:
        built = {p.path: p.markdown for p in workspace.build().pages}
        full = {p.path: p.markdown for p in prepare(branch).pages}
        assert built["changes.md"] == full["changes.md"]
        return built["changes.md"]

    link = "- New position: [Carol Clerk on Ceasefire along the line of contact]" \
        "(positions/carol-clerk-on-ceasefire.md)"
    assert link in changes_page().splitlines()
    position = branch / "content/positions/carol-clerk-on-ceasefire.yml"
    position.unlink()
    assert "- New position: Carol Clerk on Ceasefire along the line of contact" in \
        changes_page().splitlines()
    position.write_text(CAROL_ON_CEASEFIRE, encoding="utf-8")
    assert link in changes_page().splitlines()
