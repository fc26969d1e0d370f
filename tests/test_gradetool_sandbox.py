"""gradetool.sandbox: a kernel sees nothing of the grader's, reaches nothing, leaves nothing."""

from __future__ import annotations

import ast
import os
import resource
import signal
import socket
import time
from pathlib import Path
from queue import Empty

import pytest

import gradetool
from gradetool import kernels, sandbox
from gradetool.limits import Limits

AS_ROOT = os.geteuid() == 0


@pytest.fixture(autouse=True)
def fresh_probe():
    """Each test probes (and warns) anew; the next test module too."""
    sandbox.reset()
    yield
    sandbox.reset()


@pytest.fixture
def needs_bwrap():
    info = sandbox.probe("auto")
    if not info.available:
        pytest.skip(f"NO SANDBOX ON THIS MACHINE, sandbox tests skipped: {info.reason}")


def start(limits: Limits | None = None) -> kernels.Kernel:
    kernel = kernels.Kernel("python3", limits)
    try:
        kernel.connect()
    except BaseException:
        kernel.close()
        raise
    return kernel


@pytest.fixture
def kernel(needs_bwrap):
    kernel = start()
    yield kernel
    kernel.close()


def run(kernel: kernels.Kernel, code: str, timeout: float = 20.0) -> tuple[str, str | None]:
    """Run ``code``: its printed text and the name of its error (None when it ran)."""
    msg_id = kernel.kc.execute(code, stop_on_error=False)
    text, error = [], None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kernel.kc.iopub_channel.get_msg(timeout=0.2)
        except Empty:
            if not kernel.alive():
                break
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            text.append(content["text"])
        elif kind == "error":
            error = content["ename"]
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(text), error
    raise AssertionError(f"no end to {code!r} within {timeout} s; printed {''.join(text)!r}")


# ---------------------------------------------------------------------------- isolation


def test_the_kernel_sees_neither_the_course_nor_the_repository_nor_home(kernel, tmp_path):
    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    secret = course / "source" / "answers.txt"
    secret.write_text("42")
    repository = Path(gradetool.__file__).resolve().parents[2]
    neighbour = kernels.Kernel("python3")  # another kernel's folder (a spare: not connected)
    seen = [
        neighbour.connection_file,
        str(neighbour.root),
        str(secret),
        str(course),
        str(repository / "pyproject.toml"),
        str(repository / "solutions"),
        str(repository / "autograder" / "gradebook.db"),
        str(Path.home() / ".bash_history"),
    ]
    try:
        assert all(os.path.exists(p) for p in seen[:-1])
        printed, error = run(
            kernel,
            "import os, mlpbook, gradetool\n"
            f"print([p for p in {seen!r} if os.path.lexists(p)])\n"
            f"print(sorted(os.listdir({str(repository)!r})))",
        )
    finally:
        neighbour.close()
    assert error is None, printed
    visible, listing = printed.splitlines()
    assert visible == "[]"
    # only the mount points of the environment and the two packages' own folders
    assert set(ast.literal_eval(listing)) <= {".venv", "lib", "autograder"}


def test_the_kernel_cannot_reach_a_listener_on_the_hosts_loopback(kernel):
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    try:
        printed, error = run(
            kernel,
            "import socket\n"
            "try:\n"
            f"    socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
            "    print('connected')\n"
            "except OSError as exc:\n"
            "    print('refused', type(exc).__name__)",
        )
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()
    assert error is None and printed.startswith("refused"), printed


@pytest.mark.skipif(not AS_ROOT, reason="a user id of its own needs root")
def test_as_root_each_kernel_has_a_user_id_of_its_own(kernel, needs_bwrap):
    other = start()
    try:
        printed, _ = run(kernel, "import os; print(os.getuid(), os.getgid(), os.getgroups())")
        assert printed.split(maxsplit=2) == [str(kernel.uid), str(kernel.uid), "[]\n"]
        assert kernel.uid >= sandbox.UID_BASE and other.uid not in (None, kernel.uid)
    finally:
        other.close()


def test_the_rlimits_are_in_force_inside(needs_bwrap):
    limits = Limits(memory=3 << 30, processes=77, file_size=5 << 20, open_files=99)
    kernel = start(limits)
    try:
        printed, error = run(
            kernel,
            "import resource\n"
            "for n in ('RLIMIT_AS', 'RLIMIT_NPROC', 'RLIMIT_FSIZE', 'RLIMIT_NOFILE'):\n"
            "    print(n, *resource.getrlimit(getattr(resource, n)))\n"
            "try:\n"
            "    open('big', 'wb').write(bytes(6 << 20))\n"
            "except OSError as exc:\n"
            "    print('too big', exc.errno)",
        )
    finally:
        kernel.close()
    assert error is None, printed
    got = {line.split()[0]: line.split()[1:] for line in printed.splitlines()}
    assert got["RLIMIT_AS"] == [str(3 << 30)] * 2
    assert got["RLIMIT_FSIZE"] == [str(5 << 20)] * 2
    assert got["RLIMIT_NOFILE"] == ["99"] * 2
    if AS_ROOT:  # a user id of its own: NPROC counts the kernel's processes only
        assert got["RLIMIT_NPROC"] == ["77"] * 2
    assert got["too"] == ["big", "27"]  # EFBIG


