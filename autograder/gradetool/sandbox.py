"""Run students' code in a sandbox: what it sees, who it runs as, what it may use.

Each kernel runs under bubblewrap (``bwrap``), in namespaces of its own (mounts, processes,
network, IPC, host name): it sees only what Python needs, read-only (``/usr``, a few files
of ``/etc``, the Python installation and virtual environment, the folders of the course's
packages ``mlpbook`` and ``gradetool``: never their repository, which holds the solutions,
the hidden tests, the gradebook and the other students' submissions), a ``/proc`` of its
own processes, a minimal ``/dev``, and a size-capped ``/tmp`` (a tmpfs of
``Limits.scratch`` bytes) that holds its working directory ``/tmp/work`` and its home
``/tmp/home``. It has no network (a network namespace of its own, loopback down): it talks
to the grader over Unix sockets in its own host folder, the one folder bound writable.

As root, bwrap runs without a user namespace and each kernel is dropped (``setpriv``) to a
user id of its own (`UID_BASE` onwards, unique among the kernels alive on the machine), so
that ``RLIMIT_NPROC`` counts that kernel's processes only; without root, bwrap makes a user
namespace and the kernel keeps the grader's user id. The ``setrlimit`` limits of
`Limits.os_limits` are set before bwrap starts and are inherited. When the pid namespace's
first process dies, the kernel kills every process in it: killing bwrap ends everything
the kernel started, forked, detached or daemonized.

Without a sandbox (``Limits.sandbox == "off"``, or ``auto`` on a machine without a working
bwrap) kernels run as the grader, with the rlimits but ``RLIMIT_NPROC`` (it would count the
grader's own processes), after one loud warning per process (`warn_unsandboxed`).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import json
import os
import queue
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .hiding import Hiding
from .hiding import cached_plan as hiding_plan
from .limits import Limits

BWRAP = "bwrap"  # the bubblewrap program: a name on PATH or a path (tests point it elsewhere)
SETPRIV = "/usr/bin/setpriv"  # drops root to the kernel's user id inside the sandbox
UID_BASE = 200_000  # kernels' user ids: above the usual subuid ranges (100000-165535)
UID_SLOTS = 32  # user ids per grader process: its kernels, spares and probes at once
PID_BITS = 22  # pids are below 2**22 (the kernel's PID_MAX_LIMIT)
# packages installed in editable mode (a folder of the repository): only their own folder
# is bound, never its parents
EDITABLE_PACKAGES = ("mlpbook", "gradetool")
WORKDIR = "/tmp/work"  # the kernel's working directory, on the scratch tmpfs
HOMEDIR = "/tmp/home"
SHM_SIZE = 64 << 20  # /dev/shm (multiprocessing's semaphores), at most
# what the dynamic loader, time zones, locales, fonts and mimetypes read; nothing else
ETC_FILES = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "timezone",
    "locale.alias",
    "locale.conf",
    "nsswitch.conf",
    "host.conf",
    "hosts",
    "os-release",
    "mime.types",
    "alternatives",
    "fonts",
    "ssl/certs",
    "ssl/openssl.cnf",
)
# the host variables a sandboxed kernel keeps (no tokens or credentials of the grader's)
KEEP_ENV = (
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "LC_NUMERIC",
    "LC_MESSAGES",
    "TZ",
    "PYTHONPATH",
    "PYTHONHASHSEED",
    "MPLBACKEND",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
PROBE_TIMEOUT = 30.0  # seconds for the probe's wrapped ``python -c pass``
INSTALL = "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; tools/setup_system.sh)"


class SandboxUnavailable(Exception):
    """``sandbox="require"`` and this machine has no working sandbox."""


@dataclass(frozen=True)
class SandboxInfo:
    """Whether kernels run sandboxed here.

    Attributes
    ----------
    available : bool
        A sandbox works on this machine (and the mode is not ``off``).
    kind : str or None
        ``bwrap``; None when not available.
    reason : str
        Why not available (empty when available).
    mode : str
        The `Limits.sandbox` mode asked for.
    """

    available: bool
    kind: str | None = None
    reason: str = ""
    mode: str = "auto"


@dataclass
class Launch:
    """How to start one kernel: the command, its limits, its environment, who it runs as.

    Attributes
    ----------
    argv : list of str
        The command to run (bwrap's, wrapping the kernel's, when sandboxed).
    preexec_fn : callable
        Sets the rlimits in the child before it runs ``argv``.
    env : dict
        Changes to the kernel's environment.
    clear_env : bool
        Start from an empty environment, but `KEEP_ENV` (sandboxed kernels).
    uid : int or None
        The kernel's own user id (root only), else None (it runs as the grader).
    cwd : str
        The kernel's working directory, as the kernel sees it.
    host_cwd : Path
        Where the process starts on the host.
    sandboxed : bool
    reason : str
        Why not sandboxed.
    not_enforced : list of str
        The limits not in force, and why.
    binds : list of str
        The host paths the sandbox shows (read-only but the kernel's folder).
    left_out : list of str
        The ``sys.path`` entries the sandbox does not show, and why.
    blocked : list of str
        The modules the kernel must not import (the assignment's answers): hidden as files
        in the sandbox; the kernel also gets an import hook for them (`Kernel.connect`).
    """

    argv: list[str]
    preexec_fn: Callable[[], None] | None
    env: dict[str, str]
    clear_env: bool
    uid: int | None
    cwd: str
    host_cwd: Path
    sandboxed: bool
    reason: str = ""
    not_enforced: list[str] = field(default_factory=list)
    binds: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    root: Path | None = None
    pass_fds: list[int] = field(default_factory=list)
    status_fd: int | None = None
    blocked: list[str] = field(default_factory=list)
    _status: dict = field(default_factory=dict, init=False, repr=False)
    _buffer: bytes = field(default=b"", init=False, repr=False)

    def environ(self, base: Mapping[str, str]) -> dict[str, str]:
        """The kernel's environment, from ``base`` (the grader's, with the kernelspec's)."""
        if self.clear_env:
            base = {k: v for k, v in base.items() if k in KEEP_ENV}
        return {**base, **self.env}

    def spawn(self, env: Mapping[str, str], **popen) -> subprocess.Popen:
        """Start ``argv`` (from this process's launcher thread, see `spawn`)."""
        try:
            return spawn(
                lambda: subprocess.Popen(
                    self.argv,
                    cwd=self.host_cwd,
                    env=dict(env),
                    preexec_fn=self.preexec_fn,
                    pass_fds=self.pass_fds,
                    start_new_session=True,  # its own process group: one kill ends it
                    **popen,
                )
            )
        finally:
            for fd in self.pass_fds:  # the child has its copies
                with contextlib.suppress(OSError):
                    os.close(fd)
            self.pass_fds = []

    def status(self, timeout: float = 0.0) -> dict:
        """What bwrap reported (``child-pid``, ``pid-namespace``, ``exit-code``), so far.

        Waits up to ``timeout`` seconds for its first report when none has come yet.
        """
        deadline = time.monotonic() + timeout
        while self.status_fd is not None:
            wait = 0.0 if self._status else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.status_fd], [], [], wait)
            if not ready:
                break
            data = os.read(self.status_fd, 65536)
            if not data:  # bwrap has ended
                os.close(self.status_fd)
                self.status_fd = None
                break
            *lines, self._buffer = (self._buffer + data).split(b"\n")
            for line in lines:
                with contextlib.suppress(ValueError):
                    self._status.update(json.loads(line))
        return self._status

    def lock(self) -> None:
        """Take back write access to the kernel's folder once its sockets exist.

        The kernel creates its Unix sockets there while it starts (trusted code); from the
        first student's cell on, it must not write files on the host's disk.
        """
        if not self.sandboxed or self.root is None:
            return
        with contextlib.suppress(OSError):
            if self.uid is not None:
                os.chown(self.root, 0, 0)
                os.chmod(self.root, 0o711)
                for entry in self.root.iterdir():  # its connection file, read already
                    if entry.is_file():
                        os.chown(entry, 0, 0)
                        os.chmod(entry, 0o600)
            else:  # same user id: the kernel could chmod it back, a speed bump only
                os.chmod(self.root, 0o511)

    def remaining(self) -> list[int]:
        """Host pids of the processes still alive in the kernel's sandbox."""
        if not self.sandboxed:
            return []
        ns = self.status(timeout=1.0).get("pid-namespace")
        pids = []
        for entry in _pids():
            with contextlib.suppress(OSError):
                if ns is not None:
                    if os.readlink(f"/proc/{entry}/ns/pid") != f"pid:[{ns}]":
                        continue
                elif self.uid is None or os.stat(f"/proc/{entry}").st_uid != self.uid:
                    continue
                if _state(entry) not in ("Z", "X"):
                    pids.append(entry)
        return pids

    def kill_sandbox(self) -> bool:
        """SIGKILL the sandbox's first process (pid 1 inside): the kernel kills the rest.

        Returns
        -------
        bool
            Whether it was found (it is checked to be in the sandbox's pid namespace).
        """
        status = self.status(timeout=1.0) if self.sandboxed else {}
        pid, ns = status.get("child-pid"), status.get("pid-namespace")
        if pid is None or ns is None:
            return False
        try:
            if os.readlink(f"/proc/{pid}/ns/pid") != f"pid:[{ns}]":
                return False
            os.kill(pid, signal.SIGKILL)
        except OSError:
            return False
        return True

    def close(self) -> None:
        """Release the user id and the status pipe (after the kernel is dead)."""
        for fd in [*self.pass_fds, *([self.status_fd] if self.status_fd is not None else [])]:
            with contextlib.suppress(OSError):
                os.close(fd)
        self.pass_fds, self.status_fd = [], None
        if self.root is not None and self.sandboxed and self.uid is None:
            with contextlib.suppress(OSError):
                os.chmod(self.root, 0o700)  # so that the folder can be removed
        if self.uid is not None:
            _release_uid(self.uid)
            self.uid = None


