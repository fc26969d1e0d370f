"""Grade a class: collect, autograde in parallel, write feedback, exports and the report.

The main process reads the submissions, skips those graded before under the same key
(`gradetool.state`), and fans the others out through a ``concurrent.futures`` executor: by
default a local process pool (one worker per core, each with a spare kernel), or Dask
(``Client.get_executor()``), or any executor given. Workers run `worker.grade_submission`
and return plain data; the main process alone writes, as each result arrives, in this
order: the gradebook (one transaction), the autograded notebook, the feedback, and last the
student's state file. A crash or Ctrl-C in the middle loses nothing already written; the
next run grades the rest.

A submission that times out or crashes is scored on the tests that ran (the others count
0), and recorded if it is the student's first result; a regrade that fails (``timed out``,
``crashed``, ``invalid``) leaves the gradebook, the autograded notebook and the feedback as
they were, and reports the failure. A notebook not recorded is kept in
``autograder/.gradetool/<assignment>/failed/`` for a look.

What a submission may use (time, memory, processes, files, output) is a `Limits`, sent
with each task. Before any worker starts, the main process checks once per batch whether
grading will be sandboxed (`gradetool.sandbox.check`): with ``sandbox="require"`` and no
sandbox it refuses to grade; the batch's ``sandbox`` says what the submissions ran in.
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from . import collect as collecting
from .course import Assignment, Course, GradetoolError, find_course, load_assignment
from .export import export as write_exports
from .feedback import render_feedback
from .gradebook import GradebookWriter, ensure_assignment, read_submissions, read_timestamp
from .limits import Limits, format_size
from .pool import Pool, run
from .report import write_report
from .results import (
    CRASHED,
    FAILURES,
    GRADED,
    INVALID,
    SKIPPED,
    TIMED_OUT,
    BatchResult,
    StudentResult,
)
from .state import State, content_hash, grading_key
from .worker import grade_submission, make_task


class Interrupted(Exception):
    """Ctrl-C stopped the batch; ``batch`` holds what was graded (and saved) before it."""

    def __init__(self, batch: BatchResult) -> None:
        super().__init__("interrupted")
        self.batch = batch


@dataclass
class Context:
    """A course and one of its assignments, ready to grade."""

    course: Course
    assignment: Assignment
    state: State

    @classmethod
    def open(cls, assignment: str, course: Course | Path | str | None = None) -> Context:
        if not isinstance(course, Course):
            course = find_course(course)
        spec = load_assignment(course, assignment)
        return cls(course, spec, State(course.state_dir / assignment))

    def autograded(self, student: str) -> Path:
        return self.course.autograded_dir / student / self.assignment.name / self._nb

    def feedback(self, student: str) -> Path:
        name = f"{self.assignment.notebook}.html"
        return self.course.feedback_dir / student / self.assignment.name / name

    @property
    def _nb(self) -> str:
        return f"{self.assignment.notebook}.ipynb"


# ---------------------------------------------------------------------------- steps


def collect(assignment: str, submissions, *, course=None) -> collecting.Collected:
    """Copy ``submissions`` into the course's ``autograder/submitted`` (see `gradetool.collect`)."""
    ctx = Context.open(assignment, course)
    return _collect(ctx, submissions)


def _collect(ctx: Context, submissions) -> collecting.Collected:
    folder = Path(submissions)
    if not folder.is_dir():
        raise GradetoolError(f"no folder {folder}: give the folder holding the submissions")
    done = collecting.collect(
        folder, ctx.course.submitted_dir, ctx.assignment.name, ctx.assignment.notebook
    )
    if not done.students:  # a wrong folder or an empty download: say so, grade nothing
        seen = f"; not understood: {', '.join(done.unmatched[:5])}" if done.unmatched else ""
        raise GradetoolError(
            f"no submission of {ctx.assignment.name} in {folder}{seen}: expected "
            f"<student>/{ctx.assignment.name}/{ctx.assignment.notebook}.ipynb or flat "
            f"<student>_..._{ctx.assignment.notebook}.ipynb files"
        )
    ctx.state.add_canvas_ids(done.canvas_ids)
    return done


