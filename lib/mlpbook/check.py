"""Check a graded notebook as it will be graded: ``mlpbook-check NOTEBOOK.ipynb``.

The student's tool. It copies the notebook (and the files of its folder) into a temporary
folder, runs every code cell in a fresh ``python3`` kernel without stopping at the first
error, and prints one line per graded test cell, ``PASS test_x (1 point)`` or
``FAIL test_x (0 of 1 point)`` followed by the error's message, whole. Answer cells that
still ``raise NotImplementedError`` are reported as not answered yet; test cells whose
hidden part was removed (nothing left but a docstring or a comment) run only when the work
is graded. A cell is scored as the course grades it: an error costs its points, a cell
whose value is a number between 0 and its points earns that number, anything else earns
its points.

The student's file is never written to. Usage::

    mlpbook-check perceptron_exercise.ipynb [--timeout SECONDS]
    python -m mlpbook.check perceptron_exercise.ipynb

Exit status: 0 when every visible test passed and every cell ran without an error; 1 when
a test failed, a cell raised an error or ran out of time, an answer is not written yet, or
the kernel died; 2 when the notebook could not be checked (no such file, not a notebook,
no graded cells, no kernel).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Execution",
    "InvalidNotebook",
    "checksum",
    "error_message",
    "execute",
    "expected_name",
    "is_hidden_only",
    "is_unanswered",
    "load_notebook",
    "main",
    "report",
]

DEFAULT_TIMEOUT = 30  # as course-grade (gradetool.limits.Limits.cell_timeout)
EXIT_PASSED, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
# a folder bigger than this (a Downloads folder, say) is not copied: only the notebook is
COPY_MAX_FILES, COPY_MAX_BYTES = 500, 50 * 2**20
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
UNANSWERED = re.compile(r"^[ \t]*raise[ \t]+NotImplementedError\b", re.MULTILINE)

# the error nbclient reports, in place of the kernel's reply, for a cell it interrupted
TIMEOUT_ENAME = "mlpbook-check-timeout"


class InvalidNotebook(Exception):
    """The file cannot be checked: the message says what was expected."""


@dataclass
class Execution:
    """What running a notebook's cells gave.

    ``cells`` are the executed cells, with their outputs; ``replies`` maps a cell's index
    to the content of the kernel's reply (``status``, ``ename``, ``evalue``);
    ``timed_out`` holds the indices of the cells interrupted after the timeout;
    ``died_at`` is the index of the cell during which the kernel died (later cells did
    not run), or None; ``kernel_stderr`` is the kernel's own error output, shown when it
    dies.
    """

    cells: list
    replies: dict = field(default_factory=dict)
    timed_out: set = field(default_factory=set)
    died_at: int | None = None
    kernel_stderr: str = ""


def main(argv: list[str] | None = None) -> int:
    """Run ``mlpbook-check``; return its exit status.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 if every visible test passed, 1 if not, 2 if the notebook could not be checked.
    """
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")  # a Windows console cannot print every ŷ
    parser = argparse.ArgumentParser(
        prog="mlpbook-check",
        description="Check a graded notebook as it will be graded: run every cell in a "
        "fresh kernel and print each visible test's result with its whole message.",
        epilog="Exit status: 0 when every visible test passed, 1 when not, 2 when the "
        "notebook could not be checked. Hidden tests run only when your work is graded.",
    )
    parser.add_argument("notebook", type=Path, help="the notebook to check (.ipynb)")
    parser.add_argument(
        "--timeout",
        type=int,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"the time a cell may run before it is interrupted (default: {DEFAULT_TIMEOUT})",
    )
    args = parser.parse_args(argv)
    if args.timeout < 1:
        parser.error("--timeout must be a whole number of seconds, at least 1")
    try:
        nb = load_notebook(args.notebook)
        expected = expected_name(args.notebook, nb)
        if expected:
            _warn(
                f"this is the course's notebook {expected}, but the file is named "
                f"{args.notebook.name!r}: the grader looks for {expected}, so rename the "
                "file before you submit it."
            )
        print(
            f"Checking {args.notebook.name}: every cell runs in a fresh python3 kernel "
            f"(at most {args.timeout} s a cell)…",
            flush=True,
        )
        execution = execute(nb, args.notebook, timeout=args.timeout)
    except InvalidNotebook as error:
        _warn(str(error))
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    lines, status = report(execution, timeout=args.timeout)
    print("\n".join(lines))
    return status


def _warn(message: str) -> None:
    print(f"mlpbook-check: {message}", file=sys.stderr, flush=True)


def load_notebook(path: Path):
    """Read a notebook with graded cells, or say why it cannot be checked.

    Parameters
    ----------
    path : pathlib.Path
        The ``.ipynb`` file.

    Returns
    -------
    nbformat.NotebookNode
        The notebook, in format 4.

    Raises
    ------
    InvalidNotebook
        If the file is missing, not a Jupyter notebook, or has no graded test cell.
    """
    expected = "expected a Jupyter notebook (a .ipynb file, as downloaded from the book)"
    if not path.exists():
        raise InvalidNotebook(f"{path}: no such file; {expected}")
    if path.is_dir():
        raise InvalidNotebook(f"{path} is a folder; {expected}")
    if path.suffix != ".ipynb":
        raise InvalidNotebook(f"{path} is not a .ipynb file; {expected}")
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InvalidNotebook(f"{path} cannot be read as JSON ({error}); {expected}") from None
    if not isinstance(data, dict) or "nbformat" not in data:
        raise InvalidNotebook(f"{path} is JSON but not a notebook; {expected}")
    import nbformat

    try:
        nb = nbformat.reads(text, as_version=4, capture_validation_error={})
    except Exception as error:  # nbformat raises many kinds on a damaged notebook
        raise InvalidNotebook(f"{path} is a damaged notebook ({error}); {expected}") from None
    if not any(_kind(cell) == "test" for cell in nb.cells):
        raise InvalidNotebook(
            f"{path} has no graded test cell (no cell with nbgrader metadata "
            "'grade: true'); expected a course exercise notebook, as downloaded from the book"
        )
    return nb


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _kind(cell) -> str:
    """``test`` (autograded), ``answer``, ``manual`` (graded by hand) or ``other``."""
    meta = _meta(cell)
    if meta.get("grade") and (meta.get("solution") or cell.cell_type != "code"):
        return "manual"
    if meta.get("grade"):
        return "test"
    if meta.get("solution"):
        return "answer"
    return "other"


def is_hidden_only(source: str) -> bool:
    """Whether a test cell holds nothing but a docstring or comments (its hidden part removed).

    Parameters
    ----------
    source : str
        The cell's code.

    Returns
    -------
    bool
    """
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    return all(
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for node in body
    )


def is_unanswered(cell) -> bool:
    """Whether an answer cell still holds its placeholder.

    Parameters
    ----------
    cell : dict
        An answer cell: code with ``raise NotImplementedError``, or text that still reads
        ``YOUR ANSWER HERE``.

    Returns
    -------
    bool
    """
    if cell.cell_type == "code":
        return bool(UNANSWERED.search(cell.source))
    return cell.source.strip() == "YOUR ANSWER HERE"


def checksum(cell) -> str:
    """nbgrader's checksum of a cell (``nbgrader.utils.compute_checksum``, without nbgrader).

    Parameters
    ----------
    cell : dict
        A cell with nbgrader metadata.

    Returns
    -------
    str
        The md5 hex digest of its source, type, grade/solution/locked flags, id and points.
    """
    meta = _meta(cell)
    grade, solution = meta.get("grade", False), meta.get("solution", False)
    locked = False if solution else True if grade else meta.get("locked", False)
    parts = [cell.source, cell.cell_type, str(grade), str(solution), str(locked)]
    parts.append(meta["grade_id"])
    if grade:
        parts.append(str(float(meta["points"])))
    md5 = hashlib.md5()
    for part in parts:
        md5.update(part.encode("utf-8"))
    return md5.hexdigest()


def _was_changed(cell) -> bool:
    meta = _meta(cell)
    if "checksum" not in meta or "grade_id" not in meta:
        return False
    try:
        return checksum(cell) != meta["checksum"]
    except (KeyError, TypeError, ValueError):
        return False


def expected_name(path: Path, nb) -> str | None:
    """The course's name for this notebook, if it is one of the course's and named otherwise.

    The released notebooks are ``chapters/*/*_exercise.ipynb`` of the repository that
    ``mlpbook`` was installed from (``pip install -e .``); a notebook is one of them when it
    shares at least half of that one's grade ids. Without the repository, nothing is known.

    Parameters
    ----------
    path : pathlib.Path
        The student's file.
    nb : nbformat.NotebookNode
        Its contents.

    Returns
    -------
    str or None
        The expected file name, or None when the name is right or nothing is known.
    """
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file():
        return None
    ids = {_meta(cell).get("grade_id") for cell in nb.cells} - {None}
    for released in sorted(root.glob("chapters/*/*_exercise.ipynb")):
        try:
            cells = json.loads(released.read_text(encoding="utf-8"))["cells"]
            theirs = {_meta(cell).get("grade_id") for cell in cells} - {None}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        if theirs and 2 * len(ids & theirs) >= len(theirs):
            return None if path.name == released.name else released.name
    return None


