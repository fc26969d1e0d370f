"""Jupyter kernels for grading: fresh sandboxed kernels, spares booting ahead.

Each submission needs two kernels: the student's and a trusted *checker*. A student's
kernel is never reused (a student's state must not leak into the next one): to hide its
start-up, each worker keeps a *spare* that boots in the background while a submission runs
(`KernelPool`; one pool per thread, `local_pool`). The checker runs only the instructor's
code and holds the student's plain data and handles: it is kept for the worker's next
submission (``take(..., reuse=True)``, then `KernelPool.give_back`), reset in between to the
state it had before its first (`gradetool.remote.reset_checker`), and replaced after
`MAX_CHECKER_USES` submissions or any run that did not end normally.

Each kernel runs in the sandbox of `gradetool.sandbox` (or, without one, as the grader, with
the rlimits of its `Limits`): its working directory is on a size-capped tmpfs only it can
see (``/tmp/work``; the assignment's files go in with `Kernel.put_files`). It talks over
Unix sockets (``ipc``: no TCP port, no network) in a host folder of its own, has its console
output discarded, and dies with its worker: bwrap's ``--die-with-parent`` in the sandbox,
ipykernel watching ``JPY_PARENT_PID`` without. `kill_all` and `close_all` end every kernel
of a process.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import functools
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from queue import Empty

from . import hiding, remote, sandbox
from .limits import Limits

START_TIMEOUT = 60.0  # seconds for a kernel to answer its first request
FILES_TIMEOUT = 60.0  # seconds for a kernel to write the assignment's files
KILL_TIMEOUT = 5.0  # seconds for every process of a killed kernel to be gone
RESET_TIMEOUT = 10.0  # seconds for a kept checker to reset between submissions
MAX_CHECKER_USES = 100  # submissions a kept checker serves before a fresh one replaces it
FILE_CHUNK = 8 << 20  # bytes of a data file per message to the kernel
STDERR_TAIL = 2000  # characters of the kernel's stderr quoted when it fails to start
# the kernel's environment: as nbgrader's autograde (a notebook can test for it)
KERNEL_ENV = {"NBGRADER_EXECUTION": "autograde", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
# no IPython history database: parallel kernels would share one SQLite file
KERNEL_ARGS = ["--HistoryManager.hist_file=:memory:"]
# modules a kernel imports while it boots (a spare boots while another submission runs),
# in a namespace of its own: the student's namespace gets no new name
STUDENT_WARM = ("numpy",)
CHECKER_WARM = ("numpy", "mlpbook.grading", "gradetool.remote")
# writes one chunk of a data file in the kernel's working directory; run with exec() in a
# namespace of its own, so that the student's namespace gets no new name
_PUT_CHUNK = """
import base64, os
os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
with open(path, mode) as f:
    f.write(base64.b64decode(data))
