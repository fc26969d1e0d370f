"""Run a notebook's code cells in a fresh kernel, within limits.

`execute_notebook` sends the cells one by one (as nbclient does, but with limits nbclient
lacks: its interrupt-on-timeout waits for a kernel that ignores SIGINT forever):

- a cell running over ``cell_timeout`` is interrupted (SIGINT); if it does not stop within
  `INTERRUPT_GRACE` seconds (a loop that catches KeyboardInterrupt) the kernel is killed;
- the whole notebook gets ``timeout`` seconds, after which the kernel is killed;
- a kernel that dies (``os._exit``, a segfault) ends the run, as does ``exit()``;
- outputs are kept up to `MAX_CELL_OUTPUT` characters per cell and `MAX_OUTPUT` per
  notebook; the rest is counted and dropped as it arrives.
"""

from __future__ import annotations

import contextlib
import re
import time
from dataclasses import dataclass, field
from queue import Empty

from . import remote
from .kernels import Kernel
from .limits import Limits
from .repair import grade_id, is_answer, source_text

MAX_CELL_OUTPUT = 100_000  # characters kept per cell
MAX_OUTPUT = 1_000_000  # characters kept per notebook
MAX_TRACEBACK_LINES = 60
INTERRUPT_GRACE = 3.0  # seconds a timed-out cell gets to stop after SIGINT
POLL = 0.25  # seconds between checks that the kernel is alive

TIMEOUT_ENAME = "CellTimeoutError"


@dataclass
class Execution:
    """The outcome of running a notebook.

    Attributes
    ----------
    nb : dict
        The notebook, with outputs and execution counts.
    status : str
        ``ok``, ``timed out`` or ``crashed``.
    reason : str
        For ``timed out`` and ``crashed``: what happened, where.
    not_run : list of int
        Indices of code cells never run (after the kernel was killed or died).
    cell_seconds : float
        Time spent running cells.
    truncated : int
        Characters of output dropped.
    """

    nb: dict
    status: str = "ok"
    reason: str = ""
    not_run: list[int] = field(default_factory=list)
    cell_seconds: float = 0.0
    truncated: int = 0


class _Outputs:
    """Builds a cell's outputs from iopub messages, within the size limits."""

    def __init__(self, budget: list[int], cell_limit: int = MAX_CELL_OUTPUT) -> None:
        self.outputs: list[dict] = []
        self.budget = budget  # [characters left for the notebook], shared by the cells
        self.cell_limit = cell_limit
        self.used = 0
        self.dropped = 0
        self.clear_pending = False

    def _room(self) -> int:
        return max(0, min(self.cell_limit - self.used, self.budget[0]))

    def _take(self, size: int) -> None:
        self.used += size
        self.budget[0] -= size

    def add(self, msg: dict) -> None:
        kind, content = msg["msg_type"], msg["content"]
        if kind == "clear_output":
            if content.get("wait"):
                self.clear_pending = True
            else:
                self.outputs = []
            return
        if kind not in ("stream", "display_data", "execute_result", "error"):
            return
        if self.clear_pending:
            self.outputs, self.clear_pending = [], False
        if kind == "stream":
            text = content.get("text", "")
            room = self._room()
            self.dropped += max(0, len(text) - room)
            text = text[:room]
            self._take(len(text))
            last = self.outputs[-1] if self.outputs else None
            if last and last["output_type"] == "stream" and last["name"] == content["name"]:
                last["text"] += text
            elif text:
                self.outputs.append(
                    {"output_type": "stream", "name": content["name"], "text": text}
                )
        elif kind == "error":
            tb = content.get("traceback", [])
            if len(tb) > MAX_TRACEBACK_LINES:
                tb = [*tb[:5], "…", *tb[-MAX_TRACEBACK_LINES + 6 :]]
            self.outputs.append(
                {
                    "output_type": "error",
                    "ename": str(content.get("ename", ""))[:1000],
                    "evalue": str(content.get("evalue", ""))[:20_000],
                    "traceback": [line[:5000] for line in tb],
                }
            )
        else:
            data = content.get("data", {})
            size = sum(len(str(v)) for v in data.values())
            if size > self._room():
                self.dropped += size
                plain = str(data.get("text/plain", ""))[:200]
                data = {"text/plain": f"{plain} [output of {size:,} characters not kept]"}
                size = len(data["text/plain"])
            self._take(size)
            out = {"output_type": kind, "data": data, "metadata": content.get("metadata", {})}
            if kind == "execute_result":
                out["execution_count"] = content.get("execution_count")
            self.outputs.append(out)

    def finish(self) -> list[dict]:
        if self.dropped:
            note = f"\n[output truncated: {self.dropped:,} more characters were not kept]\n"
            self.outputs.append({"output_type": "stream", "name": "stderr", "text": note})
        return self.outputs


