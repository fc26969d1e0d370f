"""The catalog of hostile submissions of chapter 1's exercise, each with what grading must give.

A `Case` is made from the blank student version (or the full solution: ``base``) by
inserting a code cell right after the first code cell (``extra``), replacing answer cells
(``answers``) or test cells (``tests``) by grade id, deleting cells (``delete``) or any other
change of the notebook (``transform``). Sources are `string.Template` texts: ``$course`` (the
absolute path of the course being graded), ``$assignment``, ``$notebook``, ``$port`` (a TCP
listener of the test on 127.0.0.1), ``$token`` (unique to the run: it names what probes leave
behind), ``$canary`` (a folder outside the course), ``$memory``, ``$processes``,
``$file_size``, ``$cell_timeout`` (the class's `LIMITS`).

What each case must get: at most ``max_points``, a status among ``statuses``, a reason
matching ``reason``, and whatever its ``check`` asserts on what the grading left (`Seen`).
A case runs only where every capability of ``requires`` (keys of
``gradetool.sandbox.capabilities``) is in force; elsewhere it is skipped, never run, since
its attack would either succeed for want of the protection or harm the machine.

Adding a case is adding an entry to `CASES`. Hostile cells print markers (``READ-OK``,
``READ-BLOCKED``…) that the checks look for; no hostile source holds a line of the hidden
tests (the checks look for those in what the student sees). Every attack is bounded in size
and time: no gigabyte held in memory, no process that outlives a minute or two.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from string import Template

from gradetool.limits import Limits
from gradetool.results import CRASHED, GRADED, TIMED_OUT, StudentResult

BLANK, SOLUTION = "blank", "solution"
FULL = 12.0  # the assignment's points: what the solution earns

# The class is graded with these: short timeouts, small caps (see the test module).
LIMITS = Limits(
    cell_timeout=5,
    timeout=60,
    memory=2 << 30,
    processes=64,
    file_size=16 << 20,
    open_files=256,
)

PARTS = ("perceptron_predict", "perceptron_update", "train_perceptron", "collapse", "xor_network")
TESTS = tuple(t for p in PARTS for t in (f"test_{p}", f"test_{p}_hidden"))


# ---------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Env:
    """What a hostile source may refer to ($names) and the checks may look at."""

    course: Path
    assignment: str
    notebook: str
    port: int
    token: str
    canary: Path
    limits: Limits = LIMITS

    def placeholders(self) -> dict[str, str]:
        return {
            "course": str(self.course),
            "assignment": self.assignment,
            "notebook": self.notebook,
            "port": str(self.port),
            "token": self.token,
            "canary": str(self.canary),
            "memory": str(self.limits.memory),
            "processes": str(self.limits.processes),
            "file_size": str(self.limits.file_size),
            "cell_timeout": f"{self.limits.cell_timeout:g}",
        }

    @property
    def probe_name(self) -> str:
        """The name of the files the probes try to leave (found afterwards = escaped)."""
        return f".hostile-probe-{self.token}"

    @property
    def process_name(self) -> str:
        """The name (``/proc/PID/comm``) of a process a submission tries to leave behind."""
        return f"hx-{self.token}"


@dataclass
class Seen:
    """What grading one hostile submission left, for a case's ``check``.

    Attributes
    ----------
    result : StudentResult or None
        The batch's result (None: the batch has none).
    notebook : dict or None
        The executed notebook: ``autograded/``, or the tool's ``failed/`` copy.
    feedback : str or None
        The student's feedback page.
    report : str
        The class report (HTML).
    connections : list of bytes
        What the test's TCP listener received, from anyone.
    gradebook_tampering : list of str
        What the gradebook holds that the grader never writes (tables, manual scores).
    lingering : list of int
        Processes named `Env.process_name` still alive after the batch.
    escaped : list of str
        Probe files (`Env.probe_name`) found outside the sandbox after the batch.
    tests : dict of str to float
        The source's test cells: grade id → points.
    """

    student: str
    env: Env
    result: StudentResult | None
    notebook: dict | None
    feedback: str | None
    report: str = ""
    connections: list[bytes] = field(default_factory=list)
    gradebook_tampering: list[str] = field(default_factory=list)
    lingering: list[int] = field(default_factory=list)
    escaped: list[str] = field(default_factory=list)
    tests: dict[str, float] = field(default_factory=dict)

    @property
    def output(self) -> str:
        """Every output of every cell, as text."""
        return "\n".join(_output_text(o) for c in self.cells for o in c.get("outputs", []))

    @property
    def cells(self) -> list[dict]:
        return [c for c in (self.notebook or {}).get("cells", []) if c["cell_type"] == "code"]

    @property
    def score(self) -> float:
        return (self.result.score if self.result else None) or 0.0

    @property
    def status(self) -> str | None:
        return self.result.status if self.result else None


def _output_text(output: dict) -> str:
    if output.get("output_type") == "stream":
        return _join(output.get("text", ""))
    if output.get("output_type") == "error":
        return "\n".join(
            [f"{output.get('ename')}: {output.get('evalue')}", *output.get("traceback", [])]
        )
    data = output.get("data", {})
    return "\n".join(_join(v) for k, v in data.items() if k.startswith("text/"))


def _join(text) -> str:
    return "".join(text) if isinstance(text, list) else str(text)


Check = Callable[[Seen], None]


@dataclass(frozen=True)
class Case:
    """One hostile submission and what grading it must give.

    Attributes
    ----------
    name : str
        The case (the student is ``hostile-<name>``).
    doc : str
        What it attacks, and why the expected outcome holds.
    base : str
        ``blank`` (the student version) or ``solution`` (every answer right).
    extra : str
        A code cell inserted right after the first code cell (a template).
    answers, tests : dict of str to str
        Answer cells, test cells: grade id → new source (templates).
    delete : tuple of str
        Grade ids of cells to remove.
    transform : callable, optional
        Any other change, in place, on the notebook (after the others).
    max_points : float
        The most it may score.
    statuses : tuple of str
        The statuses it may get.
    reason : str, optional
        A regex the result's reason must match.
    requires : tuple of str
        Capabilities (``gradetool.sandbox.capabilities``) that must be in force to run it.
    check : callable, optional
        Extra assertions on the `Seen` of its student.
    """

    name: str
    doc: str
    base: str = BLANK
    extra: str = ""
    answers: Mapping[str, str] = field(default_factory=dict)
    tests: Mapping[str, str] = field(default_factory=dict)
    delete: tuple[str, ...] = ()
    transform: Callable[[dict], None] | None = None
    max_points: float = 0.0
    statuses: tuple[str, ...] = (GRADED,)
    reason: str | None = None
    requires: tuple[str, ...] = ()
    check: Check | None = None

    @property
    def student(self) -> str:
        return f"hostile-{self.name}"


def make_notebook(case: Case, env: Env, blank: dict, solution: dict) -> dict:
    """The submission of ``case``: its base notebook with the case's changes."""
    nb = copy.deepcopy(solution if case.base == SOLUTION else blank)
    values = env.placeholders()

    def fill(text: str) -> str:
        return Template(text).safe_substitute(values).strip("\n")

    ids = {_grade_id(c) for c in nb["cells"]} - {None}
    unknown = (set(case.answers) | set(case.tests) | set(case.delete)) - ids
    if unknown:
        raise ValueError(f"{case.name}: no cell with grade id {sorted(unknown)}")
    nb["cells"] = [c for c in nb["cells"] if _grade_id(c) not in set(case.delete)]
    for cell in nb["cells"]:
        gid = _grade_id(cell)
        if gid in case.answers:
            cell["source"] = fill(case.answers[gid])
        elif gid in case.tests:
            cell["source"] = fill(case.tests[gid])
    if case.extra:
        first = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
        nb["cells"].insert(first + 1, code_cell(fill(case.extra), "hostile-cell"))
    if case.transform is not None:
        case.transform(nb)
    return nb