"""


class KernelStartError(Exception):
    """The kernel did not start, did not answer, or could not be set up."""


# ---------------------------------------------------------------------------- kernels


@functools.lru_cache(maxsize=8)
def _kernel_spec(name: str):
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        return KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel as exc:
        raise KernelStartError(f"no Jupyter kernel named {name!r} is installed") from exc


class Kernel:
    """A kernel process, started at once, sandboxed, in a temporary folder of its own.

    The process is launched here, not through jupyter_client's ``KernelManager``: that one
    runs an asyncio loop for each call, and leaves one behind in every worker thread (Dask
    workers run tasks in threads). Messages are read from the channels' zmq sockets directly.

    Parameters
    ----------
    kernel_name : str
        The kernelspec (``python3``).
    limits : Limits, optional
        What the kernel may use, and whether to sandbox it (default: ``Limits()``).

    Attributes
    ----------
    root : Path
        The kernel's host folder: its connection file and sockets.
    cwd : Path
        The kernel's working directory *as the kernel sees it* (``/tmp/work`` in the
        sandbox, a tmpfs the host cannot see): put files there with `put_files`.
    host_cwd : Path or None
        The same folder on the host, when not sandboxed; else None.
    sandboxed : bool
    launch : sandbox.Launch
        How it was started: its user id (``uid``), the limits not in force.
    """

    def __init__(
        self,
        kernel_name: str = "python3",
        limits: Limits | None = None,
        answers: tuple[str, ...] = (),
        warm: tuple[str, ...] = (),
    ) -> None:
        from jupyter_client.connect import write_connection_file

        self.kernel_name = kernel_name
        self.limits = limits if limits is not None else Limits()
        self.answers = tuple(answers)  # modules it may not import (gradetool.hiding)
        self.warm = tuple(warm)  # modules it imports while it boots
        self.uses = 0  # submissions it served (a kept checker; a student's kernel serves one)
        self.resetting: str | None = None  # the id of its reset request, until it finished
        self.root = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))
        self.cwd = self.root / "work"
        self.host_cwd: Path | None = None
        self.kc = None
        self.process = None
        self.launch: sandbox.Launch | None = None
        _live.add(self)
        try:
            spec = _kernel_spec(kernel_name)
            self.connection_file, _ = write_connection_file(
                fname=str(self.root / "kernel.json"),
                transport="ipc",
                ip=str(self.root / "k"),
                key=secrets.token_hex(16).encode(),
                kernel_name=kernel_name,
            )
            argv = [a.replace("{connection_file}", self.connection_file) for a in spec.argv]
            if argv and argv[0] in ("python", "python3", f"python3.{sys.version_info[1]}"):
                argv[0] = sys.executable
            argv = _without_debugger(argv)
            try:
                self.launch = sandbox.command(
                    argv + KERNEL_ARGS + _warm_args(self.warm),
                    root=self.root,
                    limits=self.limits,
                    answers=self.answers,
                )
            except sandbox.SandboxUnavailable as exc:
                raise KernelStartError(str(exc)) from exc
            self.cwd = Path(self.launch.cwd)
            self.host_cwd = None if self.launch.sandboxed else Path(self.launch.cwd)
            env = {**self.launch.environ({**os.environ, **spec.env}), **KERNEL_ENV}
            if not self.launch.sandboxed:  # in the sandbox its parent is bwrap's, not ours
                env["JPY_PARENT_PID"] = str(os.getpid())
            # its stderr, for the message when it fails to start: a pipe whose last
            # STDERR_TAIL bytes a thread keeps, never a file (no descriptor of the host's
            # disk in the kernel); once started, ipykernel sends sys.stderr to the notebook
            (self.root / OWNER_MARK).touch()  # ours, for sweep_orphans
            read_end, write_end = os.pipe()
            try:
                self._stderr = _Tail(read_end)
                self.process = self.launch.spawn(
                    env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=write_end
                )
            finally:
                os.close(write_end)
        except KernelStartError:
            self.close()
            raise
        except Exception as exc:
            self.close()
            raise KernelStartError(f"the kernel {kernel_name!r} did not start: {exc}") from exc

    @property
    def sandboxed(self) -> bool:
        return self.launch is not None and self.launch.sandboxed

    @property
    def uid(self) -> int | None:
        """The kernel's own user id (sandboxed, as root), else None."""
        return self.launch.uid if self.launch is not None else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def exit_description(self) -> str:
        """How the kernel process ended: ``killed by SIGSEGV``, ``exit code 3``.

        In the sandbox the process is bwrap, which exits with ``128 + n`` when the kernel
        is killed by signal ``n`` (as a shell does): an ``exit(139)`` reads as SIGSEGV too.
        """
        code = self.process.poll() if self.process is not None else None
        if code is None:
            return "still running"
        if code < 0:
            return f"killed by {_signal_name(-code)}"
        if self.sandboxed and 128 < code < 128 + signal.NSIG:
            return f"killed by {_signal_name(code - 128)}"
        return f"exit code {code}"

    def connect(self, timeout: float = START_TIMEOUT) -> None:
        """Open the channels and wait until the kernel answers on shell and iopub.

        jupyter_client's ``wait_for_ready`` spends at least 0.2 s flushing iopub; this
        handshake returns as soon as one ``kernel_info`` request has been seen on both.
        The control channel is open too (interrupts in the sandbox go through it). Once the
        kernel answers, its sockets exist and it loses write access to its host folder.
        """
        from jupyter_client.blocking import BlockingKernelClient

        self.kc = BlockingKernelClient(connection_file=self.connection_file)
        self.kc.load_connection_file()
        self.kc.start_channels(shell=True, iopub=True, stdin=True, hb=False, control=True)
        shell, iopub = self.kc.shell_channel, self.kc.iopub_channel
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            msg_id = self.kc.kernel_info()
            replied = idle = False
            until = time.perf_counter() + 1.0
            while not (replied and idle) and time.perf_counter() < until:
                if not replied:
                    with contextlib.suppress(Empty):
                        msg = shell.get_msg(timeout=0.05)
                        if msg["parent_header"].get("msg_id") == msg_id:
                            replied, until = True, time.perf_counter() + 0.2
                with contextlib.suppress(Empty):
                    msg = iopub.get_msg(timeout=0.02 if not replied else 0.05)
                    idle = idle or (
                        msg["parent_header"].get("msg_id") == msg_id
                        and msg["msg_type"] == "status"
                        and msg["content"].get("execution_state") == "idle"
                    )
                if not self.alive():
                    raise KernelStartError(
                        f"the kernel died while starting ({self.exit_description()})"
                        + self._stderr_tail()
                    )
            if replied and idle:
                self.launch.lock()
                if self.launch.blocked:
                    self._run_quietly(
                        remote.checker_code("block_modules", self.launch.blocked, hiding.WHY),
                        timeout,
                        what="the import hook",
                    )
                return
        raise KernelStartError(
            f"the kernel did not answer within {timeout:g} s" + self._stderr_tail()
        )

    def _stderr_tail(self) -> str:
        tail = getattr(self, "_stderr", None)
        text = tail.text(wait=0.5) if tail is not None else ""
        return f"; its stderr ends with:\n{text}" if text else ""

    def put_files(self, files: Mapping[str, bytes], timeout: float = FILES_TIMEOUT) -> None:
        """Write the assignment's data files into the kernel's working directory.

        Call it on a connected kernel before any student's code runs. In the sandbox the
        working directory is on a tmpfs the host cannot see: the kernel writes the files
        itself (a silent execution, in a namespace of its own), so they count in its
        scratch and belong to its user id.

        Parameters
        ----------
        files : mapping of str to bytes
            Relative paths (``data/x.npz``) to contents.

        Raises
        ------
        KernelStartError
            A path leaves the working directory, or a file could not be written (the scratch
            or the file size limit is too small for it).
        """
        for rel in files:
            parts = PurePosixPath(rel).parts
            if not parts or PurePosixPath(rel).is_absolute() or ".." in parts:
                raise KernelStartError(f"a data file's path must be relative: {rel!r}")
        if not self.sandboxed:
            for rel, data in files.items():
                path = self.host_cwd / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            return
        if self.kc is None:
            raise KernelStartError("put_files needs a connected kernel")
        for rel, data in files.items():
            for start in range(0, max(len(data), 1), FILE_CHUNK):
                chunk = base64.b64encode(data[start : start + FILE_CHUNK]).decode()
                scope = {"path": rel, "mode": "ab" if start else "wb", "data": chunk}
                self._run_quietly(f"exec({_PUT_CHUNK!r}, {scope!r})", timeout, what=rel)

    def _run_quietly(self, code: str, timeout: float, what: str) -> None:
        """Run ``code`` silently (no output, no history, no execution count); wait for it.

        Raises
        ------
        KernelStartError
            The code raised, the kernel died, or it did not finish within ``timeout``.
        """
        self._await_quietly(self._send_quietly(code), timeout, what)

    def _send_quietly(self, code: str) -> str:
        """Start running ``code`` silently; the request's id, for `_await_quietly`."""
        return self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)

    def _await_quietly(self, msg_id: str, timeout: float, what: str) -> None:
        """Wait for a `_send_quietly` request to finish (raises as `_run_quietly`)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            try:
                msg = self.kc.shell_channel.get_msg(timeout=0.2)
            except Empty:
                if not self.alive():
                    raise KernelStartError(
                        f"the kernel died writing {what} ({self.exit_description()})"
                    ) from None
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            content = msg["content"]
            if content.get("status") != "ok":
                raise KernelStartError(
                    f"the kernel could not write {what}: {content.get('ename')}: "
                    f"{content.get('evalue')}"
                )
            return
        raise KernelStartError(f"the kernel did not write {what} within {timeout:g} s")

    def interrupt(self) -> None:
        """Interrupt the running cell, as Jupyter does (``KeyboardInterrupt``).

        Sandboxed: an ``interrupt_request`` on the control channel (ipykernel then sends
        itself SIGINT): a SIGINT to bwrap would end the sandbox. Else SIGINT to the
        kernel's process group.
        """
        if not self.alive():
            return
        if self.sandboxed:
            if self.kc is not None:
                with contextlib.suppress(Exception):
                    msg = self.kc.session.msg("interrupt_request", {})
                    self.kc.control_channel.send(msg)
            return
        with contextlib.suppress(OSError):
            os.killpg(self.process.pid, signal.SIGINT)

    def kill(self) -> None:
        """Kill the kernel and everything it started, at once, and wait until all are gone.

        In the sandbox, killing bwrap ends its pid namespace: every process in it dies
        (children, a fork bomb, processes that left the session or daemonized). Without a
        sandbox, only the kernel's process group is killed.
        """
        if self.process is None:
            return
        if self.sandboxed and self.alive() and self.launch.kill_sandbox():
            # bwrap sees its sandbox end and exits: killing bwrap too would orphan the
            # sandbox's first process, a zombie forever under an init that does not reap
            with contextlib.suppress(Exception):
                self.process.wait(timeout=KILL_TIMEOUT / 2)
        if self.alive():
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                with contextlib.suppress(OSError):
                    self.process.kill()
        with contextlib.suppress(Exception):
            self.process.wait(timeout=KILL_TIMEOUT)
        if self.sandboxed:
            deadline = time.monotonic() + KILL_TIMEOUT
            while time.monotonic() < deadline:
                left = self.launch.remaining()
                if not left:
                    break
                for pid in left:  # the namespace's end kills them; this is a backstop
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                time.sleep(0.01)

    def close(self) -> None:
        """Kill the kernel, close the channels and remove its folder."""
        self.kill()
        if self.kc is not None:
            with contextlib.suppress(Exception):
                self.kc.stop_channels()  # also destroys the client's zmq context
            self.kc = None
        self._discard()

    def _discard(self) -> None:
        if self.launch is not None:
            self.launch.close()
        shutil.rmtree(self.root, ignore_errors=True)
        _live.discard(self)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class KernelPool:
    """Fresh kernels, one per take, with spares booting in the background; checkers kept.

    Spares are kept per (kernel name, limits): a take with other limits discards them. A
    kind of kernel taken with ``reuse=True`` (the checker) gets no spare while one of its
    kind is in use or kept: given back after its submission, it is reset and serves the
    next take of its kind.

    Parameters
    ----------
    spare : bool
        Keep spares at all (``spare_enabled``).
    spares : int
        How many: each submission takes two kernels (the student's and the checker).
    """

    def __init__(self, spare: bool = True, spares: int = 2) -> None:
        self.spare_enabled = spare
        self.spares = spares
        self._spares: list[Kernel] = []
        self._kept: list[Kernel] = []  # kernels given back, reset, for the next take
        self._lent: list[tuple] = []  # the kinds of the reusable kernels in use now
        self._recent: list[tuple] = []  # the kinds of kernel taken lately (at most two)
        self._lock = threading.Lock()

    def prestart(
        self,
        kernel_name: str,
        limits: Limits | None = None,
        answers: tuple[str, ...] = (),
        *,
        warm: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
    ) -> None:
        """Boot the spares now (a worker calls it when it starts, before any submission):
        for a submission, one student kernel (``answers`` hidden) and one checker; ``warm``
        holds the modules each imports at boot."""
        limits = limits if limits is not None else Limits()
        with self._lock:
            kinds = [
                (kernel_name, limits, tuple(answers), tuple(warm[0])),
                (kernel_name, limits, (), tuple(warm[1])),
            ]
            self._recent = list(dict.fromkeys(kinds))
        self._refill()

    def take(
        self,
        kernel_name: str,
        limits: Limits | None = None,
        *,
        hidden: tuple[str, ...] = (),
        warm: tuple[str, ...] = (),
        reuse: bool = False,
    ) -> Kernel:
        """A connected kernel of its own; ``close()`` it after use.

        ``hidden``: the modules it may not import (an assignment's answers, for the
        student's kernel; `gradetool.hiding`); ``warm``: the modules it imports at boot.
        Spares are kept for the (at most two) kinds of kernel taken lately: a submission
        takes a student kernel and a checker.

        ``reuse``: a checker, which serves one submission after another: the kernel
        `give_back` kept (reset since its last submission) if there is one, else a fresh
        one whose state is recorded first (`gradetool.remote.snapshot_checker`). Give it
        back with `give_back` (not ``close``) after its submission.

        Raises
        ------
        KernelStartError
        """
        limits = limits if limits is not None else Limits()
        key = (kernel_name, limits, tuple(hidden), tuple(warm))
        kernel = kept = None
        with self._lock:
            self._recent = [*[k for k in self._recent if k != key][-1:], key]
            if reuse:
                kept = next((k for k in self._kept if _key(k) == key and k.alive()), None)
            kernel = kept
            for spare in self._spares if kernel is None else ():
                if _key(spare) == key and spare.alive():
                    kernel = spare
                    break
            stale = [s for s in self._spares if s is not kernel and _key(s) not in self._recent]
            stale += [
                k
                for k in self._kept
                if k is not kept and (_key(k) not in self._recent or not k.alive())
            ]
            self._spares = [s for s in self._spares if s is not kernel and s not in stale]
            self._kept = [k for k in self._kept if k is not kept and k not in stale]
            if reuse:
                self._lent.append(key)
        for spare in stale:
            spare.close()
        if kept is not None and kept.resetting is not None:
            try:  # the reset sent by give_back: it ran while the worker did other things
                kept._await_quietly(kept.resetting, RESET_TIMEOUT, what="the reset")
                kept.resetting = None
            except KernelStartError:
                kept.close()
                self._unlend(key)
                return self.take(kernel_name, limits, hidden=hidden, warm=warm, reuse=reuse)
        if kept is not None:
            self._refill()
            return kept
        try:
            if kernel is None:
                kernel = Kernel(kernel_name, limits, answers=key[2], warm=key[3])
            kernel.connect()
            if reuse:
                kernel._run_quietly(
                    remote.checker_code("snapshot_checker"), START_TIMEOUT, what="the snapshot"
                )
        except KernelStartError:
            if kernel is not None:
                kernel.close()
            if reuse:
                self._unlend(key)
            raise
        self._refill()  # they boot while this one runs
        return kernel

    def give_back(self, kernel: Kernel, keep: bool = True) -> None:
        """Return a kernel taken with ``reuse=True`` after its submission.

        With ``keep`` (its submission's run ended normally), its reset
        (`gradetool.remote.reset_checker`) starts now and it is kept for the next take of
        its kind, which waits for the reset to finish (a reset that fails closes it and
        that take gets another), unless it served `MAX_CHECKER_USES` submissions or died;
        then (and without ``keep``) it is closed and a spare of its kind boots.
        """
        self._unlend(_key(kernel))
        kernel.uses += 1
        if keep and kernel.alive() and kernel.uses < MAX_CHECKER_USES:
            try:
                kernel.resetting = kernel._send_quietly(remote.checker_code("reset_checker"))
            except Exception:  # a broken channel: not kept
                kernel.resetting = None
            else:
                with self._lock:
                    self._kept.append(kernel)
                return
        kernel.close()
        self._refill()

    def _unlend(self, key: tuple) -> None:
        with self._lock:
            if key in self._lent:
                self._lent.remove(key)

    def _refill(self) -> None:
        with self._lock:
            keys = list(self._recent)
        if not self.spare_enabled or not keys:
            return
        wanted = max(1, self.spares // len(keys))
        for key in keys:
            while True:
                with self._lock:
                    if sum(_key(s) == key for s in self._spares) >= wanted:
                        break
                    if key in self._lent or any(_key(k) == key for k in self._kept):
                        break  # a reusable kind: one in use or kept serves the next take
                try:
                    kernel = Kernel(key[0], key[1], answers=key[2], warm=key[3])
                except KernelStartError:
                    return
                with self._lock:
                    self._spares.append(kernel)

    def close(self) -> None:
        with self._lock:
            spares, self._spares = self._spares + self._kept, []
            self._kept = []
        for kernel in spares:
            kernel.close()


def _key(kernel: Kernel) -> tuple:
    return (kernel.kernel_name, kernel.limits, kernel.answers, kernel.warm)


# ipykernel's launcher (``-m ipykernel_launcher``) without the debugger: no one debugs a
# graded kernel, and importing debugpy (with ``-Xfrozen_modules=off``, which it asks for)
# costs every kernel about 60 ms of CPU at boot
_LAUNCH = (
    "import sys; sys.modules['debugpy'] = None\n"
    "if sys.path[0] == '': del sys.path[0]\n"
    "from ipykernel import kernelapp; kernelapp.launch_new_instance()"
)


def _without_debugger(argv: list[str]) -> list[str]:
    """``argv`` with ipykernel's launcher replaced by `_LAUNCH` (other kernels unchanged)."""
    if "-m" not in argv or argv[argv.index("-m") + 1 :][:1] != ["ipykernel_launcher"]:
        return argv
    at = argv.index("-m")
    head = [a for a in argv[:at] if a != "-Xfrozen_modules=off"]
    return [*head, "-c", _LAUNCH, *argv[at + 2 :]]


def _warm_args(modules: tuple[str, ...]) -> list[str]:
    """ipykernel's option that imports ``modules`` at boot (an ``exec`` in a namespace of
    its own; a module that fails to import is only logged)."""
    if not modules:
        return []
    code = f"exec({'import ' + ', '.join(modules)!r}, {{}})"
    return [f"--IPKernelApp.exec_lines={code}"]


class _Tail:
    """A thread that drains a pipe to its end, keeping only its last `STDERR_TAIL` bytes."""

    def __init__(self, fd: int) -> None:
        self._fd, self._data, self._done = fd, bytearray(), threading.Event()
        threading.Thread(target=self._drain, name="gradetool-stderr", daemon=True).start()

    def _drain(self) -> None:
        try:
            while chunk := os.read(self._fd, 65536):
                self._data += chunk
                del self._data[:-STDERR_TAIL]
        except OSError:
            pass
        finally:
            os.close(self._fd)
            self._done.set()

    def text(self, wait: float = 0.0) -> str:
        """What it kept, decoded; waits up to ``wait`` s for the writer to close the pipe."""
        self._done.wait(wait)
        return bytes(self._data).decode(errors="replace").strip()


FOLDER_PREFIX = "gradetool-"  # a kernel's folder: gradetool-<pid of the grading process>-…
OWNER_MARK = "grader"  # an empty file the grading process creates in each kernel folder
_ORPHAN = re.compile(rf"^{FOLDER_PREFIX}(\d+)-")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


SHM = Path("/dev/shm")  # where Linux keeps POSIX named semaphores (sem.<name>)
_ipc_folder: list[Path] = []


def semaphores() -> set[str]:
    """The names of multiprocessing's named semaphores now in `SHM` (``sem.mp-…``)."""
    with contextlib.suppress(OSError):
        return {n for n in os.listdir(SHM) if n.startswith("sem.mp-")}
    return set()


def record_semaphores(names: set[str]) -> None:
    """Note the named semaphores this process made, for `sweep_orphans` if it is killed.

    multiprocessing's spawned pools use named semaphores, which its resource tracker
    unlinks when the process ends; a SIGKILL of the whole process group kills the tracker
    too and leaves them in /dev/shm. They are listed in ``gradetool-<pid>-ipc/``, which
    this process removes when it exits normally.
    """
    if not names:
        return
    if not _ipc_folder:
        folder = Path(tempfile.gettempdir()) / f"{FOLDER_PREFIX}{os.getpid()}-ipc"
        folder.mkdir(exist_ok=True)
        (folder / OWNER_MARK).touch()
        _ipc_folder.append(folder)
        atexit.register(shutil.rmtree, folder, True)
    with open(_ipc_folder[0] / "semaphores", "a", encoding="utf-8") as out:
        out.write("".join(f"{name}\n" for name in sorted(names)))


def _unlink_semaphores(folder: Path) -> None:
    with contextlib.suppress(OSError):
        for name in (folder / "semaphores").read_text(encoding="utf-8").split():
            path = SHM / name
            with contextlib.suppress(OSError):
                if name.startswith("sem.mp-") and path.lstat().st_uid == os.getuid():
                    path.unlink()


def sweep_orphans(tmp: Path | None = None) -> list[Path]:
    """Remove the kernel folders that a grading process killed outright left behind.

    A process that is SIGKILLed (or loses its machine) cannot remove its kernels'
    folders; the next grading process removes them: the folders of this user named
    ``gradetool-<pid>-…`` whose process no longer runs, and the named semaphores its pool
    left (`record_semaphores`). A folder of a running process, or of another user, is
    never touched. Returns the folders removed.
    """
    removed = []
    root = Path(tmp) if tmp is not None else Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for folder in root.iterdir():
            match = _ORPHAN.match(folder.name)
            if not match or int(match.group(1)) == os.getpid() or _running(int(match.group(1))):
                continue
            with contextlib.suppress(OSError):
                # ours: the folder, or the mark we create in it (a sandbox hands the
                # folder itself to the kernel's user)
                owners = {p.lstat().st_uid for p in (folder, folder / OWNER_MARK) if p.exists()}
                if folder.is_symlink() or os.getuid() not in owners:
                    continue
                _unlink_semaphores(folder)
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed


_local = threading.local()
_pools: list[KernelPool] = []
_live: set[Kernel] = set()  # every kernel of this process not closed yet


def local_pool() -> KernelPool:
    """This thread's pool (worker processes and Dask worker threads each have one)."""
    pool = getattr(_local, "pool", None)
    if pool is None or pool not in _pools:  # none yet, or closed by close_all: a new one
        if not _pools and not _live:
            atexit.register(close_all)  # once per process: no kernel outlives it
        pool = _local.pool = KernelPool()
        _pools.append(pool)
    return pool


def kill_all() -> None:
    """Kill every kernel of this process now, touching no channel (safe from any thread).

    For a worker that must end at once (SIGTERM, its parent gone): another thread may be
    using a kernel's sockets, and zmq sockets must not be closed from two threads.
    """
    for kernel in list(_live):
        kernel.kill()
        kernel._discard()


def close_all() -> None:
    """Kill every kernel of this process: spares and running ones."""
    while _pools:
        _pools.pop().close()
    for kernel in list(_live):
        kernel.close()
