"""Properties that hold for any input, checked with hypothesis.

1. Any bytes, any text and any YAML-ish document written as a fact sheet give either a model or
   located problems with a rule id from `check`, never another exception.
2. So do mutations of the shipped sheets: keys deleted, lines duplicated, values swapped,
   scalars turned into lists, characters inserted, files cut short.
3. `render.md_text`, the one helper that puts content text into Markdown, makes any text show
   as exactly that text, in every place templates put it, and adds no element of its own.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import markdown
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.content.check import check
from generator.content.schema import _check_url
from generator.errors import ERRORS_SOURCE, Problem
from generator.escaping import attr, json_for_html, md_text
from generator.escaping import url as escaped_url
from generator.reference.jsonschema import schema_line

REPO_ROOT = Path(__file__).resolve().parent.parent.parent

FUZZ = settings(
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)

#: Rule ids problems may carry: those the errors page explains (one "### rule-id" heading
#: each; tests/test_contributing.py holds the code to it).
RULES = set(re.findall(r"^### ([a-z]+(?:-[a-z]+)*)[ \t]*$",
                       ERRORS_SOURCE.read_text(encoding="utf-8"), re.MULTILINE))


def assert_sane(problems: list[Problem], files: dict[str, str]) -> None:
    """Every problem names a file that exists, a place inside it, a documented rule, and
    prints as one line."""
    for problem in problems:
        assert problem.rule in RULES, problem
        assert problem.path in files, problem
        assert problem.line >= 0 and problem.column >= 0, problem
        assert (problem.line == 0) == (problem.column == 0), problem
        # A mark may stand just past the last line (the end of the file). YAML, like editors,
        # ends a line at a lone CR and at NEL, LS and PS too.
        breaks = len(re.findall("\r\n|[\r\n\x85\u2028\u2029]", files[problem.path]))
        assert problem.line <= breaks + 2, problem
        assert problem.message and problem.message == problem.message.strip(), problem
        line = problem.format()
        assert "\n" not in line and "\r" not in line, problem


def check_sheet(root: Path, relative: str, data: bytes) -> None:
    """Write one sheet into the project at ``root`` and check the whole project."""
    path = root / relative
    path.write_bytes(data)
    result = check(root / "content", root)
    files = {
        p.relative_to(root).as_posix(): p.read_bytes().decode("utf-8", "replace")
        for p in (root / "content").rglob("*.yml")
    }
    assert_sane(result.problems, files)
    if result.ok:
        briefing = result.briefing()
        assert set(briefing.sheets) == set(result.sheets)
    else:
        assert result.errors


# --- 1. arbitrary input -----------------------------------------------------------------------

FIELD_NAMES = [
    "id", "name", "kind", "aliases", "side", "roles", "summary", "relations", "facts", "text",
    "sources", "certainty", "as_of", "title", "of", "to", "since", "until", "reviewed",
]
WORDS = [
    "fuzzed", "bob-broker", "person", "second-report", "test-report", "reported", "possible",
    "2025-11", "2025-11-31", "late 2025-10", "mid 2025", "~", "null", "yes", "1.5", "0x1f",
    "'single'", '"double \\" quote"', '"\\x00\\e\\u202e"', "'it''s'", "a: b", "a #b", "#c",
    "*a", "&a", "!!str", "!!python/object/apply:os.system ['true']", "!x", "<<", "?", "-",
    "[", "]", "{", "}", ",", "|", ">-", "---", "...", "%YAML 1.1", "\t", "\ufeff", "\x00",
    "\x85", "\u2028", "é", "😀", "https://example.org/x", "javascript:alert(1)",
]
KEYS = st.one_of(st.sampled_from(FIELD_NAMES + ["<<", "? x", "1", "~", '""', "a b"]),
                 st.text(min_size=1, max_size=6))
SCALARS = st.one_of(st.sampled_from(WORDS), st.text(max_size=12))
PREFIXES = st.sampled_from(["", "", "", "&a ", "*a ", "!!str ", "!!map ", "!!seq ", "!t ",
                            "!!python/name:os.system "])


@st.composite
def yaml_node(draw: st.DrawFn, indent: int = 0, depth: int = 0) -> str:
    """A value as it follows ``key:`` or ``- ``: inline text, or a newline and a block."""
    styles = ["scalar", "scalar", "flow"]
    if depth < 4:
        styles += ["block-list", "block-map", "block-text"]
    style = draw(st.sampled_from(styles))
    prefix = draw(PREFIXES)
    if style == "scalar":
        return prefix + draw(SCALARS)
    if style == "flow":
        items = draw(st.lists(SCALARS, max_size=4))
        if draw(st.booleans()):
            return prefix + "[" + ", ".join(items) + "]"
        keys = draw(st.lists(KEYS, min_size=len(items), max_size=len(items)))
        return prefix + "{" + ", ".join(f"{k}: {v}" for k, v in zip(keys, items, strict=True)) + "}"
    step = draw(st.sampled_from([1, 2, 2, 2, 4]))
    inner = " " * (indent + step) if draw(st.integers(0, 20)) else "\t" * (depth + 1)
    if style == "block-text":
        lines = draw(st.lists(SCALARS, min_size=1, max_size=3))
        return prefix + draw(st.sampled_from(["|", ">", "|-", ">+"])) + "".join(
            f"\n{inner}{line}" for line in lines
        )
    if style == "block-list":
        items = draw(st.lists(yaml_node(indent + step, depth + 1), min_size=1, max_size=3))
        return prefix + "".join(f"\n{inner}- {item}" for item in items)
    return prefix + draw(yaml_mapping(indent + step, depth + 1, inner))


@st.composite
def yaml_mapping(draw: st.DrawFn, indent: int = 0, depth: int = 0, lead: str = "") -> str:
    keys = draw(st.lists(KEYS, min_size=1, max_size=5))
    lines = [f"{lead}{key}: {draw(yaml_node(indent, depth))}" for key in keys]
    return "".join(f"\n{line}" for line in lines) if lead else "\n".join(lines)


@st.composite
def yaml_sheet(draw: st.DrawFn) -> str:
    """A sheet-like document: often the schema line and the right id, then anything."""
    head = []
    if draw(st.booleans()):
        head.append(schema_line("actors"))
    if draw(st.integers(0, 3)):
        head.append("id: fuzzed")
    body = draw(yaml_mapping())
    tail = draw(st.sampled_from(["", "\n", "\n---\n", "\n...\n", "\n# end"]))
    return "\n".join([*head, body]) + tail


@pytest.fixture
def sample(make_project: Callable[..., Path]) -> Path:
    return make_project()


@FUZZ
@given(data=st.binary(max_size=200))
def test_any_bytes(sample: Path, data: bytes) -> None:
    check_sheet(sample, "content/actors/fuzzed.yml", data)


@FUZZ
@given(text=st.text(max_size=200))
@example(text="id: fuzzed\nkind: \x85person\n")
@example(text='id: fuzzed\nname: "\\u2028"\nkind: person\n')
def test_any_text(sample: Path, text: str) -> None:
    check_sheet(sample, "content/actors/fuzzed.yml", text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(text=yaml_sheet())
@example(text="id: fuzzed\ncertainty: |\n  likely\n  content/actors/x.yml:1:1: forged [rule]")
@example(text="id: fuzzed\n? |\n  two\n  lines\n: key\n")
def test_yaml_ish_documents(sample: Path, text: str) -> None:
    check_sheet(sample, "content/actors/fuzzed.yml", text.encode("utf-8", "surrogatepass"))


# --- 2. mutations of the shipped sheets ---------------------------------------------------------

SHIPPED = sorted(
    p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "content").rglob("*.yml")
)
_KEY_LINE = re.compile(r"^(\s*(?:- )?)([A-Za-z_]+):( .*)?$")


@st.composite
def mutation(draw: st.DrawFn, text: str) -> str:
    """One editor's slip (or an attacker's edit) applied to a sheet's text."""
    lines = text.split("\n")
    keyed = [i for i, line in enumerate(lines) if _KEY_LINE.match(line)]
    valued = [i for i in keyed if _KEY_LINE.match(lines[i]).group(3)]  # type: ignore[union-attr]
    kind = draw(st.sampled_from(["delete", "duplicate", "swap", "listify", "insert", "truncate",
                                 "indent", "retype"]))
    if kind == "delete" and keyed:
        del lines[draw(st.sampled_from(keyed))]
    elif kind == "duplicate":
        i = draw(st.integers(0, len(lines) - 1))
        lines.insert(i, lines[i])
    elif kind == "swap" and len(valued) > 1:
        i, j = draw(st.lists(st.sampled_from(valued), min_size=2, max_size=2, unique=True))
        a, b = _KEY_LINE.match(lines[i]), _KEY_LINE.match(lines[j])
        assert a and b
        lines[i] = f"{a.group(1)}{a.group(2)}:{b.group(3)}"
        lines[j] = f"{b.group(1)}{b.group(2)}:{a.group(3)}"
    elif kind == "listify" and valued:
        i = draw(st.sampled_from(valued))
        m = _KEY_LINE.match(lines[i])
        assert m
        value = (m.group(3) or "").strip()
        pad = " " * (len(m.group(1)) + 2)
        lines[i] = draw(st.sampled_from([
            f"{m.group(1)}{m.group(2)}: [{value}]",
            f"{m.group(1)}{m.group(2)}:\n{pad}- {value}",
            f"{m.group(1)}{m.group(2)}: {{{value}: {value}}}",
            f"{m.group(1)}{m.group(2)}:",
        ]))
    elif kind == "indent" and lines:
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = draw(st.sampled_from([" ", "  ", "\t", "    "])) + lines[i]
    elif kind == "retype" and valued:
        i = draw(st.sampled_from(valued))
        m = _KEY_LINE.match(lines[i])
        assert m
        lines[i] = f"{m.group(1)}{m.group(2)}: {draw(SCALARS)}"
    joined = "\n".join(lines)
    if kind == "insert":
        at = draw(st.integers(0, len(joined)))
        joined = joined[:at] + draw(st.text(min_size=1, max_size=5)) + joined[at:]
    elif kind == "truncate":
        joined = joined[: draw(st.integers(0, len(joined)))]
    return joined


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped content, which the tests change one file at a time and restore."""
    root = tmp_path_factory.mktemp("shipped")
    shutil.copytree(REPO_ROOT / "content", root / "content")
    return root


@FUZZ
@given(data=st.data())
def test_mutated_shipped_sheets(shipped: Path, data: st.DataObject) -> None:
    relative = data.draw(st.sampled_from(SHIPPED), label="sheet")
    original = (shipped / relative).read_bytes()
    text = original.decode("utf-8")
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        text = data.draw(mutation(text), label="mutated")
    try:
        check_sheet(shipped, relative, text.encode("utf-8", "surrogatepass"))
    finally:
        (shipped / relative).write_bytes(original)


def test_the_shipped_copy_is_valid(shipped: Path) -> None:
    """The mutations start from content that passes; else they would prove little."""
    assert check(shipped / "content", shipped).ok


# --- 3. md_text ------------------------------------------------------------------------------

#: The Markdown extensions of mkdocs.yml.
EXTENSIONS = ["footnotes", "tables", "attr_list", "toc"]

#: Where templates put content text (see briefings/): a paragraph, a heading, a link in a list
#: item, a footnote definition, a table cell, bold text. ``{}`` is the text.
PLACES = {
    "paragraph": "{}",
    "heading": "# {}",
    "list-link": "- **2025**: [{}](x.md) ({})",
    "footnote": "Fact.[^s]\n\n[^s]: [{}](s.md), {}, {}.",
    "table": "| Kind | Value |\n|---|---|\n| {} | {} |",
    "bold": "Kind, grouped with **{}**.",
}

#: Invisible direction controls show as their character reference, not applied (md_text).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: What the loader lets into content: YAML's printable characters (no C0/C1 controls).
_PRINTABLE = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters=[chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 127,
                                           *range(0x80, 0x85), *range(0x86, 0xA0)]]
    + ["\ufffe", "\uffff"],
)
MARKDOWNISH = st.lists(
    st.one_of(
        st.sampled_from(list("\\`*_{}[]()|#!<>&;:=+-.~^\"' \t\n1a")),
        st.sampled_from([
            "&amp;", "&#35;", "&#x3C;", "<b>", "</p>", "<!--", "-->", "<script>", "http://x.org",
            "<http://x.org>", "a@b.org", "www.x.org", "[^1]", "[^1]:", "]:", "]: ", "{: #x}",
            "*[", "1.", "2)", "    ", "\n\n", "---", "===", "```", "~~~", "[TOC]", "\u202e",
            "\u2028", "\u00a0", "{{ 7*7 }}", "{%", "%}", "javascript:", "![x](y)", "[x](y)",
        ]),
        st.text(_PRINTABLE, max_size=3),
    ),
    max_size=14,
).map("".join)


def shown(text: str) -> str:
    """How a page shows content text: whitespace folded, direction controls written out."""
    return _BIDI.sub(lambda m: f"&#x{ord(m.group()):04x};", " ".join(text.split()))


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, tuple[str, ...]]] = []
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, tuple(sorted(name for name, _ in attrs))))
        self.links += [value or "" for name, value in attrs if name in ("href", "src")]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.elements.append(("!--", ()))


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def render_in(place: str, text: str) -> str:
    return markdown.markdown(PLACES[place].replace("{}", text), extensions=EXTENSIONS)


def assert_shown_as_text(text: str) -> None:
    if not text.split():
        return  # content text is never blank (the 'empty' rule)
    for place in PLACES:
        page = render_in(place, str(md_text(text)))
        got, want = read(page), read(render_in(place, "QQQ"))
        assert got.elements == want.elements, (place, text, page)
        assert got.links == want.links, (place, text, page)
        expected = " ".join("".join(want.text).split()).replace("QQQ", shown(text))
        assert " ".join("".join(got.text).split()) == expected, (place, text, page)


#: Found by this property (md_text was fixed for each): a "]:" in a link's text made
#: Python-Markdown read the line as a link or footnote definition, hiding it; a trailing '#'
#: was dropped from headings; "1." and "=" at the start showed a backslash.
REGRESSIONS = ["a]: b", "^1]: evil", "x]: javascript:alert(1)", "C# and F#", "1986. A year",
               "= setext", ": term", "1. item"]


@pytest.mark.parametrize("text", REGRESSIONS)
def test_md_text_regressions(text: str) -> None:
    assert_shown_as_text(text)


@settings(deadline=None, max_examples=200)
@given(text=st.one_of(MARKDOWNISH, st.text(_PRINTABLE, max_size=40)))
def test_md_text_shows_any_text_as_that_text(text: str) -> None:
    assert_shown_as_text(text)


@settings(deadline=None, max_examples=100)
@given(text=st.text(max_size=40))
def test_md_text_never_adds_elements(text: str) -> None:
    """Any string at all, control characters included (the loader keeps those out of content,
    and Python-Markdown drops some, so whether they show is not asked here): no element and no
    link beyond the template's own."""
    for place in PLACES:
        got, want = read(render_in(place, str(md_text(text)))), read(render_in(place, "QQQ"))
        assert set(got.elements) <= set(want.elements), (place, text)
        assert set(got.links) <= set(want.links), (place, text)


