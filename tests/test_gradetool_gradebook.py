"""gradetool.gradebook: results go into nbgrader's own gradebook."""

import json
import warnings

import pytest

from gradetool.course import find_course, load_assignment
from gradetool.gradebook import (
    GradebookWriter,
    ensure_assignment,
    read_submissions,
    read_timestamp,
)
from gradetool.results import GRADED, PartResult, StudentResult
from gradetool.testing import make_course


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("gb") / "course")  # generated once, copied
    course = find_course(root / "solutions")  # found from a folder inside it
    spec = load_assignment(course, "tiny")
    assert ensure_assignment(course, spec) is False  # known: nothing to generate
    return course, spec


def nbgrader_scores(course, student):
    from nbgrader.api import Gradebook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(course.db_url) as gb:
            nb = gb.find_submission_notebook("tiny", "tiny", student)
            grades = {g.name: g.score for g in nb.grades}
            comments = {c.name: c.auto_comment for c in nb.comments}
            timestamp = gb.find_submission("tiny", student).timestamp
    return grades, comments, timestamp


def test_a_result_is_written_as_nbgrader_autograde_would(course):
    course, spec = course
    parts = {
        "test_add": PartResult(1, 1, True),
        "test_add_hidden": PartResult(0, 2, False, "add(-1, 1) should be 0"),
        "test_mul": PartResult(0, 1, False, "NotImplementedError"),
    }
    result = StudentResult("alice", GRADED, "", 1.0, 4.0, parts)
    with GradebookWriter(course.db_url) as writer:
        assert not writer.has_submission("tiny", "alice")
        writer.write(spec, result, timestamp="2026-01-02 03:04:05", unanswered=["mul"])
        assert writer.has_submission("tiny", "alice")
        row = writer.submissions("tiny")["alice"]
    assert (row["score"], row["max_score"]) == (1.0, 4.0)
    grades, comments, timestamp = nbgrader_scores(course, "alice")
    assert grades == {"test_add": 1.0, "test_add_hidden": 0.0, "test_mul": 0.0}
    assert comments == {"add": "test_add_hidden: add(-1, 1) should be 0", "mul": "No response."}
    assert str(timestamp).startswith("2026-01-02 03:04:05")

    parts["test_add_hidden"] = PartResult(2, 2, True)  # a regrade replaces the scores
    with GradebookWriter(course.db_url) as writer:
        writer.write(spec, StudentResult("alice", GRADED, "", 3.0, 4.0, parts))
    grades, comments, _ = nbgrader_scores(course, "alice")
    assert grades["test_add_hidden"] == 2.0 and comments["add"] is None


def test_reading_the_gradebook_directly_agrees_with_nbgrader(course):
    course, _ = course
    with GradebookWriter(course.db_url) as writer:
        by_nbgrader = writer.submissions("tiny")
        assert writer.score("tiny", "alice") == by_nbgrader["alice"]["score"]
        assert writer.score("tiny", "nobody") is None
    direct = read_submissions(course.db_url, "tiny")
    assert set(direct) == set(by_nbgrader) == {"alice"}
    for field in ("raw_score", "score", "max_score", "late_submission_penalty", "student_id"):
        assert direct["alice"][field] == by_nbgrader["alice"][field], field
    assert str(direct["alice"]["timestamp"]).startswith("2026-01-02 03:04:05")
    assert read_submissions(course.db_url, "other") == {}
    assert read_submissions(f"sqlite:///{course.root / 'none.db'}", "tiny") == {}


def test_read_timestamp(tmp_path):
    assert read_timestamp(tmp_path) is None
    (tmp_path / "timestamp.txt").write_text("2026-01-02 03:04:05\n")
    assert read_timestamp(tmp_path) == "2026-01-02 03:04:05"


def test_a_new_assignment_is_generated(tmp_path):
    course = find_course(make_course(tmp_path / "course", gradebook=False))
    assert ensure_assignment(course, load_assignment(course, "tiny")) is True
    assert (course.root / "autograder" / "release" / "tiny" / "tiny.ipynb").is_file()


def test_a_changed_test_is_stored_again_and_grades_stay(course):
    course, spec = course
    path = course.source_dir / "tiny" / "tiny.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"][7]["source"] = '"""mul, fixed."""\nassert mul(2, 3) == 6'
    path.write_text(json.dumps(nb), encoding="utf-8")
    changed = load_assignment(course, "tiny")
    assert changed.tests_hash != spec.tests_hash
    assert ensure_assignment(course, changed) is True
    assert ensure_assignment(course, changed) is False
    grades, _, _ = nbgrader_scores(course, "alice")
    assert grades["test_add"] == 1.0
