"""Helpers for tests: a tiny assignment, a course around it, submissions of it.

The tiny assignment has two parts and runs in a blink (no imports): ``add`` (tests
``test_add``, 1 point, and ``test_add_hidden``, 2 points, hidden) and ``mul`` (``test_mul``,
1 point). `make_course` writes an nbgrader course laid out as this repository's
(``autograder/nbgrader_config.py``, sources in ``solutions/``) in a folder of your choice.
"""

from __future__ import annotations

import atexit
import copy
import json
import os
import shutil
import tempfile
from pathlib import Path

from .repair import grade_id, is_answer, source_text, strip_hidden_tests, student_version

HIDDEN_SECRET = "secret_float_case"  # appears only inside the hidden tests

# The course's own configuration files, copied into each test course so the two never drift.
_REPO = Path(__file__).resolve().parents[2]
COURSE_CONFIG = (_REPO / "autograder" / "nbgrader_config.py").read_text(encoding="utf-8")
ROOT_CONFIG = (_REPO / "nbgrader_config.py").read_text(encoding="utf-8")


def _meta(gid: str, *, grade=False, solution=False, locked=False, points=None) -> dict:
    meta = {
        "grade": grade,
        "grade_id": gid,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _cell(kind: str, text: str, cid: str, meta: dict | None = None) -> dict:
    cell = {"cell_type": kind, "id": cid, "metadata": meta or {}, "source": text}
    if kind == "code":
        cell["outputs"], cell["execution_count"] = [], None
    return cell


def code_notebook(*sources: str) -> dict:
    """A bare notebook with one code cell per source (no nbgrader metadata)."""
    cells = [
        {"cell_type": "code", "metadata": {}, "source": s, "outputs": [], "execution_count": None}
        for s in sources
    ]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def tiny_source() -> dict:
    """The source notebook of the tiny assignment (solutions and hidden tests)."""
    cells = [
        _cell("markdown", "# Tiny exercise\n\nWrite `add` and `mul`.", "intro"),
        _cell("code", "import math", "imports"),
        _cell(
            "code",
            "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION",
            "add",
            _meta("add", solution=True),
        ),
        _cell(
            "code",
            '"""add: small numbers."""\nassert add(1, 2) == 3, f"add(1, 2) returned '
            '{add(1, 2)}: expected 3"',
            "test-add",
            _meta("test_add", grade=True, locked=True, points=1),
        ),
        _cell(
            "code",
            '"""add, hidden tests."""\n### BEGIN HIDDEN TESTS\nassert add(-1, 1) == 0, '
            '"add(-1, 1) should be 0"\nassert add(2.5, 2.5) == 5.0, '
            f'"{HIDDEN_SECRET} failed"\n### END HIDDEN TESTS',
            "test-add-hidden",
            _meta("test_add_hidden", grade=True, locked=True, points=2),
        ),
        _cell("markdown", "## Part 2\n\nNow `mul`.", "part2"),
        _cell(
            "code",
            "def mul(a, b):\n    ### BEGIN SOLUTION\n    return a * b\n    ### END SOLUTION",
            "mul",
            _meta("mul", solution=True),
        ),
        _cell(
            "code",
            '"""mul: two numbers."""\nassert mul(2, 3) == 6, f"mul(2, 3) returned '
            '{mul(2, 3)}: expected 6"',
            "test-mul",
            _meta("test_mul", grade=True, locked=True, points=1),
        ),
    ]
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def simple_release(source: dict) -> dict:
    """The student version, as nbgrader makes it (for tests that do without nbgrader)."""
    nb = copy.deepcopy(source)
    for cell in nb["cells"]:
        text = source_text(cell)
        if "### BEGIN SOLUTION" in text:
            head, _, rest = text.partition("### BEGIN SOLUTION")
            _, _, tail = rest.partition("### END SOLUTION")
            indent = head.rsplit("\n", 1)[-1]
            stub = f"# YOUR CODE HERE\n{indent}raise NotImplementedError()"
            text = head + stub + tail
        cell["source"] = strip_hidden_tests(text)
    return nb


def solved(source: dict, release: dict | None = None) -> dict:
    """The student version with every answer cell holding the source's solution."""
    nb = copy.deepcopy(release or simple_release(source))
    answers = {grade_id(c): source_text(c) for c in source["cells"] if is_answer(c)}
    for cell in nb["cells"]:
        if is_answer(cell):
            cell["source"] = student_version(answers[grade_id(cell)])
    return nb


def with_cells(nb: dict, sources: dict[str, str] | None = None, delete=()) -> dict:
    """A copy of ``nb`` with the cells of these grade ids replaced or deleted."""
    nb = copy.deepcopy(nb)
    nb["cells"] = [c for c in nb["cells"] if grade_id(c) not in set(delete)]
    for cell in nb["cells"]:
        if grade_id(cell) in (sources or {}):
            cell["source"] = sources[grade_id(cell)]
    return nb


_PREPARED: dict[str, Path] = {}


def make_course(
    root: Path, assignment: str = "tiny", source: dict | None = None, *, gradebook: bool = True
) -> Path:
    """Write an nbgrader course with one assignment into ``root``; return ``root``.

    With ``gradebook``, the course comes with its gradebook already holding the assignment
    (as after ``nbgrader generate_assignment``), made once per process and copied: it saves
    each test the seconds nbgrader takes.
    """
    root = Path(root)
    (root / "autograder").mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(ROOT_CONFIG, encoding="utf-8")
    (root / "autograder" / "nbgrader_config.py").write_text(COURSE_CONFIG, encoding="utf-8")
    folder = root / "solutions" / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nb = source or tiny_source()
    (folder / f"{assignment}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
    if gradebook:
        prepared = _prepared(assignment, nb)
        for name in ("gradebook.db", "release"):
            src, dest = prepared / "autograder" / name, root / "autograder" / name
            if src.is_dir():
                shutil.copytree(src, dest, dirs_exist_ok=True)
            elif src.is_file():
                shutil.copy2(src, dest)
    return root


def _prepared(assignment: str, nb: dict) -> Path:
    from .course import find_course, load_assignment
    from .gradebook import ensure_assignment

    key = assignment + json.dumps(nb, sort_keys=True)
    if key not in _PREPARED or not _PREPARED[key].is_dir():
        folder = Path(tempfile.mkdtemp(prefix=f"gradetool-course-{os.getpid()}-"))
        atexit.register(shutil.rmtree, folder, True)
        make_course(folder, assignment, nb, gradebook=False)
        course = find_course(folder)
        ensure_assignment(course, load_assignment(course, assignment))
        _PREPARED[key] = folder
    return _PREPARED[key]


def clear_prepared() -> None:
    """Remove the prepared courses now (they are removed at exit otherwise)."""
    while _PREPARED:
        shutil.rmtree(_PREPARED.popitem()[1], ignore_errors=True)


def write_submissions(folder: Path, assignment: str, notebook: str, subs: dict) -> Path:
    """Write ``{student: notebook dict or text}`` in nbgrader's layout under ``folder``."""
    for student, nb in subs.items():
        dest = Path(folder) / student / assignment
        dest.mkdir(parents=True, exist_ok=True)
        text = nb if isinstance(nb, str) else json.dumps(nb, indent=1)
        (dest / f"{notebook}.ipynb").write_text(text, encoding="utf-8")
    return Path(folder)