# --- the other escaping helpers ------------------------------------------------------------


@settings(deadline=None, max_examples=200)
@given(data=st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20),
              st.sampled_from(["</script>", "<!--", "-->", "<script>", "]]>", "&amp;",
                               "\u2028", "</SCRIPT >"])),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                              max_size=3),
    max_leaves=8,
))
def test_json_for_html_cannot_leave_its_script(data: object) -> None:
    text = json_for_html(data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data
    reader = read(f'<script type="application/ld+json">{text}</script>')
    assert reader.elements == [("script", ("type",))]


@settings(deadline=None, max_examples=200)
@given(text=st.text(max_size=40))
def test_attr_stays_one_attribute_value(text: str) -> None:
    reader = _AttrReader()
    reader.feed(f'<span title="{attr(text)}">x</span>')
    reader.close()
    assert reader.attrs == [("title", " ".join(text.split()))]


class _AttrReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs += attrs


def _valid_url(value: str) -> bool:
    try:
        _check_url(value)
    except ValueError:
        return False
    return True


URLS = st.builds(
    lambda scheme, rest: scheme + rest,
    st.sampled_from(["http://", "https://", "HTTPS://"]),
    st.lists(st.one_of(st.sampled_from(list("<>\"'`()[]{}|\\^*_#?&=%;:@!$,+~")
                                       + ["%3C", "&amp;", "](javascript:x)", "<b>", "{{x}}"]),
                       st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc")),
                               max_size=3)),
             min_size=1, max_size=10).map("".join),
).filter(_valid_url)


@settings(deadline=None, max_examples=200)
@given(url=URLS)
# Found by this property (escaping.url now encodes brackets and parentheses): a link, or a
# footnote reference, inside the address became an element of its own.
@example(url="http://[](javascript:x)")
@example(url="https://evil.example/[click](javascript:alert(1))")
@example(url="https://x.org/[^1]")
def test_url_stays_one_link_to_that_address(url: str) -> None:
    """A validated address in the source page's `<...>` autolink (source.md.j2): one link,
    to that address. (Python-Markdown keeps an entity-like "&amp;" written in an address as an
    entity, so that address links to "&", as a browser would read it: compared unescaped.)"""
    cell = markdown.markdown(f"| Kind | Address |\n|---|---|\n| x | <{escaped_url(url)}> |",
                             extensions=EXTENSIONS)
    reader = read(cell)
    links = [e for e in reader.elements if e[0] == "a"]
    assert links == [("a", ("href",))], cell
    (href,) = reader.links
    assert unquote(href) == unquote(html.unescape(str(escaped_url(url)))), cell
    assert href.lower().startswith(("http://", "https://")), cell
