"""Settings are untrusted input: every payload of tests/cases/injection/payloads.txt, and the
address, path and language payloads below, goes into every field of briefing.yml. For each
field (for the vocabularies: in their labels and meanings), a payload is either refused by
the checker in one line located at that field (a line for each word's), or built
into a site whose every page, opened in Chromium, runs no script a payload brought, carries no
event handler, and links nowhere a script could run.

The fields are read from the settings model, so a field added to it is covered here without a
change. One build per payload holds it in every field that accepts it (a field that refuses it
keeps the sample's value); the builds run in two processes, one after another in each. A page
whose bytes an earlier payload's site already showed at the same path is not opened again:
the same bytes run the same way (most payloads change the overview page only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Page
from sitekit import BUILD_TIMEOUT, SAMPLE, build_env, make_sample, read_payloads

from generator.build.workspace import Workspace
from generator.config import CONFIG_FILE, Settings, load_project
from generator.errors import ContentError
from generator.escaping import url

pytestmark = pytest.mark.browser

#: Aimed at the settings: addresses that try to leave the link or the attribute they land in
#: (refused when they hold a quote, angle bracket, backslash, space or invisible character;
#: accepted, and escaped where they land, when they do not), edit paths and language tags.
SETTINGS_PAYLOADS = [
    'https://evil.example/"><script>alert(1)</script>',
    "https://evil.example/'onmouseover='alert(1)'",
    "https://evil.example/ onmouseover=alert(1)",
    "https://evil.example/\u202egpj.exe",
    "https://evil.example\\@good.example/",
    "javascript:alert(1)//https://evil.example/",
    "https://evil.example/?q=&quot;onmouseover=alert(1)//&lt;script&gt;alert(1)&lt;/script&gt;",
    "https://evil.example/?a=1&b=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    "https://evil.example/)](javascript:alert(1))",
    "https://evil.example/{{7*7}}|x|[^1]*[HTML]:",
    'edit/main/"onmouseover="alert(1)',
    "edit/main/~javascript:alert(1)",
    "../../../javascript:alert(1)",
    'en"><script>alert(1)</script>',
    "en-x-onload",
    "1",
    "harbour-accord",  # the sample's plan: the one payload `plan` accepts (it names a plan)
]
PAYLOADS = read_payloads() + SETTINGS_PAYLOADS
IDS = [f"s{i:02d}" for i in range(len(PAYLOADS))]
FIELDS = list(Settings.model_fields)
SAMPLE_SETTINGS: dict[str, Any] = yaml.safe_load(
    (SAMPLE / CONFIG_FILE).read_text(encoding="utf-8")
)

#: Runs before any script of a page: the payloads call alert(1), and each call is kept.
INSTRUMENT = """
window.__fired = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = function () { window.__fired.push(name + "(" + [...arguments].join(",") + ")"); };
}
"""

#: What a page holds that no setting should have made: every handler attribute (the theme
#: writes none), a link or source that runs script, an embedded frame or object, and any
#: script but the theme's (its bundle, its configuration, its small inline ones, JSON-LD).
INSPECT = r"""() => {
  const found = [];
  const urls = ["href", "src", "action", "formaction", "xlink:href", "data", "poster"];
  for (const el of document.querySelectorAll("*")) {
    if (["iframe", "frame", "object", "embed"].includes(el.localName)) {
      found.push("<" + el.localName + ">");
    }
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith("on")) found.push("<" + el.localName + " " + name + "=" + a.value + ">");
      const scheme = a.value.replace(/[\x00-\x20]/g, "").toLowerCase();
      if (urls.includes(name) && /^(javascript|vbscript|data):/.test(scheme)) {
        found.push("<" + el.localName + " " + name + "=" + a.value + ">");
      }
    }
  }
  for (const s of document.scripts) {
    const attrs = [...s.attributes].map(a => a.name + "=" + a.value).join(" ");
    const theme = s.type === "application/ld+json"
      || (s.id === "__config" && s.type === "application/json")
      || /(^|\/)assets\/javascripts\/bundle\.[0-9a-f]+\.min\.js$/.test(s.getAttribute("src") || "")
      || (s.attributes.length === 0 && !s.text.includes("alert"));
    if (!theme) found.push("<script " + attrs + ">" + s.text.slice(0, 80));
  }
  return {fired: window.__fired, found: found};
}"""

#: Material's edit button (partials/actions.html), as it writes it.
EDIT_LINK = re.compile(r'<a href="([^"]*)" title="[^"]*" class="md-content__button md-icon" '
                       r'rel="edit">')

DRIVER = """
import sys
from generator.cli import main
for root, site in zip(sys.argv[1::2], sys.argv[2::2]):
    code = main(["--root", root, "build", "--no-pdf", "--site-dir", site])
    print(f"@@ {code} {root}", flush=True)