def _label(nb: dict, index: int) -> str:
    """``cell 12 (test_collapse)``: how a reason names a cell."""
    gid = grade_id(nb["cells"][index])
    return f"cell {index + 1}" + (f" ({gid})" if gid else "")


@dataclass
class Tests:
    """What the checker kernel runs, taken from the source notebook (never the submission).

    Attributes
    ----------
    cells : dict of str to str
        Grade id of each autograded test cell → its code in the source.
    setup : dict of str to list of str
        Grade id of each test cell → the source's other instructor cells (neither answers
        nor tests, e.g. ``import numpy as np``) that come before it and after the previous
        test cell: the checker runs them first.
    answers : frozenset of str or None
        The names the source's answer cells define at module level (their functions,
        classes, variables and imports): the only names a test may take from the student's
        kernel, so that no other name a test reads (``reference_update``, ``rng_test``)
        reaches it. None: any name (tests built by hand).
    """

    cells: dict[str, str]
    setup: dict[str, list[str]]
    answers: frozenset[str] | None = None

    @classmethod
    def from_source(cls, source: dict, tests) -> Tests:
        cells, setup, pending, answers = {}, {}, [], set()
        for cell in source["cells"]:
            if cell.get("cell_type") != "code":
                continue
            gid = grade_id(cell)
            if gid in tests:
                cells[gid], setup[gid], pending = source_text(cell), pending, []
            elif is_answer(cell):
                answers |= defined_names(source_text(cell))
            elif source_text(cell).strip():
                pending.append(source_text(cell))
        return cls(cells, setup, frozenset(answers))


def defined_names(code: str) -> set[str]:
    """The names that ``code`` binds at module level (not inside functions or classes)."""
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:  # an IPython magic in the source: the definitions still show
        found = re.findall(r"^(?:async\s+)?(?:def|class)\s+(\w+)|^(\w+)\s*=", code, re.M)
        return {name for pair in found for name in pair if name}
    names: set[str] = set()
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
            continue
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                names.add(child.id)
            elif isinstance(child, (ast.stmt, ast.expr, ast.excepthandler, ast.withitem)):
                todo.append(child)
    return names


