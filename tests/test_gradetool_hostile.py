"""Grading is safe against hostile students: the catalog `hostile.catalog.CASES`, graded.

One class is graded once, for real, in a temporary copy of the course, with short timeouts
and small limits (`hostile.catalog.LIMITS`): two honest students with the full solution (one
before the hostile ones in name order, one after), one blank notebook, and every hostile case
whose required protections are in force (``gradetool.sandbox.capabilities``). A case whose
protection is not in force is left out of the class and its test is skipped, saying which
and why: it is never run. Each case must score at most its ``max_points``, get one of its
statuses and a reason that matches, pass its own check, and show no line of the hidden
tests to the student; the honest students must get every point, the blank none, the batch
must give every student a result, and nothing outside the temporary course may change.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import inspect
import json
import os
import re
import secrets
import signal
import site
import socket
import sqlite3
import sys
import sysconfig
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from gradingkit import (
    ROOT,
    course_env,
    gradebook_scores,
    hidden_lines,
    released_course,
    solved,
    source,
)
from hostile.catalog import CASES, FULL, LIMITS, TESTS, Case, Env, Seen, make_notebook

from gradetool.results import GRADED

ASSIGNMENT = "ch01_perceptron"
HONEST = ("aaa-honest", "zzz-honest")  # around the hostile-* students in name order
BLANK = "blank"
CAPABILITIES = (
    "sandbox",
    "network_isolated",
    "course_hidden",
    "separate_uid",
    "memory",
    "processes",
    "file_size",
    "open_files",
)
# the repository's own files that a submission would aim at: they must not change
WATCHED = (
    "solutions/ch01_perceptron",
    "chapters/01_perceptron",
    "autograder/gradebook.db",
    "autograder/release",
)


# ---------------------------------------------------------------------------- set-up


class Listener:
    """A TCP server on 127.0.0.1 that records what any connection sends."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    data = conn.recv(200)
                except OSError:
                    data = b""
            self.received.append(data or b"<connected>")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def capabilities(course: Path) -> dict:
    """What the grader really enforces here; nothing when it cannot say (the old tool)."""
    from gradetool import batch

    none = dict.fromkeys(CAPABILITIES, False)
    if "limits" not in inspect.signature(batch.grade).parameters:
        return {**none, "reason": "gradetool.batch.grade takes no limits"}
    try:
        from gradetool.sandbox import capabilities as probe
    except ImportError as exc:
        return {**none, "reason": f"no gradetool.sandbox ({exc})"}
    caps = dict(probe(LIMITS, course=course))
    caps.setdefault("reason", "")
    return caps


def missing(case: Case, caps: dict) -> list[str]:
    return [name for name in case.requires if not caps.get(name)]


@dataclass
class Graded:
    """The class, graded once, and what it left."""

    env: Env
    caps: dict
    students: list[str]
    batch: object  # BatchResult
    seconds: float
    seen: dict[str, Seen]
    submitted: dict[str, dict]  # student → notebook
    hidden: list[str]  # lines of the hidden tests found nowhere else
    changed_outside: list[str]
    escaped: list[str]
    lingering: list[int]
    gradebook: dict[str, float]  # student → total score in the gradebook
    summary: dict = field(default_factory=dict)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    course, notebook, source_nb, release_nb = released_course(tmp / "base", ASSIGNMENT)
    solution = solved(source_nb, release_nb)
    canary = tmp / "canary"
    canary.mkdir()
    (canary / "canary.txt").write_text("no submission may touch this\n")
    listener = Listener()
    env = Env(course, ASSIGNMENT, notebook, listener.port, secrets.token_hex(4), canary, LIMITS)
    lingering: list[int] = []
    escaped: list[str] = []
    try:
        caps = capabilities(course)
        runnable = [c for c in CASES if not missing(c, caps)]
        submitted = {HONEST[0]: solution, HONEST[1]: solution, BLANK: release_nb}
        submitted |= {c.student: make_notebook(c, env, release_nb, solution) for c in runnable}
        subs = tmp / "submissions"
        for student, nb in submitted.items():
            folder = subs / student / ASSIGNMENT
            folder.mkdir(parents=True)
            (folder / f"{notebook}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")

        before = snapshot(canary)
        from gradetool import batch as batching

        kwargs = {"limits": LIMITS}
        if "limits" not in inspect.signature(batching.grade).parameters:
            kwargs = {"cell_timeout": LIMITS.cell_timeout, "timeout": LIMITS.timeout}
        with pytest.MonkeyPatch.context() as mp, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbgrader's SQLAlchemy warnings
            for key, value in course_env(course).items():
                mp.setenv(key, value)
            start = time.perf_counter()
            result = batching.grade(ASSIGNMENT, subs, course=course, **kwargs)
            seconds = time.perf_counter() - start
        lingering = find_processes(env.process_name)
        after = snapshot(canary)
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        wrote = [p for s in submitted for p in wrote_paths(course, s, notebook)]
        escaped = find_probes(env, wrote)
        tampering = gradebook_tampering(course)
        report = read(course / "autograder" / "reports" / f"{ASSIGNMENT}.html") or ""
        tests = {
            gid: float(c["metadata"]["nbgrader"]["points"])
            for c in source_nb["cells"]
            if (gid := c["metadata"].get("nbgrader", {}).get("grade_id")) in TESTS
        }
        seen = {}
        for student in submitted:
            seen[student] = Seen(
                student=student,
                env=env,
                result=result.students.get(student),
                notebook=executed(course, student, notebook),
                feedback=read(feedback_path(course, student, notebook)),
                report=report,
                connections=list(listener.received),
                gradebook_tampering=tampering,
                lingering=lingering,
                escaped=escaped,
                tests=tests,
            )
        totals = gradebook_scores(course, ASSIGNMENT, notebook)
        done = Graded(
            env,
            caps,
            sorted(submitted),
            result,
            seconds,
            seen,
            submitted,
            _hidden_lines(source_nb),
            changed,
            escaped,
            lingering,
            {student: sum(parts.values()) for student, parts in totals.items()},
        )
        done.summary = summarise(done)
        (tmp / "summary.json").write_text(json.dumps(done.summary, indent=1))
        print(f"\nhostile class: {len(submitted)} students in {seconds:.1f} s; {tmp}")
        yield done
    finally:
        listener.close()
        for pid in lingering or find_processes(env.process_name):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        for path in escaped or find_probes(env, []):
            with contextlib.suppress(OSError):
                os.remove(path)