def test_the_scratch_is_a_size_capped_tmpfs(needs_bwrap):
    kernel = start(Limits(scratch=8 << 20))
    try:
        printed, error = run(
            kernel,
            "import os\n"
            "print(os.getcwd())\n"
            "try:\n"
            "    with open('fill', 'wb') as f:\n"
            "        for _ in range(16):\n"
            "            f.write(bytes(1 << 20))\n"
            "    print('wrote 16 MiB')\n"
            "except OSError as exc:\n"
            "    print('full', exc.errno)\n"
            "os.remove('fill')",
        )
    finally:
        kernel.close()
    assert error is None, printed
    assert printed.split() == [sandbox.WORKDIR, "full", "28"]  # ENOSPC


def test_put_files_writes_into_the_working_directory_and_leaves_no_name(kernel):
    names = "print(sorted(n for n in dir() if not n.startswith('_')))"
    before, _ = run(kernel, names)
    kernel.put_files({"data/x.bin": bytes(range(256)) * 3, "notes.txt": b"hello", "e": b""})
    assert run(kernel, names) == (before, None)
    printed, error = run(
        kernel,
        "import os\n"
        "print(open('data/x.bin', 'rb').read() == bytes(range(256)) * 3)\n"
        "print(open('notes.txt').read(), os.path.getsize('e'), os.stat('notes.txt').st_uid)",
    )
    assert error is None, printed
    assert printed.splitlines() == ["True", f"hello 0 {kernel.uid if AS_ROOT else os.getuid()}"]
    with pytest.raises(kernels.KernelStartError, match="relative"):
        kernel.put_files({"../escape": b""})


# ---------------------------------------------------------------------------- control


def test_an_interrupt_stops_a_cell_and_keeps_the_kernel(kernel):
    # as gradetool.execute does: an error must not abort the next request
    msg_id = kernel.kc.execute("import time; time.sleep(100)", stop_on_error=False)
    time.sleep(0.5)
    start_at = time.monotonic()
    kernel.interrupt()
    ename = None
    while time.monotonic() - start_at < 10:
        msg = kernel.kc.iopub_channel.get_msg(timeout=10)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "error":
            ename = msg["content"]["ename"]
            break
    assert ename == "KeyboardInterrupt"
    assert kernel.alive()
    printed = run(kernel, "print('after')")
    assert printed == ("after\n", None), printed


_DAEMONS = """
import os, signal, time
pid = os.fork()
if pid == 0:  # a child that leaves the session, ignores signals and daemonizes a grandchild
    try:
        os.setsid()
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        if os.fork() == 0:
            time.sleep(1000)
        time.sleep(1000)
    finally:
        os._exit(0)
time.sleep(0.3)
print(pid)
"""


def test_kill_ends_every_process_the_kernel_started(kernel):
    printed, error = run(kernel, _DAEMONS)
    assert error is None and printed.strip().isdigit()
    before = kernel.launch.remaining()
    assert len(before) >= 4  # bwrap's init, the kernel, the child, the grandchild
    if AS_ROOT:
        assert len(sandbox.processes_of(kernel.uid)) >= 3
    kernel.kill()
    assert not kernel.alive()
    assert kernel.launch.remaining() == []
    if AS_ROOT:
        assert sandbox.processes_of(kernel.uid) == []
    for pid in before:
        assert sandbox._state(pid) in ("X", "Z")


def test_a_segfault_reads_as_one(kernel):
    kernel.kc.execute("import ctypes; ctypes.string_at(0)")
    kernel.process.wait(timeout=20)
    assert kernel.exit_description() == "killed by SIGSEGV"


def test_a_kernel_killed_from_outside_reads_as_killed(kernel):
    inside = [p for p in kernel.launch.remaining() if b"bwrap" not in _cmdline(p)]
    assert len(inside) == 1
    os.kill(inside[0], signal.SIGKILL)  # the kernel itself, not bwrap
    kernel.process.wait(timeout=10)
    assert kernel.exit_description() == "killed by SIGKILL"


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


def test_capabilities_report_everything_in_force(needs_bwrap, tmp_path):
    (tmp_path / "secret.txt").write_text("42")
    caps = sandbox.capabilities(Limits(), course=tmp_path)
    assert caps["sandbox"] is True and caps["reason"] == ""
    expected = ("network_isolated", "course_hidden", "memory", "file_size", "open_files")
    assert all(caps[key] is True for key in expected), caps
    assert caps["separate_uid"] is AS_ROOT and caps["processes"] is AS_ROOT


# ---------------------------------------------------------------------------- no sandbox


