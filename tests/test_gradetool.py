"""The proof that the batch-grading tool (`course-grade`, ``autograder/gradetool``) is right.

One generated class (`classgen.proof_class`: the solution, the blank notebook, mutants and
every kind of broken submission, each with the outcome it must get) is graded for real, with
kernels and nbgrader's gradebook, in temporary copies of the course: by the CLI from an
nbgrader folder, by the Python API from the same class as LMS downloads, by runs killed
halfway (SIGINT, SIGKILL) and resumed, by reruns (unchanged, changed, failing), and on a Dask
cluster. The gradebook is the source of truth for scores; the CSV exports, the feedback and
the report are checked against it. The repository's own ``autograder/`` is never touched.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import classgen
import pytest
from classgen import CRASHED, GRADED, INVALID, TIMED_OUT
from gradingkit import (
    BIN,
    course_env,
    grade_cells,
    gradebook_grades,
    gradebook_scores,
    hidden_lines,
    part_of,
    released_course,
    source,
)

ASSIGNMENT = "ch01_perceptron"
# seconds: long enough that a correct cell finishes even on a machine loaded 10x over (at 5 s,
# the 20 MB-output and blank submissions timed out at a load of 20 on 2 cores), short
# enough that the endless loops do not slow the suite much
CELL_TIMEOUT = 15
CLI = BIN / "course-grade"
SUMMARY = re.compile(
    r"graded: (\d+), failed: (\d+), timed out: (\d+), invalid: (\d+), skipped \(unchanged\): (\d+)"
)
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
TRUNCATED_BYTES = 5_000_000  # the 20 MB of output must not reach the graded notebook
DASK_STUDENTS = [
    classgen.SOLUTION,
    classgen.BLANK,
    "mutant-update-wrong-sign",
    "duplicated-test-cell",
    "sys-exit",
    classgen.KERNEL_DIES,
    classgen.INVALID_JSON,
]


# ---------------------------------------------------------------------------- set-up


@dataclass
class Setup:
    tmp: Path
    course: Path  # released, never graded: each run grades a copy
    klass: classgen.Class
    source_nb: dict

    def fresh(self, name: str, flat: bool = False, students=None) -> tuple[Path, Path]:
        """A copy of the course and of the class (its own, to change): (course, submissions)."""
        course = Path(shutil.copytree(self.course, self.tmp / name / "course"))
        subs = self.tmp / name / "submissions"
        if flat:
            self.klass.write_flat(subs, students)
        else:
            self.klass.write_nbgrader(subs, students)
        return course, subs


@dataclass
class Run:
    """One `course-grade grade` run and what it left, read right after it ended."""

    course: Path
    submissions: Path
    returncode: int
    output: str
    seconds: float
    summary: tuple[int, ...] | None
    files: dict[str, str] = field(default_factory=dict)  # autograder/… → text (outputs)
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # gradebook
    grades: dict[str, dict[str, float]] = field(default_factory=dict)  # gradebook, per cell
    sizes: dict[str, int] = field(default_factory=dict)  # autograded notebooks: bytes

    def csv(self, name: str) -> list[dict]:
        return list(csv.DictReader(io.StringIO(self.files[f"exports/{ASSIGNMENT}-{name}.csv"])))


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> Setup:
    tmp = tmp_path_factory.mktemp("gradetool")
    course, notebook, source_nb, release_nb = released_course(tmp / "base", ASSIGNMENT)
    klass = classgen.proof_class(ASSIGNMENT, notebook, source_nb, release_nb)
    return Setup(tmp, course, klass, source_nb)


@pytest.fixture(scope="module")
def environ(setup):
    """The CLI's environment in this process too (for the API and Dask's workers)."""
    with pytest.MonkeyPatch.context() as mp:
        for key, value in course_env(setup.course).items():
            mp.setenv(key, value)
        yield


def cli(*args, course: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CLI), *map(str, args)],
        cwd=course,
        env=course_env(course),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def grade_args(course: Path, subs: Path, *extra) -> list:
    return [
        "grade",
        ASSIGNMENT,
        subs,
        "--course",
        course,
        "--cell-timeout",
        CELL_TIMEOUT,
        "--no-progress",
        *extra,
    ]


def finish(setup: Setup, course, subs, returncode, output, seconds) -> Run:
    found = SUMMARY.findall(output)
    summary = tuple(map(int, found[-1])) if found else None
    run = Run(course, subs, returncode, output, seconds, summary)
    work = course / "autograder"
    for folder in ("exports", "reports", "feedback"):
        for path in (work / folder).rglob("*"):
            if path.is_file():
                run.files[str(path.relative_to(work))] = path.read_text(errors="replace")
    for path in (work / "autograded").glob(f"*/{ASSIGNMENT}/*.ipynb"):
        run.sizes[path.parts[-3]] = path.stat().st_size
    nb = setup.klass.notebook
    run.scores = (
        gradebook_scores(course, ASSIGNMENT, nb) if (work / "gradebook.db").exists() else {}
    )
    run.grades = gradebook_grades(course, ASSIGNMENT, nb) if run.scores else {}
    return run


def grade_cli(setup: Setup, course: Path, subs: Path, *extra) -> Run:
    start = time.perf_counter()
    done = cli(*grade_args(course, subs, *extra), course=course)
    seconds = time.perf_counter() - start
    return finish(setup, course, subs, done.returncode, done.stdout + done.stderr, seconds)


@pytest.fixture(scope="module")
def cli_run(setup) -> Run:
    """The whole class, nbgrader layout, graded once by the CLI with default workers."""
    return grade_cli(setup, *setup.fresh("cli"))


@pytest.fixture(scope="module")
def api_run(setup, environ):
    """The same class as LMS downloads (flat folder), graded by the Python API."""
    from gradetool import grade

    course, subs = setup.fresh("api-flat", flat=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbgrader's SQLAlchemy warnings, jupyter_client's
        result = grade(ASSIGNMENT, subs, course=course, cell_timeout=CELL_TIMEOUT)
    return result, gradebook_scores(course, ASSIGNMENT, setup.klass.notebook)


# ---------------------------------------------------------------------------- checks


def tally(statuses) -> tuple[int, ...]:
    """The summary line's counts: graded, failed, timed out, invalid, skipped."""
    statuses = list(statuses)
    order = (GRADED, CRASHED, TIMED_OUT, INVALID, "skipped")
    return tuple(statuses.count(s) for s in order)