def snapshot(canary: Path) -> dict[str, str]:
    """A hash of every file a submission would aim at outside the temporary course."""
    files = {}
    roots = [ROOT / w for w in WATCHED] + [canary]
    for root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in paths:
            if "__pycache__" in path.parts:
                continue
            files[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    for name in ("submitted", "autograded", "feedback"):
        files[f"{ROOT}/autograder/{name} exists"] = str((ROOT / "autograder" / name).exists())
    return files


def find_processes(name: str, wait: float = 3.0) -> list[int]:
    """Pids of live processes named ``name`` (after ``wait`` s for the dying to go)."""
    until = time.monotonic() + wait
    while True:
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            with contextlib.suppress(OSError):
                comm = Path(f"/proc/{entry}/comm").read_text().strip()
                state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
                if comm == name and state != "Z":
                    pids.append(int(entry))
        if not pids or time.monotonic() > until:
            return pids
        time.sleep(0.2)


def find_probes(env: Env, wrote: list[str]) -> list[str]:
    """Probe files (`Env.probe_name`) visible here: written outside any sandbox."""
    import mlpbook

    folders = [
        env.course,
        env.course / "solutions" / env.assignment,
        env.course / "autograder",
        env.canary,
        Path("/tmp"),
        Path.home(),
        Path.home() / ".ipython" / "profile_default" / "startup",
        Path(sysconfig.get_paths()["purelib"]),
        Path(site.getusersitepackages()),
        Path(sys.prefix),
        Path(mlpbook.__file__).parent,
    ]
    found = {str(f / env.probe_name) for f in folders if (f / env.probe_name).exists()}
    found |= {p for p in wrote if Path(p).name == env.probe_name and Path(p).exists()}
    return sorted(found)


def wrote_paths(course: Path, student: str, notebook: str) -> list[str]:
    """The paths a probe says it wrote (``WROTE label path`` lines)."""
    nb = executed(course, student, notebook)
    if nb is None:
        return []
    out = Seen(student, None, None, nb, None).output  # type: ignore[arg-type]
    return re.findall(r"^WROTE \S+ (/\S+)$", out, re.M)


def gradebook_tampering(course: Path) -> list[str]:
    """What the gradebook holds that the grader never writes."""
    db = course / "autograder" / "gradebook.db"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        found = [
            f"table {name}"
            for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if name.startswith("hostile")
        ]
        rows = con.execute(
            "SELECT count(*) FROM grade WHERE manual_score IS NOT NULL OR extra_credit IS NOT NULL"
        ).fetchone()[0]
        if rows:
            found.append(f"{rows} grades with a manual score or extra credit")
    finally:
        con.close()
    return found


def executed(course: Path, student: str, notebook: str) -> dict | None:
    """The executed notebook: autograded/, else the tool's copy of a failed one."""
    work = course / "autograder"
    for path in (
        work / "autograded" / student / ASSIGNMENT / f"{notebook}.ipynb",
        work / ".gradetool" / ASSIGNMENT / "failed" / f"{student}.ipynb",
    ):
        text = read(path)
        if text is not None:
            return json.loads(text)
    return None


def feedback_path(course: Path, student: str, notebook: str) -> Path:
    return course / "autograder" / "feedback" / student / ASSIGNMENT / f"{notebook}.html"


def _hidden_lines(source_nb: dict) -> list[str]:
    lines = hidden_lines(source_nb)
    assert "rng_test = grading.case_rng(1)" in lines, "the hidden tests changed"
    return lines


def read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None


def leaks(graded: Graded, student: str) -> list[str]:
    """Lines of the hidden tests in what the student sees: feedback, reason, messages."""
    seen = graded.seen[student]
    own = {
        line.strip() for c in graded.submitted[student]["cells"] for line in source(c).splitlines()
    }
    texts = [html.unescape(re.sub(r"<[^>]*>", "", seen.feedback or ""))]
    if seen.result is not None:
        texts += [seen.result.reason, *(p.message for p in seen.result.parts.values())]
    text = "\n".join(texts)
    found = [line for line in graded.hidden if line in text and line not in own]
    if "HIDDEN TESTS" in text:
        found.append("### BEGIN HIDDEN TESTS")
    return found


def summarise(graded: Graded) -> dict:
    rows = {}
    for student, seen in graded.seen.items():
        r = seen.result
        rows[student] = (
            {"status": None}
            if r is None
            else {"status": r.status, "score": r.score, "reason": r.reason[:300]}
        )
    return {"seconds": graded.seconds, "capabilities": graded.caps, "students": rows}


def describe(seen: Seen) -> str:
    r = seen.result
    head = f"{seen.student}: status {r.status!r}, score {r.score}, reason {r.reason!r}"
    out = seen.output
    return f"{head}\noutputs ({len(out):,} characters): {out[:1500]!r}"


# ---------------------------------------------------------------------------- each case


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_submission(graded, case: Case):
    gone = missing(case, graded.caps)
    if gone:
        pytest.skip(
            f"{case.name}: {', '.join(gone)} is not in force here: "
            f"{graded.caps.get('reason') or 'capabilities() says so'}; not run"
        )
    seen = graded.seen[case.student]
    result = seen.result
    assert result is not None, f"{case.student}: no result, the batch did not grade it"
    problems = []
    if seen.score > case.max_points:
        problems.append(f"scored {seen.score:g} > {case.max_points:g} allowed")
    recorded = graded.gradebook.get(case.student)
    if recorded is not None and recorded > case.max_points:
        problems.append(f"the gradebook holds {recorded:g} > {case.max_points:g} allowed")
    if result.status not in case.statuses:
        problems.append(f"status {result.status!r}, not one of {case.statuses}")
    if case.reason and not re.search(case.reason, result.reason):
        problems.append(f"reason {result.reason!r} does not match {case.reason!r}")
    if result.reason.startswith("grading failed"):
        problems.append(f"the grader itself failed: {result.reason!r}")
    leaked = leaks(graded, case.student)
    if leaked:
        problems.append(f"the student sees hidden tests: {leaked[:3]}")
    if case.check is not None:
        try:
            case.check(seen)
        except AssertionError as exc:
            problems.append(f"check: {exc}")
    assert not problems, f"{case.name}: {case.doc}\n{describe(seen)}\n- " + "\n- ".join(problems)


# ---------------------------------------------------------------------------- the class


def test_honest_students_get_every_point(graded):
    for student in HONEST:
        seen = graded.seen[student]
        assert seen.result is not None, f"{student}: no result"
        assert seen.status == GRADED and seen.score == FULL, describe(seen)
        recorded = graded.gradebook.get(student)
        assert recorded == FULL, f"{student}: the gradebook holds {recorded}, not {FULL:g}"
        assert not seen.result.repairs, f"{student}: repairs {seen.result.repairs}"


def test_blank_gets_nothing(graded):
    seen = graded.seen[BLANK]
    assert seen.result is not None, "blank: no result"
    assert seen.status == GRADED and seen.score == 0, describe(seen)
    assert graded.gradebook.get(BLANK) == 0, f"the gradebook holds {graded.gradebook.get(BLANK)}"


def test_every_student_has_a_result(graded):
    got = set(graded.batch.students)
    assert got == set(graded.students), (
        f"no result for {sorted(set(graded.students) - got)}; "
        f"unknown results {sorted(got - set(graded.students))}"
    )
    assert not graded.batch.interrupted, "the batch was interrupted"
    skipped = [s for s, r in graded.batch.students.items() if r.status == "skipped"]
    assert not skipped, f"skipped in a first run: {skipped}"


def test_nothing_outside_the_course_changed(graded):
    assert not graded.changed_outside, f"changed outside the course: {graded.changed_outside}"
    assert not graded.escaped, f"files left outside the sandbox: {graded.escaped}"
    assert not graded.lingering, f"processes outlived their kernel: {graded.lingering}"


def test_gradebook_holds_what_the_grader_wrote(graded):
    tampering = gradebook_tampering(graded.env.course)
    assert not tampering, f"gradebook tampered with: {tampering}"
