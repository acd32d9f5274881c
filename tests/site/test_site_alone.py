"""One build at a time, and clean-up that is sure: builds side by side and killed at random,
a build stopped by SIGTERM or Ctrl-C, a build waiting for another; a site folder that is a
link or a mount point; the PDF to standard output.

Builds run as ``python -m generator build`` processes on copies of the sample project.
"""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sitekit import BUILD_TIMEOUT, build, build_env, built, make_sample, tree

pytestmark = pytest.mark.slow

#: The random plan of test_builds_side_by_side_killed_at_random.
SEED = 15
ROUNDS = 4
#: Rounds go on past ROUNDS until builds have finished, stopped and died (when signals land
#: depends on the machine's load), but not past this.
MAX_ROUNDS = 12
BUILDS = 3  # per round, started together (see plan_round)
HOLD_LOCK = """\
import sys
from pathlib import Path
from generator.build.lock import ProjectLock
lock = ProjectLock(Path(sys.argv[1]))
lock.acquire(wait=False)
print("locked", flush=True)
sys.stdin.read()
"""


def command(root: Path, *argv: str) -> list[str]:
    return [sys.executable, "-m", "generator", "--root", str(root), *argv]


def staging(root: Path, name: str = "site") -> list[str]:
    """Staging folders and old sites beside the site folder."""
    return sorted(p.name for p in root.iterdir() if p.name.startswith(f".{name}."))


def previous_edition(root: Path) -> tuple[dict[str, bytes], float]:
    """Build a previous site (another title on every page) into root/site; its files, and the
    seconds the build took."""
    settings = root / "briefing.yml"
    current = settings.read_text(encoding="utf-8")
    settings.write_text(current.replace("title: The Harbour Accord",
                                        "title: The previous edition"), encoding="utf-8")
    start = time.perf_counter()
    old = tree(built(root, root / "site"))
    seconds = time.perf_counter() - start
    settings.write_text(current, encoding="utf-8")
    return old, seconds


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The files of a clean build of the sample project (the same in any copy of it)."""
    root = make_sample(tmp_path_factory.mktemp("alone") / "project")
    return tree(built(root, root / "site"))


def hold_lock(root: Path) -> subprocess.Popen[str]:
    """A process holding the project's build lock until its stdin is closed."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(root)], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True, env=build_env(),
        cwd=Path(__file__).resolve().parents[2],
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "locked\n"
    return holder


# --- side by side, killed at random ----------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What happens to one build of a round."""

    wait: str  # --wait or --no-wait
    kill: int | None  # the signal it gets, if any
    trigger: str  # counted from: "start" (of the round) or "staging" (its folder appearing)
    delay: float  # seconds after the trigger


def plan_round(rng: random.Random, seconds: float) -> list[Plan]:
    """One build killed, one stopped with SIGTERM, one left alone (and waiting its turn, so
    that each round has a build that finishes), in a random order; the victims wait or not,
    and get their signal at a random moment: from the round's start (waiting for the lock,
    starting up, checking the content...) or from the moment their staging folder appears
    (MkDocs writing, the swap)."""
    roles: list[int | None] = [signal.SIGKILL, signal.SIGTERM, None]
    rng.shuffle(roles)
    plans = []
    for kill in roles:
        trigger = rng.choice(["start", "staging"])
        plans.append(Plan(
            wait="--wait" if kill is None else rng.choice(["--wait", "--no-wait"]),
            kill=kill,
            trigger=trigger,
            delay=rng.uniform(0.0, seconds * (0.5 if trigger == "staging" else BUILDS)),
        ))
    return plans


