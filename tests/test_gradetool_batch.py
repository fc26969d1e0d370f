"""gradetool.batch: a whole class, end to end, resumable, on local workers or Dask."""

import csv
import json
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest

from gradetool import grade, kernels
from gradetool.batch import Context, export, feedback, report
from gradetool.course import find_course
from gradetool.results import CRASHED, GRADED, INVALID, SKIPPED, TIMED_OUT
from gradetool.testing import (
    HIDDEN_SECRET,
    make_course,
    simple_release,
    solved,
    tiny_source,
    with_cells,
    write_submissions,
)

SOURCE = tiny_source()
SOLVED = solved(SOURCE)
BLANK = simple_release(SOURCE)
WRONG = with_cells(SOLVED, {"mul": "def mul(a, b):\n    return a + b"})
LOOP = with_cells(SOLVED, {"mul": "while True:\n    pass"})


@pytest.fixture(scope="module", autouse=True)
def no_kernel_left():
    yield
    kernels.close_all()


@pytest.fixture
def course(tmp_path):
    return find_course(make_course(tmp_path / "course"))


def submit(tmp_path, subs, name="in"):
    return write_submissions(tmp_path / name, "tiny", "tiny", subs)


def scores(course):
    from nbgrader.api import Gradebook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(course.db_url) as gb:
            return {s.student.id: s.score for s in gb.assignment_submissions("tiny")}


def test_a_class_with_bad_submissions_is_graded_and_resumable(tmp_path, course):
    subs = submit(
        tmp_path,
        {"good": SOLVED, "blank": BLANK, "wrong": WRONG, "broken": "{", "loop": LOOP},
    )
    for student, name in (("renamed", "Untitled.ipynb"), ("copied", "tiny-Copy1.ipynb")):
        folder = tmp_path / "in" / student / "tiny"
        folder.mkdir(parents=True)
        (folder / name).write_text(json.dumps(SOLVED))
    (tmp_path / "in" / "good" / "tiny" / "notes.txt").write_text("extra")
    pool = ThreadPoolExecutor(2)
    batch = grade("tiny", subs, course=course, executor=pool, cell_timeout=0.5)
    status = {s: r.status for s, r in batch.students.items()}
    assert status == {
        "blank": GRADED,
        "broken": INVALID,
        "copied": GRADED,
        "good": GRADED,
        "loop": TIMED_OUT,
        "renamed": INVALID,
        "wrong": GRADED,
    }
    assert batch.summary == (
        "graded: 4, failed: 0, timed out: 1, invalid: 2, skipped (unchanged): 0"
    )
    assert "graded tiny-Copy1.ipynb as tiny.ipynb" in batch.students["copied"].repairs[0]
    good = batch.students["good"]
    assert (good.score, good.max_score, good.extra_files) == (4.0, 4.0, ["notes.txt"])
    assert batch.students["wrong"].parts["test_mul"].message == "mul(2, 3) returned 5: expected 6"
    assert "no notebook named tiny.ipynb; found Untitled.ipynb" in batch.students["renamed"].reason
    # the loop's first result is recorded: the tests that ran (add) score, mul gets 0
    assert batch.students["loop"].score == 3.0 and batch.students["loop"].recorded
    assert scores(course) == {"good": 4.0, "blank": 0.0, "wrong": 3.0, "loop": 3.0, "copied": 4.0}

    work = course.work_dir
    page = (work / "feedback/good/tiny/tiny.html").read_text(encoding="utf-8")
    assert "Score: 4 / 4" in page and HIDDEN_SECRET not in page
    assert json.loads((work / "autograded/wrong/tiny/tiny.ipynb").read_text())["cells"]
    assert not (work / "autograded/broken").exists()
    with (work / "exports/tiny-grades.csv").open() as fh:
        rows = {r["student"]: r for r in csv.DictReader(fh)}
    assert rows["loop"]["status"] == "timed out" and rows["good"]["score"] == "4"
    assert (work / "exports/tiny-tests.csv").is_file()
    assert (work / "exports/tiny-canvas.csv").is_file()
    assert "timed out" in (work / "reports/tiny.md").read_text(encoding="utf-8")

    # a rerun skips what is unchanged, failures too, and regrades what changed
    submit(tmp_path, {"blank": SOLVED})
    again = grade("tiny", subs, course=course, executor=pool, cell_timeout=0.5)
    assert again.students["good"].status == SKIPPED and again.students["good"].score == 4.0
    assert again.students["blank"].status == GRADED and again.students["blank"].score == 4.0
    assert again.students["loop"].status == SKIPPED and "timed out" in again.students["loop"].reason
    assert again.skipped == 6
    with (work / "exports/tiny-grades.csv").open() as fh:
        assert {r["status"] for r in csv.DictReader(fh)} == {"graded", "skipped"}

    # a regrade that fails keeps the previous result in the gradebook
    submit(tmp_path, {"good": LOOP})
    failed = grade("tiny", subs, course=course, executor=pool, cell_timeout=0.5)
    assert failed.students["good"].status == TIMED_OUT
    assert failed.students["good"].previous_score == 4.0
    assert scores(course)["good"] == 4.0
    with (work / "exports/tiny-grades.csv").open() as fh:
        assert {r["student"]: r["score"] for r in csv.DictReader(fh)}["good"] == "4"

    forced = grade("tiny", subs, course=course, executor=pool, cell_timeout=0.5, force=True)
    assert forced.skipped == 0 and (forced.graded, forced.timed_out) == (3, 2)
    assert scores(course) == {"good": 4.0, "blank": 4.0, "wrong": 3.0, "loop": 3.0, "copied": 4.0}
    pool.shutdown()

    # the steps one by one read what the batch left
    ctx = Context.open("tiny", course)
    assert len(feedback(ctx)) == 5
    assert len(export(ctx, canvas_column="Tiny (9)")) == 3
    assert len(report(ctx)) == 3


def test_flat_downloads_on_the_default_process_pool(tmp_path, course):
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "ann_late_501_601_tiny.ipynb").write_text(json.dumps(SOLVED))
    (flat / "ben.ipynb").write_text(json.dumps(WRONG))
    (flat / "cid_7_8_tiny.ipynb").write_text(
        json.dumps(with_cells(SOLVED, {"add": "import os\nos._exit(1)"}))
    )
    batch = grade("tiny", flat, course=course, workers=1)
    assert {s: r.status for s, r in batch.students.items()} == {
        "ann": GRADED,
        "ben": GRADED,
        "cid": CRASHED,
    }
    with (course.work_dir / "exports/tiny-canvas.csv").open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "tiny"]
    assert rows[1] == ["", "501", "", "ann", "", "4"]


def test_dask_cluster_on_loopback(tmp_path, course):
    distributed = pytest.importorskip("distributed")
    subs = submit(tmp_path, {"good": SOLVED, "wrong": WRONG})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Dask's own start-up notices
        cluster = distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=2,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        try:
            batch = grade("tiny", subs, course=course, scheduler=cluster.scheduler_address)
            assert {s: r.score for s, r in batch.students.items()} == {"good": 4.0, "wrong": 3.0}
            with distributed.Client(cluster) as client:
                again = grade(
                    "tiny", subs, course=course, executor=client.get_executor(), force=True
                )
            assert again.graded == 2
        finally:
            cluster.close()
