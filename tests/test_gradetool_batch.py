"""gradetool.batch: a whole class, end to end, resumable, on local workers or Dask."""

import csv
import json
import sys
import warnings
from concurrent.futures import Executor, ThreadPoolExecutor

import pytest

from gradetool import batch as batching
from gradetool import grade, kernels
from gradetool.batch import Context, autograde, check, export, feedback, report
from gradetool.course import GradetoolError, find_course, load_assignment
from gradetool.limits import Limits
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
    batch = grade("tiny", subs, course=course, executor=pool, cell_timeout=2)
    status = {s: r.status for s, r in batch.students.items()}
    assert status == {
        "blank": GRADED,
        "broken": INVALID,
        "copied": GRADED,
        "good": GRADED,
        "loop": TIMED_OUT,
        "renamed": GRADED,  # its only notebook, Untitled.ipynb: graded, with a note
        "wrong": GRADED,
    }
    assert batch.summary == (
        "graded: 5, failed: 0, timed out: 1, invalid: 1, skipped (unchanged): 0"
    )
    assert "graded tiny-Copy1.ipynb as tiny.ipynb" in batch.students["copied"].repairs[0]
    assert "graded Untitled.ipynb as tiny.ipynb" in batch.students["renamed"].repairs[0]
    good = batch.students["good"]
    assert (good.score, good.max_score, good.extra_files) == (4.0, 4.0, ["notes.txt"])
    assert batch.students["wrong"].parts["test_mul"].message == "mul(2, 3) returned 5: expected 6"
    # the loop's first result is recorded: the tests that ran (add) score, mul gets 0
    assert batch.students["loop"].score == 3.0 and batch.students["loop"].recorded
    assert scores(course) == {
        "good": 4.0,
        "blank": 0.0,
        "wrong": 3.0,
        "loop": 3.0,
        "copied": 4.0,
        "renamed": 4.0,
    }

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
    again = grade("tiny", subs, course=course, executor=pool, cell_timeout=2)
    assert again.students["good"].status == SKIPPED and again.students["good"].score == 4.0
    assert again.students["blank"].status == GRADED and again.students["blank"].score == 4.0
    assert again.students["loop"].status == SKIPPED and "timed out" in again.students["loop"].reason
    assert again.skipped == 6
    with (work / "exports/tiny-grades.csv").open() as fh:
        assert {r["status"] for r in csv.DictReader(fh)} == {"graded", "skipped"}

    # a regrade that fails keeps the previous result in the gradebook
    submit(tmp_path, {"good": LOOP})
    failed = grade("tiny", subs, course=course, executor=pool, cell_timeout=2)
    assert failed.students["good"].status == TIMED_OUT
    assert failed.students["good"].previous_score == 4.0
    assert scores(course)["good"] == 4.0
    with (work / "exports/tiny-grades.csv").open() as fh:
        assert {r["student"]: r["score"] for r in csv.DictReader(fh)}["good"] == "4"

    forced = grade("tiny", subs, course=course, executor=pool, cell_timeout=2, force=True)
    assert forced.skipped == 0 and (forced.graded, forced.timed_out) == (4, 2)
    assert scores(course) == {
        "good": 4.0,
        "blank": 4.0,
        "wrong": 3.0,
        "loop": 3.0,
        "copied": 4.0,
        "renamed": 4.0,
    }
    pool.shutdown()

    # the steps one by one read what the batch left
    ctx = Context.open("tiny", course)
    assert len(feedback(ctx)) == 6
    assert len(export(ctx, canvas_column="Tiny (9)")) == 3
    assert len(report(ctx)) == 3