def grade(
    assignment: str,
    submissions,
    *,
    course=None,
    workers: int | None = None,
    executor: Executor | None = None,
    limits: Limits | None = None,
    cell_timeout: float | None = None,
    timeout: float | None = None,
    force: bool = False,
    progress: bool = False,
    scheduler: str | None = None,
    canvas_column: str | None = None,
) -> BatchResult:
    """Collect, autograde, and write feedback, exports and the report.

    Parameters
    ----------
    assignment : str
        The assignment id (a folder of ``solutions/``).
    submissions : path
        nbgrader's layout (``<student>/<assignment>/<notebook>.ipynb``) or a flat folder of
        LMS downloads; the course's own ``autograder/submitted`` grades what is there.
    course : path or Course, optional
        The course root (default: found from the current folder up).
    workers : int, optional
        Local worker processes (default: one per core).
    executor : concurrent.futures.Executor, optional
        Run the submissions there instead (e.g. ``distributed.Client(...).get_executor()``).
    limits : Limits, optional
        What a submission may use (default: ``Limits()``), and whether to sandbox it.
    cell_timeout, timeout : float, optional
        Seconds per cell, seconds per submission: override those of ``limits``.
    force : bool
        Grade again even what has not changed.
    progress : bool
        Show a progress bar on stderr.
    scheduler : str, optional
        A Dask scheduler's address (``tcp://host:port``) to run the submissions on.
    canvas_column : str, optional
        The assignment column's header in the Canvas CSV.

    Returns
    -------
    BatchResult
        With ``sandbox``: the sandbox's kind (``bwrap``), or ``none: <why>``.

    Raises
    ------
    GradetoolError
        For a missing assignment, course or folder, invalid limits, or no sandbox when
        ``limits.sandbox`` is ``require``.
    Interrupted
        On Ctrl-C, after saving every result that had arrived.
    """
    limits = _limits(limits, cell_timeout, timeout)
    if not isinstance(course, Course):
        course = find_course(course)
    pool = Pool(executor, workers=workers, scheduler=scheduler, limits=limits)
    first = not (course.state_dir / assignment).is_dir()
    sandboxed = None
    if first and (course.source_dir / assignment).is_dir() and Path(submissions).is_dir():
        sandboxed = _sandbox(limits)
        pool.start()  # a first run: the workers boot while nbgrader loads
    try:
        ctx = Context.open(assignment, course)
        done = _collect(ctx, submissions)
        if sandboxed is None:
            sandboxed = _sandbox(limits)
    except BaseException:
        pool.close()
        raise
    batch = _autograde(
        ctx,
        students=done.students,
        pool=pool,
        limits=limits,
        sandboxed=sandboxed,
        force=force,
        progress=progress,
        feedback=True,
    )
    export(ctx, canvas_column=canvas_column)
    report(ctx, summary_line=f"{batch.summary}; sandbox: {sandboxed}")
    return batch


def autograde(
    assignment: str,
    *,
    course=None,
    students=None,
    workers: int | None = None,
    executor: Executor | None = None,
    scheduler: str | None = None,
    limits: Limits | None = None,
    cell_timeout: float | None = None,
    timeout: float | None = None,
    force: bool = False,
    progress: bool = False,
) -> BatchResult:
    """Autograde what the course's submitted folder holds (no feedback, no exports).

    The arguments are `grade`'s; ``students`` (ids) limits the batch to those.
    """
    limits = _limits(limits, cell_timeout, timeout)
    ctx = Context.open(assignment, course)
    sandboxed = _sandbox(limits)
    return _autograde(
        ctx,
        students=students,
        pool=Pool(executor, workers=workers, scheduler=scheduler, limits=limits),
        limits=limits,
        sandboxed=sandboxed,
        force=force,
        progress=progress,
        feedback=False,
    )


