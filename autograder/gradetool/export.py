"""The grades as CSV files: for the instructor, per test, and for Canvas.

``<assignment>-grades.csv``
    One row per student: ``student, status, reason, score, max_score``, then the columns
    of ``nbgrader export`` (``assignment, duedate, timestamp, student_id, last_name,
    first_name, email, raw_score, late_submission_penalty``). ``score`` is what the gradebook
    holds: after a failed regrade, the previous score (the reason says so).
``<assignment>-tests.csv``
    One row per student and autograded test cell: ``student, grade_id, points, max_points,
    passed, message``.
``<assignment>-canvas.csv``
    Canvas's gradebook import format: ``Student, ID, SIS User ID, SIS Login ID, Section`` and
    one assignment column (``<name> (<Canvas id>)`` for an existing Canvas assignment; a new
    name creates one). The student id goes into ``SIS Login ID``, the Canvas user id (read
    from Canvas file names) into ``ID``; the name, when the gradebook has it, into
    ``Student`` as "Last, First"; other columns stay empty, as does the score of a student
    with no grade.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .results import FAILURES, StudentResult

GRADES_COLUMNS = [
    "student",
    "status",
    "reason",
    "score",
    "max_score",
    "assignment",
    "duedate",
    "timestamp",
    "student_id",
    "last_name",
    "first_name",
    "email",
    "raw_score",
    "late_submission_penalty",
]
TESTS_COLUMNS = ["student", "grade_id", "points", "max_points", "passed", "message"]
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def _num(value) -> str:
    return "" if value is None else f"{float(value):g}"


def _text(value) -> str:
    return "" if value is None else str(value)


def _write(path: Path, header: list[str], rows: list[list]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    tmp.replace(path)
    return path


def export(
    folder: Path,
    assignment: str,
    results: dict[str, StudentResult],
    gradebook: dict[str, dict],
    *,
    canvas_ids: dict[str, str] | None = None,
    canvas_column: str | None = None,
) -> list[Path]:
    """Write the three CSV files into ``folder``.

    Parameters
    ----------
    folder : Path
        ``autograder/exports``.
    assignment : str
    results : dict of str to StudentResult
        Every student's latest result.
    gradebook : dict of str to dict
        `GradebookWriter.submissions`: what nbgrader's gradebook holds, by student.
    canvas_ids : dict of str to str, optional
        Student → Canvas user id.
    canvas_column : str, optional
        The assignment column's header in the Canvas file (default: the assignment id).

    Returns
    -------
    list of Path
        The files written.
    """
    canvas_ids = canvas_ids or {}
    grades, tests, canvas = [], [], []
    for student in sorted(set(results) | set(gradebook)):
        result = results.get(student)
        gb = gradebook.get(student, {})
        score = gb.get("score") if gb else None
        status = result.status if result else "graded"
        reason = result.reason if result else "graded by nbgrader"
        if result and status in FAILURES and score is not None:
            reason += f"; the gradebook keeps the previous score, {score:g}"
        max_score = result.max_score if result else gb.get("max_score")
        grades.append(
            [
                student,
                status,
                reason,
                _num(score),
                _num(max_score),
                assignment,
                _text(gb.get("duedate")),
                _text(gb.get("timestamp")),
                student,
                _text(gb.get("last_name")),
                _text(gb.get("first_name")),
                _text(gb.get("email")),
                _num(gb.get("raw_score")),
                _num(gb.get("late_submission_penalty")),
            ]
        )
        for gid, part in (result.parts if result else {}).items():
            tests.append(
                [student, gid, _num(part.points), _num(part.max_points), part.passed, part.message]
            )
        name = ", ".join(x for x in (gb.get("last_name"), gb.get("first_name")) if x)
        canvas.append([name, canvas_ids.get(student, ""), "", student, "", _num(score)])
    folder = Path(folder)
    return [
        _write(folder / f"{assignment}-grades.csv", GRADES_COLUMNS, grades),
        _write(folder / f"{assignment}-tests.csv", TESTS_COLUMNS, tests),
        _write(
            folder / f"{assignment}-canvas.csv",
            [*CANVAS_COLUMNS, canvas_column or assignment],
            canvas,
        ),
    ]