# ---------------------------------------------------------------------------- probing

_probe_lock = threading.Lock()
_probed: dict[tuple, SandboxInfo] = {}
_warned = False


def probe(mode: str = "auto") -> SandboxInfo:
    """Whether kernels can run sandboxed here; checked once per process.

    A wrapped ``python -c pass`` is actually run: bwrap may be installed and still fail
    (user namespaces disabled, a container without the rights to mount).

    Parameters
    ----------
    mode : str
        ``auto``, ``require`` or ``off`` (off: unsandboxed, without probing).

    Raises
    ------
    SandboxUnavailable
        With ``require``, when no sandbox works: says what is missing and what to do.
    """
    if mode == "off":
        return SandboxInfo(False, None, "the sandbox is turned off (--sandbox off)", mode)
    key = (BWRAP, SETPRIV, sys.executable)
    with _probe_lock:
        info = _probed.get(key)
        if info is None:
            info = _probed[key] = _probe()
    info = SandboxInfo(info.available, info.kind, info.reason, mode)
    if mode == "require" and not info.available:
        raise SandboxUnavailable(
            f"grading needs a sandbox (--sandbox require) and there is none: {info.reason}. "
            f"To sandbox it, {INSTALL}; to grade without one, pass --sandbox off."
        )
    return info