def feedback(ctx_or_assignment, *, course=None) -> list[Path]:
    """Write the feedback of every student with a standing result; return the files."""
    ctx = _ctx(ctx_or_assignment, course)
    written = []
    for student, result in ctx.state.standings().items():
        path = ctx.autograded(student)
        if not path.is_file():
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        written.append(_write_feedback(ctx, result, nb))
    return written


def export(ctx_or_assignment, *, course=None, canvas_column: str | None = None) -> list[Path]:
    """Write the grades, tests and Canvas CSV files; return them."""
    ctx = _ctx(ctx_or_assignment, course)
    gradebook = read_submissions(ctx.course.db_url, ctx.assignment.name)
    return write_exports(
        ctx.course.exports_dir,
        ctx.assignment.name,
        ctx.state.latest(),
        gradebook,
        canvas_ids=ctx.state.canvas_ids(),
        canvas_column=canvas_column,
    )


def report(ctx_or_assignment, *, course=None, summary_line: str = "") -> list[Path]:
    """Write the class report; return its files."""
    ctx = _ctx(ctx_or_assignment, course)
    return write_report(
        ctx.course.reports_dir,
        ctx.assignment.name,
        ctx.state.latest(),
        ctx.state.standings(),
        summary_line=summary_line,
        part_of=ctx.assignment.answer_of,
        cache=ctx.state.folder,
    )


def check(
    spec: Assignment,
    path: Path,
    *,
    limits: Limits | None = None,
    cell_timeout: float | None = None,
    timeout: float | None = None,
) -> StudentResult:
    """Grade one notebook in this process, as a batch would; write nothing.

    Parameters
    ----------
    spec : Assignment
    path : Path
        The notebook.
    limits : Limits, optional
        As for `grade` (default: ``Limits()``).
    cell_timeout, timeout : float, optional
        Override those of ``limits``.

    Returns
    -------
    StudentResult

    Raises
    ------
    GradetoolError
        For invalid limits, or no sandbox when ``limits.sandbox`` is ``require``.
    """
    from . import kernels

    limits = _limits(limits, cell_timeout, timeout)
    _sandbox(limits)
    kernels.local_pool().spare_enabled = False  # one notebook: no kernel to prepare
    size = Path(path).stat().st_size
    if size > limits.notebook_size:
        task = make_task(
            spec, Path(path).stem, None, limits=limits, refused=too_large(size, limits)
        )
    else:
        text = Path(path).read_bytes().decode("utf-8", errors="replace")
        task = make_task(spec, Path(path).stem, text, limits=limits)
    data = grade_submission(task)
    for key in ("notebook", "unanswered", "traceback"):
        data.pop(key, None)
    return StudentResult.from_dict(data)


def _ctx(ctx_or_assignment, course) -> Context:
    if isinstance(ctx_or_assignment, Context):
        return ctx_or_assignment
    return Context.open(ctx_or_assignment, course)


# ---------------------------------------------------------------------------- the batch


