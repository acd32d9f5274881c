"""Where a command may write: never over, around or into what the project is made of.

An output (the site folder, the PDF) overlaps an input when writing it would hold or replace
one. The rule, applied to the output's real path (links followed and ``..`` applied, as the
kernel does, and folders compared by identity too, so that a bind mount or a second name of a
folder is the folder):

- the output *is* the project folder or an input, or *holds* one (the project folder, or a
  folder above an input): the staged swap would replace it with the site;
- the output is *inside* an input folder (``content/``, ``briefings/``, the docs folder, the
  git repository): the site would be read back as content, or written into git's own files.

Inputs are the project folder, ``content/``, ``briefings/``, ``docs/`` (MkDocs' ``docs_dir``),
``schemas/``, ``briefing.yml``, ``mkdocs.yml`` and, in a git repository, the repository's
folders and every file git tracks. Anything else is free, inside the project folder or not:
``site/``, ``out/site``, ``../public``.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass
from pathlib import Path

from generator.editorial.revisions import GitError, Repository
from generator.errors import BriefingError

#: Folders of a project, whether git knows it or not.
FOLDERS = ("content", "briefings", "docs", "schemas")
#: Files of a project, whether git knows it or not.
FILES = ("briefing.yml", "mkdocs.yml")
#: What to do instead, by the kind of output refused.
SITE_ADVICE = "build into a folder of its own, such as site"
PDF_ADVICE = "write it elsewhere, such as site/briefing.pdf, or to - (standard output)"
MKDOCS_ADVICE = "set site_dir in mkdocs.yml to a folder of its own, such as site"

class OutputRefused(BriefingError):
    """An output would hold or replace an input; the message says which, and what to do."""


@dataclass(frozen=True)
class _Input:
    path: Path  # real path
    label: str  # as a refusal names it
    folder: bool  # outputs may not go inside it (the project folder itself excepted)


@dataclass(frozen=True)
class Inputs:
    """What a project's outputs must leave alone."""

    root: Path
    named: tuple[_Input, ...]  # the project folder first
    top: Path | None  # the git repository's working tree, if any
    tracked: tuple[str, ...]  # files git tracks, relative to ``top``, sorted


def project_inputs(root: Path, docs_dir: Path | None = None) -> Inputs:
    """The inputs of the project at ``root``; ``docs_dir`` as MkDocs resolved it, if known."""
    root = _real(root)
    named = [_Input(root, "the project folder", True)]
    docs = _real(docs_dir) if docs_dir is not None else root / "docs"
    for name in FOLDERS:
        path = docs if name == "docs" else root / name
        named.append(_Input(path, f"{_shown(path, root)}/, an input of the build", True))
    for name in FILES:
        named.append(_Input(root / name, f"{name}, an input of the build", False))
    named.append(_Input(root / ".git", ".git, the git repository", True))
    top: Path | None = None
    tracked: tuple[str, ...] = ()
    try:
        repository = Repository(root)
        top, git_dirs, listed = repository.top(), repository.git_dirs(), repository.tracked()
    except GitError:
        pass  # no git, or git cannot answer here: the project's known inputs are all there is
    else:
        tracked = tuple(sorted(listed))
        for folder in map(_real, git_dirs):
            if any(entry.path == folder for entry in named):
                continue  # the project's own .git
            named.append(_Input(folder, f"{_shown(folder, root)}, the git repository", True))
    return Inputs(root, tuple(named), top and _real(top), tracked)


def overlap(output: Path, inputs: Inputs) -> str | None:
    """How ``output`` would hold or replace an input (``is docs/, an input of the build``), or
    None when it is free. ``output`` is absolute, or relative to the current folder."""
    out = _real(output)
    out_id = _identity(out)
    above = {i for i in (_identity(p) for p in out.parents) if i is not None}
    for entry in inputs.named:
        entry_id = _identity(entry.path)
        if out == entry.path or (out_id is not None and out_id == entry_id):
            return f"is {entry.label}"
        inside = entry.path in out.parents or (entry_id is not None and entry_id in above)
        if inside and entry.folder and entry is not inputs.named[0]:
            return f"is inside {entry.label}"
        if out in entry.path.parents or (out_id is not None and out_id in _chain(entry.path)):
            return f"holds {entry.label}"
    # (The project folder is inside the repository: a folder above the repository's files
    # holds the project folder, found above.)
    if inputs.top is None or not out.is_relative_to(inputs.top):
        return None
    relative = out.relative_to(inputs.top).as_posix()
    tracked = inputs.tracked
    at = bisect.bisect_left(tracked, relative)
    if at < len(tracked) and tracked[at] == relative:
        return f"is {_shown(out, inputs.root)}, a file tracked by git"
    # The files under a folder are together in sorted order, from the first after "folder/".
    first = bisect.bisect_left(tracked, f"{relative}/")
    end = bisect.bisect_left(tracked, f"{relative}0")  # "0" is the character after "/"
    if relative != "." and first < end:
        example = _shown(inputs.top / tracked[first], inputs.root)
        more = f" and {end - first - 1:,} more" if end - first > 1 else ""
        return f"holds files tracked by git ({example}{more})"
    return None


def refuse_overlap(output: Path, inputs: Inputs, *, named: str, advice: str) -> None:
    """Raise OutputRefused when ``output`` overlaps an input: ``{named} {how}; {advice}``."""
    how = overlap(output, inputs)
    if how is not None:
        raise OutputRefused(f"{named} {how}; {advice}")


def _real(path: Path) -> Path:
    # realpath follows each link before applying the ".." after it, as opening the path would.
    return Path(os.path.realpath(path))


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _chain(path: Path) -> set[tuple[int, int]]:
    """Identities of ``path`` and every folder above it."""
    return {i for i in (_identity(p) for p in (path, *path.parents)) if i is not None}


def _shown(path: Path, root: Path) -> str:
    """``path`` as a message shows it: relative to the project folder when inside it."""
    path = Path(path)
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