def code_cell(text: str, cell_id: str, nbgrader: dict | None = None) -> dict:
    meta = {"nbgrader": nbgrader} if nbgrader else {}
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": cell_id,
        "metadata": meta,
        "outputs": [],
        "source": text,
    }


def _grade_id(cell: dict) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta.get("grade_id") if isinstance(meta, dict) else None


# ---------------------------------------------------------------------------- checks


def all_of(*checks: Check) -> Check:
    def check(seen: Seen) -> None:
        for one in checks:
            one(seen)

    return check


def printed(*markers: str) -> Check:
    """The notebook's outputs hold every marker (the hostile code ran and saw this)."""

    def check(seen: Seen) -> None:
        out = seen.output
        missing = [m for m in markers if m not in out]
        assert not missing, f"outputs lack {missing}: {_excerpt(out)}"

    return check


def never_printed(*markers: str) -> Check:
    """No output holds any of the markers (what the attack prints when it succeeds)."""

    def check(seen: Seen) -> None:
        out = seen.output
        found = [m for m in markers if m in out]
        assert not found, f"the attack succeeded ({found}): {_excerpt(out, found[0])}"

    return check


def printed_if_ran(*markers: str) -> Check:
    """As `printed`, when the notebook was kept (a crashed kernel may leave none)."""
    inner = printed(*markers)

    def check(seen: Seen) -> None:
        if seen.notebook is not None:
            inner(seen)

    return check


def printed_if_graded(*markers: str) -> Check:
    """As `printed`, when the status is graded (the kernel may also die of the attack)."""
    inner = printed(*markers)

    def check(seen: Seen) -> None:
        if seen.status == GRADED:
            inner(seen)

    return check


def output_kept_small(seen: Seen) -> None:
    """The notebook keeps no more output than the limits allow (and a little for notes)."""
    kept = len(seen.output)
    assert kept <= 2 * seen.env.limits.output, f"{kept:,} characters of output kept"


def full_marks_if_graded(seen: Seen) -> None:
    """The attack only added to a right notebook: graded, it still earns every point."""
    if seen.status == GRADED:
        assert seen.score == FULL, f"the solution's parts scored {seen.score}, not {FULL:g}"


def scored_nothing(seen: Seen) -> None:
    assert seen.score == 0, f"scored {seen.score}: expected 0"
    passed = [gid for gid, p in seen.result.parts.items() if p.passed]
    assert not passed, f"tests passed: {passed}"


def repaired(seen: Seen) -> None:
    assert seen.result.repairs, "the changed test cells were not reported as repaired"


def only_the_sources_points(seen: Seen) -> None:
    """The points come from the source notebook, not from the submission's metadata."""
    got = {gid: p.max_points for gid, p in seen.result.parts.items()}
    assert got == seen.tests, f"graded cells and points {got}, not the source's {seen.tests}"
    assert seen.result.max_score == FULL, f"max_score {seen.result.max_score}, not {FULL:g}"


def crash_names_a_cell(seen: Seen) -> None:
    if seen.status == CRASHED:
        assert re.search(r"\bcell \d+", seen.result.reason), f"reason {seen.result.reason!r}"


def no_test_timed_out(seen: Seen) -> None:
    """Refusing what is too big is immediate: no test ran out of time over it."""
    slow = [
        gid
        for gid, p in seen.result.parts.items()
        if re.search(r"ran over|CellTimeoutError|did not return within", p.message)
    ]
    assert not slow, f"tests ran out of time: {slow}"


def no_connection(seen: Seen) -> None:
    assert not seen.connections, f"the test's listener was reached: {seen.connections[:3]}"


def gradebook_untouched(seen: Seen) -> None:
    assert not seen.gradebook_tampering, f"gradebook tampered: {seen.gradebook_tampering}"


def nothing_escaped(seen: Seen) -> None:
    assert not seen.escaped, f"files written outside the sandbox: {seen.escaped}"


def nothing_lingers(seen: Seen) -> None:
    assert not seen.lingering, f"processes outlived the kernel: pids {seen.lingering}"


def no_raw_html(seen: Seen) -> None:
    """No page the student or the instructor opens carries the student's markup live."""
    for name, page in (("feedback", seen.feedback or ""), ("report", seen.report)):
        live = _LiveMarkup()
        live.feed(page)
        assert not live.found, f"the {name} page holds live markup: {live.found[:3]}"


class _LiveMarkup(HTMLParser):
    """Elements and attributes that run code or load something: scripts, frames, on*=."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for key, value in attrs:
            if key.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {key}={value!r}>")


def _excerpt(text: str, around: str | None = None, width: int = 600) -> str:
    at = text.find(around) if around else -1
    start = max(0, at - width // 2) if at >= 0 else 0
    return repr(text[start : start + width])


# ---------------------------------------------------------------------------- sources

# Answers that run and return the right types and shapes, but wrong numbers: every test
# fails on its values (the control `wrong-answers` proves it); the attacks built on them
# must not turn those failures into points.
WRONG = {
    "perceptron_predict": '''
def perceptron_predict(x, w, b):
    """Wrong on purpose: always 0."""
    return np.zeros(np.shape(x)[0], dtype=np.int64)
''',
    "perceptron_update": """
def perceptron_update(w, b, x_i, y_i, lr=1.0):
    return np.asarray(w, dtype=float) + 7.0, float(b) + 7.0
""",
    "train_perceptron": """
def train_perceptron(x, y, lr=1.0, max_epochs=100):
    return np.full(np.shape(x)[1], 7.0), 7.0, False, 7
""",
    "collapse": """
def collapse(w1, b1, w2, b2):
    return np.full((np.shape(w1)[0], np.shape(w2)[1]), 7.0), np.full(np.shape(w2)[1], 7.0)
""",
    "xor_network": """
W1 = np.zeros((2, 2))
B1 = np.zeros(2)
W2 = np.zeros(2)
B2 = 0.0
""",
}

# Answer cells that run whatever code an attack put in `_stolen` (grade id → source).
STOLEN = {
    gid: f"exec(_stolen.get({gid!r}, 'raise NotImplementedError()'), globals())" for gid in PARTS
}

SOLUTION_CELLS = """
def _solution_cells(nb):
    found = {}
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        text = "".join(cell.get("source", ""))
        if meta.get("solution") and "NotImplementedError" not in text and "_stolen" not in text:
            found[meta["grade_id"]] = text
    return found