def _autograde(
    ctx: Context,
    *,
    students,
    pool: Pool,
    limits: Limits,
    sandboxed: str,
    force,
    progress,
    feedback: bool,
) -> BatchResult:
    from .kernels import sweep_orphans

    start = time.perf_counter()
    sweep_orphans()  # the kernel folders of a run that was killed outright (SIGKILL)
    spec = ctx.assignment
    subs = collecting.scan(ctx.course.submitted_dir, spec.name, spec.notebook, students)
    batch = BatchResult(spec.name)
    batch.sandbox = sandboxed
    pool.kernel_name = spec.kernel_name
    pool.answers = tuple(spec.answer_modules)
    try:
        todo = _skip_unchanged(ctx, subs, batch, force, limits)
        if not todo:  # nothing to grade: nbgrader is not even loaded
            return _sorted(batch, start)
        pool.start()  # the workers boot while the gradebook is prepared
        ensure_assignment(ctx.course, spec)
        tasks = {}
        for student, (text, _, refused) in todo.items():
            sub = subs[student]
            tasks[student] = make_task(
                spec,
                student,
                text,
                found=sub.found,
                renamed_from=sub.renamed_from,
                limits=limits,
                refused=refused,
            )
        with GradebookWriter(ctx.course.db_url) as writer:
            bar = _progress(len(subs), progress)
            bar.update(len(batch.students))

            def commit(student: str, data: dict) -> None:
                result = _commit(ctx, writer, subs[student], data, todo[student][1], feedback)
                batch.students[student] = result
                bar.update(1)
                bar.set_postfix_str(_counts(batch), refresh=False)

            try:
                run(pool, tasks, commit)
            except KeyboardInterrupt:
                batch.interrupted = True
                pool.stop()
                raise Interrupted(_sorted(batch, start)) from None
            finally:
                bar.close()
    finally:
        pool.close()
        sweep_orphans()  # again: a killed run's last processes may have been exiting at start
    return _sorted(batch, start)


def _skip_unchanged(
    ctx: Context, subs: dict, batch: BatchResult, force: bool, limits: Limits
) -> dict:
    """Skip the submissions graded before under the same key; return the others.

    A skipped result is put in ``batch`` (and the state); a recorded one is skipped only if
    the gradebook and ``autograded/`` still hold it. A notebook over
    ``limits.notebook_size`` is not read: its key is made from its size.

    Returns
    -------
    dict of str to tuple
        Student → (the notebook's text or None, its grading key, why it is refused or
        None), for those to grade.
    """
    spec = ctx.assignment
    gradebook = None
    todo = {}
    for student, sub in subs.items():
        size = sub.notebook.stat().st_size if sub.notebook else 0
        refused = too_large(size, limits) if size > limits.notebook_size else None
        raw = sub.notebook.read_bytes() if sub.notebook and not refused else None
        key = grading_key(
            content_hash(raw if not refused else f"{size} bytes, not read".encode()),
            spec.tests_hash,
        )
        result = None if force else ctx.state.unchanged(student, key)
        if result is not None and result.recorded:
            if gradebook is None:
                gradebook = read_submissions(ctx.course.db_url, spec.name)
            if student not in gradebook or not ctx.autograded(student).is_file():
                result = None  # recorded once, gone since: grade it again
        if result is not None:
            result.status, result.extra_files = SKIPPED, sub.extra_files
            ctx.state.record(result)
            batch.students[student] = result
            continue
        text = raw.decode("utf-8", errors="replace") if raw is not None else None
        todo[student] = (text, key, refused)
    return todo


def too_large(size: int, limits: Limits) -> str:
    """The reason a notebook of ``size`` bytes is invalid."""
    return (
        f"the notebook has {format_size(size)}, more than the {format_size(limits.notebook_size)}"
        " a submission may have (--max-notebook-size): it was not read. Clear large outputs"
        " (Kernel > Restart & Clear Output) and submit again."
    )


def _limits(limits: Limits | None, cell_timeout=None, timeout=None) -> Limits:
    """``limits`` (default ``Limits()``) with the timeouts given apart, checked.

    Raises
    ------
    GradetoolError
        With `Limits`'s message, for an invalid value.
    """
    if limits is None:
        limits = Limits()
    elif not isinstance(limits, Limits):
        raise GradetoolError(f"limits must be a Limits, not {type(limits).__name__}")
    given = {"cell_timeout": cell_timeout, "timeout": timeout}
    try:
        return limits.replace(**{k: v for k, v in given.items() if v is not None})
    except (TypeError, ValueError) as exc:
        raise GradetoolError(str(exc)) from None


