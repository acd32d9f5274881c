"""Installing the project (what scripts/setup.sh does) says nothing a person need not read."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

# pip's words about the machine's own pip configuration (an index folder that is not there),
# not about this project.
MACHINE = re.compile(
    r"^WARNING: Location '[^']*' is ignored: it is neither a file nor a directory\.$")


@pytest.mark.slow
def test_an_editable_install_prints_nothing(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, project / name)
    shutil.copytree(REPO_ROOT / "generator", project / "generator",
                    ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    # This environment's pip (as recent as the one setup.sh installs), installing into the new
    # one, quietly as setup.sh asks it to; setuptools is fetched into pip's build environment.
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
         "--disable-pip-version-check", "--no-deps", "-e", str(project)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    said = [line for line in (result.stdout + result.stderr).splitlines()
            if not MACHINE.match(line)]
    assert result.returncode == 0 and said == [], "\n".join(said)
    imported = subprocess.run(
        [str(python), "-c", "import generator; print(generator.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True,
    )
    assert imported.stdout == f"{project / 'generator' / '__init__.py'}\n"