def no_score(parts: dict[str, float] | None) -> bool:
    """Nothing in the gradebook for a submission: no entry, or only zeros."""
    return not parts or not any(parts.values())


def differences(setup: Setup, statuses: dict, scores: dict, students=None) -> list[str]:
    """Every way in which statuses and gradebook scores differ from the expected outcomes."""
    found = []
    for student in students or setup.klass.students:
        want = setup.klass.expected[student]
        who = f"{student} ({want.case})"
        if statuses.get(student) != want.status:
            found.append(f"{who}: status {statuses.get(student)!r}, expected {want.status!r}")
        got = scores.get(student)
        if want.parts is None:
            if not no_score(got):
                found.append(f"{who}: gradebook holds {got}, expected no score")
        elif got != want.parts:
            found.append(f"{who}: gradebook scores {got}, expected {want.parts}")
    return found


def report(found: list[str]) -> str:
    return "\n".join(["", *found])


# ---------------------------------------------------------------------------- the CLI run


def test_cli_grades_every_student_as_expected(setup, cli_run):
    assert cli_run.returncode == 0, f"exit {cli_run.returncode}:\n{cli_run.output[-4000:]}"
    statuses = {row["student"]: row["status"] for row in cli_run.csv("grades")}
    found = differences(setup, statuses, cli_run.scores)
    assert not found, report(found)
    want = tally(e.status for e in setup.klass.expected.values())
    assert cli_run.summary == want, f"summary line {cli_run.summary}, expected {want}"