def execute_notebook(
    nb: dict,
    kernel: Kernel,
    *,
    cell_timeout: float | None = None,
    timeout: float | None = None,
    limits: Limits | None = None,
    checker: Kernel | None = None,
    tests: Tests | None = None,
    seed: int | None = None,
) -> Execution:
    """Run every code cell of ``nb`` (in place) in ``kernel``; errors do not stop the run.

    With a ``checker`` kernel and the source's ``tests``, every autograded test cell runs in
    the checker instead (its code from ``tests``, not from ``nb``), and reaches the student's
    functions and values in ``kernel`` through `gradetool.remote`; all the other cells run
    in ``kernel``.

    Parameters
    ----------
    nb : dict
        The notebook (nbformat 4 JSON); its code cells get outputs and execution counts.
    kernel : Kernel
        The student's kernel, connected, used for this notebook only.
    cell_timeout, timeout : float, optional
        Seconds a cell may run before it is interrupted; seconds for the whole notebook,
        after which the kernel is killed. They override ``limits``.
    limits : Limits, optional
        Time and output limits (`gradetool.limits.Limits`; defaults when None).
    checker : Kernel, optional
        A connected kernel for the test cells.
    tests : Tests, optional
        The test cells' code and set-up, from the source notebook (required with checker).
    seed : int, optional
        The submission's seed for the hidden tests' random cases, given to the checker
        (`mlpbook.grading.case_rng`); None: the tests' fixed defaults.

    Returns
    -------
    Execution
    """
    limits = limits or Limits()
    if cell_timeout is not None or timeout is not None:
        limits = limits.replace(
            cell_timeout=cell_timeout if cell_timeout is not None else limits.cell_timeout,
            timeout=timeout if timeout is not None else limits.timeout,
        )
    if checker is not None and tests is None:
        raise ValueError("a checker kernel needs the source's tests")
    run = Execution(nb)
    clock = _Clock(limits, time.perf_counter() + limits.timeout, [limits.output])
    bridge = None
    if checker is not None:
        student_code = remote.CELL_SEPARATOR.join(
            c["source"]
            for c in nb["cells"]
            if c["cell_type"] == "code" and grade_id(c) not in tests.cells
        )
        bridge = _Bridge(kernel, checker, tests, clock, student_code, seed)
    code = [k for k, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
    for pos, index in enumerate(code):
        cell = nb["cells"][index]
        cell["outputs"], cell["execution_count"] = [], None
        gid = grade_id(cell)
        if bridge is not None and gid in tests.cells:
            outcome = bridge.run_test(cell, gid)
        elif not cell["source"].strip():
            continue
        else:
            outcome = _run_cell(kernel, cell, clock)
        run.cell_seconds += outcome.seconds
        run.truncated += outcome.dropped
        where = _label(nb, index)
        if outcome.state == "interrupted" and run.status == "ok":
            run.status = "timed out"
            run.reason = f"{where} ran over {limits.cell_timeout:g} s and was interrupted"
        elif outcome.state in ("killed", "deadline", "dead"):
            run.not_run = [
                k
                for k in code[pos + 1 :]
                if nb["cells"][k]["source"].strip()
                or (bridge is not None and grade_id(nb["cells"][k]) in tests.cells)
            ]
            culprit = outcome.kernel or kernel
            whose = "the checker kernel" if culprit is checker else "the kernel"
            if outcome.state == "dead":
                run.status = "crashed"
                run.reason = f"{whose} died in {where} ({culprit.exit_description()})"
            elif outcome.state == "killed":
                run.status = "timed out"
                run.reason = (
                    f"{where} ran over {limits.cell_timeout:g} s and ignored the interrupt: "
                    f"{whose} was killed"
                )
            else:
                run.status = "timed out"
                run.reason = (
                    f"the notebook ran over {limits.timeout:g} s: {whose} was killed in {where}"
                )
            break
    return run


@dataclass
class _Clock:
    """The limits of one notebook's run: per cell, the deadline, the output left."""

    limits: Limits
    deadline: float
    budget: list[int]


@dataclass
class _Outcome:
    state: str  # ok, interrupted, killed, deadline, dead
    seconds: float
    dropped: int
    kernel: Kernel | None = None  # the kernel that was killed or died, when not the student's
    error: dict | None = None  # the error output of a quiet run, if any


def _run_cell(kernel: Kernel, cell: dict, clock: _Clock, code: str | None = None, bridge=None):
    """Run one cell in ``kernel`` within the clock's limits; fill its outputs.

    With a ``bridge`` (test cells in the checker kernel), the kernel's requests on its stdin
    channel are answered by the bridge (calls into the student's kernel) meanwhile.
    """
    kc = kernel.kc
    cell_timeout, deadline = clock.limits.cell_timeout, clock.deadline
    start = time.perf_counter()
    msg_id = kc.execute(
        cell["source"] if code is None else code,
        store_history=True,
        allow_stdin=bridge is not None,
        stop_on_error=False,
    )
    outputs = _Outputs(clock.budget, clock.limits.cell_output)
    stop_at = min(start + cell_timeout, deadline)
    state = "ok"
    reply_status = None
    culprit = None
    while True:
        now = time.perf_counter()
        if now >= stop_at:
            if now >= deadline:
                state = "deadline"
                break
            if state == "interrupted":  # the interrupt was ignored
                state = "killed"
                break
            state = "interrupted"
            kernel.interrupt()
            stop_at = min(now + INTERRUPT_GRACE, deadline)
            continue
        if bridge is not None:
            msg, channel = _next_message(kc, min(POLL, stop_at - now))
            if channel == "stdin":
                outcome = bridge.answer(msg, stop_at, interrupted=state == "interrupted")
                if outcome in ("killed", "deadline", "dead"):  # the student's kernel
                    state, culprit = outcome, bridge.student
                    break
                if outcome == "interrupted":  # the student's call ran to the cell's end
                    state = "interrupted"  # the checker now fails the test: let it finish
                    stop_at = min(time.perf_counter() + INTERRUPT_GRACE, deadline)
                continue
        else:
            try:
                msg = kc.iopub_channel.get_msg(timeout=min(POLL, stop_at - now))
            except Empty:
                msg = None
        if msg is None:
            if not kernel.alive():
                state, culprit = "dead", kernel
                break
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
            break
        if msg["msg_type"] == "execute_input":
            cell["execution_count"] = msg["content"].get("execution_count")
        outputs.add(msg)
    seconds = time.perf_counter() - start
    if culprit is not None and culprit is not kernel:
        # the student's kernel was killed or died in a call: the checker got an error for
        # it; collect the test's failure (the checker is killed if it does not finish)
        _drain(kernel, msg_id, outputs, min(time.perf_counter() + INTERRUPT_GRACE, deadline))
    if state in ("killed", "deadline"):
        kernel.kill()
    if state in ("ok", "interrupted") and culprit is None:
        reply_status = _reply(kc, msg_id)
    cell["outputs"] = outputs.finish()
    has_error = any(o["output_type"] == "error" for o in cell["outputs"])
    if state != "ok":
        limit = f"{cell_timeout:g} s" if state in ("interrupted", "killed") else "the time limit"
        what = {"dead": "the kernel died while running this cell"}.get(
            state, f"this cell ran over {limit} and was stopped"
        )
        ename = TIMEOUT_ENAME if state != "dead" else "DeadKernelError"
        cell["outputs"].append(
            {
                "output_type": "error",
                "ename": ename,
                "evalue": what,
                "traceback": [f"{ename}: {what}"],
            }
        )
    elif reply_status == "error" and not has_error:
        cell["outputs"].append(
            {"output_type": "error", "ename": "Error", "evalue": "the cell failed", "traceback": []}
        )
    return _Outcome(state, seconds, outputs.dropped, culprit if culprit is not kernel else None)


def _next_message(kc, timeout: float):
    """The next message on the kernel's iopub or stdin channel: ``(msg, "iopub"|"stdin")``."""
    import zmq

    poller = zmq.Poller()
    poller.register(kc.stdin_channel.socket, zmq.POLLIN)
    poller.register(kc.iopub_channel.socket, zmq.POLLIN)
    ready = dict(poller.poll(max(0, int(timeout * 1000))))
    for name, channel in (("stdin", kc.stdin_channel), ("iopub", kc.iopub_channel)):
        if channel.socket in ready:
            with contextlib.suppress(Empty):
                return channel.get_msg(timeout=0), name
    return None, None


def _drain(kernel: Kernel, msg_id: str, outputs: _Outputs, until: float) -> None:
    """Collect the cell's last outputs until the kernel is idle (or ``until``)."""
    while time.perf_counter() < until and kernel.alive():
        try:
            msg = kernel.kc.iopub_channel.get_msg(timeout=0.1)
        except Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
            return
        outputs.add(msg)
    kernel.kill()


def _reply(kc, msg_id: str) -> str | None:
    """The status of the execute reply to ``msg_id`` (it normally came before idle)."""
    until = time.perf_counter() + 2.0
    while time.perf_counter() < until:
        try:
            msg = kc.shell_channel.get_msg(timeout=0.5)
        except Empty:
            continue
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg["content"].get("status")
    return None


# ------------------------------------------------------------------ the checker's requests


class _Bridge:
    """Runs test cells in the checker kernel and carries its requests to the student's.

    See `gradetool.remote` for the design and why a student cannot fake a test this way.
    """

    def __init__(
        self,
        student: Kernel,
        checker: Kernel,
        tests: Tests,
        clock: _Clock,
        student_code: str,
        seed: int | None = None,
    ) -> None:
        self.student, self.checker, self.tests, self.clock = student, checker, tests, clock
        self.student_state = "ok"  # ok, or how the student's kernel ended: killed, dead…
        self.student_code = student_code  # for the own-work checks, read in the checker
        self.seed = seed  # the hidden tests' cases (mlpbook.grading.case_rng), checker only
        self.loop: str | None = None  # msg id of the student kernel's serve loop, if running

    def run_test(self, cell: dict, gid: str) -> _Outcome:
        try:
            return self._run_test(cell, gid)
        finally:
            self.stop_loop()

    def _run_test(self, cell: dict, gid: str) -> _Outcome:
        code = self.tests.cells[gid]
        setup_seconds = 0.0
        if self.student_code is not None:
            done = self._quiet(
                self.checker, remote.checker_code("start_checker", self.student_code, self.seed)
            )
            self.student_code = None
            if done.state != "ok" or done.error:
                return _failed(cell, done, "the checker could not start")
        for text in self.tests.setup.get(gid, ()):  # the instructor's cells, quietly
            done = self._quiet(self.checker, text)
            setup_seconds += done.seconds
            if done.state != "ok":
                return _failed(cell, done, "the test's set-up did not finish")
        self.tests.setup[gid] = []
        names = remote.wanted_names(code)
        if self.tests.answers is not None:  # only the answers' names reach the student
            names = [n for n in names if n in self.tests.answers]
        if names:
            start = time.perf_counter()
            payload, state = self._student_request(
                remote.dumps({"op": "export", "names": names}), None, self._cell_end()
            )
            if state in ("killed", "deadline", "dead", "interrupted"):
                stopped = _Outcome(state, time.perf_counter() - start, 0, self.student)
                return _failed(cell, stopped, "the student's kernel did not answer")
            bound = self._quiet(self.checker, remote.checker_code("bind", payload, names))
            setup_seconds += time.perf_counter() - start
            if bound.state != "ok":
                return _failed(cell, bound, "the test's set-up did not finish")
            if bound.error:  # the student's values could not be read: the test fails
                cell["outputs"] = [bound.error]
                return _Outcome("ok", setup_seconds, 0)
        outcome = _run_cell(self.checker, cell, self.clock, code=code, bridge=self)
        outcome.seconds += setup_seconds
        return outcome

    def _cell_end(self) -> float:
        return min(time.perf_counter() + self.clock.limits.cell_timeout, self.clock.deadline)

    def _quiet(self, kernel: Kernel, code: str) -> _Outcome:
        """Run instructor code in the checker; its outputs are dropped, an error is kept."""
        scratch = {"source": code, "outputs": []}
        outcome = _run_cell(kernel, scratch, _Clock(self.clock.limits, self.clock.deadline, [0]))
        outcome.kernel = outcome.kernel or (kernel if outcome.state != "ok" else None)
        errors = [o for o in scratch["outputs"] if o["output_type"] == "error"]
        outcome.error = errors[-1] if errors else None
        return outcome

    def answer(self, msg: dict, stop_at: float, *, interrupted: bool) -> str:
        """Answer one request of the checker; the student kernel's state after it."""
        prompt = msg["content"].get("prompt", "")
        if not remote.is_request(prompt):
            self.checker.kc.input("")  # a test that calls input(): there is no one to answer
            return "ok"
        if self.student_state != "ok" or interrupted:
            reply = remote.grader_reply("dead", "the student's kernel is not running")
            self.checker.kc.input(reply)
            return self.student_state if self.student_state != "ok" else "ok"
        text = remote.request_text(prompt)
        try:
            wanted = remote.loads(text).get("timeout")
        except (remote.DecodeError, AttributeError):
            wanted = None
        call_end = stop_at
        if isinstance(wanted, (int, float)) and wanted > 0:
            call_end = min(stop_at, time.perf_counter() + wanted)
        reply, state = self._student_request(text, wanted, call_end, cell_end=stop_at)
        self.checker.kc.input(reply)
        return state

    def _student_request(
        self, text: str, wanted: float | None, call_end: float, cell_end: float | None = None
    ) -> tuple[str, str]:
        """Send one request to the student kernel: ``(reply text, its state after)``.

        The request goes to the kernel's serve loop (`remote.serve_loop`, started at the
        first request of a test) on its stdin channel. ``call_end`` is when the call is
        interrupted (its own timeout or the cell's end); a kernel that ignores the
        interrupt for `INTERRUPT_GRACE` seconds is killed.
        """
        student, deadline = self.student, self.clock.deadline
        cell_end = cell_end or call_end
        kc = student.kc
        if self.loop is None:
            self.loop = kc.execute(
                remote.checker_code("serve_loop"),
                silent=False,
                store_history=False,
                allow_stdin=True,
                stop_on_error=False,
            )
            ready, state = self._await_reply(call_end, deadline)
            if ready is None:  # no loop: the kernel is gone, or the loop did not start
                return self._no_reply(state, wanted, call_end, cell_end)
        kc.input(text)
        reply, state = self._await_reply(call_end, deadline)
        if reply is None:
            return self._no_reply(state, wanted, call_end, cell_end)
        return reply, "ok"

    def _await_reply(self, call_end: float, deadline: float) -> tuple[str | None, str]:
        """The serve loop's next answer: ``(text, "ok")``, or ``(None, what happened)``.

        What happened: ``ended`` (the loop stopped without an answer), ``too large`` (an
        answer over twice `remote.MAX_BYTES`, not read), ``interrupted`` (stopped at
        ``call_end``), or the kernel's end (`_stopped`: killed, dead, deadline).
        Output the student's code prints meanwhile is read and dropped.
        """
        import zmq

        student = self.student
        kc = student.kc
        interrupted_at = None
        poller = zmq.Poller()
        poller.register(kc.stdin_channel.socket, zmq.POLLIN)
        poller.register(kc.iopub_channel.socket, zmq.POLLIN)
        while True:
            now = time.perf_counter()
            if now >= deadline:
                self._stopped("deadline")
                return None, "deadline"
            if interrupted_at is None and now >= call_end:
                student.interrupt()
                interrupted_at = now
            if interrupted_at is not None and now >= interrupted_at + INTERRUPT_GRACE:
                self._stopped("killed")
                return None, "killed"
            limit = call_end if interrupted_at is None else interrupted_at + INTERRUPT_GRACE
            limit = min(limit, deadline)
            ready = dict(poller.poll(max(1, int(min(POLL, limit - now) * 1000))))
            if not ready:
                if not student.alive():
                    self._stopped("dead")
                    return None, "dead"
                continue
            if kc.stdin_channel.socket in ready:
                with contextlib.suppress(Empty):
                    msg = kc.stdin_channel.get_msg(timeout=0)
                    if msg["parent_header"].get("msg_id") == self.loop:
                        prompt = str(msg["content"].get("prompt", ""))
                        if prompt.startswith(remote.REPLY):
                            if interrupted_at is not None:
                                return None, "interrupted"  # an answer to a stopped call
                            if len(prompt) > 2 * remote.MAX_BYTES:  # over what may cross
                                return None, "too large"
                            return prompt[len(remote.REPLY) :], "ok"
                    kc.input("")  # the student's own input(): no one to answer it
            if kc.iopub_channel.socket in ready:
                with contextlib.suppress(Empty):
                    msg = kc.iopub_channel.get_msg(timeout=0)
                    idle = (
                        msg["msg_type"] == "status"
                        and msg["content"].get("execution_state") == "idle"
                        and msg["parent_header"].get("msg_id") == self.loop
                    )
                    if idle:  # the loop ended (interrupted between calls, or replaced)
                        self.loop = None
                        return None, "interrupted" if interrupted_at is not None else "ended"

    def _no_reply(
        self, state: str, wanted: float | None, call_end: float, cell_end: float
    ) -> tuple[str, str]:
        """The grader's answer to the checker for a request the student kernel did not answer."""
        if state in ("killed", "deadline", "dead"):
            return remote.grader_reply("dead", _STOPPED[state]), state
        if state == "interrupted":
            if call_end < cell_end and wanted:  # the call's own time (grading.run's timeout)
                message = f"the call did not return within {wanted:g} s"
                return remote.grader_reply("timeout", message), "ok"
            message = f"the cell ran over {self.clock.limits.cell_timeout:g} s"
            return remote.grader_reply("timeout", message), "interrupted"
        if state == "too large":
            message = "the student's kernel sent an answer too large to read"
        else:
            message = "the student's kernel sent no answer (is gradetool.remote intact?)"
        return remote.dumps({"error": {"ename": "GradingError", "evalue": message}}), "ok"

    def stop_loop(self) -> None:
        """End the student kernel's serve loop, if it runs (the next cell then runs)."""
        if self.loop is not None and self.student_state == "ok":
            with contextlib.suppress(Exception):
                self.student.kc.input(remote.STOP)
        self.loop = None

    def _stopped(self, state: str) -> None:
        """The student's kernel is gone (``dead``) or killed now (``killed``, ``deadline``)."""
        if state != "dead":
            self.student.kill()
        self.student_state = state
        self.loop = None


_STOPPED = {
    "dead": "the student's kernel died",
    "killed": "the student's code ignored the interrupt and its kernel was killed",
    "deadline": "the notebook ran over its time and the student's kernel was killed",
}


def _failed(cell: dict, outcome: _Outcome, why: str) -> _Outcome:
    """Give a test cell that could not run an error, so that it scores 0 (fail closed)."""
    ename = "DeadKernelError" if outcome.state == "dead" else TIMEOUT_ENAME
    if outcome.error is not None:
        cell["outputs"] = [outcome.error]
    else:
        cell["outputs"] = [
            {"output_type": "error", "ename": ename, "evalue": why, "traceback": [why]}
        ]
    return outcome
