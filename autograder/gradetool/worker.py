"""The task a worker runs for one submission: repair, execute, score.

`grade_submission` is a plain top-level function of plain data (a dict in, a dict out), so
any ``concurrent.futures`` executor can run it: a local process pool, or Dask distributed
workers on other machines (which need this package, the course's library and a Jupyter
kernel installed, nothing else: the task carries the source notebook, the limits and the
submission's text). It never touches the gradebook or the course folders.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import traceback

from . import execute, kernels
from .limits import Limits
from .repair import InvalidNotebook, grade_id, parse_notebook, repair
from .results import CRASHED, GRADED, INVALID, TIMED_OUT, StudentResult
from .scoring import score_notebook


def make_task(
    assignment,
    student: str,
    text: str | None,
    *,
    found: list[str] = (),
    renamed_from: str | None = None,
    limits: Limits | None = None,
    cell_timeout: float | None = None,
    timeout: float | None = None,
    refused: str | None = None,
) -> dict:
    """The plain-data task for `grade_submission`.

    Parameters
    ----------
    assignment : Assignment
        The assignment (see `gradetool.course.load_assignment`).
    student : str
    text : str or None
        The submitted notebook's text; None when the submission has no such notebook.
    found : list of str
        The notebooks found instead (for the message when ``text`` is None).
    renamed_from : str, optional
        The file's name when it is a copy of the notebook under another name.
    limits : Limits, optional
        What the submission may use (defaults when None).
    cell_timeout, timeout : float, optional
        Seconds per cell, seconds per notebook: override those of ``limits``.
    refused : str, optional
        Why the notebook was not read (too large): the result is ``invalid``, with it.
    """
    limits = limits or Limits()
    if cell_timeout is not None:
        limits = limits.replace(cell_timeout=float(cell_timeout))
    if timeout is not None:
        limits = limits.replace(timeout=float(timeout))
    return {
        "student": student,
        "notebook": assignment.notebook,
        "text": text,
        "found": list(found),
        "renamed_from": renamed_from,
        "source": assignment.source,
        "release": assignment.student_version(),
        "tests": assignment.tests,
        "files": assignment.files,
        "kernel_name": assignment.kernel_name,
        "limits": limits.to_dict(),
        "answer_modules": list(assignment.answer_modules),
        "seed": assignment.case_seed(text) if text is not None else None,
        "refused": refused,
    }


def grade_submission(task: dict) -> dict:
    """Grade one submission; never raises.

    Parameters
    ----------
    task : dict
        As made by `make_task`.

    Returns
    -------
    dict
        `StudentResult.to_dict` plus ``notebook`` (the executed notebook, or None) and
        ``unanswered`` (answer cells left as released) and ``ran`` (how many test cells ran).
    """
    start = time.perf_counter()
    result = StudentResult(task["student"], INVALID)
    result.max_score = float(sum(task["tests"].values()))
    extra: dict = {"notebook": None, "unanswered": [], "ran": 0}
    try:
        _grade(task, result, extra)
    except Exception as exc:  # a bug or a broken environment must not stop the batch
        result.status = CRASHED
        result.reason = f"grading failed: {type(exc).__name__}: {exc}"
        result.score = None
        extra["traceback"] = traceback.format_exc(limit=8)
    result.seconds = time.perf_counter() - start
    return {**result.to_dict(), **extra}


def _grade(task: dict, result: StudentResult, extra: dict) -> None:
    name = f"{task['notebook']}.ipynb"
    limits = Limits.from_dict(task.get("limits"))
    if task.get("refused"):
        result.reason = task["refused"]
        return
    if task["text"] is None:
        found = ", ".join(task["found"]) or "none"
        result.reason = f"no notebook named {name}; found {found}"
        return
    try:
        submitted = parse_notebook(task["text"])
        cells = submitted.get("cells") if isinstance(submitted, dict) else None
        if isinstance(cells, list) and len(cells) > limits.cells:
            result.reason = (
                f"the notebook has {len(cells):,} cells, more than the {limits.cells:,} a"
                " submission may have (--max-cells): it was not graded"
            )
            return
        repaired = repair(submitted, task["source"], task["release"])
    except InvalidNotebook as exc:
        result.reason = str(exc)
        return
    result.repairs = repaired.repairs
    if task.get("renamed_from"):
        result.repairs.insert(0, f"graded {task['renamed_from']} as {name}, the expected name")
    extra["unanswered"] = repaired.unanswered
    nb = repaired.nb

    tests = execute.Tests.from_source(task["source"], task["tests"])
    pool = kernels.local_pool()
    student = checker = run = None
    try:
        # two kernels: the student's code runs in one, the tests in the other (the checker),
        # so that nothing the student's code does can make a test pass (gradetool.remote);
        # the student's is fresh, the checker the worker's own, reset after each submission
        hidden = tuple(task.get("answer_modules") or ())
        student = pool.take(task["kernel_name"], limits, hidden=hidden, warm=kernels.STUDENT_WARM)
        checker = pool.take(task["kernel_name"], limits, warm=kernels.CHECKER_WARM, reuse=True)
        student.put_files(task["files"])
        checker.put_files(task["files"])
        run = execute.execute_notebook(
            nb, student, limits=limits, checker=checker, tests=tests, seed=task.get("seed")
        )
    except kernels.KernelStartError as exc:
        result.status, result.reason = CRASHED, str(exc)
        return
    finally:
        if student is not None:
            student.close()
        if checker is not None:  # kept only after a run that ended normally
            pool.give_back(checker, keep=run is not None and run.status == "ok")

    not_run = {}
    for index in run.not_run:
        gid = grade_id(nb["cells"][index])
        if gid in task["tests"]:
            not_run[gid] = "the kernel " + ("died" if run.status == CRASHED else "was killed")
    result.parts = score_notebook(nb, task["tests"], not_run)
    result.cell_seconds = run.cell_seconds
    extra["notebook"] = nb
    points = sum(p.points for p in result.parts.values())
    passed = sum(p.passed for p in result.parts.values())
    extra["ran"] = len(result.parts) - len(not_run)
    if run.status == "ok":
        result.status, result.score = GRADED, float(points)
        result.reason = f"{passed} of {len(result.parts)} tests passed"
    else:
        result.status = TIMED_OUT if run.status == "timed out" else CRASHED
        result.reason = run.reason
        if extra["ran"]:
            result.score = float(points)
            result.reason += f"; the tests that ran scored {points:g}/{result.max_score:g}"
    if run.truncated:
        result.reason += f"; {run.truncated:,} characters of output not kept"


def init_worker(
    kernel_name: str | None = None, limits: dict | None = None, answers: tuple = ()
) -> None:
    """Set up a local worker process: Ctrl-C is the parent's, spares die with the worker.

    The parent process handles Ctrl-C and then terminates the workers; SIGTERM kills this
    worker's kernels before it exits. A spare kernel starts at once, so even the first
    submission finds one ready.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def _terminate(signum, frame):
        kernels.kill_all()
        os._exit(128 + signum)  # a SystemExit would be caught by the pool's task loop

    signal.signal(signal.SIGTERM, _terminate)
    import atexit
    from multiprocessing import util

    atexit.register(kernels.close_all)
    util.Finalize(None, kernels.close_all, exitpriority=100)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    if kernel_name:
        with contextlib.suppress(kernels.KernelStartError):
            kernels.local_pool().prestart(
                kernel_name,
                Limits.from_dict(limits),
                tuple(answers),
                warm=(kernels.STUDENT_WARM, kernels.CHECKER_WARM),
            )


def _watch_parent(parent: int) -> None:
    """End this worker and its kernels when its parent is gone (killed with SIGKILL).

    A pool's worker would otherwise wait for tasks forever: it holds an end of its own task
    queue, so the queue never closes.
    """
    while os.getppid() == parent:
        time.sleep(1.0)
    kernels.kill_all()
    os._exit(1)