def test_grades_csv_has_one_row_per_student_matching_the_gradebook(setup, cli_run):
    rows = cli_run.csv("grades")
    students = [row["student"] for row in rows]
    missing = set(setup.klass.students) - set(students)
    odd = {s for s in students if students.count(s) > 1 or s not in setup.klass.expected}
    assert not missing and not odd, f"no row for {sorted(missing)}; extra rows {sorted(odd)}"
    for column in ("student", "status", "reason", "score", "max_score"):
        assert column in rows[0], f"grades.csv has no column {column!r}: {list(rows[0])}"
    found = []
    for row in rows:
        student, want = row["student"], setup.klass.expected[row["student"]]
        if row["status"] != GRADED and not row["reason"].strip():
            found.append(f"{student}: status {row['status']!r} without a reason")
        score = float(row["score"]) if row["score"].strip() else None
        if student in cli_run.scores:  # the gradebook holds a submission
            gradebook = sum(cli_run.scores[student].values())
            if score != gradebook:
                found.append(f"{student}: score {row['score']!r}, gradebook {gradebook:g}")
        elif score:
            found.append(f"{student}: score {row['score']!r}, none in the gradebook")
        if want.score is not None and score != want.score:
            found.append(
                f"{student} ({want.case}): score {row['score']!r}, expected {want.score:g}"
            )
        if score is not None and float(row["max_score"] or "nan") != setup.klass.max_score:
            found.append(f"{student}: max_score {row['max_score']!r}")
    assert not found, report(found)


def test_tests_csv_has_one_row_per_student_and_test_cell(setup, cli_run):
    rows = cli_run.csv("tests")
    for column in ("student", "grade_id", "points", "max_points", "passed", "message"):
        assert column in rows[0], f"tests.csv has no column {column!r}: {list(rows[0])}"
    cells = grade_cells(setup.source_nb)
    keys = [(row["student"], row["grade_id"]) for row in rows]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    assert not twice, f"rows repeated for (student, grade_id): {twice}"
    by_key = {(row["student"], row["grade_id"]): row for row in rows}
    found = []
    for student, want in setup.klass.expected.items():
        if want.parts is None:
            continue
        if not any(s == student for s, _ in keys):
            found.append(f"{student} ({want.case}): no row at all")
            continue
        parts: dict[str, float] = {}
        for gid, max_points in cells.items():
            row = by_key.get((student, gid))
            if row is None:
                found.append(f"{student}: no row for {gid}")
                continue
            points = float(row["points"])
            parts[part_of(gid)] = parts.get(part_of(gid), 0.0) + points
            passed = row["passed"].strip().lower() in ("true", "1", "yes")
            if float(row["max_points"]) != max_points:
                found.append(f"{student} {gid}: max_points {row['max_points']}, not {max_points}")
            if passed != (points == max_points):
                found.append(f"{student} {gid}: passed={row['passed']!r} with {points} points")
            if not passed and not row["message"].strip():
                found.append(f"{student} {gid}: failed without a message")
            graded = cli_run.grades.get(student, {}).get(gid)
            if graded is not None and graded != points:
                found.append(f"{student} {gid}: {points} points, gradebook {graded}")
        if len(parts) == len(want.parts) and parts != want.parts:
            found.append(f"{student} ({want.case}): tests.csv gives {parts}, expected {want.parts}")
    assert not found, report(found)


def test_canvas_csv_has_the_canvas_header_and_every_student(setup, cli_run):
    rows = list(csv.reader(io.StringIO(cli_run.files[f"exports/{ASSIGNMENT}-canvas.csv"])))
    header = rows[0]
    assert header[: len(CANVAS_HEADER)] == CANVAS_HEADER, f"Canvas header: {header}"
    assert len(header) > len(CANVAS_HEADER), "no assignment column"
    found = []
    for student in setup.klass.students:
        holding = [row for row in rows[1:] if student in row[: len(CANVAS_HEADER)]]
        if len(holding) != 1:
            found.append(f"{student} is in {len(holding)} rows of the Canvas file")
            continue
        score = holding[0][-1].strip()
        gradebook = sum(cli_run.scores.get(student, {}).values())
        if (float(score) if score else 0.0) != gradebook:
            found.append(f"{student}: Canvas score {score!r}, gradebook {gradebook:g}")
    assert not found, report(found)


