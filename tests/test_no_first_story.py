"""The generator knows no story: no proper name of the briefing in content/ appears in the code
(generator/), the templates (briefings/) or the hand-written docs (docs/), so that a second
briefing on another negotiation needs new YAML, never new code.

The names are read through the generator's own model: every actor's name and aliases, every
place's name, city and country, every plan's title, aliases and deadline's name, every term's
aliases, every source's title, publisher and author. Each is searched as written (a whole
name, such as "Faena Hotel"), and so is each of its capitalised words that neither the
content's sentences nor the searched files write in lower case ("Umerov", "RDIF"; not
"Government" or "Direct", which are also written as common words).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from generator.content.briefing import Briefing, facts_of
from generator.content.check import check
from generator.content.schema import Actor, Place, Plan, Source, Term

REPO = Path(__file__).resolve().parent.parent
SEARCHED = ("generator", "briefings", "docs")
#: Files that are no text a person writes: fonts, pictures, compiled code.
BINARY = {".pyc", ".ttf", ".otf", ".woff", ".woff2", ".png", ".jpg", ".ico", ".pdf"}
WORD = re.compile(r"[^\W\d_][\w'’-]*")


def names_in(briefing: Briefing) -> Iterator[str]:
    """Every value of the content that is a proper name."""
    for sheet in briefing.sheets.values():
        if isinstance(sheet, Actor):
            yield sheet.name
            yield from sheet.aliases
        elif isinstance(sheet, Place):
            yield from (v for v in (sheet.name, sheet.city, sheet.country) if v)
        elif isinstance(sheet, Plan):
            yield sheet.title
            yield from sheet.aliases
            if sheet.deadline:
                yield sheet.deadline.label  # a date's own name
        elif isinstance(sheet, Term):
            yield from sheet.aliases
        elif isinstance(sheet, Source):
            yield from (v for v in (sheet.title, sheet.publisher, sheet.author) if v)


def prose_of(briefing: Briefing) -> Iterator[str]:
    """Every text of the content: where a common word shows that it is one (in lower case)."""
    for sheet in briefing.sheets.values():
        for name in ("summary", "title", "name"):
            value = getattr(sheet, name, None)
            if isinstance(value, str):
                yield value
        for citation in facts_of(sheet):
            yield citation.fact.text


def lower_case_words(texts: Iterable[str]) -> set[str]:
    return {w for text in texts for w in WORD.findall(text) if w[0].islower()}


def proper_names(content: Path) -> set[str]:
    result = check(content, content.parent)
    assert result.ok, [p.format() for p in result.errors]
    briefing = result.briefing()
    # Common words: those the content's sentences or the searched files write in lower case.
    searched = (p.read_text("utf-8", errors="replace") for f in SEARCHED for p in searched_files(f))
    lower = lower_case_words(prose_of(briefing)) | lower_case_words(searched)
    found = set()
    for value in names_in(briefing):
        found.add(value.strip())
        for word in WORD.findall(value):
            # A word also written in lower case is a common word ("House"), which may start a
            # sentence; a name's own word is capitalised wherever it is written ("Umerov").
            # Single letters are no names.
            if word[0].isupper() and len(word) > 1 and word.lower() not in lower:
                found.add(word)
    return found


def searched_files(folder: str) -> Iterator[Path]:
    for path in sorted((REPO / folder).rglob("*")):
        if path.is_file() and path.suffix not in BINARY and "__pycache__" not in path.parts:
            yield path


NAMES = sorted(proper_names(REPO / "content"))


def occurrences(names: list[str], files: Iterator[Path], root: Path) -> list[str]:
    """``path:line: 'name' in: text`` for every name found in ``files``, as whole words."""
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        + r")(?![\w-])"
    )
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            for match in pattern.finditer(line):
                where = path.relative_to(root).as_posix()
                found.append(f"{where}:{number}: '{match[1]}' in: {line.strip()[:120]}")
    return found


def test_names_are_read_from_the_content() -> None:
    """The extraction finds the names a reader knows the first briefing by, and no common
    word (else the test below would pass by finding nothing, or fail on every "House")."""
    assert {"Faena Hotel", "Miami", "RDIF", "Umerov", "Kyiv", "Ukraine"} <= set(NAMES)
    assert "Thanksgiving" in NAMES
    assert not {"Government", "Direct", "Fund", "News", "Hotel", "draft"} & set(NAMES)


def test_the_search_finds_a_name_where_it_is(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text(
        "A neutral line.\nTalks with Umerov, in Kyiv; an Umerovist is no name.\n", "utf-8"
    )
    assert [line.split(" in: ")[0] for line in
            occurrences(NAMES, iter([tmp_path / "x.md"]), tmp_path)] == [
        "x.md:2: 'Umerov'", "x.md:2: 'Kyiv'"]


@pytest.mark.parametrize("folder", SEARCHED)
def test_no_name_of_the_content_in_the_generator(folder: str) -> None:
    found = occurrences(NAMES, searched_files(folder), REPO)
    assert found == [], "names of the briefing in " + folder + "/:\n" + "\n".join(found)


@pytest.mark.slow
@pytest.mark.pdf
def test_the_second_briefing_builds_with_no_word_of_the_first(tmp_path: Path) -> None:
    """The second sample (tests/cases/second, another negotiation with its own words) builds
    to a site and a PDF with no change to code, templates or docs; no name of the first
    briefing is in any page of its site, its search index or its PDF's text."""
    import subprocess
    import sys

    from sitekit import BUILD_TIMEOUT, build_env, commit_sample, make_second

    root = commit_sample(make_second(tmp_path / "project"))
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(root), "build", "--site-dir", str(site)],
        cwd=root, env=build_env(), capture_output=True, text=True, timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == f"built {site}: 59 pages from 48 fact sheets, and briefing.pdf\n"
    pages = sorted(p for p in site.rglob("*.html") if "assets" not in p.parts)
    assert len(pages) > 50
    found = occurrences(NAMES, iter([*pages, site / "search" / "search_index.json"]), site)
    subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(site / "briefing.pdf"), str(tmp_path / "pdf.txt")],
        check=True, capture_output=True,
    )
    found += occurrences(NAMES, iter([tmp_path / "pdf.txt"]), tmp_path)
    assert found == [], "names of the first briefing in the second's site or PDF:\n" + "\n".join(
        found)
    printed = (tmp_path / "pdf.txt").read_text(encoding="utf-8")
    assert "The Sarvena Basin Treaty" in printed
    assert "Dams & works" in printed  # its own words, in print too
