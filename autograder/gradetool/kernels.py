"""Jupyter kernels for grading: one fresh kernel per submission, a spare booting ahead.

A kernel is never reused (a student's state must not leak into the next one). To hide its
start-up (about 0.6 s), each worker keeps a *spare*: while one submission runs, the next
kernel boots in the background (`KernelPool`; one pool per thread, `local_pool`).

Each kernel runs in a temporary folder of its own (``work/``, the notebook's current
folder), in a process group of its own, talks over local sockets (``ipc``: no TCP port, no
network needed) and has its console output discarded. It dies with its worker (ipykernel
watches ``JPY_PARENT_PID``); `kill_all` and `close_all` end every kernel of a process.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from queue import Empty

START_TIMEOUT = 60.0  # seconds for a kernel to answer its first request
# the kernel's environment: as nbgrader's autograde (a notebook can test for it)
KERNEL_ENV = {"NBGRADER_EXECUTION": "autograde", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
# no IPython history database: parallel kernels would share one SQLite file
KERNEL_ARGS = ["--HistoryManager.hist_file=:memory:"]


class KernelStartError(Exception):
    """The kernel did not start or did not answer."""


# ---------------------------------------------------------------------------- kernels


@functools.lru_cache(maxsize=8)
def _kernel_spec(name: str):
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        return KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel as exc:
        raise KernelStartError(f"no Jupyter kernel named {name!r} is installed") from exc


class Kernel:
    """A kernel process, started at once, in a temporary folder of its own.

    The process is launched here, not through jupyter_client's ``KernelManager``: that one
    runs an asyncio loop for each call, and leaves one behind in every worker thread (Dask
    workers run tasks in threads). Messages are read from the channels' zmq sockets directly.

    Parameters
    ----------
    kernel_name : str
        The kernelspec (``python3``).
    """

    def __init__(self, kernel_name: str = "python3") -> None:
        from jupyter_client.connect import write_connection_file

        self.kernel_name = kernel_name
        self.root = Path(tempfile.mkdtemp(prefix="gradetool-"))
        self.cwd = self.root / "work"
        self.cwd.mkdir()
        self.kc = None
        self.process = None
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
            env = {**os.environ, **spec.env, **KERNEL_ENV, "JPY_PARENT_PID": str(os.getpid())}
            self.process = subprocess.Popen(
                argv + KERNEL_ARGS,
                cwd=self.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: one kill ends it all
            )
        except KernelStartError:
            self.close()
            raise
        except Exception as exc:
            self.close()
            raise KernelStartError(f"the kernel {kernel_name!r} did not start: {exc}") from exc

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def exit_description(self) -> str:
        """How the kernel process ended: ``killed by SIGSEGV``, ``exit code 3``."""
        code = self.process.poll() if self.process is not None else None
        if code is None:
            return "still running"
        if code < 0:
            with contextlib.suppress(ValueError):
                return f"killed by {signal.Signals(-code).name}"
            return f"killed by signal {-code}"
        return f"exit code {code}"

    def connect(self, timeout: float = START_TIMEOUT) -> None:
        """Open the channels and wait until the kernel answers on shell and iopub.

        jupyter_client's ``wait_for_ready`` spends at least 0.2 s flushing iopub; this
        handshake returns as soon as one ``kernel_info`` request has been seen on both.
        """
        from jupyter_client.blocking import BlockingKernelClient

        self.kc = BlockingKernelClient(connection_file=self.connection_file)
        self.kc.load_connection_file()
        self.kc.start_channels(shell=True, iopub=True, stdin=False, hb=False, control=False)
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
                    )
            if replied and idle:
                return
        raise KernelStartError(f"the kernel did not answer within {timeout:g} s")

    def interrupt(self) -> None:
        """SIGINT, as Jupyter interrupts a kernel (ipykernel's ``interrupt_mode``)."""
        if self.alive():
            with contextlib.suppress(OSError):
                os.killpg(self.process.pid, signal.SIGINT)

    def kill(self) -> None:
        """Kill the kernel's process group at once (it never gets to run more code)."""
        if self.alive():
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                with contextlib.suppress(OSError):
                    self.process.kill()
        if self.process is not None:
            with contextlib.suppress(Exception):
                self.process.wait(timeout=5)

    def close(self) -> None:
        """Kill the kernel, close the channels and remove its folder."""
        self.kill()
        if self.kc is not None:
            with contextlib.suppress(Exception):
                self.kc.stop_channels()  # also destroys the client's zmq context
            self.kc = None
        shutil.rmtree(self.root, ignore_errors=True)
        _live.discard(self)


class KernelPool:
    """Fresh kernels, one per submission, with a spare booting in the background.

    Parameters
    ----------
    spare : bool
        Start the next kernel as soon as one is handed out.
    """

    def __init__(self, spare: bool = True) -> None:
        self.spare_enabled = spare
        self._spare: Kernel | None = None
        self._lock = threading.Lock()

    def prestart(self, kernel_name: str) -> None:
        """Boot a spare now (a worker calls it when it starts, before any submission)."""
        with self._lock:
            if self._spare is None:
                self._spare = Kernel(kernel_name)

    def take(self, kernel_name: str) -> Kernel:
        """A connected kernel of its own for one submission; ``close()`` it after use.

        Raises
        ------
        KernelStartError
        """
        with self._lock:
            kernel, self._spare = self._spare, None
        if kernel is not None and (kernel.kernel_name != kernel_name or not kernel.alive()):
            kernel.close()
            kernel = None
        if kernel is None:
            kernel = Kernel(kernel_name)
        try:
            kernel.connect()
        except KernelStartError:
            kernel.close()
            raise
        if self.spare_enabled:  # boots while this one runs
            with contextlib.suppress(KernelStartError), self._lock:
                self._spare = Kernel(kernel_name)
        return kernel

    def close(self) -> None:
        with self._lock:
            kernel, self._spare = self._spare, None
        if kernel is not None:
            kernel.close()


_local = threading.local()
_pools: list[KernelPool] = []
_live: set[Kernel] = set()  # every kernel of this process not closed yet


def local_pool() -> KernelPool:
    """This thread's pool (worker processes and Dask worker threads each have one)."""
    pool = getattr(_local, "pool", None)
    if pool is None:
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
        shutil.rmtree(kernel.root, ignore_errors=True)


def close_all() -> None:
    """Kill every kernel of this process: spares and running ones."""
    while _pools:
        _pools.pop().close()
    for kernel in list(_live):
        kernel.close()