def test_feedback_hides_hidden_tests_and_loads_nothing_external(setup, cli_run):
    hidden = hidden_lines(setup.source_nb)
    assert hidden, "the source notebook has no hidden test"
    found = []
    for student, want in setup.klass.expected.items():
        if want.status != GRADED:
            continue
        name = f"feedback/{student}/{ASSIGNMENT}/{setup.klass.notebook}.html"
        if name not in cli_run.files:
            found.append(f"{student}: no {name}")
            continue
        page = cli_run.files[name]
        text = html.unescape(re.sub(r"<[^>]*>", "", page))
        own = submitted_lines(setup.klass.submissions[student])  # the student may write them
        leaked = [line for line in hidden if line in text and line not in own]
        if leaked or "HIDDEN TESTS" in text:
            found.append(f"{student}: feedback shows hidden tests: {leaked[:3]}")
        external = External()
        external.feed(page)
        if external.found:
            found.append(f"{student}: feedback loads {external.found[:3]}")
        if len(page) > TRUNCATED_BYTES:
            found.append(f"{student}: feedback of {len(page):,} bytes")
    assert not found, report(found)


def submitted_lines(submission: classgen.Submission) -> set[str]:
    """The lines of every cell of a submission's notebooks, stripped."""
    lines = set()
    for name, text in submission.files.items():
        if name.endswith(".ipynb"):
            for cell in json.loads(text)["cells"]:
                lines |= {line.strip() for line in source(cell).splitlines()}
    return lines


