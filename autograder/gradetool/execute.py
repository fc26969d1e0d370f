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

import time
from dataclasses import dataclass, field
from queue import Empty

from .kernels import Kernel

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

    def __init__(self, budget: list[int]) -> None:
        self.outputs: list[dict] = []
        self.budget = budget  # [characters left for the notebook], shared by the cells
        self.used = 0
        self.dropped = 0
        self.clear_pending = False

    def _room(self) -> int:
        return max(0, min(MAX_CELL_OUTPUT - self.used, self.budget[0]))

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
    meta = nb["cells"][index].get("metadata", {}).get("nbgrader", {})
    gid = meta.get("grade_id") if isinstance(meta, dict) else None
    return f"cell {index + 1}" + (f" ({gid})" if gid else "")


def execute_notebook(
    nb: dict, kernel: Kernel, *, cell_timeout: float = 30, timeout: float = 300
) -> Execution:
    """Run every code cell of ``nb`` (in place) in ``kernel``; errors do not stop the run.

    Parameters
    ----------
    nb : dict
        The notebook (nbformat 4 JSON); its code cells get outputs and execution counts.
    kernel : Kernel
        A connected kernel, used for this notebook only.
    cell_timeout : float
        Seconds a cell may run before it is interrupted.
    timeout : float
        Seconds the whole notebook may run before the kernel is killed.

    Returns
    -------
    Execution
    """
    run = Execution(nb)
    deadline = time.perf_counter() + timeout
    budget = [MAX_OUTPUT]
    code = [k for k, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
    for pos, index in enumerate(code):
        cell = nb["cells"][index]
        cell["outputs"], cell["execution_count"] = [], None
        if not cell["source"].strip():
            continue
        outcome = _run_cell(kernel, cell, cell_timeout, deadline, budget)
        run.cell_seconds += outcome.seconds
        run.truncated += outcome.dropped
        where = _label(nb, index)
        if outcome.state == "interrupted" and run.status == "ok":
            run.status = "timed out"
            run.reason = f"{where} ran over {cell_timeout:g} s and was interrupted"
        elif outcome.state in ("killed", "deadline", "dead"):
            run.not_run = [k for k in code[pos + 1 :] if nb["cells"][k]["source"].strip()]
            if outcome.state == "dead":
                run.status = "crashed"
                run.reason = f"the kernel died in {where} ({kernel.exit_description()})"
            elif outcome.state == "killed":
                run.status = "timed out"
                run.reason = (
                    f"{where} ran over {cell_timeout:g} s and ignored the interrupt: the "
                    "kernel was killed"
                )
            else:
                run.status = "timed out"
                run.reason = (
                    f"the notebook ran over {timeout:g} s: the kernel was killed in {where}"
                )
            break
    return run


@dataclass
class _Outcome:
    state: str  # ok, interrupted, killed, deadline, dead
    seconds: float
    dropped: int


def _run_cell(
    kernel: Kernel, cell: dict, cell_timeout: float, deadline: float, budget: list[int]
) -> _Outcome:
    kc = kernel.kc
    start = time.perf_counter()
    msg_id = kc.execute(cell["source"], store_history=True, allow_stdin=False, stop_on_error=False)
    outputs = _Outputs(budget)
    stop_at = min(start + cell_timeout, deadline)
    state = "ok"
    reply_status = None
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
        try:
            msg = kc.iopub_channel.get_msg(timeout=min(POLL, stop_at - now))
        except Empty:
            if not kernel.alive():
                state = "dead"
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
    if state in ("killed", "deadline"):
        kernel.kill()
    if state in ("ok", "interrupted"):
        reply_status = _reply(kc, msg_id)
    cell["outputs"] = outputs.finish()
    has_error = any(o["output_type"] == "error" for o in cell["outputs"])
    if state != "ok":
        limit = f"{cell_timeout:g} s" if state in ("interrupted", "killed") else "the time limit"
        what = {"dead": "the kernel died while running this cell"}.get(
            state, f"this cell ran over {limit} and was stopped"
        )
        cell["outputs"].append(
            {
                "output_type": "error",
                "ename": TIMEOUT_ENAME if state != "dead" else "DeadKernelError",
                "evalue": what,
                "traceback": [f"{TIMEOUT_ENAME if state != 'dead' else 'DeadKernelError'}: {what}"],
            }
        )
    elif reply_status == "error" and not has_error:
        cell["outputs"].append(
            {"output_type": "error", "ename": "Error", "evalue": "the cell failed", "traceback": []}
        )
    return _Outcome(state, seconds, outputs.dropped)


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
