"""gradetool.kernels: a fresh kernel per take, spares ready, none left behind."""

import os

import pytest

from gradetool import execute, kernels
from gradetool.limits import Limits
from gradetool.testing import code_notebook as notebook


@pytest.fixture(scope="module")
def pool():
    pool = kernels.KernelPool(spare=True)
    yield pool
    pool.close()


def test_each_take_is_a_fresh_kernel(pool):
    first = pool.take("python3")
    second = pool.take("python3")
    try:
        assert first.process.pid != second.process.pid
        nb = notebook("secret = 1")
        execute.execute_notebook(nb, first)
        nb = notebook("secret")
        execute.execute_notebook(nb, second)
        assert nb["cells"][0]["outputs"][0]["ename"] == "NameError"
    finally:
        first.close()
        second.close()


def test_spares_boot_per_kernel_name_and_limits_of_the_kinds_taken_lately():
    pool = kernels.KernelPool()
    small = Limits(memory=3 << 30)
    try:
        pool.prestart("python3", small)
        booted = list(pool._spares)
        assert len(booted) == 2 and all(k.limits == small and k.alive() for k in booted)
        kernel = pool.take("python3", small)  # a spare, connected; one more boots
        assert kernel in booted and kernel.limits == small
        assert len(pool._spares) == 2
        kernel.close()
        other = pool.take("python3")  # other limits: spares of the two kinds taken lately
        assert other.limits == Limits() and other not in booted
        assert {k.limits.memory for k in pool._spares} == {small.memory, Limits().memory}
        third = pool.take("python3", Limits(memory=2 << 30))  # a third kind: small is stale
        assert all(not k.alive() for k in booted)
        assert small not in [k.limits for k in pool._spares]
        other.close()
        third.close()
    finally:
        pool.close()
    assert not any(k.alive() for k in booted) and pool._spares == []


def test_spares_boot_for_both_kinds_of_kernel_a_submission_takes():
    """A student kernel (the answer modules hidden) and a checker: one spare of each."""
    pool = kernels.KernelPool()
    answers = ("mlpbook.perceptron",)
    try:
        pool.prestart("python3", Limits(), answers)
        booted = list(pool._spares)
        assert sorted(k.answers for k in booted) == [(), answers]
        student = pool.take("python3", hidden=answers)
        checker = pool.take("python3")
        assert student in booted and checker in booted
        assert student.answers == answers and checker.answers == ()
        assert sorted(k.answers for k in pool._spares) == [(), answers]  # refilled
        student.close()
        checker.close()
    finally:
        pool.close()
    assert pool._spares == []


def test_no_spares_when_disabled():
    pool = kernels.KernelPool(spare=False)
    kernel = pool.take("python3")
    try:
        assert pool._spares == []
    finally:
        kernel.close()
        pool.close()


def test_close_all_kills_every_kernel():
    kernel = kernels.Kernel("python3")
    kernels.close_all()
    assert not kernel.alive() and kernel not in kernels._live
    assert os.path.exists(kernel.root) is False


def test_kill_all_ends_kernels_without_touching_their_channels(pool):
    kernel = pool.take("python3")
    kernels.kill_all()
    assert not kernel.alive() and not kernel.root.exists()
    kernel.close()  # closing afterwards is harmless


def test_an_unknown_kernel_is_a_start_error():
    with pytest.raises(kernels.KernelStartError, match="no Jupyter kernel named 'nope'"):
        kernels.Kernel("nope")


def test_a_kernel_that_fails_to_start_says_why(monkeypatch):
    bad = [*kernels.KERNEL_ARGS, "--IPKernelApp.kernel_class=nope.Kernel"]
    monkeypatch.setattr(kernels, "KERNEL_ARGS", bad)
    kernel = kernels.Kernel("python3")
    try:
        with pytest.raises(kernels.KernelStartError, match="died while starting") as exc:
            kernel.connect()
        assert "'nope.Kernel' could not be imported" in str(exc.value)
    finally:
        kernel.close()