class External(HTMLParser):
    """Scripts and links a page loads from elsewhere (http:, https:, //)."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        url = attrs.get("src") if tag == "script" else attrs.get("href") if tag == "link" else ""
        if url and re.match(r"(https?:)?//", url.strip(), re.I):
            self.found.append(f"<{tag}> {url}")


def test_report_names_the_most_common_failure(setup, cli_run):
    failing: dict[str, int] = {}
    for student, cells in cli_run.grades.items():
        if setup.klass.expected[student].status != GRADED:
            continue
        for gid, points in cells.items():
            if points < grade_cells(setup.source_nb)[gid]:
                failing[part_of(gid)] = failing.get(part_of(gid), 0) + 1
    commonest = max(failing, key=failing.get)
    assert sorted(failing.values())[-1] > sorted(failing.values())[-2], failing
    for suffix in ("md", "html"):
        assert f"reports/{ASSIGNMENT}.{suffix}" in cli_run.files, f"no report .{suffix}"
    text = cli_run.files[f"reports/{ASSIGNMENT}.md"]
    most = re.compile(r"most (common|frequent|often)|commonest", re.I)
    lines = [line for line in text.splitlines() if most.search(line)]
    assert any(commonest in line for line in lines), (
        f"the report does not name {commonest} as the most common failure:\n{text[:3000]}"
    )


def test_huge_output_is_truncated(setup, cli_run):
    size = cli_run.sizes.get("huge-output")
    assert size is not None, "no autograded notebook for huge-output"
    assert size < TRUNCATED_BYTES, f"autograded notebook of {size:,} bytes: output not truncated"


# ---------------------------------------------------------------------------- the API, flat


def test_api_grades_lms_downloads_as_expected(setup, api_run):
    result, scores = api_run
    statuses = {s: r.status for s, r in result.students.items()}
    found = differences(setup, statuses, scores)
    for student, want in setup.klass.expected.items():
        got = result.students.get(student)
        if got is None:
            continue
        parts: dict[str, float] = {}
        for gid, part in got.parts.items():
            parts[part_of(gid)] = parts.get(part_of(gid), 0.0) + part.points
        if want.parts is not None and (got.score != want.score or parts != want.parts):
            found.append(
                f"{student}: result score {got.score}, parts {parts}, expected "
                f"{want.score}, {want.parts}"
            )
        if want.status != GRADED and not got.reason:
            found.append(f"{student}: status {got.status!r} without a reason")
        if want.repaired and not got.repairs:
            found.append(f"{student} ({want.case}): no repair reported")
        if (student == classgen.SOLUTION or student.startswith("mutant-")) and got.repairs:
            found.append(f"{student}: repairs {got.repairs} in an untouched notebook")
    assert not found, report(found)
    want = tally(e.status for e in setup.klass.expected.values())
    summary = tuple(map(int, SUMMARY.fullmatch(result.summary).groups()))
    assert summary == want, f"summary {result.summary!r}, expected {want}"


def test_flat_and_nbgrader_layouts_give_the_same_gradebook(setup, cli_run, api_run):
    flat = api_run[1]
    found = [
        f"{s}: flat {flat.get(s)}, nbgrader layout {cli_run.scores.get(s)}"
        for s in setup.klass.students
        if flat.get(s) != cli_run.scores.get(s)
    ]
    assert not found, report(found)


# ---------------------------------------------------------------------------- reruns


@dataclass
class Reruns:
    unchanged: Run
    changed: Run
    changed_students: dict[str, str]  # student → what it now is
    before: dict[str, dict[str, float]]  # gradebook before the changed rerun
    autograded_mtimes: tuple[dict, dict]  # before, after the unchanged rerun


def _mtimes(course: Path) -> dict[str, float]:
    folder = course / "autograder" / "autograded"
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*.ipynb")}


@pytest.fixture(scope="module")
def reruns(setup, cli_run) -> Reruns:
    """On the CLI run's course: a rerun with nothing changed, then one after 3 changes."""
    course, subs = cli_run.course, cli_run.submissions
    before = _mtimes(course)
    unchanged = grade_cli(setup, course, subs)
    after = _mtimes(course)
    klass, nb = setup.klass, f"{setup.klass.notebook}.ipynb"

    def resubmit(student, like):
        (subs / student / ASSIGNMENT / nb).write_text(
            klass.submissions[like].files[nb], encoding="utf-8"
        )

    resubmit(classgen.BLANK, classgen.SOLUTION)  # now right: regraded to full marks
    resubmit(classgen.SOLUTION, classgen.KERNEL_DIES)  # a failing regrade
    resubmit("extra-files", classgen.INVALID_JSON)  # a broken resubmission
    changes = {
        classgen.BLANK: "resubmitted the solution",
        classgen.SOLUTION: "resubmitted a notebook whose kernel dies",
        "extra-files": "resubmitted invalid JSON",
    }
    gradebook = gradebook_scores(course, ASSIGNMENT, klass.notebook)
    changed = grade_cli(setup, course, subs)
    return Reruns(unchanged, changed, changes, gradebook, (before, after))


def test_rerun_with_nothing_changed_skips_everyone_quickly(setup, cli_run, reruns):
    run = reruns.unchanged
    assert run.returncode == 0, run.output[-4000:]
    statuses = {row["student"]: row["status"] for row in run.csv("grades")}
    found = [
        f"{s} ({setup.klass.expected[s].case}): {status!r}, expected 'skipped'"
        for s, status in statuses.items()
        if status != "skipped"
    ]
    if run.summary != (0, 0, 0, 0, len(setup.klass.students)):
        found.append(f"summary line {run.summary}")
    before, after = reruns.autograded_mtimes
    if before != after:
        found.append(
            f"autograded/ rewritten: {sorted(k for k in after if before.get(k) != after[k])}"
        )
    if run.scores != cli_run.scores:
        found.append("the gradebook changed")
    if run.seconds > max(5.0, cli_run.seconds / 4):
        found.append(f"took {run.seconds:.1f} s (the first run {cli_run.seconds:.1f} s)")
    assert not found, report(found)


