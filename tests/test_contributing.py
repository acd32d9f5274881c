"""CONTRIBUTING.md documents every rule `briefing check` can report: a rule id used anywhere in
generator/ without a `### rule-id` entry in the error catalogue fails here, and so does an entry
for a rule that no longer exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
GENERATOR = REPO_ROOT / "generator"
GUIDE = REPO_ROOT / "CONTRIBUTING.md"
CATALOGUE = "## Error catalogue"

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
             for path in sorted(GENERATOR.glob("*.py"))}
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
    """``### rule-id`` heading -> the text of its entry, from the error catalogue section."""
    text = GUIDE.read_text(encoding="utf-8")
    assert CATALOGUE in text, f"CONTRIBUTING.md has no '{CATALOGUE}' section"
    section = text.split(CATALOGUE, 1)[1]
    section = re.split(r"^## ", section, flags=re.MULTILINE)[0]
    parts = re.split(r"^### (\S+)[ \t]*$", section, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_the_collector_finds_the_core_rules() -> None:
    rules = collect_rules()
    missing = CORE_RULES - set(rules)
    assert not missing, f"the rule collector no longer finds {sorted(missing)}"


def test_every_rule_has_an_entry() -> None:
    entries = catalogue()
    missing = {rule: where for rule, where in collect_rules().items() if rule not in entries}
    assert not missing, (
        "rules without a '### rule-id' entry in CONTRIBUTING.md's error catalogue: "
        + ", ".join(f"{rule} (in generator/{where})" for rule, where in sorted(missing.items()))
    )


def test_every_entry_is_a_rule() -> None:
    stale = set(catalogue()) - set(collect_rules())
    assert not stale, f"CONTRIBUTING.md documents rules the checker no longer has: {sorted(stale)}"


def test_every_entry_has_an_example_and_a_fix() -> None:
    for rule, entry in catalogue().items():
        assert "```" in entry, f"### {rule}: show an example of the message in a code block"
        assert f"[{rule}]" in entry, f"### {rule}: the example message should end in [{rule}]"
        assert "**Fix:**" in entry, f"### {rule}: say how to fix it (**Fix:** ...)"


def test_entries_are_in_order_of_the_table() -> None:
    """The catalogue table of contents lists each entry once, in the same order."""
    text = GUIDE.read_text(encoding="utf-8").split(CATALOGUE, 1)[1]
    listed = re.findall(r"^\| \[`([a-z0-9-]+)`\]\(#", text, flags=re.MULTILINE)
    assert listed == list(catalogue()), "the table at the top of the catalogue is out of date"
