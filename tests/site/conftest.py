"""Site builds shared by the site tests: each is made once per session and only read after.

Tests that change a project or a site make their own copies.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sitekit import built, commit_sample, copy_shipped, make_sample, make_second


@pytest.fixture(scope="session")
def shipped_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's project: the shipped briefing as the session started."""
    return copy_shipped(tmp_path_factory.mktemp("shipped") / "project")


@pytest.fixture(scope="session")
def shipped_site(shipped_root: Path) -> Path:
    """The shipped briefing built strictly (``briefing build --no-pdf``)."""
    return built(shipped_root, shipped_root.parent / "site")


@pytest.fixture(scope="session")
def sample_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A runnable copy of tests/cases/sample, its content committed to a fresh git repository
    (the "What changed" page reads the history); read it, never change it."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return commit_sample(make_sample(tmp_path_factory.mktemp("sample") / "project"))


@pytest.fixture(scope="session")
def second_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A runnable copy of tests/cases/second, committed as the first sample is; read it."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return commit_sample(make_second(tmp_path_factory.mktemp("second") / "project"))


@pytest.fixture(scope="session")
def sample_site(sample_root: Path) -> Path:
    return built(sample_root, sample_root / "site")


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A runnable copy of the sample project that the test may change."""
    return make_sample(tmp_path / "project")