def test_changed_submissions_are_regraded_without_force(setup, cli_run, reruns):
    run = reruns.changed
    assert run.returncode == 0, run.output[-4000:]
    statuses = {row["student"]: row["status"] for row in run.csv("grades")}
    expected = {s: "skipped" for s in setup.klass.students}
    expected |= {classgen.BLANK: GRADED, classgen.SOLUTION: CRASHED, "extra-files": INVALID}
    found = [
        f"{s} ({reruns.changed_students.get(s, 'unchanged')}): {statuses.get(s)!r}, "
        f"expected {want!r}"
        for s, want in expected.items()
        if statuses.get(s) != want
    ]
    assert not found, report(found)
    assert run.scores[classgen.BLANK] == setup.klass.points, "the corrected blank"
    unchanged = {s for s in setup.klass.students if s not in reruns.changed_students}
    assert {s: run.scores.get(s) for s in unchanged} == {
        s: cli_run.scores.get(s) for s in unchanged
    }


def test_failed_regrade_keeps_the_previous_score(setup, reruns):
    run = reruns.changed
    for student in (classgen.SOLUTION, "extra-files"):
        assert run.scores.get(student) == reruns.before[student] == setup.klass.points, (
            f"{student} ({reruns.changed_students[student]}): gradebook "
            f"{run.scores.get(student)}, before {reruns.before[student]}"
        )


# ---------------------------------------------------------------------------- interrupted


GRADED_STUDENTS = """
SELECT COUNT(DISTINCT sa.student_id) FROM submitted_assignment sa
JOIN submitted_notebook sn ON sn.assignment_id = sa.id
JOIN grade g ON g.notebook_id = sn.id WHERE g.auto_score IS NOT NULL
"""


