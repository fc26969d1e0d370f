"""Benchmark: grading a class of chapter 1 with plain nbgrader and with `course-grade`.

    .venv/bin/python bench/grading.py [--n 60] [--seed 0] [--keep]

Generates a class of ``--n`` submissions of ``ch01_perceptron`` as a class hands them in
(`classgen.realistic_class`: mostly right answers, often written differently, one or two
wrong parts, a few blanks; nothing pathological), then grades it, in one run and each in its
own temporary copy of the course:

- (a) plain ``nbgrader autograde ch01_perceptron --force``: one submission after another;
- (b) ``course-grade grade ch01_perceptron CLASS`` with its default number of workers.

It prints both wall times and their ratio (target ≥ 2.5 on 2 cores), the time spent
executing cells (nbgrader: the sum over the executed notebooks of each cell's busy → idle
time, which nbclient records in the cell's ``execution`` metadata; the tool keeps no
per-cell timing in its notebooks, so its own per-submission sum, saved with its results),
and the overhead per submission, ``wall × workers / N − mean cell time per submission``
(target < 0.3 s for the tool), and the machine's load average (1 minute) before and after
each run: the runs are one after the other, so a load that changes between them biases
the ratio. Both must give the same scores in their gradebooks: otherwise it exits with 1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import classgen  # noqa: E402 (the tests' class generator)
import gradingkit as kit  # noqa: E402

ASSIGNMENT = "ch01_perceptron"
TARGET_RATIO = 2.5
TARGET_OVERHEAD = 0.3  # seconds per submission


def load() -> str:
    """The 1-minute load average now (``-`` where the system has none)."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except (AttributeError, OSError):
        return "-"