def execute(nb, path: Path, *, timeout: int = DEFAULT_TIMEOUT) -> Execution:
    """Run every code cell of a copy of the notebook in a fresh ``python3`` kernel.

    The notebook's folder is copied into a temporary folder (removed afterwards) and the
    kernel runs there, so that files the notebook opens by a relative path are found; a
    folder of more than 500 files or 50 MB is not copied, only the notebook.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook; it is executed in place (its outputs are replaced).
    path : pathlib.Path
        The student's file, which is read, never written.
    timeout : int, optional
        The seconds a cell may run before the kernel is interrupted.

    Returns
    -------
    Execution

    Raises
    ------
    InvalidNotebook
        If nbclient is missing or the kernel cannot start.
    """
    try:
        from jupyter_client.kernelspec import NoSuchKernel
        from nbclient import NotebookClient
        from nbclient.exceptions import DeadKernelError
    except ImportError as error:
        raise InvalidNotebook(
            f"cannot run notebooks here ({error}): install JupyterLab next to mlpbook "
            "(`python -m pip install jupyterlab`, as the lab kit's README says)"
        ) from None
    run = Execution(cells=nb.cells)
    started: list[int] = []
    log = logging.getLogger("mlpbook.check")  # nbclient logs every timeout: we report them
    log.addHandler(logging.NullHandler())
    log.propagate = False

    def on_execute(cell, cell_index):
        started.append(cell_index)

    def on_executed(cell, cell_index, execute_reply):
        content = execute_reply["content"]
        run.replies[cell_index] = content
        if content.get("ename") == TIMEOUT_ENAME:
            run.timed_out.add(cell_index)

    with tempfile.TemporaryDirectory(prefix="mlpbook-check-", ignore_cleanup_errors=True) as tmp:
        work = Path(tmp) / "work"
        if not _copy_folder(path.resolve().parent, work, avoid=Path(tmp).resolve()):
            _warn(
                "the notebook's folder is large, so only the notebook was copied: files it "
                "opens by a relative path are missing in this check."
            )
            work.mkdir(exist_ok=True)
        shutil.copyfile(path, work / path.name)
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={"ename": TIMEOUT_ENAME, "evalue": "", "traceback": []},
            resources={"metadata": {"path": str(work)}},
            log=log,
            on_cell_execute=on_execute,
            on_cell_executed=on_executed,
        )
        stderr_path = Path(tmp) / "kernel-stderr.txt"
        try:
            # the kernel's own stderr (ipykernel's start-up warnings) goes to a file
            with open(stderr_path, "wb") as kernel_stderr:
                client.execute(stderr=kernel_stderr)
        except DeadKernelError:
            run.died_at = started[-1] if started else 0
            run.kernel_stderr = _tail(stderr_path)
        except (NoSuchKernel, RuntimeError) as error:
            if started:
                raise
            raise InvalidNotebook(
                f"could not start a python3 kernel ({error}): install ipykernel "
                f"(`pip install ipykernel`){_tail(stderr_path)}"
            ) from None
    return run


