"""The errors page explains every rule `briefing check` can report, and CONTRIBUTING.md is the
editor's guide alone. A rule id used anywhere in generator/ without a `### rule-id` entry on
the errors page (whose anchor, as MkDocs' toc extension makes it, is the rule itself) fails
here, and so does an entry for a rule that no longer exists; so does a guide over its size."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import markdown

from generator.errors import ERRORS_IN_REPOSITORY, ERRORS_SOURCE

REPO_ROOT = Path(__file__).resolve().parent.parent
GENERATOR = REPO_ROOT / "generator"
GUIDE = REPO_ROOT / "CONTRIBUTING.md"
RULES_SECTION = "## Rules"
#: The guide's size limit (issue 16): the editor's guide alone, the rules on the errors page.
GUIDE_LIMIT = 12_000

# Rules every version of the checker has had: the collector must find at least these, so a
# collector that silently finds nothing cannot pass.
CORE_RULES = {
    "yaml-syntax", "duplicate-key", "unknown-key", "missing-field", "type", "vocabulary",
    "date", "slug", "url", "empty", "id-mismatch", "duplicate-id", "reference", "unsourced",
    "schema-line", "unused-source",
}


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _rule_positions(trees: list[ast.Module]) -> dict[str, int]:
    """Callable name -> index of its positional argument named ``rule`` (``Problem`` and any
    helper that passes a rule on, such as the loader's ``error(node, message, rule)``)."""
    positions: dict[str, int] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names = [a.arg for a in node.args.args]
                if names and names[0] in ("self", "cls"):
                    names = names[1:]
                if "rule" in names:
                    positions[node.name] = names.index("rule")
            elif isinstance(node, ast.ClassDef):
                fields = [s.target.id for s in node.body
                          if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]
                if "rule" in fields:
                    positions[node.name] = fields.index("rule")
    return positions


def collect_rules() -> dict[str, str]:
    """Every rule id in generator/*.py -> the first file using it."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), str(path))
             for path in sorted(GENERATOR.rglob("*.py"))}
    positions = _rule_positions(list(trees.values()))
    found: dict[str, str] = {}

    def add(node: ast.expr | None, path: Path) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.setdefault(node.value, path.name)

    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _name(node.func)
                if name == "PydanticCustomError" and node.args:
                    add(node.args[0], path)  # its error type becomes the rule
                elif name in positions:
                    index = positions[name]
                    if len(node.args) > index:
                        add(node.args[index], path)
                    for keyword in node.keywords:
                        if keyword.arg == "rule":
                            add(keyword.value, path)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                # Rules passed on from a table: e.g. validate._RULES = {"vocabulary", ...}.
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id.endswith("RULES") for t in targets):
                    value = node.value
                    if isinstance(value, ast.Set | ast.List | ast.Tuple):
                        for element in value.elts:
                            add(element, path)
    return found


def catalogue() -> dict[str, str]:
    """``### rule-id`` heading -> the text of its entry, from the errors page's rules."""
    text = ERRORS_SOURCE.read_text(encoding="utf-8")
    assert RULES_SECTION in text, f"the errors page has no '{RULES_SECTION}' section"
    section = text.split(RULES_SECTION, 1)[1]
    section = re.split(r"^## ", section, flags=re.MULTILINE)[0]
    parts = re.split(r"^### (\S+)[ \t]*$", section, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def rule_anchors() -> list[tuple[str, str]]:
    """(anchor, heading text) of each entry of the rules section, as the site renders the page
    (MkDocs' own extensions and mkdocs.yml's, the toc making each heading's id)."""
    text = ERRORS_SOURCE.read_text(encoding="utf-8").split("\n---\n", 1)[1]  # front matter
    html = markdown.markdown(
        text, extensions=["toc", "tables", "fenced_code", "attr_list", "footnotes"])
    section = html.split('<h2 id="rules">', 1)[1].split("<h2", 1)[0]
    return re.findall(r'<h3 id="([^"]*)">(.*?)</h3>', section)


def test_the_collector_finds_the_core_rules() -> None:
    rules = collect_rules()
    missing = CORE_RULES - set(rules)
    assert not missing, f"the rule collector no longer finds {sorted(missing)}"


def test_every_rule_has_an_entry() -> None:
    entries = catalogue()
    missing = {rule: where for rule, where in collect_rules().items() if rule not in entries}
    assert not missing, (
        "rules without a '### rule-id' entry on the errors page: "
        + ", ".join(f"{rule} (in generator/{where})" for rule, where in sorted(missing.items()))
    )


def test_every_entry_is_a_rule() -> None:
    stale = set(catalogue()) - set(collect_rules())
    assert not stale, f"the errors page documents rules the checker no longer has: {sorted(stale)}"


def test_every_entry_has_an_example_and_a_fix() -> None:
    for rule, entry in catalogue().items():
        assert "```" in entry, f"### {rule}: show an example of the message in a code block"
        assert f"[{rule}]" in entry, f"### {rule}: the example message should end in [{rule}]"
        assert "**Fix:**" in entry, f"### {rule}: say how to fix it (**Fix:** ...)"


def test_entries_are_in_order_of_the_table() -> None:
    """The catalogue table of contents lists each entry once, in the same order."""
    text = ERRORS_SOURCE.read_text(encoding="utf-8").split(RULES_SECTION, 1)[1]
    listed = re.findall(r"^\| \[`([a-z0-9-]+)`\]\(#", text, flags=re.MULTILINE)
    assert listed == list(catalogue()), "the table at the top of the catalogue is out of date"


def test_each_rule_is_its_own_anchor() -> None:
    """On the site, ``errors/#<rule>`` is the rule's entry: the anchor the tools print and the
    preview links to. Every anchor of the rules section is a rule, and every rule has one."""
    anchors = rule_anchors()
    assert [anchor for anchor, _text in anchors] == [text for _anchor, text in anchors]
    assert {anchor for anchor, _text in anchors} == set(collect_rules())


def test_the_repository_path_is_the_page() -> None:
    """Where the site's address is not known, the tools print this path: it must be the page."""
    assert REPO_ROOT / ERRORS_IN_REPOSITORY == ERRORS_SOURCE
    assert ERRORS_SOURCE.is_file()


def test_the_guide_is_the_editors_guide_alone() -> None:
    data = GUIDE.read_bytes()
    assert len(data) <= GUIDE_LIMIT, f"CONTRIBUTING.md: {len(data):,} bytes, over {GUIDE_LIMIT:,}"
    text = data.decode("utf-8")
    headings = set(re.findall(r"^#+ `?([a-z-]+)`?$", text, flags=re.MULTILINE))
    assert not headings & set(collect_rules()), "rules are explained on the errors page"
    assert f"]({ERRORS_IN_REPOSITORY})" in text, "the guide links to the errors page"