def graded_so_far(course: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{course / 'autograder' / 'gradebook.db'}?mode=ro", uri=True)
        try:
            return db.execute(GRADED_STUDENTS).fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:  # being written, or not created yet
        return 0


def running_in_group(pgid: int, wait: float) -> list[str]:
    """The processes of a group still running (zombies aside) after up to ``wait`` s."""
    deadline = time.monotonic() + wait
    while True:
        left = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                text = stat.read_text()
                # pid (comm) state ppid pgrp …: comm may hold spaces and parentheses
                state, _, group = text[text.rindex(")") + 2 :].split()[:3]
                if int(group) == pgid and state != "Z":
                    cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                    left.append(f"{stat.parent.name}: {cmdline.decode(errors='replace')[:120]}")
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


def orphans() -> list[Path]:
    """Kernel folders in the temporary folder whose grading process no longer runs."""
    from gradetool import kernels

    return [
        f
        for f in Path(tempfile.gettempdir()).glob("gradetool-*-*")
        if (m := re.match(r"gradetool-(\d+)-", f.name)) and not kernels._running(int(m.group(1)))
    ]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_killed_run_resumes_to_the_same_grades(setup, cli_run, sig):
    course, subs = setup.fresh(f"killed-{sig.name}")
    before = set(orphans())
    log = (course.parent / "log.txt").open("w")
    proc = subprocess.Popen(
        [str(CLI), *map(str, grade_args(course, subs))],
        cwd=course,
        env=course_env(course),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal job is
    )
    try:
        deadline = time.monotonic() + 120
        while graded_so_far(course) < 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert proc.poll() is None, "the run ended before 3 students were graded"
        assert graded_so_far(course) >= 3, "no 3 students graded in 120 s"
        os.killpg(proc.pid, sig)  # Ctrl-C reaches the whole foreground group
        code = proc.wait(timeout=60)
        if sig == signal.SIGINT:
            assert code == 130, f"exit {code} after Ctrl-C, expected 130"
            left = running_in_group(proc.pid, wait=5)
            assert not left, f"Ctrl-C left processes running: {left}"
    finally:
        log.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    partial = gradebook_scores(course, ASSIGNMENT, setup.klass.notebook)
    assert 3 <= len(partial) < len(setup.klass.students), "not interrupted halfway"
    rerun = grade_cli(setup, course, subs)
    assert rerun.returncode == 0, rerun.output[-4000:]
    # a SIGKILLed run cannot remove its kernels' folders: the next run does
    left = [f for f in orphans() if f not in before]
    assert not left, f"the killed run's kernel folders outlived the next run: {left}"
    assert rerun.scores == cli_run.scores, report(
        f"{s}: {rerun.scores.get(s)}, uninterrupted {cli_run.scores.get(s)}"
        for s in setup.klass.students
        if rerun.scores.get(s) != cli_run.scores.get(s)
    )
    assert rerun.summary and rerun.summary[4] > 0, f"the rerun started over: {rerun.summary}"


# ---------------------------------------------------------------------------- Dask


def test_dask_executor_grades_like_local_workers(setup, cli_run, environ):
    from distributed import Client, LocalCluster

    from gradetool import grade

    course, subs = setup.fresh("dask", students=DASK_STUDENTS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # distributed's and nbgrader's own warnings
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        with cluster, Client(cluster) as client:
            result = grade(
                ASSIGNMENT,
                subs,
                course=course,
                cell_timeout=CELL_TIMEOUT,
                executor=client.get_executor(),
            )
            # the same through the CLI, on the cluster's scheduler
            by_cli = grade_cli(
                setup,
                *setup.fresh("dask-cli", students=DASK_STUDENTS),
                "--scheduler",
                cluster.scheduler_address,
            )
    scores = gradebook_scores(course, ASSIGNMENT, setup.klass.notebook)
    statuses = {s: r.status for s, r in result.students.items()}
    found = differences(setup, statuses, scores, DASK_STUDENTS)
    cli_statuses = {row["student"]: row["status"] for row in by_cli.csv("grades")}
    found += [
        f"--scheduler: {d}" for d in differences(setup, cli_statuses, by_cli.scores, DASK_STUDENTS)
    ]
    for name, got in (("executor", scores), ("--scheduler", by_cli.scores)):
        found += [
            f"{s}: {got.get(s)} on Dask ({name}), {cli_run.scores.get(s)} locally"
            for s in DASK_STUDENTS
            if not (no_score(got.get(s)) and no_score(cli_run.scores.get(s)))
            and got.get(s) != cli_run.scores.get(s)
        ]
    assert by_cli.returncode == 0, by_cli.output[-4000:]
    assert not found, report(found)


# ---------------------------------------------------------------------------- check, usage


def test_check_exit_codes(setup):
    course, subs = setup.fresh(
        "check", students=[classgen.SOLUTION, classgen.BLANK, classgen.INVALID_JSON]
    )
    nb = f"{setup.klass.notebook}.ipynb"
    for student, want in ((classgen.BLANK, 1), (classgen.SOLUTION, 0), (classgen.INVALID_JSON, 2)):
        done = cli(
            "check",
            subs / student / ASSIGNMENT / nb,
            "--assignment",
            ASSIGNMENT,
            "--course",
            course,
            course=course,
            timeout=120,
        )
        assert done.returncode == want, (
            f"check on {student}: exit {done.returncode}, expected {want}\n"
            f"{(done.stdout + done.stderr)[-3000:]}"
        )


def test_bad_arguments_exit_2(setup):
    course, subs = setup.fresh("usage", students=[classgen.SOLUTION])
    for args in (
        ["grade", "ch99_no_such_assignment", subs, "--course", course],
        ["grade", ASSIGNMENT, course / "no-such-folder", "--course", course],
        ["grade", ASSIGNMENT, subs, "--course", course, "--workers", "0"],
    ):
        done = cli(*args, course=course, timeout=60)
        assert done.returncode == 2, f"{args[1:3]}: exit {done.returncode}\n{done.stderr[-2000:]}"