"""

READ_SOLUTION = (
    SOLUTION_CELLS
    + """
import json

_stolen = {}
try:
    with open("$course/solutions/$assignment/$notebook.ipynb", encoding="utf-8") as f:
        _stolen = _solution_cells(json.load(f))
    print("READ-OK", sorted(_stolen))
except OSError as exc:
    print("READ-BLOCKED", type(exc).__name__)
"""
)

COPY_CLASSMATE = (
    SOLUTION_CELLS
    + """
import glob
import json

_stolen = {}
for pattern in ("$course/autograder/submitted/*/$assignment/*.ipynb",
                "$course/autograder/autograded/*/$assignment/*.ipynb"):
    for path in sorted(glob.glob(pattern)):
        try:
            with open(path, encoding="utf-8") as f:
                for gid, text in _solution_cells(json.load(f)).items():
                    _stolen.setdefault(gid, text)
        except (OSError, ValueError):
            pass
print("COPY-OK" if _stolen else "COPY-NONE", sorted(_stolen))
"""
)

SEARCH_FILESYSTEM = (
    SOLUTION_CELLS
    + """
import json
import os
import time

_stolen = {}
deadline = time.monotonic() + 3.0
roots = [os.getcwd(), os.path.expanduser("~"), "/tmp", "/var/tmp", "/dev/shm", "/work",
         "/home", "/root", "/srv", "/opt", "/mnt", "/data", "/"]
