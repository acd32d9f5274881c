"""Golden error corpus: each tests/cases/invalid/*.yml lays broken files over the sample project
and pins the exact lines `briefing check` prints. Regenerate with `pytest --update-goldens`."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.cli import main

CASES_DIR = Path(__file__).parent.parent / "cases" / "invalid"
CASES = sorted(CASES_DIR.glob("*.yml"))


def read_case(path: Path) -> dict[str, Any]:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(case, dict), f"{path.name}: a case is a mapping"
    unknown = set(case) - {"description", "files", "files_base64", "expected"}
    assert not unknown, f"{path.name}: unknown keys {sorted(unknown)}"
    assert case.get("description"), f"{path.name}: say what the case is about"
    assert case.get("files") or case.get("files_base64"), f"{path.name}: no files"
    return case


def rewrite_expected(path: Path, output: str) -> None:
    """Replace the ``expected: |`` block (always the last key) and keep the rest as written."""
    text = path.read_text(encoding="utf-8")
    marker = "\nexpected:"
    head = text[: text.index(marker) + 1] if marker in text else text.rstrip("\n") + "\n"
    block = "".join(f"  {line}\n" for line in output.splitlines())
    path.write_text(f"{head}expected: |\n{block}", encoding="utf-8", newline="\n")


@pytest.mark.parametrize("case_path", CASES, ids=[p.stem for p in CASES])
def test_invalid_case(
    case_path: Path,
    make_project: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    update_goldens: bool,
) -> None:
    case = read_case(case_path)
    files: dict[str, str | bytes] = dict(case.get("files") or {})
    for name, encoded in (case.get("files_base64") or {}).items():
        files[name] = base64.b64decode(encoded)
    root = make_project(files)

    code = main(["--root", str(root), "check"])
    output, said = capsys.readouterr()
    # After the listing, on standard error: where each rule is explained (no site_url here).
    assert said == ("Each [rule] is explained at generator/errors.md#<rule>\n"
                    if output.count("\n") > 1 else "")

    if update_goldens:
        rewrite_expected(case_path, output)
        return
    assert output.splitlines() == (case.get("expected") or "").splitlines()
    summary = output.splitlines()[-1]
    assert code == (1 if " error" in summary else 0), output


def test_every_rule_has_a_case() -> None:
    """The corpus covers every rule the checker can report (except io and symlink)."""
    rules = set()
    for path in CASES:
        for line in (read_case(path).get("expected") or "").splitlines():
            if line.endswith("]"):
                rules.add(line.rsplit("[", 1)[1].rstrip("]"))
    wanted = {
        "yaml-syntax",
        "duplicate-key",
        "unknown-key",
        "missing-field",
        "type",
        "vocabulary",
        "date",
        "slug",
        "id-mismatch",
        "duplicate-id",
        "reference",
        "unsourced",
        "url",
        "yaml-alias",
        "yaml-merge",
        "yaml-tag",
        "yaml-key",
        "empty-file",
        "not-a-mapping",
        "encoding",
        "file-name",
        "unknown-kind",
        "unused-source",
        "actor-without-facts",
        "schema-line",
        "placeholder",
        "empty",
        "limit",
    }
    assert wanted - rules == set()