def test_the_folders_of_a_killed_grading_process_are_swept_and_no_others(tmp_path):
    import subprocess
    import sys

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = int(gone.stdout)
    folders = {
        "dead": tmp_path / f"gradetool-{dead}-abc",  # its process was SIGKILLed
        "mine": tmp_path / f"gradetool-{os.getpid()}-abc",  # this process's own kernel
        "live": tmp_path / "gradetool-1-abc",  # a running process (init)
        "probe": tmp_path / "gradetool-probe-abc",  # not a kernel's folder
        "other": tmp_path / "unrelated-123-abc",
    }
    for folder in folders.values():
        (folder / "work").mkdir(parents=True)
        (folder / "kernel.json").write_text("{}")
    if not kernels._running(dead):  # the pid of the finished process was not reused
        assert kernels.sweep_orphans(tmp_path) == [folders["dead"]]
        assert not folders["dead"].exists()
    assert all(f.exists() for name, f in folders.items() if name != "dead")
    assert kernels.sweep_orphans(tmp_path) == []


def test_a_kernels_folder_names_its_grading_process():
    kernel = kernels.Kernel()
    try:
        assert kernel.root.name.startswith(f"gradetool-{os.getpid()}-")
    finally:
        kernel.close()
    assert not kernel.root.exists()


WRITABLE_FILES = """
import fcntl, os, stat
found = []
for name in os.listdir("/proc/self/fd"):
    try:
        fd = int(name)
        st, flags = os.fstat(fd), fcntl.fcntl(fd, fcntl.F_GETFL)
    except OSError:
        continue
    if stat.S_ISREG(st.st_mode) and flags & os.O_ACCMODE in (os.O_WRONLY, os.O_RDWR):
        found.append((fd, os.readlink(f"/proc/self/fd/{fd}")))
print("WRITABLE", found)
"""


def test_the_kernel_holds_no_writable_file_of_the_host(pool):
    """Its stderr is a pipe that the grader drains, not a file on the host's disk."""
    kernel = pool.take("python3")
    try:
        nb = notebook(WRITABLE_FILES)
        execute.execute_notebook(nb, kernel)
        text = "".join(o.get("text", "") for o in nb["cells"][0]["outputs"])
        assert "WRITABLE []" in text, text
        nb = notebook("import os\nos.write(2, b'x' * (1 << 20))\nprint('wrote')")
        execute.execute_notebook(nb, kernel)  # 1 MiB on fd 2 never blocks the kernel
        assert "wrote" in "".join(o.get("text", "") for o in nb["cells"][0]["outputs"])
        assert len(kernel._stderr.text()) <= kernels.STDERR_TAIL
    finally:
        kernel.close()


KILLED_POOL = """
import multiprocessing, time
from concurrent.futures import ProcessPoolExecutor
from gradetool import kernels
before = kernels.semaphores()
pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
kernels.record_semaphores(kernels.semaphores() - before)  # as gradetool.pool.Pool.start
print(" ".join(sorted(kernels.semaphores() - before)), flush=True)
time.sleep(120)
"""


def test_a_pool_records_its_semaphores():
    from gradetool.pool import Pool

    before = kernels.semaphores()
    pool = Pool(workers=1)
    try:
        pool.start()
        made = kernels.semaphores() - before
        assert made and kernels._ipc_folder
        assert made <= set((kernels._ipc_folder[0] / "semaphores").read_text().split())
    finally:
        pool.close()


def test_the_semaphores_of_a_killed_pool_are_swept():
    """SIGKILL of a grading process group (its resource tracker too): the next run unlinks
    the named semaphores its pool left in /dev/shm, and its record."""
    import signal
    import subprocess
    import sys

    if not kernels.SHM.is_dir():
        pytest.skip("no /dev/shm: POSIX semaphores live elsewhere here")
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_POOL],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(kernels.Path(kernels.__file__).parents[1])},
    )
    try:
        names = proc.stdout.readline().split()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    record = kernels.Path(kernels.tempfile.gettempdir()) / f"gradetool-{proc.pid}-ipc"
    assert names and all((kernels.SHM / n).exists() for n in names), names
    assert record.is_dir()
    if kernels._running(proc.pid):  # pid reused at once: nothing can be said
        pytest.skip("the killed process's pid was reused")
    assert record in kernels.sweep_orphans()
    assert not any((kernels.SHM / n).exists() for n in names)
    assert not record.exists()