def _sandbox(limits: Limits) -> str:
    """Check, once per batch and before any worker starts, what grading will run in.

    Returns
    -------
    str
        The sandbox's kind (``bwrap``), or ``none: <why>`` (``sandbox.check`` has warned).

    Raises
    ------
    GradetoolError
        When ``limits.sandbox`` is ``require`` and this machine has no sandbox.
    """
    from . import sandbox  # not at the top: importing batch must not need it

    try:
        info = sandbox.check(limits)
    except sandbox.SandboxUnavailable as exc:
        raise GradetoolError(str(exc)) from None
    return info.kind if info.available else f"none: {info.reason}"


def _sorted(batch: BatchResult, start: float) -> BatchResult:
    batch.students = dict(sorted(batch.students.items()))
    batch.seconds = time.perf_counter() - start
    return batch


def _counts(batch: BatchResult) -> str:
    return (
        f"graded {batch.graded}, failed {batch.failed}, timed out {batch.timed_out}, "
        f"invalid {batch.invalid}, skipped {batch.skipped}"
    )


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(
        total=total,
        disable=not enabled,
        file=sys.stderr,
        unit="nb",
        dynamic_ncols=True,
        desc="grading",
        smoothing=0.1,
    )


def _commit(ctx: Context, writer: GradebookWriter, sub, data: dict, key: dict, feedback: bool):
    """Save one student's result as it arrives; return it.

    A ``graded`` result goes into the gradebook, ``autograded/`` and the feedback. So does a
    ``timed out`` or ``crashed`` one in which some test ran, when the gradebook holds no
    result of the student yet (as nbgrader, which scores what ran); otherwise the gradebook
    keeps what it had. The state file is written last: a crash before it means a regrade.
    """
    nb = data.pop("notebook", None)
    unanswered = data.pop("unanswered", [])
    ran = data.pop("ran", 0)
    data.pop("traceback", None)
    result = StudentResult.from_dict(data)
    result.extra_files = list(sub.extra_files)
    if result.extra_files:
        word = "other files" if result.status == INVALID else "ignored"
        result.reason += f"; {word}: {', '.join(result.extra_files)}"
    student, name = result.student, ctx.assignment.name
    kept = writer.score(name, student)
    previous = kept is not None
    if result.status in FAILURES and previous:
        result.previous_score = kept
        result.reason += f"; the previous result ({kept:g}) stays in the gradebook"
    record = result.status == GRADED or (
        result.status in (TIMED_OUT, CRASHED) and ran and not previous and nb is not None
    )
    if record:
        try:
            timestamp = read_timestamp(sub.folder)
            writer.write(ctx.assignment, result, timestamp=timestamp, unanswered=unanswered)
        except Exception as exc:
            record = False
            result.status = CRASHED
            result.reason = f"could not write the gradebook: {type(exc).__name__}: {exc}"
    if record:
        result.recorded = True
        if result.status != GRADED:
            result.reason += "; recorded, as it is the first result"
        path = ctx.autograded(student)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_text(path, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        timestamp_file = sub.folder / "timestamp.txt"
        if timestamp_file.is_file():
            (path.parent / "timestamp.txt").write_bytes(timestamp_file.read_bytes())
        if feedback:
            _write_feedback(ctx, result, nb)
    elif nb is not None:
        failed = ctx.state.folder / "failed" / f"{student}.ipynb"
        failed.parent.mkdir(parents=True, exist_ok=True)
        _write_text(failed, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    ctx.state.record(result, key)
    return result


def _write_feedback(ctx: Context, result: StudentResult, nb: dict) -> Path:
    path = ctx.feedback(result.student)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_text(path, render_feedback(nb, result, ctx.assignment.name))
    return path


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


__all__ = [
    "CRASHED",
    "GRADED",
    "INVALID",
    "SKIPPED",
    "TIMED_OUT",
    "Interrupted",
    "autograde",
    "collect",
    "export",
    "feedback",
    "grade",
    "report",
]
