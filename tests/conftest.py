"""Shared test set-up: a headless matplotlib backend, seeded generators, and a check at the
end of the session that no test left a process or a temporary folder behind."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

# what the suite starts: kernels (sandboxed or not), graders, browsers
STRAY = re.compile(r"ipykernel|bwrap|gradetool|course-grade|nbgrader|jupyter|chrom", re.I)
ROOT = str(Path(__file__).resolve().parent.parent)
# the temporary folders it makes (kernels, courses, sandbox probes, checks)
OURS = ("gradetool-", "mlpbook-", "bench-grading-")


@pytest.fixture
def rng():
    """A fresh, seeded generator for each test."""
    return np.random.default_rng(1234)


def _strays(since: float) -> list[psutil.Process]:
    """Processes started by this session (its descendants, or orphans since) still running."""
    me = os.getpid()
    found = []
    for proc in psutil.process_iter(["pid", "ppid", "create_time", "cmdline"]):
        info = proc.info
        if info["pid"] == me or (info["create_time"] or 0) < since:
            continue
        command = " ".join(info["cmdline"] or [])
        try:  # a descendant, or an orphan that runs this checkout's Python (another
            # xdist worker's leak, not a concurrent session's of another checkout)
            mine = any(p.pid == me for p in proc.parents()) or (
                info["ppid"] == 1 and ROOT in command
            )
        except psutil.Error:
            continue
        if mine and STRAY.search(command):
            found.append(proc)
    return found


def _owner_runs(name: str) -> bool:
    """A folder of ours (gradetool-[kind-]<pid>-…) of another process that still runs
    (with pytest-xdist, the other workers' kernels and courses)."""
    match = re.match(r"gradetool-(?:[a-z]+-)?(\d+)-", name)
    return (
        bool(match)
        and int(match.group(1)) != os.getpid()
        and psutil.pid_exists(int(match.group(1)))
    )


@pytest.fixture(scope="session", autouse=True)
def nothing_left_behind():
    """After the last test: no process of the session runs, no folder of ours is left."""
    since = time.time() - 1
    tmp = Path(tempfile.gettempdir())
    before = {p.name for p in tmp.iterdir()}
    yield
    if "gradetool.testing" in sys.modules:  # its cached courses, else removed at exit
        sys.modules["gradetool.testing"].clear_prepared()
    if "gradetool.kernels" in sys.modules:  # its spare kernels, its pools' semaphore
        kernels = sys.modules["gradetool.kernels"]  # record: else closed at exit
        kernels.close_all()
        for folder in kernels._ipc_folder:
            shutil.rmtree(folder, ignore_errors=True)
    deadline = time.monotonic() + 20  # kernels closed at exit need a moment to go
    while (strays := _strays(since)) and time.monotonic() < deadline:
        time.sleep(0.5)
    described = []
    for proc in strays:
        try:
            described.append(f"pid {proc.pid}: {' '.join(proc.cmdline())[:200]}")
            proc.kill()  # the check fails, but leaves nothing running either
        except psutil.Error:
            pass
    folders = sorted(
        p.name
        for p in tmp.iterdir()
        if p.name.startswith(OURS) and p.name not in before and not _owner_runs(p.name)
    )
    assert not described and not folders, "the test session left behind:\n" + "\n".join(
        described + folders
    )


# make test uses `--dist loadfile` (26.6 min on a clean clone, against more than 30 with
# these groups, where two class gradings overlapped). With `--dist loadgroup`: each file
# runs on one worker, so that its
# module- and session-scoped fixtures are built once; the seed proof (in-process, one core)
# is cut by assignment, so that the workers share it. The grading proof is not: two of its
# class gradings at once oversubscribe the cores, and their kernels' short round trips
# then take several times longer (measured: 17 min instead of 9 for the six labs).
SPLIT_BY_ASSIGNMENT = {"test_case_seeds.py"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        group = item.path.name
        params = getattr(getattr(item, "callspec", None), "params", {})
        if group in SPLIT_BY_ASSIGNMENT and "assignment" in params:
            group = f"{group}:{params['assignment']}"
        item.add_marker(pytest.mark.xdist_group(group))