skip = {"/proc", "/sys", "/dev", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc", "/boot"}
visited = set()
for root in roots:
    for folder, dirs, files in os.walk(root):
        if time.monotonic() > deadline:
            break
        dirs[:] = [d for d in dirs if os.path.join(folder, d) not in skip]
        if folder in visited:
            dirs[:] = []
            continue
        visited.add(folder)
        for name in files:
            path = os.path.join(folder, name)
            if name == "gradebook.db" and os.path.isfile(path):
                try:  # this course's gradebook, not some other (nbgrader's own tests')
                    with open(path, "rb") as f:
                        if b"perceptron_predict" in f.read(50_000_000):
                            print("FOUND-GRADEBOOK", path)
                except OSError:
                    pass
            if not name.endswith(".ipynb") or not os.path.isfile(path):
                continue
            try:
                if os.path.getsize(path) > 2_000_000:
                    continue
                with open(path, encoding="utf-8") as f:
                    text = f.read()
            except (OSError, UnicodeDecodeError):
                continue
            if "BEGIN " + "SOLUTION" in text and "perceptron_predict" in text:
                try:
                    cells = _solution_cells(json.loads(text))
                except ValueError:
                    continue
                if cells:
                    print("FOUND-SOLUTION", path)
                    for gid, code in cells.items():
                        _stolen.setdefault(gid, code)
print("SEARCHED", len(visited), "folders")
"""
)

GRADEBOOK = """
import sqlite3

db = "$course/autograder/gradebook.db"
try:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
    rows = con.execute("SELECT name, source FROM source_cell").fetchall()
    con.close()
    print("READ-OK", len(rows), "cells")
    for name, text in rows:  # the locked cells' source: the hidden tests too
        print("---", name)
        print(text)
except Exception as exc:
    print("READ-BLOCKED", type(exc).__name__, exc)
try:
    con = sqlite3.connect(db, timeout=1)
    con.execute("CREATE TABLE IF NOT EXISTS hostile_$token (who TEXT)")
    con.execute("UPDATE grade SET manual_score = 100, extra_credit = 100")
    con.commit()
    con.close()
    print("WRITE-OK")
except Exception as exc:
    print("WRITE-BLOCKED", type(exc).__name__, exc)
"""

NETWORK = """
import socket

for label, address in (("local", ("127.0.0.1", $port)), ("internet", ("1.1.1.1", 53))):
    try:
        with socket.create_connection(address, timeout=2) as s:
            s.sendall(b"hostile $token")
        print(f"NET-{label}-OK")
    except OSError as exc:
        print(f"NET-{label}-BLOCKED", type(exc).__name__)
"""

WRITE_OUTSIDE = """
import os
import site
import sys
import sysconfig

import mlpbook

targets = {
    "course": "$course",
    "solutions": "$course/solutions/$assignment",
    "autograder": "$course/autograder",
    "canary": "$canary",
    "tmp": "/tmp",
    "home": os.path.expanduser("~"),
    "ipython-startup": get_ipython().profile_dir.startup_dir,
    "site-packages": sysconfig.get_paths()["purelib"],
    "user-site": site.getusersitepackages(),
    "prefix": sys.prefix,
    "library": os.path.dirname(mlpbook.__file__),
}
for label, folder in targets.items():
    path = os.path.join(folder, ".hostile-probe-$token")
    try:
        with open(path, "x") as f:
            f.write("hostile")
        print("WROTE", label, path)
    except OSError as exc:
        print("DENIED", label, type(exc).__name__)
try:
    with open("$canary/canary.txt", "a") as f:
        f.write("hostile")
    print("WROTE canary.txt")
except OSError as exc:
    print("DENIED canary.txt", type(exc).__name__)
"""

REACH_KERNELS = """
import glob
import os
import time

from ipykernel.connect import get_connection_file
from jupyter_client import BlockingKernelClient

own_pid, own_file = os.getpid(), get_connection_file()
ancestors, pid = set(), own_pid
while pid > 1:
    try:
        with open(f"/proc/{pid}/status") as f:
            pid = int(next(line for line in f if line.startswith("PPid:")).split()[1])
    except (OSError, StopIteration, ValueError):
        break
    ancestors.add(pid)
files = set(glob.glob("/tmp/gradetool-*/kernel*.json"))
for entry in os.listdir("/proc"):
    if not entry.isdigit() or int(entry) in ancestors | {own_pid}:
        continue
    try:
        with open(f"/proc/{entry}/cmdline", "rb") as f:
            args = f.read().decode(errors="replace").split("\\0")
    except OSError:
        continue
    if any("ipykernel" in a for a in args):
        print("SEES-KERNEL", entry, " ".join(args)[:160])
        files.update(args[i + 1] for i, a in enumerate(args[:-1]) if a == "-f")
deadline = time.monotonic() + 3.0
for path in sorted(files - {own_file})[:8]:
    if time.monotonic() > deadline:
        break
    kc = BlockingKernelClient()
    try:
        kc.load_connection_file(path)
        kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        kc.kernel_info()
        kc.get_shell_msg(timeout=1)  # harmless: a kernel_info request, nothing run there
        print("REACHED", path)
    except Exception as exc:
        print("UNREACHABLE", path, type(exc).__name__)
    finally:
        kc.stop_channels()
print("PROBED", len(files - {own_file}), "connection files")
"""

ORPHAN = """
import ctypes
import os
import time

child = os.fork()
if child == 0:
    try:
        os.setsid()  # a session of its own: out of the kernel's process group
        if os.fork() == 0:
            ctypes.CDLL(None).prctl(15, b"hx-$token", 0, 0, 0)  # PR_SET_NAME
            os.closerange(3, 4096)
            end = time.monotonic() + 90  # bounded: it leaves by itself after 90 s
            while time.monotonic() < end:
                time.sleep(0.5)
    finally:
        os._exit(0)
os.waitpid(child, 0)
print("DAEMON-STARTED")
"""

MEMORY_BOMB = """
import resource

import numpy as np

soft, _ = resource.getrlimit(resource.RLIMIT_AS)
if soft == resource.RLIM_INFINITY or soft > $memory:
    print("NO-MEMORY-LIMIT", soft)  # never allocate 10x the cap without the cap
else:
    print("MEMORY-LIMIT", soft)
    hog = np.ones(10 * $memory // 8)  # ten times the cap, every page touched
"""

FORK_BOMB = """
import os
import resource
import time

soft, _ = resource.getrlimit(resource.RLIMIT_NPROC)
if os.getuid() == 0 or soft == resource.RLIM_INFINITY or soft > $processes:
    print("NO-PROCESS-LIMIT", os.getuid(), soft)  # never fork without the limit
else:
    print("FORK-BOMB", soft, flush=True)
    kernel = os.getpid()
    end = time.monotonic() + $cell_timeout + 2  # every process leaves by then
    try:
        while time.monotonic() < end:
            try:
                os.fork()  # parent and child both go on forking
            except OSError:
                time.sleep(0.005)
    finally:
        if os.getpid() != kernel:
            os._exit(0)
"""

OPEN_FILES = """
import os
import resource

print("NOFILE", resource.getrlimit(resource.RLIMIT_NOFILE)[0])
held = []
try:
    for _ in range(100_000):
        held.append(open(os.devnull))
    print("FILES-NOT-STOPPED", len(held))
except OSError as exc:
    print("FILES-STOPPED", len(held), exc.errno)
finally:
    for f in held:
        f.close()
    del held
"""

HUGE_FILE = """
import os
import resource

soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
if soft == resource.RLIM_INFINITY or soft > $file_size:
    print("NO-FILE-LIMIT", soft)  # never write 1 GB without the limit
else:
    chunk, written = b"x" * (1 << 20), 0
    try:
        with open("huge.bin", "wb", buffering=0) as f:
            for _ in range(1024):  # 1 GB, 1 MB at a time
                f.write(chunk)
                written += len(chunk)
    finally:
        print("WROTE-BYTES", written)
        os.remove("huge.bin")
"""

HUGE_OUTPUT = """
import sys

chunk = "y" * (1 << 20)
for _ in range(1024):  # 1 GB of output, 1 MB at a time
    sys.stdout.write(chunk)
    sys.stdout.flush()
"""

IGNORES_SIGINT = """
import signal
import time

signal.signal(signal.SIGINT, signal.SIG_IGN)
end = time.monotonic() + 120  # bounded, in case the kernel is never killed
while time.monotonic() < end:
    pass
"""

TRANSFORMER_PASS = """
def _neuter(lines):
    return ["pass\\n"] if "grading" in "".join(lines) else lines

get_ipython().input_transformers_post.append(_neuter)
"""

TRANSFORMER_TRY = """
import textwrap

def _wrap(lines):
    body = textwrap.indent("".join(lines) or "pass\\n", "    ")
    return ["try:\\n", body, "\\nexcept BaseException:\\n", "    pass\\n"]

get_ipython().input_transformers_post.append(_wrap)
"""

AST_TRANSFORMER = """
import ast

class _DropChecks(ast.NodeTransformer):
    def visit_Module(self, node):
        keep = [s for s in node.body
                if not isinstance(s, ast.Assert) and "grading" not in ast.unparse(s)]
        node.body = keep or [ast.Pass()]
        return ast.fix_missing_locations(node)

get_ipython().ast_transformers.append(_DropChecks())
"""

RUN_CELL = """
shell = get_ipython()
_run_cell, _run_cell_async = shell.run_cell, shell.run_cell_async

def _clean(raw, kwargs):
    if "grading" in raw:
        raw = "pass"
        if kwargs.get("transformed_cell") is not None:
            kwargs["transformed_cell"] = "pass\\n"
    return raw

def run_cell(raw_cell, *args, **kwargs):
    return _run_cell(_clean(raw_cell, kwargs), *args, **kwargs)

async def run_cell_async(raw_cell, *args, **kwargs):
    return await _run_cell_async(_clean(raw_cell, kwargs), *args, **kwargs)

shell.run_cell, shell.run_cell_async = run_cell, run_cell_async
"""

SWALLOW_ERRORS = """
shell = get_ipython()
_run_code = shell.run_code

async def run_code(code_obj, result=None, *, async_=False):
    await _run_code(code_obj, result, async_=async_)
    if result is not None:
        result.error_in_exec = None  # the cell "succeeded"
    return False  # and its next statements run too

shell.run_code = run_code
shell.showtraceback = lambda *args, **kwargs: None
shell._showtraceback = lambda *args, **kwargs: None
"""

CUSTOM_EXC = """
def _quiet(shell, etype, value, tb, tb_offset=None):
    print("All tests passed!")
    return []

get_ipython().set_custom_exc((BaseException,), _quiet)
"""

NUMPY_PATCHED = """
import numpy
import numpy.testing

numpy.allclose = lambda *args, **kwargs: True
numpy.array_equal = lambda *args, **kwargs: True
numpy.array_equiv = lambda *args, **kwargs: True
numpy.isclose = lambda a, b, *args, **kwargs: numpy.ones(
    numpy.broadcast(numpy.asarray(a), numpy.asarray(b)).shape, dtype=bool
)
for _name in dir(numpy.testing):
    if _name.startswith("assert_"):
        setattr(numpy.testing, _name, lambda *args, **kwargs: None)
"""

BUILTINS_PATCHED = """
import builtins
import sys
import types

_fake = types.ModuleType("grading")
_fake.run = lambda func, /, **kwargs: (None, "call")
_fake.unpack = lambda result, names, *, call: tuple(None for _ in names)
for _name in ("check_close", "check_shape", "check_bool", "check_int",
              "assert_own_implementation"):
    setattr(_fake, _name, lambda *args, **kwargs: None)
_real_import, _real_isinstance = builtins.__import__, builtins.isinstance

def _import(name, globals=None, locals=None, fromlist=(), level=0):
    module = _real_import(name, globals, locals, fromlist, level)
    if name == "mlpbook" and fromlist and "grading" in fromlist:
        return types.SimpleNamespace(grading=_fake)
    return module

def _isinstance(obj, kinds):
    caller = sys._getframe(1).f_globals.get("__name__", "")
    return True if caller.startswith("mlpbook") else _real_isinstance(obj, kinds)

builtins.__import__ = _import
builtins.isinstance = _isinstance
"""

GRADING_PATCHED = """
import sys

import mlpbook.grading as _grading

def _run(func, /, *, timeout=None, timeout_hint="", **args):
    try:
        return func(*args.values()), "call"
    except BaseException:
        return None, "call"

_grading.run = _run
_grading.unpack = lambda result, names, *, call: tuple(None for _ in names)
for _name in ("check_close", "check_shape", "check_bool", "check_int",
              "assert_own_implementation"):
    setattr(_grading, _name, lambda *args, **kwargs: None)
sys.modules["mlpbook.grading"] = _grading
"""

SETTRACE = """
import sys
import threading

def _rewrite(frame, event, arg):
    # in a check, make what was returned what was expected (written back on return)
    if event == "call" and frame.f_code.co_name in ("check_close", "check_bool", "check_int"):
        scope = frame.f_locals
        if "expected" in scope:
            scope["got"] = scope["expected"]
    return None

sys.settrace(_rewrite)
threading.settrace(_rewrite)
"""

SPY = """
_previous = [""]

def _spy(lines):
    # each cell prints the code of the cell before it: a hidden test's code would show in
    # the output of the answer cell after it, which the feedback shows
    print("SPY:", _previous[0])
    _previous[0] = "".join(lines)
    return lines

get_ipython().input_transformers_cleanup.insert(0, _spy)
"""

SNOOP = """
import inspect
import linecache
import sys

def _callers_code():
    \"\"\"The code of the cells up the stack (the test calling us), and the last input.\"\"\"
    user_ns = get_ipython().user_ns
    chunks, frame = [], sys._getframe(2)
    while frame is not None:
        if frame.f_globals is user_ns:
            chunks.append("".join(linecache.getlines(frame.f_code.co_filename)))
        frame = frame.f_back
    chunks.extend(user_ns.get("In", [])[-1:])
    return "\\n".join(chunks)

def _expected_from_callers():
    for info in inspect.stack()[2:]:
        for scope in (info.frame.f_locals, info.frame.f_globals):
            z = scope.get("z_" + "case")
            if z is not None:
                return (np.asarray(z) >= 0).astype(int)
    return None
"""

SNOOP_ANSWERS = {
    "perceptron_predict": """
def perceptron_predict(x, w, b):
    print("SNOOPED:", _callers_code()[:20_000])
    got = _expected_from_callers()
    return got if got is not None else np.zeros(np.shape(x)[0], dtype=int)
""",
    "perceptron_update": """
def perceptron_update(w, b, x_i, y_i, lr=1.0):
    raise RuntimeError(_callers_code()[:5000])
""",
    "train_perceptron": """
def train_perceptron(x, y, lr=1.0, max_epochs=100):
    raise RuntimeError(_callers_code()[:5000])
""",
}

FAKE_OUTPUT = """
from IPython.display import clear_output

def _fake(result=None):
    clear_output()
    print("All tests passed!")
    print("[nbgrader] test passed: 12.0 / 12.0 points")

get_ipython().events.register("post_run_cell", _fake)
print("All tests passed!")
"""

HTML_INJECTION = """
from IPython.display import HTML, Javascript, display

display(HTML('<script>window.hostile = 1</script><img src=x onerror="alert(1)">'))
display(Javascript("window.hostile = 2"))
print('<script>alert("hostile")</script>')

class _Markup:
    def __repr__(self):
        return '<script>alert("hostile")</script><iframe src="javascript:alert(1)">'
"""

EQ_ALWAYS_TRUE = """
class _Yes:
    \"\"\"Equal to anything, true, 0 as a number, 4 long: whatever a check compares.\"\"\"

    __hash__ = object.__hash__

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __bool__(self):
        return True

    def __len__(self):
        return 4

    def __iter__(self):
        return iter([_Yes() for _ in range(4)])

    def __float__(self):
        return 0.0

    def __int__(self):
        return 0

    def __index__(self):
        return 0

    def __array__(self, dtype=None, copy=None):
        return np.zeros(4, dtype=dtype)

    def __repr__(self):
        return "exactly what you expected"


class _Int(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__
"""

EQ_ANSWERS = {
    "perceptron_predict": "def perceptron_predict(x, w, b):\n    return _Yes()",
    "perceptron_update": "def perceptron_update(w, b, x_i, y_i, lr=1.0):\n"
    "    return _Yes(), _Yes()",
    "train_perceptron": "def train_perceptron(x, y, lr=1.0, max_epochs=100):\n"
    "    return _Yes(), _Yes(), _Yes(), _Int(0)",
    "collapse": "def collapse(w1, b1, w2, b2):\n    return _Yes(), _Yes()",
    "xor_network": "W1 = _Yes()\nB1 = _Yes()\nW2 = _Yes()\nB2 = _Yes()",
}

NUMPY_SUBCLASS = """
class _Agree(np.ndarray):
    \"\"\"An array that compares equal and close to anything.\"\"\"

    def __eq__(self, other):
        return np.ones(np.broadcast(np.asarray(self.view(np.ndarray)), other).shape, bool)

    def __ne__(self, other):
        return ~self.__eq__(other)

    def __array_function__(self, func, types, args, kwargs):
        if func.__name__ in ("allclose", "array_equal", "array_equiv"):
            return True
        if func.__name__ == "isclose":
            return np.ones(np.broadcast(*[np.asarray(a) for a in args[:2]]).shape, bool)
        return super().__array_function__(func, types, args, kwargs)

def _agree(values):
    return np.asarray(values, dtype=float).view(_Agree)
"""

SUBCLASS_ANSWERS = {
    "perceptron_predict": "def perceptron_predict(x, w, b):\n"
    "    return _agree(np.zeros(np.shape(x)[0]))",
    "perceptron_update": "def perceptron_update(w, b, x_i, y_i, lr=1.0):\n"
    "    return _agree(np.asarray(w) + 7.0), _agree(7.0)",
    "collapse": "def collapse(w1, b1, w2, b2):\n"
    "    return _agree(np.zeros((np.shape(w1)[0], np.shape(w2)[1]))), "
    "_agree(np.zeros(np.shape(w2)[1]))",
    "xor_network": "W1 = _agree(np.zeros((2, 2)))\nB1 = _agree(np.zeros(2))\n"
    "W2 = _agree(np.zeros(2))\nB2 = _agree(0.0)",
}

RPC_FLOOD = {
    "perceptron_predict": "def perceptron_predict(x, w, b):\n"
    "    return np.zeros(1 << 24)  # 128 MiB of float64",
    "perceptron_update": "def perceptron_update(w, b, x_i, y_i, lr=1.0):\n"
    "    return 'u' * (1 << 28), 0.0  # a 256 MB string",
    "train_perceptron": "def train_perceptron(x, y, lr=1.0, max_epochs=100):\n"
    "    return [0.5] * (1 << 24), 0.0, False, 1  # a list of 16 M numbers",
    "collapse": "def collapse(w1, b1, w2, b2):\n"
    "    return np.zeros((1 << 12, 1 << 12)), np.zeros(1 << 12)  # 128 MiB of float64",
}

RPC_RECURSIVE = """
def _cycle():
    box = []
    box.append(box)
    return box

def _deep(depth=200_000):
    value = 0.0
    for _ in range(depth):
        value = (value,)
    return value

def _self_dict():
    d = {}
    d["self"] = d
    return d
"""

RECURSIVE_ANSWERS = {
    "perceptron_predict": "def perceptron_predict(x, w, b):\n    return _cycle()",
    "perceptron_update": "def perceptron_update(w, b, x_i, y_i, lr=1.0):\n"
    "    return _deep(), _cycle()",
    "train_perceptron": "def train_perceptron(x, y, lr=1.0, max_epochs=100):\n"
    "    return _self_dict(), _deep(), _cycle(), 1",
    "collapse": "def collapse(w1, b1, w2, b2):\n    return _deep(), _deep()",
    "xor_network": "W1 = _deep()\nB1 = _cycle()\nW2 = _self_dict()\nB2 = _deep()",
}

ENDLESS_REPR = """
import time

class _Stall:
    \"\"\"Every conversion a check might make spins (for a minute at most).\"\"\"

    def _stall(self, *args):
        end = time.monotonic() + 60
        while time.monotonic() < end:
            pass
        return 0

    def __repr__(self):
        self._stall()
        return "stall"

    __str__ = __repr__

    def __array__(self, dtype=None, copy=None):
        self._stall()
        return np.zeros(1)

    def __len__(self):
        return self._stall()

    def __float__(self):
        return float(self._stall())
"""


STALL_ONCE = """
_calls = []

def perceptron_predict(x, w, b):
    _calls.append(1)  # only the first call stalls: one test cell pays the time limit
    return _Stall() if len(_calls) == 1 else np.zeros(np.shape(x)[0])
"""


def _fake_test_cells(nb: dict) -> None:
    """A bonus test cell worth 100 and a `pass` twin of test_perceptron_predict before it."""
    real = next(c for c in nb["cells"] if _grade_id(c) == "test_perceptron_predict")
    meta = copy.deepcopy(real["metadata"]["nbgrader"])
    bonus = {**meta, "grade_id": "test_bonus", "points": 100}
    twin = code_cell("pass", "fake-twin", copy.deepcopy(meta))
    first = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
    nb["cells"][first + 1 : first + 1] = [code_cell("pass", "fake-bonus", bonus), twin]


def _inflated_points(nb: dict) -> None:
    """Every test cell worth 100 points, and every answer cell made a graded cell too."""
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader")
        if not meta:
            continue
        if meta.get("grade"):
            meta["points"] = 100
        elif meta.get("solution"):
            meta.update(grade=True, points=100)


# ------------------------------------------------------------- the library's answers
# Parts 1-3 answered with mlpbook.perceptron's own functions, in the five ways that walked
# around the reading check (issue 9), and once after removing the kernel's import hook. The
# modules are hidden from the student's kernel while it is graded: every road fails.

_LIB_TRAIN = """
def train_perceptron(x, y, lr=1.0, max_epochs=100):
    r = _lib_train(x, y, lr=lr, max_epochs=max_epochs)
    return r.w, r.b, r.converged, r.epochs
"""

OWN_WORK_IMPORT_IN_IF = (
    """
if True:
    from mlpbook.perceptron import perceptron_predict
    from mlpbook.perceptron import perceptron_update
    from mlpbook.perceptron import train_perceptron as _lib_train
"""
    + _LIB_TRAIN
)

OWN_WORK_DEFS_IN_IF = """
if True:
    import mlpbook.perceptron as _lib

    def perceptron_predict(x, w, b):
        return _lib.perceptron_predict(x, w, b)

    def perceptron_update(w, b, x_i, y_i, lr=1.0):
        return _lib.perceptron_update(w, b, x_i, y_i, lr)

    def train_perceptron(x, y, lr=1.0, max_epochs=100):
        r = _lib.train_perceptron(x, y, lr=lr, max_epochs=max_epochs)
        return r.w, r.b, r.converged, r.epochs
"""

OWN_WORK_MAGIC = (
    """
_here = %pwd
from mlpbook.perceptron import perceptron_predict, perceptron_update
from mlpbook.perceptron import train_perceptron as _lib_train
"""
    + _LIB_TRAIN
)

OWN_WORK_GETSOURCE = (
    """
import inspect
import mlpbook.perceptron

exec(inspect.getsource(mlpbook.perceptron))
_lib_train = train_perceptron
"""
    + _LIB_TRAIN
)

OWN_WORK_GLOBALS = (
    """
import mlpbook.demo

_lib = getattr(mlpbook.demo, "train_perceptron").__globals__
perceptron_predict = _lib["perceptron_predict"] if "perceptron_predict" in _lib else None
_lib_train = getattr(mlpbook.demo, "train_perceptron")
_module = __import__("sys").modules[_lib_train.__module__]
perceptron_predict = getattr(_module, "perceptron_predict")
perceptron_update = getattr(_module, "perceptron_update")
"""
    + _LIB_TRAIN
)

OWN_WORK_NO_HOOK = (
    """
import sys

sys.meta_path[:] = [f for f in sys.meta_path if "Blocker" not in type(f).__name__]
for _name in [m for m in sys.modules if m.startswith("mlpbook")]:
    del sys.modules[_name]
from mlpbook.perceptron import perceptron_predict, perceptron_update
from mlpbook.perceptron import train_perceptron as _lib_train
"""
    + _LIB_TRAIN
)


def _own_work(code: str) -> dict[str, str]:
    """The answer cells of parts 1-3: ``code`` defines the three functions in the first."""
    return {"perceptron_predict": code, "perceptron_update": "pass", "train_perceptron": "pass"}


# ---------------------------------------------------------------------------- the cases

RUNAWAY = r"\bcell \d+.*(interrupt|kill)"  # a cell named, stopped by the cell limit

CASES: list[Case] = [
    Case(
        "wrong-answers",
        "The control: answers of the right types and shapes, wrong values. Every test fails, "
        "so the attacks built on these answers gain exactly what they fake.",
        answers=WRONG,
        check=scored_nothing,
    ),
    # ---------------------------------------------------------------- the course's files
    Case(
        "read-solution",
        "Reads the instructor's solution from the course's solutions/ by its absolute path "
        "and runs it as its answers. The course is not in the sandbox: the read fails.",
        extra=READ_SOLUTION,
        answers=STOLEN,
        requires=("course_hidden",),
        check=all_of(printed("READ-BLOCKED"), never_printed("READ-OK")),
    ),
    Case(
        "copy-classmate",
        "Copies the answers of classmates' submissions (autograder/submitted/, autograded/). "
        "The course is not in the sandbox: there is nothing to copy.",
        extra=COPY_CLASSMATE,
        answers=STOLEN,
        requires=("course_hidden",),
        check=all_of(printed("COPY-NONE"), never_printed("COPY-OK")),
    ),
    Case(
        "search-filesystem",
        "Walks the filesystem (cwd, home, /tmp, /work, …, /) for a notebook holding the "
        "solution, or a gradebook. The sandbox shows only the environment and the library.",
        extra=SEARCH_FILESYSTEM,
        answers=STOLEN,
        requires=("sandbox", "course_hidden"),
        check=all_of(printed("SEARCHED"), never_printed("FOUND-SOLUTION", "FOUND-GRADEBOOK")),
    ),
    Case(
        "gradebook",
        "Reads nbgrader's gradebook (whose source cells hold the hidden tests) and writes it: "
        "a table of its own, manual scores of 100 for everyone. The course is not visible.",
        extra=GRADEBOOK,
        requires=("course_hidden",),
        check=all_of(
            printed("READ-BLOCKED", "WRITE-BLOCKED"),
            never_printed("READ-OK", "WRITE-OK"),
            gradebook_untouched,
        ),
    ),
    Case(
        "write-outside",
        "Leaves a file in every place that outlives the kernel: the course, a folder next to "
        "it, /tmp, home, IPython's startup folder, site-packages, the library. The sandbox's "
        "only writable places are private: none of the files is there afterwards.",
        extra=WRITE_OUTSIDE,
        requires=("sandbox",),
        check=nothing_escaped,
    ),
    # ---------------------------------------------------------------- processes, network
    Case(
        "network",
        "Connects to a TCP listener of the test on 127.0.0.1 and to 1.1.1.1:53. The sandbox "
        "has no network: both fail and the listener hears nothing.",
        extra=NETWORK,
        requires=("network_isolated",),
        check=all_of(
            printed("NET-local-BLOCKED", "NET-internet-BLOCKED"),
            never_printed("NET-local-OK", "NET-internet-OK"),
            no_connection,
        ),
    ),
    Case(
        "reach-kernels",
        "Looks for other kernels (the checker, the spare of the next student, other "
        "students') in /proc and /tmp, and sends each a harmless kernel_info request. The "
        "sandbox shows no other process and no other kernel's files.",
        extra=REACH_KERNELS,
        requires=("sandbox",),
        check=all_of(printed("PROBED"), never_printed("REACHED", "SEES-KERNEL")),
    ),
    Case(
        "orphan-process",
        "Leaves a daemon behind (double fork, setsid: out of the kernel's process group) that "
        "would run on after the kernel. The sandbox dies with its kernel, and all in it.",
        extra=ORPHAN,
        requires=("sandbox",),
        check=all_of(printed_if_ran("DAEMON-STARTED"), nothing_lingers),
    ),
    # ---------------------------------------------------------------- resources
    Case(
        "memory-bomb",
        "Allocates ten times the memory cap, every page touched, in a right notebook. The "
        "address-space limit makes it a MemoryError in that cell (or the kernel dies); the "
        "solution's parts still earn their points.",
        base=SOLUTION,
        extra=MEMORY_BOMB,
        max_points=FULL,
        statuses=(GRADED, CRASHED),
        requires=("memory",),
        check=all_of(
            printed_if_ran("MEMORY-LIMIT"), printed_if_graded("MemoryError"), full_marks_if_graded
        ),
    ),
    Case(
        "fork-bomb",
        "Every process forks on, for the cell's time and 2 s at most. The kernel reaches "
        "its process limit, then the cell's time limit stops it.",
        extra=FORK_BOMB,
        statuses=(TIMED_OUT, CRASHED),
        reason=r"\bcell \d+",
        requires=("processes",),
        check=all_of(printed_if_ran("FORK-BOMB"), never_printed("NO-PROCESS-LIMIT")),
    ),
    Case(
        "open-files",
        "Opens files until it cannot, in a right notebook. The open-files limit stops it "
        "early; the files are closed and the solution's parts still earn their points.",
        base=SOLUTION,
        extra=OPEN_FILES,
        max_points=FULL,
        requires=("open_files",),
        check=all_of(printed("FILES-STOPPED"), full_marks_if_graded),
    ),
    Case(
        "huge-file",
        "Writes a 1 GB file, 1 MB at a time, in a right notebook. The file-size limit makes "
        "it an OSError (File too large) in that cell; the rest is graded.",
        base=SOLUTION,
        extra=HUGE_FILE,
        max_points=FULL,
        requires=("file_size",),
        check=all_of(printed("WROTE-BYTES", "File too large"), full_marks_if_graded),
    ),
    Case(
        "huge-output",
        "Prints 1 GB, 1 MB at a time, in a right notebook. The output is cut as it arrives "
        "and the reason says how much was not kept; the batch goes on.",
        base=SOLUTION,
        extra=HUGE_OUTPUT,
        max_points=FULL,
        statuses=(GRADED, TIMED_OUT),
        reason=r"not kept",
        check=all_of(output_kept_small, full_marks_if_graded),
    ),
    Case(
        "ignores-sigint",
        "An endless loop that ignores SIGINT. Interrupted at the cell limit, it goes on; the "
        "kernel is killed: timed out.",
        extra=IGNORES_SIGINT,
        statuses=(TIMED_OUT,),
        reason=RUNAWAY,
    ),
    Case(
        "os-exit",
        "os._exit(0) before any answer: the kernel is gone, nothing is graded, the reason "
        "names the cell.",
        extra="import os\n\nos._exit(0)",
        statuses=(CRASHED,),
        reason=r"\bcell \d+",
    ),
    Case(
        "segfault",
        "A segmentation fault through ctypes: the kernel dies, the reason names the cell.",
        extra="import ctypes\n\nctypes.string_at(0)",
        statuses=(CRASHED,),
        reason=r"\bcell \d+",
    ),
    Case(
        "hang-in-call",
        "perceptron_predict ignores SIGINT and spins when a test calls it. The test's cell "
        "times out and the kernel is killed: the rest is not run, nothing is earned.",
        answers={
            "perceptron_predict": """
def perceptron_predict(x, w, b):
    import signal
    import time

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        pass
    end = time.monotonic() + 120
    while time.monotonic() < end:
        pass
"""
        },
        statuses=(TIMED_OUT,),
        reason=r"\bcell \d+",
    ),
    Case(
        "crash-in-call",
        "perceptron_predict calls os._exit when a test calls it: the student's kernel dies "
        "under the test. Crashed (the reason names the cell), or graded with that test "
        "failed; nothing is earned.",
        answers={
            "perceptron_predict": "def perceptron_predict(x, w, b):\n    import os\n\n"
            "    os._exit(3)"
        },
        statuses=(CRASHED, GRADED),
        check=crash_names_a_cell,
    ),
    # ---------------------------------------------------------------- faking the score
    Case(
        "transformer-pass",
        "An input transformer turns every cell that mentions `grading` (the tests) into "
        "`pass`. Test cells never run in the student's kernel: it changes nothing.",
        extra=TRANSFORMER_PASS,
        statuses=(GRADED, CRASHED),
    ),
    Case(
        "transformer-try",
        "An input transformer wraps every cell in try/except BaseException: pass, so failing "
        "tests raise nothing. Test cells run in the checker, untouched.",
        extra=TRANSFORMER_TRY,
        answers=WRONG,
        statuses=(GRADED, CRASHED),
    ),
    Case(
        "ast-transformer",
        "An AST transformer drops every assert and every statement that mentions grading. "
        "The checker's kernel has no such transformer.",
        extra=AST_TRANSFORMER,
        answers=WRONG,
        statuses=(GRADED, CRASHED),
    ),
    Case(
        "run-cell-patched",
        "Replaces the shell's run_cell and run_cell_async to run `pass` instead of tests. "
        "The checker never asks the student's shell to run a test.",
        extra=RUN_CELL,
        answers=WRONG,
        statuses=(GRADED, CRASHED),
    ),
    Case(
        "swallow-errors",
        "Replaces run_code to report success whatever happens, and showtraceback by nothing: "
        "a failing cell looks like a passing one. Only the checker's kernel decides.",
        extra=SWALLOW_ERRORS,
        answers=WRONG,
        statuses=(GRADED, CRASHED),
    ),
    Case(
        "custom-exc",
        "set_custom_exc((BaseException,), …): errors print 'All tests passed!' and no "
        "traceback. The tests' errors are the checker's, not the student's kernel's.",
        extra=CUSTOM_EXC,
        answers=WRONG,
        statuses=(GRADED, CRASHED),
    ),
    Case(
        "numpy-patched",
        "numpy.allclose, isclose, array_equal and numpy.testing's asserts always agree. The "
        "checker compares with its own numpy, on plain data.",
        extra=NUMPY_PATCHED,
        answers=WRONG,
    ),
    Case(
        "builtins-patched",
        "builtins.__import__ hands the tests a fake mlpbook.grading, builtins.isinstance says "
        "yes to it. The checker's builtins are its own.",
        extra=BUILTINS_PATCHED,
        answers=WRONG,
        statuses=(GRADED, CRASHED),
    ),
    Case(
        "grading-patched",
        "Replaces mlpbook.grading's run, unpack and checks by ones that pass everything, "
        "blank answers included. The checker imports its own mlpbook.grading.",
        extra=GRADING_PATCHED,
    ),
    Case(
        "settrace-rewrite",
        "A sys.settrace hook sets `got = expected` in each check's frame as it is called. "
        "The checks run in the checker, where no such hook is.",
        extra=SETTRACE,
        answers=WRONG,
        statuses=(GRADED, CRASHED),
    ),
    Case(
        "fake-output",
        "Prints 'All tests passed!' and an nbgrader-looking score, and clears each cell's "
        "output after it runs. Scores come from the tests' outcome, not from any output.",
        extra=FAKE_OUTPUT,
        check=scored_nothing,
    ),
    Case(
        "html-injection",
        "Displays <script>, an <img onerror>, JavaScript, and returns an object whose repr is "
        "markup. The feedback and the report show it as text, never as live markup.",
        extra=HTML_INJECTION,
        answers={"perceptron_predict": "def perceptron_predict(x, w, b):\n    return _Markup()"},
        check=no_raw_html,
    ),
    Case(
        "edited-tests",
        "Every test cell's source replaced by `pass`. Locked cells are put back from the "
        "source, and the repairs reported.",
        tests=dict.fromkeys(TESTS, "pass"),
        check=all_of(repaired, scored_nothing),
    ),
    Case(
        "deleted-tests",
        "Every test cell deleted. They are put back from the source, and reported.",
        delete=TESTS,
        check=all_of(repaired, scored_nothing),
    ),
    Case(
        "fake-test-cell",
        "Adds a graded cell `test_bonus` worth 100 points, and a `pass` twin of "
        "test_perceptron_predict above the real one. Only the source's test cells count.",
        transform=_fake_test_cells,
        check=only_the_sources_points,
    ),
    Case(
        "inflated-points",
        "Sets every test cell's points to 100 and makes the answer cells graded cells. Points "
        "come from the source.",
        transform=_inflated_points,
        check=only_the_sources_points,
    ),
    Case(
        "eq-always-true",
        "Returns objects equal to anything (and an int subclass whose != is always False). "
        "They reach the tests as handles or plain numbers, never with their own __eq__.",
        extra=EQ_ALWAYS_TRUE,
        answers=EQ_ANSWERS,
        statuses=(GRADED, TIMED_OUT),
    ),
    Case(
        "numpy-subclass",
        "Returns an ndarray subclass that is equal and close to anything. The tests get "
        "plain arrays.",
        extra=NUMPY_SUBCLASS,
        answers={**WRONG, **SUBCLASS_ANSWERS},
    ),
    Case(
        "rpc-flood",
        "Returns 128 MiB arrays, a 256 MB string, a list of 16 M numbers. What crosses to the "
        "checker is capped, so each is refused at once: no test runs into a time limit.",
        answers=RPC_FLOOD,
        check=no_test_timed_out,
    ),
    Case(
        "rpc-recursive",
        "Returns cyclic lists and dicts and tuples nested 200,000 deep. Encoding and decoding "
        "them neither hangs nor crashes the checker; the tests fail.",
        extra=RPC_RECURSIVE,
        answers=RECURSIVE_ANSWERS,
        statuses=(GRADED, TIMED_OUT),
    ),
    Case(
        "endless-repr",
        "Returns (once) an object whose repr, __array__, __len__ and __float__ spin for a "
        "minute. The test that looks at it is stopped by the time limits; nothing is earned.",
        extra=ENDLESS_REPR,
        answers={"perceptron_predict": STALL_ONCE},
        statuses=(GRADED, TIMED_OUT),
    ),
    # ---------------------------------------------------------------- the library's answers
    Case(
        "own-work-import-in-if",
        "Parts 1-3 are mlpbook.perceptron's functions, imported inside an `if` block.",
        answers=_own_work(OWN_WORK_IMPORT_IN_IF),
    ),
    Case(
        "own-work-defs-in-if",
        "Parts 1-3 call mlpbook.perceptron from `def`s inside an `if True:` block.",
        answers=_own_work(OWN_WORK_DEFS_IN_IF),
    ),
    Case(
        "own-work-magic-line",
        "Parts 1-3 are mlpbook.perceptron's, in a cell an IPython magic makes unparsable.",
        answers=_own_work(OWN_WORK_MAGIC),
    ),
    Case(
        "own-work-getsource",
        "Parts 1-3 are exec(inspect.getsource(mlpbook.perceptron)).",
        answers=_own_work(OWN_WORK_GETSOURCE),
    ),
    Case(
        "own-work-demo-globals",
        "Parts 1-3 reached through mlpbook.demo's globals, with literal strings only.",
        answers=_own_work(OWN_WORK_GLOBALS),
    ),
    Case(
        "own-work-no-hook",
        "Removes the kernel's import hook, then imports mlpbook.perceptron: the sandbox "
        "shows a stub in its place, so the import still fails.",
        answers=_own_work(OWN_WORK_NO_HOOK),
        requires=("sandbox",),
    ),
    # ---------------------------------------------------------------- reading the tests
    Case(
        "spy-transformer",
        "An input transformer prints the code of every cell the kernel runs, hoping for the "
        "hidden tests in its output. Tests never run in the student's kernel.",
        extra=SPY,
    ),
    Case(
        "frame-snoop",
        "Answers read their callers' frames (sys._getframe, inspect.stack, linecache, In): "
        "print the test's code, raise it as a message, and take the expected answer from the "
        "test's variables. The callers are the checker's RPC, not the tests.",
        extra=SNOOP,
        answers=SNOOP_ANSWERS,
    ),
]

_names = [c.name for c in CASES]
assert len(_names) == len(set(_names)), "two cases of the same name"
