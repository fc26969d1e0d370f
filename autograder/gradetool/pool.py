"""Where the submissions run: a local process pool, or any ``concurrent.futures`` executor.

By default a batch runs on a pool of its own: one worker process per core, spawned (not
forked: the main process has threads), each booting a spare kernel at once and ending with
its kernels. Any executor can be given instead, e.g. a Dask cluster's
(``distributed.Client(...).get_executor()``, or just the scheduler's address): the task
function and its argument are plain, picklable data (`gradetool.worker`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from .course import GradetoolError
from .results import CRASHED, StudentResult
from .worker import grade_submission, init_worker


def default_workers() -> int:
    """One worker per core this process may use."""
    with contextlib.suppress(AttributeError):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class Pool:
    """The executor of a batch: the caller's, or one of our own (closed at the end).

    Our own is a Dask client's executor (with ``scheduler``) or a local process pool of
    ``workers`` processes (spawned, not forked: the parent has threads), each starting a
    spare kernel as it boots.
    """

    def __init__(
        self, executor=None, *, workers=None, scheduler=None, kernel_name="python3", limits=None
    ):
        if workers is not None and workers < 1:
            raise GradetoolError(f"workers must be at least 1, not {workers}")
        self.executor = executor
        self.given = executor is not None
        self.workers = workers or default_workers()
        self.scheduler = scheduler
        self.kernel_name = kernel_name
        self.limits = limits  # the spare kernels' limits (a spare with others is discarded)
        self.answers: tuple[str, ...] = ()  # the modules the student kernels may not import
        self.client = None

    def start(self) -> Executor:
        if self.executor is not None:
            return self.executor
        if self.scheduler:
            try:
                from distributed import Client
            except ImportError as exc:
                raise GradetoolError(
                    "--scheduler needs Dask: pip install distributed (on every worker too)"
                ) from exc
            try:
                self.client = Client(self.scheduler, timeout="10s")
            except OSError as exc:
                raise GradetoolError(
                    f"cannot reach the Dask scheduler {self.scheduler}: {exc}"
                ) from exc
            self.executor = self.client.get_executor()
        else:
            from .kernels import record_semaphores, semaphores

            before = semaphores()
            self.executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=init_worker,
                initargs=(
                    self.kernel_name,
                    self.limits.to_dict() if self.limits else None,
                    tuple(self.answers),
                ),
            )
            record_semaphores(semaphores() - before)  # swept if this process is killed
            for _ in range(self.workers):  # the pool spawns a worker per waiting task
                self.executor.submit(_ready)
        return self.executor

    @property
    def restartable(self) -> bool:
        return not self.given and isinstance(self.executor, ProcessPoolExecutor)

    def restart(self) -> None:
        """A new local pool, after a worker process died and broke the old one."""
        old, self.executor = self.executor, None
        with contextlib.suppress(Exception):
            old.shutdown(wait=False, cancel_futures=True)
        self.start()

    def submit(self, task: dict):
        executor = self.start()
        if type(executor).__name__ == "ClientExecutor":  # Dask: never reuse a cached result
            return executor.submit(grade_submission, task, pure=False)
        return executor.submit(grade_submission, task)

    def stop(self) -> None:
        """After Ctrl-C: cancel what has not started; our own workers are terminated."""
        executor = self.executor
        if executor is None:
            return
        if self.restartable:
            for process in list((getattr(executor, "_processes", None) or {}).values()):
                with contextlib.suppress(Exception):
                    process.terminate()  # the worker kills its kernels (SIGTERM handler)
            executor.shutdown(wait=False, cancel_futures=True)
        elif not self.given:
            with contextlib.suppress(Exception):
                executor.shutdown(wait=False)
        self.executor = None if not self.given else executor
        self.close()

    def close(self) -> None:
        if not self.given and self.executor is not None:
            self.executor.shutdown(wait=True)
            self.executor = None
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close()
            self.client = None


def _ready() -> None:
    """A task that does nothing: submitted to make the pool start its workers now."""


def run(pool: Pool, tasks: dict[str, dict], commit) -> None:
    """Run the tasks on ``pool`` and ``commit(student, result)`` each result as it arrives.

    A worker process that dies (killed by the system, or by a student's code) breaks a
    local process pool: the unfinished tasks run once more in a new pool; what breaks it
    again is ``crashed``.
    """
    pending = dict(tasks)
    for attempt in range(2):
        futures = {pool.submit(task): student for student, task in pending.items()}
        broken: dict[str, str] = {}
        for future in as_completed(futures):
            student = futures[future]
            try:
                data = future.result()
            except BrokenProcessPool as exc:
                broken[student] = f"a worker process died ({exc})"
                continue
            except Exception as exc:
                data = _failure(student, pending[student], f"the worker failed: {exc!r}")
            commit(student, data)
            del pending[student]
        if not broken:
            return
        if attempt == 0 and pool.restartable:
            pool.restart()
            continue
        for student in list(pending):
            commit(student, _failure(student, pending[student], broken[student]))
        return


def _failure(student: str, task: dict, why: str) -> dict:
    result = StudentResult(student, CRASHED, f"grading failed: {why}")
    result.max_score = float(sum(task["tests"].values()))
    return {**result.to_dict(), "notebook": None, "unanswered": [], "ran": 0}