def test_builds_side_by_side_killed_at_random(
    tmp_path: Path, reference: dict[str, bytes]
) -> None:
    """Rounds of builds started together, each given at random (seeded) --wait or --no-wait
    and SIGKILL, SIGTERM or nothing at a random moment. After each round the site is the
    old one or the new one, never a mix, and the new one whenever a build said "built"; every
    build ended in one of the ways the CLI promises; after a last build no staging folder is
    left."""
    rng = random.Random(SEED)
    root = make_sample(tmp_path / "project")
    site = root / "site"
    old, seconds = previous_edition(root)
    new = reference
    assert old != new and sorted(old) == sorted(new)
    backup = tmp_path / "old-site"
    shutil.copytree(site, backup)
    logs = tmp_path / "logs"
    logs.mkdir()
    seen: set[str] = set()
    wanted = {"built", "stopped by SIGTERM", "killed"}
    for number in range(MAX_ROUNDS):
        if number >= ROUNDS and wanted <= seen:
            break
        if tree(site) != old:
            shutil.rmtree(site)
            shutil.copytree(backup, site)
        plans = plan_round(rng, seconds)
        started = time.perf_counter()
        running = []
        for n, plan in enumerate(plans):
            out = (logs / f"{number}-{n}.out").open("w")
            err = (logs / f"{number}-{n}.err").open("w")
            running.append(subprocess.Popen(
                command(root, "build", "--no-pdf", "--site-dir", str(site), plan.wait),
                cwd=root, env=build_env(), stdout=out, stderr=err, start_new_session=True,
            ))
            out.close()
            err.close()
        since: dict[int, float] = {}  # when each build's trigger fired
        sent: set[int] = set()
        while any(p.poll() is None for p in running):
            now = time.perf_counter()
            assert now - started < BUILDS * BUILD_TIMEOUT, "the builds of a round did not end"
            for n, (process, plan) in enumerate(zip(running, plans, strict=True)):
                if plan.kill is None or n in sent or process.poll() is not None:
                    continue
                if n not in since and (plan.trigger == "start" or list(
                        root.glob(f".site.building-{process.pid}-*"))):
                    since[n] = started if plan.trigger == "start" else now
                if n in since and now - since[n] >= plan.delay:
                    if plan.kill == signal.SIGKILL:
                        os.killpg(process.pid, signal.SIGKILL)  # as a machine going down
                    else:
                        os.kill(process.pid, signal.SIGTERM)  # as a service manager or CI
                    sent.add(n)
            time.sleep(0.005)
        said_built = False
        for n, (process, plan) in enumerate(zip(running, plans, strict=True)):
            out = (logs / f"{number}-{n}.out").read_text(encoding="utf-8")
            err = (logs / f"{number}-{n}.err").read_text(encoding="utf-8")
            code = process.returncode
            assert "Traceback" not in err, err
            if code == 0:
                assert out.startswith(f"built {site}: "), out
                said_built = True
                seen.add("built")
            elif code == 128 + signal.SIGTERM:
                assert err.splitlines()[-1] in (
                    "briefing: stopped by SIGTERM; site/ was left as it was",
                    "briefing: stopped by SIGTERM; site/ holds the new build",
                ), err
                seen.add("stopped by SIGTERM")
            elif code == 1:
                assert plan.wait == "--no-wait", err
                # (No pid in the rare moment between the other taking the lock and writing
                # its pid there.)
                assert re.fullmatch(
                    r"briefing: another build( \(pid \d+\))? is running in "
                    rf"{re.escape(str(root))}; wait for it to finish, or run this command with "
                    r"--wait\n", err), err
                seen.add("refused: another build")
            elif code == -signal.SIGKILL:
                seen.add("killed")
            elif code == -signal.SIGTERM:
                # Before the CLI's handler was installed (interpreter start-up) or after it
                # was removed (the build done): the default action, nothing half done.
                assert "built" not in out or out.startswith(f"built {site}: "), out
                seen.add("terminated outside the build")
            else:
                pytest.fail(f"round {number}, build {n}: exit {code}\n{out}{err}")
        now_site = tree(site)
        assert now_site in (old, new), f"round {number}: site/ is neither the old nor the new"
        if said_built:
            assert now_site == new, f"round {number}: a build said built, site/ is the old one"
    # The plan means something only if it made builds finish, stop and die.
    assert wanted <= seen, seen
    result = build(root, site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree(site) == new
    assert staging(root) == []


# --- stopped cleanly -------------------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stopped_build_cleans_up_and_says_so(tmp_path: Path, signum: int) -> None:
    """Stopped once its staging folder exists (the PDF's layout process running too): the old
    site stays, the staging folder and the layout's folder are removed, one line says so."""
    root = make_sample(tmp_path / "project")
    site = root / "site"
    site.mkdir()
    (site / "index.html").write_text("the previous edition\n", encoding="utf-8")
    (site / "briefing.json").write_text("{}\n", encoding="utf-8")  # what every build writes
    old = tree(site)
    private_tmp = tmp_path / "tmp"  # where the layout process keeps its files (pdf.Layout)
    private_tmp.mkdir()
    process = subprocess.Popen(
        command(root, "build", "--site-dir", str(site)), cwd=root,
        env={**build_env(), "TMPDIR": str(private_tmp)}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )
    deadline = time.perf_counter() + BUILD_TIMEOUT
    while not staging(root) and process.poll() is None:
        assert time.perf_counter() < deadline, "no staging folder appeared"
        time.sleep(0.005)
    process.send_signal(signum)
    out, err = process.communicate(timeout=BUILD_TIMEOUT)
    assert process.returncode == 128 + signum, out + err
    name = signal.Signals(signum).name
    assert err.splitlines()[-1] == f"briefing: stopped by {name}; site/ was left as it was"
    assert "Traceback" not in err
    assert "built" not in out
    assert tree(site) == old
    assert staging(root) == []
    assert list(private_tmp.glob("briefing-pdf-*")) == []  # the layout's, removed


def test_a_build_stopped_while_it_waits_leaves_the_other_alone(tmp_path: Path) -> None:
    root = make_sample(tmp_path / "project")
    holder = hold_lock(root)
    try:
        process = subprocess.Popen(
            command(root, "build", "--no-pdf"), cwd=root, env=build_env(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert process.stderr is not None
        assert process.stderr.readline() == (
            f"briefing: another build (pid {holder.pid}) is running in {root}; waiting for it "
            "to finish\n"
        )
        process.terminate()
        out, err = process.communicate(timeout=BUILD_TIMEOUT)
        assert process.returncode == 128 + signal.SIGTERM
        assert (out, err) == ("", "briefing: stopped by SIGTERM; site/ was left as it was\n")
        assert holder.poll() is None
    finally:
        holder.kill()
        holder.wait(BUILD_TIMEOUT)
    assert not (root / "site").exists()


def test_a_second_build_waits_for_the_first(tmp_path: Path) -> None:
    root = make_sample(tmp_path / "project")
    holder = hold_lock(root)
    process = subprocess.Popen(
        command(root, "build", "--no-pdf"), cwd=root, env=build_env(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stderr is not None
        assert process.stderr.readline() == (
            f"briefing: another build (pid {holder.pid}) is running in {root}; waiting for it "
            "to finish\n"
        )
        assert not (root / "site").exists()  # nothing done while it waits
    finally:
        assert holder.stdin is not None
        holder.stdin.close()  # the first build ends
        holder.wait(BUILD_TIMEOUT)
    out, err = process.communicate(timeout=BUILD_TIMEOUT)
    assert process.returncode == 0, out + err
    assert out.startswith(f"built {root / 'site'}: ")
    assert (root / "site" / "index.html").is_file()


# --- where the site folder is ----------------------------------------------------------------


def test_a_site_folder_that_is_a_link_is_followed(
    tmp_path: Path, reference: dict[str, bytes]
) -> None:
    """The link is kept and its target updated (the old code replaced the link by a folder,
    after a traceback); its target is made if it is not there yet."""
    root = make_sample(tmp_path / "project")
    www = tmp_path / "www"
    www.mkdir()
    link = root / "site"
    link.symlink_to(www / "briefing", target_is_directory=True)
    for _ in range(2):  # made, then swapped
        result = build(root, link)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith(f"built {link} (a link to {www / 'briefing'}): ")
        assert link.is_symlink() and os.readlink(link) == str(www / "briefing")
        assert tree(www / "briefing") == reference
        assert staging(www, "briefing") == [] and staging(root) == []


def test_a_site_folder_that_is_a_mount_point_is_updated_in_place(
    tmp_path: Path, reference: dict[str, bytes]
) -> None:
    """A container's volume: renaming over it fails with EBUSY (every build failed so);
    the build writes the new files into it, then removes the old ones."""
    root = make_sample(tmp_path / "project")
    site = root / "site"
    site.mkdir()
    if shutil.which("mount") is None or subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(site)], capture_output=True,
        check=False, timeout=60,
    ).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        (site / "stray.html").write_text("from before\n", encoding="utf-8")
        (site / "briefing.json").write_text("{}\n", encoding="utf-8")  # a build's, before
        (site / "index.html").mkdir()  # where the new site has a file
        result = build(root, site)
        assert result.returncode == 0, result.stdout + result.stderr
        assert os.path.ismount(site)
        assert tree(site) == reference
        assert staging(root) == []
    finally:
        subprocess.run(["umount", str(site)], check=True, timeout=60)


# --- the PDF to standard output --------------------------------------------------------------


def test_pdf_to_standard_output(tmp_path: Path) -> None:
    from pypdf import PdfReader

    root = make_sample(tmp_path / "project")
    streamed = subprocess.run(command(root, "pdf", "--output", "-"), cwd=root, env=build_env(),
                              capture_output=True, timeout=BUILD_TIMEOUT, check=False)
    assert streamed.returncode == 0, streamed.stderr.decode()
    said = streamed.stderr.decode().splitlines()[-1]
    pages = re.fullmatch(r"wrote the print edition to standard output \((\d+) pages\)", said)
    assert pages is not None, said
    assert len(PdfReader(io.BytesIO(streamed.stdout)).pages) == int(pages[1])
    # Nothing else written.
    assert sorted(p.name for p in root.iterdir() if p.name != ".cache") == [
        "briefing.yml", "briefings", "content", "docs", "mkdocs.yml"]