def timed_run(cmd: list, course: Path) -> tuple[float, str, str]:
    """Run ``cmd`` in ``course``: its wall time, its output, the load before → after."""
    before = load()
    start = time.perf_counter()
    done = subprocess.run(
        [str(c) for c in cmd],
        cwd=course,
        env=kit.course_env(course),
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    loads = f"{before} → {load()}"
    if done.returncode != 0:
        sys.exit(
            f"{cmd[0]} failed (exit {done.returncode}):\n{(done.stdout + done.stderr)[-4000:]}"
        )
    return seconds, done.stdout + done.stderr, loads


def cell_seconds(course: Path) -> dict[str, float]:
    """Student → seconds its autograded notebook's cells ran (busy → idle, per cell)."""
    found = {}
    for path in (course / "autograder" / "autograded").glob(f"*/{ASSIGNMENT}/*.ipynb"):
        total = 0.0
        for cell in kit.read_nb(path)["cells"]:
            timing = cell.get("metadata", {}).get("execution", {})
            if "iopub.status.busy" in timing and "iopub.status.idle" in timing:
                busy, idle = (
                    datetime.fromisoformat(timing[k].replace("Z", "+00:00"))
                    for k in ("iopub.status.busy", "iopub.status.idle")
                )
                total += (idle - busy).total_seconds()
        if total:
            found[path.parts[-3]] = total
    return found


def tool_cell_seconds(course: Path) -> dict[str, float]:
    """Student → seconds its cells ran, as course-grade measured them (its saved results).

    The tool runs cells without nbclient and keeps no per-cell timing in the notebook: its
    results (`StudentResult.cell_seconds`) hold the sum.
    """
    try:
        from gradetool.batch import Context

        latest = Context.open(ASSIGNMENT, course).state.latest()
    except (ImportError, AttributeError) as exc:  # the tool's internals changed
        print(f"note: no cell timings from course-grade ({exc})")
        return {}
    return {s: r.cell_seconds for s, r in latest.items() if r.cell_seconds}


def row(name: str, wall: float, workers: int, cells: dict[str, float], n: int, loads: str) -> float:
    """Print one contender's figures; return its overhead per submission (s)."""
    per_sub = sum(cells.values()) / len(cells) if cells else float("nan")
    overhead = wall * workers / n - per_sub
    print(
        f"{name:20}{wall:9.1f}{workers:9d}{sum(cells.values()):11.1f}{per_sub:11.3f}"
        f"{overhead:14.3f}  {loads}"
    )
    return overhead


def _uses_answer_modules(submission, source_nb: dict) -> bool:
    """Whether an answer cell of the submission names a module that holds the answers."""
    from gradetool.course import declared_answer_modules

    modules = declared_answer_modules(source_nb)
    for text in submission.files.values():
        for cell in json.loads(text)["cells"]:
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                code = kit.source(cell)
                if any(m in code for m in modules):
                    return True
    return False


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def default_workers() -> int:
    """The tool's default number of workers (its own rule, else one per core)."""
    try:
        from gradetool import batch

        return int(batch.default_workers())
    except (ImportError, AttributeError):
        return os.cpu_count() or 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=60, help="submissions in the class (≥ 1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary courses")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        course, notebook, source_nb, release_nb = kit.released_course(tmp / "base", ASSIGNMENT)
        klass = classgen.realistic_class(
            ASSIGNMENT, notebook, source_nb, release_nb, args.n, args.seed
        )
        class_dir = klass.write_nbgrader(tmp / "class")
        plain = Path(shutil.copytree(course, tmp / "nbgrader" / "course"))
        tool = Path(shutil.copytree(course, tmp / "course-grade" / "course"))
        klass.write_nbgrader(plain / "autograder" / "submitted")

        cores = os.cpu_count()
        print(f"class: {args.n} submissions of {ASSIGNMENT} (seed {args.seed}); {cores} cores")
        print(f"{'':20}{'wall (s)':>9}{'workers':>9}{'cells (s)':>11}", end="")
        print(f"{'cells/sub':>11}{'overhead/sub':>14}  load before → after")
        nbgrader = [kit.BIN / "nbgrader", "autograde", ASSIGNMENT, "--force"]
        plain_wall, _, loads = timed_run(nbgrader, plain)
        row("nbgrader autograde", plain_wall, 1, cell_seconds(plain), args.n, loads)
        tool_cmd = [kit.BIN / "course-grade", "grade", ASSIGNMENT, class_dir, "--course", tool]
        tool_wall, tool_log, loads = timed_run([*tool_cmd, "--no-progress"], tool)
        tool_cells = cell_seconds(tool) or tool_cell_seconds(tool)
        overhead = row("course-grade", tool_wall, default_workers(), tool_cells, args.n, loads)

        ratio = plain_wall / tool_wall
        print(
            f"speed-up: {ratio:.2f}x (target ≥ {TARGET_RATIO}x): {verdict(ratio >= TARGET_RATIO)}"
        )
        print(
            f"course-grade overhead per submission: {overhead:.3f} s "
            f"(target < {TARGET_OVERHEAD} s): {verdict(overhead < TARGET_OVERHEAD)}"
        )
        if len(tool_cells) < args.n:
            print(f"note: course-grade left cell timings for {len(tool_cells)} of {args.n}")
        summary = [line for line in tool_log.splitlines() if line.startswith("graded:")]
        print(f"course-grade: {summary[-1] if summary else 'no summary line'}")

        a = kit.gradebook_scores(plain, ASSIGNMENT, notebook)
        b = kit.gradebook_scores(tool, ASSIGNMENT, notebook)
        differ = sorted(s for s in set(a) | set(b) if a.get(s) != b.get(s))
        # by design: an answer that imports a module holding the answers fails to import under
        # course-grade (autograder/README.md, "The answers' modules are out of reach"), so
        # the parts that call it fail too; plain nbgrader only zeroes the part itself
        by_design = [s for s in differ if _uses_answer_modules(klass.submissions[s], source_nb)]
        for student in by_design:
            print(
                f"  {student} (uses an answer module: differs by design): nbgrader "
                f"{a.get(student)}, course-grade {b.get(student)}"
            )
        differ = [s for s in differ if s not in by_design]
        if differ or len(a) != args.n:
            for student in differ:
                print(f"  {student}: nbgrader {a.get(student)}, course-grade {b.get(student)}")
            print(
                f"scores: {len(differ)} of {args.n} students differ ({len(a)} graded by "
                f"nbgrader, {len(b)} by course-grade)"
            )
            return 1
        full = sum(sum(p.values()) == klass.max_score for p in a.values())
        print(f"scores: identical for all {args.n} students ({full} with full marks)")
        return 0
    finally:
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