"""


#: Where a payload goes in a field that is no text itself: the vocabularies' labels and
#: meanings (the sample's own sides and term categories, so that its sheets still check).
SAMPLE_WORDS = {"side": ["Northland", "Southland"], "term_category": ["economy", "military-aid"]}


def placed(field: str, payload: str) -> Any:
    """The value of ``field`` that holds ``payload``."""
    if field == "vocabularies":
        return {name: [{"word": word, "label": payload, "meaning": payload} for word in words]
                for name, words in SAMPLE_WORDS.items()}
    return payload


def settings_text(values: dict[str, Any]) -> str:
    # JSON is YAML, with every key on a line of its own and every character escaped.
    return json.dumps(values, indent=1) + "\n"


def refusal(scratch: Workspace, field: str, payload: str) -> list[str] | None:
    """What the checker says of ``payload`` in ``field`` (its own checks, and those against
    the sample's content, as `plan` naming a plan): None when it accepts it."""
    (scratch.root / CONFIG_FILE).write_text(
        settings_text({**SAMPLE_SETTINGS, field: placed(field, payload)}), encoding="utf-8"
    )
    try:
        project = load_project(scratch.root)
    except ContentError as exc:
        return [problem.format() for problem in exc.problems]
    said = [p.format() for p in scratch.check(project).problems if p.path == CONFIG_FILE]
    return said or None


def field_lines(field: str, payload: str) -> range:
    """The lines of briefing.yml that hold ``field`` with ``payload`` in it."""
    lines = settings_text({**SAMPLE_SETTINGS, field: placed(field, payload)}).splitlines()
    first = next(n for n, line in enumerate(lines, 1) if line.startswith(f' "{field}":'))
    after = next((n for n, line in enumerate(lines, 1)
                  if n > first and (line.startswith(' "') or line == "}")), len(lines) + 1)
    return range(first, after)


class Built:
    """The verdicts on every payload in every field, and the site of each payload."""

    def __init__(self, folder: Path, verdicts: list[dict[str, list[str] | None]],
                 settings: list[dict[str, Any]], codes: dict[str, int], output: str):
        self.folder = folder
        self.verdicts = verdicts
        self.settings = settings
        self.codes = codes
        self.output = output


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("settings")
    # The day only dates review warnings on the sheets, which are not the settings' problems.
    scratch = Workspace(make_sample(base / "scratch"), dt.date(2025, 12, 1))
    verdicts = [{field: refusal(scratch, field, p) for field in FIELDS} for p in PAYLOADS]
    settings = [
        {**SAMPLE_SETTINGS, **{f: placed(f, p) for f, said in verdict.items() if said is None}}
        for p, verdict in zip(PAYLOADS, verdicts, strict=True)
    ]
    pairs = []
    for name, values in zip(IDS, settings, strict=True):
        root = make_sample(base / "projects" / name)
        (root / CONFIG_FILE).write_text(settings_text(values), encoding="utf-8")
        pairs.append((str(root), str(base / "sites" / name)))
    # Two processes, each building every other site: one per core of the machines this runs on.
    drivers = [
        subprocess.Popen([sys.executable, "-c", DRIVER, *(arg for pair in half for arg in pair)],
                         env=build_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
        for half in (pairs[0::2], pairs[1::2])
    ]
    codes, output = {}, ""
    for driver in drivers:
        out, _ = driver.communicate(timeout=BUILD_TIMEOUT * len(PAYLOADS) / 8)
        output += out
        for line in out.splitlines():
            if line.startswith("@@ "):
                _, code, root = line.split(" ", 2)
                codes[Path(root).name] = int(code)
    return Built(base / "sites", verdicts, settings, codes, output)


@pytest.fixture(scope="module")
def opened() -> set[tuple[str, str]]:
    """(path, hash of the bytes) of every page opened so far."""
    return set()


@pytest.fixture(scope="module")
def sites_url(built: Built,
              server: Callable[[Path], AbstractContextManager[str]]) -> Iterator[str]:
    with server(built.folder) as address:
        yield address


def test_every_field_takes_some_payload_and_refuses_others(built: Built) -> None:
    """Each field holds at least one payload in a site (its way to the pages is tried), and
    each field that checks its value refuses some (the checks are on)."""
    for field in FIELDS:
        said = [verdict[field] for verdict in built.verdicts]
        assert any(s is None for s in said), f"{field}: no payload was accepted"
    for field in ("language", "repo_url", "edit_uri", "plan", "review_after_days"):
        assert any(v[field] for v in built.verdicts), f"{field}: no payload was refused"


@pytest.mark.parametrize("i", range(len(PAYLOADS)), ids=IDS)
def test_settings_payload(
    built: Built, sites_url: str, opened: set[tuple[str, str]], page: Page, watch: Any, i: int
) -> None:
    payload, name = PAYLOADS[i], IDS[i]
    for field, said in built.verdicts[i].items():
        if said is None:
            continue
        # Refused: one line, at the field (in it, for one that holds words), in the
        # editors' format.
        assert len(said) == 1 or field == "vocabularies", f"{field}: {said}"
        for problem in said:
            where = problem.split(":")
            assert where[0] == CONFIG_FILE, f"{field}: {problem}"
            assert int(where[1]) in field_lines(field, payload), f"{field}: {problem}"
            assert problem.endswith("]") and "\n" not in problem, f"{field}: {problem}"

    assert built.codes.get(name) == 0, built.output
    site = built.folder / name
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert len(pages) > 20, pages
    settings = built.settings[i]
    edit_prefix = str(url(f"{settings['repo_url'].rstrip('/')}/"
                          f"{settings['edit_uri'].strip('/')}/"))
    edit_links = 0
    page.add_init_script(INSTRUMENT)
    for relative in pages:
        data = (site / relative).read_bytes()
        # Accepted addresses land in every sheet page's edit link, as one address.
        for link in EDIT_LINK.findall(data.decode("utf-8")):
            assert html.unescape(link).startswith(edit_prefix), f"{relative}: {link}"
            edit_links += 1
        key = (relative, hashlib.sha256(data).hexdigest())
        if relative == "404.html" or key in opened:
            # 404.html is made for the site's root, where its assets' paths point.
            continue
        address = f"{sites_url}/{name}/{relative}"
        response = page.goto(address, wait_until="load")
        assert response is not None and response.status == 200, address
        seen = page.evaluate(INSPECT)
        assert seen["fired"] == [], f"{relative}: a script ran: {seen['fired']}"
        assert seen["found"] == [], f"{relative}: {seen['found']}"
        opened.add(key)
    assert edit_links > 0, "no page has an edit link: repo_url did not reach the pages"
    # Going to the next page cancels the search worker's download: not a fault of the page.
    problems = [p for p in watch.problems if not p.endswith("(net::ERR_ABORTED)")]
    assert problems == [], problems
