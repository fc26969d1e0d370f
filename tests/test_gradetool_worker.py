"""gradetool.worker: one submission in, plain data out, whatever the submission."""

import json
import pickle

import pytest

from gradetool import kernels
from gradetool.course import Assignment, hash_of_tests
from gradetool.results import CRASHED, GRADED, INVALID, TIMED_OUT
from gradetool.testing import HIDDEN_SECRET, simple_release, solved, tiny_source, with_cells
from gradetool.worker import grade_submission, make_task

SOURCE = tiny_source()
TINY = Assignment(
    name="tiny",
    notebook="tiny",
    source=SOURCE,
    release=simple_release(SOURCE),
    tests={"test_add": 1.0, "test_add_hidden": 2.0, "test_mul": 1.0},
    answer_of={"test_add": "add", "test_add_hidden": "add", "test_mul": "mul"},
    files={"data.txt": b"42"},
    tests_hash=hash_of_tests(SOURCE),
)


@pytest.fixture(autouse=True, scope="module")
def no_kernel_left():
    yield
    kernels.close_all()


def grade(nb, **kw):
    text = nb if isinstance(nb, str) or nb is None else json.dumps(nb)
    return grade_submission(make_task(TINY, "alice", text, **kw))


def test_the_task_and_its_function_are_picklable():
    task = make_task(TINY, "alice", "{}")
    assert pickle.loads(pickle.dumps(task)) == task
    assert pickle.loads(pickle.dumps(grade_submission)) is grade_submission


def test_solution_and_blank():
    out = grade(solved(SOURCE))
    assert (out["status"], out["score"], out["max_score"]) == (GRADED, 4.0, 4.0), out["reason"]
    assert out["reason"] == "3 of 3 tests passed" and out["repairs"] == []
    assert out["cell_seconds"] <= out["seconds"]
    json.dumps(out)  # plain data
    blank = grade(TINY.release)
    assert (blank["status"], blank["score"]) == (GRADED, 0.0)
    assert blank["unanswered"] == ["add", "mul"]
    assert blank["parts"]["test_add"]["message"].startswith("NotImplementedError")


def test_partial_answers_and_tampered_tests():
    nb = with_cells(solved(SOURCE), {"mul": "def mul(a, b):\n    return a + b", "test_mul": "pass"})
    out = grade(nb)
    assert out["score"] == 3.0
    assert out["parts"]["test_mul"] == {
        "points": 0.0,
        "max_points": 1.0,
        "passed": False,
        "message": "mul(2, 3) returned 5: expected 6",
    }
    assert out["repairs"] == ["restored test_mul: it had been edited"]


def test_a_renamed_copy_is_graded_and_said_so():
    task = make_task(TINY, "alice", json.dumps(solved(SOURCE)), renamed_from="tiny-Copy1.ipynb")
    out = grade_submission(task)
    assert out["status"] == GRADED
    assert out["repairs"] == ["graded tiny-Copy1.ipynb as tiny.ipynb, the expected name"]


def test_the_source_files_are_next_to_the_notebook():
    nb = with_cells(
        solved(SOURCE),
        {"mul": "def mul(a, b):\n    return a * b * int(open('data.txt').read()) // 42"},
    )
    assert grade(nb)["score"] == 4.0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (None, "no notebook named tiny.ipynb; found Untitled.ipynb"),
        ("{oops", "not a valid notebook"),
        (json.dumps({"cells": [], "metadata": {}, "nbformat": 4}), "none of the source"),
    ],
)
def test_invalid_submissions(text, reason):
    out = grade_submission(make_task(TINY, "bob", text, found=["Untitled.ipynb"]))
    assert out["status"] == INVALID and reason in out["reason"]
    assert out["score"] is None and out["notebook"] is None


def test_timed_out_and_crashed():
    loop = with_cells(solved(SOURCE), {"mul": "while True:\n    pass"})
    out = grade(loop, cell_timeout=0.5)
    assert out["status"] == TIMED_OUT and out["score"] == 3.0 and out["ran"] == 3
    assert "ran over 0.5 s" in out["reason"] and "scored 3/4" in out["reason"]
    dead = with_cells(solved(SOURCE), {"mul": "import os\nos._exit(1)"})
    out = grade(dead)
    assert out["status"] == CRASHED and "the kernel died" in out["reason"]
    assert out["parts"]["test_mul"]["message"] == "not run: the kernel died"
    assert (out["score"], out["ran"]) == (3.0, 2)
    first = with_cells(solved(SOURCE), {"add": "import os\nos._exit(1)"})
    out = grade(first)
    assert (out["status"], out["score"], out["ran"]) == (CRASHED, None, 0)


def test_hidden_tests_run_but_the_source_stays_in_the_task():
    out = grade(solved(SOURCE))
    hidden = [c for c in out["notebook"]["cells"] if HIDDEN_SECRET in c["source"]]
    assert len(hidden) == 1 and out["parts"]["test_add_hidden"]["passed"]


def test_the_worker_keeps_its_checker_and_replaces_it_after_a_failed_run():
    grade(solved(SOURCE))
    pool = kernels.local_pool()
    (checker,) = pool._kept
    out = grade(with_cells(solved(SOURCE), {"add": "def add(a, b):\n    return a - b"}))
    assert out["score"] == 1.0 and pool._kept == [checker]  # the same checker, reset
    assert grade(solved(SOURCE))["score"] == 4.0 and pool._kept == [checker]
    dead = with_cells(solved(SOURCE), {"mul": "import os\nos._exit(1)"})
    assert grade(dead)["status"] == CRASHED
    assert not checker.alive() and pool._kept == []  # not kept after a crash
    assert grade(solved(SOURCE))["score"] == 4.0 and pool._kept[0] is not checker
