"""nbgrader's gradebook, written by one process only: the batch's main process.

The gradebook stays the source of truth: for each graded student this writes what
``nbgrader autograde`` writes (the student, the submission and its timestamp, each test
cell's ``auto_score``, the answer cells' ``auto_comment``), so ``nbgrader export`` and
formgrader work as usual. One transaction per student. The autograder's comment on an answer
cell is nbgrader's "No response." when it was left as released, else the failure messages of
its tests.

An assignment not yet in the gradebook (or whose test cells changed) is created as
``nbgrader generate_assignment`` does, by calling it.
"""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path

from .course import Assignment, Course, GradetoolError, nbgrader_ready
from .repair import grade_id, is_locked, source_text
from .results import StudentResult


@contextlib.contextmanager
def _quiet():
    """nbgrader 0.9.6 with SQLAlchemy 2.x warns on every query: nothing to act on."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def ensure_assignment(course: Course, assignment: Assignment) -> bool:
    """Make sure the gradebook knows the assignment and its current test cells.

    Returns
    -------
    bool
        True if ``generate_assignment`` had to run.

    Raises
    ------
    GradetoolError
        If nbgrader cannot generate it.
    """
    nbgrader_ready()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(course.db_url) as gb:
            try:
                nb = gb.find_notebook(assignment.notebook, assignment.name)
                cells = {c.name: float(c.max_score) for c in nb.grade_cells}
                sources = {c.name: c.source for c in nb.source_cells}
            except MissingEntry:
                cells = sources = None
        if cells is not None and _current(assignment, cells, sources):
            return False
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=course.config)
        coursedir.root = str(course.root)
        api = NbGraderAPI(coursedir, config=course.config)
        result = api.generate_assignment(assignment.name, force=True, create=True)
    if not result.get("success"):
        log = (result.get("log") or result.get("error") or "").strip().splitlines()[-8:]
        raise GradetoolError(
            f"nbgrader generate_assignment {assignment.name} failed:\n" + "\n".join(log)
        )
    return True


def _current(assignment: Assignment, cells: dict, sources: dict) -> bool:
    """Whether the gradebook's copy of the assignment has the source's tests and points."""
    wanted = {gid: float(points) for gid, points in assignment.tests.items()}
    if any(cells.get(gid) != points for gid, points in wanted.items()):
        return False
    # nbgrader keeps each locked cell's text: a changed test must be stored again
    return all(
        sources.get(grade_id(cell)) == source_text(cell)
        for cell in assignment.source["cells"]
        if is_locked(cell) and grade_id(cell)
    )


class GradebookWriter:
    """The gradebook, open for the whole batch; only the main process holds one.

    Parameters
    ----------
    db_url : str
        ``CourseDirectory.db_url``.
    """

    def __init__(self, db_url: str) -> None:
        nbgrader_ready()
        with _quiet():
            from nbgrader.api import Gradebook

            self.gb = Gradebook(db_url)

    def close(self) -> None:
        with contextlib.suppress(Exception), _quiet():
            self.gb.close()

    def __enter__(self) -> GradebookWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def write(
        self,
        assignment: Assignment,
        result: StudentResult,
        *,
        timestamp: str | None = None,
        unanswered: list[str] = (),
    ) -> None:
        """Record a graded result: its scores and comments, in one transaction."""
        gb = self.gb
        with _quiet():
            try:
                gb.update_or_create_student(result.student)
                kwargs = {"timestamp": timestamp} if timestamp else {}
                gb.update_or_create_submission(assignment.name, result.student, **kwargs)
                nb = gb.find_submission_notebook(
                    assignment.notebook, assignment.name, result.student
                )
                for grade in nb.grades:
                    part = result.parts.get(grade.name)
                    if part is not None:
                        grade.auto_score = float(part.points)
                        grade.needs_manual_grade = grade.manual_score is not None
                for comment in nb.comments:
                    comment.auto_comment = _comment(assignment, result, comment.name, unanswered)
                gb.db.commit()
            except Exception:
                gb.db.rollback()
                raise

    def has_submission(self, assignment: str, student: str) -> bool:
        """Whether the gradebook holds a submission of ``student``."""
        from nbgrader.api import MissingEntry

        with _quiet():
            try:
                self.gb.find_submission(assignment, student)
            except MissingEntry:
                return False
        return True

    def score(self, assignment: str, student: str) -> float | None:
        """The score the gradebook holds for ``student`` (None without a submission)."""
        from nbgrader.api import MissingEntry

        with _quiet():
            try:
                return float(self.gb.find_submission(assignment, student).score)
            except MissingEntry:
                return None

    def submissions(self, assignment: str) -> dict[str, dict]:
        """Student → nbgrader's export fields of their submission (as ``nbgrader export``)."""
        from nbgrader.api import MissingEntry

        out = {}
        with _quiet():
            try:
                subs = self.gb.assignment_submissions(assignment)
            except MissingEntry:
                return {}
            for sub in subs:
                student = sub.student
                raw = float(sub.score)
                penalty = float(sub.late_submission_penalty or 0.0)
                out[student.id] = {
                    "assignment": assignment,
                    "duedate": sub.duedate,
                    "timestamp": sub.timestamp,
                    "student_id": student.id,
                    "last_name": student.last_name,
                    "first_name": student.first_name,
                    "email": student.email,
                    "raw_score": raw,
                    "late_submission_penalty": penalty,
                    "score": raw - penalty,
                    "max_score": float(sub.max_score),
                }
        return out