def test_off_runs_unsandboxed_with_the_rlimits_but_nproc_and_warns_once(capsys):
    info = sandbox.probe("off")
    assert not info.available and "off" in info.reason
    limits = Limits(sandbox="off", open_files=111)
    first, second = start(limits), start(limits)
    try:
        assert not first.sandboxed and first.uid is None
        assert first.host_cwd == first.cwd == first.root / "work"
        printed, _ = run(
            first,
            "import os, resource\n"
            "print(os.getcwd())\n"
            "print(resource.getrlimit(resource.RLIMIT_NOFILE)[0])\n"
            "print(resource.getrlimit(resource.RLIMIT_NPROC)[0])",
        )
        # NPROC as the grader's: a limit on the grader's uid would count its own processes
        nproc = str(resource.getrlimit(resource.RLIMIT_NPROC)[0])
        assert printed.splitlines() == [str(first.cwd), "111", nproc]
        first.put_files({"sub/a.txt": b"direct"})
        assert (first.cwd / "sub" / "a.txt").read_bytes() == b"direct"
        assert any("RLIMIT_NPROC" in item for item in first.launch.not_enforced)
    finally:
        first.close()
        second.close()
    err = capsys.readouterr().err
    assert err.count("WITHOUT A SANDBOX") == 1 and "--sandbox off" in err


def test_without_bwrap_auto_warns_once_and_require_refuses(monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "BWRAP", "/nonexistent/bwrap")
    info = sandbox.check(Limits())
    assert not info.available and "not installed" in info.reason
    assert sandbox.check(Limits()) == info
    kernel = start(Limits())
    try:
        assert not kernel.sandboxed
        assert run(kernel, "print(1 + 1)") == ("2\n", None)
    finally:
        kernel.close()
    err = capsys.readouterr().err
    assert err.count("WITHOUT A SANDBOX") == 1 and "not installed" in err

    with pytest.raises(sandbox.SandboxUnavailable, match="apt-get install bubblewrap") as exc:
        sandbox.check(Limits(sandbox="require"))
    assert "--sandbox off" in str(exc.value)
    with pytest.raises(kernels.KernelStartError, match="bubblewrap"):
        kernels.Kernel("python3", Limits(sandbox="require"))
    assert capsys.readouterr().err == ""  # refusing is not warning


def test_a_broken_bwrap_is_reported_with_its_message(monkeypatch, tmp_path):
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sandbox, "BWRAP", str(fake))
    info = sandbox.probe("auto")
    assert not info.available
    assert "bwrap failed" in info.reason and "No permissions" in info.reason


HIDE_PROBE = r"""
import importlib, inspect, pathlib, sys
outcomes = {}
for name in ("mlpbook.perceptron", "mlpbook.demo", "mlpbook.widgets"):
    try:
        importlib.import_module(name)
        outcomes[name] = "imported"
    except ImportError as exc:
        outcomes[name] = "blocked: " + str(exc)[:60]
import mlpbook, mlpbook.data, mlpbook.grading  # the rest of the library works
folder = pathlib.Path(mlpbook.__file__).parent
text = (folder / "perceptron.py").read_text()
cache = folder / "__pycache__"
caches = list(cache.glob("perceptron*")) if cache.exists() else []
sys.meta_path[:] = [f for f in sys.meta_path if "Blocker" not in type(f).__name__]
try:
    import mlpbook.perceptron
    outcomes["after removing the hook"] = "imported"
except ImportError:
    outcomes["after removing the hook"] = "blocked"
print(outcomes, "def train_perceptron" in text, len(text), caches)
"""


def test_answer_modules_are_hidden_in_the_sandbox_and_the_rest_of_the_library_works(
    needs_bwrap, tmp_path
):
    """A student kernel cannot import, read or load compiled the answer modules, nor the
    library modules that expose them (mlpbook.demo), even after removing the import hook."""
    import mlpbook

    cache = Path(mlpbook.__file__).parent / "__pycache__"
    made_cache = not cache.exists()
    compiled = cache / "perceptron.cpython-test.pyc"
    cache.mkdir(exist_ok=True)
    compiled.write_bytes(b"not for students")
    try:
        kernel = kernels.Kernel("python3", answers=("mlpbook.perceptron",))
        try:
            kernel.connect()
            text, error = run(kernel, HIDE_PROBE)
        finally:
            kernel.close()
    finally:
        compiled.unlink()
        if made_cache:
            cache.rmdir()
    assert error is None, text
    assert "'mlpbook.perceptron': 'blocked: mlpbook.perceptron holds the answers" in text, text
    assert "'mlpbook.demo': 'blocked" in text and "'mlpbook.widgets': 'blocked" in text, text
    assert "'after removing the hook': 'blocked'" in text, text
    assert "False" in text.split("}")[1] and "[]" in text, text  # no code, no .pyc
    # without answer modules, the same kernel kind imports them (the test is not vacuous)
    plain = start()
    try:
        text, error = run(plain, "import mlpbook.perceptron, mlpbook.demo; print('ok')")
    finally:
        plain.close()
    assert error is None and "ok" in text
