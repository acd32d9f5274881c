"""A briefing's own vocabularies (``vocabularies:`` in briefing.yml): words outside them are
located errors listing the briefing's words, a bad declaration is a located error in
briefing.yml, and `briefing schema` and `briefing new` offer the briefing's words."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from vocabkit import RATIFIED, STOCKPILE, VOCABULARIES, sheet

from generator.build.workspace import Workspace
from generator.cli import EXIT_OK, EXIT_PROBLEMS, main
from generator.config import load_project
from generator.editorial.history import content_history


@pytest.fixture
def own_words(make_project: Callable[..., Path]) -> Path:
    """The sample project with its own vocabularies, and sheets that use them."""
    return make_project({
        "briefing.yml": VOCABULARIES,
        "content/terms/stockpile-cap.yml": STOCKPILE,
        "content/positions/northland-on-stockpile-cap.yml": RATIFIED,
    })


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["--root", str(root), *args])
    return code, capsys.readouterr().out.splitlines()


def test_a_briefing_with_its_own_words_checks(
    own_words: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Words the defaults do not have (storage, ratified) pass where the briefing declares
    them; the sample's own (territory, leaked, supports) pass where it keeps them."""
    assert run(own_words, capsys, "check") == (EXIT_OK, ["13 files checked: no problems"])


def test_a_word_outside_the_briefings_vocabulary_lists_its_words(
    own_words: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A default word the briefing has replaced is wrong now, and a side it does not declare;
    each error lists the briefing's words, in its order (Other is always a side)."""
    (own_words / "content/terms/stockpile-cap.yml").write_text(
        STOCKPILE.replace("category: storage", "category: sanctions"), encoding="utf-8")
    (own_words / "content/actors/bob-broker.yml").write_text(sheet("actors", """
id: bob-broker
name: Bob Broker
kind: person
side: Southland
facts:
  - text: Passed the draft to Southland.
    sources: [second-report]
    certainty: disputed
"""), encoding="utf-8")
    positions = own_words / "content/positions/northland-on-peace-plan.yml"
    positions.write_text(positions.read_text(encoding="utf-8").replace(
        "stance: supports", "stance: signed"), encoding="utf-8")
    code, out = run(own_words, capsys, "check")
    assert code == EXIT_PROBLEMS
    assert out == [
        "content/actors/bob-broker.yml:5:1: 'side' must be one of Northland, Intermediaries, "
        "Other; got 'Southland' [vocabulary]",
        "content/positions/northland-on-peace-plan.yml:5:1: 'stance' must be one of supports, "
        "conditional, seeks-changes, sceptical, opposes, rejects, undecided, unknown, "
        "ratified; got 'signed' [vocabulary]",
        "content/terms/stockpile-cap.yml:6:1: 'category' must be one of territory, storage; "
        "got 'sanctions' [vocabulary]",
        "13 files checked: 3 errors",
    ]


def test_without_a_declaration_the_defaults_hold_and_sides_are_free(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"content/terms/stockpile-cap.yml": STOCKPILE})
    code, out = run(root, capsys, "check")
    assert code == EXIT_PROBLEMS
    assert out == [
        "content/terms/stockpile-cap.yml:6:1: 'category' must be one of territory, "
        "sovereignty, alliances, security-guarantees, sanctions, economy, military-aid, "
        "governance, humanitarian, other; got 'storage' [vocabulary]",
        "12 files checked: 1 error",
    ]


