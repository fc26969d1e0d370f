"""Benchmark: how long each chapter page takes to execute, against the spec's budgets.

Executes every chapter page (``chapters/*/*.md``) from scratch in a fresh kernel, one after
the other, as the cold book build does, and prints per page its execution time, the page's
budget (specs §0.9), their ratio, and the slowest cell (a cell's budget is 10 s). A timed
assert inside a page would make the book's build depend on the machine's load, so the
budgets are checked here. It prints the load average too: run it on an idle machine.
Run it with ``make bench-pages`` (about a minute per page on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path

from myst_nb.core.read import read_myst_markdown_notebook
from nbclient import NotebookClient

# Seconds of execution allowed per page (specs/chapters-2-6.md §0.9), by chapter folder.
BUDGETS = {
    "01_perceptron": 10.0,
    "02_activations": 20.0,
    "03_approximation": 15.0,
    "04_backprop": 25.0,
    "05_initialization": 25.0,
    "06_overfitting": 35.0,
}
CELL_BUDGET = 10.0


def cell_seconds(cell) -> float | None:
    """The wall time nbclient recorded for one executed code cell, or None."""
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return None
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def execute(page: Path) -> tuple[float, list[float]]:
    """Execute one page in a fresh kernel; its wall time and every code cell's time."""
    nb = read_myst_markdown_notebook(page.read_text(), path=page)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        record_timing=True,
        resources={"metadata": {"path": str(page.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    cells = [cell_seconds(c) for c in nb.cells if c.cell_type == "code"]
    return seconds, [t for t in cells if t is not None]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", type=Path, help="pages to run (default: all)")
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parents[1]
    pages = args.pages or sorted(
        p for p in (root / "chapters").glob("*/*.md") if p.parent.name in BUDGETS
    )
    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    total, over = 0.0, []
    print(f"{'page':40s} {'seconds':>8s} {'budget':>7s} {'ratio':>6s}  slowest cell")
    for page in pages:
        seconds, cells = execute(page)
        total += seconds
        budget = BUDGETS.get(page.parent.name)
        slow = max(range(len(cells)), key=cells.__getitem__) if cells else None
        slowest = f"code cell {slow + 1}: {cells[slow]:.1f} s" if slow is not None else ""
        ratio = f"{seconds / budget:.2f}" if budget else "-"
        name = f"{page.parent.name}/{page.name}"
        print(f"{name:40s} {seconds:8.1f} {budget or 0:7.0f} {ratio:>6s}  {slowest}", flush=True)
        if budget and seconds > budget:
            over.append(f"{name} ({seconds:.1f} s > {budget:.0f} s)")
        over += [
            f"{name} code cell {i + 1} ({t:.1f} s)" for i, t in enumerate(cells) if t > CELL_BUDGET
        ]
    print(f"{'all pages':40s} {total:8.1f} {130:7.0f} {total / 130:6.2f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print("over budget: " + ("; ".join(over) if over else "nothing"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
