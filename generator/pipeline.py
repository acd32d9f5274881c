"""One call from content folder to rendered pages, shared by the CLI and the MkDocs plugin,
so that ``briefing check`` and the real build can never disagree."""

from __future__ import annotations

import json
import logging
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.config import Project, load_project
from generator.model import Briefing
from generator.problems import ContentError, Problem
from generator.render import RenderedPage, render_pages
from generator.schema import KINDS
from generator.validate import check

log = logging.getLogger(__name__)

JSON_FORMAT = "briefing/1"


@dataclass(frozen=True)
class Prepared:
    """A validated, rendered briefing: everything a build writes comes from here."""

    project: Project
    briefing: Briefing
    pages: list[RenderedPage]
    warnings: list[Problem]
    files: int


def load(root: Path) -> tuple[Project, Briefing, list[Problem], int]:
    """Validate the project's content. Raises ContentError (all problems) on any error."""
    project = load_project(root)
    result = check(project.content_dir, root)
    if not result.ok:
        raise ContentError(result.problems)
    return project, Briefing.from_check(result), result.problems, result.files


def prepare(root: Path) -> Prepared:
    project, briefing, warnings, files = load(root)
    pages = render_pages(briefing, project.templates_dir, project.settings)
    return Prepared(project, briefing, pages, warnings, files)


def briefing_json(project: Project, briefing: Briefing) -> str:
    """The whole validated fact graph as JSON (field names as in the content model)."""
    data: dict[str, Any] = {
        "format": JSON_FORMAT,
        "title": project.settings.title,
        "subtitle": project.settings.subtitle,
        "language": project.settings.language,
        "as_of": str(briefing.as_of) if briefing.as_of else None,
        "sheets": {kind: [] for kind in KINDS},
    }
    for sheet_id, sheet in briefing.sheets.items():
        record = sheet.model_dump(mode="json", exclude_none=True)
        record["path"] = briefing.paths[sheet_id]
        data["sheets"][sheet.folder].append(record)
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def source_date_epoch(root: Path) -> str:
    """SOURCE_DATE_EPOCH for this build: the environment's, else the last commit's time,
    else the newest content file's, so that the same content always builds the same bytes."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
        if out:
            return out
    except (OSError, subprocess.SubprocessError):
        pass
    mtimes = [p.stat().st_mtime for p in (root / "content").rglob("*.yml")]
    return str(int(max(mtimes, default=0)))