def _probe() -> SandboxInfo:
    if not sys.platform.startswith("linux"):
        return SandboxInfo(False, None, f"the sandbox needs Linux, this is {sys.platform}")
    if shutil.which(BWRAP) is None:
        return SandboxInfo(False, None, f"bubblewrap ({BWRAP}) is not installed")
    root = Path(tempfile.mkdtemp(prefix=f"gradetool-probe-{os.getpid()}-"))
    launch = None
    try:
        launch = _sandboxed([sys.executable, "-c", "pass"], root=root, limits=Limits(), hide=())
        try:
            proc = _run_probe(launch, subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return SandboxInfo(False, None, f"bwrap did not finish in {PROBE_TIMEOUT:g} s")
        if proc.returncode != 0:
            text = proc.stderr.decode(errors="replace").strip()[-500:] or "no message"
            return SandboxInfo(False, None, f"bwrap failed (exit code {proc.returncode}): {text}")
        return SandboxInfo(True, "bwrap")
    except (OSError, SandboxUnavailable) as exc:
        return SandboxInfo(False, None, f"bwrap could not run: {exc}")
    finally:
        if launch is not None:
            launch.close()
        shutil.rmtree(root, ignore_errors=True)


def warn_unsandboxed(reason: str) -> None:
    """Say once per process, loudly on stderr, that students' code runs unsandboxed.

    Plain stderr, not `warnings`: a warning filter set to ``error`` must not stop grading.
    """
    global _warned
    with _probe_lock:
        if _warned:
            return
        _warned = True
    bar = "!" * 78
    print(
        f"\n{bar}\n"
        "WARNING: students' code runs WITHOUT A SANDBOX, with the grader's rights: it can\n"
        "read and change your files (the solutions, the hidden tests, the gradebook, other\n"
        "students' submissions), use the network, and leave processes behind.\n"
        f"Why: {reason}.\n"
        f"To sandbox it, {INSTALL}.\n"
        "To refuse to grade without one: --sandbox require.\n"
        f"{bar}\n",
        file=sys.stderr,
        flush=True,
    )


def check(limits: Limits) -> SandboxInfo:
    """Probe once and warn (``auto``, ``off``) or raise (``require``) without a sandbox.

    The batch's main process calls it once before grading; kernels call it too (each
    worker process warns once: a Dask worker may be a machine without bwrap).

    Raises
    ------
    SandboxUnavailable
    """
    info = probe(limits.sandbox)
    if not info.available:
        warn_unsandboxed(info.reason)
    return info


def reset() -> None:
    """Forget the probes and the warning (for tests that change `BWRAP`)."""
    global _warned
    with _probe_lock:
        _probed.clear()
        _warned = False


# ---------------------------------------------------------------------------- commands


def command(
    argv: Sequence[str],
    *,
    root: Path,
    limits: Limits,
    hide: Sequence[Path] = (),
    answers: Sequence[str] = (),
) -> Launch:
    """How to start ``argv`` (a kernel's command) within ``limits``.

    Parameters
    ----------
    argv : sequence of str
        The kernel's command; its program must be the grader's Python (or be in ``/usr``).
    root : Path
        The kernel's own host folder (its connection file, its sockets): the one host
        folder the sandbox shows writable, at the same path. Handed to the kernel's user id.
    limits : Limits
    hide : sequence of Path
        More folders never to show, even in part (the course's).
    answers : sequence of str
        The modules that hold the assignment's answers: in the sandbox, their files (and
        the library modules that expose them, see `gradetool.hiding`) are replaced by
        stubs whose import fails; the names are in ``Launch.blocked`` either way.

    Returns
    -------
    Launch
        Sandboxed unless ``limits.sandbox`` is ``off`` or no sandbox works (then warned).

    Raises
    ------
    SandboxUnavailable
        ``limits.sandbox`` is ``require`` and no sandbox works.
    """
    info = check(limits)
    hiding = hiding_plan(tuple(sorted(answers)))
    if info.available:
        launch = _sandboxed(list(argv), root=Path(root), limits=limits, hide=hide, hiding=hiding)
    else:
        launch = _unsandboxed(list(argv), root=Path(root), limits=limits, reason=info.reason)
    launch.blocked = list(hiding.blocked)
    return launch


def _unsandboxed(argv: list[str], *, root: Path, limits: Limits, reason: str) -> Launch:
    cwd = root / "work"
    cwd.mkdir(exist_ok=True)
    rlimits = limits.os_limits()
    rlimits.pop("RLIMIT_NPROC")  # it would count the grader's own processes
    return Launch(
        argv=argv,
        preexec_fn=_rlimits_setter(rlimits),
        env={},
        clear_env=False,
        uid=None,
        cwd=str(cwd),
        host_cwd=cwd,
        sandboxed=False,
        reason=reason,
        not_enforced=[
            "processes (RLIMIT_NPROC would count the grader's own processes)",
            "scratch (no tmpfs without a sandbox)",
        ],
        root=root,
    )


def _sandboxed(
    argv: list[str],
    *,
    root: Path,
    limits: Limits,
    hide: Sequence[Path],
    hiding: Hiding | None = None,
) -> Launch:
    hiding = hiding if hiding is not None else Hiding()
    as_root = os.geteuid() == 0
    rlimits = limits.os_limits()
    not_enforced = []
    if not as_root:  # no user id of its own: RLIMIT_NPROC would count the grader's too
        rlimits.pop("RLIMIT_NPROC")
        not_enforced.append("processes (RLIMIT_NPROC needs a user id of its own: run as root)")
    binds, left_out = _mounts(hide)
    uid = _allocate_uid() if as_root else None
    fds: list[int] = []
    try:
        args = [
            shutil.which(BWRAP) or BWRAP,
            "--die-with-parent",  # bwrap dies with this process, the sandbox with bwrap
            "--new-session",  # no terminal to inject keystrokes into
            "--unshare-pid",
            "--unshare-net",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
            *(["--unshare-user"] if not as_root else []),
            "--hostname",
            "sandbox",
        ]
        made: set[str] = {"/"}
        args += _system_mounts(made)
        # the private /tmp first: what is bound later (a checkout under /tmp, the kernel's
        # own folder) stays visible on top of it, in read-only folders made for them
        args += ["--perms", "01777", "--size", str(limits.scratch), "--tmpfs", "/tmp"]
        made.add("/tmp")
        for path in (WORKDIR, HOMEDIR, f"{HOMEDIR}/.config", f"{HOMEDIR}/.cache"):
            args += ["--perms", "0777", "--dir", path]
            made.add(path)
        mpl = f"{HOMEDIR}/.config/matplotlib"
        args += ["--perms", "0777", "--dir", mpl]
        for font_list in _font_lists():  # else each kernel rebuilds it (0.2 s)
            args += ["--ro-bind", str(font_list), f"{mpl}/{font_list.name}"]
        for path in binds:
            args += _parents(path, made)
            args += ["--ro-bind", path, path]
        shown = [Path(b) for b in binds]
        for path, text in hiding.replaced.items():  # the answers' modules, as stubs
            if any(path.is_relative_to(b) for b in shown):
                fd = _data_fd(text)
                fds.append(fd)
                args += ["--perms", "0444", "--ro-bind-data", str(fd), str(path)]
        for cache in hiding.caches():  # and no compiled copy of them
            if any(cache.is_relative_to(b) for b in shown):
                args += ["--perms", "0555", "--size", "4096", "--tmpfs", str(cache)]
        args += ["--proc", "/proc", "--dev", "/dev"]
        args += ["--perms", "01777", "--size", str(min(SHM_SIZE, limits.scratch))]
        args += ["--tmpfs", "/dev/shm"]
        user = uid if uid is not None else os.getuid()
        group = uid if uid is not None else os.getgid()
        for name, text in (
            ("passwd", f"root:x:0:0::/root:/bin/sh\nstudent:x:{user}:{group}::{HOMEDIR}:/bin/sh\n"),
            ("group", f"root:x:0:\nstudent:x:{group}:\n"),
        ):
            fd = _data_fd(text)
            fds.append(fd)
            args += ["--perms", "0644", "--ro-bind-data", str(fd), f"/etc/{name}"]
        args += _parents(str(root), made)
        args += ["--bind", str(root), str(root)]
        args += ["--remount-ro", "/", "--chdir", WORKDIR]
        read_fd, write_fd = os.pipe()
        os.set_inheritable(read_fd, False)
        fds.append(write_fd)
        args += ["--json-status-fd", str(write_fd)]
        if uid is not None:
            args += _drop_to(uid)
            os.chown(root, uid, uid)
            for entry in root.iterdir():
                os.chown(entry, uid, uid)
            os.chmod(root, 0o700)
    except BaseException:
        for fd in fds:
            os.close(fd)
        if uid is not None:
            _release_uid(uid)
        raise
    python_bin = str(Path(argv[0]).parent) if os.path.isabs(argv[0]) else "/usr/bin"
    env = {
        "PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": HOMEDIR,
        "USER": "student",
        "LOGNAME": "student",
        "TMPDIR": "/tmp",
        "IPYTHONDIR": f"{HOMEDIR}/.ipython",
        "MPLCONFIGDIR": mpl,
        "XDG_CONFIG_HOME": f"{HOMEDIR}/.config",
        "XDG_CACHE_HOME": f"{HOMEDIR}/.cache",
        "XDG_DATA_HOME": f"{HOMEDIR}/.local/share",
        "PYTHONDONTWRITEBYTECODE": "1",  # everything but /tmp is read-only
    }
    return Launch(
        argv=args + argv,
        preexec_fn=_rlimits_setter(rlimits),
        env=env,
        clear_env=True,
        uid=uid,
        cwd=WORKDIR,
        host_cwd=root,
        sandboxed=True,
        not_enforced=not_enforced,
        binds=[*binds, str(root)],
        left_out=left_out,
        root=root,
        pass_fds=fds,
        status_fd=read_fd,
    )


def _system_mounts(made: set[str]) -> list[str]:
    """``/usr``, the ``/bin``-like links or folders as on the host, ``/etc``'s few files."""
    args = ["--ro-bind", "/usr", "/usr"]
    made.add("/usr")
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = f"/{name}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
            made.add(path)
    args += ["--dir", "/etc"]
    made.add("/etc")
    for name in ETC_FILES:
        path = f"/etc/{name}"
        if os.path.lexists(path):
            args += _parents(path, made)
            args += ["--ro-bind-try", path, path]
    return args


def _parents(path: str, made: set[str]) -> list[str]:
    """``--dir`` for each missing parent: bwrap would make them 0700, unreadable to a uid."""
    args = []
    for parent in reversed(Path(path).parents):
        text = str(parent)
        if text not in made:
            made.add(text)
            args += ["--dir", text]
    return args


def _drop_to(uid: int) -> list[str]:
    """The command that becomes ``uid`` (no groups, no capabilities) and runs the rest."""
    if os.access(SETPRIV, os.X_OK):
        return [
            SETPRIV,
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            "--no-new-privs",
            "--bounding-set=-all",
            "--inh-caps=-all",
            "--",
        ]
    # no setpriv (util-linux): the same with Python (-I -S: no site, a fast start)
    code = (
        f"import ctypes,os,sys;os.setgroups([]);os.setresgid({uid},{uid},{uid});"
        f"os.setresuid({uid},{uid},{uid});ctypes.CDLL(None).prctl(38,1,0,0,0);"
        "os.execv(sys.argv[1],sys.argv[1:])"
    )
    return [sys.executable, "-I", "-S", "-c", code]


@functools.lru_cache(maxsize=1)
def _editable_folders() -> tuple[list[str], list[Path]]:
    """The folders of `EDITABLE_PACKAGES` installed in editable mode, and their projects."""
    installed = [Path(p).resolve() for p in (sys.prefix, sys.base_prefix)]
    folders, projects = [], []
    for name in EDITABLE_PACKAGES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        for location in (spec and spec.submodule_search_locations) or []:
            folder = Path(location).resolve()
            if any(folder.is_relative_to(p) for p in installed):
                continue  # an ordinary install: inside the environment, bound with it
            folders.append(str(folder))
            project = next(
                (
                    p
                    for p in folder.parents
                    if any((p / m).exists() for m in ("pyproject.toml", "setup.py", ".git"))
                ),
                folder.parent,
            )
            projects.append(project)
    return folders, projects


def _mounts(hide: Sequence[Path]) -> tuple[list[str], list[str]]:
    """The host paths to bind read-only, and the ``sys.path`` entries left out (why).

    ``sys.path`` entries inside (or containing) the grader's working directory, a hidden
    folder or a project of an editable package are left out: those may hold the course.
    """
    folders, projects = _editable_folders()
    private = [*projects, *(Path(p).resolve() for p in hide)]
    with contextlib.suppress(OSError):  # a working directory removed meanwhile
        private.append(Path.cwd().resolve())
    paths: list[str] = []
    for prefix in (sys.base_prefix, sys.prefix):
        paths += [prefix, str(Path(prefix).resolve())]
    covered = [Path("/usr"), *(Path(p) for p in paths)]
    for prefix in covered[1:]:
        if any(p.is_relative_to(prefix) for p in private if p != Path("/")):
            raise SandboxUnavailable(f"the Python installation {prefix} holds {private}")
    skipped = []
    for entry in sys.path:
        if not entry or not os.path.exists(entry):
            continue
        path = Path(entry).resolve()
        if any(path.is_relative_to(c) for c in covered):
            continue
        if any(path.is_relative_to(p) or p.is_relative_to(path) for p in private):
            skipped.append(f"sys.path entry {entry} (it may hold the course)")
            continue
        paths.append(str(path))
    paths += folders
    unique: list[str] = []
    for path in sorted(set(paths), key=lambda p: (len(Path(p).parts), p)):
        if path != "/" and not any(Path(path).is_relative_to(u) for u in ["/usr", *unique]):
            unique.append(path)
    return unique, skipped


def _font_lists() -> list[Path]:
    """Matplotlib's font cache files of the grader (``fontlist-v*.json``), if any."""
    if os.environ.get("MPLCONFIGDIR"):
        folder = Path(os.environ["MPLCONFIGDIR"])
    else:
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = Path(cache) / "matplotlib"
    with contextlib.suppress(OSError):
        return sorted(folder.glob("fontlist-v*.json"))
    return []


def _data_fd(text: str) -> int:
    """A pipe's read end holding ``text`` (small: it fits in the pipe's buffer)."""
    read_fd, write_fd = os.pipe()
    try:
        os.write(write_fd, text.encode())
    finally:
        os.close(write_fd)
    return read_fd


def _rlimits_setter(limits: Mapping[str, int]) -> Callable[[], None]:
    """The child's ``preexec_fn``: soft and hard limits, so that the kernel cannot raise them.

    Everything is looked up beforehand: the child of a threaded process must not import.
    """
    pairs = []
    for name, value in limits.items():
        which = getattr(resource, name)
        hard = resource.getrlimit(which)[1]
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        pairs.append((which, value))
    setrlimit = resource.setrlimit

    def preexec() -> None:
        for which, value in pairs:
            with contextlib.suppress(ValueError, OSError):
                setrlimit(which, (value, value))

    return preexec


# ---------------------------------------------------------------------------- user ids

_uid_lock = threading.Lock()
_uids: set[int] = set()


def _allocate_uid() -> int:
    """A user id for one kernel: this process's range (pid-based), not in use.

    Ranges of live processes never overlap; a user id still owning processes (a kernel of
    a dead grader whose pid came back) is skipped.
    """
    base = UID_BASE + (os.getpid() % (1 << PID_BITS)) * UID_SLOTS
    with _uid_lock:
        candidates = [u for u in range(base, base + UID_SLOTS) if u not in _uids]
        busy = _uids_running(set(candidates))
        for uid in candidates:
            if uid not in busy:
                _uids.add(uid)
                return uid
    raise SandboxUnavailable(f"no free user id for a kernel in {base}-{base + UID_SLOTS - 1}")


def _release_uid(uid: int) -> None:
    with _uid_lock:
        _uids.discard(uid)


def _uids_running(uids: set[int]) -> set[int]:
    found = set()
    for pid in _pids():
        with contextlib.suppress(OSError):
            uid = os.stat(f"/proc/{pid}").st_uid
            if uid in uids:
                found.add(uid)
    return found


def processes_of(uid: int) -> list[int]:
    """Host pids of the live processes of ``uid``."""
    pids = []
    for pid in _pids():
        with contextlib.suppress(OSError):
            if os.stat(f"/proc/{pid}").st_uid == uid and _state(pid) not in ("Z", "X"):
                pids.append(pid)
    return pids


def _pids() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def _state(pid: int) -> str:
    """A process's state letter (``Z``: a zombie, dead already), ``X`` when gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0].decode()
    except (OSError, IndexError):
        return "X"


# ---------------------------------------------------------------------------- launching

_launcher: tuple[int, queue.Queue] | None = None
_launcher_lock = threading.Lock()


def spawn(start: Callable[[], subprocess.Popen]) -> subprocess.Popen:
    """Run ``start`` in this process's launcher thread, which lives as long as the process.

    bwrap's ``--die-with-parent`` (``PR_SET_PDEATHSIG``) fires when the *thread* that
    started it ends, not the process: a spare started from a short-lived thread would die
    with it.
    """
    global _launcher
    with _launcher_lock:
        if _launcher is None or _launcher[0] != os.getpid():  # none yet, or a forked child
            jobs: queue.Queue = queue.Queue()
            threading.Thread(
                target=_launch_loop, args=(jobs,), name="gradetool-launcher", daemon=True
            ).start()
            _launcher = (os.getpid(), jobs)
        jobs = _launcher[1]
    done: queue.Queue = queue.Queue(maxsize=1)
    jobs.put((start, done))
    ok, value = done.get()
    if not ok:
        raise value
    return value


def _launch_loop(jobs: queue.Queue) -> None:
    while True:
        start, done = jobs.get()
        try:
            done.put((True, start()))
        except BaseException as exc:
            done.put((False, exc))


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        proc.wait(timeout=5)


# ---------------------------------------------------------------------------- diagnostics

_CAPABILITIES = r"""
import json, os, resource, socket, sys
args = json.loads(sys.argv[1])
out = {"uid": os.getuid()}
s = socket.socket()
s.settimeout(2)
try:
    s.connect(("127.0.0.1", args["port"]))
    out["connected"] = True
except OSError:
    out["connected"] = False
out["visible"] = [p for p in args["secrets"] if os.path.lexists(p)]
out["limits"] = {n: resource.getrlimit(getattr(resource, n))[0] for n in args["limits"]}
st = os.statvfs("/tmp")
out["tmp_size"] = st.f_blocks * st.f_frsize
print(json.dumps(out))
"""


def _run_probe(launch: Launch, stdout) -> subprocess.CompletedProcess:
    """Run a probe's wrapped command to its end; killed after `PROBE_TIMEOUT`, which
    raises ``subprocess.TimeoutExpired``."""
    proc = launch.spawn(
        launch.environ(os.environ),
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
    )
    try:
        out, err = proc.communicate(timeout=PROBE_TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def capabilities(limits: Limits | None = None, course: Path | None = None) -> dict:
    """What a kernel's process is really held to, checked from inside one.

    Parameters
    ----------
    limits : Limits, optional
    course : Path, optional
        A folder the kernel must not see (default: the grader's working directory); some
        of its files are looked for from inside.

    Returns
    -------
    dict
        ``sandbox``, ``reason``; and, each True when in force: ``network_isolated`` (a TCP
        listener on the host's 127.0.0.1 is out of reach), ``course_hidden``,
        ``separate_uid``, ``memory``, ``processes``, ``file_size``, ``open_files``,
        ``scratch`` (``/tmp`` is a tmpfs of the scratch size).

    Raises
    ------
    SandboxUnavailable
        ``limits.sandbox`` is ``require`` and no sandbox works.
    """
    limits = limits or Limits()
    course = Path(course or Path.cwd()).resolve()
    secrets = _sample_files(course) or [str(course)]
    root = Path(tempfile.mkdtemp(prefix=f"gradetool-caps-{os.getpid()}-"))
    launch = None
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        wanted = limits.os_limits()
        args = json.dumps(
            {"port": listener.getsockname()[1], "secrets": secrets, "limits": list(wanted)}
        )
        launch = command([sys.executable, "-c", _CAPABILITIES, args], root=root, limits=limits)
        visible_binds = [Path(b) for b in launch.binds]
        secrets = [s for s in secrets if not any(Path(s).is_relative_to(b) for b in visible_binds)]
        proc = _run_probe(launch, subprocess.PIPE)
        if proc.returncode != 0:
            raise RuntimeError(
                f"the capabilities probe failed (exit {proc.returncode}): "
                f"{proc.stderr.decode(errors='replace')[-500:]}"
            )
        seen = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    finally:
        listener.close()
        if launch is not None:
            launch.close()
        shutil.rmtree(root, ignore_errors=True)
    got = seen["limits"]
    separate = seen["uid"] != os.getuid()
    return {
        "sandbox": launch.sandboxed,
        "reason": launch.reason,
        "network_isolated": not seen["connected"],
        "course_hidden": not set(seen["visible"]) & set(secrets),
        "separate_uid": separate,
        "memory": got["RLIMIT_AS"] == wanted["RLIMIT_AS"],
        "processes": got["RLIMIT_NPROC"] == wanted["RLIMIT_NPROC"] and separate,
        "file_size": got["RLIMIT_FSIZE"] == wanted["RLIMIT_FSIZE"],
        "open_files": got["RLIMIT_NOFILE"] == wanted["RLIMIT_NOFILE"],
        "scratch": launch.sandboxed and seen["tmp_size"] <= limits.scratch,
        "not_enforced": launch.not_enforced,
    }


def _sample_files(folder: Path, count: int = 20) -> list[str]:
    """Up to ``count`` paths of files in ``folder``, shallowest first."""
    found: list[str] = []
    with contextlib.suppress(OSError):
        for top, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))[:5]
            found += [os.path.join(top, f) for f in sorted(files)[:5]]
            if len(found) >= count:
                break
    return found[:count]