def _comment(assignment: Assignment, result: StudentResult, answer: str, unanswered) -> str | None:
    """The autograder's comment on an answer cell: "No response." or its failed tests."""
    if answer in unanswered:
        return "No response."
    failed = [
        f"{gid}: {part.message}"
        for gid, part in result.parts.items()
        if not part.passed and assignment.answer_of.get(gid) == answer
    ]
    return "\n".join(failed) or None


SUBMISSIONS_SQL = """
SELECT s.id, s.first_name, s.last_name, s.email, sa.timestamp, a.duedate,
  (SELECT COALESCE(SUM(CASE
      WHEN g.manual_score IS NOT NULL THEN g.manual_score + COALESCE(g.extra_credit, 0)
      WHEN g.auto_score IS NOT NULL THEN g.auto_score + COALESCE(g.extra_credit, 0)
      ELSE 0 END), 0)
   FROM grade g JOIN submitted_notebook sn ON g.notebook_id = sn.id
   WHERE sn.assignment_id = sa.id),
  (SELECT COALESCE(SUM(sn.late_submission_penalty), 0) FROM submitted_notebook sn
   WHERE sn.assignment_id = sa.id),
  (SELECT COALESCE(SUM(c.max_score), 0) FROM notebook n JOIN base_cell b ON b.notebook_id = n.id
   JOIN (SELECT id, max_score FROM grade_cells UNION ALL SELECT id, max_score FROM task_cells) c
   ON c.id = b.id WHERE n.assignment_id = a.id)
FROM submitted_assignment sa
JOIN assignment a ON sa.assignment_id = a.id
JOIN student s ON sa.student_id = s.id
WHERE a.name = ?
"""


def read_submissions(db_url: str, assignment: str) -> dict[str, dict]:
    """What the gradebook holds for ``assignment``, by student, as ``nbgrader export`` has it.

    A SQLite gradebook is read directly, read-only, with nbgrader's own score rules (a
    grade's score is its manual score, else its automatic one, plus extra credit): without
    loading nbgrader, an unchanged rerun, the exports and the report take a second. Any other
    database goes through nbgrader's API.

    Returns
    -------
    dict of str to dict
        Student → ``assignment, duedate, timestamp, student_id, last_name, first_name,
        email, raw_score, late_submission_penalty, score, max_score``; {} when there is no
        gradebook yet.
    """
    import sqlite3

    if not db_url.startswith("sqlite:///"):
        with GradebookWriter(db_url) as writer:
            return writer.submissions(assignment)
    path = Path(db_url.removeprefix("sqlite:///"))
    if not path.is_file():
        return {}
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        rows = db.execute(SUBMISSIONS_SQL, (assignment,)).fetchall()
    except sqlite3.OperationalError:  # no such table: not a gradebook yet
        return {}
    finally:
        db.close()
    out = {}
    for student, first, last, email, timestamp, duedate, raw, penalty, max_score in rows:
        out[student] = {
            "assignment": assignment,
            "duedate": duedate,
            "timestamp": timestamp,
            "student_id": student,
            "last_name": last,
            "first_name": first,
            "email": email,
            "raw_score": float(raw),
            "late_submission_penalty": float(penalty),
            "score": float(raw) - float(penalty),
            "max_score": float(max_score),
        }
    return out


def read_timestamp(folder: Path) -> str | None:
    """nbgrader's ``timestamp.txt`` of a submission folder, if any."""
    path = Path(folder) / "timestamp.txt"
    with contextlib.suppress(OSError):
        text = path.read_text(encoding="utf-8").strip()
        return text or None
    return None