def test_changing_the_words_rechecks_every_sheet(
    own_words: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A check that remembers the files it read checks them again when the words change:
    a preview shows at once what an edit of briefing.yml breaks."""
    workspace = Workspace(own_words)
    assert workspace.check(load_project(own_words)).ok
    (own_words / "briefing.yml").write_text(
        VOCABULARIES.replace("word: storage", "word: stockpiles"), encoding="utf-8")
    result = workspace.check(load_project(own_words))
    assert [p.format() for p in result.errors] == [
        "content/terms/stockpile-cap.yml:6:1: 'category' must be one of territory, "
        "stockpiles; got 'storage' [vocabulary]"]


@pytest.mark.parametrize(("declaration", "lines"), [
    pytest.param(
        "vocabularies:\n  term_categories:\n    - word: storage\n      label: Storage\n"
        "      meaning: Kept.\n",
        ["briefing.yml:3:3: unknown key 'term_categories'; expected one of term_category, "
         "plan_status, actor_kind, relation_kind, source_kind, place_kind, side, stance; "
         "did you mean 'term_category'? [unknown-key]"],
        id="unknown-vocabulary"),
    pytest.param(
        "vocabularies:\n  term_category:\n    - word: storage\n      label: Storage\n"
        "      meaning: Kept.\n    - word: storage\n      label: Stockpiles\n"
        "      meaning: Kept again.\n",
        ["briefing.yml:7:13: 'storage' is already word 1 of 'term_category'; each word is "
         "declared once [duplicate-word]"],
        id="duplicate-word"),
    pytest.param(
        "vocabularies:\n  stance:\n    - word: supports\n      label: Backs it\n"
        "      meaning: Backs it.\n      symbol: '+'\n      colour: supports\n",
        ["briefing.yml:4:13: 'supports' is one of the fixed stances; each word is declared "
         "once [duplicate-word]"],
        id="stance-already-fixed"),
    pytest.param(
        "vocabularies:\n  actor_kind:\n    - word: Legislature\n      label: Legislature\n"
        "      meaning: A parliament.\n",
        ["briefing.yml:4:7: 'word' must be a lower-case slug (a-z, 0-9, single hyphens); "
         "got 'Legislature' [slug]"],
        id="word-not-a-slug"),
    pytest.param(
        "vocabularies:\n  place_kind:\n    - word: dam\n      meaning: A dam.\n"
        "    - word: basin\n      label: River basin\n",
        ["briefing.yml:4:7: 'label' is required but missing [missing-field]",
         "briefing.yml:6:7: 'meaning' is required but missing [missing-field]"],
        id="missing-label-and-meaning"),
    pytest.param(
        "vocabularies:\n  stance:\n    - word: ratified\n      label: Ratified\n"
        "      meaning: Has ratified it.\n      symbol: '*'\n      colour: green\n",
        ["briefing.yml:8:7: 'colour' must be one of supports, conditional, seeks-changes, "
         "sceptical, opposes, rejects, undecided, unknown; got 'green' [vocabulary]"],
        id="stance-colour-not-a-fixed-stance"),
    pytest.param(
        "vocabularies:\n  source_kind: []\n",
        ["briefing.yml:3:3: 'source_kind' must list at least one word [empty]"],
        id="empty-list"),
])
def test_a_bad_declaration_is_a_located_error_in_the_settings(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str],
    declaration: str, lines: list[str],
) -> None:
    root = make_project({"briefing.yml": "title: Test briefing\n" + declaration})
    code, out = run(root, capsys, "check")
    assert code == EXIT_PROBLEMS
    assert out == [*lines, f"{len(lines)} error{'s' if len(lines) > 1 else ''}"]


def test_schemas_offer_the_briefings_own_words(
    own_words: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`briefing schema` writes the briefing's words into the JSON Schemas (what an editor's
    completion offers), and `--check` holds them to the settings."""
    assert run(own_words, capsys, "schema")[0] == EXIT_OK

    def schema(kind: str) -> dict[str, dict[str, object]]:
        text = (own_words / f"schemas/{kind}.schema.json").read_text(encoding="utf-8")
        properties: dict[str, dict[str, object]] = json.loads(text)["properties"]
        return properties

    assert schema("terms")["category"]["enum"] == ["territory", "storage"]
    assert schema("plans")["status"]["enum"] == ["in-force", "leaked"]
    side = json.dumps(schema("actors")["side"])
    assert '"enum": ["Northland", "Intermediaries", "Other"]' in side
    assert schema("positions")["stance"]["enum"] == [
        "supports", "conditional", "seeks-changes", "sceptical", "opposes", "rejects",
        "undecided", "unknown", "ratified"]
    assert schema("actors")["kind"]["enum"] == [  # not declared: the built-in words
        "person", "organisation", "government", "state", "group"]
    reference = (own_words / "docs/reference.md").read_text(encoding="utf-8")
    assert "| `storage` | Amounts in storage | How much may be kept, and where. |" in reference
    assert "| `ratified` | Ratified | Has ratified it. | ★ | `supports` |" in reference
    assert run(own_words, capsys, "schema", "--check") == (EXIT_OK, [])
    (own_words / "briefing.yml").write_text(
        VOCABULARIES.replace("word: storage", "word: stockpiles"), encoding="utf-8")
    code, out = run(own_words, capsys, "schema", "--check")
    assert code == EXIT_PROBLEMS
    assert out == [
        "docs/reference.md: out of date; run 'briefing schema' to regenerate",
        "schemas/terms.schema.json: out of date; run 'briefing schema' to regenerate",
    ]


def test_new_sheets_use_the_briefings_words(
    own_words: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`briefing new` fills a controlled field with one of the briefing's words and lists
    them, so that the new sheet passes but for its TODOs."""
    assert run(own_words, capsys, "new", "term", "reactor-limits")[0] == EXIT_OK
    text = (own_words / "content/terms/reactor-limits.yml").read_text(encoding="utf-8")
    assert "One of: territory, storage." in text
    assert "\ncategory: territory\n" in text
    code, out = run(own_words, capsys, "check")
    assert all("[placeholder]" in line for line in out[:-1]), out


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_and_history_check_revisions_against_the_briefings_words(
    own_words: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A revision whose sheets use the briefing's own words is valid content to `briefing
    diff` and to the "What changed" page, not content that fails to check."""
    def commit(subject: str) -> str:
        env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
               "GIT_AUTHOR_NAME": "Editor", "GIT_AUTHOR_EMAIL": "editor@example.org",
               "GIT_COMMITTER_NAME": "Editor", "GIT_COMMITTER_EMAIL": "editor@example.org",
               "GIT_AUTHOR_DATE": "2025-11-01T09:00:00+00:00",
               "GIT_COMMITTER_DATE": "2025-11-01T09:00:00+00:00"}
        for args in (["add", "-A"], ["commit", "-q", "-m", subject]):
            subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=own_words,
                           env=env, check=True, capture_output=True)
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=own_words, check=True,
                              capture_output=True, text=True).stdout.strip()

    subprocess.run(["git", "init", "-q"], cwd=own_words, check=True)
    first = commit("Add the briefing")
    term = own_words / "content/terms/stockpile-cap.yml"
    term.write_text(STOCKPILE.replace("A cap on the stockpile", "A lower cap"), encoding="utf-8")
    code = main(["--root", str(own_words), "diff", first])
    out = capsys.readouterr().out
    assert code == EXIT_OK, out
    assert "does not validate" not in out
    assert "A lower cap" in out
    commit("Lower the cap")
    history = content_history(own_words, vocabularies=load_project(own_words).settings.words)
    assert [len(change.diff.sheets) for change in history] == [1, 13]


def test_the_second_sample_uses_only_words_it_declares(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """tests/cases/second declares every vocabulary of its own: its settings are valid, and
    no sheet of it uses a word outside them."""
    root = tmp_path / "second"
    shutil.copytree(Path(__file__).resolve().parent.parent / "cases" / "second", root)
    words = load_project(root).settings.words
    assert words.term_category.names[0] == "allocation"
    assert words.side.names[-1] == "Other"
    _code, out = run(root, capsys, "check")
    assert [line for line in out if "[vocabulary]" in line or "briefing.yml" in line] == []
    assert "files checked" in out[-1]
