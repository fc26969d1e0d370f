"""Score an executed notebook, test cell by test cell, as nbgrader does.

An autograded test cell earns its points when it ran without an error output. Like
nbgrader, a test cell whose last expression is a number between 0 and its points gets that
number (partial credit); any other value counts as full points. Unlike nbgrader 0.9.6, text
on stderr (a warning) does not zero the cell: only an error does.

The message of a failed cell is the assertion message when the test raised an
``AssertionError`` with one (`mlpbook.grading` writes them for students), else the error's
last line (``NameError: name 'collapse' is not defined``).
"""

from __future__ import annotations

import re

from .repair import grade_id
from .results import PartResult

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MAX_MESSAGE = 2000


def error_message(output: dict) -> str:
    """The message of an error output, for a student."""
    ename = ANSI.sub("", str(output.get("ename", ""))).strip()
    evalue = ANSI.sub("", str(output.get("evalue", ""))).strip()
    if ename == "AssertionError" and evalue:
        text = evalue
    elif evalue:
        text = f"{ename}: {evalue}"
    else:
        text = ename or "the cell failed"
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def partial_credit(output: dict, max_points: float) -> float:
    """The points an ``execute_result`` output claims, as nbgrader reads them."""
    text = output.get("data", {}).get("text/plain", "")
    if isinstance(text, list):
        if len(text) != 1:
            return max_points
        text = text[0]
    try:
        value = float(text)
    except (TypeError, ValueError):
        return max_points
    if value < 0 or value != value:
        return max_points
    return min(value, max_points)


def score_cell(cell: dict, max_points: float) -> PartResult:
    """The result of one executed test cell worth ``max_points``."""
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        return PartResult(0.0, max_points, False, error_message(errors[-1]))
    for output in cell.get("outputs", []):
        if output.get("output_type") == "execute_result":
            points = partial_credit(output, max_points)
            message = (
                "" if points >= max_points else f"partial credit: {points:g} of {max_points:g}"
            )
            return PartResult(points, max_points, points >= max_points, message)
    return PartResult(float(max_points), float(max_points), True, "")


def score_notebook(
    nb: dict, tests: dict[str, float], not_run: dict[str, str] | None = None
) -> dict[str, PartResult]:
    """Every test's result, in the order of ``tests``.

    Parameters
    ----------
    nb : dict
        The executed notebook.
    tests : dict of str to float
        Grade id → points of the autograded test cells.
    not_run : dict of str to str, optional
        Grade id → why that cell never ran (the kernel was killed before it).

    Returns
    -------
    dict of str to PartResult
    """
    not_run = not_run or {}
    cells = {grade_id(c): c for c in nb["cells"] if grade_id(c) in tests}
    parts = {}
    for gid, points in tests.items():
        if gid in not_run:
            parts[gid] = PartResult(0.0, float(points), False, f"not run: {not_run[gid]}")
        elif gid not in cells:
            parts[gid] = PartResult(0.0, float(points), False, "test cell missing")
        else:
            parts[gid] = score_cell(cells[gid], float(points))
    return parts


def normalise_message(message: str) -> str:
    """A message with its numbers and quoted values blurred, so that alike ones group."""
    text = message.splitlines()[0] if message else ""
    text = re.sub(r"(?<![\w.])-?\d+(\.\d+)?(e[-+]?\d+)?(?!\w)", "#", text)
    text = re.sub(r"(#[\s,]*)+#", "#", text)
    return text.strip()[:200]
