"""The package reads as the pipeline: imports between its stages point one way, with no cycle.

Drawn from the source (``ast``, every import, those inside functions too), not from what a run
happens to import. Each stage is a sub-package of ``generator``; ``cli``, ``config``,
``errors``, ``escaping`` and ``gcpause`` are single modules at the top. ARCHITECTURE.md draws
the same picture in words; when a new edge is right, add it here and there together.
"""

from __future__ import annotations

import ast
import fnmatch
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

#: stage -> the stages it may import. Anything not listed is refused.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "gcpause": set(),
    "content": {"errors", "gcpause"},
    "escaping": {"content"},
    "config": {"content", "errors"},
    "reference": {"content", "config"},
    "render": {"content", "config", "errors", "escaping", "gcpause"},
    "editorial": {"content", "errors", "escaping"},
    "build": {"content", "config", "errors", "gcpause", "render", "editorial"},
    "site": {"build", "content", "config", "errors", "escaping", "render"},
    "pdf": {"build", "content", "errors", "gcpause", "render"},
    "cli": {"build", "config", "content", "editorial", "errors", "pdf", "reference", "render",
            "site"},
    "__main__": {"cli"},
}

#: A third-party package -> the only modules that may import it (the adapters' edges).
ONLY_IN: dict[str, set[str]] = {
    "mkdocs": {"generator.site.plugin"},
    "weasyprint": {"generator.pdf.worker", "generator.pdf.process",
                   "generator.pdf.dependency_internals"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path) -> set[str]:
    """Every module (of the package, or the top name of a third-party one) ``name`` imports."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if child in MODULES else base)
    return {m if m in MODULES else m.split(".")[0] for m in found}


IMPORTS = {name: _imports(name, path) for name, path in MODULES.items()}


def stage(module: str) -> str | None:
    """The stage a module of the package belongs to (None: the package's own __init__)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_stage_is_known() -> None:
    unknown = {stage(m) for m in MODULES} - set(ALLOWED) - {None}
    assert not unknown, f"add {sorted(unknown)} to ALLOWED and to ARCHITECTURE.md"


def test_stages_import_only_the_stages_below_them() -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in IMPORTS.items()
        for target in targets
        if target in MODULES and stage(module) is not None and stage(target) is not None
        and stage(target) != stage(module)
        and stage(target) not in ALLOWED[stage(module)]  # type: ignore[index]
    )
    assert not wrong, "imports against the pipeline's direction:\n" + "\n".join(wrong)


def test_the_allowed_directions_have_no_cycle() -> None:
    assert _cycle({s: set(t) for s, t in ALLOWED.items()}) is None


def test_modules_import_each_other_without_a_cycle() -> None:
    graph = {m: {t for t in targets if t in MODULES and t != m} for m, targets in IMPORTS.items()}
    assert _cycle(graph) is None


def test_the_model_never_imports_the_checks() -> None:
    assert not IMPORTS["generator.content.briefing"] & {
        "generator.content.check", "generator.content.crossrefs"}


@pytest.mark.parametrize("dependency", sorted(ONLY_IN))
def test_one_module_knows_each_adapted_dependency(dependency: str) -> None:
    users = {m for m, targets in IMPORTS.items() if dependency in targets}
    assert users == ONLY_IN[dependency]


def test_the_checker_finds_a_cycle_and_reads_every_import() -> None:
    """The helpers above can fail: a cycle is found, a function's own import is read (the
    CLI imports the plugin only where it builds the site), and so is a relative one."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
    assert _cycle({**ALLOWED, "content": {"render"}}) is not None
    assert "generator.site.plugin" in IMPORTS["generator.cli"]


def test_every_exception_derives_from_one_base() -> None:
    """``errors.BriefingError`` is the base of every exception class the package defines (a
    signal's ``BaseException``, like KeyboardInterrupt, is meant to pass ``except Exception``)."""
    import importlib
    import inspect

    from generator.errors import BriefingError

    strays = sorted(
        f"{name}.{cls.__name__}"
        for name in MODULES
        if name not in {"generator.__main__"}
        for cls in vars(importlib.import_module(name)).values()
        if inspect.isclass(cls) and issubclass(cls, Exception)
        and cls.__module__ == name and not issubclass(cls, BriefingError)
    )
    assert not strays, f"derive these from errors.BriefingError: {strays}"


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path that ends where it starts, or None."""
    state: dict[str, int] = defaultdict(int)  # 0 unseen, 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state[nxt] == 1:
                return path[path.index(nxt):] + [nxt]
            if state[nxt] == 0 and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if state[node] == 0 and (found := visit(node)) is not None:
            return found
    return None


def test_pytest_walks_every_folder_of_tests(pytestconfig: pytest.Config) -> None:
    """A test folder named like one pytest skips (its default skips `build`) would drop its
    tests without a word; every folder that holds tests is walked."""
    skipped = pytestconfig.getini("norecursedirs")
    tests = Path(__file__).resolve().parent
    folders = {path.parent for path in tests.rglob("test_*.py")}
    hidden = sorted(
        str(folder.relative_to(tests))
        for folder in folders
        for part in folder.relative_to(tests).parts
        if any(fnmatch.fnmatch(part, pattern) for pattern in skipped)
    )
    assert not hidden, f"pytest skips these folders of tests: {hidden}"