def test_limits_reach_every_task_and_the_sandbox_is_checked_once_per_batch(
    tmp_path, course, monkeypatch
):
    from gradetool import sandbox

    checks, given = [], []

    def fake_check(limits):
        if sys._getframe(1).f_globals["__name__"] == "gradetool.batch":  # not a kernel's
            checks.append(limits)
        return sandbox.SandboxInfo(False, None, "none in tests", limits.sandbox)

    def recording_make_task(*args, **kwargs):
        given.append(kwargs)
        return make_task(*args, **kwargs)

    make_task = batching.make_task
    monkeypatch.setattr(sandbox, "check", fake_check)
    monkeypatch.setattr(batching, "make_task", recording_make_task)
    subs = submit(tmp_path, {"good": SOLVED, "wrong": WRONG})
    limits = Limits(memory=3 << 30, timeout=60, sandbox="off")
    expected = limits.replace(cell_timeout=5.0)
    with ThreadPoolExecutor(2) as pool:
        done = grade("tiny", subs, course=course, executor=pool, limits=limits, cell_timeout=5)
        assert {s: r.score for s, r in done.students.items()} == {"good": 4.0, "wrong": 3.0}
        assert checks == [expected] and done.sandbox == "none: none in tests"
        assert [k["limits"] for k in given] == [expected, expected]
        assert not any({"cell_timeout", "timeout"} & set(k) for k in given)
        md = (course.work_dir / "reports/tiny.md").read_text(encoding="utf-8")
        assert "skipped (unchanged): 0; sandbox: none: none in tests." in md

        again = autograde("tiny", course=course, executor=pool, limits=limits)  # all skipped
        assert again.skipped == 2 and checks == [expected, limits]
        assert again.sandbox == "none: none in tests" and len(given) == 2

    spec = load_assignment(course, "tiny")
    path = tmp_path / "in" / "good" / "tiny" / "tiny.ipynb"
    assert check(spec, path, limits=limits, timeout=30).parts["test_mul"].passed
    assert checks[2:] == [limits.replace(timeout=30.0)]
    assert given[2]["limits"] == limits.replace(timeout=30.0)


class Untouchable(Executor):
    def submit(self, fn, /, *args, **kwargs):
        raise AssertionError("a submission was sent to a worker")


def test_no_sandbox_under_require_grades_nothing(tmp_path, course, monkeypatch):
    from gradetool import sandbox

    def unavailable(limits):
        raise sandbox.SandboxUnavailable(f"sandbox {limits.sandbox}d: bwrap is missing")

    monkeypatch.setattr(sandbox, "check", unavailable)
    subs = submit(tmp_path, {"good": SOLVED})
    require = Limits(sandbox="require")
    spec, path = load_assignment(course, "tiny"), subs / "good/tiny/tiny.ipynb"
    for run in (
        lambda: grade("tiny", subs, course=course, executor=Untouchable(), limits=require),
        lambda: autograde("tiny", course=course, executor=Untouchable(), limits=require),
        lambda: check(spec, path, limits=require),
    ):
        with pytest.raises(GradetoolError, match=r"^sandbox required: bwrap is missing$"):
            run()
    assert not list(course.state_dir.glob("tiny/students/*.json"))


def test_invalid_limits_are_errors_before_anything_runs(tmp_path, course, monkeypatch):
    from gradetool import sandbox

    monkeypatch.setattr(sandbox, "check", lambda limits: pytest.fail("checked the sandbox"))
    subs = submit(tmp_path, {"good": SOLVED})
    cases = [
        ({"cell_timeout": 0}, "cell_timeout must be a positive number of seconds, not 0"),
        ({"limits": Limits(), "timeout": -1}, "timeout must be a positive number of seconds"),
        ({"timeout": "60"}, "timeout must be a positive number of seconds, not '60'"),
        ({"limits": {"memory": 1}}, "limits must be a Limits, not dict"),
    ]
    for kwargs, message in cases:
        with pytest.raises(GradetoolError, match=message):
            grade("tiny", subs, course=course, executor=Untouchable(), **kwargs)
        with pytest.raises(GradetoolError, match=message):
            autograde("tiny", course=course, executor=Untouchable(), **kwargs)
    assert not course.submitted_dir.exists() or not any(course.submitted_dir.iterdir())


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