def _copy_folder(src: Path, dst: Path, *, avoid: Path) -> bool:
    """Copy ``src`` to ``dst`` (hidden files left out) unless it is too big; say if copied."""

    def skipped(folder: str, name: str) -> bool:
        return name.startswith(".") or name == "__pycache__" or Path(folder, name) == avoid

    files, size = 0, 0
    for folder, subfolders, names in os.walk(src):
        subfolders[:] = [name for name in subfolders if not skipped(folder, name)]
        for name in names:
            if skipped(folder, name):
                continue
            files += 1
            try:
                size += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
            if files > COPY_MAX_FILES or size > COPY_MAX_BYTES:
                return False
    try:
        shutil.copytree(
            src,
            dst,
            symlinks=True,
            ignore=lambda folder, names: [name for name in names if skipped(folder, name)],
        )
    except (OSError, shutil.Error):
        return False
    return True


def _tail(path: Path, lines: int = 20) -> str:
    """The end of the kernel's stderr, without ipykernel's routine warnings."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    kept = [line for line in text.splitlines() if line.strip() and "[IPKernelApp]" not in line]
    return "\nthe kernel's error output ends with:\n" + "\n".join(kept[-lines:]) if kept else ""


def report(run: Execution, *, timeout: int = DEFAULT_TIMEOUT) -> tuple[list[str], int]:
    """The lines to print for an executed notebook, and the exit status.

    Parameters
    ----------
    run : Execution
        The executed notebook.
    timeout : int, optional
        The per-cell timeout it ran with (for the messages).

    Returns
    -------
    lines : list of str
    status : int
        0 if every visible test passed and no cell failed, else 1.
    """
    lines: list[str] = []
    passed = tests = 0
    earned = worth = hidden_points = 0.0
    unanswered: list[str] = []
    trouble = run.died_at is not None or bool(run.timed_out)
    for index, cell in enumerate(run.cells):
        kind, meta = _kind(cell), _meta(cell)
        name = meta.get("grade_id") or f"cell {index + 1}"
        outcome = _outcome(run, index, timeout)
        if kind == "test":
            points = float(meta.get("points", 0) or 0)
            if is_hidden_only(cell.source):
                hidden_points += points
                lines.append(
                    f"HIDDEN {name} ({_points(points)}): hidden tests: run when your work is graded"
                )
                continue
            tests += 1
            worth += points
            got = points if outcome is None else _partial(cell, points, outcome)
            if outcome is None and got >= points:
                passed += 1
                earned += points
                lines.append(f"PASS {name} ({_points(points)})")
            else:
                earned += got
                lines.append(f"FAIL {name} ({got:g} of {_points(points)})")
                lines.extend(_indent(outcome or f"partial credit: {got:g} of {points:g}"))
            if _was_changed(cell):
                lines.append(
                    "    note: this test cell was changed; it is put back as released when "
                    "your work is graded, so the result there may differ"
                )
        elif kind == "answer" and is_unanswered(cell):
            trouble = True
            unanswered.append(name)
            lines.append(f"TODO {name}: not answered yet (replace the NotImplementedError)")
        elif kind == "manual":
            points = float(meta.get("points", 0) or 0)
            lines.append(f"MANUAL {name} ({_points(points)}): graded by hand")
        elif outcome is not None and not _after_death(run, index):
            trouble = True
            label = "answer cell" if kind == "answer" else _first_line(cell.source)
            lines.append(f"ERROR {name} ({label})")
            lines.extend(_indent(outcome))
    if run.died_at is not None and run.kernel_stderr:
        lines.extend(_indent(run.kernel_stderr.strip()))
    lines.append("")
    lines.append(
        f"Visible tests passed: {passed} of {tests}; points: {earned:g} of "
        f"{_points(worth)} visible."
    )
    if unanswered:
        lines.append(f"Not answered yet: {', '.join(unanswered)}.")
    lines.append(
        f"Hidden tests ({_points(hidden_points)}) run only when your work is graded: "
        "passing the visible tests does not mean passing them."
        if hidden_points
        else "Your work is graded with these tests, and maybe hidden ones that try more cases."
    )
    status = EXIT_PASSED if passed == tests and not trouble else EXIT_FAILED
    return lines, status


def _after_death(run: Execution, index: int) -> bool:
    return run.died_at is not None and index > run.died_at


def _outcome(run: Execution, index: int, timeout: int) -> str | None:
    """Why a cell failed (the error's message, whole), or None if it ran without error."""
    if run.died_at is not None and index >= run.died_at:
        if index == run.died_at:
            return "the kernel died while running this cell (out of memory? os._exit?)"
        return "not run: the kernel died in an earlier cell"
    if index in run.timed_out:
        return (
            f"timed out: the cell ran longer than {timeout} s and was interrupted "
            "(an endless loop?)"
        )
    cell = run.cells[index]
    if cell.cell_type != "code":
        return None
    errors = [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    reply = run.replies.get(index, {})
    if errors:
        return error_message(errors[-1])
    if reply.get("status") == "error":
        return error_message(reply)
    return None


def error_message(error: dict) -> str:
    """An error's name and whole value, without colours; where it was, if it says nothing.

    Parameters
    ----------
    error : dict
        An error output, or a kernel reply, with ``ename``, ``evalue`` and ``traceback``.

    Returns
    -------
    str
        ``"AssertionError: <the whole message>"``; for an error with no message or a syntax
        error, the line it points to as well.
    """
    ename = ANSI.sub("", str(error.get("ename", "") or "Error")).strip()
    evalue = ANSI.sub("", str(error.get("evalue", "") or "")).strip("\n")
    text = f"{ename}: {evalue}" if evalue.strip() else ename
    if ename == "NotImplementedError" and not evalue.strip():
        text += " (a function this cell calls is not answered yet)"
    if not evalue.strip() or ename in ("SyntaxError", "IndentationError", "TabError"):
        where = _where(error.get("traceback") or [])
        if where:
            text += "\n" + where
    return text


def _where(traceback: list) -> str:
    """The line an IPython traceback points to (``----> 3 assert …``, or a syntax caret)."""
    lines = ANSI.sub("", "\n".join(str(part) for part in traceback)).splitlines()
    arrows = [line for line in lines if re.match(r"\s*-*>\s*\d+", line)]
    if arrows:
        number, _, code = re.sub(r"^\s*-*>\s*", "", arrows[-1]).partition(" ")
        return f"at line {number}: {code.strip()}"
    for i, line in enumerate(lines):
        match = re.search(r"\bline (\d+)\s*$", line)
        if match and i + 1 < len(lines):
            caret = [lines[i + 2]] if i + 2 < len(lines) and lines[i + 2].strip() == "^" else []
            return "\n".join([f"at line {match.group(1)}:", lines[i + 1], *caret])
    return ""


def _partial(cell, points: float, outcome: str | None) -> float:
    """The points a test cell earns: none after an error, else its value if it is a number."""
    if outcome is not None:
        return 0.0
    for output in cell.get("outputs", []):
        if output.get("output_type") == "execute_result":
            text = output.get("data", {}).get("text/plain", "")
            try:
                value = float(text)
            except (TypeError, ValueError):
                return points
            return points if value < 0 or value != value else min(value, points)
    return points


def _points(points: float) -> str:
    return f"{points:g} point" + ("" if points == 1 else "s")


def _indent(text: str) -> list[str]:
    return ["    " + line if line else "" for line in text.splitlines()]


def _first_line(source: str) -> str:
    line = next((line.strip() for line in source.splitlines() if line.strip()), "")
    return line if len(line) <= 60 else line[:57] + "..."


if __name__ == "__main__":
    sys.exit(main())
